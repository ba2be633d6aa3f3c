//! Parallel ranged chunks for large files (small chunks via `DSFETCH_CHUNK_SIZE`, so the files
//! stay small): chunk retries, resume across runs, expired URLs, servers without Range.

use std::time::Duration;

use crate::support::*;

const CHUNK: u64 = 64 * 1024;
const SIZE: usize = 1_000_000;
/// Where [`fetch_big`] puts the large file.
const BIG: &str = "out/data/big.bin";
/// Downloads `alice/big` of [`big_kaggle`] into `k` over four connections.
const FETCH_KAGGLE: &str = "download kaggle alice/big -o k --connections 4";

/// An env whose large-file threshold is one 64 KiB chunk.
fn chunked(env: TestEnv) -> TestEnv {
    env.with_env("DSFETCH_CHUNK_SIZE", &CHUNK.to_string())
}

/// A chunked env with a 1 MB LFS file in `acme/big`.
fn big_repo() -> TestEnv {
    let env = chunked(TestEnv::new());
    env.hub.add_hf_repo(
        HfRepo::new("acme/big")
            .file("README.md", "# big\n")
            .lfs_file("data/big.bin", bytes(7, SIZE)),
    );
    env
}

/// Downloads the large file of [`big_repo`] to [`BIG`] over `connections` connections.
fn fetch_big(env: &TestEnv, connections: u32) -> Run {
    env.run_line(format!(
        "download hf acme/big -o out --include *.bin --connections {connections}"
    ))
}

/// A chunked env with a Kaggle dataset `alice/big` whose archive spans several chunks.
fn big_kaggle() -> TestEnv {
    let env = chunked(TestEnv::new());
    env.hub.add_kaggle_dataset(
        KaggleDataset::new("alice/big")
            .file("a.bin", bytes(11, 300_000))
            .file("b.bin", bytes(12, 200_000)),
    );
    env
}

/// Asserts both files of [`big_kaggle`] are complete in `k`.
#[track_caller]
fn assert_big_kaggle(env: &TestEnv) {
    assert_file(env.path("k/a.bin"), bytes(11, 300_000));
    assert_file(env.path("k/b.bin"), bytes(12, 200_000));
}

fn chunk_len(i: u64) -> u64 {
    CHUNK.min(SIZE as u64 - i * CHUNK)
}

fn ranges(reqs: &[Recorded]) -> Vec<(u64, u64)> {
    reqs.iter()
        .filter_map(|r| {
            let (a, b) = r
                .range
                .as_deref()?
                .strip_prefix("bytes=")?
                .split_once('-')?;
            Some((a.parse().ok()?, b.parse().ok()?))
        })
        .collect()
}

fn resolves(env: &TestEnv) -> usize {
    env.requests_matching(Origin::Api, "/resolve/").len()
}

#[test]
fn a_large_file_arrives_in_parallel_ranged_chunks() {
    let env = big_repo();
    fetch_big(&env, 4).expect_code(0);
    assert_file(env.path(BIG), bytes(7, SIZE));
    let cdn = env.cdn_requests();
    let chunks = SIZE.div_ceil(CHUNK as usize);
    assert_eq!(cdn.len(), chunks, "one ranged request per chunk");
    let mut got = ranges(&cdn);
    got.sort();
    let want: Vec<(u64, u64)> = (0..chunks as u64)
        .map(|i| (i * CHUNK, i * CHUNK + chunk_len(i) - 1))
        .collect();
    assert_eq!(got, want);
    assert!(cdn.iter().all(|r| r.status == 206));
    assert!(cdn.iter().all(|r| r.header("authorization").is_none()));
    assert_eq!(bytes_sent(&cdn), SIZE as u64);
    assert_eq!(resolves(&env), 1, "the signed URL is resolved once");
    assert!(
        !env.path("out/.dsfetch/tmp").exists()
            || std::fs::read_dir(env.path("out/.dsfetch/tmp"))
                .unwrap()
                .next()
                .is_none(),
        "no partial state is left behind"
    );
}

#[test]
fn one_connection_means_one_stream() {
    let env = big_repo();
    fetch_big(&env, 1).expect_code(0);
    let cdn = env.cdn_requests();
    assert_eq!(cdn.len(), 1);
    assert_eq!(cdn[0].range, None);
    assert_eq!(cdn[0].status, 200);
}

#[test]
fn a_chunk_that_fails_midway_is_retried_alone() {
    let env = big_repo();
    // The fourth CDN request breaks after 10 000 bytes.
    env.hub
        .fault(Fault::new(Origin::Cdn, FaultKind::DropAfter(10_000)).skip(3));
    fetch_big(&env, 4).expect_code(0);
    assert_file(env.path(BIG), bytes(7, SIZE));
    let cdn = env.cdn_requests();
    let broken = cdn
        .iter()
        .find(|r| r.body_bytes_sent == 10_000 && r.status == 206)
        .expect("the broken request");
    let (a, b) = ranges(std::slice::from_ref(broken))[0];
    let retry = ranges(&cdn)
        .into_iter()
        .filter(|&(x, _)| x == a + 10_000)
        .collect::<Vec<_>>();
    assert_eq!(
        retry,
        vec![(a + 10_000, b)],
        "the chunk resumes where it broke"
    );
    assert_eq!(
        bytes_sent(&cdn),
        SIZE as u64,
        "nothing else is fetched twice"
    );
}

#[test]
fn a_second_run_fetches_only_the_missing_chunks() {
    let env = big_repo().with_env("DSFETCH_RETRIES", "0");
    // Run 1: five chunk requests succeed, then the CDN stops answering.
    env.hub
        .fault(always(Origin::Cdn, FaultKind::ResetBeforeHeaders).skip(5));
    fetch_big(&env, 2).expect_code(5);
    assert_no_file(env.path(BIG));
    let tmp = env.path("out/.dsfetch/tmp");
    let side = std::fs::read_dir(&tmp)
        .unwrap()
        .flatten()
        .find(|e| e.path().to_string_lossy().ends_with(".part.json"))
        .expect("sidecar kept");
    let v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(side.path()).unwrap()).unwrap();
    assert_eq!(v["chunks"]["chunk_size"], CHUNK);
    let done: Vec<u64> = v["chunks"]["done"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_u64().unwrap())
        .collect();
    assert!(!done.is_empty(), "completed chunks are recorded: {v}");
    // Chunks begun when the run gave up are recorded with what they hold.
    let partial: u64 = v["chunks"]["partial"]
        .as_object()
        .map(|m| m.values().map(|w| w.as_u64().unwrap()).sum())
        .unwrap_or(0);
    let done_bytes: u64 = done.iter().map(|&i| chunk_len(i)).sum::<u64>() + partial;

    // Run 2: only the chunks not recorded as done travel.
    env.clear_hub();
    fetch_big(&env, 2).expect_code(0);
    assert_file(env.path(BIG), bytes(7, SIZE));
    let cdn = env.cdn_requests();
    assert_eq!(bytes_sent(&cdn), SIZE as u64 - done_bytes);
    for (a, _) in ranges(&cdn) {
        assert!(
            !done.contains(&(a / CHUNK)),
            "chunk {} fetched again",
            a / CHUNK
        );
    }
}

#[test]
fn an_expired_signed_url_is_requested_again() {
    let env = big_repo();
    env.hub
        .fault(Fault::new(Origin::Cdn, FaultKind::ExpiredUrl).skip(3));
    fetch_big(&env, 4).expect_code(0);
    assert_file(env.path(BIG), bytes(7, SIZE));
    let cdn = env.cdn_requests();
    assert_eq!(cdn.iter().filter(|r| r.status == 403).count(), 1);
    assert_eq!(resolves(&env), 2, "one fresh URL was requested");
}

#[test]
fn urls_that_expire_for_good_mid_download_are_renewed() {
    // A slow CDN (1 MB/s per connection), so the URLs can expire while chunks remain.
    let env = chunked(TestEnv::with_options(Options {
        cdn_rate: Some(1_000_000),
        ..Options::default()
    }));
    env.hub
        .add_hf_repo(HfRepo::new("acme/big").lfs_file("data/big.bin", bytes(7, SIZE)));
    let child = env.spawn_line("download hf acme/big -o out --connections 2");
    wait_for("the transfer to start", Duration::from_secs(10), || {
        env.cdn_requests().len() >= 3
    });
    env.hub.expire_signed_urls();
    Run::wait(child).expect_code(0);
    assert_file(env.path(BIG), bytes(7, SIZE));
    assert!(
        env.cdn_requests().iter().any(|r| r.status == 403),
        "the old URL was refused"
    );
    assert!(resolves(&env) >= 2, "a fresh URL was requested");
}

#[test]
fn a_server_that_ignores_range_gets_one_stream() {
    let env = big_repo();
    env.hub.fault(always(Origin::Cdn, FaultKind::IgnoreRange));
    fetch_big(&env, 4).expect_code(0);
    assert_file(env.path(BIG), bytes(7, SIZE));
    let cdn = env.cdn_requests();
    assert_eq!(cdn.len(), 1, "the 200 answer is used as the single stream");
    assert_eq!(cdn[0].status, 200);
    assert_eq!(bytes_sent(&cdn), SIZE as u64);
}

#[test]
fn a_range_ignored_midway_restarts_as_one_stream() {
    let env = big_repo();
    env.hub
        .fault(Fault::new(Origin::Cdn, FaultKind::IgnoreRange).skip(4));
    fetch_big(&env, 2).expect_code(0);
    assert_file(env.path(BIG), bytes(7, SIZE));
    let cdn = env.cdn_requests();
    assert!(cdn.iter().any(|r| r.status == 200));
}

#[test]
fn a_corrupted_chunk_is_retried_from_scratch_then_exits_6() {
    let env = big_repo();
    env.hub
        .fault(Fault::new(Origin::Cdn, FaultKind::Corrupt { offset: 100 }));
    fetch_big(&env, 4)
        .expect_code(0)
        .assert_stderr_contains(&["checksum mismatch"]);
    assert_file(env.path(BIG), bytes(7, SIZE));

    let env = big_repo();
    env.hub
        .fault(always(Origin::Cdn, FaultKind::Corrupt { offset: 100 }));
    fetch_big(&env, 4)
        .expect_code(6)
        .assert_stderr_contains(&["integrity check failed for data/big.bin"]);
    assert_no_file(env.path(BIG));
    assert_eq!(
        bytes_sent(&env.cdn_requests()),
        2 * SIZE as u64,
        "downloaded twice, then given up"
    );
}

#[test]
fn a_kaggle_archive_larger_than_a_chunk_is_fetched_in_parallel() {
    let env = big_kaggle();
    let archive_len = env.hub.kaggle_archive("alice/big", 1).unwrap().len() as u64;
    assert!(archive_len > 4 * CHUNK);
    env.run_ok(FETCH_KAGGLE);
    assert_big_kaggle(&env);
    let storage = env.storage_requests();
    assert!(storage.len() > 4, "{} storage requests", storage.len());
    assert_eq!(storage[0].range.as_deref(), Some("bytes=0-65535"));
    let last = (archive_len - 1) / CHUNK * CHUNK;
    // Asked for right after the first chunk (a new connection may let another chunk's request,
    // on a warm one, arrive first).
    let tail = Some(format!("bytes={last}-{}", archive_len - 1));
    assert!(
        storage[1..4].iter().any(|r| r.range == tail),
        "the zip directory (at the end) comes early, so extraction can start"
    );
    assert!(storage.iter().all(|r| r.status == 206));
    assert!(
        storage[1..].iter().all(|r| r.header("if-range").is_some()),
        "chunks are tied to the object with If-Range"
    );
    assert_eq!(bytes_sent(&storage), archive_len);
}

#[cfg(unix)]
#[test]
fn ctrl_c_keeps_completed_chunks_for_the_next_run() {
    let env = big_repo();
    // Chunk requests after the fourth stall, so the run is mid-way when interrupted.
    env.hub
        .fault(always(Origin::Cdn, stall(1000, Duration::from_secs(30))).skip(4));
    let child = env
        .std_cmd()
        .args("download hf acme/big -o out --include *.bin --connections 2 -q".split_whitespace())
        .env("DSFETCH_TIMEOUT", "60")
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    wait_for("the transfer to get going", Duration::from_secs(10), || {
        env.cdn_requests().len() >= 6
    });
    std::thread::sleep(Duration::from_millis(200));
    signal(&child, libc::SIGINT);
    Run::wait(child).expect_code(130);
    env.clear_hub();
    fetch_big(&env, 2).expect_code(0);
    assert_file(env.path(BIG), bytes(7, SIZE));
    let cdn = env.cdn_requests();
    let sent = bytes_sent(&cdn);
    assert!(
        sent <= SIZE as u64 - 4 * CHUNK,
        "the four completed chunks were kept ({sent} bytes sent)"
    );
    assert!(
        ranges(&cdn).iter().any(|(a, _)| a % CHUNK == 1000),
        "a chunk interrupted after 1000 bytes resumes there: {:?}",
        ranges(&cdn)
    );
}

/// Streaming extraction runs on unverified bytes: whatever it wrote must never reach the folder
/// when the archive then fails its MD5, or is hostile.
#[test]
fn an_archive_extracted_while_arriving_is_kept_only_when_it_verifies() {
    let env = big_kaggle();
    env.hub
        .fault(always(Origin::Storage, FaultKind::Corrupt { offset: 5000 }));
    env.run_expect(6, FETCH_KAGGLE)
        .assert_stderr_contains(&["md5"]);
    assert_tree(env.path("k"), &[]);
    let tmp = env.path("k/.dsfetch/tmp");
    let left: Vec<_> = std::fs::read_dir(&tmp)
        .map(|d| d.flatten().map(|e| e.file_name()).collect())
        .unwrap_or_default();
    assert!(
        left.iter()
            .all(|n| !n.to_string_lossy().starts_with("extract")),
        "no staging folder is left: {left:?}"
    );

    // One corrupted transfer: the retry verifies, and its extraction is the one kept.
    env.hub.clear_faults();
    env.hub.fault(Fault::new(
        Origin::Storage,
        FaultKind::Corrupt { offset: 5000 },
    ));
    env.run_ok(FETCH_KAGGLE);
    assert_big_kaggle(&env);
    assert_tree(env.path("k"), &["a.bin", "b.bin"]);

    // A hostile archive large enough for parallel chunks is refused with nothing written.
    let env = chunked(TestEnv::new());
    let big = bytes(13, 400_000);
    env.hub.add_kaggle_dataset(
        KaggleDataset::new("evil/set")
            .file("ok.txt", "fine\n")
            .raw_archive(zip_bytes(&[
                ("big.bin", &big),
                ("../../escaped.txt", b"pwned\n"),
            ])),
    );
    env.run_expect(1, "download kaggle evil/set -o a/b")
        .assert_stderr_contains(&["refused unsafe zip entry"]);
    assert_tree(env.path("a/b"), &[]);
    assert_no_file(env.path("escaped.txt"));
    assert_no_file(env.path("a/escaped.txt"));
}
