//! Kaggle competitions: `competitions.CompetitionApiService`, the classic data routes, auth and
//! rules, storage answers, and replacing the data.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use fakehub::{FakeHub, Fault, FaultKind, KaggleCompetition, Origin};
use md5::{Digest, Md5};
use serde_json::{Value, json};

use crate::support::*;

const SVC: &str = "/v1/competitions.CompetitionApiService";
const BOB: (&str, &str) = ("Authorization", "Bearer KGAT_bob");

fn hub() -> FakeHub {
    let hub = FakeHub::start();
    hub.add_kaggle_competition(
        KaggleCompetition::new("titanic")
            .title("Titanic - Machine Learning from Disaster")
            .file("train.csv", "id,survived\n1,0\n")
            .file("test.csv", vec![b't'; 5000])
            .file("images/sub/a.png", vec![9u8; 300])
            .zipped_file("test.csv")
            .rules_required(true)
            .team_count(15000)
            .deadline("2030-01-01T00:00:00Z")
            .created("2012-09-28T21:13:33Z"),
    );
    hub.add_kaggle_competition(
        KaggleCompetition::new("big-prize")
            .category("Featured")
            .reward("25,000 Usd")
            .file("data.txt", "d")
            .deadline("2031-06-01T00:00:00Z"),
    );
    hub.add_kaggle_competition(
        KaggleCompetition::new("old-one")
            .category("Research")
            .file("x", "x")
            .deadline("2015-01-01T00:00:00Z"),
    );
    hub.kaggle_add_token("KGAT_bob", "bob");
    hub.kaggle_add_user("alice", "key");
    hub.kaggle_accept_rules("titanic", "alice");
    hub
}

fn rpc(api: &str, method: &str, auth: &[(&str, &str)], body: Value) -> Resp {
    post_json(api, &format!("{SVC}/{method}"), auth, &body)
}

fn names(v: &Value, list: &str, field: &str) -> Vec<String> {
    v[list]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c[field].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn get_and_list_competitions() {
    let hub = hub();
    let api = hub.api_url();
    let r = rpc(
        &api,
        "GetCompetition",
        &[],
        json!({"competitionName": "titanic"}),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let v = r.json();
    assert_eq!(v["ref"], "https://www.kaggle.com/competitions/titanic");
    assert_eq!(v["url"], "https://www.kaggle.com/competitions/titanic");
    assert_eq!(v["title"], "Titanic - Machine Learning from Disaster");
    assert_eq!(v["category"], "Getting Started");
    assert_eq!(v["reward"], "Knowledge");
    assert_eq!(v["deadline"], "2030-01-01T00:00:00Z");
    assert_eq!(v["dateCreated"], "2012-09-28T21:13:33Z");
    assert_eq!(v["teamCount"], 15000);
    assert_eq!(v["userHasEntered"], false);
    assert!(v["id"].as_u64().unwrap() > 0);
    let alice = basic("alice", "key");
    let v = rpc(
        &api,
        "GetCompetition",
        &[("Authorization", alice.as_str())],
        json!({"competitionName": "titanic"}),
    )
    .json();
    assert_eq!(v["userHasEntered"], true);
    let r = rpc(
        &api,
        "GetCompetition",
        &[],
        json!({"competitionName": "nope"}),
    );
    assert_eq!((r.status, r.json()["code"].as_u64()), (404, Some(404)));
    assert_eq!(rpc(&api, "GetCompetition", &[], json!({})).status, 400);

    // ListCompetitions needs credentials
    let r = rpc(&api, "ListCompetitions", &[], json!({}));
    assert_eq!((r.status, r.json()["code"].as_u64()), (401, Some(401)));
    let all = json!({"group": "COMPETITION_LIST_TAB_EVERYTHING", "page": 1, "pageSize": 2});
    let v = rpc(&api, "ListCompetitions", &[BOB], all).json();
    assert_eq!(names(&v, "competitions", "ref").len(), 2);
    let tok = v["nextPageToken"].as_str().unwrap().to_string();
    assert!(!tok.is_empty());
    let v = rpc(
        &api,
        "ListCompetitions",
        &[BOB],
        json!({"group": "COMPETITION_LIST_TAB_EVERYTHING", "pageToken": tok, "pageSize": 2}),
    )
    .json();
    assert_eq!(
        names(&v, "competitions", "ref"),
        ["https://www.kaggle.com/competitions/old-one"]
    );
    assert_eq!(v["nextPageToken"], "");
    // GENERAL (the default) leaves finished competitions out; sorting and filters
    let v = rpc(
        &api,
        "ListCompetitions",
        &[BOB],
        json!({"sortBy": "COMPETITION_SORT_BY_PRIZE", "search": ""}),
    )
    .json();
    assert_eq!(
        names(&v, "competitions", "ref"),
        [
            "https://www.kaggle.com/competitions/big-prize",
            "https://www.kaggle.com/competitions/titanic"
        ]
    );
    let v = rpc(
        &api,
        "ListCompetitions",
        &[BOB],
        json!({"group": "COMPETITION_LIST_TAB_EVERYTHING", "category": "HOST_SEGMENT_RESEARCH"}),
    )
    .json();
    assert_eq!(
        names(&v, "competitions", "ref"),
        ["https://www.kaggle.com/competitions/old-one"]
    );
    let v = rpc(
        &api,
        "ListCompetitions",
        &[BOB],
        json!({"search": "machine disaster"}),
    )
    .json();
    assert_eq!(
        names(&v, "competitions", "ref"),
        ["https://www.kaggle.com/competitions/titanic"]
    );
    let v = rpc(
        &api,
        "ListCompetitions",
        &[("Authorization", alice.as_str())],
        json!({"group": "COMPETITION_LIST_TAB_ENTERED"}),
    )
    .json();
    assert_eq!(
        names(&v, "competitions", "ref"),
        ["https://www.kaggle.com/competitions/titanic"]
    );
    let v = rpc(&api, "ListCompetitions", &[BOB],
        json!({"group": "COMPETITION_LIST_TAB_EVERYTHING", "sortBy": "COMPETITION_SORT_BY_EARLIEST_DEADLINE"})).json();
    assert_eq!(
        names(&v, "competitions", "ref")[0],
        "https://www.kaggle.com/competitions/old-one"
    );
    assert_eq!(
        rpc(&api, "ListCompetitions", &[BOB], json!({"sortBy": "BOGUS"})).status,
        400
    );
}

#[test]
fn list_data_files_pages_anonymously() {
    let hub = hub();
    let api = hub.api_url();
    let r = rpc(
        &api,
        "ListDataFiles",
        &[],
        json!({"competitionName": "titanic", "pageSize": 2}),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let v = r.json();
    assert_eq!(names(&v, "files", "name"), ["images/sub/a.png", "test.csv"]);
    let f = &v["files"][0];
    assert_eq!(f["totalBytes"], 300);
    assert_eq!(f["ref"], "images/sub/a.png");
    assert!(
        f["creationDate"]
            .as_str()
            .unwrap()
            .starts_with("2012-09-28T21:13:33")
    );
    assert!(
        f["url"]
            .as_str()
            .unwrap()
            .starts_with("https://www.kaggle.com/competitions/titanic/")
    );
    let tok = v["nextPageToken"].as_str().unwrap();
    assert!(!tok.is_empty());
    let v = rpc(
        &api,
        "ListDataFiles",
        &[],
        json!({"competitionName": "titanic", "pageSize": 2, "pageToken": tok}),
    )
    .json();
    assert_eq!(names(&v, "files", "name"), ["train.csv"]);
    assert_eq!(v["nextPageToken"], "");
    assert_eq!(
        rpc(
            &api,
            "ListDataFiles",
            &[],
            json!({"competitionName": "nope"})
        )
        .status,
        404
    );
    assert_eq!(
        rpc(
            &api,
            "ListDataFiles",
            &[],
            json!({"competitionName": "titanic", "pageToken": "zz"})
        )
        .status,
        400
    );
    // bad credentials are refused even where none are needed
    let r = rpc(
        &api,
        "ListDataFiles",
        &[("Authorization", "Bearer wrong")],
        json!({"competitionName": "titanic"}),
    );
    assert_eq!(r.status, 401);
}

#[test]
fn downloads_need_credentials_and_accepted_rules() {
    let hub = hub();
    let api = hub.api_url();
    let all = json!({"competitionName": "titanic"});
    let r = rpc(&api, "DownloadDataFiles", &[], all.clone());
    assert_eq!((r.status, r.json()["code"].as_u64()), (401, Some(401)));
    let r = rpc(&api, "DownloadDataFiles", &[BOB], all.clone());
    assert_eq!(r.status, 403);
    assert_eq!(
        r.text(),
        r#"{"code":403,"message":"You must accept this competition's rules before you'll be able to download files."}"#
    );
    assert!(
        r.header("content-type")
            .unwrap()
            .starts_with("application/json")
    );
    let one = json!({"competitionName": "titanic", "fileName": "train.csv"});
    assert_eq!(
        rpc(&api, "DownloadDataFile", &[BOB], one.clone()).status,
        403
    );
    assert_eq!(
        rpc(
            &api,
            "DownloadDataFiles",
            &[BOB],
            json!({"competitionName": "nope"})
        )
        .status,
        404
    );
    // no rules to accept
    let r = rpc(
        &api,
        "DownloadDataFiles",
        &[BOB],
        json!({"competitionName": "big-prize"}),
    );
    assert_eq!(r.status, 302);
    hub.kaggle_accept_rules("titanic", "bob");
    let r = rpc(&api, "DownloadDataFiles", &[BOB], all);
    assert_eq!(r.status, 302);
    let loc = r.header("location").unwrap().to_string();
    assert!(
        loc.starts_with(&format!(
            "{}/kaggle-competitions-data/kaggle-v2/",
            hub.storage_url()
        )),
        "{loc}"
    );
    assert!(
        loc.contains("/bundle/archive.zip?X-Goog-Algorithm=GOOG4-RSA-SHA256"),
        "{loc}"
    );
    let z = get_url(&loc, &[]);
    assert_eq!(z.status, 200);
    assert_eq!(z.content_length(), Some(z.body.len() as u64));
    let md5 = Md5::digest(&z.body);
    assert_eq!(
        z.header("etag").unwrap(),
        format!("\"{}\"", hex::encode(md5))
    );
    assert!(
        z.header("x-goog-hash")
            .unwrap()
            .ends_with(&format!("md5={}", STANDARD.encode(md5)))
    );
    assert_eq!(z.body, hub.kaggle_competition_archive("titanic").unwrap());
    let mut members = unzip(&z.body);
    members.sort();
    let member_names: Vec<&str> = members.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(member_names, ["images/sub/a.png", "test.csv", "train.csv"]);
    assert_eq!(members[1].1, vec![b't'; 5000]);
    let r = get_url(&loc, &[("Range", "bytes=5-9")]);
    assert_eq!((r.status, r.body.as_slice()), (206, &z.body[5..10]));
    let etag = z.header("etag").unwrap();
    assert_eq!(
        get_url(&loc, &[("Range", "bytes=5-"), ("If-Range", etag)]).status,
        206
    );
    assert_eq!(
        get_url(&loc, &[("Range", "bytes=5-"), ("If-Range", "\"x\"")]).status,
        200
    );

    // single files: raw, in a sub-folder, or zipped as <basename>.zip
    let r = rpc(&api, "DownloadDataFile", &[BOB], one);
    let loc = r.header("location").unwrap().to_string();
    assert!(
        loc.split('?').next().unwrap().ends_with("/train.csv"),
        "{loc}"
    );
    assert_eq!(get_url(&loc, &[]).body, b"id,survived\n1,0\n");
    let r = rpc(
        &api,
        "DownloadDataFile",
        &[BOB],
        json!({"competitionName": "titanic", "fileName": "images/sub/a.png"}),
    );
    let loc = r.header("location").unwrap().to_string();
    assert!(
        loc.split('?')
            .next()
            .unwrap()
            .ends_with("/images/sub/a.png"),
        "{loc}"
    );
    let r = rpc(
        &api,
        "DownloadDataFile",
        &[BOB],
        json!({"competitionName": "titanic", "fileName": "test.csv"}),
    );
    let loc = r.header("location").unwrap().to_string();
    assert!(
        loc.split('?')
            .next()
            .unwrap()
            .ends_with("/compressed/test.csv.zip"),
        "{loc}"
    );
    let z = get_url(&loc, &[]);
    assert_eq!(z.header("content-type"), Some("application/zip"));
    assert_eq!(unzip(&z.body), [("test.csv".to_string(), vec![b't'; 5000])]);
    let r = rpc(
        &api,
        "DownloadDataFile",
        &[BOB],
        json!({"competitionName": "titanic", "fileName": "nope.csv"}),
    );
    assert_eq!(r.status, 404);
    // the storage origin never sees the credential
    assert!(
        hub.requests()
            .iter()
            .filter(|q| q.origin == Origin::Storage)
            .all(|q| q.header("authorization").is_none())
    );
}

#[test]
fn replacing_the_data() {
    let hub = hub();
    let api = hub.api_url();
    hub.kaggle_accept_rules("titanic", "bob");
    let all = json!({"competitionName": "titanic"});
    let old = rpc(&api, "DownloadDataFiles", &[BOB], all.clone())
        .header("location")
        .unwrap()
        .to_string();
    let old_lm = get_url(&old, &[])
        .header("last-modified")
        .unwrap()
        .to_string();
    hub.kaggle_competition_set_files("titanic", vec![("v2/new.csv".into(), b"new".to_vec())]);
    let v = rpc(&api, "ListDataFiles", &[], all.clone()).json();
    assert_eq!(names(&v, "files", "name"), ["v2/new.csv"]);
    let new = rpc(&api, "DownloadDataFiles", &[BOB], all)
        .header("location")
        .unwrap()
        .to_string();
    assert_ne!(old.split('?').next(), new.split('?').next());
    let z = get_url(&new, &[]);
    assert_eq!(
        unzip(&z.body),
        [("v2/new.csv".to_string(), b"new".to_vec())]
    );
    let lm = |s: &str| httpdate::parse_http_date(s).unwrap();
    assert!(lm(z.header("last-modified").unwrap()) > lm(&old_lm));
    // a URL issued before still serves the old data
    assert_eq!(unzip(&get_url(&old, &[]).body).len(), 3);
}

#[test]
fn classic_routes_and_faults() {
    let hub = hub();
    let api = hub.api_url();
    let alice = basic("alice", "key");
    let r = get(&api, "/api/v1/competitions/data/list/titanic", &[]);
    assert_eq!(r.status, 200, "{}", r.text());
    let v = r.json();
    assert_eq!(v.as_array().unwrap().len(), 3);
    assert_eq!(v[2]["name"], "train.csv");
    let r = get(&api, "/api/v1/competitions/data/download-all/titanic", &[]);
    assert_eq!(r.status, 401);
    let r = get(
        &api,
        "/api/v1/competitions/data/download-all/titanic",
        &[("Authorization", alice.as_str())],
    );
    assert_eq!(r.status, 302);
    assert!(
        r.header("location")
            .unwrap()
            .contains("/bundle/archive.zip?")
    );
    let r = get(
        &api,
        "/api/v1/competitions/data/download/titanic/images/sub/a.png",
        &[("Authorization", alice.as_str())],
    );
    assert_eq!(r.status, 302);
    assert!(r.header("location").unwrap().contains("/images/sub/a.png?"));
    let r = get(
        &api,
        "/api/v1/competitions/data/download/titanic/test.csv",
        &[("Authorization", "Bearer KGAT_bob")],
    );
    assert_eq!(r.status, 403);
    assert_eq!(
        get(&api, "/api/v1/competitions/data/list/nope", &[]).status,
        404
    );
    assert_eq!(get(&api, "/api/v1/competitions/bogus", &[]).status, 404);

    // faults on the RPC and on storage, in Kaggle's and GCS's formats
    hub.fault(
        Fault::new(
            Origin::Api,
            FaultKind::Status {
                code: 503,
                retry_after: None,
                ratelimit_reset: None,
            },
        )
        .path_contains("CompetitionApiService/DownloadDataFiles"),
    );
    let r = rpc(
        &api,
        "DownloadDataFiles",
        &[("Authorization", alice.as_str())],
        json!({"competitionName": "titanic"}),
    );
    assert_eq!((r.status, r.json()["code"].as_u64()), (503, Some(503)));
    let r = rpc(
        &api,
        "DownloadDataFiles",
        &[("Authorization", alice.as_str())],
        json!({"competitionName": "titanic"}),
    );
    let loc = r.header("location").unwrap().to_string();
    hub.fault(
        Fault::new(Origin::Storage, FaultKind::Corrupt { offset: 3 })
            .path_contains("kaggle-competitions-data"),
    );
    let bad = get_url(&loc, &[]);
    let good = get_url(&loc, &[]);
    assert_eq!(bad.body.len(), good.body.len());
    assert_ne!(bad.body, good.body);
    hub.expire_signed_urls();
    let r = get_url(&loc, &[]);
    assert_eq!(r.status, 403);
    assert!(r.text().contains("ExpiredToken"));
    assert!(
        hub.requests()
            .iter()
            .any(|q| q.path().ends_with("/DownloadDataFiles") && q.status == 503)
    );
}
