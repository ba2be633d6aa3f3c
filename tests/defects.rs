//! Regression tests for the defects a demanding user and a hostile network found (issue 11):
//! identical contents, a proxy's 200 page, a zip inside a dataset, a user's own files, a verified
//! archive thrown away, unsafe names that were excluded anyway, lockfile sizes, internal names in
//! errors.

use std::time::Duration;

use crate::support::*;

fn sha256_hex(data: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(data))
}

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
    let r = env.run(&["download", "hf", "acme/dups", "-o", "out", "--json"]);
    r.expect_code(0);
    let out = env.path("out");
    assert_eq!(files_under(&out).len(), 208);
    for p in ["train/labels.txt", "test/labels.txt"] {
        assert_eq!(std::fs::read(out.join(p)).unwrap(), b"a\nb\n", "{p}");
    }
    for p in ["x/model.bin", "y/model.bin"] {
        assert_eq!(std::fs::read(out.join(p)).unwrap(), lfs, "{p}");
    }
    for i in 0..200 {
        assert_eq!(
            std::fs::read(out.join(format!("many/{i:03}.txt"))).unwrap(),
            b"same\n"
        );
    }
    // One transfer per distinct content: the 200 copies of "same\n" and the two LFS files were
    // each fetched once (4 contents; the empty files need no request at all).
    let resolves = env
        .requests_on(Origin::Api)
        .into_iter()
        .filter(|q| q.path().contains("/resolve/"))
        .count();
    assert_eq!(resolves, 4, "one resolve per distinct content");
    assert_eq!(env.requests_on(Origin::Cdn).len(), 1);
    assert_eq!(r.json()["files"].as_array().unwrap().len(), 208);
    // A re-run transfers nothing.
    env.hub.clear_requests();
    env.run(&["download", "hf", "acme/dups", "-o", "out"])
        .expect_code(0);
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
    env.run(&["download", "hf", "acme/dups", "--layout", "hf-cache"])
        .expect_code(0);
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
    assert_eq!(std::fs::read(snap.join("y/m.bin")).unwrap(), lfs);
}

// ---- item 2: a 200 answer with a short body ----

const PORTAL_PAGE: &[u8] = b"<html><body>Please log in to the Wi-Fi</body></html>";

fn portal() -> FaultKind {
    FaultKind::Replace {
        code: 200,
        content_type: "text/html; charset=utf-8".into(),
        body: PORTAL_PAGE.to_vec(),
    }
}

#[test]
fn a_proxy_page_instead_of_a_file_ends_after_the_retries() {
    let mut env = TestEnv::new();
    env.env("DSFETCH_RETRIES", "2");
    env.hub.add_hf_repo(
        HfRepo::new("acme/big")
            .lfs_file("a.bin", bytes(3, 300_000))
            .file("small.txt", "hello\n"),
    );
    env.hub
        .fault(Fault::new(Origin::Cdn, portal()).times(usize::MAX));
    let r = env
        .cmd()
        .args([
            "download",
            "hf",
            "acme/big",
            "-o",
            "out",
            "--connections",
            "1",
        ])
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    let r = Run(r);
    r.expect_code(5);
    let err = r.stderr();
    let line = err
        .lines()
        .find(|l| l.starts_with("dsfetch: error:"))
        .unwrap();
    assert!(
        line.contains("HTTP 200")
            && line.contains("text/html")
            && line.contains(&format!("{} bytes", PORTAL_PAGE.len())),
        "{line}"
    );
    // Bounded: the first try and two retries.
    assert_eq!(env.requests_on(Origin::Cdn).len(), 3);
    assert!(!env.path("out/a.bin").exists());
    // Nothing of the page was kept as if it were the file's start.
    env.hub.clear_faults();
    env.run(&["download", "hf", "acme/big", "-o", "out"])
        .expect_code(0);
    assert_eq!(
        std::fs::read(env.path("out/a.bin")).unwrap(),
        bytes(3, 300_000)
    );
}

#[test]
fn a_proxy_page_on_kaggle_storage_is_not_taken_for_the_archive() {
    let mut env = TestEnv::new();
    env.env("DSFETCH_RETRIES", "1");
    env.hub
        .add_kaggle_dataset(KaggleDataset::new("alice/titanic").file("a.csv", "x,y\n1,2\n"));
    env.hub
        .fault(Fault::new(Origin::Storage, portal()).times(usize::MAX));
    let r = Run(env
        .cmd()
        .args(["download", "kaggle", "alice/titanic", "-o", "t"])
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap());
    r.expect_code(5);
    assert!(r.stderr().contains("text/html"), "{}", r.stderr());
    assert_eq!(env.requests_on(Origin::Storage).len(), 2);
    assert!(files_under(&env.path("t")).is_empty());
}

#[test]
fn short_bodies_that_never_get_further_are_not_progress() {
    // A server that answers every request with 200 and the same first kilobyte of the file never
    // moves the resume point past where the first attempt got to.
    let mut env = TestEnv::new();
    env.env("DSFETCH_RETRIES", "3");
    let data = bytes(3, 300_000);
    env.hub
        .add_hf_repo(HfRepo::new("acme/big").lfs_file("a.bin", data.clone()));
    env.hub.fault(
        Fault::new(
            Origin::Cdn,
            FaultKind::Replace {
                code: 200,
                content_type: "application/octet-stream".into(),
                body: data[..1000].to_vec(),
            },
        )
        .times(usize::MAX),
    );
    let r = Run(env
        .cmd()
        .args([
            "download",
            "hf",
            "acme/big",
            "-o",
            "out",
            "--connections",
            "1",
        ])
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap());
    r.expect_code(5);
    assert!(r.stderr().contains("1000 bytes"), "{}", r.stderr());
    assert_eq!(env.requests_on(Origin::Cdn).len(), 4);
}

// ---- item 3: a Kaggle file that is itself a zip ----

// ---- item 5: the user's files, --force, and switching versions ----

// ---- item 7: a verified archive is reused ----

// ---- item 9: unsafe names that are filtered out ----

#[test]
fn an_excluded_unsafe_name_is_skipped_with_a_warning() {
    let env = TestEnv::new();
    env.hub.add_hf_repo(
        HfRepo::new("acme/mixed")
            .file("data/a.csv", "1\n")
            .hf_file(HfFile::regular("../evil.txt", "x")),
    );
    let r = env.run(&[
        "download",
        "hf",
        "acme/mixed",
        "-o",
        "m",
        "--include",
        "data/",
    ]);
    r.expect_code(0);
    assert_eq!(files_under(&env.path("m")), vec!["data/a.csv"]);
    assert!(r.stderr().contains("evil"), "{}", r.stderr());
    // Without the filter the dataset is still refused, nothing written.
    let r = env.run(&["download", "hf", "acme/mixed", "-o", "m2"]);
    r.expect_code(1);
    assert!(files_under(&env.path("m2")).is_empty());
}

// ---- item 15: lockfile sizes, internal names ----

#[test]
fn kaggle_errors_name_the_dataset_and_file_not_temp_names() {
    let env = TestEnv::new();
    env.hub
        .add_kaggle_dataset(KaggleDataset::new("alice/t").file("a.csv", "1,2\n"));
    // The partial file's place is taken by a folder: the transfer cannot write.
    let tmp = env.path("t/.dsfetch/tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    let part = format!("kaggle-v1-{}.part", &sha256_hex(b"a.csv")[..32]);
    std::fs::create_dir_all(tmp.join(part)).unwrap();
    let r = env.run(&[
        "download", "kaggle", "alice/t", "--file", "a.csv", "-o", "t",
    ]);
    r.expect_code(1);
    let err = r.stderr();
    assert!(!err.contains("kaggle-v1-"), "{err}");
    assert!(err.contains("a.csv") && err.contains("alice/t"), "{err}");
}
