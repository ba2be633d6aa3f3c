//! Fault injection: every kind, rule matching, random faults, recording, pacing.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use fakehub::{FakeHub, Fault, FaultKind, HfRepo, KaggleDataset, Options, Origin};
use serde_json::json;

use crate::support::*;

const FILE: &str = "/datasets/o/r/resolve/main/f.txt";

fn hub_with(opts: Options) -> (FakeHub, Vec<u8>) {
    let hub = FakeHub::start_with(opts);
    let data: Vec<u8> = (0..1000u32).map(|i| (i % 251) as u8).collect();
    hub.add_hf_repo(
        HfRepo::new("o/r")
            .private(true)
            .owner_user("u")
            .file("f.txt", data.clone())
            .lfs_file("l.bin", data.clone()),
    );
    hub.hf_add_token("t", "u");
    hub.add_kaggle_dataset(KaggleDataset::new("o/k").file("a.csv", "1,2\n"));
    (hub, data)
}

fn auth() -> [(&'static str, &'static str); 1] {
    [("Authorization", "Bearer t")]
}

fn status(code: u16) -> FaultKind {
    FaultKind::Status {
        code,
        retry_after: None,
        ratelimit_reset: None,
    }
}

#[test]
fn status_faults_use_each_origins_error_format() {
    let (hub, _) = hub_with(Options::default());
    let api = hub.api_url();
    hub.fault(
        Fault::new(
            Origin::Api,
            FaultKind::Status {
                code: 429,
                retry_after: Some("1".into()),
                ratelimit_reset: Some(2),
            },
        )
        .path_contains("/resolve/"),
    );
    let r = get(&api, FILE, &auth());
    assert_eq!(r.status, 429);
    assert_eq!(r.header("retry-after"), Some("1"));
    assert_eq!(r.header("ratelimit"), Some("\"resolvers\";r=0;t=2"));
    assert!(r.header("ratelimit-policy").unwrap().contains("w=300"));
    assert!(r.header("x-error-message").is_some());
    assert!(r.json()["error"].is_string());
    assert_eq!(
        get(&api, FILE, &auth()).status,
        200,
        "applies once by default"
    );

    hub.fault(Fault::new(Origin::Api, status(503)).path_contains("DatasetApiService"));
    let r = post_json(
        &api,
        "/v1/datasets.DatasetApiService/GetDataset",
        &[],
        &json!({"ownerSlug": "o", "datasetSlug": "k"}),
    );
    assert_eq!(
        (r.status, r.json()),
        (503, json!({"code": 503, "message": "Service unavailable"}))
    );

    let loc = post_json(
        &api,
        "/v1/datasets.DatasetApiService/DownloadDataset",
        &[],
        &json!({"ownerSlug": "o", "datasetSlug": "k"}),
    )
    .header("location")
    .unwrap()
    .to_string();
    hub.fault(Fault::new(Origin::Storage, status(500)));
    let r = get_url(&loc, &[]);
    assert_eq!(r.status, 500);
    assert!(r.text().contains("<Code>InternalError</Code>"));
    hub.fault(Fault::new(Origin::Storage, FaultKind::ExpiredUrl));
    let r = get_url(&loc, &[]);
    assert_eq!(r.status, 403);
    assert!(r.text().contains("ExpiredToken"));
    assert_eq!(get_url(&loc, &[]).status, 200);
}

#[test]
fn rule_matching_skip_times_method() {
    let (hub, _) = hub_with(Options::default());
    let api = hub.api_url();
    hub.fault(
        Fault::new(Origin::Any, status(502))
            .path_contains("f.txt")
            .method("GET")
            .skip(1)
            .times(2),
    );
    assert_eq!(get(&api, FILE, &auth()).status, 200); // skipped
    assert_eq!(send(&api, "HEAD", FILE, &auth(), b"").status, 200); // other method
    assert_eq!(get(&api, FILE, &auth()).status, 502);
    assert_eq!(get(&api, FILE, &auth()).status, 502);
    assert_eq!(get(&api, FILE, &auth()).status, 200); // exhausted
    hub.fault(Fault::new(Origin::Cdn, status(503)).times(usize::MAX));
    assert_eq!(get(&api, FILE, &auth()).status, 200); // wrong origin
    hub.clear_faults();
    let rec = hub.requests();
    assert_eq!(
        rec.iter().map(|r| r.status).collect::<Vec<_>>(),
        [200, 200, 502, 502, 200, 200]
    );
    assert_eq!(rec[0].body_bytes_sent, 1000);
    assert_eq!(rec[1].body_bytes_sent, 0);
    assert_eq!(rec[0].path(), FILE);
    assert_eq!(rec[0].header("AUTHORIZATION"), Some("Bearer t"));
    hub.clear_requests();
    assert!(hub.requests().is_empty());
}

#[test]
fn byte_level_faults() {
    let (hub, data) = hub_with(Options::default());
    let api = hub.api_url();

    hub.fault(Fault::new(Origin::Api, FaultKind::ResetBeforeHeaders));
    let r = get(&api, FILE, &auth());
    assert_eq!(r.status, 0);
    assert!(r.empty);
    assert_eq!(r.err, Some(std::io::ErrorKind::ConnectionReset));
    assert_eq!(hub.requests().last().unwrap().status, 0);

    hub.fault(Fault::new(Origin::Api, FaultKind::DropAfter(100)));
    let r = get(&api, FILE, &auth());
    assert_eq!(
        (r.status, r.content_length(), r.body.len()),
        (200, Some(1000), 100)
    );
    assert_eq!(r.body, data[..100]);
    assert_eq!(hub.requests().last().unwrap().body_bytes_sent, 100);

    hub.fault(Fault::new(Origin::Api, FaultKind::WrongLength(-10)));
    let r = get(&api, FILE, &auth());
    assert_eq!((r.content_length(), r.body.len()), (Some(990), 990));
    hub.fault(Fault::new(Origin::Api, FaultKind::WrongLength(5)));
    let r = get(&api, FILE, &auth());
    assert_eq!((r.content_length(), r.body.len()), (Some(1005), 1005));
    assert_eq!(r.body[..1000], data[..]);

    hub.fault(Fault::new(Origin::Api, FaultKind::Corrupt { offset: 7 }));
    let r = get(&api, FILE, &auth());
    assert_eq!(r.body[7], data[7] ^ 0xff);
    assert_eq!(r.body[8..], data[8..]);
    // corruption applies to the ranged body
    hub.fault(Fault::new(Origin::Api, FaultKind::Corrupt { offset: 0 }));
    let r = get(&api, FILE, &[auth()[0], ("Range", "bytes=500-509")]);
    assert_eq!(r.status, 206);
    assert_eq!(r.body[0], data[500] ^ 0xff);

    hub.fault(Fault::new(Origin::Api, FaultKind::IgnoreRange));
    let r = get(&api, FILE, &[auth()[0], ("Range", "bytes=500-509")]);
    assert_eq!((r.status, r.body.len()), (200, 1000));
    assert!(r.header("content-range").is_none());

    hub.fault(Fault::new(Origin::Api, FaultKind::RedirectLoop).path_contains("f.txt"));
    let r = get(&api, &format!("{FILE}?x=1"), &auth());
    assert_eq!(
        (r.status, r.header("location")),
        (302, Some(format!("{FILE}?x=1").as_str()))
    );

    hub.fault(Fault::new(
        Origin::Api,
        FaultKind::Stall {
            after: 10,
            duration: Duration::from_millis(300),
        },
    ));
    let t = Instant::now();
    let r = get(&api, FILE, &auth());
    assert!(t.elapsed() >= Duration::from_millis(290));
    assert_eq!(r.body, data);

    hub.fault(Fault::new(
        Origin::Api,
        FaultKind::Latency(Duration::from_millis(200)),
    ));
    let t = Instant::now();
    assert_eq!(get(&api, FILE, &auth()).status, 200);
    assert!(t.elapsed() >= Duration::from_millis(190));
}

#[test]
fn faults_on_the_cdn() {
    let (hub, data) = hub_with(Options::default());
    let head = send(
        &hub.api_url(),
        "HEAD",
        "/datasets/o/r/resolve/main/l.bin",
        &auth(),
        b"",
    );
    let loc = head.header("location").unwrap().to_string();
    hub.fault(Fault::new(Origin::Cdn, FaultKind::DropAfter(10)));
    assert_eq!(get_url(&loc, &[]).body.len(), 10);
    hub.fault(Fault::new(Origin::Cdn, FaultKind::ExpiredUrl));
    assert_eq!(get_url(&loc, &[]).status, 403);
    hub.fault(Fault::new(Origin::Cdn, status(503)));
    let r = get_url(&loc, &[]);
    assert_eq!(r.status, 503);
    assert_eq!(get_url(&loc, &[]).body, data);
}

#[test]
fn keep_alive_and_close_after_broken_framing() {
    let (hub, _) = hub_with(Options::default());
    let hp = hub.api_url().trim_start_matches("http://").to_string();
    let mut s = TcpStream::connect(&hp).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let one =
        format!("GET /api/datasets/o/r HTTP/1.1\r\nHost: {hp}\r\nAuthorization: Bearer t\r\n\r\n");
    s.write_all(format!("{one}{one}").as_bytes()).unwrap();
    let mut got = Vec::new();
    let mut buf = [0u8; 8192];
    while got.windows(12).filter(|w| w == b"HTTP/1.1 200").count() < 2 || !got.ends_with(b"}") {
        let n = s.read(&mut buf).unwrap();
        assert!(n > 0, "closed early");
        got.extend_from_slice(&buf[..n]);
    }
    // Malformed request → 400 and close.
    s.write_all(b"BROKEN\r\n\r\n").unwrap();
    let mut rest = Vec::new();
    let _ = s.read_to_end(&mut rest);
    assert!(
        rest.starts_with(b"HTTP/1.1 400"),
        "{}",
        String::from_utf8_lossy(&rest)
    );

    // After a WrongLength fault the server closes the connection.
    hub.fault(Fault::new(Origin::Api, FaultKind::WrongLength(3)));
    let mut s = TcpStream::connect(&hp).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    s.write_all(one.as_bytes()).unwrap();
    let mut all = Vec::new();
    s.read_to_end(&mut all).unwrap();
    assert!(String::from_utf8_lossy(&all).contains("Connection: close"));
}

#[test]
fn random_faults_are_seeded() {
    let run = || {
        let (hub, _) = hub_with(Options::default());
        hub.random_faults(
            7,
            0.5,
            vec![status(503), FaultKind::DropAfter(5)],
            Origin::Api,
        );
        let out: Vec<(u16, usize)> = (0..30)
            .map(|_| {
                let r = get(&hub.api_url(), FILE, &auth());
                (r.status, r.body.len())
            })
            .collect();
        out
    };
    let a = run();
    assert_eq!(a, run());
    assert!(a.iter().any(|x| x.0 == 503));
    assert!(a.contains(&(200, 1000)));
    assert!(a.contains(&(200, 5)));
}

#[test]
fn cdn_rate_is_capped() {
    let (hub, _) = hub_with(Options {
        cdn_rate: Some(400_000),
        ..Options::default()
    });
    let big = vec![3u8; 200_000];
    hub.add_hf_repo(HfRepo::new("o/big").lfs_file("b.bin", big.clone()));
    let head = send(
        &hub.api_url(),
        "HEAD",
        "/datasets/o/big/resolve/main/b.bin",
        &[],
        b"",
    );
    let loc = head.header("location").unwrap().to_string();
    let t = Instant::now();
    let r = get_url(&loc, &[]);
    let el = t.elapsed().as_secs_f64();
    assert_eq!(r.body, big);
    // 200 kB at 400 kB/s ≈ 0.5 s
    assert!((0.4..1.5).contains(&el), "{el}");
}

#[test]
fn api_latency_option() {
    let (hub, _) = hub_with(Options {
        api_latency: Duration::from_millis(150),
        ..Options::default()
    });
    let t = Instant::now();
    assert_eq!(get(&hub.api_url(), "/api/datasets", &[]).status, 200);
    assert!(t.elapsed() >= Duration::from_millis(140));
}
