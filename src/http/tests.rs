//! Unit tests of the header parsers, the retry waits and the URL helpers.

use std::time::{Duration, SystemTime};

use reqwest::Url;

use super::*;

#[test]
fn retry_after_forms() {
    let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    assert_eq!(parse_retry_after("7", now), Some(Duration::from_secs(7)));
    assert_eq!(parse_retry_after(" 0 ", now), Some(Duration::ZERO));
    let later = httpdate::fmt_http_date(now + Duration::from_secs(30));
    assert_eq!(
        parse_retry_after(&later, now),
        Some(Duration::from_secs(30))
    );
    let earlier = httpdate::fmt_http_date(now - Duration::from_secs(30));
    assert_eq!(parse_retry_after(&earlier, now), Some(Duration::ZERO));
    assert_eq!(parse_retry_after("soon", now), None);
    assert_eq!(parse_retry_after("-3", now), None);
}

#[test]
fn ratelimit_header() {
    assert_eq!(
        parse_ratelimit("\"api\";r=0;t=12"),
        Some(Duration::from_secs(12))
    );
    assert_eq!(parse_ratelimit("\"api\";r=5;t=12"), None);
    assert_eq!(parse_ratelimit("garbage"), None);
}

#[test]
fn waits_honour_server_and_caps() {
    let p = RetryPolicy {
        retries: 5,
        base_delay: Duration::from_secs(1),
        max_delay: Duration::from_secs(8),
        max_wait: Duration::from_secs(60),
    };
    assert_eq!(
        p.wait(1, Some(Duration::from_secs(3)), 0.5),
        Duration::from_secs(3)
    );
    assert_eq!(
        p.wait(1, Some(Duration::from_secs(600)), 0.5),
        Duration::from_secs(60)
    );
    assert_eq!(p.wait(1, None, 0.0), Duration::from_millis(500));
    assert_eq!(p.wait(3, None, 1.0), Duration::from_secs(4));
    assert_eq!(p.wait(10, None, 1.0), Duration::from_secs(8));
    assert!(p.wait(2, None, 0.3) >= Duration::from_secs(1));
}

#[test]
fn link_next() {
    let base = Url::parse("https://huggingface.co/api/datasets?search=x").unwrap();
    let v = r#"<https://huggingface.co/api/datasets?search=x&cursor=abc%3D%3D>; rel="next""#;
    assert_eq!(
        parse_link_next(v, &base).unwrap().as_str(),
        "https://huggingface.co/api/datasets?search=x&cursor=abc%3D%3D"
    );
    let two =
        r#"<https://huggingface.co/a?p=1>; rel="prev", <https://huggingface.co/a?p=3>; rel="next""#;
    assert_eq!(parse_link_next(two, &base).unwrap().query(), Some("p=3"));
    assert!(parse_link_next(r#"<https://evil.example/x>; rel="next""#, &base).is_none());
    assert!(parse_link_next(r#"<https://huggingface.co/a>; rel="prev""#, &base).is_none());
    assert!(parse_link_next("", &base).is_none());
    assert!(parse_link_next("<<<>>>,,;", &base).is_none());
}

#[test]
fn urls_are_shown_without_query() {
    let u = Url::parse("https://user:pw@cdn.example/x/y?X-Goog-Signature=abc").unwrap();
    assert_eq!(display_url(&u), "https://cdn.example/x/y");
}

#[test]
fn quoting_matches_python() {
    assert_eq!(
        quote("refs/convert/parquet", false),
        "refs%2Fconvert%2Fparquet"
    );
    assert_eq!(quote("data/a b#?.csv", true), "data/a%20b%23%3F.csv");
    assert_eq!(quote("ünï", true), "%C3%BCn%C3%AF");
    assert_eq!(quote("a+b~c", true), "a%2Bb~c");
}

#[test]
fn endpoints() {
    let env = crate::env::Env::from_pairs([("HF_ENDPOINT", "http://127.0.0.1:9/")]);
    assert_eq!(
        endpoint(&env, "HF_ENDPOINT", "https://huggingface.co")
            .unwrap()
            .as_str(),
        "http://127.0.0.1:9/"
    );
    assert_eq!(
        endpoint_join(
            &endpoint(&env, "HF_ENDPOINT", "https://huggingface.co").unwrap(),
            "/api/datasets"
        )
        .unwrap()
        .as_str(),
        "http://127.0.0.1:9/api/datasets"
    );
    let mirror = crate::env::Env::from_pairs([("HF_ENDPOINT", "https://proxy.corp/hf/")]);
    assert_eq!(
        endpoint_join(
            &endpoint(&mirror, "HF_ENDPOINT", "https://huggingface.co").unwrap(),
            "/api/x"
        )
        .unwrap()
        .as_str(),
        "https://proxy.corp/hf/api/x"
    );
    assert!(
        endpoint(
            &crate::env::Env::from_pairs([("HF_ENDPOINT", "ftp://x")]),
            "HF_ENDPOINT",
            "x"
        )
        .is_err()
    );
}
