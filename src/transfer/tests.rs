//! The transfer, called directly against the fake hub in-process: a single stream, parallel
//! chunks under dropped connections, corruption, and a resume across two calls.

use std::sync::Arc;
use std::time::Duration;

use fakehub::{FakeHub, Fault, FaultKind, HfRepo, Origin};
use tokio::sync::Semaphore;

use super::*;
use crate::http::{ErrorMap, HttpConfig, HttpFailure, Request, RetryPolicy};
use crate::progress::NoReporter;

/// Deterministic incompressible bytes.
fn data(len: usize) -> Vec<u8> {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

fn sha256(b: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(b))
}

struct Errors;
impl ErrorMap for Errors {
    fn map(&self, f: &HttpFailure) -> Error {
        f.generic_error(crate::error::Hub::HuggingFace)
    }
}

/// A hub with one 3 MB LFS file, and what a transfer of it needs.
struct Setup {
    hub: FakeHub,
    bytes: Vec<u8>,
    url: reqwest::Url,
    dir: tempfile::TempDir,
}

fn setup() -> Setup {
    let hub = FakeHub::start();
    let bytes = data(3_000_000);
    let commit = hub.add_hf_repo(HfRepo::new("acme/x").lfs_file("big.bin", bytes.clone()));
    let url = reqwest::Url::parse(&format!(
        "{}/datasets/acme/x/resolve/{commit}/big.bin",
        hub.api_url()
    ))
    .unwrap();
    Setup {
        hub,
        bytes,
        url,
        dir: tempfile::tempdir().unwrap(),
    }
}

fn http(retries: u32) -> Http {
    Http::new(&HttpConfig {
        read_timeout: Duration::from_secs(5),
        retry: RetryPolicy {
            retries,
            base_delay: Duration::ZERO,
            max_wait: Duration::ZERO,
            ..RetryPolicy::default()
        },
        ..HttpConfig::default()
    })
    .unwrap()
}

fn spec<'a>(s: &'a Setup, errors: &'a Errors) -> FileSpec<'a> {
    FileSpec {
        rel_path: "big.bin",
        root: s.dir.path(),
        part: s.dir.path().join(".dsfetch/tmp/big.part"),
        dest: Some(s.dir.path().join("big.bin")),
        size: Some(s.bytes.len() as u64),
        expected: Some(Expected::Sha256(sha256(&s.bytes))),
        md5_from_server: false,
        request: Request::get(s.url.clone(), "big.bin"),
        lock: None,
        errors,
        on_parallel: None,
        tail_first: false,
        xet: None,
    }
}

fn fetcher(http: &Http, connections: usize) -> Fetcher<'_> {
    Fetcher {
        http,
        reporter: &NoReporter,
        dataset: "hf:acme/x@main",
        connections: None,
        parallel: ParallelConfig {
            max_connections: connections,
            chunk_size: Some(256 << 10),
        },
        large_files: Arc::new(Semaphore::new(MAX_PARALLEL_FILES)),
        xet: Default::default(),
    }
}

fn cdn_bytes(hub: &FakeHub) -> u64 {
    hub.requests()
        .iter()
        .filter(|r| r.origin == Origin::Cdn)
        .map(|r| r.body_bytes_sent)
        .sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_stream_verifies_and_moves_the_file_into_place() {
    let s = setup();
    let http = http(2);
    let got = fetcher(&http, 1).fetch(&spec(&s, &Errors)).await.unwrap();
    assert_eq!(got.size, s.bytes.len() as u64);
    assert_eq!(got.sha256, sha256(&s.bytes));
    assert_eq!(got.transferred, s.bytes.len() as u64);
    assert_eq!(
        std::fs::read(s.dir.path().join("big.bin")).unwrap(),
        s.bytes
    );
    assert!(!s.dir.path().join(".dsfetch/tmp/big.part").exists());
    let cdn: Vec<_> = s
        .hub
        .requests()
        .into_iter()
        .filter(|r| r.origin == Origin::Cdn)
        .collect();
    assert_eq!(cdn.len(), 1, "one stream, one request");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chunks_survive_dropped_connections_and_fetch_only_what_is_missing() {
    let s = setup();
    s.hub
        .fault(Fault::new(Origin::Cdn, FaultKind::DropAfter(100_000)).times(4));
    let http = http(3);
    let got = fetcher(&http, 4).fetch(&spec(&s, &Errors)).await.unwrap();
    assert_eq!(got.sha256, sha256(&s.bytes));
    assert_eq!(
        std::fs::read(s.dir.path().join("big.bin")).unwrap(),
        s.bytes
    );
    let ranged = s
        .hub
        .requests()
        .iter()
        .filter(|r| r.origin == Origin::Cdn && r.range.is_some())
        .count();
    assert!(
        ranged >= 12,
        "3 MB in 256 KiB chunks: {ranged} ranged requests"
    );
    // A broken chunk resumes at its first missing byte: the bytes sent exceed the file by less
    // than the four broken chunks' starts.
    let sent = cdn_bytes(&s.hub);
    assert!(
        sent >= s.bytes.len() as u64 && sent <= s.bytes.len() as u64 + 4 * 100_000,
        "{sent}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn corrupted_bytes_are_fetched_once_more_then_refused() {
    let s = setup();
    s.hub
        .fault(Fault::new(Origin::Cdn, FaultKind::Corrupt { offset: 10 }).times(usize::MAX));
    let http = http(2);
    let e = fetcher(&http, 1)
        .fetch(&spec(&s, &Errors))
        .await
        .unwrap_err();
    assert_eq!(e.kind().exit_code(), 6, "{e}");
    assert!(
        !s.dir.path().join("big.bin").exists(),
        "nothing at the final path"
    );
    assert!(
        !s.dir.path().join(".dsfetch/tmp/big.part").exists(),
        "nothing to resume"
    );
    let full: Vec<_> = s
        .hub
        .requests()
        .into_iter()
        .filter(|r| r.origin == Origin::Cdn && r.range.is_none())
        .collect();
    assert_eq!(full.len(), 2, "the first try and one from scratch");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_transfer_keeps_its_bytes_and_the_next_one_resumes() {
    let s = setup();
    s.hub
        .fault(Fault::new(Origin::Cdn, FaultKind::DropAfter(1_000_000)).times(1));
    let no_retries = http(0);
    let e = fetcher(&no_retries, 1)
        .fetch(&spec(&s, &Errors))
        .await
        .unwrap_err();
    assert_eq!(e.kind().exit_code(), 5, "{e}");
    assert!(!s.dir.path().join("big.bin").exists());
    s.hub.clear_requests();
    let http = http(2);
    let got = fetcher(&http, 1).fetch(&spec(&s, &Errors)).await.unwrap();
    assert_eq!(got.transferred, s.bytes.len() as u64 - 1_000_000);
    assert_eq!(
        std::fs::read(s.dir.path().join("big.bin")).unwrap(),
        s.bytes
    );
    let first = &s
        .hub
        .requests()
        .into_iter()
        .find(|r| r.origin == Origin::Cdn)
        .unwrap();
    assert_eq!(first.range.as_deref(), Some("bytes=1000000-"));
}
