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

#[test]
fn models_spaces_competitions_and_kaggle_models() {
    use fakehub::{KaggleCompetition, KaggleModel};
    let env = TestEnv::with_options(small_pages());
    env.hub.add_hf_repo(
        HfRepo::model("acme/bert")
            .tags(&["license:apache-2.0"])
            .file("config.json", "{}\n")
            .lfs_file("model.safetensors", bytes(2, 4000))
            .file("tokenizer.json", "{\"t\": 1}\n"),
    );
    env.hub.add_hf_repo(
        HfRepo::space("acme/demo")
            .sdk("gradio")
            .file("app.py", "print()\n"),
    );
    env.hub.add_kaggle_competition(
        KaggleCompetition::new("titanic")
            .title("Titanic - Machine Learning from Disaster")
            .file("train.csv", "a,b\n1,2\n")
            .file("test.csv", "a\n1\n")
            .file("sub/gender.csv", "g\n"),
    );
    env.hub.add_kaggle_model(
        KaggleModel::new("google/gemma/pyTorch/2b")
            .license("Apache 2.0")
            .file("model.bin", bytes(3, 1000))
            .file("config.json", "{}\n")
            .file("tokenizer/vocab.txt", "a\nb\n"),
    );
    let m = env.run_ok("info hf:models/acme/bert --json").json();
    assert_eq!(
        (m["kind"].as_str(), m["id"].as_str()),
        (Some("model"), Some("models/acme/bert"))
    );
    assert_eq!(m["license"], "apache-2.0");
    assert_eq!(m["url"], "https://huggingface.co/acme/bert");
    assert_eq!(files(&m).len(), 3, "every page: {m:#}");
    let s = env
        .run_ok("info https://huggingface.co/spaces/acme/demo --json")
        .json();
    assert_eq!(
        (s["kind"].as_str(), s["id"].as_str()),
        (Some("space"), Some("spaces/acme/demo"))
    );
    let c = env.run_ok("info kaggle:competitions/titanic --json").json();
    assert_eq!(c["kind"], "competition");
    assert_eq!(c["title"], "Titanic - Machine Learning from Disaster");
    assert!(c["deadline"].is_string(), "{c:#}");
    assert_eq!(files(&c).len(), 3, "every page: {c:#}");
    assert_eq!(c["total_bytes"], 8 + 4 + 2);
    let k = env
        .run_ok("info kaggle:models/google/gemma/pyTorch/2b --json")
        .json();
    assert_eq!(
        (k["kind"].as_str(), k["version"].as_u64()),
        (Some("model"), Some(1))
    );
    assert_eq!(k["license"], "Apache 2.0");
    assert_eq!(k["ref"], "kaggle:models/google/gemma/pyTorch/2b/1");
    assert_eq!(files(&k).len(), 3, "every page: {k:#}");
    // Read-only: nothing was asked to be downloaded.
    let asked: Vec<_> = env
        .requests_on(Origin::Api)
        .into_iter()
        .filter(|r| r.path().contains("Download") || r.path().contains("/resolve/"))
        .collect();
    assert!(asked.is_empty(), "{asked:#?}");
    env.assert_no_blob_requests();
}
