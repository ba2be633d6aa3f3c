use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::range::{RangeAsk, if_range_matches, parse_range};
use super::request::{ReadOutcome, read_request};
use super::response::Response;
use super::send::{SendPlan, write_response};

#[test]
fn ranges() {
    use RangeAsk::*;
    assert_eq!(parse_range(None, 10), Full);
    assert_eq!(parse_range(Some("bytes=0-0"), 10), Part(0, 0));
    assert_eq!(parse_range(Some("bytes=2-5"), 10), Part(2, 5));
    assert_eq!(parse_range(Some("bytes=2-"), 10), Part(2, 9));
    assert_eq!(parse_range(Some("bytes=5-100"), 10), Part(5, 9));
    assert_eq!(parse_range(Some("bytes=0-10"), 10), Part(0, 9));
    assert_eq!(parse_range(Some("bytes=-3"), 10), Part(7, 9));
    assert_eq!(parse_range(Some("bytes=-30"), 10), Part(0, 9));
    assert_eq!(parse_range(Some("bytes=10-"), 10), Unsatisfiable);
    assert_eq!(parse_range(Some("bytes=-0"), 10), Unsatisfiable);
    assert_eq!(parse_range(Some("bytes=0-"), 0), Unsatisfiable);
    assert_eq!(parse_range(Some("bytes=5-2"), 10), Full);
    assert_eq!(parse_range(Some("bytes=0-1,3-4"), 10), Full);
    assert_eq!(parse_range(Some("items=0-1"), 10), Full);
    assert_eq!(parse_range(Some("bytes=x-1"), 10), Full);
}

#[test]
fn if_range() {
    let lm = "Thu, 01 Jan 1970 00:00:00 GMT";
    assert!(if_range_matches("\"abc\"", Some("\"abc\""), None));
    assert!(!if_range_matches("\"abd\"", Some("\"abc\""), None));
    assert!(!if_range_matches("W/\"abc\"", Some("\"abc\""), None));
    assert!(if_range_matches(lm, None, Some(lm)));
    assert!(!if_range_matches(
        "Fri, 02 Jan 1970 00:00:00 GMT",
        None,
        Some(lm)
    ));
}

#[tokio::test]
async fn parses_pipelined_requests() {
    let raw = b"GET /a?x=1 HTTP/1.1\r\nHost: h\r\nX-A: 1\r\n\r\nPOST /b HTTP/1.1\r\nContent-Length: 3\r\n\r\nabcGET";
    let mut r = tokio::io::join(&raw[..], tokio::io::sink());
    let mut buf = Vec::new();
    let ReadOutcome::Request(a) = read_request(&mut r, &mut buf).await.unwrap() else {
        panic!()
    };
    assert_eq!(a.path(), "/a");
    assert_eq!(a.query(), "x=1");
    assert_eq!(a.header("x-a"), Some("1"));
    let ReadOutcome::Request(b) = read_request(&mut r, &mut buf).await.unwrap() else {
        panic!()
    };
    assert_eq!(b.body, b"abc");
    assert!(matches!(
        read_request(&mut r, &mut buf).await.unwrap(),
        ReadOutcome::Bad(400, _)
    ));
    let mut r = tokio::io::join(&b"garbage\r\n\r\n"[..], tokio::io::sink());
    assert!(matches!(
        read_request(&mut r, &mut Vec::new()).await.unwrap(),
        ReadOutcome::Bad(400, _)
    ));
    let mut r = tokio::io::join(&b""[..], tokio::io::sink());
    assert!(matches!(
        read_request(&mut r, &mut Vec::new()).await.unwrap(),
        ReadOutcome::Closed
    ));
    let raw = b"GET http://example.com/x?y HTTP/1.1\r\n\r\n";
    let mut r = tokio::io::join(&raw[..], tokio::io::sink());
    let ReadOutcome::Request(a) = read_request(&mut r, &mut Vec::new()).await.unwrap() else {
        panic!()
    };
    assert_eq!(a.target, "/x?y");
}

#[tokio::test]
async fn expect_continue_is_answered() {
    let (mut client, mut server) = tokio::io::duplex(4096);
    let task = tokio::spawn(async move {
        let mut buf = Vec::new();
        read_request(&mut server, &mut buf).await.map(|o| match o {
            ReadOutcome::Request(r) => r.body,
            _ => vec![],
        })
    });
    client
        .write_all(b"POST /p HTTP/1.1\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n")
        .await
        .unwrap();
    let mut got = [0u8; 25];
    client.read_exact(&mut got).await.unwrap();
    assert_eq!(&got, b"HTTP/1.1 100 Continue\r\n\r\n");
    client.write_all(b"abc").await.unwrap();
    assert_eq!(task.await.unwrap().unwrap(), b"abc");
}

#[tokio::test]
async fn send_plan_variants() {
    let resp = Response::new(200).bytes("text/plain", b"0123456789".to_vec());
    let body_of = |out: &[u8]| {
        let i = out.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
        (
            String::from_utf8_lossy(&out[..i]).into_owned(),
            out[i + 4..].to_vec(),
        )
    };
    let mut out = Vec::new();
    let plan = SendPlan {
        corrupt: Some(3),
        ..Default::default()
    };
    let (n, r) = write_response(&mut out, &resp, false, true, &plan).await;
    r.unwrap();
    assert_eq!(n, 10);
    assert_eq!(body_of(&out).1, b"012\xcc456789");

    let mut out = Vec::new();
    let plan = SendPlan {
        length_delta: 3,
        ..Default::default()
    };
    write_response(&mut out, &resp, false, false, &plan)
        .await
        .1
        .unwrap();
    let (h, b) = body_of(&out);
    assert!(h.contains("Content-Length: 13"));
    assert_eq!(b, b"0123456789###");

    let mut out = Vec::new();
    let plan = SendPlan {
        length_delta: -4,
        ..Default::default()
    };
    write_response(&mut out, &resp, false, false, &plan)
        .await
        .1
        .unwrap();
    let (h, b) = body_of(&out);
    assert!(h.contains("Content-Length: 6"));
    assert_eq!(b, b"012345");

    let mut out = Vec::new();
    let plan = SendPlan {
        drop_after: Some(4),
        ..Default::default()
    };
    let (n, _) = write_response(&mut out, &resp, false, false, &plan).await;
    let (h, b) = body_of(&out);
    assert!(h.contains("Content-Length: 10"));
    assert_eq!((n, b.as_slice()), (4, &b"0123"[..]));

    let mut out = Vec::new();
    let (n, _) = write_response(&mut out, &resp, true, true, &SendPlan::default()).await;
    let (h, b) = body_of(&out);
    assert!(h.contains("Content-Length: 10"));
    assert_eq!((n, b.len()), (0, 0));
}
