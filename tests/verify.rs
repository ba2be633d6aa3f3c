//! `dsfetch verify`: one flipped byte, one missing file and one extra file found, exit 6, and
//! `--repair` fetching exactly the bad files again (proved by what the fake hub saw), in a plain
//! folder, a Kaggle version's folder, the huggingface_hub cache, and against a lockfile.

use serde_json::Value;

use crate::support::*;

fn rpc_calls(env: &TestEnv, method: &str) -> Vec<Recorded> {
    env.requests_on(Origin::Api)
        .into_iter()
        .filter(|r| r.path().ends_with(&format!("/{method}")))
        .collect()
}

/// Flips one byte of `path` (same size).
fn flip_byte(path: &std::path::Path) {
    let mut b = std::fs::read(path).unwrap();
    let mid = b.len() / 2;
    b[mid] ^= 0x40;
    std::fs::write(path, b).unwrap();
}

fn names(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap().to_string())
        .collect()
}

fn acme(env: &TestEnv) {
    env.hub.add_hf_repo(
        HfRepo::new("acme/x")
            .file("a.txt", "aaa\n")
            .file("b.txt", "bbb\n")
            .lfs_file("data/c.bin", bytes(7, 50_000))
            .lfs_file("data/d.bin", bytes(8, 40_000)),
    );
}

#[test]
fn a_flipped_byte_a_missing_file_and_an_extra_file_then_repair_fetches_only_those() {
    let env = TestEnv::new();
    acme(&env);
    env.run_ok("download hf acme/x");
    let root = env.path("downloads/acme_x");
    env.run_ok("verify hf:acme/x");
    flip_byte(&root.join("data/c.bin"));
    std::fs::remove_file(root.join("a.txt")).unwrap();
    env.write("downloads/acme_x/extra.txt", "mine\n");
    let r = env.run_expect(6, "verify --json");
    let f = &r.json()["results"][0];
    assert_eq!(names(&f["missing"]), ["a.txt"]);
    assert_eq!(names(&f["modified"]), ["data/c.bin"]);
    assert_eq!(names(&f["extra"]), ["extra.txt"]);
    assert_eq!(f["ok"], false);
    let text = env.run_expect(6, "verify downloads/acme_x").stdout();
    assert!(text.contains("1 missing, 1 modified, 1 extra"), "{text}");
    // The repair asks the hub for those two files only.
    env.clear_hub();
    let v = env.run_ok("verify --repair --json").json();
    let resolved: Vec<String> = env
        .requests_matching(Origin::Api, "/resolve/")
        .iter()
        .map(|q| q.path().rsplit('/').next().unwrap().to_string())
        .collect();
    let mut resolved = resolved;
    resolved.sort();
    assert_eq!(resolved, ["a.txt", "c.bin"], "{:#?}", env.hub.requests());
    assert_eq!(env.cdn_requests().len(), 1, "only c.bin is an LFS file");
    assert_eq!(names(&v["results"][0]["repaired"]), ["a.txt", "data/c.bin"]);
    assert_file(root.join("data/c.bin"), bytes(7, 50_000));
    assert_file(root.join("a.txt"), "aaa\n");
    // The user's file is left alone (and still reported).
    assert_file(root.join("extra.txt"), "mine\n");
    assert_eq!(names(&v["results"][0]["extra"]), ["extra.txt"]);
    std::fs::remove_file(root.join("extra.txt")).unwrap();
    env.run_ok("verify");
    // The record still holds every file: a download has nothing to do.
    env.clear_hub();
    env.run_ok("download hf acme/x");
    env.assert_no_blob_requests();
}

#[test]
fn a_kaggle_version_is_repaired_file_by_file_and_stays_whole() {
    let env = TestEnv::new();
    env.hub.add_kaggle_dataset(
        KaggleDataset::new("alice/titanic")
            .file("train.csv", bytes(3, 20_000))
            .file("test.csv", "id\n1\n")
            .file("sub/notes.txt", "notes\n"),
    );
    env.run_ok("download kaggle alice/titanic");
    let root = env.path("downloads/titanic");
    flip_byte(&root.join("train.csv"));
    std::fs::remove_file(root.join("test.csv")).unwrap();
    env.write("downloads/titanic/extra.csv", "x\n");
    let r = env.run_expect(6, "verify kaggle:alice/titanic --json");
    let f = &r.json()["results"][0];
    assert_eq!(
        (
            names(&f["missing"]),
            names(&f["modified"]),
            names(&f["extra"])
        ),
        (
            vec!["test.csv".to_string()],
            vec!["train.csv".to_string()],
            vec!["extra.csv".to_string()]
        )
    );
    env.clear_hub();
    env.run_ok("verify kaggle:alice/titanic --repair");
    let asked: Vec<Value> = rpc_calls(&env, "DownloadDataset")
        .iter()
        .map(|q| serde_json::from_slice(&q.body).unwrap())
        .collect();
    let mut files: Vec<&str> = asked
        .iter()
        .map(|b| b["fileName"].as_str().unwrap())
        .collect();
    files.sort();
    assert_eq!(
        files,
        ["test.csv", "train.csv"],
        "no whole archive: {asked:?}"
    );
    assert!(asked.iter().all(|b| b["datasetVersionNumber"] == 1));
    assert!(
        rpc_calls(&env, "GetDataset").is_empty(),
        "the version on disk is fetched"
    );
    assert_file(root.join("train.csv"), bytes(3, 20_000));
    assert_file(root.join("test.csv"), "id\n1\n");
    // Still the whole version: the next download fetches nothing.
    env.clear_hub();
    env.run_ok("download kaggle alice/titanic");
    env.assert_no_blob_requests();
}

#[test]
fn the_hf_cache_is_verified_and_repaired_too() {
    let mut env = TestEnv::new();
    acme(&env);
    let cache = env.path("hub");
    env.env("HF_HUB_CACHE", cache.to_str().unwrap());
    let commit = env
        .run_ok("download hf acme/x --layout hf-cache --json")
        .json()["commit"]
        .as_str()
        .unwrap()
        .to_string();
    let snap = cache.join("datasets--acme--x/snapshots").join(&commit);
    // The blob behind the link is what changes.
    let blob = std::fs::canonicalize(snap.join("data/d.bin")).unwrap();
    flip_byte(&blob);
    std::fs::remove_file(snap.join("b.txt")).unwrap();
    let f = env.run_expect(6, "verify hf:acme/x --json").json()["results"][0].clone();
    assert_eq!(names(&f["modified"]), ["data/d.bin"]);
    assert_eq!(names(&f["missing"]), ["b.txt"]);
    env.clear_hub();
    env.run_ok("verify hf:acme/x --repair");
    assert_eq!(env.cdn_requests().len(), 1, "{:#?}", env.hub.requests());
    assert_file(snap.join("data/d.bin"), bytes(8, 40_000));
    assert_file(snap.join("b.txt"), "bbb\n");
    env.run_ok("verify");
}

#[test]
fn verify_against_a_lockfile() {
    let env = TestEnv::new();
    acme(&env);
    env.write("m.txt", "hf:acme/x\n");
    env.run_ok("batch m.txt");
    let root = env.path("downloads/acme_x");
    env.run_ok("verify --lock m.lock");
    flip_byte(&root.join("data/d.bin"));
    let f = env.run_expect(6, "verify --lock m.lock --json").json()["results"][0].clone();
    assert_eq!(names(&f["modified"]), ["data/d.bin"]);
    env.clear_hub();
    env.run_ok("verify --lock m.lock --repair");
    assert_eq!(env.cdn_requests().len(), 1);
    assert_file(root.join("data/d.bin"), bytes(8, 40_000));
    env.run_expect(2, "verify --lock missing.lock");
    env.run_expect(4, "verify hf:acme/other");
}
