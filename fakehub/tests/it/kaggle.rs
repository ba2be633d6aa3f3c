//! Kaggle side: RPCs, auth, paging, DownloadDataset redirect, storage.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use fakehub::{FakeHub, KaggleDataset, Origin};
use md5::{Digest, Md5};
use serde_json::{Value, json};

use crate::support::*;

const SVC: &str = "/v1/datasets.DatasetApiService";

fn hub() -> FakeHub {
    let hub = FakeHub::start();
    hub.add_kaggle_dataset(
        KaggleDataset::new("alice/titanic")
            .title("Titanic Survivors")
            .subtitle("who lived")
            .file("titanic.csv", "a,b\n1,2\n")
            .file("sub/dir/other.txt", "other")
            .file("big.csv", vec![b'x'; 10_000])
            .zipped_file("big.csv")
            .license("CC0-1.0")
            .tags(&["tabular", "history"])
            .votes(10)
            .downloads(100)
            .last_updated("2024-05-01T10:00:00Z"),
    );
    hub.add_kaggle_dataset(
        KaggleDataset::new("bob/weather")
            .file("w.parquet", vec![0u8; 300])
            .license("GPL 2")
            .votes(50)
            .downloads(1)
            .no_md5(),
    );
    hub.add_kaggle_dataset(
        KaggleDataset::new("alice/hidden")
            .file("h.csv", "h")
            .private(true),
    );
    for i in 0..25 {
        hub.add_kaggle_dataset(
            KaggleDataset::new(&format!("bulk/set-{i:02}"))
                .file("f.json", "{}")
                .votes(i),
        );
    }
    hub.kaggle_add_user("alice", "secretkey");
    hub.kaggle_add_token("KGAT_bob", "bob");
    hub
}

fn refs(v: &Value) -> Vec<String> {
    v["datasets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["ref"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn list_datasets_filters_and_pages() {
    let hub = hub();
    let api = hub.api_url();
    let r = post_json(
        &api,
        &format!("{SVC}/ListDatasets"),
        &[],
        &json!({"tagIds": "", "search": "", "user": "", "page": 1, "pageToken": ""}),
    );
    assert_eq!(r.status, 200);
    assert!(
        r.header("content-type")
            .unwrap()
            .starts_with("application/json")
    );
    let v = r.json();
    assert_eq!(v["datasets"].as_array().unwrap().len(), 20);
    let tok = v["nextPageToken"].as_str().unwrap().to_string();
    assert!(!tok.is_empty());
    let v2 = post_json(
        &api,
        &format!("{SVC}/ListDatasets"),
        &[],
        &json!({"pageToken": tok}),
    )
    .json();
    assert_eq!(v2["datasets"].as_array().unwrap().len(), 7); // 27 public
    assert_eq!(v2["nextPageToken"], "");
    let v3 = post_json(
        &api,
        &format!("{SVC}/ListDatasets"),
        &[],
        &json!({"page": 2}),
    )
    .json();
    assert_eq!(refs(&v2), refs(&v3));

    let body = json!({"sortBy": "DATASET_SORT_BY_VOTES", "fileType": "DATASET_FILE_TYPE_GROUP_CSV",
        "license": "DATASET_LICENSE_GROUP_CC", "tagIds": "tabular", "search": "titanic survivors",
        "user": "", "minSize": 10, "maxSize": 100000, "page": 1, "pageToken": ""});
    let v = post_json(
        &api,
        "/api/v1/datasets.DatasetApiService/ListDatasets",
        &[],
        &body,
    )
    .json();
    assert_eq!(refs(&v), ["alice/titanic"]);
    let d = &v["datasets"][0];
    for k in [
        "id",
        "ref",
        "title",
        "subtitle",
        "description",
        "url",
        "totalBytes",
        "lastUpdated",
        "downloadCount",
        "voteCount",
        "viewCount",
        "kernelCount",
        "topicCount",
        "usabilityRating",
        "licenseName",
        "ownerName",
        "ownerRef",
        "creatorName",
        "creatorUrl",
        "isPrivate",
        "isFeatured",
        "currentVersionNumber",
        "thumbnailImageUrl",
        "tags",
        "files",
        "versions",
    ] {
        assert!(d.get(k).is_some(), "missing {k}");
    }
    assert_eq!(d["url"], "https://www.kaggle.com/datasets/alice/titanic");
    assert_eq!(d["totalBytes"], 8 + 5 + 10_000);
    assert_eq!(d["lastUpdated"], "2024-05-01T10:00:00.000Z");
    assert_eq!(d["tags"][0]["ref"], "tabular");

    // enum by suffix/case; sort and license groups
    let v = post_json(
        &api,
        &format!("{SVC}/ListDatasets"),
        &[],
        &json!({"sortBy": "votes", "license": "gpl"}),
    )
    .json();
    assert_eq!(refs(&v), ["bob/weather"]);
    let v = post_json(
        &api,
        &format!("{SVC}/ListDatasets"),
        &[],
        &json!({"sortBy": "DATASET_SORT_BY_VOTES", "pageSize": 2}),
    )
    .json();
    assert_eq!(refs(&v), ["bob/weather", "bulk/set-24"]);
    let v = post_json(
        &api,
        &format!("{SVC}/ListDatasets"),
        &[],
        &json!({"fileType": "parquet"}),
    )
    .json();
    assert_eq!(refs(&v), ["bob/weather"]);
    let r = post_json(
        &api,
        &format!("{SVC}/ListDatasets"),
        &[],
        &json!({"sortBy": "SIDEWAYS"}),
    );
    assert_eq!((r.status, r.json()["code"].as_u64()), (400, Some(400)));
    // pageSize is clamped to 200
    let v = post_json(
        &api,
        &format!("{SVC}/ListDatasets"),
        &[],
        &json!({"pageSize": 5000}),
    )
    .json();
    assert_eq!(v["datasets"].as_array().unwrap().len(), 27);

    // groups: MY needs auth and shows private datasets of the caller
    let r = post_json(
        &api,
        &format!("{SVC}/ListDatasets"),
        &[],
        &json!({"group": "DATASET_SELECTION_GROUP_MY"}),
    );
    assert_eq!(r.status, 401);
    let a = basic("alice", "secretkey");
    let v = post_json(
        &api,
        &format!("{SVC}/ListDatasets"),
        &[("Authorization", &a)],
        &json!({"group": "DATASET_SELECTION_GROUP_MY"}),
    )
    .json();
    assert_eq!(refs(&v), ["alice/titanic", "alice/hidden"]);
    let v = post_json(
        &api,
        &format!("{SVC}/ListDatasets"),
        &[],
        &json!({"group": "DATASET_SELECTION_GROUP_USER", "user": "bob"}),
    )
    .json();
    assert_eq!(refs(&v), ["bob/weather"]);
}

#[test]
fn auth_and_errors() {
    let hub = hub();
    let api = hub.api_url();
    let get_ds = |auth: Option<&str>, reference: &str| {
        let (o, s) = reference.split_once('/').unwrap();
        let h: Vec<(&str, &str)> = auth.map(|a| vec![("Authorization", a)]).unwrap_or_default();
        post_json(
            &api,
            &format!("{SVC}/GetDataset"),
            &h,
            &json!({"ownerSlug": o, "datasetSlug": s}),
        )
    };
    let r = get_ds(Some(&basic("alice", "wrong")), "alice/titanic");
    assert_eq!(
        (r.status, r.json()),
        (401, json!({"code": 401, "message": "Unauthenticated"}))
    );
    assert_eq!(get_ds(Some("Bearer nope"), "alice/titanic").status, 401);
    assert_eq!(get_ds(None, "alice/titanic").status, 200);
    assert_eq!(get_ds(Some("Bearer KGAT_bob"), "alice/titanic").status, 200);
    let r = get_ds(None, "alice/hidden");
    assert_eq!(r.status, 401);
    let r = get_ds(Some("Bearer KGAT_bob"), "alice/hidden");
    assert_eq!(
        (r.status, r.json()),
        (403, json!({"code": 403, "message": "Permission denied"}))
    );
    assert_eq!(
        get_ds(Some(&basic("alice", "secretkey")), "alice/hidden").status,
        200
    );
    let r = get_ds(None, "alice/nothing");
    assert_eq!(
        (r.status, r.json()),
        (404, json!({"code": 404, "message": "NotFound"}))
    );
    assert_eq!(
        r.header("content-type"),
        Some("application/json; charset=utf-8")
    );

    let r = post_json(
        &api,
        "/v1/api.v1.DiagnosticsService/Hello",
        &[("Authorization", "Bearer KGAT_bob")],
        &json!({}),
    );
    assert_eq!(r.json(), json!({"userName": "bob"}));
    let r = post_json(
        &api,
        "/api/v1/security.OAuthService/IntrospectToken",
        &[("Authorization", "Bearer KGAT_bob")],
        &json!({"token": "KGAT_bob"}),
    );
    assert_eq!(r.json()["active"], true);
    assert_eq!(r.json()["username"], "bob");
    let r = post_json(
        &api,
        "/api/v1/security.OAuthService/IntrospectToken",
        &[("Authorization", "Bearer zz")],
        &json!({"token": "zz"}),
    );
    assert_eq!(r.json()["active"], false);
    let r = send(
        &api,
        "POST",
        &format!("{SVC}/GetDataset"),
        &[],
        b"{not json",
    );
    assert_eq!(r.status, 400);
    assert_eq!(get(&api, &format!("{SVC}/GetDataset"), &[]).status, 405);
}

#[test]
fn dataset_files_metadata_status() {
    let hub = hub();
    let api = hub.api_url();
    let v2 = hub.kaggle_add_version(
        "alice/titanic",
        vec![("titanic.csv".into(), b"a,b\n1,2\n3,4\n".to_vec())],
    );
    assert_eq!(v2, 2);
    let g = post_json(
        &api,
        &format!("{SVC}/GetDataset"),
        &[],
        &json!({"ownerSlug": "alice", "datasetSlug": "titanic"}),
    )
    .json();
    assert_eq!(g["currentVersionNumber"], 2);
    assert_eq!(g["versions"].as_array().unwrap().len(), 2);
    assert_eq!(g["versions"][0]["versionNumber"], 2);

    let f = post_json(&api, &format!("{SVC}/ListDatasetFiles"), &[], &json!({"ownerSlug": "alice", "datasetSlug": "titanic", "datasetVersionNumber": 1, "pageSize": 2})).json();
    assert_eq!(f["errorMessage"], Value::Null);
    let names: Vec<&str> = f["datasetFiles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["big.csv", "sub/dir/other.txt"]);
    let tok = f["nextPageToken"].as_str().unwrap();
    let f2 = post_json(&api, &format!("{SVC}/ListDatasetFiles"), &[], &json!({"ownerSlug": "alice", "datasetSlug": "titanic", "datasetVersionNumber": 1, "pageToken": tok})).json();
    assert_eq!(f2["datasetFiles"][0]["name"], "titanic.csv");
    assert_eq!(f2["datasetFiles"][0]["fileType"], ".csv");
    assert_eq!(f2["datasetFiles"][0]["totalBytes"], 8);
    assert_eq!(f2["nextPageToken"], "");
    let f3 = post_json(
        &api,
        &format!("{SVC}/ListDatasetFiles"),
        &[],
        &json!({"ownerSlug": "alice", "datasetSlug": "titanic"}),
    )
    .json();
    assert_eq!(f3["datasetFiles"].as_array().unwrap().len(), 1);
    let r = post_json(
        &api,
        &format!("{SVC}/ListDatasetFiles"),
        &[],
        &json!({"ownerSlug": "alice", "datasetSlug": "titanic", "datasetVersionNumber": 9}),
    );
    assert_eq!(r.status, 404);

    let m = post_json(
        &api,
        &format!("{SVC}/GetDatasetMetadata"),
        &[],
        &json!({"ownerSlug": "alice", "datasetSlug": "titanic"}),
    )
    .json();
    assert_eq!(m["info"]["licenses"], json!([{"name": "CC0-1.0"}]));
    assert_eq!(m["errorMessage"], "");
    let s = post_json(
        &api,
        &format!("{SVC}/GetDatasetStatus"),
        &[],
        &json!({"ownerSlug": "alice", "datasetSlug": "titanic"}),
    )
    .json();
    assert_eq!(s, json!({"status": "READY"}));

    let t = post_json(&api, &format!("{SVC}/ListTreeDatasetFiles"), &[], &json!({"ownerSlug": "alice", "datasetSlug": "titanic", "datasetVersionNumber": 1, "path": "sub", "pageSize": 200})).json();
    assert_eq!(t["directories"][0]["relativeUrl"], "sub/dir");
    assert_eq!(t["directories"][0]["totalFiles"], 1);

    // classic REST
    let r = get(&api, "/api/v1/datasets/list?search=weather", &[]);
    assert_eq!(r.json().as_array().unwrap()[0]["ref"], "bob/weather");
    assert_eq!(
        get(&api, "/api/v1/datasets/status/alice/titanic", &[]).json(),
        json!("ready")
    );
    assert_eq!(
        get(&api, "/api/v1/datasets/view/alice/titanic", &[]).json()["currentVersionNumber"],
        2
    );
}

fn download(api: &str, body: Value) -> Resp {
    post_json(
        api,
        &format!("{SVC}/DownloadDataset"),
        &[("Authorization", "Bearer KGAT_bob")],
        &body,
    )
}

#[test]
fn download_redirects_to_storage() {
    let hub = hub();
    let api = hub.api_url();
    let r = download(
        &api,
        json!({"ownerSlug": "alice", "datasetSlug": "titanic"}),
    );
    assert_eq!(r.status, 302);
    assert_eq!(r.content_length(), Some(0));
    let loc = r.header("location").unwrap().to_string();
    assert!(
        loc.starts_with(&format!("{}/kaggle-data-sets/", hub.storage_url())),
        "{loc}"
    );
    assert!(
        loc.contains("/bundle/archive.zip?X-Goog-Algorithm=GOOG4-RSA-SHA256"),
        "{loc}"
    );
    assert!(
        loc.contains("X-Goog-Expires=259200") && loc.contains("X-Goog-Signature="),
        "{loc}"
    );

    hub.clear_requests();
    let z = get_url(&loc, &[]);
    assert_eq!(z.status, 200);
    assert_eq!(z.header("accept-ranges"), Some("bytes"));
    assert!(z.header("last-modified").is_some());
    let md5 = Md5::digest(&z.body);
    assert_eq!(
        z.header("etag").unwrap(),
        format!("\"{}\"", hex::encode(md5))
    );
    let hash = z.header("x-goog-hash").unwrap();
    assert!(
        hash.starts_with("crc32c=") && hash.ends_with(&format!(",md5={}", STANDARD.encode(md5))),
        "{hash}"
    );
    assert_eq!(z.body, hub.kaggle_archive("alice/titanic", 1).unwrap());
    let mut members = unzip(&z.body);
    members.sort();
    assert_eq!(
        members[2],
        ("titanic.csv".to_string(), b"a,b\n1,2\n".to_vec())
    );
    assert_eq!(members[1].0, "sub/dir/other.txt");
    let rec = hub.requests();
    assert_eq!(rec[0].origin, Origin::Storage);
    assert!(rec[0].header("authorization").is_none());

    // Range keeps the whole object's hash; If-Range with a stale validator sends everything.
    let r = get_url(&loc, &[("Range", "bytes=10-")]);
    assert_eq!(r.status, 206);
    assert_eq!(r.header("x-goog-hash"), Some(hash));
    assert_eq!(r.body, z.body[10..]);
    let etag = z.header("etag").unwrap();
    let lm = z.header("last-modified").unwrap();
    assert_eq!(
        get_url(&loc, &[("Range", "bytes=10-"), ("If-Range", etag)]).status,
        206
    );
    assert_eq!(
        get_url(&loc, &[("Range", "bytes=10-"), ("If-Range", lm)]).status,
        206
    );
    assert_eq!(
        get_url(&loc, &[("Range", "bytes=10-"), ("If-Range", "\"other\"")]).status,
        200
    );
    assert_eq!(
        get_url(
            &loc,
            &[
                ("Range", "bytes=10-"),
                ("If-Range", "Mon, 01 Jan 2001 00:00:00 GMT")
            ]
        )
        .status,
        200
    );
    let r = get_url(&loc, &[("Range", &format!("bytes={}-", z.body.len()))]);
    assert_eq!(
        (r.status, r.header("content-range").map(str::to_string)),
        (416, Some(format!("bytes */{}", z.body.len())))
    );

    // Zipped single file: <basename>.zip with one member <basename>.
    let r = download(
        &api,
        json!({"ownerSlug": "alice", "datasetSlug": "titanic", "fileName": "big.csv", "datasetVersionNumber": 1}),
    );
    let loc = r.header("location").unwrap();
    assert!(loc.contains("/compressed/big.csv.zip?"), "{loc}");
    let m = unzip(&get_url(loc, &[]).body);
    assert_eq!(m, vec![("big.csv".to_string(), vec![b'x'; 10_000])]);
    // Other single files are served as they are, the real name last.
    let r = download(
        &api,
        json!({"ownerSlug": "alice", "datasetSlug": "titanic", "fileName": "sub/dir/other.txt"}),
    );
    let loc = r.header("location").unwrap();
    assert!(
        split_url(loc)
            .1
            .split('?')
            .next()
            .unwrap()
            .ends_with("/sub/dir/other.txt"),
        "{loc}"
    );
    assert_eq!(get_url(loc, &[]).body, b"other");
    // Missing file / folder / version / dataset → 404 JSON.
    for body in [
        json!({"ownerSlug": "alice", "datasetSlug": "titanic", "fileName": "nope.csv"}),
        json!({"ownerSlug": "alice", "datasetSlug": "titanic", "fileName": "sub"}),
        json!({"ownerSlug": "alice", "datasetSlug": "titanic", "datasetVersionNumber": 7}),
        json!({"ownerSlug": "alice", "datasetSlug": "nope"}),
    ] {
        let r = download(&api, body.clone());
        assert_eq!(
            (r.status, r.json()["code"].as_u64()),
            (404, Some(404)),
            "{body}"
        );
    }
    // Classic GET form (kagglehub ≤ 0.3 snake_case) redirects the same way.
    let r = get(
        &api,
        "/api/v1/datasets/download/alice/titanic?dataset_version_number=1&file_name=titanic.csv",
        &[],
    );
    assert_eq!(r.status, 302);
    assert_eq!(
        get_url(r.header("location").unwrap(), &[]).body,
        b"a,b\n1,2\n"
    );

    // no_md5: only crc32c in x-goog-hash.
    let r = download(&api, json!({"ownerSlug": "bob", "datasetSlug": "weather"}));
    let s = get_url(r.header("location").unwrap(), &[]);
    assert_eq!(s.status, 200);
    assert!(!s.header("x-goog-hash").unwrap().contains("md5="));
    hub.add_kaggle_dataset(
        KaggleDataset::new("bob/nohash")
            .file("n.csv", "n")
            .no_hash(),
    );
    let r = download(&api, json!({"ownerSlug": "bob", "datasetSlug": "nohash"}));
    let s = get_url(r.header("location").unwrap(), &[]);
    assert_eq!(s.status, 200);
    assert!(s.header("x-goog-hash").is_none());

    // Signed URLs: tampering and expiry.
    let r = download(
        &api,
        json!({"ownerSlug": "alice", "datasetSlug": "titanic"}),
    );
    let loc = r.header("location").unwrap().to_string();
    let (b, t) = split_url(&loc);
    let unsigned = t.split('?').next().unwrap();
    let r = get(&b, unsigned, &[]);
    assert_eq!(r.status, 403);
    let r = get_url(&loc.replace("archive.zip", "archive2.zip"), &[]);
    assert_eq!(r.status, 403);
    assert!(r.text().contains("SignatureDoesNotMatch"));
    hub.expire_signed_urls();
    let r = get_url(&loc, &[]);
    assert_eq!(r.status, 403);
    assert!(
        r.text().contains("<Code>ExpiredToken</Code>"),
        "{}",
        r.text()
    );
    let fresh = download(
        &api,
        json!({"ownerSlug": "alice", "datasetSlug": "titanic"}),
    );
    assert_eq!(get_url(fresh.header("location").unwrap(), &[]).status, 200);
}

#[tokio::test]
async fn reqwest_download_drops_auth() {
    let hub = hub();
    let client = reqwest::Client::new();
    let r = client
        .post(format!("{}{SVC}/DownloadDataset", hub.api_url()))
        .header("Authorization", "Bearer KGAT_bob")
        .header("Content-Type", "application/json")
        .body(
            json!({"ownerSlug": "alice", "datasetSlug": "titanic", "fileName": "titanic.csv"})
                .to_string(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.url().as_str().ends_with("titanic.csv") || r.url().path().ends_with("titanic.csv"));
    assert_eq!(r.bytes().await.unwrap().as_ref(), b"a,b\n1,2\n");
    let st: Vec<_> = hub
        .requests()
        .into_iter()
        .filter(|r| r.origin == Origin::Storage)
        .collect();
    assert_eq!(st.len(), 1);
    assert_eq!(st[0].method, "GET");
    assert!(st[0].header("authorization").is_none());
}
