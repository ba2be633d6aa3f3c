//! The standalone server's data directory: every folder kind.

use fakehub::FakeHub;
use fakehub::data_dir::{Loaded, load, load_all};
use serde_json::json;

use crate::support::*;

fn write(root: &std::path::Path, rel: &str, bytes: &[u8]) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, bytes).unwrap();
}

fn tree() -> std::path::PathBuf {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    let d = std::env::temp_dir().join(format!(
        "fakehub-datadir-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    write(&d, "hf/acme/corpus/data/x.parquet", b"pq");
    write(&d, "hf-models/acme/bert/config.json", b"{}");
    write(&d, "hf-models/acme/bert/model.safetensors", b"w");
    write(&d, "hf-spaces/acme/app/app.py", b"print()");
    write(&d, "kaggle/alice/titanic/t.csv", b"a");
    write(&d, "kaggle-competitions/titanic/sub/x.csv", b"x");
    write(
        &d,
        "kaggle-models/google/gemma/pyTorch/2b/weights/m.bin",
        b"m",
    );
    d
}

#[test]
fn every_folder_kind_loads() {
    let d = tree();
    let hub = FakeHub::start();
    let l = load_all(&hub, &d).unwrap();
    assert_eq!(
        l,
        Loaded {
            hf_datasets: vec!["acme/corpus".into()],
            hf_models: vec!["acme/bert".into()],
            hf_spaces: vec!["acme/app".into()],
            kaggle_datasets: vec!["alice/titanic".into()],
            kaggle_competitions: vec!["titanic".into()],
            kaggle_models: vec!["google/gemma/pyTorch/2b".into()],
        }
    );
    let api = hub.api_url();
    let r = send(
        &api,
        "HEAD",
        "/acme/bert/resolve/main/model.safetensors",
        &[],
        b"",
    );
    assert_eq!(r.status, 302, "safetensors is LFS");
    assert_eq!(get(&api, "/api/spaces/acme/app", &[]).status, 200);
    let v = post_json(
        &api,
        "/v1/competitions.CompetitionApiService/ListDataFiles",
        &[],
        &json!({"competitionName": "titanic"}),
    )
    .json();
    assert_eq!(v["files"][0]["name"], "sub/x.csv");
    let v = post_json(
        &api,
        "/v1/models.ModelApiService/ListModelInstanceVersionFiles",
        &[],
        &json!({"ownerSlug": "google", "modelSlug": "gemma", "framework": "MODEL_FRAMEWORK_PY_TORCH", "instanceSlug": "2b"}),
    )
    .json();
    assert_eq!(v["files"][0]["name"], "weights/m.bin");
    // `load` still answers the dataset lists
    let hub2 = FakeHub::start();
    assert_eq!(
        load(&hub2, &d).unwrap(),
        (
            vec!["acme/corpus".to_string()],
            vec!["alice/titanic".to_string()]
        )
    );
    // a model folder with a reserved owner, or an unknown framework, is refused
    write(&d, "hf-models/api/x/a.txt", b"a");
    assert!(load_all(&FakeHub::start(), &d).is_err());
    std::fs::remove_dir_all(d.join("hf-models/api")).unwrap();
    write(&d, "kaggle-models/o/m/torch/v/a.txt", b"a");
    assert!(load_all(&FakeHub::start(), &d).is_err());
    std::fs::remove_dir_all(&d).unwrap();
}
