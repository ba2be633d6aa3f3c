//! `dsfetch batch`: manifests, concurrency, failures, dry runs and the lockfile.

use crate::support::*;

fn hub_with_both(env: &TestEnv) {
    env.hub.add_hf_repo(
        HfRepo::new("acme/corpus")
            .file("README.md", "# corpus\n")
            .lfs_file("data/train.parquet", bytes(1, 120_000)),
    );
    env.hub
        .add_hf_repo(HfRepo::new("acme/small").file("a.txt", "small\n"));
    env.hub.add_kaggle_dataset(
        KaggleDataset::new("alice/titanic")
            .file("train.csv", bytes(3, 90_000))
            .file("test.csv", "id\n1\n"),
    );
    env.hub
        .add_kaggle_dataset(KaggleDataset::new("bob/iris").file("iris.csv", "a,b\n1,2\n"));
}

fn write(env: &TestEnv, name: &str, text: &str) -> String {
    let p = env.path(name);
    std::fs::write(&p, text).unwrap();
    name.to_string()
}

#[test]
fn text_manifest_mixed_hubs_concurrently() {
    let env = TestEnv::new();
    hub_with_both(&env);
    let m = write(
        &env,
        "datasets.txt",
        "# training data\nkaggle:alice/titanic\nhf:acme/corpus@main\n\nhttps://huggingface.co/datasets/acme/small  # tiny\nhttps://www.kaggle.com/datasets/bob/iris\n",
    );
    let r = env.run(&["batch", &m, "--json"]);
    r.expect_code(0);
    let v = r.json();
    assert_eq!(v["succeeded"], 4);
    assert_eq!(v["failed"], 0);
    let results = v["results"].as_array().unwrap();
    assert_eq!(results.len(), 4);
    assert_eq!(results[0]["entry"], "kaggle:alice/titanic");
    assert_eq!(results[0]["version"], 1);
    assert_eq!(results[1]["source"], "HuggingFace");
    assert_eq!(
        std::fs::read(env.path("downloads/titanic/train.csv")).unwrap(),
        bytes(3, 90_000)
    );
    assert_eq!(
        std::fs::read(env.path("downloads/acme_corpus/data/train.parquet")).unwrap(),
        bytes(1, 120_000)
    );
    assert!(
        env.path("downloads/acme_small/a.txt").exists()
            && env.path("downloads/iris/iris.csv").exists()
    );
    // The lockfile sits next to the manifest, named after it.
    let lock = std::fs::read_to_string(env.path("datasets.lock")).unwrap();
    assert!(
        lock.contains("entry = \"hf:acme/corpus@main\"") && lock.contains("version = 1"),
        "{lock}"
    );
}

#[test]
fn toml_manifest_with_options() {
    let env = TestEnv::new();
    hub_with_both(&env);
    let m = write(
        &env,
        "dsfetch.toml",
        r#"
[[dataset]]
source = "kaggle"
id = "alice/titanic"
files = ["test.csv"]
output = "data/titanic"

[[dataset]]
id = "hf:acme/corpus"
revision = "main"
include = ["*.md"]

[[dataset]]
source = "kaggle"
id = "bob/iris"
unzip = false
"#,
    );
    let r = env.run(&["batch", &m]);
    r.expect_code(0);
    assert_eq!(files_under(&env.path("data/titanic")), vec!["test.csv"]);
    assert_eq!(
        files_under(&env.path("downloads/acme_corpus")),
        vec!["README.md"]
    );
    assert_eq!(files_under(&env.path("downloads/iris")), vec!["iris.zip"]);
    // The summary table is the result, on stdout.
    let out = r.stdout();
    assert!(
        out.contains("ENTRY") && out.contains("STATUS") && out.contains("3 succeeded, 0 failed"),
        "{out}"
    );
}

#[test]
fn manifest_errors_are_all_reported_with_lines_before_anything_runs() {
    let env = TestEnv::new();
    hub_with_both(&env);
    let m = write(
        &env,
        "bad.txt",
        "kaggle:alice/titanic\nnot-an-id\nhf:acme/corpus\nhf:acme/corpus\nkaggle:bob/titanic\n",
    );
    let r = env.run(&["batch", &m]);
    r.expect_code(2);
    let err = r.stderr();
    assert!(err.contains("bad.txt:2:"), "{err}");
    assert!(err.contains("bad.txt:4: duplicate"), "{err}");
    assert!(
        err.contains("bad.txt:5:") && err.contains("same folder"),
        "{err}"
    );
    assert!(env.hub.requests().is_empty(), "nothing ran");
    let m = write(
        &env,
        "bad.toml",
        "[[dataset]]\nid = \"hf:acme/corpus\"\nversion = 3\n\n[[dataset]]\nid = \"kaggle:alice/titanic\"\nrevision = \"main\"\n",
    );
    let r = env.run(&["batch", &m]);
    r.expect_code(2);
    assert!(
        r.stderr().contains("bad.toml:1:") && r.stderr().contains("bad.toml:5:"),
        "{}",
        r.stderr()
    );
    // stdin works too.
    let r = env
        .cmd()
        .args(["batch", "-", "--json"])
        .write_stdin("hf:acme/small\n")
        .output()
        .unwrap();
    assert_eq!(
        r.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&r.stderr)
    );
}

#[test]
fn one_failing_entry_does_not_stop_the_others() {
    let env = TestEnv::new();
    hub_with_both(&env);
    let m = write(
        &env,
        "m.txt",
        "kaggle:alice/titanic\nhf:acme/missing\nhf:acme/small\n",
    );
    let r = env.run(&["batch", &m, "--json"]);
    r.expect_code(1);
    let v = r.json();
    assert_eq!(v["succeeded"], 2);
    assert_eq!(v["failed"], 1);
    let failed = &v["results"][1];
    assert_eq!(failed["success"], false);
    assert_eq!(failed["error"]["kind"], "not_found");
    assert!(
        env.path("downloads/titanic/train.csv").exists()
            && env.path("downloads/acme_small/a.txt").exists()
    );
    assert!(r.stderr().contains("hf:acme/missing"), "{}", r.stderr());
    // All failing the same way: that shared code.
    let m = write(&env, "m2.txt", "hf:acme/missing\nkaggle:alice/missing\n");
    env.run(&["batch", &m]).expect_code(4);
    // --fail-fast: the rest is not run.
    let m = write(&env, "m3.txt", "hf:acme/missing\nhf:acme/corpus\n");
    let r = env.run(&["batch", &m, "--fail-fast", "--jobs", "1", "--json"]);
    r.expect_code(1);
    assert!(
        r.json()["results"][1]["error"]["message"]
            .as_str()
            .unwrap()
            .contains("fail-fast")
    );
    assert!(!env.path("downloads/acme_corpus").exists());
}

#[test]
fn dry_run_writes_nothing_and_shows_the_plan() {
    let env = TestEnv::new();
    hub_with_both(&env);
    let m = write(&env, "m.txt", "kaggle:alice/titanic\nhf:acme/corpus\n");
    let r = env.run(&["batch", &m, "--dry-run"]);
    r.expect_code(0);
    let out = r.stdout();
    assert!(
        out.contains("TO FETCH") && out.contains("Dry run: would download"),
        "{out}"
    );
    assert!(!env.path("downloads").exists());
    assert!(!env.path("m.lock").exists() && !env.path("dsfetch.lock").exists());
    assert!(env.requests_on(Origin::Cdn).is_empty() && env.requests_on(Origin::Storage).is_empty());
    // After a real run, the plan says everything is present.
    env.run(&["batch", &m]).expect_code(0);
    let r = env.run(&["batch", &m, "--dry-run", "--json"]);
    r.expect_code(0);
    let v = r.json();
    for res in v["results"].as_array().unwrap() {
        assert!(
            res["files"]
                .as_array()
                .unwrap()
                .iter()
                .all(|f| f["skipped"] == true),
            "{res}"
        );
    }
}

#[test]
fn lockfile_content_is_stable() {
    let env = TestEnv::new();
    hub_with_both(&env);
    let m = write(&env, "m.txt", "hf:acme/corpus\nkaggle:alice/titanic\n");
    env.run(&["batch", &m]).expect_code(0);
    let first = std::fs::read_to_string(env.path("m.lock")).unwrap();
    let commit = env.hub.hf_rev_sha("acme/corpus", "main").unwrap();
    assert!(first.contains(&format!("commit = \"{commit}\"")), "{first}");
    assert!(
        first.contains("path = \"data/train.parquet\", size = 120000, sha256 = "),
        "{first}"
    );
    // Sorted entries: hf before kaggle regardless of manifest order.
    assert!(first.find("hf:acme/corpus").unwrap() < first.find("kaggle:alice/titanic").unwrap());
    // A second run changes nothing, byte for byte.
    env.run(&["batch", &m]).expect_code(0);
    assert_eq!(std::fs::read_to_string(env.path("m.lock")).unwrap(), first);
    // --lock puts it elsewhere.
    env.run(&["batch", &m, "--lock", "other.lock"])
        .expect_code(0);
    assert_eq!(
        std::fs::read_to_string(env.path("other.lock")).unwrap(),
        first
    );
}

#[test]
fn locked_fetches_the_locked_data_after_upstream_drift() {
    let env = TestEnv::new();
    hub_with_both(&env);
    let m = write(&env, "m.txt", "hf:acme/corpus\nkaggle:alice/titanic\n");
    env.run(&["batch", &m]).expect_code(0);
    let lock_before = std::fs::read_to_string(env.path("m.lock")).unwrap();
    // Upstream moves: a new commit on main, a new Kaggle version.
    env.hub.hf_commit(
        "acme/corpus",
        "main",
        vec![HfFile::regular("README.md", "# moved on\n")],
        &[],
    );
    env.hub.kaggle_add_version(
        "alice/titanic",
        vec![("train.csv".into(), b"v2\n".to_vec())],
    );
    std::fs::remove_dir_all(env.path("downloads")).unwrap();
    let r = env.run(&["batch", &m, "--locked", "--json"]);
    r.expect_code(0);
    assert_eq!(
        std::fs::read_to_string(env.path("downloads/acme_corpus/README.md")).unwrap(),
        "# corpus\n"
    );
    assert_eq!(
        std::fs::read(env.path("downloads/titanic/train.csv")).unwrap(),
        bytes(3, 90_000)
    );
    assert_eq!(r.json()["results"][1]["version"], 1);
    assert_eq!(
        std::fs::read_to_string(env.path("m.lock")).unwrap(),
        lock_before,
        "--locked leaves the lock alone"
    );
    // Without --locked the moving targets are followed and the lock updated.
    env.run(&["batch", &m]).expect_code(0);
    let lock_after = std::fs::read_to_string(env.path("m.lock")).unwrap();
    assert_ne!(lock_after, lock_before);
    assert!(lock_after.contains("version = 2"));
}

#[test]
fn locked_repairs_a_corrupted_local_file_and_a_warm_run_downloads_nothing() {
    let env = TestEnv::new();
    hub_with_both(&env);
    let m = write(&env, "m.txt", "hf:acme/corpus\nkaggle:alice/titanic\n");
    env.run(&["batch", &m]).expect_code(0);
    // Same size, different bytes: only a hash can tell.
    let p = env.path("downloads/acme_corpus/data/train.parquet");
    let mut data = std::fs::read(&p).unwrap();
    data[1000] ^= 0xff;
    std::fs::write(&p, &data).unwrap();
    let k = env.path("downloads/titanic/test.csv");
    std::fs::write(&k, "id\n9\n").unwrap();
    env.hub.clear_requests();
    let r = env.run(&["batch", &m, "--locked", "--json"]);
    r.expect_code(0);
    assert_eq!(std::fs::read(&p).unwrap(), bytes(1, 120_000));
    assert_eq!(std::fs::read_to_string(&k).unwrap(), "id\n1\n");
    assert_eq!(
        env.requests_on(Origin::Cdn).len(),
        1,
        "only the damaged HF file was fetched"
    );
    // Warm and intact: nothing is downloaded, everything is verified.
    env.hub.clear_requests();
    let r = env.run(&["batch", &m, "--locked", "--json"]);
    r.expect_code(0);
    assert!(env.requests_on(Origin::Cdn).is_empty() && env.requests_on(Origin::Storage).is_empty());
    for res in r.json()["results"].as_array().unwrap() {
        assert_eq!(res["bytes_downloaded"], 0);
    }
}

#[test]
fn locked_fails_when_upstream_bytes_no_longer_match() {
    let env = TestEnv::new();
    hub_with_both(&env);
    let m = write(&env, "m.txt", "hf:acme/corpus\n");
    env.run(&["batch", &m]).expect_code(0);
    // Tamper the lock: it now pins other bytes for train.parquet than upstream has.
    let lock = std::fs::read_to_string(env.path("m.lock")).unwrap();
    let real = {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(bytes(1, 120_000)))
    };
    std::fs::write(env.path("m.lock"), lock.replace(&real, &"0".repeat(64))).unwrap();
    std::fs::remove_dir_all(env.path("downloads")).unwrap();
    let r = env.run(&["batch", &m, "--locked"]);
    r.expect_code(6);
    assert!(
        r.stderr().contains("hf:acme/corpus") && r.stderr().contains("data/train.parquet"),
        "{}",
        r.stderr()
    );
    assert!(
        !env.path("downloads/acme_corpus/data/train.parquet")
            .exists()
    );
    // Same for Kaggle: extracted files are checked before anything is moved into place.
    let m = write(&env, "k.txt", "kaggle:alice/titanic\n");
    env.run(&["batch", &m, "--lock", "k.lock"]).expect_code(0);
    let lock = std::fs::read_to_string(env.path("k.lock")).unwrap();
    let real = {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(bytes(3, 90_000)))
    };
    std::fs::write(env.path("k.lock"), lock.replace(&real, &"1".repeat(64))).unwrap();
    std::fs::remove_dir_all(env.path("downloads/titanic")).unwrap();
    let r = env.run(&["batch", &m, "--lock", "k.lock", "--locked"]);
    r.expect_code(6);
    assert!(r.stderr().contains("train.csv"), "{}", r.stderr());
    assert!(files_under(&env.path("downloads/titanic")).is_empty());
}

#[test]
fn locked_requires_every_entry_in_the_lock() {
    let env = TestEnv::new();
    hub_with_both(&env);
    let m = write(&env, "m.txt", "hf:acme/small\n");
    let r = env.run(&["batch", &m, "--locked"]);
    r.expect_code(2);
    assert!(r.stderr().contains("does not exist"), "{}", r.stderr());
    env.run(&["batch", &m]).expect_code(0);
    let m = write(&env, "m.txt", "hf:acme/small\nkaggle:bob/iris\n");
    let r = env.run(&["batch", &m, "--locked"]);
    r.expect_code(2);
    assert!(
        r.stderr().contains("line 2: kaggle:bob/iris"),
        "{}",
        r.stderr()
    );
    assert!(!env.path("downloads/iris").exists());
}

#[test]
fn entries_run_concurrently() {
    let env = TestEnv::new();
    hub_with_both(&env);
    // The Kaggle archive stalls for a while; the HF entry behind it in the manifest finishes first.
    env.hub.fault(
        Fault::new(
            Origin::Storage,
            FaultKind::Stall {
                after: 1000,
                duration: std::time::Duration::from_millis(1500),
            },
        )
        .times(1),
    );
    let m = write(&env, "m.txt", "kaggle:alice/titanic\nhf:acme/small\n");
    let r = env.run(&["batch", &m, "--progress", "json"]);
    r.expect_code(0);
    let done: Vec<String> = r
        .stderr()
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| v["event"] == "dataset_done")
        .map(|v| v["dataset"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        done,
        vec!["hf:acme/small", "kaggle:alice/titanic"],
        "{}",
        r.stderr()
    );
}

#[test]
fn locked_single_kaggle_files_that_changed_never_reach_the_folder() {
    let env = TestEnv::new();
    hub_with_both(&env);
    let m = write(
        &env,
        "files.toml",
        "[[dataset]]\nid = \"kaggle:alice/titanic\"\nfiles = [\"test.csv\"]\n",
    );
    env.run(&["batch", &m]).expect_code(0);
    let lock = std::fs::read_to_string(env.path("files.lock")).unwrap();
    let real = {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(b"id\n1\n"))
    };
    assert!(lock.contains(&real), "{lock}");
    std::fs::write(env.path("files.lock"), lock.replace(&real, &"2".repeat(64))).unwrap();
    std::fs::remove_file(env.path("downloads/titanic/test.csv")).unwrap();
    let r = env.run(&["batch", &m, "--locked"]);
    r.expect_code(6);
    assert!(
        r.stderr().contains("kaggle:alice/titanic") && r.stderr().contains("test.csv"),
        "{}",
        r.stderr()
    );
    assert!(
        !env.path("downloads/titanic/test.csv").exists(),
        "nothing moved into place"
    );
}

/// acme/x with `main` and a `v1.0` tag at different commits, alice/titanic with versions 1 and 2.
fn hub_with_revisions(env: &TestEnv) -> (String, String) {
    let main = env.hub.add_hf_repo(
        HfRepo::new("acme/x")
            .file("README.md", "# main\n")
            .lfs_file("data.bin", bytes(7, 50_000)),
    );
    let tag = env.hub.hf_set_ref(
        "acme/x",
        "v1.0",
        vec![
            HfFile::regular("README.md", "# v1.0\n"),
            HfFile::lfs("data.bin", bytes(8, 40_000)),
        ],
    );
    env.hub
        .add_kaggle_dataset(KaggleDataset::new("alice/titanic").file("train.csv", "v1\n"));
    env.hub.kaggle_add_version(
        "alice/titanic",
        vec![("train.csv".into(), b"v2\n".to_vec())],
    );
    (main, tag)
}

#[test]
fn cache_layouts_hold_several_revisions_of_one_dataset_in_one_batch() {
    let mut env = TestEnv::new();
    let (main, tag) = hub_with_revisions(&env);
    let hf_cache = env.path("hf-cache");
    let kh_cache = env.path("kagglehub");
    env.env("HF_HUB_CACHE", hf_cache.to_str().unwrap())
        .env("KAGGLEHUB_CACHE", kh_cache.to_str().unwrap());
    let m = write(
        &env,
        "m.toml",
        r#"
[[dataset]]
id = "hf:acme/x"
layout = "hf-cache"

[[dataset]]
id = "hf:acme/x@v1.0"
layout = "hf-cache"

[[dataset]]
id = "kaggle:alice/titanic/versions/1"
layout = "kagglehub"

[[dataset]]
id = "kaggle:alice/titanic/versions/2"
layout = "kagglehub"
"#,
    );
    let r = env.run(&["batch", &m, "--lock", "both.lock", "--json"]);
    r.expect_code(0);
    let v = r.json();
    assert_eq!(
        (v["succeeded"].as_u64(), v["failed"].as_u64()),
        (Some(4), Some(0)),
        "{v}"
    );
    let repo = hf_cache.join("datasets--acme--x");
    let read = |p: std::path::PathBuf| std::fs::read(&p).unwrap_or_else(|e| panic!("{p:?}: {e}"));
    assert_eq!(
        read(repo.join(format!("snapshots/{main}/README.md"))),
        b"# main\n"
    );
    assert_eq!(
        read(repo.join(format!("snapshots/{tag}/README.md"))),
        b"# v1.0\n"
    );
    assert_eq!(
        read(repo.join(format!("snapshots/{tag}/data.bin"))),
        bytes(8, 40_000)
    );
    assert_eq!(read(repo.join("refs/main")), main.as_bytes());
    assert_eq!(read(repo.join("refs/v1.0")), tag.as_bytes());
    let versions = kh_cache.join("datasets/alice/titanic/versions");
    assert_eq!(read(versions.join("1/train.csv")), b"v1\n");
    assert_eq!(read(versions.join("2/train.csv")), b"v2\n");
    // The lockfile pins all four entries.
    let lock = std::fs::read_to_string(env.path("both.lock")).unwrap();
    for pin in [
        format!("commit = \"{main}\""),
        format!("commit = \"{tag}\""),
        "version = 1".to_string(),
        "version = 2".to_string(),
    ] {
        assert!(lock.contains(&pin), "{pin} not in {lock}");
    }
    // A --locked run verifies all four from the lock and downloads nothing.
    env.hub.clear_requests();
    let r = env.run(&["batch", &m, "--lock", "both.lock", "--locked", "--json"]);
    r.expect_code(0);
    assert!(env.requests_on(Origin::Cdn).is_empty() && env.requests_on(Origin::Storage).is_empty());

    // The same with the layout from the config file and a plain text manifest.
    let cfg = env.path("config.toml");
    std::fs::write(
        &cfg,
        "[hf]\nlayout = \"hf-cache\"\n[kaggle]\nlayout = \"kagglehub\"\n",
    )
    .unwrap();
    env.env("DSFETCH_CONFIG", cfg.to_str().unwrap());
    std::fs::remove_dir_all(&hf_cache).unwrap();
    std::fs::remove_dir_all(&kh_cache).unwrap();
    let m = write(
        &env,
        "m.txt",
        "hf:acme/x\nhf:acme/x@v1.0\nkaggle:alice/titanic/1\nkaggle:alice/titanic\n",
    );
    let r = env.run(&["batch", &m, "--lock", "text.lock", "--json"]);
    r.expect_code(0);
    assert_eq!(r.json()["succeeded"], 4);
    assert_eq!(
        read(repo.join(format!("snapshots/{tag}/README.md"))),
        b"# v1.0\n"
    );
    assert_eq!(read(versions.join("2/train.csv")), b"v2\n");
}

#[test]
fn real_conflicts_are_still_refused() {
    let mut env = TestEnv::new();
    hub_with_revisions(&env);
    env.env("HF_HUB_CACHE", env.path("hf-cache").to_str().unwrap());
    // Two revisions into one plain folder: refused, with the fix that works there.
    let m = write(&env, "a.txt", "hf:acme/x\nhf:acme/x@v1.0\n");
    let r = env.run(&["batch", &m]);
    r.expect_code(2);
    assert!(r.stderr().contains("output"), "{}", r.stderr());
    // The same revision twice into the cache (main is the default revision): refused.
    let m = write(
        &env,
        "b.toml",
        "[[dataset]]\nid = \"hf:acme/x\"\nlayout = \"hf-cache\"\ninclude = [\"*.md\"]\n\n[[dataset]]\nid = \"hf:acme/x@main\"\nlayout = \"hf-cache\"\n",
    );
    let r = env.run(&["batch", &m]);
    r.expect_code(2);
    assert!(r.stderr().contains("b.toml:6:"), "{}", r.stderr());
    assert!(env.hub.requests().is_empty());
}

#[test]
fn manifests_with_a_bom_toml_in_txt_and_every_problem_on_its_own_line() {
    let env = TestEnv::new();
    hub_with_both(&env);
    // A byte-order mark (Windows editors) does not break line 1, in either format.
    let m = write(&env, "bom.txt", "\u{feff}hf:acme/small\n");
    env.run(&["batch", &m, "--lock", "bom.lock"]).expect_code(0);
    let m = write(
        &env,
        "bom.toml",
        "\u{feff}[[dataset]]\nid = \"hf:acme/small\"\noutput = \"bom-toml\"\n",
    );
    env.run(&["batch", &m, "--lock", "bom.lock"]).expect_code(0);
    assert!(env.path("bom-toml/a.txt").exists());
    // TOML in a .txt file is read as TOML (its content is unambiguous).
    let m = write(
        &env,
        "list.txt",
        "# the corpus, docs only\n[[dataset]]\nid = \"hf:acme/corpus\"\ninclude = [\"*.md\"]\noutput = \"txt-toml\"\n",
    );
    env.run(&["batch", &m, "--lock", "txt.lock"]).expect_code(0);
    assert_eq!(files_under(&env.path("txt-toml")), vec!["README.md"]);
    // Every problem at once, unknown keys and type errors included, one line each.
    let m = write(
        &env,
        "bad.toml",
        "[[dataset]]\nid = \"hf:acme/corpus\"\ncolour = \"red\"\n\n[[dataset]]\nid = \"kaggle:alice/titanic\"\nversion = \"three\"\nunzip = \"yes\"\n\n[[dataset]]\nid = 7\n",
    );
    let r = env.run(&["batch", &m]);
    r.expect_code(2);
    let err = r.stderr();
    let problems: Vec<&str> = err
        .lines()
        .filter(|l| l.trim_start().starts_with("bad.toml:"))
        .collect();
    assert_eq!(problems.len(), 4, "{err}");
    for (line, what) in [(3, "colour"), (7, "version"), (8, "unzip"), (11, "id")] {
        assert!(
            problems
                .iter()
                .any(|p| p.contains(&format!("bad.toml:{line}:")) && p.contains(what)),
            "line {line} ({what}) missing: {err}"
        );
    }
    assert!(err.lines().next().unwrap().contains("4 problems"), "{err}");
    // The same for a text manifest.
    let m = write(
        &env,
        "bad.txt",
        "nope\nhf:acme/small\nhf:acme/small\nalso bad\n",
    );
    let r = env.run(&["batch", &m]);
    r.expect_code(2);
    let err = r.stderr();
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 4, "a header and one line per problem: {err}");
    assert!(lines[1].trim_start().starts_with("bad.txt:1:"), "{err}");
    assert!(
        lines[2].trim_start().starts_with("bad.txt:3: duplicate"),
        "{err}"
    );
    assert!(lines[3].trim_start().starts_with("bad.txt:4:"), "{err}");
    assert!(
        env.hub
            .requests()
            .iter()
            .all(|q| !q.path().contains("titanic"))
    );
}

#[test]
fn each_manifest_has_its_own_lockfile() {
    let env = TestEnv::new();
    hub_with_both(&env);
    let train = write(
        &env,
        "train.toml",
        "[[dataset]]\nid = \"hf:acme/corpus\"\n\n[[dataset]]\nid = \"kaggle:alice/titanic\"\n",
    );
    let eval = write(&env, "eval.txt", "hf:acme/small\n");
    let r = env.run(&["batch", &train, "--json"]);
    r.expect_code(0);
    assert_eq!(r.json()["lockfile"], "train.lock");
    let train_lock = std::fs::read_to_string(env.path("train.lock")).unwrap();
    env.run(&["batch", &eval]).expect_code(0);
    let eval_lock = std::fs::read_to_string(env.path("eval.lock")).unwrap();
    assert!(eval_lock.contains("hf:acme/small") && !eval_lock.contains("titanic"));
    // The second manifest left the first one's pins alone: --locked still works for both.
    assert_eq!(
        std::fs::read_to_string(env.path("train.lock")).unwrap(),
        train_lock
    );
    env.run(&["batch", &train, "--locked"]).expect_code(0);
    env.run(&["batch", &eval, "--locked"]).expect_code(0);
    assert!(!env.path("dsfetch.lock").exists());
    // A manifest in another folder: its lock sits next to it.
    std::fs::create_dir_all(env.path("data")).unwrap();
    let nested = write(&env, "data/sets.txt", "kaggle:bob/iris\n");
    env.run(&["batch", &nested]).expect_code(0);
    assert!(env.path("data/sets.lock").exists());
    // stdin keeps dsfetch.lock in the current folder.
    let r = env
        .cmd()
        .args(["batch", "-"])
        .write_stdin("hf:acme/small\n")
        .output()
        .unwrap();
    assert_eq!(r.status.code(), Some(0));
    assert!(env.path("dsfetch.lock").exists());
}

#[test]
fn a_dsfetch_lock_from_older_versions_is_still_read() {
    let env = TestEnv::new();
    hub_with_both(&env);
    let m = write(&env, "m.txt", "hf:acme/corpus\n");
    // What an older dsfetch wrote: dsfetch.lock next to m.txt.
    env.run(&["batch", &m, "--lock", "dsfetch.lock"])
        .expect_code(0);
    let old = std::fs::read_to_string(env.path("dsfetch.lock")).unwrap();
    // Upstream moves; --locked still follows the old lock (it is read since m.lock is absent).
    env.hub.hf_commit(
        "acme/corpus",
        "main",
        vec![HfFile::regular("README.md", "# moved on\n")],
        &[],
    );
    std::fs::remove_dir_all(env.path("downloads")).unwrap();
    let r = env.run(&["batch", &m, "--locked"]);
    r.expect_code(0);
    assert!(r.stderr().contains("dsfetch.lock"), "{}", r.stderr());
    assert_eq!(
        std::fs::read_to_string(env.path("downloads/acme_corpus/README.md")).unwrap(),
        "# corpus\n"
    );
    assert!(!env.path("m.lock").exists(), "--locked writes nothing");
    // A normal run writes the manifest's own lock and leaves the old one as it was.
    env.run(&["batch", &m]).expect_code(0);
    assert!(
        std::fs::read_to_string(env.path("m.lock"))
            .unwrap()
            .contains("hf:acme/corpus")
    );
    assert_eq!(
        std::fs::read_to_string(env.path("dsfetch.lock")).unwrap(),
        old
    );
}

#[test]
fn fail_fast_entries_that_never_ran_are_shown_as_not_run() {
    let env = TestEnv::new();
    hub_with_both(&env);
    let m = write(
        &env,
        "ff.txt",
        "hf:acme/missing\nhf:acme/corpus\nkaggle:bob/iris\n",
    );
    let r = env.run(&["batch", &m, "--fail-fast", "--jobs", "1", "--json"]);
    r.expect_code(1);
    let v = r.json();
    let results = v["results"].as_array().unwrap();
    assert_eq!(results[0]["status"], "failed");
    assert_eq!(results[0]["error"]["kind"], "not_found");
    for res in &results[1..] {
        assert_eq!(res["status"], "not_run", "{res}");
        assert_eq!(res["error"]["kind"], "not_run", "{res}");
        assert_eq!(res["success"], false);
    }
    assert_eq!(
        (&v["succeeded"], &v["failed"], &v["not_run"]),
        (
            &serde_json::json!(0),
            &serde_json::json!(1),
            &serde_json::json!(2)
        )
    );
    // The table says so too, and only the real failure is an error on stderr.
    let r = env.run(&["batch", &m, "--fail-fast", "--jobs", "1"]);
    r.expect_code(1);
    let out = r.stdout();
    let row = |entry: &str| {
        out.lines()
            .find(|l| l.starts_with(entry))
            .unwrap_or_else(|| panic!("no row for {entry}: {out}"))
            .to_string()
    };
    assert!(
        row("hf:acme/missing").ends_with("failed (not_found)"),
        "{out}"
    );
    assert!(row("hf:acme/corpus").ends_with("not run"), "{out}");
    assert!(row("kaggle:bob/iris").ends_with("not run"), "{out}");
    assert!(!out.contains("failed (failure)"), "{out}");
    assert!(out.contains("0 succeeded, 1 failed, 2 not run"), "{out}");
    let stderr = r.stderr();
    let errors: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("dsfetch: error:"))
        .collect();
    assert_eq!(errors.len(), 1, "{stderr}");
}
