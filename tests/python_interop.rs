//! `--layout hf-cache` and `--layout kagglehub`, proven with the real Python libraries reading
//! what dsfetch wrote, with the network off for the Python side.
//!
//! Needs a Python with huggingface_hub, datasets and kagglehub: `DSFETCH_TEST_PYTHON=/path/to/python`.
//! `.ci/run` creates that environment and also sets `DSFETCH_REQUIRE_PYTHON_TESTS=1`, so in CI a
//! missing Python fails these tests instead of skipping them.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::*;

/// The Python to use, or `None` (with a message) when the tests should be skipped.
fn python() -> Option<PathBuf> {
    let required = std::env::var_os("DSFETCH_REQUIRE_PYTHON_TESTS").is_some();
    let Some(py) = std::env::var_os("DSFETCH_TEST_PYTHON").map(PathBuf::from) else {
        assert!(
            !required,
            "DSFETCH_REQUIRE_PYTHON_TESTS is set but DSFETCH_TEST_PYTHON is not"
        );
        eprintln!(
            "SKIPPED: Python interop tests need DSFETCH_TEST_PYTHON=<python with huggingface_hub, datasets, kagglehub> (see .ci/run)"
        );
        return None;
    };
    let ok = Command::new(&py)
        .args(["-c", "import huggingface_hub, datasets, kagglehub"])
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        assert!(
            !required,
            "{} cannot import huggingface_hub, datasets and kagglehub",
            py.display()
        );
        eprintln!(
            "SKIPPED: {} lacks huggingface_hub, datasets or kagglehub",
            py.display()
        );
        return None;
    }
    Some(py)
}

/// Runs a Python script with only `env` (plus HOME) and returns its stdout parsed as JSON.
fn run_python(py: &Path, home: &Path, env: &[(&str, String)], script: &str) -> serde_json::Value {
    let mut c = Command::new(py);
    c.env_clear()
        .env("HOME", home)
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .args(["-c", script]);
    for (k, v) in env {
        c.env(k, v);
    }
    let out = c.output().expect("run python");
    assert!(
        out.status.success(),
        "python failed:\nstdout: {}\nstderr: {}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let last = stdout.lines().last().unwrap_or("");
    serde_json::from_str(last)
        .unwrap_or_else(|e| panic!("no JSON on the last line ({e}): {stdout}"))
}

/// kagglehub's environment: this cache, and an API where nothing listens (`TEST` targets
/// http://localhost:7777), so any request would fail.
fn kagglehub_offline(cache: &Path) -> [(&'static str, String); 4] {
    [
        ("KAGGLEHUB_CACHE", cache.display().to_string()),
        ("KAGGLE_API_ENVIRONMENT", "TEST".into()),
        ("DISABLE_KAGGLE_CACHE", "1".into()),
        ("DISABLE_COLAB_CACHE", "1".into()),
    ]
}

const TRAIN_CSV: &str = "city,temp\noslo,3\nlima,19\ncairo,25\n";
const TEST_CSV: &str = "city,temp\nnuuk,-4\n";

#[test]
fn huggingface_hub_and_datasets_read_the_cache_offline() {
    let Some(py) = python() else { return };
    let mut env = TestEnv::new();
    let commit = env.hub.add_hf_repo(
        HfRepo::new("acme/weather")
            .file("README.md", "# weather\n")
            .lfs_file("data/train.csv", TRAIN_CSV)
            .file("data/test.csv", TEST_CSV),
    );
    let cache = env.work.path().join("hub");
    env.env("HF_HUB_CACHE", cache.to_str().unwrap());
    let r = env.run_ok("download hf acme/weather --layout hf-cache --json");
    let snapshot = cache
        .join("datasets--acme--weather/snapshots")
        .join(&commit);
    assert_eq!(r.json()["file_path"], snapshot.to_str().unwrap());
    // The layout itself: a bare commit in refs/main, blobs named by etag, relative links.
    let repo = cache.join("datasets--acme--weather");
    assert_file(repo.join("refs/main"), &commit);
    let link = std::fs::read_link(snapshot.join("data/train.csv")).unwrap();
    assert!(
        link.is_relative() && link.starts_with("../../../blobs"),
        "{}",
        link.display()
    );
    // A second run transfers nothing.
    env.hub.clear_requests();
    env.run_ok("download hf acme/weather --layout hf-cache");
    assert!(env.cdn_requests().is_empty());

    let script = r#"
import json
from huggingface_hub import snapshot_download, hf_hub_download
import datasets
p = snapshot_download("acme/weather", repo_type="dataset")
f = hf_hub_download("acme/weather", "data/train.csv", repo_type="dataset")
t = hf_hub_download("acme/weather", "data/test.csv", repo_type="dataset")
# datasets 5.x refuses a repo id outright when offline (load.py raises before it looks at the hub
# cache), so the offline recipe is to load the snapshot folder that huggingface_hub resolved.
ds = datasets.load_dataset(p)
print(json.dumps({"snapshot": p, "train": open(f).read(), "test": open(t).read(),
                  "train_rows": ds["train"].num_rows, "test_rows": ds["test"].num_rows,
                  "cities": sorted(ds["train"]["city"])}))
"#;
    let v = run_python(
        &py,
        env.home.path(),
        &[
            ("HF_HUB_CACHE", cache.display().to_string()),
            ("HF_HUB_OFFLINE", "1".into()),
            ("HF_DATASETS_OFFLINE", "1".into()),
            (
                "HF_DATASETS_CACHE",
                env.work.path().join("ds-cache").display().to_string(),
            ),
            // Any request would fail: nothing listens there.
            ("HF_ENDPOINT", "http://127.0.0.1:9".into()),
            ("HF_HUB_DISABLE_TELEMETRY", "1".into()),
        ],
        script,
    );
    assert_eq!(v["snapshot"], snapshot.to_str().unwrap());
    assert_eq!(v["train"], TRAIN_CSV);
    assert_eq!(v["test"], TEST_CSV);
    assert_eq!(v["train_rows"], 3);
    assert_eq!(v["test_rows"], 1);
    assert_eq!(v["cities"], serde_json::json!(["cairo", "lima", "oslo"]));
}

#[test]
fn kagglehub_reads_its_cache_without_a_request() {
    let Some(py) = python() else { return };
    let mut env = TestEnv::new();
    env.hub.add_kaggle_dataset(
        KaggleDataset::new("alice/titanic")
            .file("train.csv", TRAIN_CSV)
            .file("sub/notes.txt", "notes\n"),
    );
    let cache = env.work.path().join("kh");
    env.env("KAGGLEHUB_CACHE", cache.to_str().unwrap());
    let r = env.run_ok("download kaggle alice/titanic --layout kagglehub --json");
    let version_dir = cache.join("datasets/alice/titanic/versions/1");
    assert_eq!(r.json()["file_path"], version_dir.to_str().unwrap());
    assert_tree(&version_dir, &["sub/notes.txt", "train.csv"]);
    // The dataset folder holds only the data.
    assert_no_file(version_dir.join(".dsfetch"));
    assert_exists(cache.join("datasets/alice/titanic/1.complete"));

    let script = r#"
import json, kagglehub
p = kagglehub.dataset_download("alice/titanic/versions/1")
f = kagglehub.dataset_download("alice/titanic/versions/1", path="train.csv")
print(json.dumps({"dir": p, "file": f, "train": open(f).read()}))
"#;
    let v = run_python(&py, env.home.path(), &kagglehub_offline(&cache), script);
    assert_eq!(v["dir"], version_dir.to_str().unwrap());
    assert_eq!(v["file"], version_dir.join("train.csv").to_str().unwrap());
    assert_eq!(v["train"], TRAIN_CSV);
}

#[test]
fn cache_layouts_apply_to_their_own_hub_only() {
    let env = TestEnv::new();
    env.run_expect(2, "download hf a/b --layout kagglehub");
    env.run_expect(2, "download kaggle a/b --layout hf-cache");
    env.run_expect(2, "download hf a/b --layout hf-cache -o x");
}

#[test]
fn huggingface_hub_reads_model_and_space_caches_offline() {
    let Some(py) = python() else { return };
    let mut env = TestEnv::new();
    let model = env.hub.add_hf_repo(
        HfRepo::model("acme/bert")
            .file("config.json", "{\"hidden\": 8}\n")
            .lfs_file("model.safetensors", TRAIN_CSV),
    );
    let space = env.hub.add_hf_repo(
        HfRepo::space("acme/demo")
            .sdk("gradio")
            .file("app.py", "print('hi')\n"),
    );
    let cache = env.work.path().join("hub");
    env.env("HF_HUB_CACHE", cache.to_str().unwrap());
    env.run_ok("download hf:models/acme/bert --layout hf-cache");
    env.run_ok("download hf --type space acme/demo --layout hf-cache");
    let script = r#"
import json
from huggingface_hub import snapshot_download, hf_hub_download
m = snapshot_download("acme/bert", repo_type="model")
w = hf_hub_download("acme/bert", "model.safetensors")
s = snapshot_download("acme/demo", repo_type="space")
a = hf_hub_download("acme/demo", "app.py", repo_type="space")
print(json.dumps({"model": m, "weights": open(w).read(), "space": s, "app": open(a).read()}))
"#;
    let v = run_python(
        &py,
        env.home.path(),
        &[
            ("HF_HUB_CACHE", cache.display().to_string()),
            ("HF_HUB_OFFLINE", "1".into()),
            ("HF_ENDPOINT", "http://127.0.0.1:9".into()),
            ("HF_HUB_DISABLE_TELEMETRY", "1".into()),
        ],
        script,
    );
    let snap = |dir: &str, sha: &str| cache.join(dir).join("snapshots").join(sha);
    assert_eq!(
        v["model"],
        snap("models--acme--bert", &model).to_str().unwrap()
    );
    assert_eq!(v["weights"], TRAIN_CSV);
    assert_eq!(
        v["space"],
        snap("spaces--acme--demo", &space).to_str().unwrap()
    );
    assert_eq!(v["app"], "print('hi')\n");
}

#[test]
fn kagglehub_reads_competition_and_model_caches_without_a_request() {
    let Some(py) = python() else { return };
    let mut env = TestEnv::new();
    env.hub
        .kaggle_add_user("alice", "0123456789abcdef0123456789abcdef");
    write_kaggle_json(env.home.path(), "alice", "0123456789abcdef0123456789abcdef");
    env.hub.add_kaggle_competition(
        fakehub::KaggleCompetition::new("titanic")
            .file("train.csv", TRAIN_CSV)
            .file("sub/notes.txt", "notes\n"),
    );
    env.hub.add_kaggle_model(
        fakehub::KaggleModel::new("google/gemma/pyTorch/2b")
            .file("config.json", "{}\n")
            .file("weights/model.bin", TEST_CSV),
    );
    let cache = env.work.path().join("kh");
    env.env("KAGGLEHUB_CACHE", cache.to_str().unwrap());
    env.run_ok("download kaggle --competition titanic --layout kagglehub");
    env.run_ok("download kaggle:models/google/gemma/pyTorch/2b --layout kagglehub");
    // kagglehub re-asks the server about a competition when it has credentials; without any (its
    // HOME has no kaggle.json) it returns the cached folder. A pinned model version is read from
    // the cache without a request.
    let script = r#"
import json, kagglehub
c = kagglehub.competition_download("titanic")
f = kagglehub.competition_download("titanic", path="train.csv")
m = kagglehub.model_download("google/gemma/pyTorch/2b/1")
w = kagglehub.model_download("google/gemma/pyTorch/2b/1", path="weights/model.bin")
print(json.dumps({"comp": c, "train": open(f).read(), "model": m, "weights": open(w).read()}))
"#;
    let empty_home = env.work.path().join("py-home");
    std::fs::create_dir_all(&empty_home).unwrap();
    let v = run_python(&py, &empty_home, &kagglehub_offline(&cache), script);
    assert_eq!(
        v["comp"],
        cache.join("competitions/titanic").to_str().unwrap()
    );
    assert_eq!(v["train"], TRAIN_CSV);
    assert_eq!(
        v["model"],
        cache
            .join("models/google/gemma/pyTorch/2b/1")
            .to_str()
            .unwrap()
    );
    assert_eq!(v["weights"], TEST_CSV);
}

/// Fills both caches with the real Python libraries (from the fake hub; every kind), then reads
/// them with `list` (no dsfetch record anywhere) and `verify` (huggingface_hub's blobs against
/// their names).
#[test]
fn list_and_verify_read_caches_the_python_libraries_wrote() {
    let Some(py) = python() else { return };
    let mut env = TestEnv::new();
    let commit = env.hub.add_hf_repo(
        HfRepo::new("acme/weather")
            .file("README.md", "# weather\n")
            .lfs_file("data/train.csv", TRAIN_CSV)
            .file("data/test.csv", TEST_CSV),
    );
    env.hub.add_kaggle_dataset(
        KaggleDataset::new("alice/titanic")
            .file("train.csv", TRAIN_CSV)
            .file("sub/notes.txt", "notes\n"),
    );
    env.hub.add_hf_repo(
        HfRepo::model("acme/bert")
            .file("config.json", "{}\n")
            .lfs_file("model.safetensors", TRAIN_CSV),
    );
    env.hub
        .add_hf_repo(HfRepo::space("acme/demo").file("app.py", "print()\n"));
    env.hub.add_kaggle_model(
        fakehub::KaggleModel::new("google/gemma/pyTorch/2b").file("model.bin", TEST_CSV),
    );
    env.hub.add_kaggle_competition(
        fakehub::KaggleCompetition::new("spaceship").file("train.csv", TRAIN_CSV),
    );
    env.hub.kaggle_add_token("KGAT_interop", "alice");
    env.hub.kaggle_accept_rules("spaceship", "alice");
    let hub_cache = env.work.path().join("hub");
    let kh_cache = env.work.path().join("kh");
    let script = r#"
import json, os
from huggingface_hub import snapshot_download
import kagglesdk.kaggle_env as ke
# kagglehub reaches a local server only in its TEST environment; point that at the fake hub.
ke._env_to_endpoint[ke.KaggleEnv.TEST] = os.environ["FAKEHUB"]
import kagglehub
p = snapshot_download("acme/weather", repo_type="dataset")
snapshot_download("acme/bert", repo_type="model")
snapshot_download("acme/demo", repo_type="space")
k = kagglehub.dataset_download("alice/titanic")
kagglehub.model_download("google/gemma/pyTorch/2b")
kagglehub.competition_download("spaceship")
print(json.dumps({"hf": p, "kaggle": k}))
"#;
    let v = run_python(
        &py,
        env.home.path(),
        &[
            ("HF_HUB_CACHE", hub_cache.display().to_string()),
            ("HF_ENDPOINT", env.hub.api_url()),
            ("HF_HUB_DISABLE_TELEMETRY", "1".into()),
            ("HF_HUB_DISABLE_XET", "1".into()),
            ("KAGGLEHUB_CACHE", kh_cache.display().to_string()),
            ("KAGGLE_API_ENVIRONMENT", "TEST".into()),
            ("FAKEHUB", env.hub.api_url()),
            ("KAGGLE_API_TOKEN", "KGAT_interop".into()),
            ("DISABLE_KAGGLE_CACHE", "1".into()),
            ("DISABLE_COLAB_CACHE", "1".into()),
        ],
        script,
    );
    let snapshot = hub_cache
        .join("datasets--acme--weather/snapshots")
        .join(&commit);
    assert_eq!(v["hf"], snapshot.to_str().unwrap());
    env.env("HF_HUB_CACHE", hub_cache.to_str().unwrap());
    env.env("KAGGLEHUB_CACHE", kh_cache.to_str().unwrap());
    let items = env.run_ok("list --json").json();
    let items = items.as_array().unwrap();
    let refs: Vec<&str> = items.iter().map(|i| i["ref"].as_str().unwrap()).collect();
    assert_eq!(refs.len(), 6, "{items:#?}");
    assert!(
        refs[1].starts_with("hf:models/acme/bert@") && refs[2].starts_with("hf:spaces/acme/demo@"),
        "{refs:?}"
    );
    assert_eq!(
        &refs[3..],
        [
            "kaggle:alice/titanic/versions/1",
            "kaggle:competitions/spaceship",
            "kaggle:models/google/gemma/pyTorch/2b/1"
        ]
    );
    let kinds: Vec<&str> = items.iter().map(|i| i["kind"].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        [
            "dataset",
            "model",
            "space",
            "dataset",
            "competition",
            "model"
        ]
    );
    assert!(
        items
            .iter()
            .all(|i| i["state"] == "complete" && i["by_dsfetch"] == false),
        "{items:#?}"
    );
    let hf = &items[0];
    assert_eq!(hf["ref"], format!("hf:acme/weather@{commit}"));
    assert_eq!(hf["layout"], "hf-cache");
    assert_eq!(hf["refs"], serde_json::json!(["main"]));
    assert_eq!(hf["files"], 3);
    assert_eq!(hf["state"], "complete");
    assert_eq!(hf["by_dsfetch"], false);
    let size = "# weather\n".len() + TRAIN_CSV.len() + TEST_CSV.len();
    assert_eq!(hf["size"], size);
    let k = &items[3];
    assert_eq!(k["ref"], "kaggle:alice/titanic/versions/1");
    assert_eq!(k["path"], v["kaggle"]);
    assert_eq!(
        (k["files"].as_u64(), k["state"].as_str()),
        (Some(2), Some("complete"))
    );
    assert_eq!(k["by_dsfetch"], false);
    // huggingface_hub's blobs are checked against their names; kagglehub keeps no checksums.
    let r = env.run_ok("verify --json").json();
    assert_eq!(r["results"][0]["checked"], 3);
    assert!(r["results"][3]["unverifiable"].is_string(), "{r:#}");
    let blob = std::fs::canonicalize(snapshot.join("data/train.csv")).unwrap();
    let mut b = std::fs::read(&blob).unwrap();
    b[0] ^= 1;
    std::fs::write(&blob, b).unwrap();
    let r = env.run_expect(6, "verify hf:acme/weather --json").json();
    assert_eq!(
        r["results"][0]["modified"],
        serde_json::json!(["data/train.csv"])
    );
    env.run_ok("verify hf:acme/weather --repair");
    assert_file(snapshot.join("data/train.csv"), TRAIN_CSV);
    env.run_ok("verify hf:acme/weather");
    // And `rm` removes what the libraries wrote.
    env.run_ok("rm kaggle:alice/titanic hf:acme/weather --yes");
    assert_no_file(hub_cache.join("datasets--acme--weather"));
    assert_no_file(kh_cache.join("datasets/alice/titanic/versions/1"));
}
