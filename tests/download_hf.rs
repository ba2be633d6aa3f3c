//! `dsfetch download hf` against the fake hub.

use std::time::Duration;

use crate::support::*;

const TOKEN: &str = "hf_testtoken_abcdefghijklmnop";

/// Downloads only the 300 kB training file of `acme/corpus`, to [`TRAIN_FILE`].
const TRAIN_ONLY: &str = "download hf acme/corpus -o out --include *train*";
const TRAIN_FILE: &str = "out/data/train-00000.parquet";

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
    let r = env.run_ok("download hf acme/corpus");
    let folder = env.path("downloads/acme_corpus");
    assert_eq!(r.stdout().trim(), "downloads/acme_corpus");
    assert_tree(
        &folder,
        &[
            "README.md",
            "data/labels.csv",
            "data/test-00000.parquet",
            "data/train-00000.parquet",
            "empty.txt",
        ],
    );
    assert_file(folder.join("data/train-00000.parquet"), bytes(1, 300_000));
    assert_file(folder.join("data/labels.csv"), "id,label\n1,a\n2,b\n");
    r.assert_stderr_contains(&["Downloaded 5 file(s)"]);
    // No partial files are left behind.
    assert_no_file(folder.join(".dsfetch/tmp"));
}

#[test]
fn json_output_has_the_download_object() {
    let env = TestEnv::new();
    let commit = corpus(&env.hub);
    let out_path = env.path("out");
    let out = out_path.to_str().unwrap();
    let r = env.run(&["download", "hf", "acme/corpus", "-o", out, "--json"]);
    r.expect_code(0);
    let v = r.json();
    assert_eq!(v["success"], true);
    assert_eq!(v["dataset_id"], "acme/corpus");
    assert_eq!(v["source"], "HuggingFace");
    assert_eq!(v["revision"], "main");
    assert_eq!(v["commit"], commit.as_str());
    assert_eq!(v["file_path"], out);
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

#[test]
fn include_and_exclude_select_files() {
    let env = TestEnv::new();
    corpus(&env.hub);
    env.run_ok("download hf acme/corpus -o sel --include data/ --exclude *test*");
    assert_tree(
        env.path("sel"),
        &["data/labels.csv", "data/train-00000.parquet"],
    );
    // `*` crosses `/` like huggingface_hub's fnmatch.
    env.run_ok("download hf acme/corpus -o pq --include *.parquet");
    assert_tree(
        env.path("pq"),
        &["data/test-00000.parquet", "data/train-00000.parquet"],
    );
    // Case-sensitive; a pattern that matches nothing is an error naming the patterns.
    env.run_expect(4, "download hf acme/corpus -o none --include *.PARQUET")
        .assert_stderr_contains(&[
            "matches the include/exclude patterns; list the files",
            "--include",
        ]);
    assert_no_file(env.path("none/data"));
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
    let r = env.run_ok("download hf acme/corpus -o main --json");
    assert_eq!(r.json()["commit"], second.as_str());
    assert_file(env.path("main/README.md"), "# v2\n");
    // A pinned commit gives the old content, and no revision lookup is needed.
    let r = env.run_ok(format!("download hf acme/corpus@{first} -o old --json"));
    assert_eq!(r.json()["commit"], first.as_str());
    assert_file(env.path("old/README.md"), "# corpus\n");
    // refs/convert/parquet via --revision: the revision is sent encoded as one segment.
    env.hub.clear_requests();
    let r = env.run_ok("download hf acme/corpus --revision refs/convert/parquet -o pq --json");
    assert_eq!(r.json()["commit"], parquet.as_str());
    assert_tree(env.path("pq"), &["default/train/0000.parquet"]);
    let api = env.requests_on(Origin::Api);
    assert!(
        api.iter()
            .any(|q| q.path().ends_with("/revision/refs%2Fconvert%2Fparquet")),
        "{:?}",
        api.iter().map(|q| &q.target).collect::<Vec<_>>()
    );
    // A URL with /tree/REV works too.
    let url = format!("https://huggingface.co/datasets/acme/corpus/tree/{first}");
    env.run_ok(format!("download hf {url} -o viaurl"));
    assert_file(env.path("viaurl/README.md"), "# corpus\n");
    // A missing revision is "not found" (exit 4) with a hint.
    env.run_expect(4, "download hf acme/corpus@nope -o x")
        .assert_stderr_contains(&["revision \"nope\" not found"]);
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
    env.run_ok("download hf acme/many -o many");
    assert_eq!(files_under(&env.path("many")).len(), 10);
    let tree_pages = env.requests_matching(Origin::Api, "/tree/").len();
    assert!(
        tree_pages >= 4,
        "expected the tree to be paginated, saw {tree_pages} page(s)"
    );
}

#[test]
fn resumes_a_dropped_connection_with_range() {
    let env = TestEnv::new();
    corpus(&env.hub);
    env.hub
        .fault(Fault::new(Origin::Cdn, FaultKind::DropAfter(120_000)).path_contains(""));
    env.run_ok(TRAIN_ONLY);
    assert_file(env.path(TRAIN_FILE), bytes(1, 300_000));
    let cdn = env.cdn_requests();
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
    let env = TestEnv::new().with_env("DSFETCH_RETRIES", "1");
    corpus(&env.hub);
    // Run 1: 100 kB arrive, then the CDN stops answering: exit 5, partial kept.
    env.hub
        .fault(Fault::new(Origin::Cdn, FaultKind::DropAfter(100_000)));
    env.hub
        .fault(always(Origin::Cdn, FaultKind::ResetBeforeHeaders));
    env.run_expect(5, TRAIN_ONLY)
        .assert_stderr_contains(&["resumes"]);
    assert_no_file(env.path(TRAIN_FILE));
    // Run 2: continues from byte 100000.
    env.clear_hub();
    env.run_ok(TRAIN_ONLY);
    assert_file(env.path(TRAIN_FILE), bytes(1, 300_000));
    let cdn = env.cdn_requests();
    assert_eq!(cdn.len(), 1);
    assert_eq!(cdn[0].range.as_deref(), Some("bytes=100000-"));
    assert_eq!(bytes_sent(&cdn), 200_000);
}

#[test]
fn a_second_run_downloads_nothing() {
    let env = TestEnv::new();
    corpus(&env.hub);
    env.run_ok("download hf acme/corpus -o out");
    env.hub.clear_requests();
    let v = env.run_ok("download hf acme/corpus -o out --json").json();
    assert_eq!(v["bytes_downloaded"], 0);
    assert_eq!(v["skipped"], 5);
    let message = v["message"].as_str().unwrap();
    assert!(message.contains("Already up to date"), "{message}");
    assert!(env.cdn_requests().is_empty());
    assert!(env.requests_matching(Origin::Api, "/resolve/").is_empty());
    // --force transfers everything again.
    let r = env.run_ok("download hf acme/corpus -o out --force --json");
    assert_eq!(r.json()["bytes_downloaded"], 9 + 17 + 300_000 + 100_000);
}

#[test]
fn a_locally_damaged_file_is_fetched_again() {
    let env = TestEnv::new();
    corpus(&env.hub);
    env.run_ok("download hf acme/corpus -o out");
    // Truncate one file: the size no longer matches the record, so it is downloaded again.
    env.write("out/data/test-00000.parquet", b"short");
    let r = env.run_ok("download hf acme/corpus -o out --json");
    assert_eq!(r.json()["bytes_downloaded"], 100_000);
    assert_file(env.path("out/data/test-00000.parquet"), bytes(2, 100_000));
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
    let r = env.run_ok("download hf acme/corpus -o out --progress json");
    let retries = r.events("retry");
    assert_eq!(retries.len(), 2, "{}", r.stderr());
    assert!(retries[0]["reason"].as_str().unwrap().contains("429"));
    assert_eq!(env.requests_matching(Origin::Api, "/revision/").len(), 3);
}

#[test]
fn server_errors_that_persist_exit_5() {
    let env = TestEnv::new().with_env("DSFETCH_RETRIES", "2");
    corpus(&env.hub);
    env.hub.fault(always(Origin::Api, status(503)));
    let r = env.run_expect(5, "download hf acme/corpus -o out");
    r.assert_stderr_contains(&["503", "after 3 attempts"]);
    r.error_line();
}

#[test]
fn missing_repo_exits_4() {
    let env = TestEnv::new();
    // Anonymous: the hint says how to set a token.
    env.run_expect(4, "download hf acme/nothing")
        .assert_stderr_contains(&["dataset acme/nothing not found", "HF_TOKEN"]);
    assert_no_file(env.path("downloads/acme_nothing"));
}

#[test]
fn gated_repo_needs_access() {
    let mut env = TestEnv::new();
    env.hub.add_hf_repo(
        HfRepo::new("acme/gated")
            .gated(Some("manual"))
            .file("a.csv", "x\n"),
    );
    // The message names the page to request access.
    env.run_expect(3, "download hf acme/gated")
        .assert_stderr_contains(&["is gated", "/datasets/acme/gated"]);
    // With a token whose account is not approved: still 3.
    env.hub.hf_add_token(TOKEN, "bob");
    env.env("HF_TOKEN", TOKEN);
    env.run_expect(3, "download hf acme/gated")
        .assert_stderr_contains(&["has not been granted access"])
        .assert_stderr_lacks(&[TOKEN]);
    // Once granted, it downloads.
    env.hub.hf_grant("acme/gated", "bob");
    env.run_ok("download hf acme/gated -o g");
    assert_file(env.path("g/a.csv"), "x\n");
}

#[test]
fn invalid_token_exits_3_without_printing_it() {
    let env = TestEnv::new().with_env("HF_TOKEN", "hf_not_a_valid_token_at_all");
    corpus(&env.hub);
    env.run_expect(3, "download hf acme/corpus -v")
        .assert_stderr_contains(&["token from HF_TOKEN was rejected"])
        .assert_output_lacks(&["hf_not_a_valid_token_at_all"]);
}

#[test]
fn corrupted_bytes_exit_6_and_leave_nothing_at_the_final_path() {
    let env = TestEnv::new();
    corpus(&env.hub);
    env.hub
        .fault(always(Origin::Cdn, FaultKind::Corrupt { offset: 5000 }));
    env.run_expect(6, TRAIN_ONLY)
        .assert_stderr_contains(&["integrity check failed for data/train-00000.parquet"]);
    assert_no_file(env.path(TRAIN_FILE));
    // The mismatch was retried once from scratch (two full transfers), not resumed.
    assert_eq!(env.cdn_requests().len(), 2);
}

#[test]
fn one_corrupted_transfer_is_repaired_by_the_retry() {
    let env = TestEnv::new();
    corpus(&env.hub);
    env.hub
        .fault(Fault::new(Origin::Cdn, FaultKind::Corrupt { offset: 10 }));
    env.run_ok(TRAIN_ONLY)
        .assert_stderr_contains(&["checksum mismatch"]);
    assert_file(env.path(TRAIN_FILE), bytes(1, 300_000));
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
        let r = env.run_expect(1, "download hf evil/repo -o out/inner");
        assert!(
            r.stderr().contains("refused unsafe file name")
                && r.stderr().contains(&format!("--exclude '{evil}'")),
            "{evil}: {}",
            r.stderr()
        );
        assert_no_file(env.path("escape.txt"));
        assert_no_file(env.path("out/escape.txt"));
        // Nothing is downloaded from a hostile listing.
        assert_no_file(env.path("out/inner/ok.txt"));
        // The fix it names works.
        env.run_ok(format!(
            "download hf evil/repo -o out/inner --exclude {evil}"
        ));
        assert_file(env.path("out/inner/ok.txt"), "fine\n");
    }
}

#[test]
fn the_token_never_reaches_the_cdn() {
    let mut env = TestEnv::new().with_env("HF_TOKEN", TOKEN);
    env.hub.hf_add_token(TOKEN, "alice");
    env.hub.add_hf_repo(
        HfRepo::new("alice/private")
            .private(true)
            .owner_user("alice")
            .file("notes.md", "secret notes\n")
            .lfs_file("blob.bin", bytes(7, 50_000)),
    );
    env.run_ok("download hf alice/private -o p");
    let api = env.requests_on(Origin::Api);
    let cdn = env.cdn_requests();
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
    env.run_expect(4, "download hf alice/private -o anon")
        .assert_stderr_contains(&["if it is private"]);
}

#[test]
fn bad_ids_are_usage_errors_before_any_request() {
    let env = TestEnv::new();
    for bad in ["a/b/c", "../x", "a b", "acme/corpus@"] {
        env.run(&["download", "hf", bad])
            .expect_code(2)
            .assert_stderr_contains(&["accepted forms"]);
    }
    assert!(env.hub.requests().is_empty());
}

#[test]
fn a_folder_holding_another_dataset_is_refused() {
    let env = TestEnv::new();
    corpus(&env.hub);
    env.hub
        .add_hf_repo(HfRepo::new("acme/other").file("x.txt", "x\n"));
    env.run_ok("download hf acme/corpus -o shared");
    env.run_expect(1, "download hf acme/other -o shared")
        .assert_stderr_contains(&["already holds hf:acme/corpus"]);
    env.run_ok("download hf acme/other -o shared --force");
}

#[cfg(unix)]
#[test]
fn ctrl_c_exits_130_and_the_next_run_resumes() {
    let env = TestEnv::new().with_env("DSFETCH_TIMEOUT", "60");
    corpus(&env.hub);
    env.hub.fault(Fault::new(
        Origin::Cdn,
        stall(50_000, Duration::from_secs(30)),
    ));
    let child = env.spawn_line(&format!("{TRAIN_ONLY} -q"));
    // Wait until the CDN transfer is under way (its first 50 kB are sent at once, then it stalls).
    wait_for("the transfer to start", Duration::from_secs(10), || {
        !env.cdn_requests().is_empty()
    });
    std::thread::sleep(Duration::from_millis(500));
    signal(&child, libc::SIGINT);
    Run::wait(child)
        .expect_code(130)
        .assert_stderr_contains(&["interrupted"]);
    assert_no_file(env.path(TRAIN_FILE));
    env.clear_hub();
    env.run_ok(TRAIN_ONLY);
    assert_eq!(env.cdn_requests()[0].range.as_deref(), Some("bytes=50000-"));
    assert_file(env.path(TRAIN_FILE), bytes(1, 300_000));
}
