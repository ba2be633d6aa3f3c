//! `dsfetch info`: what a dataset is without downloading it (metadata, versions or refs, every
//! page of the file list) and what of it is on disk.

use serde_json::Value;

use crate::support::*;

fn small_pages() -> Options {
    Options {
        hf_page_size: 2,
        kaggle_page_size_max: 2,
        ..Options::default()
    }
}

fn files(v: &Value) -> Vec<(String, u64)> {
    v["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().into(),
                f["size"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn a_hub_repo_every_page_of_its_files_and_its_refs() {
    let env = TestEnv::with_options(small_pages());
    env.hub.add_hf_repo(
        HfRepo::new("acme/corpus")
            .tags(&["license:mit"])
            .file("README.md", "# corpus\n")
            .file("a.csv", "a\n")
            .file("sub/b.csv", "bb\n")
            .lfs_file("data/train.bin", bytes(1, 5000)),
    );
    let dev = env.hub.hf_commit(
        "acme/corpus",
        "dev",
        vec![HfFile::regular("dev.txt", "d")],
        &[],
    );
    env.hub
        .hf_set_ref("acme/corpus", "v1.0", vec![HfFile::regular("x", "x")]);
    let v = env.run_ok("info hf:acme/corpus --json").json();
    assert_keys(
        &v,
        &[
            "source",
            "kind",
            "id",
            "ref",
            "url",
            "title",
            "license",
            "total_bytes",
            "updated",
            "private",
            "gated",
            "revision",
            "commit",
            "branches",
            "tags",
            "files",
            "on_disk",
        ],
    );
    assert_eq!(v["license"], "mit");
    assert_eq!(
        (v["private"].as_bool(), v["gated"].as_str()),
        (Some(false), Some("false"))
    );
    assert_eq!(
        files(&v),
        [
            ("README.md".to_string(), 9),
            ("a.csv".into(), 2),
            ("data/train.bin".into(), 5000),
            ("sub/b.csv".into(), 3)
        ]
    );
    assert_eq!(v["total_bytes"], 5014);
    let names = |k: &str| -> Vec<String> {
        v[k].as_array()
            .unwrap()
            .iter()
            .map(|b| b["name"].as_str().unwrap().into())
            .collect()
    };
    let mut branches = names("branches");
    branches.sort();
    assert_eq!(branches, ["dev", "main"]);
    assert_eq!(names("tags"), ["v1.0"]);
    assert!(
        v["branches"]
            .as_array()
            .unwrap()
            .iter()
            .any(|b| b["commit"] == dev)
    );
    assert_eq!(v["on_disk"], serde_json::json!([]));
    // Nothing was downloaded, and the tree was read to its last page.
    assert!(env.requests_matching(Origin::Api, "/resolve/").is_empty());
    assert!(env.cdn_requests().is_empty());
    assert!(env.requests_matching(Origin::Api, "/tree/").len() >= 3);
    // Another revision; then on disk once downloaded.
    let at_dev = env.run_ok("info hf:acme/corpus@dev --json").json();
    assert_eq!(at_dev["commit"], dev);
    assert!(files(&at_dev).iter().any(|(p, _)| p == "dev.txt"));
    env.run_ok("download hf acme/corpus");
    let v = env
        .run_ok("info https://huggingface.co/datasets/acme/corpus --json")
        .json();
    assert_eq!(v["on_disk"][0]["path"], "downloads/acme_corpus");
    let text = env.run_ok("info hf:acme/corpus").stdout();
    for part in [
        "licence",
        "mit",
        "branches",
        "data/train.bin",
        "downloads/acme_corpus",
    ] {
        assert!(text.contains(part), "{part}: {text}");
    }
    env.run_expect(4, "info hf:acme/nothing");
}

#[test]
fn a_kaggle_dataset_its_versions_and_the_files_of_each() {
    let env = TestEnv::with_options(small_pages());
    env.hub.add_kaggle_dataset(
        KaggleDataset::new("alice/titanic")
            .title("Titanic survivors")
            .license("CC0-1.0")
            .file("a.csv", "a\n")
            .file("b.csv", "bb\n")
            .file("c.csv", "ccc\n"),
    );
    env.hub
        .kaggle_add_version("alice/titanic", vec![("d.csv".into(), b"dddd\n".to_vec())]);
    let v = env.run_ok("info kaggle:alice/titanic --json").json();
    assert_eq!(v["title"], "Titanic survivors");
    assert_eq!(v["license"], "CC0-1.0");
    assert_eq!(v["version"], 2);
    assert_eq!(v["ref"], "kaggle:alice/titanic/versions/2");
    let versions: Vec<&str> = v["versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["name"].as_str().unwrap())
        .collect();
    assert_eq!(versions, ["2", "1"]);
    assert_eq!(files(&v), [("d.csv".to_string(), 5)]);
    let v1 = env
        .run_ok("info kaggle:alice/titanic/versions/1 --json")
        .json();
    assert_eq!(v1["version"], 1);
    assert_eq!(files(&v1).len(), 3, "every page: {v1:#}");
    assert_eq!(v1["total_bytes"], 9);
    // Read-only: no download was asked for.
    let downloads: Vec<_> = env
        .requests_on(Origin::Api)
        .into_iter()
        .filter(|r| r.path().ends_with("/DownloadDataset"))
        .collect();
    assert!(downloads.is_empty());
    env.assert_no_blob_requests();
    env.run_expect(4, "info kaggle:alice/nothing");
    env.run_expect(2, "info alice/titanic");
}
