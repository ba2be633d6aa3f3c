//! What is on disk: `list` (folders, the huggingface_hub cache and the kagglehub cache), `rm` and
//! `prune` (what they remove, `--yes` without a terminal, never through a symbolic link, least
//! recently used first, the automatic prune to `max_size`).

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use serde_json::Value;

use crate::support::*;

/// An environment whose caches live in its working folder.
fn env_with_caches() -> TestEnv {
    let mut env = TestEnv::new();
    let hub = env.path("hub");
    let kh = env.path("kh");
    env.env("HF_HUB_CACHE", hub.to_str().unwrap());
    env.env("KAGGLEHUB_CACHE", kh.to_str().unwrap());
    env
}

fn hf_repo(env: &TestEnv, id: &str, len: usize) -> String {
    env.hub.add_hf_repo(
        HfRepo::new(id)
            .file("README.md", format!("# {id}\n"))
            .lfs_file("data/train.bin", bytes(len as u64, len)),
    )
}

fn kaggle_dataset(env: &TestEnv, id: &str, len: usize) {
    env.hub.add_kaggle_dataset(
        KaggleDataset::new(id)
            .file("train.csv", bytes(len as u64 + 1, len))
            .file("sub/notes.txt", "notes\n"),
    );
}

/// `list --json` with `args`, as an array.
fn list(env: &TestEnv, args: &str) -> Vec<Value> {
    let v = env.run_ok(format!("list --json {args}")).json();
    v.as_array().expect("an array").clone()
}

fn by_ref<'a>(items: &'a [Value], prefix: &str) -> &'a Value {
    items
        .iter()
        .find(|i| i["ref"].as_str().unwrap().starts_with(prefix))
        .unwrap_or_else(|| panic!("no {prefix} in {items:#?}"))
}

/// Sets the modification time of `path`.
fn set_mtime(path: &Path, t: SystemTime) {
    let f = std::fs::OpenOptions::new()
        .write(true)
        .open(path)
        .or_else(|_| std::fs::File::open(path))
        .unwrap();
    f.set_modified(t).unwrap();
}

fn days_ago(n: u64) -> SystemTime {
    SystemTime::now() - Duration::from_secs(n * 86_400)
}

#[test]
fn list_shows_folders_and_both_caches() {
    let env = env_with_caches();
    let commit = hf_repo(&env, "acme/x", 3000);
    hf_repo(&env, "acme/y", 4000);
    kaggle_dataset(&env, "alice/titanic", 500);
    kaggle_dataset(&env, "bob/iris", 700);
    env.run_ok("download hf acme/x");
    env.run_ok("download hf acme/y --layout hf-cache");
    env.run_ok("download kaggle alice/titanic");
    env.run_ok("download kaggle bob/iris --layout kagglehub");
    let items = list(&env, "");
    assert_eq!(items.len(), 4, "{items:#?}");
    let x = by_ref(&items, "hf:acme/x@");
    assert_eq!(x["ref"], format!("hf:acme/x@{commit}"));
    assert_keys(
        x,
        &[
            "source",
            "kind",
            "id",
            "layout",
            "path",
            "version",
            "commit",
            "files",
            "size",
            "last_fetched",
            "state",
            "partial_bytes",
            "pending_bytes",
            "by_dsfetch",
        ],
    );
    assert_eq!(
        (&x["source"], &x["kind"], &x["layout"], &x["state"]),
        (
            &Value::from("HuggingFace"),
            &Value::from("dataset"),
            &Value::from("folder"),
            &Value::from("complete")
        )
    );
    assert_eq!(x["files"], 2);
    assert_eq!(x["size"], 3000 + "# acme/x\n".len());
    assert!(x["last_fetched"].as_str().unwrap().ends_with('Z'));
    let y = by_ref(&items, "hf:acme/y@");
    assert_eq!(y["layout"], "hf-cache");
    assert_eq!(y["refs"], serde_json::json!(["main"]));
    assert_eq!(y["files"], 2);
    let t = by_ref(&items, "kaggle:alice/titanic");
    assert_eq!(
        (t["version"].as_u64(), t["files"].as_u64()),
        (Some(1), Some(2))
    );
    let iris = by_ref(&items, "kaggle:bob/iris/versions/1");
    assert_eq!(iris["layout"], "kagglehub");
    assert_eq!(iris["state"], "complete");
    // Filters: a hub, an id, a path.
    assert_eq!(list(&env, "--source kaggle").len(), 2);
    assert_eq!(list(&env, "hf:acme/y").len(), 1);
    assert_eq!(list(&env, "bob/iris/versions/1").len(), 1);
    assert_eq!(list(&env, "downloads/titanic")[0]["id"], "alice/titanic");
    assert!(list(&env, "hf:acme/nothing").is_empty());
    // The table for people.
    let table = env.run_ok("list").stdout();
    assert!(
        table.starts_with("ID") && table.contains("kaggle:bob/iris"),
        "{table}"
    );
    assert!(table.contains("main"), "refs are shown: {table}");
    assert!(table.contains("4 dataset(s)"), "{table}");
}

#[test]
fn list_tells_partial_and_modified_datasets() {
    let env = env_with_caches();
    hf_repo(&env, "acme/x", 3000);
    kaggle_dataset(&env, "alice/titanic", 500);
    env.run_ok("download hf acme/x");
    env.run_ok("download kaggle alice/titanic");
    // A partial download waiting to be resumed; a file changed since it was fetched.
    let tmp = env.path("downloads/acme_x/.dsfetch/tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    std::fs::write(tmp.join("abc.part"), vec![1u8; 1234]).unwrap();
    std::fs::write(env.path("downloads/titanic/train.csv"), "changed\n").unwrap();
    let items = list(&env, "");
    let x = by_ref(&items, "hf:acme/x");
    assert_eq!(x["state"], "partial");
    assert_eq!(x["partial_bytes"], 1234);
    let t = by_ref(&items, "kaggle:alice/titanic");
    assert_eq!(t["state"], "modified");
    assert_eq!(t["modified"], serde_json::json!(["train.csv"]));
    let table = env.run_ok("list").stdout();
    assert!(
        table.contains("modified (1 file(s))") && table.contains("partial"),
        "{table}"
    );
}

#[test]
fn rm_needs_yes_without_a_terminal_and_deletes_whole_datasets() {
    let env = env_with_caches();
    hf_repo(&env, "acme/x", 3000);
    hf_repo(&env, "acme/y", 4000);
    kaggle_dataset(&env, "bob/iris", 700);
    env.run_ok("download hf acme/x");
    env.run_ok("download hf acme/y --layout hf-cache");
    env.run_ok("download kaggle bob/iris --layout kagglehub");
    // No terminal, no --yes: refused, nothing deleted.
    let r = env.run_expect(2, "rm hf:acme/x");
    assert!(r.error_line().contains("--yes"), "{}", r.stderr());
    assert_exists(env.path("downloads/acme_x/README.md"));
    env.run_expect(2, "prune --max-size 0");
    // A dry run lists what would go and the space it frees.
    let plan = env.run_ok("rm hf:acme/x hf:acme/y --dry-run --json").json();
    assert_eq!(plan["dry_run"], true);
    assert_eq!(plan["removed"].as_array().unwrap().len(), 2);
    assert!(plan["freed_bytes"].as_u64().unwrap() >= 7000);
    assert_exists(env.path("downloads/acme_x/README.md"));
    // With --yes: the folder (the user's own file stays), the cache repo, the kagglehub version.
    env.write("downloads/acme_x/mine.txt", "mine");
    let out = env
        .run_ok("rm hf:acme/x hf:acme/y kaggle:bob/iris --yes")
        .stdout();
    assert!(out.contains("Freed"), "{out}");
    assert_tree(env.path("downloads/acme_x"), &["mine.txt"]);
    assert_no_file(env.path("hub/datasets--acme--y"));
    assert_no_file(env.path("kh/datasets/bob/iris/versions/1"));
    assert_no_file(env.path("kh/datasets/bob/iris/1.complete"));
    assert!(list(&env, "").is_empty());
    // Nothing matches: exit 4; a folder outside the roots: refused.
    env.run_expect(4, "rm hf:acme/x --yes");
    let outside = tempfile::tempdir().unwrap();
    let r = env.run(&["rm", outside.path().to_str().unwrap(), "--yes"]);
    r.expect_code(2);
}

#[cfg(unix)]
#[test]
fn rm_and_prune_leave_files_reached_through_a_link_alone() {
    let env = env_with_caches();
    hf_repo(&env, "acme/x", 3000);
    hf_repo(&env, "acme/y", 4000);
    env.run_ok("download hf acme/x");
    env.run_ok("download hf acme/y --layout hf-cache");
    // Outside the roots: a folder with a file of the same name as the dataset's.
    let outside = tempfile::tempdir().unwrap();
    let precious = outside.path().join("data/train.bin");
    std::fs::create_dir_all(precious.parent().unwrap()).unwrap();
    std::fs::write(&precious, "precious").unwrap();
    // The dataset folder's `data` becomes a link to it; a cache snapshot gets a link to it too.
    let data = env.path("downloads/acme_x/data");
    std::fs::remove_dir_all(&data).unwrap();
    std::os::unix::fs::symlink(outside.path().join("data"), &data).unwrap();
    let snap = std::fs::read_dir(env.path("hub/datasets--acme--y/snapshots"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    std::os::unix::fs::symlink(&precious, snap.join("escape.bin")).unwrap();
    // A whole download root that is a link elsewhere is not followed either.
    env.run_ok("rm hf:acme/x hf:acme/y --yes");
    assert_file(&precious, "precious");
    assert_no_file(env.path("hub/datasets--acme--y"));
    // The link itself was not the dataset's: it stays, and so does what it points to.
    assert!(std::fs::symlink_metadata(&data).is_ok());
    // prune --max-size 0 on a folder whose record names a file through a link: the same.
    env.run_ok("download hf acme/y");
    let y_data = env.path("downloads/acme_y/data");
    std::fs::remove_dir_all(&y_data).unwrap();
    std::os::unix::fs::symlink(outside.path().join("data"), &y_data).unwrap();
    env.run_ok("prune --max-size 0 --yes");
    assert_file(&precious, "precious");
}

#[test]
fn prune_max_size_removes_the_least_recently_used_first() {
    let env = env_with_caches();
    for (id, len) in [("acme/a", 10_000), ("acme/b", 10_000), ("acme/c", 10_000)] {
        hf_repo(&env, id, len);
    }
    kaggle_dataset(&env, "alice/k", 10_000);
    env.run_ok("download hf acme/a");
    env.run_ok("download hf acme/b --layout hf-cache");
    env.run_ok("download hf acme/c");
    env.run_ok("download kaggle alice/k --layout kagglehub");
    // Last used: b 40 days ago, k 30, a 20, c 10 (injected through the records' times).
    set_mtime(
        &env.path("hub/.locks/datasets--acme--b/.dsfetch/record.json"),
        days_ago(40),
    );
    set_mtime(
        &env.path("kh/datasets/alice/k/.dsfetch/v1/record.json"),
        days_ago(30),
    );
    set_mtime(
        &env.path("downloads/acme_a/.dsfetch/record.json"),
        days_ago(20),
    );
    set_mtime(
        &env.path("downloads/acme_c/.dsfetch/record.json"),
        days_ago(10),
    );
    // Room for two datasets: b and k go, in that order.
    let r = env.run_ok("prune --max-size 25000 --yes --json").json();
    let gone: Vec<&str> = r["removed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["ref"].as_str().unwrap())
        .collect();
    assert_eq!(gone, ["hf:acme/b", "kaggle:alice/k/versions/1"], "{r:#}");
    assert!(
        r["removed"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["reason"] == "least recently used")
    );
    let left: Vec<String> = list(&env, "")
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(left, ["acme/a", "acme/c"]);
}

#[test]
fn prune_removes_stale_partials_old_versions_and_unreferenced_revisions() {
    let env = env_with_caches();
    let first = hf_repo(&env, "acme/y", 3000);
    kaggle_dataset(&env, "bob/iris", 700);
    env.run_ok("download hf acme/y --layout hf-cache");
    env.run_ok("download kaggle bob/iris --layout kagglehub");
    // A new commit on main and a new Kaggle version, fetched too: the old ones are detached.
    env.hub.hf_commit(
        "acme/y",
        "main",
        vec![HfFile::regular("README.md", "v2\n")],
        &[],
    );
    env.hub
        .kaggle_add_version("bob/iris", vec![("iris.csv".into(), b"a\n1\n".to_vec())]);
    env.run_ok("download hf acme/y --layout hf-cache");
    env.run_ok("download kaggle bob/iris --layout kagglehub");
    // Partial downloads: one stale, one fresh.
    let tmp = env.path("downloads/acme_z/.dsfetch/tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    std::fs::write(tmp.join("old.part"), vec![0u8; 100]).unwrap();
    std::fs::write(tmp.join("new.part"), vec![0u8; 100]).unwrap();
    set_mtime(&tmp.join("old.part"), days_ago(30));
    let plan = env.run_ok("prune --dry-run --json").json();
    let reasons: Vec<(String, String)> = plan["removed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["reason"].as_str().unwrap().into(),
                d["path"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(reasons.len(), 3, "{plan:#}");
    assert!(
        reasons
            .iter()
            .any(|(r, p)| r == "partial download" && p.ends_with("old.part"))
    );
    assert!(
        reasons
            .iter()
            .any(|(r, p)| r == "unreferenced revision" && p.ends_with(&first))
    );
    assert!(
        reasons
            .iter()
            .any(|(r, p)| r == "old version" && p.ends_with("iris/versions/1"))
    );
    env.run_ok("prune --yes");
    assert_no_file(tmp.join("old.part"));
    assert_exists(tmp.join("new.part"));
    assert_no_file(env.path("hub/datasets--acme--y/snapshots").join(&first));
    assert_no_file(env.path("kh/datasets/bob/iris/versions/1"));
    assert_exists(env.path("kh/datasets/bob/iris/versions/2/iris.csv"));
    let left = list(&env, "");
    assert_eq!(left.len(), 2, "{left:#?}");
    // Only partials, with their own age.
    env.run_ok("prune --partials --older-than 0 --yes");
    assert_no_file(tmp.join("new.part"));
}

#[test]
fn max_size_prunes_after_each_download_but_never_the_one_fetched() {
    let mut env = env_with_caches();
    hf_repo(&env, "acme/a", 20_000);
    hf_repo(&env, "acme/b", 20_000);
    env.run_ok("download hf acme/a");
    set_mtime(
        &env.path("downloads/acme_a/.dsfetch/record.json"),
        days_ago(5),
    );
    env.env("DSFETCH_MAX_SIZE", "30kB");
    let r = env.run_ok("download hf acme/b");
    assert!(r.stderr().contains("Pruned 1"), "{}", r.stderr());
    assert_no_file(env.path("downloads/acme_a/data/train.bin"));
    assert_exists(env.path("downloads/acme_b/data/train.bin"));
    // Alone over the budget, the one just fetched stays.
    env.env("DSFETCH_MAX_SIZE", "1kB");
    env.run_ok("download hf acme/a");
    assert_exists(env.path("downloads/acme_a/data/train.bin"));
    let cfg = env.run_ok("config --json").json();
    assert_eq!(cfg["max_size"]["value"], "1.0 kB");
    env.env("DSFETCH_MAX_SIZE", "lots");
    env.run_expect(2, "download hf acme/a");
}

#[test]
fn a_dataset_another_dsfetch_holds_is_left_alone() {
    let env = env_with_caches();
    hf_repo(&env, "acme/a", 1000);
    env.run_ok("download hf acme/a");
    // Hold the folder's lock as a running download would.
    let lock_path: PathBuf = env.path("downloads/acme_a/.dsfetch/lock");
    let f = std::fs::OpenOptions::new()
        .write(true)
        .open(&lock_path)
        .unwrap();
    f.lock().unwrap();
    let r = env.run_ok("rm hf:acme/a --yes");
    assert!(r.stderr().contains("another dsfetch"), "{}", r.stderr());
    assert_exists(env.path("downloads/acme_a/data/train.bin"));
    drop(f);
    env.run_ok("rm hf:acme/a --yes");
    assert_no_file(env.path("downloads/acme_a/data/train.bin"));
}
