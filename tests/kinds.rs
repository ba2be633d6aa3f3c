//! Beyond datasets (issue 13): Hugging Face models and spaces, Kaggle competitions and models.
//! Each id form and each kind end to end: identical bytes, a pinned commit or version, a re-run
//! that transfers nothing, resume after a dropped connection, a corrupted transfer (exit 6),
//! rules not accepted (exit 3), hostile tarballs, the cache layouts, batch with a lockfile, and
//! `search --type`.

use crate::support::*;
use fakehub::{KaggleCompetition, KaggleModel};

const KEY: &str = "0123456789abcdef0123456789abcdef";

/// A model with an LFS weight file and regular files, and a space.
fn hf_kinds(hub: &FakeHub) -> (String, String) {
    let model = hub.add_hf_repo(
        HfRepo::model("acme/bert")
            .file("config.json", "{\"hidden\": 8}\n")
            .lfs_file("model.safetensors", bytes(21, 300_000))
            .file("tokenizer/vocab.txt", "a\nb\n"),
    );
    let space = hub.add_hf_repo(
        HfRepo::space("acme/demo")
            .sdk("gradio")
            .file("app.py", "print('hi')\n")
            .lfs_file("assets/sample.bin", bytes(22, 50_000)),
    );
    (model, space)
}

fn kaggle_user(env: &TestEnv) {
    env.hub.kaggle_add_user("alice", KEY);
    write_kaggle_json(env.home.path(), "alice", KEY);
}

fn titanic_competition(hub: &FakeHub) {
    hub.add_kaggle_competition(
        KaggleCompetition::new("titanic")
            .title("Titanic - Machine Learning from Disaster")
            .file("train.csv", bytes(31, 120_000))
            .file("test.csv", "id\n1\n")
            .file("extra/notes.txt", "notes\n"),
    );
}

fn gemma(hub: &FakeHub) {
    hub.add_kaggle_model(
        KaggleModel::new("google/gemma/pyTorch/2b")
            .file("config.json", "{}\n")
            .file("weights/model.bin", bytes(41, 200_000)),
    );
}

#[test]
fn hf_models_and_spaces_in_every_id_form() {
    let env = TestEnv::new();
    let (model_sha, space_sha) = hf_kinds(&env.hub);
    let model_forms = [
        "download hf:models/acme/bert",
        "download hf --type model acme/bert",
        "download hf --repo-type model acme/bert",
        "download hf models/acme/bert",
        "download https://huggingface.co/acme/bert",
        "download https://huggingface.co/acme/bert/tree/main",
        "download hf://acme/bert",
    ];
    for (i, line) in model_forms.iter().enumerate() {
        let v = env.run_ok(format!("{line} -o m{i} --json")).json();
        assert_eq!(v["commit"], model_sha.as_str(), "{line}");
        assert_eq!(v["dataset_id"], "models/acme/bert", "{line}");
        let dir = env.path(&format!("m{i}"));
        assert_tree(
            &dir,
            &["config.json", "model.safetensors", "tokenizer/vocab.txt"],
        );
        assert_file(dir.join("model.safetensors"), bytes(21, 300_000));
    }
    // The model's files come from /{id}/resolve (no prefix), its metadata from /api/models.
    let api = env.requests_on(Origin::Api);
    assert!(
        api.iter()
            .any(|r| r.path().starts_with("/api/models/acme/bert/revision/main"))
    );
    assert!(
        api.iter()
            .any(|r| r.path().starts_with("/acme/bert/resolve/"))
    );
    assert!(!api.iter().any(|r| r.path().starts_with("/api/datasets")));
    for (i, line) in [
        "download hf:spaces/acme/demo",
        "download hf --type space acme/demo",
        "download https://huggingface.co/spaces/acme/demo",
        "download hf://spaces/acme/demo",
    ]
    .iter()
    .enumerate()
    {
        let v = env.run_ok(format!("{line} -o s{i} --json")).json();
        assert_eq!(v["commit"], space_sha.as_str(), "{line}");
        assert_file(
            env.path(&format!("s{i}/assets/sample.bin")),
            bytes(22, 50_000),
        );
    }
    assert!(
        env.requests_on(Origin::Api)
            .iter()
            .any(|r| r.path().starts_with("/spaces/acme/demo/resolve/"))
    );
    // Default folders per kind.
    env.run_ok("download hf:models/acme/bert");
    env.run_ok("download hf:spaces/acme/demo");
    assert_exists(env.path("downloads/models/acme_bert/config.json"));
    assert_exists(env.path("downloads/spaces/acme_demo/app.py"));
    // A model asked for as a dataset is not found; --type against the id's own kind is refused.
    env.run_expect(4, "download hf acme/bert -o nope");
    env.run_expect(2, "download hf --type model spaces/acme/demo")
        .assert_stderr_contains(&["names a space"]);
    assert_no_file(env.path("nope/config.json"));
}

#[test]
fn a_model_is_pinned_to_a_commit_and_a_rerun_transfers_nothing() {
    let env = TestEnv::new();
    let (first, _) = hf_kinds(&env.hub);
    let second = env.hub.hf_commit(
        "models/acme/bert",
        "main",
        vec![HfFile::regular("config.json", "{\"hidden\": 16}\n")],
        &[],
    );
    assert_ne!(first, second);
    env.run_ok(format!("download hf:models/acme/bert@{first} -o old"));
    assert_file(env.path("old/config.json"), "{\"hidden\": 8}\n");
    let v = env
        .run_ok("download hf:models/acme/bert -o new --json")
        .json();
    assert_eq!(v["commit"], second.as_str());
    assert_file(env.path("new/config.json"), "{\"hidden\": 16}\n");
    env.clear_hub();
    let v = env
        .run_ok("download hf:models/acme/bert -o new --json")
        .json();
    assert_eq!(v["downloaded"], 0);
    env.assert_no_blob_requests();
}

#[test]
fn model_and_space_caches_in_the_hf_layout() {
    let mut env = TestEnv::new();
    let (model, space) = hf_kinds(&env.hub);
    let cache = env.work.path().join("hub");
    env.env("HF_HUB_CACHE", cache.to_str().unwrap());
    env.run_ok("download hf:models/acme/bert --layout hf-cache");
    env.run_ok("download hf --type space acme/demo --layout hf-cache");
    assert_file(cache.join("models--acme--bert/refs/main"), &model);
    assert_file(cache.join("spaces--acme--demo/refs/main"), &space);
    assert_file(
        cache.join(format!(
            "models--acme--bert/snapshots/{model}/model.safetensors"
        )),
        bytes(21, 300_000),
    );
    assert_no_file(cache.join("datasets--acme--bert"));
}

#[test]
fn competition_data_whole_by_file_and_by_pattern() {
    let env = TestEnv::new();
    kaggle_user(&env);
    titanic_competition(&env.hub);
    for (i, line) in [
        "download kaggle --competition titanic",
        "download kaggle:competitions/titanic",
        "download kaggle competitions/titanic",
        "download https://www.kaggle.com/competitions/titanic",
        "download https://www.kaggle.com/c/titanic/data",
        "download --competition titanic",
    ]
    .iter()
    .enumerate()
    {
        let v = env.run_ok(format!("{line} -o c{i} --json")).json();
        assert_eq!(v["dataset_id"], "competitions/titanic", "{line}");
        let dir = env.path(&format!("c{i}"));
        assert_tree(&dir, &["extra/notes.txt", "test.csv", "train.csv"]);
        assert_file(dir.join("train.csv"), bytes(31, 120_000));
        assert_no_file(dir.join("titanic.zip"));
    }
    // The whole data is one DownloadDataFiles archive.
    let calls = env.requests_matching(Origin::Api, "CompetitionApiService/DownloadDataFiles");
    assert_eq!(calls.len(), 6);
    // Named files one by one; a pattern selects from the listing.
    env.clear_hub();
    env.run_ok("download kaggle --competition titanic --file test.csv -o one");
    assert_tree(env.path("one"), &["test.csv"]);
    env.run_ok("download kaggle:competitions/titanic --include extra/ -o part");
    assert_tree(env.path("part"), &["extra/notes.txt"]);
    assert!(
        env.requests_matching(Origin::Api, "DownloadDataFiles")
            .is_empty()
    );
    // Default folder; a re-run transfers nothing.
    env.run_ok("download kaggle --competition titanic");
    assert_exists(env.path("downloads/competitions/titanic/train.csv"));
    env.clear_hub();
    let v = env
        .run_ok("download kaggle --competition titanic --json")
        .json();
    assert_eq!(v["downloaded"], 0);
    env.assert_no_blob_requests();
    // A change upstream (no versions: the file list) is noticed and fetched.
    env.hub
        .kaggle_competition_set_files("titanic", vec![("train.csv".into(), b"changed\n".to_vec())]);
    env.run_ok("download kaggle --competition titanic");
    assert_tree(env.path("downloads/competitions/titanic"), &["train.csv"]);
    assert_file(
        env.path("downloads/competitions/titanic/train.csv"),
        "changed\n",
    );
}

#[test]
fn competition_rules_and_credentials_are_exit_3_with_the_fix() {
    let env = TestEnv::new();
    titanic_competition(&env.hub);
    // Anonymous: the credential hint.
    let r = env.run_expect(3, "download kaggle --competition titanic -o x");
    assert!(
        r.error_line().to_lowercase().contains("kaggle.json"),
        "{}",
        r.stderr()
    );
    kaggle_user(&env);
    env.hub.kaggle_competition_rules_required("titanic", true);
    let r = env.run_expect(3, "download kaggle --competition titanic -o x --json");
    let e = r.json_error(3);
    let msg = e["error"]["message"].as_str().unwrap();
    assert!(
        msg.contains("https://www.kaggle.com/competitions/titanic/rules") && msg.contains("accept"),
        "{msg}"
    );
    assert_no_file(env.path("x/train.csv"));
    env.hub.kaggle_accept_rules("titanic", "alice");
    env.run_ok("download kaggle --competition titanic -o x");
    assert_file(env.path("x/train.csv"), bytes(31, 120_000));
    // An unknown competition is 4.
    env.run_expect(4, "download kaggle --competition no-such-thing -o y");
}

#[test]
fn kaggle_models_anonymous_pinned_and_in_every_form() {
    let env = TestEnv::new();
    gemma(&env.hub);
    let v2 = env.hub.kaggle_model_add_version(
        "google/gemma/pyTorch/2b",
        vec![("config.json".into(), b"{\"v\": 2}\n".to_vec())],
    );
    assert_eq!(v2, 2);
    // No credentials at all: public models need none.
    let v = env
        .run_ok("download kaggle:models/google/gemma/pyTorch/2b --json")
        .json();
    assert_eq!(v["version"], 2);
    assert_eq!(v["dataset_id"], "models/google/gemma/pyTorch/2b");
    let dir = env.path("downloads/models/google_gemma_pyTorch_2b");
    assert_tree(&dir, &["config.json"]);
    for (i, id) in [
        "kaggle:models/google/gemma/pyTorch/2b/1",
        "https://www.kaggle.com/models/google/gemma/pyTorch/2b/1",
        "https://www.kaggle.com/models/google/gemma/frameworks/pyTorch/variations/2b/versions/1",
        "kaggle:models/google/gemma/pytorch/2b/1",
    ]
    .iter()
    .enumerate()
    {
        let v = env.run_ok(format!("download {id} -o v{i} --json")).json();
        assert_eq!(v["version"], 1, "{id}");
        assert_file(
            env.path(&format!("v{i}/weights/model.bin")),
            bytes(41, 200_000),
        );
    }
    // Two files: fetched one by one (raw), never the tarball.
    let dl = env.requests_matching(Origin::Api, "ModelApiService/DownloadModelInstanceVersion");
    assert!(!dl.is_empty());
    assert!(
        dl.iter()
            .all(|r| String::from_utf8_lossy(&r.body).contains("\"path\""))
    );
    env.clear_hub();
    let v = env
        .run_ok("download kaggle:models/google/gemma/pyTorch/2b/1 -o v0 --json")
        .json();
    assert_eq!(v["downloaded"], 0);
    env.assert_no_blob_requests();
    env.run_expect(
        4,
        "download kaggle:models/google/gemma/pyTorch/2b/9 -o nine",
    );
    env.run_expect(4, "download kaggle:models/google/gemma/jax/2b -o jax");
}

#[test]
fn a_large_model_version_comes_as_a_tarball_extracted_safely() {
    let env = TestEnv::new();
    let mut m = KaggleModel::new("acme/big/keras/v1");
    for i in 0..30 {
        m = m.file(&format!("shards/{i:02}.bin"), bytes(100 + i, 5_000));
    }
    env.hub.add_kaggle_model(m);
    env.run_ok("download kaggle:models/acme/big/keras/v1 -o big");
    let dir = env.path("big");
    assert_eq!(files_under(&dir).len(), 30);
    assert_file(dir.join("shards/07.bin"), bytes(107, 5_000));
    assert_no_file(dir.join("archive.tar.gz"));
    let dl = env.requests_matching(Origin::Api, "DownloadModelInstanceVersion");
    assert_eq!(dl.len(), 1, "one tarball, not 30 files");
    // --no-unzip keeps the tarball as it came.
    env.run_ok("download kaggle:models/acme/big/keras/v1 -o kept --no-unzip");
    assert_tree(env.path("kept"), &["archive.tar.gz"]);
}

#[test]
fn hostile_tarballs_are_refused_with_nothing_written() {
    use fakehub::tarball::{TarEntry, tar_gz};
    let env = TestEnv::new();
    let file = |p: &str| TarEntry::File {
        path: p.into(),
        bytes: b"x".to_vec(),
    };
    let cases: Vec<(&str, Vec<TarEntry>)> = vec![
        ("dotdot", vec![file("ok.txt"), file("../escape.txt")]),
        ("absolute", vec![file("/tmp/dsfetch-abs.txt")]),
        (
            "symlink",
            vec![TarEntry::Symlink {
                path: "link".into(),
                target: "/etc/passwd".into(),
            }],
        ),
        (
            "hardlink",
            vec![
                file("a"),
                TarEntry::HardLink {
                    path: "b".into(),
                    target: "a".into(),
                },
            ],
        ),
        (
            "fifo",
            vec![TarEntry::Fifo {
                path: "pipe".into(),
            }],
        ),
        (
            "device",
            vec![TarEntry::CharDevice {
                path: "null".into(),
                major: 1,
                minor: 3,
            }],
        ),
    ];
    for (name, entries) in cases {
        let mut m = KaggleModel::new(&format!("evil/{name}/jax/v1"));
        for i in 0..30 {
            m = m.file(&format!("f{i}.txt"), "ok\n");
        }
        env.hub.add_kaggle_model(m.raw_archive(tar_gz(&entries)));
        let out = format!("out-{name}");
        let r = env.run_line(format!(
            "download kaggle:models/evil/{name}/jax/v1 -o {out}"
        ));
        assert_ne!(r.code(), 0, "{name}: {}", r.stderr());
        assert!(
            r.error_line().contains("tar entry"),
            "{name}: {}",
            r.stderr()
        );
        let written: Vec<String> = files_under(&env.path(&out))
            .into_iter()
            .filter(|p| !p.starts_with(".dsfetch"))
            .collect();
        assert!(written.is_empty(), "{name}: wrote {written:?}");
        assert_no_file(env.work.path().join("escape.txt"));
        assert_no_file("/tmp/dsfetch-abs.txt");
    }
}

#[test]
fn every_kind_resumes_after_a_drop_and_refuses_corruption() {
    let env = TestEnv::new();
    hf_kinds(&env.hub);
    kaggle_user(&env);
    titanic_competition(&env.hub);
    gemma(&env.hub);
    // (id, blob origin, the large file, its bytes, a part of its storage path).
    let cases = [
        (
            "hf:models/acme/bert",
            Origin::Cdn,
            "model.safetensors",
            bytes(21, 300_000),
            "",
        ),
        (
            "hf:spaces/acme/demo",
            Origin::Cdn,
            "assets/sample.bin",
            bytes(22, 50_000),
            "",
        ),
        (
            "kaggle:competitions/titanic",
            Origin::Storage,
            "train.csv",
            bytes(31, 120_000),
            "archive.zip",
        ),
        (
            "kaggle:models/google/gemma/pyTorch/2b",
            Origin::Storage,
            "weights/model.bin",
            bytes(41, 200_000),
            "model.bin",
        ),
    ];
    for (i, (id, origin, file, want, part)) in cases.iter().enumerate() {
        // A connection dropped mid-body: the next request resumes with Range.
        env.clear_hub();
        env.hub
            .fault(Fault::new(*origin, FaultKind::DropAfter(20_000)).path_contains(part));
        env.run_ok(format!("download {id} -o drop{i}"));
        assert_file(env.path(&format!("drop{i}/{file}")), want);
        assert!(
            env.requests_on(*origin)
                .iter()
                .any(|r| r.header("range").is_some_and(|h| h.starts_with("bytes=2"))),
            "{id}: no resumed Range request"
        );
        // A corrupted byte on every attempt: exit 6, nothing at the final path.
        env.clear_hub();
        env.hub.fault(
            Fault::new(*origin, FaultKind::Corrupt { offset: 1000 })
                .path_contains(part)
                .times(100),
        );
        env.run_expect(6, format!("download {id} -o bad{i}"));
        assert_no_file(env.path(&format!("bad{i}/{file}")));
        env.hub.clear_faults();
    }
}

#[test]
fn kagglehub_layout_for_competitions_and_models() {
    let mut env = TestEnv::new();
    kaggle_user(&env);
    titanic_competition(&env.hub);
    gemma(&env.hub);
    let cache = env.work.path().join("kh");
    env.env("KAGGLEHUB_CACHE", cache.to_str().unwrap());
    let v = env
        .run_ok("download kaggle --competition titanic --layout kagglehub --json")
        .json();
    let comp = cache.join("competitions/titanic");
    assert_eq!(v["file_path"], comp.to_str().unwrap());
    assert_tree(&comp, &["extra/notes.txt", "test.csv", "train.csv"]);
    assert_exists(cache.join("competitions/titanic.complete"));
    let v = env
        .run_ok("download kaggle:models/google/gemma/pyTorch/2b --layout kagglehub --json")
        .json();
    let model = cache.join("models/google/gemma/pyTorch/2b/1");
    assert_eq!(v["file_path"], model.to_str().unwrap());
    assert_tree(&model, &["config.json", "weights/model.bin"]);
    assert_exists(cache.join("models/google/gemma/pyTorch/2b/1.complete"));
    env.run_expect(2, "download hf:models/acme/bert --layout kagglehub");
}

#[test]
fn batch_and_lock_with_one_entry_of_each_kind() {
    let env = TestEnv::new();
    let (model_sha, space_sha) = hf_kinds(&env.hub);
    kaggle_user(&env);
    titanic_competition(&env.hub);
    gemma(&env.hub);
    env.write(
        "kinds.toml",
        r#"
[[dataset]]
source = "hf"
type = "model"
id = "acme/bert"

[[dataset]]
id = "hf:spaces/acme/demo"

[[dataset]]
source = "kaggle"
type = "competition"
id = "titanic"

[[dataset]]
id = "kaggle:models/google/gemma/pyTorch/2b"
"#,
    );
    env.run_ok("batch kinds.toml");
    assert_exists(env.path("downloads/models/acme_bert/model.safetensors"));
    assert_exists(env.path("downloads/spaces/acme_demo/app.py"));
    assert_exists(env.path("downloads/competitions/titanic/train.csv"));
    assert_exists(env.path("downloads/models/google_gemma_pyTorch_2b/config.json"));
    let lock = env.read_text("kinds.lock");
    assert!(
        lock.contains(&model_sha) && lock.contains(&space_sha),
        "{lock}"
    );
    // Upstream moves on; --locked still fetches what the lock pins.
    env.hub.kaggle_model_add_version(
        "google/gemma/pyTorch/2b",
        vec![("config.json".into(), b"{\"v\": 2}\n".to_vec())],
    );
    env.hub.hf_commit(
        "models/acme/bert",
        "main",
        vec![HfFile::regular("config.json", "changed\n")],
        &[],
    );
    std::fs::remove_dir_all(env.path("downloads")).unwrap();
    env.run_ok("batch kinds.toml --locked");
    assert_file(
        env.path("downloads/models/acme_bert/config.json"),
        "{\"hidden\": 8}\n",
    );
    assert_tree(
        env.path("downloads/models/google_gemma_pyTorch_2b"),
        &["config.json", "weights/model.bin"],
    );
    // A re-run transfers nothing.
    env.clear_hub();
    env.run_ok("batch kinds.toml --locked");
    env.assert_no_blob_requests();
    // A competition entry cannot carry a version.
    env.write(
        "bad.toml",
        "[[dataset]]\nid = \"kaggle:competitions/titanic\"\nversion = 2\n",
    );
    env.run_expect(2, "batch bad.toml")
        .assert_stderr_contains(&["no versions"]);
}

#[test]
fn search_by_type() {
    let env = TestEnv::new();
    env.hub.add_hf_repo(
        HfRepo::model("acme/bert-tiny")
            .pipeline_tag("fill-mask")
            .downloads(500)
            .file("a", "1"),
    );
    env.hub.add_hf_repo(
        HfRepo::space("acme/bert-demo")
            .sdk("gradio")
            .likes(7)
            .file("a", "1"),
    );
    env.hub
        .add_hf_repo(HfRepo::new("acme/bert-data").downloads(900).file("a", "1"));
    kaggle_user(&env);
    env.hub
        .add_kaggle_model(KaggleModel::new("google/bert/tensorFlow2/base").file("a", "1"));
    env.hub.add_kaggle_competition(
        KaggleCompetition::new("bert-challenge")
            .title("BERT challenge")
            .file("a.csv", "1"),
    );
    let refs = |line: &str| -> Vec<String> {
        let v = env.run_ok(line).json();
        v.as_array()
            .unwrap()
            .iter()
            .map(|h| h["ref"].as_str().unwrap().to_string())
            .collect()
    };
    let models = refs("search bert --type model --json");
    assert!(
        models.contains(&"hf:models/acme/bert-tiny".to_string()),
        "{models:?}"
    );
    assert!(
        models.contains(&"kaggle:models/google/bert/tensorFlow2/base".to_string()),
        "{models:?}"
    );
    assert!(
        !models.iter().any(|r| r.contains("bert-data")),
        "{models:?}"
    );
    assert_eq!(
        refs("search bert --type space --json"),
        vec!["hf:spaces/acme/bert-demo"]
    );
    assert_eq!(
        refs("search bert --type competition --json"),
        vec!["kaggle:competitions/bert-challenge"]
    );
    // Datasets stay the default.
    assert_eq!(refs("search bert --json"), vec!["hf:acme/bert-data"]);
    // Every ref downloads as it is.
    for r in models.iter().chain(
        [
            "hf:spaces/acme/bert-demo".to_string(),
            "kaggle:competitions/bert-challenge".to_string(),
        ]
        .iter(),
    ) {
        env.run_ok(format!("download {r} --dry-run"));
    }
    // A kind the hub does not have is refused.
    env.run_expect(2, "search bert --type space --source kaggle");
    env.run_expect(2, "search bert --type competition --source hf");
    env.run_expect(2, "search bert --type model --file-type csv");
}
