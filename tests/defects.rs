//! Regression tests for the defects a demanding user and a hostile network found (issue 11):
//! identical contents, a proxy's 200 page, a zip inside a dataset, a user's own files, a verified
//! archive thrown away, unsafe names that were excluded anyway, lockfile sizes, internal names in
//! errors.

use crate::support::*;

// ---- item 1: identical contents at several paths ----

#[test]
fn identical_files_at_several_paths_all_land_in_one_run() {
    let env = TestEnv::new();
    let lfs = bytes(7, 40_000);
    let mut repo = HfRepo::new("acme/dups")
        .file("train/labels.txt", "a\nb\n")
        .file("test/labels.txt", "a\nb\n")
        .file("LICENSE", "MIT\n")
        .file("sub/LICENSE", "MIT\n")
        .file("a/.gitkeep", "")
        .file("b/.gitkeep", "")
        .lfs_file("x/model.bin", lfs.clone())
        .lfs_file("y/model.bin", lfs.clone());
    for i in 0..200 {
        repo = repo.file(&format!("many/{i:03}.txt"), "same\n");
    }
    env.hub.add_hf_repo(repo);
    let r = env.run_ok("download hf acme/dups -o out --json");
    let out = env.path("out");
    assert_eq!(files_under(&out).len(), 208);
    for p in ["train/labels.txt", "test/labels.txt"] {
        assert_file(out.join(p), b"a\nb\n");
    }
    for p in ["x/model.bin", "y/model.bin"] {
        assert_file(out.join(p), &lfs);
    }
    for i in 0..200 {
        assert_file(out.join(format!("many/{i:03}.txt")), b"same\n");
    }
    // One transfer per distinct content: the 200 copies of "same\n" and the two LFS files were
    // each fetched once (4 contents; the empty files need no request at all).
    let resolves = env.requests_matching(Origin::Api, "/resolve/").len();
    assert_eq!(resolves, 4, "one resolve per distinct content");
    assert_eq!(env.cdn_requests().len(), 1);
    assert_eq!(r.json()["files"].as_array().unwrap().len(), 208);
    // A re-run transfers nothing.
    env.hub.clear_requests();
    env.run_ok("download hf acme/dups -o out");
    assert!(
        env.hub
            .requests()
            .iter()
            .all(|q| !q.path().contains("/resolve/") && q.origin != Origin::Cdn)
    );
}

#[test]
fn identical_files_share_one_blob_in_the_hf_cache() {
    let mut env = TestEnv::new();
    let lfs = bytes(8, 30_000);
    let commit = env.hub.add_hf_repo(
        HfRepo::new("acme/dups")
            .file("train/labels.txt", "a\nb\n")
            .file("test/labels.txt", "a\nb\n")
            .lfs_file("x/m.bin", lfs.clone())
            .lfs_file("y/m.bin", lfs.clone()),
    );
    let cache = env.path("hub");
    env.env("HF_HUB_CACHE", cache.to_str().unwrap());
    env.run_ok("download hf acme/dups --layout hf-cache");
    let repo = cache.join("datasets--acme--dups");
    let blobs: Vec<_> = std::fs::read_dir(repo.join("blobs"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(blobs.len(), 2, "{blobs:?}");
    assert!(blobs.contains(&sha256_hex(&lfs)));
    let snap = repo.join("snapshots").join(&commit);
    for p in ["train/labels.txt", "test/labels.txt", "x/m.bin", "y/m.bin"] {
        let link = snap.join(p);
        assert!(
            std::fs::symlink_metadata(&link).unwrap().is_symlink(),
            "{p}"
        );
        assert!(std::fs::read(&link).is_ok(), "{p} resolves");
    }
    assert_file(snap.join("y/m.bin"), &lfs);
}

// ---- item 2: a 200 answer with a short body ----

const PORTAL_PAGE: &[u8] = b"<html><body>Please log in to the Wi-Fi</body></html>";

fn portal() -> FaultKind {
    replace_200("text/html; charset=utf-8", PORTAL_PAGE)
}

#[test]
fn a_proxy_page_instead_of_a_file_ends_after_the_retries() {
    let env = TestEnv::new().with_env("DSFETCH_RETRIES", "2");
    env.hub.add_hf_repo(
        HfRepo::new("acme/big")
            .lfs_file("a.bin", bytes(3, 300_000))
            .file("small.txt", "hello\n"),
    );
    env.hub.fault(always(Origin::Cdn, portal()));
    let r = env.run_line_within(60, "download hf acme/big -o out --connections 1");
    r.expect_code(5);
    let line = r.error_line();
    assert!(
        line.contains("HTTP 200")
            && line.contains("text/html")
            && line.contains(&format!("{} bytes", PORTAL_PAGE.len())),
        "{line}"
    );
    // Bounded: the first try and two retries.
    assert_eq!(env.cdn_requests().len(), 3);
    assert_no_file(env.path("out/a.bin"));
    // Nothing of the page was kept as if it were the file's start.
    env.hub.clear_faults();
    env.run_ok("download hf acme/big -o out");
    assert_file(env.path("out/a.bin"), bytes(3, 300_000));
}

#[test]
fn a_proxy_page_on_kaggle_storage_is_not_taken_for_the_archive() {
    let env = TestEnv::new().with_env("DSFETCH_RETRIES", "1");
    env.hub
        .add_kaggle_dataset(KaggleDataset::new("alice/titanic").file("a.csv", "x,y\n1,2\n"));
    env.hub.fault(always(Origin::Storage, portal()));
    env.run_line_within(60, "download kaggle alice/titanic -o t")
        .expect_code(5)
        .assert_stderr_contains(&["text/html"]);
    assert_eq!(env.storage_requests().len(), 2);
    assert_tree(env.path("t"), &[]);
}

#[test]
fn short_bodies_that_never_get_further_are_not_progress() {
    // A server that answers every request with 200 and the same first kilobyte of the file never
    // moves the resume point past where the first attempt got to.
    let env = TestEnv::new().with_env("DSFETCH_RETRIES", "3");
    let data = bytes(3, 300_000);
    env.hub
        .add_hf_repo(HfRepo::new("acme/big").lfs_file("a.bin", data.clone()));
    let first_kb = replace_200("application/octet-stream", &data[..1000]);
    env.hub.fault(always(Origin::Cdn, first_kb));
    env.run_line_within(60, "download hf acme/big -o out --connections 1")
        .expect_code(5)
        .assert_stderr_contains(&["1000 bytes"]);
    assert_eq!(env.cdn_requests().len(), 4);
}

// ---- item 3: a Kaggle file that is itself a zip ----

#[test]
fn a_zip_file_wrapped_by_the_service_is_unwrapped() {
    let env = TestEnv::new();
    let inner = zip_bytes(&[("inside.csv", b"1,2\n")]);
    env.hub.add_kaggle_dataset(
        KaggleDataset::new("alice/zips")
            .file("data.zip", inner.clone())
            .file("plain.csv", "a\n")
            .zipped_file("data.zip"),
    );
    let r = env.run_ok("download kaggle alice/zips --file data.zip -o z --json");
    assert_file(env.path("z/data.zip"), &inner);
    let v = r.json();
    assert_eq!(v["files"][0]["sha256"], sha256_hex(&inner).as_str());
    assert_eq!(v["files"][0]["size"], inner.len());
    // The same through --include.
    env.run_ok("download kaggle alice/zips --include *.zip -o z2");
    assert_file(env.path("z2/data.zip"), &inner);
}

#[test]
fn a_kaggle_file_of_the_wrong_size_is_an_integrity_error() {
    // The storage's bytes (complete by their own framing) do not match the size in the
    // service's own file list.
    let env = TestEnv::new();
    env.hub.add_kaggle_dataset(
        KaggleDataset::new("alice/t")
            .file("a.csv", "1,2,3\n")
            .file("b.csv", "x\n"),
    );
    env.hub
        .fault(always(Origin::Storage, replace_200("text/csv", b"1,2\n")));
    env.run_expect(6, "download kaggle alice/t --file a.csv -o t")
        .assert_stderr_contains(&["a.csv"]);
    assert_no_file(env.path("t/a.csv"));
}

// ---- item 5: the user's files, --force, and switching versions ----

#[test]
fn a_users_own_file_is_never_overwritten_without_force() {
    let env = TestEnv::new();
    env.hub.add_hf_repo(
        HfRepo::new("acme/corpus")
            .file("README.md", "# corpus\n")
            .file("data.csv", "1\n"),
    );
    env.write("mine/README.md", "my notes\n");
    env.run_expect(1, "download hf acme/corpus -o mine")
        .assert_stderr_contains(&["README.md", "--force"]);
    assert_file(env.path("mine/README.md"), "my notes\n");
    // A file of identical content is adopted, not refused.
    env.write("mine/README.md", "# corpus\n");
    env.run_ok("download hf acme/corpus -o mine");
    // --force overwrites it.
    env.write("mine2.txt", "");
    env.write("forced/README.md", "mine\n");
    env.run_ok("download hf acme/corpus -o forced --force");
    assert_file(env.path("forced/README.md"), "# corpus\n");
}

#[test]
fn a_users_file_in_a_kaggle_folder_is_refused_and_the_archive_kept() {
    let env = TestEnv::new();
    env.hub.add_kaggle_dataset(
        KaggleDataset::new("alice/titanic")
            .file("train.csv", "a\n")
            .file("README.txt", "dataset\n"),
    );
    env.write("t/README.txt", "mine\n");
    env.run_expect(1, "download kaggle alice/titanic -o t")
        .assert_stderr_contains(&["README.txt"]);
    assert_file(env.path("t/README.txt"), "mine\n");
    // Nothing moved in.
    assert_no_file(env.path("t/train.csv"));
    // With --force the verified archive is reused: no second transfer.
    env.hub.clear_requests();
    env.run_ok("download kaggle alice/titanic -o t --force");
    assert_eq!(env.storage_requests().len(), 0);
    assert_file(env.path("t/README.txt"), "dataset\n");
}

#[test]
fn force_into_another_datasets_folder_replaces_it() {
    let env = TestEnv::new();
    env.hub.add_hf_repo(
        HfRepo::new("acme/one")
            .file("one.txt", "1\n")
            .file("shared/x.txt", "1\n"),
    );
    env.hub
        .add_hf_repo(HfRepo::new("acme/two").file("two.txt", "2\n"));
    env.run_ok("download hf acme/one -o f");
    env.write("f/user-notes.md", "keep me\n");
    env.run_expect(1, "download hf acme/two -o f");
    env.run_ok("download hf acme/two -o f --force");
    // The old dataset's files are gone, the user's stay.
    assert_tree(env.path("f"), &["two.txt", "user-notes.md"]);
}

#[test]
fn switching_revision_or_version_leaves_exactly_the_new_files() {
    let env = TestEnv::new();
    env.hub.add_hf_repo(
        HfRepo::new("acme/rev")
            .file("common.txt", "c\n")
            .file("only-v1/a.txt", "a\n"),
    );
    env.hub.hf_set_ref(
        "acme/rev",
        "v2",
        vec![
            HfFile::regular("common.txt", "c2\n"),
            HfFile::regular("README.txt", "v2\n"),
        ],
    );
    env.run_ok("download hf acme/rev@v2 -o r");
    env.write("r/mine.txt", "user\n");
    env.run_ok("download hf acme/rev -o r");
    assert_tree(env.path("r"), &["common.txt", "mine.txt", "only-v1/a.txt"]);
    env.run_ok("download hf acme/rev@v2 -o r");
    assert_tree(env.path("r"), &["README.txt", "common.txt", "mine.txt"]);
    // Emptied folders go too.
    assert_no_file(env.path("r/only-v1"));

    // Kaggle: v2 has README.txt, v1 does not.
    env.hub
        .add_kaggle_dataset(KaggleDataset::new("alice/k").file("a.csv", "1\n"));
    env.hub.kaggle_add_version(
        "alice/k",
        vec![
            ("a.csv".into(), b"2\n".to_vec()),
            ("README.txt".into(), b"v2\n".to_vec()),
        ],
    );
    env.run_ok("download kaggle alice/k -o k");
    assert_tree(env.path("k"), &["README.txt", "a.csv"]);
    env.run_ok("download kaggle alice/k/versions/1 -o k");
    assert_tree(env.path("k"), &["a.csv"]);
    assert_file(env.path("k/a.csv"), b"1\n");
}

// ---- item 7: a verified archive is reused ----

#[test]
fn a_verified_archive_is_extracted_again_without_a_transfer() {
    let env = TestEnv::new();
    env.hub.add_kaggle_dataset(
        KaggleDataset::new("alice/titanic")
            .file("train.csv", bytes(4, 50_000))
            .file("test.csv", "x\n"),
    );
    // Extraction cannot finish: a folder sits where a file goes.
    std::fs::create_dir_all(env.path("t/test.csv")).unwrap();
    env.run_expect(1, "download kaggle alice/titanic -o t");
    assert_eq!(env.storage_requests().len(), 1);
    std::fs::remove_dir(env.path("t/test.csv")).unwrap();
    env.hub.clear_requests();
    env.run_ok("download kaggle alice/titanic -o t");
    assert_eq!(env.storage_requests().len(), 0, "no second transfer");
    assert_file(env.path("t/train.csv"), bytes(4, 50_000));
    // The archive is gone.
    assert_no_file(env.path("t/.dsfetch/tmp"));
}

// ---- item 9: unsafe names that are filtered out ----

#[test]
fn an_excluded_unsafe_name_is_skipped_with_a_warning() {
    let env = TestEnv::new();
    env.hub.add_hf_repo(
        HfRepo::new("acme/mixed")
            .file("data/a.csv", "1\n")
            .hf_file(HfFile::regular("../evil.txt", "x")),
    );
    env.run_ok("download hf acme/mixed -o m --include data/")
        .assert_stderr_contains(&["evil"]);
    assert_tree(env.path("m"), &["data/a.csv"]);
    // Without the filter the dataset is still refused, nothing written.
    env.run_expect(1, "download hf acme/mixed -o m2");
    assert_tree(env.path("m2"), &[]);
}

#[test]
fn an_excluded_unsafe_kaggle_name_is_skipped_with_a_warning() {
    let env = TestEnv::new();
    env.hub.add_kaggle_dataset(
        KaggleDataset::new("alice/mixed")
            .file("a.csv", "1\n")
            .file("b.csv", "2\n"),
    );
    env.hub.kaggle_add_version(
        "alice/mixed",
        vec![
            ("a.csv".into(), b"1\n".to_vec()),
            (".dsfetch/record.json".into(), b"{}".to_vec()),
        ],
    );
    env.run_ok("download kaggle alice/mixed -o m --include *.csv")
        .assert_stderr_contains(&[".dsfetch"]);
    assert_tree(env.path("m"), &["a.csv"]);
}

// ---- item 15: lockfile sizes, internal names ----

#[test]
fn a_size_edited_in_the_lockfile_is_enforced() {
    let env = TestEnv::new();
    env.hub.add_hf_repo(
        HfRepo::new("acme/corpus")
            .file("README.md", "# corpus\n")
            .lfs_file("data.bin", bytes(2, 10_000)),
    );
    env.hub
        .add_kaggle_dataset(KaggleDataset::new("alice/t").file("a.csv", "1,2\n"));
    env.write("m.txt", "hf:acme/corpus\nkaggle:alice/t\n");
    env.run_ok("batch m.txt");
    let lock_path = ["m.lock", "dsfetch.lock"]
        .iter()
        .map(|n| env.path(n))
        .find(|p| p.exists())
        .unwrap();
    let lock = std::fs::read_to_string(&lock_path).unwrap();
    for (file, size) in [("README.md", "9"), ("a.csv", "4")] {
        let edited = lock.replacen(
            &format!("path = \"{file}\", size = {size},"),
            &format!("path = \"{file}\", size = 1{size},"),
            1,
        );
        assert_ne!(edited, lock, "the lockfile layout changed: {lock}");
        std::fs::write(&lock_path, &edited).unwrap();
        let r = env.run_line("batch m.txt --locked");
        assert_ne!(r.code(), 0, "{}", r.stderr());
        r.assert_stderr_contains(&[file, "lock"]);
        let json = env.run_line("batch m.txt --locked --json").json();
        let failed: Vec<_> = json["results"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["success"] == false)
            .collect();
        assert_eq!(failed.len(), 1);
        assert_eq!(failed[0]["error"]["exit_code"], 6);
        std::fs::write(&lock_path, &lock).unwrap();
    }
}

#[test]
fn kaggle_errors_name_the_dataset_and_file_not_temp_names() {
    let env = TestEnv::new();
    env.hub
        .add_kaggle_dataset(KaggleDataset::new("alice/t").file("a.csv", "1,2\n"));
    // The partial file's place is taken by a folder: the transfer cannot write.
    let part = format!("kaggle-v1-{}.part", &sha256_hex(b"a.csv")[..32]);
    std::fs::create_dir_all(env.path("t/.dsfetch/tmp").join(part)).unwrap();
    env.run_expect(1, "download kaggle alice/t --file a.csv -o t")
        .assert_stderr_lacks(&["kaggle-v1-"])
        .assert_stderr_contains(&["a.csv", "alice/t"]);
}

// ---- found by trying the product as a new user (README only, odd data, a misbehaving hub) ----

#[test]
fn a_selection_of_kaggle_files_never_counts_as_the_whole_version() {
    let env = TestEnv::new();
    env.hub.add_kaggle_dataset(
        KaggleDataset::new("alice/titanic")
            .file("train.csv", "a\n")
            .file("test.csv", "b\n")
            .file("README.txt", "r\n"),
    );
    env.run_ok("download kaggle alice/titanic -o t --file train.csv");
    env.run_ok("download kaggle alice/titanic -o t --include *.txt");
    // The whole version: everything is fetched, not "already up to date".
    let r = env.run_ok("download kaggle alice/titanic -o t --json");
    assert_tree(env.path("t"), &["README.txt", "test.csv", "train.csv"]);
    assert_eq!(r.json()["skipped"], 0, "{}", r.stdout());
    // Now it is whole: a re-run transfers nothing.
    env.hub.clear_requests();
    env.run_ok("download kaggle alice/titanic -o t");
    assert!(env.storage_requests().is_empty());
}

#[test]
fn a_hub_layout_for_the_other_hub_is_refused_when_the_config_loads() {
    let mut env = TestEnv::new();
    env.config_file("c.toml", "[hf]\nlayout = \"kagglehub\"\n");
    env.run_expect(2, "config")
        .assert_stderr_contains(&["c.toml", "[hf] layout"]);
}

#[test]
fn progress_json_covers_errors_before_the_settings_load() {
    let env = TestEnv::new();
    for (args, var) in [
        (
            vec!["download", "hf", "a/b", "--progress", "json", "--jobs", "0"],
            None,
        ),
        (
            vec!["download", "hf", "a/b", "--progress=json"],
            Some(("DSFETCH_TIMEOUT", "nan")),
        ),
        (
            vec!["download", "hf", "a/b"],
            Some(("DSFETCH_PROGRESS", "json")),
        ),
    ] {
        let mut c = env.cmd();
        if let Some((k, v)) = var {
            c.env(k, v);
        }
        let r = Run(c.args(&args).output().unwrap());
        assert_ne!(r.code(), 0);
        for line in r.stderr().lines() {
            let v: serde_json::Value = serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("{args:?}: not JSON ({e}): {line}"));
            assert_eq!(v["event"], "error", "{line}");
        }
        assert!(!r.stderr().is_empty(), "{args:?}");
    }
}

#[test]
fn search_json_always_has_a_description_key() {
    let env = TestEnv::new();
    env.hub
        .add_hf_repo(HfRepo::new("acme/nodesc").file("a.txt", "x"));
    let v = env.run_ok("search nodesc --source hf --json").json();
    assert_keys(&v.as_array().unwrap()[0], &["description"]);
}

#[test]
fn a_missing_kaggle_version_is_named_as_such() {
    let env = TestEnv::new();
    env.hub
        .add_kaggle_dataset(KaggleDataset::new("alice/titanic").file("a.csv", "1\n"));
    env.run_expect(4, "download kaggle alice/titanic/versions/7")
        .assert_stderr_contains(&["version 7"]);
}

#[test]
fn a_lock_mismatch_says_upstream_changed_not_that_its_checksum_is_wrong() {
    let env = TestEnv::new();
    env.hub
        .add_kaggle_dataset(KaggleDataset::new("alice/t").file("a.csv", "1,2\n"));
    env.write("m.txt", "kaggle:alice/t/versions/1\n");
    env.run_ok("batch m.txt");
    env.replace_in("m.lock", &sha256_hex(b"1,2\n"), &"0".repeat(64));
    std::fs::remove_dir_all(env.path("downloads")).unwrap();
    let r = env.run_line("batch m.txt --locked");
    assert_ne!(r.code(), 0);
    r.assert_stderr_contains(&["without --locked"])
        .assert_stderr_lacks(&["published checksum"]);
}

#[test]
fn an_api_answering_with_a_web_page_is_named_as_such() {
    let mut env = TestEnv::new();
    env.env("DSFETCH_RETRIES", "1");
    env.hub
        .add_hf_repo(HfRepo::new("acme/x").file("a.txt", "a"));
    env.hub.fault(
        Fault::new(
            Origin::Api,
            FaultKind::Replace {
                code: 200,
                content_type: "text/html".into(),
                body: b"<html>login</html>".to_vec(),
            },
        )
        .times(usize::MAX),
    );
    let r = env.run(&["download", "hf", "acme/x", "-o", "x"]);
    r.expect_code(5);
    let err = r.stderr();
    assert!(
        err.contains("not JSON (HTTP 200, text/html, 18 bytes)") && err.contains("proxy"),
        "{err}"
    );
}

#[test]
fn something_in_the_way_is_refused_before_anything_is_placed() {
    let env = TestEnv::new();
    env.hub.add_hf_repo(
        HfRepo::model("acme/bert")
            .file("config.json", "{}\n")
            .file("data/train.txt", "t\n")
            .file("zz/last.txt", "z\n"),
    );
    // A file of the user's where the repo needs a folder.
    env.write("u1/data", "mine\n");
    let r = env.run_expect(1, "download hf:models/acme/bert -o u1");
    let line = r.error_line();
    assert!(
        line.contains("u1/data is a file, but the dataset needs a folder there")
            && line.contains("move it away"),
        "{line}"
    );
    assert_eq!(files_under(&env.path("u1")), ["data"]);
    assert_file(env.path("u1/data"), "mine\n");
    // A folder of the user's where the repo has a file; nothing else is placed either.
    env.write("u2/zz/last.txt/keep", "mine\n");
    env.run_expect(1, "download hf:models/acme/bert -o u2")
        .assert_stderr_contains(&["is a folder, but the dataset has a file there"]);
    assert_eq!(files_under(&env.path("u2")), ["zz/last.txt/keep"]);
    // --force does not delete what the user owns.
    env.run_expect(1, "download hf:models/acme/bert -o u2 --force");
    // A dry run names it as a warning.
    env.run_ok("download hf:models/acme/bert -o u1 --dry-run")
        .assert_stderr_contains(&["needs a folder there"]);
    // An archive: nothing moves in, the verified archive is kept for the next run.
    env.hub
        .kaggle_add_user("alice", "0123456789abcdef0123456789abcdef");
    write_kaggle_json(env.home.path(), "alice", "0123456789abcdef0123456789abcdef");
    env.hub.add_kaggle_competition(
        fakehub::KaggleCompetition::new("titanic")
            .file("a.csv", "a\n")
            .file("images/1.png", "png"),
    );
    env.write("u3/images", "mine\n");
    env.run_expect(1, "download kaggle --competition titanic -o u3")
        .assert_stderr_contains(&["u3/images is a file"]);
    assert_eq!(files_under(&env.path("u3")), ["images"]);
    std::fs::remove_file(env.path("u3/images")).unwrap();
    env.clear_hub();
    env.run_ok("download kaggle --competition titanic -o u3");
    assert!(
        env.storage_requests().is_empty(),
        "the verified archive is reused"
    );
    assert_file(env.path("u3/images/1.png"), "png");
}
