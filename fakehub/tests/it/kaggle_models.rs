//! Kaggle models: `models.ModelApiService`, the framework field, versions, `archive.tar.gz`,
//! private models, and hostile tarballs.

use std::io::Read;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use fakehub::tarball::{TarEntry, tar_gz};
use fakehub::{FakeHub, KaggleModel, Origin};
use md5::{Digest, Md5};
use serde_json::{Value, json};

use crate::support::*;

const SVC: &str = "/v1/models.ModelApiService";

fn hub() -> FakeHub {
    let hub = FakeHub::start();
    let mut m = KaggleModel::new("google/gemma/pyTorch/2b")
        .file("config.json", "{\"a\":1}")
        .file("weights/model.bin", vec![5u8; 3000])
        .license("Gemma");
    for i in 0..3 {
        m = m.file(&format!("extra/{i}.txt"), format!("x{i}"));
    }
    hub.add_kaggle_model(m);
    hub.add_kaggle_model(
        KaggleModel::new("google/gemma/tensorFlow2/2b").file("saved_model.pb", "tf"),
    );
    hub.add_kaggle_model(
        KaggleModel::new("alice/secret/keras/v1")
            .file("m.keras", "k")
            .private(true),
    );
    hub.kaggle_add_user("alice", "key");
    hub.kaggle_add_token("KGAT_bob", "bob");
    hub
}

fn instance(framework: Value) -> Value {
    json!({"ownerSlug": "google", "modelSlug": "gemma", "framework": framework, "instanceSlug": "2b"})
}

fn rpc(api: &str, method: &str, auth: &[(&str, &str)], body: &Value) -> Resp {
    post_json(api, &format!("{SVC}/{method}"), auth, body)
}

/// One entry of a tarball: type, name, size, link target, and the body of small files.
type Entry = (tar::EntryType, String, u64, Option<String>, Vec<u8>);

/// The entries of a `.tar.gz`.
fn entries(tgz: &[u8]) -> Vec<Entry> {
    let gz = flate2::read::GzDecoder::new(tgz);
    let mut ar = tar::Archive::new(gz);
    ar.entries()
        .unwrap()
        .map(|e| {
            let mut e = e.unwrap();
            let h = e.header().clone();
            let name = String::from_utf8_lossy(&e.path_bytes()).into_owned();
            let link = e
                .link_name_bytes()
                .map(|l| String::from_utf8_lossy(&l).into_owned());
            let mut body = Vec::new();
            if h.entry_type() == tar::EntryType::Regular && h.size().unwrap() < 1 << 20 {
                e.read_to_end(&mut body).unwrap();
            }
            (h.entry_type(), name, h.size().unwrap(), link, body)
        })
        .collect()
}

#[test]
fn get_model_instance_and_the_framework_field() {
    let hub = hub();
    let api = hub.api_url();
    let r = rpc(
        &api,
        "GetModelInstance",
        &[],
        &instance(json!("MODEL_FRAMEWORK_PY_TORCH")),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let v = r.json();
    assert_eq!(v["versionNumber"], 1);
    assert_eq!(v["totalUncompressedBytes"], 7 + 3000 + 6);
    assert_eq!(v["licenseName"], "Gemma");
    assert_eq!(v["framework"], "MODEL_FRAMEWORK_PY_TORCH");
    assert_eq!(v["slug"], "2b");
    assert_eq!(
        v["url"],
        "https://www.kaggle.com/models/google/gemma/pyTorch/2b"
    );
    assert!(v["versionId"].as_u64().unwrap() > 0);
    // the enum number works too (proto3 JSON); another framework is another instance
    assert_eq!(
        rpc(&api, "GetModelInstance", &[], &instance(json!(5))).status,
        200
    );
    let v = rpc(
        &api,
        "GetModelInstance",
        &[],
        &instance(json!("MODEL_FRAMEWORK_TENSOR_FLOW_2")),
    )
    .json();
    assert_eq!(
        v["url"],
        "https://www.kaggle.com/models/google/gemma/tensorFlow2/2b"
    );
    let r = rpc(
        &api,
        "GetModelInstance",
        &[],
        &instance(json!("MODEL_FRAMEWORK_JAX")),
    );
    assert_eq!((r.status, r.json()["code"].as_u64()), (404, Some(404)));
    // what kagglesdk never sends is refused
    for bad in [
        json!("pyTorch"),
        json!("PY_TORCH"),
        json!("model_framework_py_torch"),
        json!(99),
        json!("MODEL_FRAMEWORK_UNSPECIFIED"),
        json!(0),
        json!(true),
    ] {
        let r = rpc(&api, "GetModelInstance", &[], &instance(bad.clone()));
        assert_eq!(
            (r.status, r.json()["code"].as_u64()),
            (400, Some(400)),
            "{bad}"
        );
    }
    let mut no_fw = instance(json!("x"));
    no_fw.as_object_mut().unwrap().remove("framework");
    assert_eq!(rpc(&api, "GetModelInstance", &[], &no_fw).status, 400);
    let mut no_owner = instance(json!("MODEL_FRAMEWORK_PY_TORCH"));
    no_owner.as_object_mut().unwrap().remove("ownerSlug");
    assert_eq!(rpc(&api, "GetModelInstance", &[], &no_owner).status, 400);
    // the /api/v1 prefix (KAGGLE_API_ENVIRONMENT=LOCALHOST) reaches the same service
    let r = post_json(
        &api,
        "/api/v1/models.ModelApiService/GetModelInstance",
        &[],
        &instance(json!("MODEL_FRAMEWORK_PY_TORCH")),
    );
    assert_eq!(r.status, 200);
}

#[test]
fn list_files_pages_and_versions() {
    let hub = hub();
    let api = hub.api_url();
    let mut body = instance(json!("MODEL_FRAMEWORK_PY_TORCH"));
    body["pageSize"] = json!(3);
    body["versionNumber"] = json!(1);
    let v = rpc(&api, "ListModelInstanceVersionFiles", &[], &body).json();
    let names: Vec<&str> = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["config.json", "extra/0.txt", "extra/1.txt"]);
    assert_eq!(v["files"][0]["size"], 7);
    assert!(
        v["files"][0]["creationDate"]
            .as_str()
            .unwrap()
            .ends_with('Z')
    );
    let tok = v["nextPageToken"].as_str().unwrap().to_string();
    assert!(!tok.is_empty());
    body["pageToken"] = json!(tok);
    let v = rpc(&api, "ListModelInstanceVersionFiles", &[], &body).json();
    assert_eq!(v["files"].as_array().unwrap().len(), 2);
    assert_eq!(v["nextPageToken"], "");

    let n = hub.kaggle_model_add_version(
        "google/gemma/PyTorch/2b",
        vec![("new.bin".into(), b"v2".to_vec())],
    );
    assert_eq!(n, 2);
    let v = rpc(
        &api,
        "GetModelInstance",
        &[],
        &instance(json!("MODEL_FRAMEWORK_PY_TORCH")),
    )
    .json();
    assert_eq!(
        (
            v["versionNumber"].as_u64(),
            v["totalUncompressedBytes"].as_u64()
        ),
        (Some(2), Some(2))
    );
    // no versionNumber: the current version
    let v = rpc(
        &api,
        "ListModelInstanceVersionFiles",
        &[],
        &instance(json!("MODEL_FRAMEWORK_PY_TORCH")),
    )
    .json();
    assert_eq!(v["files"][0]["name"], "new.bin");
    let mut old = instance(json!("MODEL_FRAMEWORK_PY_TORCH"));
    old["versionNumber"] = json!(1);
    let v = rpc(&api, "ListModelInstanceVersionFiles", &[], &old).json();
    assert_eq!(v["files"].as_array().unwrap().len(), 5);
    old["versionNumber"] = json!(7);
    assert_eq!(
        rpc(&api, "ListModelInstanceVersionFiles", &[], &old).status,
        404
    );
}

#[test]
fn download_version_archive_and_files() {
    let hub = hub();
    let api = hub.api_url();
    let mut body = instance(json!("MODEL_FRAMEWORK_PY_TORCH"));
    // kagglehub always sends the version; without one there is no version 0
    assert_eq!(
        rpc(&api, "DownloadModelInstanceVersion", &[], &body).status,
        404
    );
    body["versionNumber"] = json!(1);
    let r = rpc(&api, "DownloadModelInstanceVersion", &[], &body);
    assert_eq!(r.status, 302, "{}", r.text());
    let loc = r.header("location").unwrap().to_string();
    assert!(
        loc.starts_with(&format!("{}/kaggle-models-data/", hub.storage_url())),
        "{loc}"
    );
    assert!(
        loc.contains("/bundle/archive.tar.gz?X-Goog-Algorithm="),
        "{loc}"
    );
    let z = get_url(&loc, &[]);
    assert_eq!(z.status, 200);
    assert_eq!(z.content_length(), Some(z.body.len() as u64));
    assert_eq!(&z.body[..2], &[0x1f, 0x8b], "gzip");
    let md5 = Md5::digest(&z.body);
    assert!(
        z.header("x-goog-hash")
            .unwrap()
            .ends_with(&format!("md5={}", STANDARD.encode(md5)))
    );
    assert_eq!(
        z.body,
        hub.kaggle_model_archive("google/gemma/pyTorch/2b", 1)
            .unwrap()
    );
    let got: Vec<(tar::EntryType, String, u64)> = entries(&z.body)
        .into_iter()
        .map(|(t, n, s, _, _)| (t, n, s))
        .collect();
    use tar::EntryType::{Directory as D, Regular as F};
    assert_eq!(
        got,
        [
            (F, "config.json".to_string(), 7),
            (D, "extra/".to_string(), 0),
            (F, "extra/0.txt".to_string(), 2),
            (F, "extra/1.txt".to_string(), 2),
            (F, "extra/2.txt".to_string(), 2),
            (D, "weights/".to_string(), 0),
            (F, "weights/model.bin".to_string(), 3000),
        ]
    );
    assert_eq!(entries(&z.body)[6].4, vec![5u8; 3000]);
    let r = get_url(&loc, &[("Range", "bytes=0-1")]);
    assert_eq!((r.status, r.body.as_slice()), (206, &[0x1f, 0x8b][..]));

    // one file, raw, from a sub-folder
    body["path"] = json!("weights/model.bin");
    let r = rpc(&api, "DownloadModelInstanceVersion", &[], &body);
    let loc = r.header("location").unwrap().to_string();
    assert!(
        loc.split('?')
            .next()
            .unwrap()
            .ends_with("/weights/model.bin"),
        "{loc}"
    );
    assert_eq!(get_url(&loc, &[]).body, vec![5u8; 3000]);
    body["path"] = json!("nope.bin");
    assert_eq!(
        rpc(&api, "DownloadModelInstanceVersion", &[], &body).status,
        404
    );
    assert!(
        hub.requests()
            .iter()
            .filter(|q| q.origin == Origin::Storage)
            .all(|q| q.header("authorization").is_none())
    );
}

#[test]
fn private_models_need_their_owner() {
    let hub = hub();
    let api = hub.api_url();
    let body = json!({"ownerSlug": "alice", "modelSlug": "secret", "framework": "MODEL_FRAMEWORK_KERAS", "instanceSlug": "v1"});
    let r = rpc(&api, "GetModelInstance", &[], &body);
    assert_eq!((r.status, r.json()["code"].as_u64()), (401, Some(401)));
    let r = rpc(
        &api,
        "GetModelInstance",
        &[("Authorization", "Bearer KGAT_bob")],
        &body,
    );
    assert_eq!((r.status, r.json()["code"].as_u64()), (403, Some(403)));
    let alice = basic("alice", "key");
    let r = rpc(
        &api,
        "GetModelInstance",
        &[("Authorization", alice.as_str())],
        &body,
    );
    assert_eq!(r.status, 200);
    let mut dl = body.clone();
    dl["versionNumber"] = json!(1);
    assert_eq!(
        rpc(&api, "DownloadModelInstanceVersion", &[], &dl).status,
        401
    );
    assert_eq!(
        rpc(
            &api,
            "DownloadModelInstanceVersion",
            &[("Authorization", alice.as_str())],
            &dl
        )
        .status,
        302
    );
    assert_eq!(
        rpc(
            &api,
            "GetModelInstance",
            &[("Authorization", "Bearer nope")],
            &body
        )
        .status,
        401
    );
}

#[test]
fn hostile_tarballs_are_served_verbatim() {
    let bomb = 64 << 20;
    let tgz = tar_gz(&[
        TarEntry::File {
            path: "/etc/passwd".into(),
            bytes: b"root".to_vec(),
        },
        TarEntry::File {
            path: "../escape.txt".into(),
            bytes: b"up".to_vec(),
        },
        TarEntry::Dir { path: "d/".into() },
        TarEntry::Symlink {
            path: "d/link".into(),
            target: "/etc/shadow".into(),
        },
        TarEntry::HardLink {
            path: "d/hard".into(),
            target: "../../outside".into(),
        },
        TarEntry::Fifo {
            path: "d/fifo".into(),
        },
        TarEntry::CharDevice {
            path: "d/null".into(),
            major: 1,
            minor: 3,
        },
        TarEntry::BlockDevice {
            path: "d/sda".into(),
            major: 8,
            minor: 0,
        },
        TarEntry::Zeros {
            path: "bomb.bin".into(),
            len: bomb,
        },
        TarEntry::File {
            path: format!("{}/deep.txt", "x".repeat(120)),
            bytes: b"long".to_vec(),
        },
    ]);
    assert!(tgz.len() < 1 << 20, "the bomb compresses: {}", tgz.len());
    let hub = FakeHub::start();
    hub.add_kaggle_model(
        KaggleModel::new("evil/m/jax/v")
            .file("ok.txt", "ok")
            .raw_archive(tgz.clone()),
    );
    let api = hub.api_url();
    let body = json!({"ownerSlug": "evil", "modelSlug": "m", "framework": "MODEL_FRAMEWORK_JAX",
                      "instanceSlug": "v", "versionNumber": 1});
    let loc = rpc(&api, "DownloadModelInstanceVersion", &[], &body)
        .header("location")
        .unwrap()
        .to_string();
    let z = get_url(&loc, &[]);
    assert_eq!(z.body, tgz);
    let got = entries(&z.body);
    use tar::EntryType as T;
    let summary: Vec<(T, &str, u64, Option<&str>)> = got
        .iter()
        .map(|(t, n, s, l, _)| (*t, n.as_str(), *s, l.as_deref()))
        .collect();
    let long = format!("{}/deep.txt", "x".repeat(120));
    assert_eq!(
        summary,
        [
            (T::Regular, "/etc/passwd", 4, None),
            (T::Regular, "../escape.txt", 2, None),
            (T::Directory, "d/", 0, None),
            (T::Symlink, "d/link", 0, Some("/etc/shadow")),
            (T::Link, "d/hard", 0, Some("../../outside")),
            (T::Fifo, "d/fifo", 0, None),
            (T::Char, "d/null", 0, None),
            (T::Block, "d/sda", 0, None),
            (T::Regular, "bomb.bin", bomb, None),
            (T::Regular, long.as_str(), 4, None),
        ]
    );
    // the single-file route still serves the listed files
    let mut one = body.clone();
    one["path"] = json!("ok.txt");
    let loc = rpc(&api, "DownloadModelInstanceVersion", &[], &one)
        .header("location")
        .unwrap()
        .to_string();
    assert_eq!(get_url(&loc, &[]).body, b"ok");
}

#[test]
fn list_models_groups_instances_filters_and_pages() {
    let hub = hub();
    let api = hub.api_url();
    let r = rpc(&api, "ListModels", &[], &json!({"search": "gemma"}));
    assert_eq!(r.status, 200);
    let v = r.json();
    let models = v["models"].as_array().unwrap();
    assert_eq!(models.len(), 1);
    assert_eq!(models[0]["ref"], "google/gemma");
    assert_eq!(models[0]["author"], "google");
    let frameworks: Vec<&str> = models[0]["instances"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["framework"].as_str().unwrap())
        .collect();
    assert_eq!(
        frameworks,
        ["MODEL_FRAMEWORK_PY_TORCH", "MODEL_FRAMEWORK_TENSOR_FLOW_2"]
    );
    assert_eq!(models[0]["instances"][0]["slug"], "2b");
    // A private model shows only to its owner.
    let all = |auth: &[(&str, &str)]| -> Vec<String> {
        rpc(&api, "ListModels", auth, &json!({})).json()["models"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["ref"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(all(&[]), ["google/gemma"]);
    let alice = basic("alice", "key");
    assert_eq!(
        all(&[("Authorization", alice.as_str())]),
        ["alice/secret", "google/gemma"]
    );
    // owner filter, paging, a bad sortBy.
    let r = rpc(
        &api,
        "ListModels",
        &[("Authorization", alice.as_str())],
        &json!({"owner": "alice"}),
    );
    assert_eq!(r.json()["models"][0]["ref"], "alice/secret");
    let p1 = rpc(
        &api,
        "ListModels",
        &[("Authorization", alice.as_str())],
        &json!({"pageSize": 1}),
    )
    .json();
    assert_eq!(p1["models"].as_array().unwrap().len(), 1);
    let token = p1["nextPageToken"].as_str().unwrap().to_string();
    assert!(!token.is_empty());
    let p2 = rpc(
        &api,
        "ListModels",
        &[("Authorization", alice.as_str())],
        &json!({"pageSize": 1, "pageToken": token}),
    )
    .json();
    assert_eq!(p2["models"][0]["ref"], "google/gemma");
    assert_eq!(p2["nextPageToken"], "");
    let r = rpc(&api, "ListModels", &[], &json!({"sortBy": "NOPE"}));
    assert_eq!(r.status, 400);
}
