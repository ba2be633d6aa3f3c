//! Hugging Face models and Spaces: routes per type, the type as part of a repo's identity, the
//! model and Space fields, search, and the builder's `models/…` / `spaces/…` keys.

use fakehub::{FakeHub, Fault, FaultKind, HfFile, HfRepo, HfRepoType, Options, Origin};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::support::*;

fn hub() -> FakeHub {
    let hub = FakeHub::start_with(Options {
        hf_page_size: 2,
        ..Options::default()
    });
    hub.add_hf_repo(
        HfRepo::model("acme/bert")
            .file("config.json", r#"{"model_type":"bert"}"#)
            .file("tokenizer/vocab.txt", "a\nb\n")
            .lfs_file("model.safetensors", vec![3u8; 4000])
            .pipeline_tag("fill-mask")
            .library_name("transformers")
            .config(r#"{"architectures":["BertForMaskedLM"],"model_type":"bert"}"#)
            .safetensors(&[("F32", 1000), ("I64", 24)])
            .tags(&["transformers", "license:mit"])
            .downloads(70),
    );
    // Same id, other types: three distinct repos.
    hub.add_hf_repo(HfRepo::new("acme/bert").file("data.csv", "dataset!"));
    hub.add_hf_repo(
        HfRepo::space("acme/bert")
            .file("app.py", "import gradio")
            .sdk("streamlit"),
    );
    hub.add_hf_repo(
        HfRepo::model("acme/gpt")
            .file("config.json", "{}")
            .pipeline_tag("text-generation")
            .downloads(900),
    );
    hub.add_hf_repo(HfRepo::model("gpt2").file("config.json", "{\"n\":2}"));
    hub.add_hf_repo(
        HfRepo::model("alice/private-model")
            .file("w.txt", "w")
            .private(true),
    );
    hub.add_hf_repo(
        HfRepo::model("acme/llama")
            .file("w.txt", "w")
            .gated(Some("manual")),
    );
    hub.add_hf_repo(HfRepo::space("acme/app").file("app.py", "print(1)"));
    hub.hf_add_token("hf_alice", "alice");
    hub.hf_add_token("hf_bob", "bob");
    hub
}

fn ids(v: &Value) -> Vec<&str> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap())
        .collect()
}

#[test]
fn model_info_fields_and_revision() {
    let hub = hub();
    let api = hub.api_url();
    let r = get(&api, "/api/models/acme/bert", &[]);
    assert_eq!(r.status, 200, "{}", r.text());
    let v = r.json();
    assert_eq!(v["id"], "acme/bert");
    assert_eq!(v["modelId"], "acme/bert");
    assert_eq!(v["author"], "acme");
    assert_eq!(v["pipeline_tag"], "fill-mask");
    assert_eq!(v["library_name"], "transformers");
    assert_eq!(v["config"]["architectures"][0], "BertForMaskedLM");
    assert_eq!(v["safetensors"]["parameters"]["F32"], 1000);
    assert_eq!(v["safetensors"]["total"], 1024);
    assert_eq!(v["downloads"], 70);
    assert!(v.get("citation").is_none() && v.get("description").is_none());
    let sha = hub.hf_rev_sha("models/acme/bert", "main").unwrap();
    assert_eq!(v["sha"], sha.as_str());
    let names: Vec<&str> = v["siblings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["rfilename"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["config.json", "model.safetensors", "tokenizer/vocab.txt"]
    );
    // blobs=true gives the LFS sha256, as for datasets
    let v = get(
        &api,
        &format!("/api/models/acme/bert/revision/{sha}?blobs=true"),
        &[],
    )
    .json();
    assert_eq!(
        v["siblings"][1]["lfs"]["sha256"],
        hex::encode(Sha256::digest([3u8; 4000]))
    );
    // expand names the model's properties; a dataset-only one is a 400
    let v = get(
        &api,
        "/api/models/acme/bert?expand=pipeline_tag&expand=sha",
        &[],
    )
    .json();
    let mut keys: Vec<&String> = v.as_object().unwrap().keys().collect();
    keys.sort();
    assert_eq!(keys, ["_id", "id", "pipeline_tag", "sha"]);
    assert_eq!(
        get(&api, "/api/models/acme/bert?expand=citation", &[]).status,
        400
    );
    assert_eq!(
        get(&api, "/api/datasets/acme/bert?expand=pipeline_tag", &[]).status,
        400
    );
    // canonical model
    assert_eq!(get(&api, "/api/models/gpt2", &[]).json()["id"], "gpt2");
    // refs
    let refs = get(&api, "/api/models/acme/bert/refs", &[]).json();
    assert_eq!(refs["branches"][0]["targetCommit"], sha.as_str());
}

#[test]
fn space_info_fields() {
    let hub = hub();
    let api = hub.api_url();
    let v = get(&api, "/api/spaces/acme/bert", &[]).json();
    assert_eq!(v["id"], "acme/bert");
    assert_eq!(v["sdk"], "streamlit");
    assert_eq!(v["runtime"]["stage"], "RUNNING");
    assert_eq!(v["runtime"]["hardware"]["current"], "cpu-basic");
    assert_eq!(v["subdomain"], "acme-bert.hf.space");
    assert_eq!(v["host"], "https://acme-bert.hf.space");
    assert_eq!(v["siblings"][0]["rfilename"], "app.py");
    assert!(v.get("downloads").is_none() && v.get("pipeline_tag").is_none());
    assert_eq!(
        get(&api, "/api/spaces/acme/app", &[]).json()["sdk"],
        "gradio"
    );
    assert_eq!(
        get(&api, "/api/spaces/acme/bert?expand=downloads", &[]).status,
        400
    );
}

#[test]
fn the_type_is_part_of_the_id() {
    let hub = hub();
    let api = hub.api_url();
    // acme/gpt is only a model
    for path in ["/api/datasets/acme/gpt", "/api/spaces/acme/gpt"] {
        let r = get(&api, path, &[]);
        assert_eq!(
            (r.status, r.header("x-error-code")),
            (401, Some("RepoNotFound")),
            "{path}"
        );
        let r = get(&api, path, &[("Authorization", "Bearer hf_bob")]);
        assert_eq!(
            (r.status, r.header("x-error-code")),
            (404, Some("RepoNotFound"))
        );
    }
    let r = get(&api, "/datasets/acme/gpt/resolve/main/config.json", &[]);
    assert_eq!(
        (r.status, r.header("x-error-code")),
        (401, Some("RepoNotFound"))
    );
    // a dataset-only id as a model
    let r = get(&api, "/acme/nothing/resolve/main/x", &[]);
    assert_eq!(
        (r.status, r.header("x-error-code")),
        (401, Some("RepoNotFound"))
    );
    // one id, three repos
    let d = get(&api, "/api/datasets/acme/bert", &[]).json();
    let m = get(&api, "/api/models/acme/bert", &[]).json();
    let s = get(&api, "/api/spaces/acme/bert", &[]).json();
    assert_ne!(d["sha"], m["sha"]);
    assert_ne!(m["sha"], s["sha"]);
    assert_ne!(d["_id"], m["_id"]);
    assert_eq!(d["siblings"][0]["rfilename"], "data.csv");
    // the builder's keys
    let dsha = hub.hf_rev_sha("acme/bert", "main").unwrap();
    assert_eq!(
        hub.hf_rev_sha("datasets/acme/bert", "main"),
        Some(dsha.clone())
    );
    assert_eq!(d["sha"], dsha.as_str());
    assert_eq!(
        s["sha"],
        hub.hf_rev_sha("spaces/acme/bert", "main").unwrap().as_str()
    );
    assert_eq!(hub.hf_rev_sha("models/acme/data-only", "main"), None);
}

#[test]
fn builder_keys_reach_models_and_spaces() {
    let hub = hub();
    let api = hub.api_url();
    let before = hub.hf_rev_sha("acme/bert", "main");
    let c = hub.hf_commit(
        "models/acme/bert",
        "main",
        vec![HfFile::regular("README.md", "# bert")],
        &["config.json"],
    );
    assert_eq!(
        hub.hf_rev_sha("acme/bert", "main"),
        before,
        "the dataset is untouched"
    );
    let r = get(&api, "/acme/bert/resolve/main/README.md", &[]);
    assert_eq!(r.header("x-repo-commit"), Some(c.as_str()));
    let r = get(&api, &format!("/acme/bert/resolve/{c}/config.json"), &[]);
    assert_eq!(
        (r.status, r.header("x-error-code")),
        (404, Some("EntryNotFound"))
    );
    let t = hub.hf_set_ref(
        "spaces/acme/app",
        "v1",
        vec![HfFile::regular("app.py", "v1")],
    );
    let r = get(&api, "/spaces/acme/app/resolve/v1/app.py", &[]);
    assert_eq!(r.header("x-repo-commit"), Some(t.as_str()));
    // grants
    let r = get(
        &api,
        "/api/models/alice/private-model",
        &[("Authorization", "Bearer hf_bob")],
    );
    assert_eq!(r.status, 404);
    hub.hf_grant("models/alice/private-model", "bob");
    let r = get(
        &api,
        "/api/models/alice/private-model",
        &[("Authorization", "Bearer hf_bob")],
    );
    assert_eq!(r.status, 200);
    let r = get(
        &api,
        "/alice/private-model/resolve/main/w.txt",
        &[("Authorization", "Bearer hf_alice")],
    );
    assert_eq!((r.status, r.body.as_slice()), (200, &b"w"[..]));
    // HfRepo::kind
    hub.add_hf_repo(HfRepo::new("x/y").kind(HfRepoType::Space).file("a", "b"));
    assert!(hub.hf_rev_sha("spaces/x/y", "main").is_some());
    assert!(hub.hf_rev_sha("x/y", "main").is_none());
}

#[test]
fn model_and_space_resolve() {
    let hub = hub();
    let api = hub.api_url();
    let sha = hub.hf_rev_sha("models/acme/bert", "main").unwrap();
    // small public file: 307 to the resolve-cache hop, which works without its query
    let r = send(
        &api,
        "HEAD",
        "/acme/bert/resolve/main/tokenizer/vocab.txt",
        &[],
        b"",
    );
    assert_eq!(r.status, 307);
    let loc = r.header("location").unwrap().to_string();
    assert!(
        loc.starts_with(&format!(
            "/api/resolve-cache/models/acme/bert/{sha}/tokenizer/vocab.txt?%2Facme%2Fbert%2Fresolve%2Fmain%2Ftokenizer%2Fvocab.txt=&etag=%22"
        )),
        "{loc}"
    );
    assert_eq!(r.header("x-repo-commit"), Some(sha.as_str()));
    let hop = loc.split('?').next().unwrap();
    let r = get(&api, hop, &[]);
    assert_eq!((r.status, r.body.as_slice()), (200, &b"a\nb\n"[..]));
    assert_eq!(r.header("x-repo-commit"), Some(sha.as_str()));
    let etag = r.header("etag").unwrap().trim_matches('"').to_string();
    assert!(loc.ends_with(&format!("%22{etag}%22")));
    // LFS: 302 to the CDN with the linked etag and size; the CDN honours Range
    let r = send(
        &api,
        "HEAD",
        "/acme/bert/resolve/main/model.safetensors",
        &[],
        b"",
    );
    assert_eq!(r.status, 302);
    assert_eq!(r.header("x-linked-size"), Some("4000"));
    let want = hex::encode(Sha256::digest([3u8; 4000]));
    assert_eq!(
        r.header("x-linked-etag"),
        Some(format!("\"{want}\"").as_str())
    );
    let cdn = r.header("location").unwrap().to_string();
    assert!(cdn.starts_with(&hub.cdn_url()));
    let r = get_url(&cdn, &[("Range", "bytes=10-19")]);
    assert_eq!(r.status, 206);
    assert_eq!(r.header("content-range"), Some("bytes 10-19/4000"));
    assert_eq!(r.body, vec![3u8; 10]);
    // canonical model
    let r = get(&api, "/gpt2/resolve/main/config.json", &[]);
    assert_eq!((r.status, r.body.as_slice()), (200, &b"{\"n\":2}"[..]));
    // Space files
    let r = get(&api, "/spaces/acme/bert/resolve/main/app.py", &[]);
    assert_eq!(r.status, 307);
    let loc = r.header("location").unwrap();
    assert!(
        loc.starts_with("/api/resolve-cache/spaces/acme/bert/"),
        "{loc}"
    );
    assert!(loc.contains("=&etag="));
    assert!(loc.contains("%2Fspaces%2Facme%2Fbert%2Fresolve%2Fmain%2Fapp.py"));
    let r = get(&api, loc.split('?').next().unwrap(), &[]);
    assert_eq!(r.body, b"import gradio");
    // datasets keep their prefix; the model route does not shadow it
    let r = get(&api, "/datasets/acme/bert/resolve/main/data.csv", &[]);
    assert_eq!(r.status, 307);
    assert!(
        r.header("location")
            .unwrap()
            .starts_with("/api/resolve-cache/datasets/acme/bert/")
    );
    let r = get(&api, "/acme/bert/resolve/main/data.csv", &[]);
    assert_eq!(
        (r.status, r.header("x-error-code")),
        (404, Some("EntryNotFound"))
    );
    // gated model: the message names a model and its page
    let r = get(
        &api,
        "/acme/llama/resolve/main/w.txt",
        &[("Authorization", "Bearer hf_bob")],
    );
    assert_eq!(
        (r.status, r.header("x-error-code")),
        (403, Some("GatedRepo"))
    );
    let msg = r.header("x-error-message").unwrap();
    assert!(
        msg.starts_with("Access to model acme/llama is restricted"),
        "{msg}"
    );
    assert!(msg.contains(&format!("{api}/acme/llama ")), "{msg}");
    // POST is not a download
    assert_eq!(
        send(
            &api,
            "POST",
            "/acme/bert/resolve/main/config.json",
            &[],
            b"x"
        )
        .status,
        405
    );
}

#[test]
fn model_tree_pages_and_paths_info() {
    let hub = hub();
    let api = hub.api_url();
    let mut all = Vec::new();
    let mut target = "/api/models/acme/bert/tree/main?recursive=true&expand=false".to_string();
    loop {
        let r = get(&api, &target, &[]);
        assert_eq!(r.status, 200, "{}", r.text());
        all.extend(r.json().as_array().unwrap().clone());
        match r.header("link") {
            Some(l) => {
                let url = &l[1..l.find('>').unwrap()];
                assert!(url.contains("/api/models/acme/bert/tree/main?"), "{l}");
                target = split_url(url).1;
            }
            None => break,
        }
    }
    let paths: Vec<&str> = all.iter().map(|e| e["path"].as_str().unwrap()).collect();
    assert_eq!(
        paths,
        [
            "config.json",
            "model.safetensors",
            "tokenizer",
            "tokenizer/vocab.txt"
        ]
    );
    assert!(all[1]["lfs"]["oid"].is_string());
    let r = send(
        &api,
        "POST",
        "/api/spaces/acme/bert/paths-info/main",
        &[("Content-Type", "application/x-www-form-urlencoded")],
        b"paths=app.py&paths=nope&expand=false",
    );
    assert_eq!(r.status, 200);
    assert_eq!(r.json().as_array().unwrap().len(), 1);
    assert_eq!(r.json()[0]["path"], "app.py");
}

#[test]
fn search_models_and_spaces() {
    let hub = hub();
    let api = hub.api_url();
    let r = get(&api, "/api/models?pipeline_tag=text-generation", &[]);
    assert_eq!(r.status, 200);
    assert_eq!(ids(&r.json()), ["acme/gpt"]);
    let v = get(&api, "/api/models?sort=downloads&limit=2", &[]);
    assert_eq!(ids(&v.json()), ["acme/gpt", "acme/bert"]);
    assert!(v.header("link").unwrap().contains("/api/models?"));
    let item = &v.json()[1];
    let mut keys: Vec<&String> = item.as_object().unwrap().keys().collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "_id",
            "createdAt",
            "downloads",
            "id",
            "library_name",
            "likes",
            "modelId",
            "pipeline_tag",
            "private",
            "tags",
            "trendingScore"
        ]
    );
    // filter matches tags and the library name; private models stay hidden
    let v = get(&api, "/api/models?filter=transformers&author=acme", &[]).json();
    assert_eq!(ids(&v), ["acme/bert"]);
    let v = get(&api, "/api/models?search=model", &[]).json();
    assert!(ids(&v).is_empty());
    let v = get(
        &api,
        "/api/models?search=model",
        &[("Authorization", "Bearer hf_alice")],
    )
    .json();
    assert_eq!(ids(&v), ["alice/private-model"]);
    // spaces, and datasets unchanged by the other types
    let v = get(&api, "/api/spaces", &[]).json();
    assert_eq!(ids(&v), ["acme/bert", "acme/app"]);
    assert_eq!(v[0]["sdk"], "streamlit");
    assert!(v[0].get("downloads").is_none());
    let v = get(&api, "/api/datasets", &[]).json();
    assert_eq!(ids(&v), ["acme/bert"]);
    assert_eq!(get(&api, "/api/models?expand=sdk", &[]).status, 400);
    assert_eq!(
        get(
            &api,
            "/api/whoami-v2",
            &[("Authorization", "Bearer hf_bob")]
        )
        .json()["name"],
        "bob"
    );
    assert_eq!(get(&api, "/api/nothings", &[]).status, 404);
}

#[test]
fn faults_and_recording_on_model_routes() {
    let hub = hub();
    let api = hub.api_url();
    hub.fault(
        Fault::new(
            Origin::Api,
            FaultKind::Status {
                code: 429,
                retry_after: Some("1".into()),
                ratelimit_reset: Some(2),
            },
        )
        .path_contains("/acme/bert/resolve/"),
    );
    let r = get(&api, "/acme/bert/resolve/main/config.json", &[]);
    assert_eq!(r.status, 429);
    assert_eq!(r.header("ratelimit"), Some("\"resolvers\";r=0;t=2"));
    assert!(r.header("x-error-message").is_some());
    let r = get(&api, "/acme/bert/resolve/main/config.json", &[]);
    assert_eq!(r.status, 307);
    // CDN faults and expiry apply to model blobs too
    let loc = send(
        &api,
        "HEAD",
        "/acme/bert/resolve/main/model.safetensors",
        &[],
        b"",
    )
    .header("location")
    .unwrap()
    .to_string();
    hub.fault(Fault::new(Origin::Cdn, FaultKind::DropAfter(100)));
    let r = get_url(&loc, &[]);
    assert_eq!((r.status, r.body.len()), (200, 100));
    hub.expire_signed_urls();
    assert_eq!(get_url(&loc, &[]).status, 403);
    let log = hub.requests();
    assert!(log.iter().any(|q| q.origin == Origin::Api
        && q.path() == "/acme/bert/resolve/main/config.json"
        && q.status == 429));
    assert!(
        log.iter()
            .any(|q| q.origin == Origin::Cdn && q.status == 403)
    );
}
