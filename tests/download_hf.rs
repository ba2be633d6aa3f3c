//! `dsfetch download hf` against the fake hub.

use std::time::Duration;

use crate::support::*;

const TOKEN: &str = "hf_testtoken_abcdefghijklmnop";

/// A repo with regular and LFS files, nested folders.
fn corpus(hub: &FakeHub) -> String {
    hub.add_hf_repo(
        HfRepo::new("acme/corpus")
            .file("README.md", "# corpus\n")
            .file("data/labels.csv", "id,label\n1,a\n2,b\n")
            .lfs_file("data/train-00000.parquet", bytes(1, 300_000))
            .lfs_file("data/test-00000.parquet", bytes(2, 100_000))
            .file("empty.txt", ""),
    )
}

#[test]
fn downloads_a_whole_repo_and_prints_the_folder() {
    let env = TestEnv::new();
    corpus(&env.hub);
    let r = env.run(&["download", "hf", "acme/corpus"]);
    r.expect_code(0);
    let folder = env.path("downloads/acme_corpus");
    assert_eq!(r.stdout().trim(), "downloads/acme_corpus");
    assert_eq!(
        files_under(&folder),
        vec![
            "README.md",
            "data/labels.csv",
            "data/test-00000.parquet",
            "data/train-00000.parquet",
            "empty.txt"
        ]
    );
    assert_eq!(
        std::fs::read(folder.join("data/train-00000.parquet")).unwrap(),
        bytes(1, 300_000)
    );
    assert_eq!(
        std::fs::read_to_string(folder.join("data/labels.csv")).unwrap(),
        "id,label\n1,a\n2,b\n"
    );
    assert!(
        r.stderr().contains("Downloaded 5 file(s)"),
        "{}",
        r.stderr()
    );
    // No partial files are left behind.
    assert!(!folder.join(".dsfetch/tmp").exists());
}

#[test]
fn json_output_has_the_download_object() {
    let env = TestEnv::new();
    let commit = corpus(&env.hub);
    let out = env.path("out");
    let r = env.run(&[
        "download",
        "hf",
        "acme/corpus",
        "-o",
        out.to_str().unwrap(),
        "--json",
    ]);
    r.expect_code(0);
    let v = r.json();
    assert_eq!(v["success"], true);
    assert_eq!(v["dataset_id"], "acme/corpus");
    assert_eq!(v["source"], "HuggingFace");
    assert_eq!(v["revision"], "main");
    assert_eq!(v["commit"], commit.as_str());
    assert_eq!(v["file_path"], out.to_str().unwrap());
    assert_eq!(v["skipped"], 0);
    assert!(v["message"].as_str().unwrap().contains("Downloaded"));
    let files = v["files"].as_array().unwrap();
    assert_eq!(files.len(), 5);
    let readme = files.iter().find(|f| f["path"] == "README.md").unwrap();
    assert_eq!(readme["size"], 9);
    assert_eq!(readme["sha256"], sha256_hex(b"# corpus\n").as_str());
    assert_eq!(v["bytes_downloaded"], 9 + 17 + 300_000 + 100_000);
    // Exactly one JSON document: nothing else on stdout.
    assert!(serde_json::from_str::<serde_json::Value>(&r.stdout()).is_ok());
}

fn sha256_hex(data: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(data))
}

#[test]
fn include_and_exclude_select_files() {
    let env = TestEnv::new();
    corpus(&env.hub);
    let r = env.run(&[
        "download",
        "hf",
        "acme/corpus",
        "-o",
        "sel",
        "--include",
        "data/",
        "--exclude",
        "*test*",
    ]);
    r.expect_code(0);
    assert_eq!(
        files_under(&env.path("sel")),
        vec!["data/labels.csv", "data/train-00000.parquet"]
    );
    // `*` crosses `/` like huggingface_hub's fnmatch.
    let r = env.run(&[
        "download",
        "hf",
        "acme/corpus",
        "-o",
        "pq",
        "--include",
        "*.parquet",
    ]);
    r.expect_code(0);
    assert_eq!(
        files_under(&env.path("pq")),
        vec!["data/test-00000.parquet", "data/train-00000.parquet"]
    );
    // Case-sensitive; a pattern that matches nothing is an error naming the patterns.
    let r = env.run(&[
        "download",
        "hf",
        "acme/corpus",
        "-o",
        "none",
        "--include",
        "*.PARQUET",
    ]);
    r.expect_code(4);
    assert!(
        r.stderr()
            .contains("matches the include/exclude patterns; list the files"),
        "{}",
        r.stderr()
    );
    assert!(r.stderr().contains("--include"), "{}", r.stderr());
    assert!(!env.path("none").join("data").exists());
}

#[test]
fn pinned_revisions_tags_and_parquet_refs() {
    let env = TestEnv::new();
    let first = corpus(&env.hub);
    let second = env.hub.hf_commit(
        "acme/corpus",
        "main",
        vec![HfFile::regular("README.md", "# v2\n")],
        &[],
    );
    let parquet = env.hub.hf_set_ref(
        "acme/corpus",
        "refs/convert/parquet",
        vec![HfFile::lfs("default/train/0000.parquet", bytes(9, 5000))],
    );
    // The moving branch gives the new commit.
    let r = env.run(&["download", "hf", "acme/corpus", "-o", "main", "--json"]);
    r.expect_code(0);
    assert_eq!(r.json()["commit"], second.as_str());
    assert_eq!(
        std::fs::read_to_string(env.path("main/README.md")).unwrap(),
        "# v2\n"
    );
    // A pinned commit gives the old content, and no revision lookup is needed.
    let r = env.run(&[
        "download",
        "hf",
        &format!("acme/corpus@{first}"),
        "-o",
        "old",
        "--json",
    ]);
    r.expect_code(0);
    assert_eq!(r.json()["commit"], first.as_str());
    assert_eq!(
        std::fs::read_to_string(env.path("old/README.md")).unwrap(),
        "# corpus\n"
    );
    // refs/convert/parquet via --revision: the revision is sent encoded as one segment.
    env.hub.clear_requests();
    let r = env.run(&[
        "download",
        "hf",
        "acme/corpus",
        "--revision",
        "refs/convert/parquet",
        "-o",
        "pq",
        "--json",
    ]);
    r.expect_code(0);
    assert_eq!(r.json()["commit"], parquet.as_str());
    assert_eq!(
        files_under(&env.path("pq")),
        vec!["default/train/0000.parquet"]
    );
    assert!(
        env.requests_on(Origin::Api)
            .iter()
            .any(|q| q.path().ends_with("/revision/refs%2Fconvert%2Fparquet")),
        "{:?}",
        env.requests_on(Origin::Api)
            .iter()
            .map(|q| q.target.clone())
            .collect::<Vec<_>>()
    );
    // A URL with /tree/REV works too.
    let url = format!("https://huggingface.co/datasets/acme/corpus/tree/{first}");
    env.run(&["download", "hf", &url, "-o", "viaurl"])
        .expect_code(0);
    assert_eq!(
        std::fs::read_to_string(env.path("viaurl/README.md")).unwrap(),
        "# corpus\n"
    );
    // A missing revision is "not found" (exit 4) with a hint.
    let r = env.run(&["download", "hf", "acme/corpus@nope", "-o", "x"]);
    r.expect_code(4);
    assert!(
        r.stderr().contains("revision \"nope\" not found"),
        "{}",
        r.stderr()
    );
}

#[test]
fn follows_tree_pagination_to_the_end() {
    let env = TestEnv::with_options(Options {
        hf_page_size: 3,
        ..Options::default()
    });
    let mut repo = HfRepo::new("acme/many");
    for i in 0..10 {
        repo = repo.file(&format!("part/{i:02}.txt"), format!("file {i}\n"));
    }
    env.hub.add_hf_repo(repo);
    env.run(&["download", "hf", "acme/many", "-o", "many"])
        .expect_code(0);
    assert_eq!(files_under(&env.path("many")).len(), 10);
    let tree_pages = env
        .requests_on(Origin::Api)
        .into_iter()
        .filter(|r| r.path().contains("/tree/"))
        .count();
    assert!(
        tree_pages >= 4,
        "expected the tree to be paginated, saw {tree_pages} page(s)"
    );
}

#[test]
fn resumes_a_dropped_connection_with_range() {
    let env = TestEnv::new();
    corpus(&env.hub);
    env.hub.fault(
        Fault::new(Origin::Cdn, FaultKind::DropAfter(120_000))
            .path_contains("")
            .times(1),
    );
    env.run(&[
        "download",
        "hf",
        "acme/corpus",
        "-o",
        "out",
        "--include",
        "*train*",
    ])
    .expect_code(0);
    assert_eq!(
        std::fs::read(env.path("out/data/train-00000.parquet")).unwrap(),
        bytes(1, 300_000)
    );
    let cdn = env.requests_on(Origin::Cdn);
    assert_eq!(cdn.len(), 2, "one dropped request, one resumed");
    assert_eq!(cdn[1].range.as_deref(), Some("bytes=120000-"));
    let sent = bytes_sent(&cdn);
    assert!(
        (300_000..=310_000).contains(&sent),
        "sent {sent} bytes for a 300000-byte file"
    );
}

#[test]
fn resumes_across_runs_after_a_failed_run() {
    let mut env = TestEnv::new();
    env.env("DSFETCH_RETRIES", "1");
    corpus(&env.hub);
    // Run 1: 100 kB arrive, then the CDN stops answering: exit 5, partial kept.
    env.hub
        .fault(Fault::new(Origin::Cdn, FaultKind::DropAfter(100_000)).times(1));
    env.hub
        .fault(Fault::new(Origin::Cdn, FaultKind::ResetBeforeHeaders).times(usize::MAX));
    let r = env.run(&[
        "download",
        "hf",
        "acme/corpus",
        "-o",
        "out",
        "--include",
        "*train*",
    ]);
    r.expect_code(5);
    assert!(r.stderr().contains("resumes"), "{}", r.stderr());
    assert!(!env.path("out/data/train-00000.parquet").exists());
    // Run 2: continues from byte 100000.
    env.hub.clear_faults();
    env.hub.clear_requests();
    env.run(&[
        "download",
        "hf",
        "acme/corpus",
        "-o",
        "out",
        "--include",
        "*train*",
    ])
    .expect_code(0);
    assert_eq!(
        std::fs::read(env.path("out/data/train-00000.parquet")).unwrap(),
        bytes(1, 300_000)
    );
    let cdn = env.requests_on(Origin::Cdn);
    assert_eq!(cdn.len(), 1);
    assert_eq!(cdn[0].range.as_deref(), Some("bytes=100000-"));
    assert_eq!(bytes_sent(&cdn), 200_000);
}

#[test]
fn a_second_run_downloads_nothing() {
    let env = TestEnv::new();
    corpus(&env.hub);
    env.run(&["download", "hf", "acme/corpus", "-o", "out"])
        .expect_code(0);
    env.hub.clear_requests();
    let r = env.run(&["download", "hf", "acme/corpus", "-o", "out", "--json"]);
    r.expect_code(0);
    let v = r.json();
    assert_eq!(v["bytes_downloaded"], 0);
    assert_eq!(v["skipped"], 5);
    assert!(
        v["message"]
            .as_str()
            .unwrap()
            .contains("Already up to date")
    );
    assert!(env.requests_on(Origin::Cdn).is_empty());
    assert!(
        !env.requests_on(Origin::Api)
            .iter()
            .any(|r| r.path().contains("/resolve/"))
    );
    // --force transfers everything again.
    let r = env.run(&[
        "download",
        "hf",
        "acme/corpus",
        "-o",
        "out",
        "--force",
        "--json",
    ]);
    r.expect_code(0);
    assert_eq!(r.json()["bytes_downloaded"], 9 + 17 + 300_000 + 100_000);
}

#[test]
fn a_locally_damaged_file_is_fetched_again() {
    let env = TestEnv::new();
    corpus(&env.hub);
    env.run(&["download", "hf", "acme/corpus", "-o", "out"])
        .expect_code(0);
    // Truncate one file: the size no longer matches the record, so it is downloaded again.
    std::fs::write(env.path("out/data/test-00000.parquet"), b"short").unwrap();
    let r = env.run(&["download", "hf", "acme/corpus", "-o", "out", "--json"]);
    r.expect_code(0);
    assert_eq!(r.json()["bytes_downloaded"], 100_000);
    assert_eq!(
        std::fs::read(env.path("out/data/test-00000.parquet")).unwrap(),
        bytes(2, 100_000)
    );
}

#[test]
fn rate_limit_then_success() {
    let env = TestEnv::new();
    corpus(&env.hub);
    env.hub.fault(
        Fault::new(
            Origin::Api,
            FaultKind::Status {
                code: 429,
                retry_after: Some("1".into()),
                ratelimit_reset: Some(1),
            },
        )
        .path_contains("/revision/")
        .times(2),
    );
    let r = env.run(&[
        "download",
        "hf",
        "acme/corpus",
        "-o",
        "out",
        "--progress",
        "json",
    ]);
    r.expect_code(0);
    let retries: Vec<serde_json::Value> = r
        .stderr()
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| v["event"] == "retry")
        .collect();
    assert_eq!(retries.len(), 2, "{}", r.stderr());
    assert!(retries[0]["reason"].as_str().unwrap().contains("429"));
    assert_eq!(
        env.requests_on(Origin::Api)
            .iter()
            .filter(|q| q.path().contains("/revision/"))
            .count(),
        3
    );
}

#[test]
fn server_errors_that_persist_exit_5() {
    let mut env = TestEnv::new();
    env.env("DSFETCH_RETRIES", "2");
    corpus(&env.hub);
    env.hub.fault(
        Fault::new(
            Origin::Api,
            FaultKind::Status {
                code: 503,
                retry_after: None,
                ratelimit_reset: None,
            },
        )
        .times(usize::MAX),
    );
    let r = env.run(&["download", "hf", "acme/corpus", "-o", "out"]);
    r.expect_code(5);
    assert!(r.stderr().contains("503"), "{}", r.stderr());
    assert!(r.stderr().contains("after 3 attempts"), "{}", r.stderr());
    assert_eq!(
        r.stderr()
            .lines()
            .filter(|l| l.starts_with("dsfetch: error"))
            .count(),
        1
    );
}

#[test]
fn missing_repo_exits_4() {
    let env = TestEnv::new();
    let r = env.run(&["download", "hf", "acme/nothing"]);
    r.expect_code(4);
    let err = r.stderr();
    assert!(err.contains("dataset acme/nothing not found"), "{err}");
    assert!(
        err.contains("HF_TOKEN"),
        "anonymous: the hint says how to set a token: {err}"
    );
    assert!(!env.path("downloads/acme_nothing").exists());
}

#[test]
fn gated_repo_needs_access() {
    let mut env = TestEnv::new();
    env.hub.add_hf_repo(
        HfRepo::new("acme/gated")
            .gated(Some("manual"))
            .file("a.csv", "x\n"),
    );
    let r = env.run(&["download", "hf", "acme/gated"]);
    r.expect_code(3);
    assert!(r.stderr().contains("is gated"), "{}", r.stderr());
    assert!(
        r.stderr().contains("/datasets/acme/gated"),
        "names the page to request access: {}",
        r.stderr()
    );
    // With a token whose account is not approved: still 3.
    env.hub.hf_add_token(TOKEN, "bob");
    env.env("HF_TOKEN", TOKEN);
    let r = env.run(&["download", "hf", "acme/gated"]);
    r.expect_code(3);
    assert!(
        r.stderr().contains("has not been granted access"),
        "{}",
        r.stderr()
    );
    assert!(!r.stderr().contains(TOKEN));
    // Once granted, it downloads.
    env.hub.hf_grant("acme/gated", "bob");
    env.run(&["download", "hf", "acme/gated", "-o", "g"])
        .expect_code(0);
    assert_eq!(std::fs::read_to_string(env.path("g/a.csv")).unwrap(), "x\n");
}

#[test]
fn invalid_token_exits_3_without_printing_it() {
    let mut env = TestEnv::new();
    corpus(&env.hub);
    env.env("HF_TOKEN", "hf_not_a_valid_token_at_all");
    let r = env.run(&["download", "hf", "acme/corpus", "-v"]);
    r.expect_code(3);
    assert!(
        r.stderr().contains("token from HF_TOKEN was rejected"),
        "{}",
        r.stderr()
    );
    assert!(!r.stderr().contains("hf_not_a_valid_token_at_all"));
    assert!(!r.stdout().contains("hf_not_a_valid_token_at_all"));
}

#[test]
fn corrupted_bytes_exit_6_and_leave_nothing_at_the_final_path() {
    let env = TestEnv::new();
    corpus(&env.hub);
    env.hub
        .fault(Fault::new(Origin::Cdn, FaultKind::Corrupt { offset: 5000 }).times(usize::MAX));
    let r = env.run(&[
        "download",
        "hf",
        "acme/corpus",
        "-o",
        "out",
        "--include",
        "*train*",
    ]);
    r.expect_code(6);
    assert!(
        r.stderr()
            .contains("integrity check failed for data/train-00000.parquet"),
        "{}",
        r.stderr()
    );
    assert!(!env.path("out/data/train-00000.parquet").exists());
    // The mismatch was retried once from scratch (two full transfers), not resumed.
    assert_eq!(env.requests_on(Origin::Cdn).len(), 2);
}

#[test]
fn one_corrupted_transfer_is_repaired_by_the_retry() {
    let env = TestEnv::new();
    corpus(&env.hub);
    env.hub
        .fault(Fault::new(Origin::Cdn, FaultKind::Corrupt { offset: 10 }).times(1));
    let r = env.run(&[
        "download",
        "hf",
        "acme/corpus",
        "-o",
        "out",
        "--include",
        "*train*",
    ]);
    r.expect_code(0);
    assert!(r.stderr().contains("checksum mismatch"), "{}", r.stderr());
    assert_eq!(
        std::fs::read(env.path("out/data/train-00000.parquet")).unwrap(),
        bytes(1, 300_000)
    );
}

#[test]
fn hostile_file_names_are_refused() {
    for evil in [
        "../escape.txt",
        "/abs/olute.txt",
        "a/../../b.txt",
        ".dsfetch/record.json",
    ] {
        let env = TestEnv::new();
        env.hub.add_hf_repo(
            HfRepo::new("evil/repo")
                .file("ok.txt", "fine\n")
                .file(evil, "pwned\n"),
        );
        let r = env.run(&["download", "hf", "evil/repo", "-o", "out/inner"]);
        r.expect_code(1);
        assert!(
            r.stderr().contains("refused unsafe file name"),
            "{evil}: {}",
            r.stderr()
        );
        assert!(!env.path("escape.txt").exists() && !env.path("out/escape.txt").exists());
        assert!(
            !env.path("out/inner/ok.txt").exists(),
            "nothing is downloaded from a hostile listing"
        );
    }
}

#[test]
fn the_token_never_reaches_the_cdn() {
    let mut env = TestEnv::new();
    env.hub.hf_add_token(TOKEN, "alice");
    env.hub.add_hf_repo(
        HfRepo::new("alice/private")
            .private(true)
            .owner_user("alice")
            .file("notes.md", "secret notes\n")
            .lfs_file("blob.bin", bytes(7, 50_000)),
    );
    env.env("HF_TOKEN", TOKEN);
    env.run(&["download", "hf", "alice/private", "-o", "p"])
        .expect_code(0);
    let api = env.requests_on(Origin::Api);
    let cdn = env.requests_on(Origin::Cdn);
    assert!(!cdn.is_empty());
    assert!(
        cdn.iter().all(|r| r.header("authorization").is_none()),
        "Authorization leaked to the CDN"
    );
    assert!(
        api.iter()
            .all(|r| r.header("authorization") == Some(&format!("Bearer {TOKEN}")))
    );
    // Anonymous: a private repo looks missing, and the hint says how to set a token.
    env.env("HF_TOKEN", "");
    let r = env.run(&["download", "hf", "alice/private", "-o", "anon"]);
    r.expect_code(4);
    assert!(r.stderr().contains("if it is private"), "{}", r.stderr());
}

#[test]
fn bad_ids_are_usage_errors_before_any_request() {
    let env = TestEnv::new();
    for bad in ["a/b/c", "../x", "a b", "acme/corpus@"] {
        let r = env.run(&["download", "hf", bad]);
        r.expect_code(2);
        assert!(r.stderr().contains("accepted forms"), "{}", r.stderr());
    }
    assert!(env.hub.requests().is_empty());
}

#[test]
fn a_folder_holding_another_dataset_is_refused() {
    let env = TestEnv::new();
    corpus(&env.hub);
    env.hub
        .add_hf_repo(HfRepo::new("acme/other").file("x.txt", "x\n"));
    env.run(&["download", "hf", "acme/corpus", "-o", "shared"])
        .expect_code(0);
    let r = env.run(&["download", "hf", "acme/other", "-o", "shared"]);
    r.expect_code(1);
    assert!(
        r.stderr().contains("already holds hf:acme/corpus"),
        "{}",
        r.stderr()
    );
    env.run(&["download", "hf", "acme/other", "-o", "shared", "--force"])
        .expect_code(0);
}

#[cfg(unix)]
#[test]
fn ctrl_c_exits_130_and_the_next_run_resumes() {
    let mut env = TestEnv::new();
    env.env("DSFETCH_TIMEOUT", "60");
    corpus(&env.hub);
    env.hub.fault(
        Fault::new(
            Origin::Cdn,
            FaultKind::Stall {
                after: 50_000,
                duration: Duration::from_secs(30),
            },
        )
        .times(1),
    );
    let child = env
        .std_cmd()
        .args([
            "download",
            "hf",
            "acme/corpus",
            "-o",
            "out",
            "--include",
            "*train*",
            "-q",
        ])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until the CDN transfer is under way (its first 50 kB are sent at once, then it stalls).
    let mut waited = 0;
    while env.requests_on(Origin::Cdn).is_empty() {
        std::thread::sleep(Duration::from_millis(20));
        waited += 1;
        assert!(waited < 500, "the transfer never started");
    }
    std::thread::sleep(Duration::from_millis(500));
    // SAFETY: sending a signal to a child process we own.
    unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) };
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(130),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("interrupted"));
    assert!(!env.path("out/data/train-00000.parquet").exists());
    env.hub.clear_faults();
    env.hub.clear_requests();
    env.run(&[
        "download",
        "hf",
        "acme/corpus",
        "-o",
        "out",
        "--include",
        "*train*",
    ])
    .expect_code(0);
    let cdn = env.requests_on(Origin::Cdn);
    assert_eq!(cdn[0].range.as_deref(), Some("bytes=50000-"));
    assert_eq!(
        std::fs::read(env.path("out/data/train-00000.parquet")).unwrap(),
        bytes(1, 300_000)
    );
}
