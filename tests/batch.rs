//! `dsfetch batch`: manifests, concurrency, failures, dry runs and the lockfile.

use std::time::Duration;

use crate::support::*;

/// A manifest of one HF and one Kaggle entry.
const BOTH: &str = "hf:acme/corpus\nkaggle:alice/titanic\n";

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

#[test]
fn text_manifest_mixed_hubs_concurrently() {
    let env = TestEnv::new();
    hub_with_both(&env);
    env.write(
        "datasets.txt",
        "# training data\nkaggle:alice/titanic\nhf:acme/corpus@main\n\nhttps://huggingface.co/datasets/acme/small  # tiny\nhttps://www.kaggle.com/datasets/bob/iris\n",
    );
    let v = env.run_ok("batch datasets.txt --json").json();
    assert_eq!(v["succeeded"], 4);
    assert_eq!(v["failed"], 0);
    let results = v["results"].as_array().unwrap();
    assert_eq!(results.len(), 4);
    assert_eq!(results[0]["entry"], "kaggle:alice/titanic");
    assert_eq!(results[0]["version"], 1);
    assert_eq!(results[1]["source"], "HuggingFace");
    assert_file(env.path("downloads/titanic/train.csv"), bytes(3, 90_000));
    assert_file(
        env.path("downloads/acme_corpus/data/train.parquet"),
        bytes(1, 120_000),
    );
    assert_exists(env.path("downloads/acme_small/a.txt"));
    assert_exists(env.path("downloads/iris/iris.csv"));
    // The lockfile sits next to the manifest, named after it.
    let lock = env.read_text("datasets.lock");
    assert!(
        lock.contains("entry = \"hf:acme/corpus@main\"") && lock.contains("version = 1"),
        "{lock}"
    );
}

#[test]
fn toml_manifest_with_options() {
    let env = TestEnv::new();
    hub_with_both(&env);
    env.write(
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
    let r = env.run_ok("batch dsfetch.toml");
    assert_tree(env.path("data/titanic"), &["test.csv"]);
    assert_tree(env.path("downloads/acme_corpus"), &["README.md"]);
    assert_tree(env.path("downloads/iris"), &["iris.zip"]);
    // The summary table is the result, on stdout.
    r.assert_stdout_contains(&["ENTRY", "STATUS", "3 succeeded, 0 failed"]);
}

#[test]
fn manifest_errors_are_all_reported_with_lines_before_anything_runs() {
    let env = TestEnv::new();
    hub_with_both(&env);
    env.write(
        "bad.txt",
        "kaggle:alice/titanic\nnot-an-id\nhf:acme/corpus\nhf:acme/corpus\nkaggle:bob/titanic\n",
    );
    env.run_expect(2, "batch bad.txt").assert_stderr_contains(&[
        "bad.txt:2:",
        "bad.txt:4: duplicate",
        "bad.txt:5:",
        "same folder",
    ]);
    assert!(env.hub.requests().is_empty(), "nothing ran");
    env.write(
        "bad.toml",
        "[[dataset]]\nid = \"hf:acme/corpus\"\nversion = 3\n\n[[dataset]]\nid = \"kaggle:alice/titanic\"\nrevision = \"main\"\n",
    );
    env.run_expect(2, "batch bad.toml")
        .assert_stderr_contains(&["bad.toml:1:", "bad.toml:5:"]);
    // stdin works too.
    env.run_stdin("batch - --json", "hf:acme/small\n")
        .expect_code(0);
}

#[test]
fn one_failing_entry_does_not_stop_the_others() {
    let env = TestEnv::new();
    hub_with_both(&env);
    env.write(
        "m.txt",
        "kaggle:alice/titanic\nhf:acme/missing\nhf:acme/small\n",
    );
    let r = env.run_expect(1, "batch m.txt --json");
    let v = r.json();
    assert_eq!(v["succeeded"], 2);
    assert_eq!(v["failed"], 1);
    let failed = &v["results"][1];
    assert_eq!(failed["success"], false);
    assert_eq!(failed["error"]["kind"], "not_found");
    assert_exists(env.path("downloads/titanic/train.csv"));
    assert_exists(env.path("downloads/acme_small/a.txt"));
    r.assert_stderr_contains(&["hf:acme/missing"]);
    // All failing the same way: that shared code.
    env.write("m2.txt", "hf:acme/missing\nkaggle:alice/missing\n");
    env.run_expect(4, "batch m2.txt");
    // --fail-fast: the rest is not run.
    env.write("m3.txt", "hf:acme/missing\nhf:acme/corpus\n");
    let r = env.run_expect(1, "batch m3.txt --fail-fast --jobs 1 --json");
    let message = r.json()["results"][1]["error"]["message"].clone();
    assert!(message.as_str().unwrap().contains("fail-fast"), "{message}");
    assert_no_file(env.path("downloads/acme_corpus"));
}

#[test]
fn dry_run_writes_nothing_and_shows_the_plan() {
    let env = TestEnv::new();
    hub_with_both(&env);
    env.write("m.txt", "kaggle:alice/titanic\nhf:acme/corpus\n");
    // Piped: every file as a tab-separated line; the plan per entry on stderr.
    env.run_ok("batch m.txt --dry-run")
        .assert_stderr_contains(&["TO FETCH", "Dry run: would download"])
        .assert_stdout_contains(&[
            "kaggle:alice/titanic\ttrain.csv\t90000\tdownload",
            "hf:acme/corpus\tdata/train.parquet\t120000\tdownload",
        ]);
    assert_no_file(env.path("downloads"));
    assert_no_file(env.path("m.lock"));
    assert_no_file(env.path("dsfetch.lock"));
    env.assert_no_blob_requests();
    // After a real run, the plan says everything is present.
    env.run_ok("batch m.txt");
    let v = env.run_ok("batch m.txt --dry-run --json").json();
    for res in v["results"].as_array().unwrap() {
        let files = res["files"].as_array().unwrap();
        assert!(files.iter().all(|f| f["skipped"] == true), "{res}");
    }
}

#[test]
fn lockfile_content_is_stable() {
    let env = TestEnv::new();
    hub_with_both(&env);
    env.write("m.txt", BOTH);
    env.run_ok("batch m.txt");
    let first = env.read_text("m.lock");
    let commit = env.hub.hf_rev_sha("acme/corpus", "main").unwrap();
    assert!(first.contains(&format!("commit = \"{commit}\"")), "{first}");
    assert!(
        first.contains("path = \"data/train.parquet\", size = 120000, sha256 = "),
        "{first}"
    );
    // Sorted entries: hf before kaggle regardless of manifest order.
    assert!(first.find("hf:acme/corpus").unwrap() < first.find("kaggle:alice/titanic").unwrap());
    // A second run changes nothing, byte for byte.
    env.run_ok("batch m.txt");
    assert_eq!(env.read_text("m.lock"), first);
    // --lock puts it elsewhere.
    env.run_ok("batch m.txt --lock other.lock");
    assert_eq!(env.read_text("other.lock"), first);
}

#[test]
fn locked_fetches_the_locked_data_after_upstream_drift() {
    let env = TestEnv::new();
    hub_with_both(&env);
    env.write("m.txt", BOTH);
    env.run_ok("batch m.txt");
    let lock_before = env.read_text("m.lock");
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
    let r = env.run_ok("batch m.txt --locked --json");
    assert_file(env.path("downloads/acme_corpus/README.md"), "# corpus\n");
    assert_file(env.path("downloads/titanic/train.csv"), bytes(3, 90_000));
    assert_eq!(r.json()["results"][1]["version"], 1);
    assert_eq!(
        env.read_text("m.lock"),
        lock_before,
        "--locked leaves the lock alone"
    );
    // Without --locked the moving targets are followed and the lock updated.
    env.run_ok("batch m.txt");
    let lock_after = env.read_text("m.lock");
    assert_ne!(lock_after, lock_before);
    assert!(lock_after.contains("version = 2"));
}

#[test]
fn locked_repairs_a_corrupted_local_file_and_a_warm_run_downloads_nothing() {
    let env = TestEnv::new();
    hub_with_both(&env);
    env.write("m.txt", BOTH);
    env.run_ok("batch m.txt");
    // Same size, different bytes: only a hash can tell.
    let p = env.path("downloads/acme_corpus/data/train.parquet");
    let mut data = std::fs::read(&p).unwrap();
    data[1000] ^= 0xff;
    std::fs::write(&p, &data).unwrap();
    env.write("downloads/titanic/test.csv", "id\n9\n");
    env.hub.clear_requests();
    env.run_ok("batch m.txt --locked --json");
    assert_file(&p, bytes(1, 120_000));
    assert_file(env.path("downloads/titanic/test.csv"), "id\n1\n");
    assert_eq!(
        env.cdn_requests().len(),
        1,
        "only the damaged HF file was fetched"
    );
    // Warm and intact: nothing is downloaded, everything is verified.
    env.hub.clear_requests();
    let r = env.run_ok("batch m.txt --locked --json");
    env.assert_no_blob_requests();
    for res in r.json()["results"].as_array().unwrap() {
        assert_eq!(res["bytes_downloaded"], 0);
    }
}

#[test]
fn locked_fails_when_upstream_bytes_no_longer_match() {
    let env = TestEnv::new();
    hub_with_both(&env);
    env.write("m.txt", "hf:acme/corpus\n");
    env.run_ok("batch m.txt");
    // Tamper the lock: it now pins other bytes for train.parquet than upstream has.
    env.replace_in("m.lock", &sha256_hex(bytes(1, 120_000)), &"0".repeat(64));
    std::fs::remove_dir_all(env.path("downloads")).unwrap();
    env.run_expect(6, "batch m.txt --locked")
        .assert_stderr_contains(&["hf:acme/corpus", "data/train.parquet"]);
    assert_no_file(env.path("downloads/acme_corpus/data/train.parquet"));
    // Same for Kaggle: extracted files are checked before anything is moved into place.
    env.write("k.txt", "kaggle:alice/titanic\n");
    env.run_ok("batch k.txt --lock k.lock");
    env.replace_in("k.lock", &sha256_hex(bytes(3, 90_000)), &"1".repeat(64));
    std::fs::remove_dir_all(env.path("downloads/titanic")).unwrap();
    env.run_expect(6, "batch k.txt --lock k.lock --locked")
        .assert_stderr_contains(&["train.csv"]);
    assert_tree(env.path("downloads/titanic"), &[]);
}

#[test]
fn locked_requires_every_entry_in_the_lock() {
    let env = TestEnv::new();
    hub_with_both(&env);
    env.write("m.txt", "hf:acme/small\n");
    env.run_expect(2, "batch m.txt --locked")
        .assert_stderr_contains(&["does not exist"]);
    env.run_ok("batch m.txt");
    env.write("m.txt", "hf:acme/small\nkaggle:bob/iris\n");
    env.run_expect(2, "batch m.txt --locked")
        .assert_stderr_contains(&["line 2: kaggle:bob/iris"]);
    assert_no_file(env.path("downloads/iris"));
}

#[test]
fn entries_run_concurrently() {
    let env = TestEnv::new();
    hub_with_both(&env);
    // The Kaggle archive stalls for a while; the HF entry behind it in the manifest finishes first.
    env.hub.fault(Fault::new(
        Origin::Storage,
        stall(1000, Duration::from_millis(1500)),
    ));
    env.write("m.txt", "kaggle:alice/titanic\nhf:acme/small\n");
    let r = env.run_ok("batch m.txt --progress json");
    let done: Vec<String> = r
        .events("dataset_done")
        .iter()
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
    env.write(
        "files.toml",
        "[[dataset]]\nid = \"kaggle:alice/titanic\"\nfiles = [\"test.csv\"]\n",
    );
    env.run_ok("batch files.toml");
    env.replace_in("files.lock", &sha256_hex(b"id\n1\n"), &"2".repeat(64));
    std::fs::remove_file(env.path("downloads/titanic/test.csv")).unwrap();
    env.run_expect(6, "batch files.toml --locked")
        .assert_stderr_contains(&["kaggle:alice/titanic", "test.csv"]);
    // Nothing moved into place.
    assert_no_file(env.path("downloads/titanic/test.csv"));
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
    env.write(
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
    let v = env.run_ok("batch m.toml --lock both.lock --json").json();
    assert_eq!([&v["succeeded"], &v["failed"]], [4, 0], "{v}");
    let repo = hf_cache.join("datasets--acme--x");
    assert_file(repo.join(format!("snapshots/{main}/README.md")), "# main\n");
    assert_file(repo.join(format!("snapshots/{tag}/README.md")), "# v1.0\n");
    assert_file(
        repo.join(format!("snapshots/{tag}/data.bin")),
        bytes(8, 40_000),
    );
    assert_file(repo.join("refs/main"), &main);
    assert_file(repo.join("refs/v1.0"), &tag);
    let versions = kh_cache.join("datasets/alice/titanic/versions");
    assert_file(versions.join("1/train.csv"), "v1\n");
    assert_file(versions.join("2/train.csv"), "v2\n");
    // The lockfile pins all four entries.
    let lock = env.read_text("both.lock");
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
    env.run_ok("batch m.toml --lock both.lock --locked --json");
    env.assert_no_blob_requests();

    // The same with the layout from the config file and a plain text manifest.
    env.config_file(
        "config.toml",
        "[hf]\nlayout = \"hf-cache\"\n[kaggle]\nlayout = \"kagglehub\"\n",
    );
    std::fs::remove_dir_all(&hf_cache).unwrap();
    std::fs::remove_dir_all(&kh_cache).unwrap();
    env.write(
        "m.txt",
        "hf:acme/x\nhf:acme/x@v1.0\nkaggle:alice/titanic/1\nkaggle:alice/titanic\n",
    );
    let r = env.run_ok("batch m.txt --lock text.lock --json");
    assert_eq!(r.json()["succeeded"], 4);
    assert_file(repo.join(format!("snapshots/{tag}/README.md")), "# v1.0\n");
    assert_file(versions.join("2/train.csv"), "v2\n");
}

#[test]
fn real_conflicts_are_still_refused() {
    let mut env = TestEnv::new();
    hub_with_revisions(&env);
    env.env("HF_HUB_CACHE", env.path("hf-cache").to_str().unwrap());
    // Two revisions into one plain folder: refused, with the fix that works there.
    env.write("a.txt", "hf:acme/x\nhf:acme/x@v1.0\n");
    env.run_expect(2, "batch a.txt")
        .assert_stderr_contains(&["output"]);
    // The same revision twice into the cache (main is the default revision): refused.
    env.write(
        "b.toml",
        "[[dataset]]\nid = \"hf:acme/x\"\nlayout = \"hf-cache\"\ninclude = [\"*.md\"]\n\n[[dataset]]\nid = \"hf:acme/x@main\"\nlayout = \"hf-cache\"\n",
    );
    env.run_expect(2, "batch b.toml")
        .assert_stderr_contains(&["b.toml:6:"]);
    assert!(env.hub.requests().is_empty());
}

#[test]
fn manifests_with_a_bom_toml_in_txt_and_every_problem_on_its_own_line() {
    let env = TestEnv::new();
    hub_with_both(&env);
    // A byte-order mark (Windows editors) does not break line 1, in either format.
    env.write("bom.txt", "\u{feff}hf:acme/small\n");
    env.run_ok("batch bom.txt --lock bom.lock");
    env.write(
        "bom.toml",
        "\u{feff}[[dataset]]\nid = \"hf:acme/small\"\noutput = \"bom-toml\"\n",
    );
    env.run_ok("batch bom.toml --lock bom.lock");
    assert_exists(env.path("bom-toml/a.txt"));
    // TOML in a .txt file is read as TOML (its content is unambiguous).
    env.write(
        "list.txt",
        "# the corpus, docs only\n[[dataset]]\nid = \"hf:acme/corpus\"\ninclude = [\"*.md\"]\noutput = \"txt-toml\"\n",
    );
    env.run_ok("batch list.txt --lock txt.lock");
    assert_tree(env.path("txt-toml"), &["README.md"]);
    // Every problem at once, unknown keys and type errors included, one line each.
    env.write(
        "bad.toml",
        "[[dataset]]\nid = \"hf:acme/corpus\"\ncolour = \"red\"\n\n[[dataset]]\nid = \"kaggle:alice/titanic\"\nversion = \"three\"\nunzip = \"yes\"\n\n[[dataset]]\nid = 7\n",
    );
    let err = env.run_expect(2, "batch bad.toml").stderr();
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
    env.write("bad.txt", "nope\nhf:acme/small\nhf:acme/small\nalso bad\n");
    let err = env.run_expect(2, "batch bad.txt").stderr();
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 4, "a header and one line per problem: {err}");
    assert!(lines[1].trim_start().starts_with("bad.txt:1:"), "{err}");
    assert!(
        lines[2].trim_start().starts_with("bad.txt:3: duplicate"),
        "{err}"
    );
    assert!(lines[3].trim_start().starts_with("bad.txt:4:"), "{err}");
    let requests = env.hub.requests();
    assert!(requests.iter().all(|q| !q.path().contains("titanic")));
}

#[test]
fn each_manifest_has_its_own_lockfile() {
    let env = TestEnv::new();
    hub_with_both(&env);
    env.write(
        "train.toml",
        "[[dataset]]\nid = \"hf:acme/corpus\"\n\n[[dataset]]\nid = \"kaggle:alice/titanic\"\n",
    );
    env.write("eval.txt", "hf:acme/small\n");
    let r = env.run_ok("batch train.toml --json");
    assert_eq!(r.json()["lockfile"], "train.lock");
    let train_lock = env.read_text("train.lock");
    env.run_ok("batch eval.txt");
    let eval_lock = env.read_text("eval.lock");
    assert!(eval_lock.contains("hf:acme/small") && !eval_lock.contains("titanic"));
    // The second manifest left the first one's pins alone: --locked still works for both.
    assert_eq!(env.read_text("train.lock"), train_lock);
    env.run_ok("batch train.toml --locked");
    env.run_ok("batch eval.txt --locked");
    assert_no_file(env.path("dsfetch.lock"));
    // A manifest in another folder: its lock sits next to it.
    env.write("data/sets.txt", "kaggle:bob/iris\n");
    env.run_ok("batch data/sets.txt");
    assert_exists(env.path("data/sets.lock"));
    // stdin keeps dsfetch.lock in the current folder.
    env.run_stdin("batch -", "hf:acme/small\n").expect_code(0);
    assert_exists(env.path("dsfetch.lock"));
}

#[test]
fn a_dsfetch_lock_from_older_versions_is_still_read() {
    let env = TestEnv::new();
    hub_with_both(&env);
    env.write("m.txt", "hf:acme/corpus\n");
    // What an older dsfetch wrote: dsfetch.lock next to m.txt.
    env.run_ok("batch m.txt --lock dsfetch.lock");
    let old = env.read_text("dsfetch.lock");
    // Upstream moves; --locked still follows the old lock (it is read since m.lock is absent).
    env.hub.hf_commit(
        "acme/corpus",
        "main",
        vec![HfFile::regular("README.md", "# moved on\n")],
        &[],
    );
    std::fs::remove_dir_all(env.path("downloads")).unwrap();
    env.run_ok("batch m.txt --locked")
        .assert_stderr_contains(&["dsfetch.lock"]);
    assert_file(env.path("downloads/acme_corpus/README.md"), "# corpus\n");
    // --locked writes nothing.
    assert_no_file(env.path("m.lock"));
    // A normal run writes the manifest's own lock and leaves the old one as it was.
    env.run_ok("batch m.txt");
    assert!(env.read_text("m.lock").contains("hf:acme/corpus"));
    assert_eq!(env.read_text("dsfetch.lock"), old);
}

#[test]
fn fail_fast_entries_that_never_ran_are_shown_as_not_run() {
    let env = TestEnv::new();
    hub_with_both(&env);
    env.write(
        "ff.txt",
        "hf:acme/missing\nhf:acme/corpus\nkaggle:bob/iris\n",
    );
    let v = env
        .run_expect(1, "batch ff.txt --fail-fast --jobs 1 --json")
        .json();
    let results = v["results"].as_array().unwrap();
    assert_eq!(results[0]["status"], "failed");
    assert_eq!(results[0]["error"]["kind"], "not_found");
    for res in &results[1..] {
        assert_eq!(res["status"], "not_run", "{res}");
        assert_eq!(res["error"]["kind"], "not_run", "{res}");
        assert_eq!(res["success"], false);
    }
    assert_eq!([&v["succeeded"], &v["failed"], &v["not_run"]], [0, 1, 2]);
    // The table says so too, and only the real failure is an error on stderr.
    let r = env.run_expect(1, "batch ff.txt --fail-fast --jobs 1");
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
    r.error_line();
}
