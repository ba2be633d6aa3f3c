//! Hugging Face side: listings, info, tree, resolve shapes, CDN, ranges, errors.

use fakehub::{FakeHub, HfFile, HfRepo, Options, Origin};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::support::*;

fn sha256_hex(b: &[u8]) -> String {
    hex::encode(Sha256::digest(b))
}

fn hub_with_repos(page: usize) -> FakeHub {
    let hub = FakeHub::start_with(Options {
        hf_page_size: page,
        ..Options::default()
    });
    hub.add_hf_repo(
        HfRepo::new("acme/corpus")
            .file("README.md", "# corpus\n")
            .file("data/train/meta.json", "{}")
            .lfs_file("data/train/0000.parquet", vec![7u8; 5000])
            .lfs_file("data/test/0000.parquet", vec![8u8; 100])
            .downloads(50)
            .likes(3)
            .tags(&["task_categories:text-classification", "language:en"])
            .description("A corpus")
            .created_at("2023-01-01T00:00:00.000Z"),
    );
    hub.add_hf_repo(
        HfRepo::new("acme/other")
            .file("x.txt", "x")
            .downloads(500)
            .likes(1),
    );
    hub.add_hf_repo(
        HfRepo::new("bob/Corpus-Big")
            .file("x.txt", "y")
            .downloads(5)
            .likes(30),
    );
    hub.add_hf_repo(HfRepo::new("squad").file("plain.txt", "canonical"));
    hub.add_hf_repo(
        HfRepo::new("alice/secret")
            .file("a.txt", "s")
            .private(true)
            .owner_user("alice"),
    );
    hub.add_hf_repo(
        HfRepo::new("acme/gated")
            .file("g.txt", "gated!")
            .lfs_file("g.bin", vec![1u8; 10])
            .gated(Some("manual")),
    );
    hub.add_hf_repo(HfRepo::new("acme/off").file("o.txt", "o").disabled(true));
    hub.hf_add_token("hf_alice", "alice");
    hub.hf_add_token("hf_bob", "bob");
    hub
}

fn ids(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn search_filters_sorts_and_paginates() {
    let hub = hub_with_repos(2);
    let api = hub.api_url();
    let r = get(&api, "/api/datasets?search=CORPUS&sort=downloads", &[]);
    assert_eq!(r.status, 200);
    assert_eq!(ids(&r.json()), ["acme/corpus", "bob/Corpus-Big"]);
    assert!(r.header("link").is_none());

    let r = get(
        &api,
        "/api/datasets?author=acme&filter=language:en&filter=task_categories:text-classification",
        &[],
    );
    let v = r.json();
    assert_eq!(ids(&v), ["acme/corpus"]);
    let item = &v[0];
    for k in [
        "_id",
        "id",
        "author",
        "sha",
        "lastModified",
        "createdAt",
        "private",
        "gated",
        "disabled",
        "downloads",
        "likes",
        "tags",
        "trendingScore",
    ] {
        assert!(item.get(k).is_some(), "missing {k} in {item}");
    }
    assert_eq!(item["createdAt"], "2023-01-01T00:00:00.000Z");
    assert_eq!(item["gated"], false);
    assert!(item.get("cardData").is_none() && item.get("siblings").is_none());

    // Pagination: page size = min(limit, hf_page_size) = 2; Link carries every parameter.
    let mut seen = Vec::new();
    let mut target = "/api/datasets?sort=likes&limit=50".to_string();
    let mut pages = 0;
    loop {
        let r = get(&api, &target, &[]);
        assert_eq!(r.status, 200);
        seen.extend(ids(&r.json()));
        pages += 1;
        let Some(link) = r.header("link") else { break };
        assert!(link.ends_with("rel=\"next\""), "{link}");
        let url = &link[1..link.find('>').unwrap()];
        assert!(
            url.starts_with(&format!("{api}/api/datasets?sort=likes&limit=50&cursor=")),
            "{url}"
        );
        target = split_url(url).1;
    }
    // anonymous: private repo hidden; gated and disabled still listed
    assert_eq!(
        seen,
        [
            "bob/Corpus-Big",
            "acme/corpus",
            "acme/other",
            "squad",
            "acme/gated",
            "acme/off"
        ]
    );
    assert_eq!(pages, 3);

    // the owner sees the private repo
    let r = get(
        &api,
        "/api/datasets?search=secret",
        &[("Authorization", "Bearer hf_alice")],
    );
    assert_eq!(ids(&r.json()), ["alice/secret"]);
    assert_eq!(
        ids(&get(
            &api,
            "/api/datasets?search=secret",
            &[("Authorization", "Bearer hf_bob")]
        )
        .json())
        .len(),
        0
    );

    // expand: only those properties plus id and _id; expand[] accepted; unknown → 400
    let r = get(
        &api,
        "/api/datasets?search=acme/corpus&expand=downloads&expand[]=sha",
        &[],
    );
    let item = &r.json()[0];
    let mut keys: Vec<&String> = item.as_object().unwrap().keys().collect();
    keys.sort();
    assert_eq!(keys, ["_id", "downloads", "id", "sha"]);
    let r = get(&api, "/api/datasets?expand=bogus", &[]);
    assert_eq!(r.status, 400);
    assert!(r.json()["error"].is_string());
    // full=true adds cardData and siblings
    let r = get(&api, "/api/datasets?search=acme/corpus&full=true", &[]);
    let item = &r.json()[0];
    assert_eq!(item["cardData"]["language"][0], "en");
    assert_eq!(item["siblings"].as_array().unwrap().len(), 4);
    // invalid token
    let r = get(&api, "/api/datasets", &[("Authorization", "Bearer nope")]);
    assert_eq!(r.status, 401);
    assert_eq!(
        r.header("x-error-message"),
        Some("Invalid credentials in Authorization header")
    );
}

#[test]
fn info_revision_and_refs() {
    let hub = hub_with_repos(1000);
    let api = hub.api_url();
    let main = hub.hf_rev_sha("acme/corpus", "main").unwrap();
    let pq = hub.hf_set_ref(
        "acme/corpus",
        "refs/convert/parquet",
        vec![HfFile::lfs("default/train/0000.parquet", vec![1u8; 10])],
    );
    let r = get(&api, "/api/datasets/acme/corpus", &[]);
    assert_eq!(r.status, 200);
    let v = r.json();
    assert_eq!(v["sha"], main.as_str());
    assert_eq!(
        v["siblings"][0],
        serde_json::json!({"rfilename": "README.md"})
    );

    let r = get(
        &api,
        "/api/datasets/acme/corpus/revision/refs%2Fconvert%2Fparquet?blobs=true",
        &[],
    );
    let v = r.json();
    assert_eq!(v["sha"], pq.as_str());
    let s = &v["siblings"][0];
    assert_eq!(s["rfilename"], "default/train/0000.parquet");
    assert_eq!(s["size"], 10);
    assert_eq!(s["lfs"]["sha256"], sha256_hex(&[1u8; 10]));
    assert!(s["lfs"]["pointerSize"].as_u64().unwrap() > 100);
    assert_eq!(s["blobId"].as_str().unwrap().len(), 40);

    // by commit sha, and a new branch commit
    let br = hub.hf_commit(
        "acme/corpus",
        "dev",
        vec![HfFile::regular("new.txt", "n")],
        &["README.md"],
    );
    let v = get(
        &api,
        &format!("/api/datasets/acme/corpus/revision/{br}"),
        &[],
    )
    .json();
    let names: Vec<&str> = v["siblings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["rfilename"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"new.txt") && !names.contains(&"README.md"));
    assert_eq!(
        get(&api, "/api/datasets/acme/corpus/revision/dev", &[]).json()["sha"],
        br.as_str()
    );

    let r = get(&api, "/api/datasets/acme/corpus/revision/nope", &[]);
    assert_eq!(r.status, 404);
    assert_eq!(r.header("x-error-code"), Some("RevisionNotFound"));

    let refs = get(&api, "/api/datasets/acme/corpus/refs", &[]).json();
    assert_eq!(refs["branches"].as_array().unwrap().len(), 2);
    assert_eq!(refs["converts"][0]["ref"], "refs/convert/parquet");
    assert_eq!(refs["converts"][0]["targetCommit"], pq.as_str());
    assert!(refs.get("pullRequests").is_none());

    // canonical repo
    let v = get(&api, "/api/datasets/squad", &[]).json();
    assert_eq!(v["id"], "squad");
    // gated metadata is readable; private is hidden (401 anonymous, 404 authenticated)
    let v = get(&api, "/api/datasets/acme/gated", &[]).json();
    assert_eq!(v["gated"], "manual");
    let r = get(&api, "/api/datasets/alice/secret", &[]);
    assert_eq!(
        (r.status, r.header("x-error-code")),
        (401, Some("RepoNotFound"))
    );
    let r = get(
        &api,
        "/api/datasets/alice/secret",
        &[("Authorization", "Bearer hf_bob")],
    );
    assert_eq!(
        (r.status, r.header("x-error-code")),
        (404, Some("RepoNotFound"))
    );
    assert!(r.json()["error"].is_string());
    let r = get(
        &api,
        "/api/datasets/alice/secret",
        &[("Authorization", "Bearer hf_alice")],
    );
    assert_eq!(r.status, 200);
    let r = get(&api, "/api/datasets/nobody/nothing", &[]);
    assert_eq!(
        (r.status, r.header("x-error-code")),
        (401, Some("RepoNotFound"))
    );
    let r = get(&api, "/api/datasets/acme/off", &[]);
    assert_eq!(
        (r.status, r.header("x-error-message")),
        (403, Some("Access to this resource is disabled."))
    );
}

#[test]
fn tree_listing_and_paths_info() {
    let hub = hub_with_repos(2);
    let api = hub.api_url();
    let main = hub.hf_rev_sha("acme/corpus", "main").unwrap();
    let mut all = Vec::new();
    let mut target = format!("/api/datasets/acme/corpus/tree/{main}?recursive=true&expand=false");
    loop {
        let r = get(&api, &target, &[]);
        assert_eq!(r.status, 200, "{}", r.text());
        all.extend(r.json().as_array().unwrap().clone());
        match r.header("link") {
            Some(l) => target = split_url(&l[1..l.find('>').unwrap()]).1,
            None => break,
        }
    }
    let paths: Vec<(&str, &str)> = all
        .iter()
        .map(|e| (e["type"].as_str().unwrap(), e["path"].as_str().unwrap()))
        .collect();
    assert_eq!(
        paths,
        [
            ("file", "README.md"),
            ("directory", "data"),
            ("directory", "data/test"),
            ("file", "data/test/0000.parquet"),
            ("directory", "data/train"),
            ("file", "data/train/0000.parquet"),
            ("file", "data/train/meta.json"),
        ]
    );
    let lfs = all
        .iter()
        .find(|e| e["path"] == "data/train/0000.parquet")
        .unwrap();
    assert_eq!(lfs["size"], 5000);
    assert_eq!(lfs["lfs"]["oid"], sha256_hex(&[7u8; 5000]));
    assert_eq!(lfs["lfs"]["size"], 5000);
    assert!(lfs.get("xetHash").is_none());
    let readme = all.iter().find(|e| e["path"] == "README.md").unwrap();
    // git blob sha1 of "# corpus\n"
    let mut h = sha1::Sha1::new();
    h.update(b"blob 9\0# corpus\n");
    assert_eq!(readme["oid"], hex::encode(h.finalize()));
    assert!(readme.get("lfs").is_none());

    // one encoded folder segment (hh) and raw segments (hf.js)
    for t in [
        "/api/datasets/acme/corpus/tree/main/data%2Ftrain",
        "/api/datasets/acme/corpus/tree/main/data/train?recursive=false",
    ] {
        let r = get(&api, t, &[]);
        let v = r.json();
        let p: Vec<&str> = v
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["path"].as_str().unwrap())
            .collect();
        assert_eq!(
            p,
            ["data/train/0000.parquet", "data/train/meta.json"],
            "{t}"
        );
    }
    let r = get(&api, "/api/datasets/acme/corpus/tree/main/nope", &[]);
    assert_eq!(r.status, 404);
    assert_eq!(r.header("x-error-code"), Some("EntryNotFound"));
    assert_eq!(r.header("x-repo-commit"), Some(main.as_str()));

    let r = send(
        &api,
        "POST",
        "/api/datasets/acme/corpus/paths-info/main",
        &[("Content-Type", "application/x-www-form-urlencoded")],
        b"paths=README.md&paths=data%2Ftrain&paths=missing&expand=false",
    );
    assert_eq!(r.status, 200);
    let v = r.json();
    assert_eq!(v.as_array().unwrap().len(), 2);
    assert_eq!(v[1]["type"], "directory");
}

#[test]
fn resolve_shapes_and_cdn() {
    let hub = hub_with_repos(1000);
    let api = hub.api_url();
    let main = hub.hf_rev_sha("acme/corpus", "main").unwrap();

    // Regular file in a public namespaced repo: 307 to the relative resolve-cache route.
    let r = send(
        &api,
        "HEAD",
        "/datasets/acme/corpus/resolve/main/README.md",
        &[],
        b"",
    );
    assert_eq!(r.status, 307);
    assert_eq!(r.header("x-repo-commit"), Some(main.as_str()));
    let loc = r.header("location").unwrap();
    assert!(
        loc.starts_with(&format!(
            "/api/resolve-cache/datasets/acme/corpus/{main}/README.md?"
        )),
        "{loc}"
    );
    assert!(loc.contains("etag=%22"), "{loc}");
    // The hop works without its query (hh drops it).
    let path_only = loc.split('?').next().unwrap();
    let r = send(&api, "HEAD", path_only, &[], b"");
    assert_eq!(r.status, 200);
    let etag = r.header("etag").unwrap().to_string();
    assert_eq!(etag.len(), 42);
    assert_eq!(r.content_length(), Some(9));
    assert_eq!(r.header("x-repo-commit"), Some(main.as_str()));
    assert!(r.body.is_empty());
    let r = get(&api, loc, &[]);
    assert_eq!(r.body, b"# corpus\n");
    let r = get(&api, path_only, &[("Range", "bytes=2-")]);
    assert_eq!(
        (r.status, r.header("content-range")),
        (206, Some("bytes 2-8/9"))
    );
    assert_eq!(r.body, b"corpus\n");

    // Canonical repo: direct 200 with ranges.
    let r = get(&api, "/datasets/squad/resolve/main/plain.txt", &[]);
    assert_eq!((r.status, r.body.as_slice()), (200, &b"canonical"[..]));
    assert!(r.header("etag").is_some() && r.header("x-repo-commit").is_some());
    assert_eq!(r.header("accept-ranges"), Some("bytes"));
    for (range, status, cr, body) in [
        ("bytes=0-0", 206, "bytes 0-0/9", &b"c"[..]),
        ("bytes=-3", 206, "bytes 6-8/9", b"cal"),
        ("bytes=4-100", 206, "bytes 4-8/9", b"nical"),
        ("bytes=9-", 416, "bytes */9", b""),
    ] {
        let r = get(
            &api,
            "/datasets/squad/resolve/main/plain.txt",
            &[("Range", range)],
        );
        assert_eq!(r.status, status, "{range}");
        assert_eq!(r.header("content-range"), Some(cr), "{range}");
        if status == 206 {
            assert_eq!(r.body, body, "{range}");
        }
    }

    // LFS file: 302 to an absolute, signed CDN URL.
    let data = vec![7u8; 5000];
    let r = send(
        &api,
        "HEAD",
        "/datasets/acme/corpus/resolve/main/data/train/0000.parquet",
        &[("Authorization", "Bearer hf_bob")],
        b"",
    );
    assert_eq!(r.status, 302);
    assert_eq!(
        r.header("x-linked-etag"),
        Some(format!("\"{}\"", sha256_hex(&data)).as_str())
    );
    assert_eq!(r.header("x-linked-size"), Some("5000"));
    assert_eq!(r.header("x-repo-commit"), Some(main.as_str()));
    assert!(r.header("etag").is_some());
    assert!(r.header("x-xet-hash").is_none());
    let loc = r.header("location").unwrap().to_string();
    assert!(
        loc.starts_with(&format!("{}/repos/", hub.cdn_url())),
        "{loc}"
    );
    assert!(
        loc.contains("Expires=") && loc.contains("Signature="),
        "{loc}"
    );
    hub.clear_requests();
    let r = get_url(&loc, &[]);
    assert_eq!(r.status, 200);
    assert_eq!(r.body, data);
    assert_eq!(
        r.header("etag"),
        Some(format!("\"{}\"", sha256_hex(&data)).as_str())
    );
    assert_eq!(r.header("accept-ranges"), Some("bytes"));
    let rec = hub.requests();
    assert_eq!(rec.len(), 1);
    assert_eq!(rec[0].origin, Origin::Cdn);
    assert!(rec[0].header("authorization").is_none());
    assert_eq!((rec[0].status, rec[0].body_bytes_sent), (200, 5000));
    // Range + If-Range on the CDN
    let r = get_url(&loc, &[("Range", "bytes=4990-")]);
    assert_eq!(
        (r.status, r.header("content-range"), r.body.len()),
        (206, Some("bytes 4990-4999/5000"), 10)
    );
    let et = format!("\"{}\"", sha256_hex(&data));
    let r = get_url(&loc, &[("Range", "bytes=10-19"), ("If-Range", &et)]);
    assert_eq!(r.status, 206);
    let r = get_url(&loc, &[("Range", "bytes=10-19"), ("If-Range", "\"stale\"")]);
    assert_eq!((r.status, r.body.len()), (200, 5000));
    let r = get_url(&loc, &[("Range", "bytes=5000-")]);
    assert_eq!(
        (r.status, r.header("content-range")),
        (416, Some("bytes */5000"))
    );
    // A tampered signature is refused; so is an expired URL.
    let r = get_url(&loc.replace("Expires=", "Expires=1"), &[]);
    assert_eq!(r.status, 403);
    hub.expire_signed_urls();
    let r = get_url(&loc, &[]);
    assert_eq!(r.status, 403);
    assert!(r.text().contains("AccessDenied"));

    // Missing file: EntryNotFound with the commit.
    let r = send(
        &api,
        "HEAD",
        "/datasets/acme/corpus/resolve/main/nope.txt",
        &[],
        b"",
    );
    assert_eq!(
        (r.status, r.header("x-error-code")),
        (404, Some("EntryNotFound"))
    );
    assert_eq!(r.header("x-repo-commit"), Some(main.as_str()));
    // Revision with an encoded slash.
    let pq = hub.hf_set_ref(
        "acme/corpus",
        "refs/convert/parquet",
        vec![HfFile::regular("d/x.txt", "pq")],
    );
    let r = send(
        &api,
        "HEAD",
        "/datasets/acme/corpus/resolve/refs%2Fconvert%2Fparquet/d/x.txt",
        &[],
        b"",
    );
    assert_eq!(
        (r.status, r.header("x-repo-commit")),
        (307, Some(pq.as_str()))
    );
}

#[test]
fn resolve_access_errors() {
    let hub = hub_with_repos(1000);
    let api = hub.api_url();
    let p = "/datasets/alice/secret/resolve/main/a.txt";
    let r = get(&api, p, &[]);
    assert_eq!(
        (r.status, r.header("x-error-code")),
        (401, Some("RepoNotFound"))
    );
    let r = get(&api, p, &[("Authorization", "Bearer hf_bob")]);
    assert_eq!(
        (r.status, r.header("x-error-code")),
        (404, Some("RepoNotFound"))
    );
    // private regular files are served directly (no resolve-cache hop)
    let r = get(&api, p, &[("Authorization", "Bearer hf_alice")]);
    assert_eq!((r.status, r.body.as_slice()), (200, &b"s"[..]));
    let r = get(&api, p, &[("Authorization", "Bearer wrong")]);
    assert_eq!(r.status, 401);
    assert_eq!(
        r.header("x-error-message"),
        Some("Invalid credentials in Authorization header")
    );
    assert!(r.header("x-error-code").is_none());

    let g = "/datasets/acme/gated/resolve/main/g.txt";
    let r = get(&api, g, &[]);
    assert_eq!(
        (r.status, r.header("x-error-code")),
        (401, Some("GatedRepo"))
    );
    let r = get(&api, g, &[("Authorization", "Bearer hf_bob")]);
    assert_eq!(
        (r.status, r.header("x-error-code")),
        (403, Some("GatedRepo"))
    );
    assert!(
        r.header("x-error-message")
            .unwrap()
            .contains("/datasets/acme/gated")
    );
    hub.hf_grant("acme/gated", "bob");
    let r = get(&api, g, &[("Authorization", "Bearer hf_bob")]);
    assert_eq!((r.status, r.body.as_slice()), (200, &b"gated!"[..]));

    let r = get(&api, "/datasets/acme/off/resolve/main/o.txt", &[]);
    assert_eq!(r.status, 403);
    assert_eq!(
        r.header("x-error-message"),
        Some("Access to this resource is disabled.")
    );

    let r = get(
        &api,
        "/api/whoami-v2",
        &[("Authorization", "Bearer hf_alice")],
    );
    assert_eq!((r.status, r.json()["name"].as_str()), (200, Some("alice")));
    assert_eq!(r.json()["type"], "user");
    assert_eq!(get(&api, "/api/whoami-v2", &[]).status, 401);
    assert_eq!(
        get(&api, "/api/whoami-v2", &[("Authorization", "Bearer x")]).status,
        401
    );
}

#[test]
fn disk_backed_lfs_streams() {
    let dir = std::env::temp_dir().join(format!("fakehub-it-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("big.bin");
    let data: Vec<u8> = (0..3_000_000u32).map(|i| (i % 253) as u8).collect();
    std::fs::write(&path, &data).unwrap();
    let hub = FakeHub::start();
    hub.add_hf_repo(HfRepo::new("o/big").lfs_file_from_disk("big.bin", path.clone()));
    let r = send(
        &hub.api_url(),
        "HEAD",
        "/datasets/o/big/resolve/main/big.bin",
        &[],
        b"",
    );
    let loc = r.header("location").unwrap().to_string();
    assert_eq!(
        r.header("x-linked-etag").unwrap(),
        format!("\"{}\"", sha256_hex(&data))
    );
    let r = get_url(&loc, &[]);
    assert_eq!(r.body.len(), data.len());
    assert!(r.body == data);
    let r = get_url(&loc, &[("Range", "bytes=1000000-1999999")]);
    assert_eq!(r.body, data[1_000_000..2_000_000]);
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test]
async fn reqwest_follows_redirects_and_keeps_alive() {
    let hub = hub_with_repos(1000);
    let client = reqwest::Client::new();
    let api = hub.api_url();
    // GET resolve follows 302 to the CDN and 307 to resolve-cache.
    let r = client
        .get(format!(
            "{api}/datasets/acme/corpus/resolve/main/data/train/0000.parquet"
        ))
        .header("Authorization", "Bearer hf_bob")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.bytes().await.unwrap().len(), 5000);
    let r = client
        .get(format!("{api}/datasets/acme/corpus/resolve/main/README.md"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.text().await.unwrap(), "# corpus\n");
    for _ in 0..3 {
        let r = client
            .get(format!("{api}/api/datasets/acme/corpus"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let _ = r.bytes().await.unwrap();
    }
    // reqwest dropped the token on the cross-origin hop
    let cdn: Vec<_> = hub
        .requests()
        .into_iter()
        .filter(|r| r.origin == Origin::Cdn)
        .collect();
    assert_eq!(cdn.len(), 1);
    assert!(cdn[0].header("authorization").is_none());
}
