//! `dsfetch download kaggle` against the fake hub.

use crate::support::*;

const KEY: &str = "0123456789abcdef0123456789abcdef";
const TOKEN: &str = "KGAT_0123456789abcdef0123456789";

fn titanic(hub: &FakeHub) {
    hub.add_kaggle_dataset(
        KaggleDataset::new("alice/titanic")
            .title("Titanic")
            .file("train.csv", bytes(3, 200_000))
            .file("test.csv", "id,x\n1,2\n")
            .file("docs/README.md", "# titanic\n"),
    );
}

fn rpc_calls(env: &TestEnv, method: &str) -> Vec<Recorded> {
    env.requests_on(Origin::Api)
        .into_iter()
        .filter(|r| r.path().ends_with(&format!("/{method}")))
        .collect()
}

#[test]
fn downloads_and_extracts_the_current_version() {
    let env = TestEnv::new();
    titanic(&env.hub);
    let r = env.run(&["download", "kaggle", "alice/titanic", "--json"]);
    r.expect_code(0);
    let v = r.json();
    assert_eq!(v["success"], true);
    assert_eq!(v["source"], "Kaggle");
    assert_eq!(v["dataset_id"], "alice/titanic");
    assert_eq!(v["version"], 1);
    let folder = env.path("downloads/titanic");
    assert_eq!(
        files_under(&folder),
        vec!["docs/README.md", "test.csv", "train.csv"]
    );
    assert_eq!(
        std::fs::read(folder.join("train.csv")).unwrap(),
        bytes(3, 200_000)
    );
    assert!(
        !folder.join("titanic.zip").exists(),
        "the archive is removed after extraction"
    );
    assert!(!folder.join(".dsfetch/tmp").exists());
    // GetDataset resolved the version, then DownloadDataset asked for it explicitly.
    assert_eq!(rpc_calls(&env, "GetDataset").len(), 1);
    let dl = rpc_calls(&env, "DownloadDataset");
    let body: serde_json::Value = serde_json::from_slice(&dl[0].body).unwrap();
    assert_eq!(
        body,
        serde_json::json!({"ownerSlug": "alice", "datasetSlug": "titanic", "datasetVersionNumber": 1})
    );
    assert_eq!(dl[0].method, "POST");
    assert_eq!(dl[0].header("content-type"), Some("application/json"));
}

#[test]
fn pinned_versions_and_url_forms() {
    let env = TestEnv::new();
    titanic(&env.hub);
    env.hub.kaggle_add_version(
        "alice/titanic",
        vec![("train.csv".into(), b"new\n".to_vec())],
    );
    env.run(&["download", "kaggle", "alice/titanic", "-o", "latest"])
        .expect_code(0);
    assert_eq!(
        std::fs::read(env.path("latest/train.csv")).unwrap(),
        b"new\n"
    );
    env.hub.clear_requests();
    for (i, id) in [
        "alice/titanic/versions/1",
        "alice/titanic/1",
        "https://www.kaggle.com/datasets/alice/titanic/versions/1",
    ]
    .iter()
    .enumerate()
    {
        let out = format!("v1-{i}");
        let r = env.run(&["download", "kaggle", id, "-o", &out, "--json"]);
        r.expect_code(0);
        assert_eq!(r.json()["version"], 1);
        assert_eq!(
            std::fs::read(env.path(&format!("{out}/train.csv"))).unwrap(),
            bytes(3, 200_000)
        );
    }
    assert!(
        rpc_calls(&env, "GetDataset").is_empty(),
        "a pinned version needs no lookup"
    );
    let r = env.run(&["download", "kaggle", "alice/titanic/versions/9", "-o", "v9"]);
    r.expect_code(4);
    assert!(r.stderr().contains("not found"), "{}", r.stderr());
}

#[test]
fn credentials_from_each_source_reach_only_the_api() {
    type Setup = Box<dyn Fn(&mut TestEnv)>;
    let cases: Vec<(&str, Setup, String)> = vec![
        (
            "kaggle.json",
            Box::new(|e: &mut TestEnv| {
                write_kaggle_json(e.home.path(), "alice", KEY);
            }),
            basic("alice", KEY),
        ),
        (
            "KAGGLE_USERNAME/KAGGLE_KEY",
            Box::new(|e: &mut TestEnv| {
                e.env("KAGGLE_USERNAME", "alice").env("KAGGLE_KEY", KEY);
            }),
            basic("alice", KEY),
        ),
        (
            "KAGGLE_CONFIG_DIR",
            Box::new(|e: &mut TestEnv| {
                let dir = e.home.path().join("cfg");
                std::fs::create_dir_all(&dir).unwrap();
                let p = write_kaggle_json(e.home.path(), "alice", KEY);
                std::fs::rename(p, dir.join("kaggle.json")).unwrap();
                e.env("KAGGLE_CONFIG_DIR", dir.to_str().unwrap());
            }),
            basic("alice", KEY),
        ),
        (
            "KAGGLE_API_TOKEN",
            Box::new(|e: &mut TestEnv| {
                e.env("KAGGLE_API_TOKEN", TOKEN);
            }),
            format!("Bearer {TOKEN}"),
        ),
        (
            "access_token file",
            Box::new(|e: &mut TestEnv| {
                std::fs::create_dir_all(e.home.path().join(".kaggle")).unwrap();
                std::fs::write(
                    e.home.path().join(".kaggle/access_token"),
                    format!("{TOKEN}\n"),
                )
                .unwrap();
            }),
            format!("Bearer {TOKEN}"),
        ),
    ];
    for (name, setup, expected) in cases {
        let mut env = TestEnv::new();
        env.hub.add_kaggle_dataset(
            KaggleDataset::new("alice/private")
                .private(true)
                .owner_user("alice")
                .file("a.csv", "1\n"),
        );
        env.hub.kaggle_add_user("alice", KEY);
        env.hub.kaggle_add_token(TOKEN, "alice");
        setup(&mut env);
        let r = env.run(&["download", "kaggle", "alice/private", "-o", "p", "-v"]);
        r.expect_code(0);
        assert_eq!(
            std::fs::read_to_string(env.path("p/a.csv")).unwrap(),
            "1\n",
            "{name}"
        );
        let api = env.requests_on(Origin::Api);
        assert!(
            api.iter()
                .all(|q| q.header("authorization") == Some(expected.as_str())),
            "{name}"
        );
        let storage = env.requests_on(Origin::Storage);
        assert!(!storage.is_empty());
        assert!(
            storage.iter().all(|q| q.header("authorization").is_none()),
            "{name}: credential sent to storage"
        );
        for secret in [KEY, TOKEN] {
            assert!(
                !r.stderr().contains(secret) && !r.stdout().contains(secret),
                "{name}: secret printed"
            );
        }
    }
}

fn basic(user: &str, key: &str) -> String {
    use base64::Engine;
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{user}:{key}"))
    )
}

#[test]
fn missing_credentials_on_a_private_dataset_exit_3_and_say_where_we_looked() {
    let env = TestEnv::new();
    env.hub.add_kaggle_dataset(
        KaggleDataset::new("alice/private")
            .private(true)
            .owner_user("alice")
            .file("a.csv", "1\n"),
    );
    let r = env.run(&["download", "kaggle", "alice/private"]);
    r.expect_code(3);
    let err = r.stderr();
    for place in [
        "KAGGLE_API_TOKEN",
        "KAGGLE_USERNAME/KAGGLE_KEY",
        ".kaggle/kaggle.json",
        "kaggle/kaggle.json",
        ".kaggle/access_token",
    ] {
        assert!(err.contains(place), "the message names {place}: {err}");
    }
    assert!(err.contains("kaggle.com/settings"), "{err}");
    assert_eq!(
        err.lines()
            .filter(|l| l.starts_with("dsfetch: error"))
            .count(),
        1
    );
}

#[test]
fn rejected_credentials_and_world_readable_kaggle_json() {
    let env = TestEnv::new();
    titanic(&env.hub);
    let p = write_kaggle_json(env.home.path(), "mallory", "wrongkey0000000000000000");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    let r = env.run(&["download", "kaggle", "alice/titanic"]);
    r.expect_code(3);
    assert!(r.stderr().contains("was rejected"), "{}", r.stderr());
    #[cfg(unix)]
    assert!(r.stderr().contains("chmod 600"), "{}", r.stderr());
    assert!(!r.stderr().contains("wrongkey0000000000000000"));
    // A malformed kaggle.json is an error naming the file.
    std::fs::write(&p, "{not json").unwrap();
    let r = env.run(&["download", "kaggle", "alice/titanic"]);
    r.expect_code(3);
    assert!(r.stderr().contains("kaggle.json"), "{}", r.stderr());
}

#[test]
fn not_found_exits_4() {
    let env = TestEnv::new();
    let r = env.run(&["download", "kaggle", "alice/nothing"]);
    r.expect_code(4);
    assert!(r.stderr().contains("not found"), "{}", r.stderr());
    let r = env.run(&["download", "kaggle", "not-a-valid-id"]);
    r.expect_code(2);
}

#[test]
fn resumes_an_interrupted_archive_with_range_and_if_range() {
    let mut env = TestEnv::new();
    env.env("DSFETCH_RETRIES", "1");
    titanic(&env.hub);
    let archive_len = env.hub.kaggle_archive("alice/titanic", 1).unwrap().len() as u64;
    env.hub
        .fault(Fault::new(Origin::Storage, FaultKind::DropAfter(80_000)).times(1));
    env.hub
        .fault(Fault::new(Origin::Storage, FaultKind::ResetBeforeHeaders).times(usize::MAX));
    env.run(&["download", "kaggle", "alice/titanic", "-o", "t"])
        .expect_code(5);
    assert!(!env.path("t/train.csv").exists());
    env.hub.clear_faults();
    env.hub.clear_requests();
    env.run(&["download", "kaggle", "alice/titanic", "-o", "t"])
        .expect_code(0);
    let storage = env.requests_on(Origin::Storage);
    assert_eq!(storage.len(), 1);
    assert_eq!(storage[0].range.as_deref(), Some("bytes=80000-"));
    assert!(
        storage[0].header("if-range").is_some(),
        "resume is validated with If-Range"
    );
    assert_eq!(bytes_sent(&storage), archive_len - 80_000);
    assert_eq!(
        std::fs::read(env.path("t/train.csv")).unwrap(),
        bytes(3, 200_000)
    );
}

#[test]
fn an_if_range_mismatch_restarts_cleanly() {
    let mut env = TestEnv::new();
    env.env("DSFETCH_RETRIES", "0");
    titanic(&env.hub);
    let archive_len = env.hub.kaggle_archive("alice/titanic", 1).unwrap().len() as u64;
    env.hub
        .fault(Fault::new(Origin::Storage, FaultKind::DropAfter(80_000)).times(1));
    env.run(&["download", "kaggle", "alice/titanic", "-o", "t"])
        .expect_code(5);
    // The stored validator no longer matches what storage serves (the object changed).
    let tmp = env.path("t/.dsfetch/tmp");
    for e in std::fs::read_dir(&tmp).unwrap().flatten() {
        if e.path().to_string_lossy().ends_with(".part.json") {
            let mut v: serde_json::Value =
                serde_json::from_slice(&std::fs::read(e.path()).unwrap()).unwrap();
            v["validator"] = serde_json::json!("\"stale-etag\"");
            std::fs::write(e.path(), v.to_string()).unwrap();
        }
    }
    env.hub.clear_requests();
    env.run(&["download", "kaggle", "alice/titanic", "-o", "t"])
        .expect_code(0);
    let storage = env.requests_on(Origin::Storage);
    assert_eq!(storage[0].header("if-range"), Some("\"stale-etag\""));
    assert_eq!(storage[0].status, 200, "the server sent the whole object");
    assert_eq!(bytes_sent(&storage), archive_len);
    assert_eq!(
        std::fs::read(env.path("t/train.csv")).unwrap(),
        bytes(3, 200_000)
    );
}

#[test]
fn md5_mismatch_exits_6_with_nothing_extracted() {
    let env = TestEnv::new();
    titanic(&env.hub);
    env.hub
        .fault(Fault::new(Origin::Storage, FaultKind::Corrupt { offset: 1000 }).times(usize::MAX));
    let r = env.run(&["download", "kaggle", "alice/titanic", "-o", "t"]);
    r.expect_code(6);
    assert!(r.stderr().contains("md5"), "{}", r.stderr());
    assert!(
        files_under(&env.path("t")).is_empty(),
        "{:?}",
        files_under(&env.path("t"))
    );
}

#[test]
fn hostile_archives_are_refused_with_nothing_written() {
    let archives: Vec<(&str, Vec<u8>)> = vec![
        (
            "dotdot",
            zip_bytes(&[("ok.txt", b"fine\n"), ("../../escaped.txt", b"pwned\n")]),
        ),
        (
            "absolute",
            zip_bytes(&[
                ("ok.txt", b"fine\n"),
                ("/tmp/dsfetch-absolute-escape.txt", b"pwned\n"),
            ]),
        ),
        ("symlink", zip_with_symlink("link", "/etc")),
    ];
    for (name, archive) in archives {
        let env = TestEnv::new();
        env.hub.add_kaggle_dataset(
            KaggleDataset::new("evil/set")
                .file("ok.txt", "fine\n")
                .raw_archive(archive),
        );
        let r = env.run(&["download", "kaggle", "evil/set", "-o", "a/b"]);
        r.expect_code(1);
        assert!(
            r.stderr().contains("refused unsafe zip entry"),
            "{name}: {}",
            r.stderr()
        );
        assert!(
            files_under(&env.path("a/b")).is_empty(),
            "{name}: {:?}",
            files_under(&env.path("a/b"))
        );
        assert!(!env.path("escaped.txt").exists() && !env.path("a/escaped.txt").exists());
        assert!(!std::path::Path::new("/tmp/dsfetch-absolute-escape.txt").exists());
    }
}

#[test]
fn single_files_including_one_the_service_zips() {
    let env = TestEnv::new();
    env.hub.add_kaggle_dataset(
        KaggleDataset::new("alice/titanic")
            .file("train.csv", bytes(3, 200_000))
            .file("sub/dir/notes.txt", "notes\n")
            .zipped_file("train.csv"),
    );
    let r = env.run(&[
        "download",
        "kaggle",
        "alice/titanic",
        "--file",
        "train.csv",
        "--file",
        "sub/dir/notes.txt",
        "-o",
        "f",
        "--json",
    ]);
    r.expect_code(0);
    assert_eq!(
        files_under(&env.path("f")),
        vec!["sub/dir/notes.txt", "train.csv"]
    );
    assert_eq!(
        std::fs::read(env.path("f/train.csv")).unwrap(),
        bytes(3, 200_000)
    );
    let storage = env.requests_on(Origin::Storage);
    assert!(
        storage.iter().any(|q| q.path().ends_with("train.csv.zip")),
        "train.csv was served zipped"
    );
    let files = r.json()["files"].as_array().unwrap().clone();
    assert_eq!(files.len(), 2);
    let missing = env.run(&[
        "download",
        "kaggle",
        "alice/titanic",
        "--file",
        "nope.csv",
        "-o",
        "f2",
    ]);
    missing.expect_code(4);
}

#[test]
fn include_selects_files_from_the_paginated_listing() {
    let env = TestEnv::with_options(Options {
        kaggle_page_size_max: 2,
        ..Options::default()
    });
    let mut ds = KaggleDataset::new("alice/many");
    for i in 0..7 {
        ds = ds.file(&format!("csv/{i}.csv"), format!("{i}\n"));
    }
    env.hub.add_kaggle_dataset(ds.file("other.txt", "x\n"));
    env.run(&[
        "download",
        "kaggle",
        "alice/many",
        "--include",
        "csv/",
        "--exclude",
        "*3*",
        "-o",
        "m",
    ])
    .expect_code(0);
    assert_eq!(
        files_under(&env.path("m")),
        vec![
            "csv/0.csv",
            "csv/1.csv",
            "csv/2.csv",
            "csv/4.csv",
            "csv/5.csv",
            "csv/6.csv"
        ]
    );
    assert!(
        rpc_calls(&env, "ListDatasetFiles").len() >= 4,
        "the listing was followed to the end"
    );
    assert!(
        !rpc_calls(&env, "DownloadDataset").iter().any(|q| {
            let b: serde_json::Value = serde_json::from_slice(&q.body).unwrap();
            b.get("fileName").is_none()
        }),
        "no whole-archive download"
    );
}

#[test]
fn a_second_run_is_a_no_op_and_force_downloads_again() {
    let env = TestEnv::new();
    titanic(&env.hub);
    env.run(&["download", "kaggle", "alice/titanic", "-o", "t"])
        .expect_code(0);
    env.hub.clear_requests();
    let r = env.run(&["download", "kaggle", "alice/titanic", "-o", "t", "--json"]);
    r.expect_code(0);
    assert_eq!(r.json()["bytes_downloaded"], 0);
    assert_eq!(r.json()["skipped"], 3);
    assert!(env.requests_on(Origin::Storage).is_empty());
    assert!(rpc_calls(&env, "DownloadDataset").is_empty());
    let r = env.run(&[
        "download",
        "kaggle",
        "alice/titanic",
        "-o",
        "t",
        "--force",
        "--json",
    ]);
    r.expect_code(0);
    assert!(r.json()["bytes_downloaded"].as_u64().unwrap() > 0);
}

#[test]
fn no_unzip_keeps_the_archive() {
    let env = TestEnv::new();
    titanic(&env.hub);
    env.run(&[
        "download",
        "kaggle",
        "alice/titanic",
        "--no-unzip",
        "-o",
        "z",
    ])
    .expect_code(0);
    assert_eq!(files_under(&env.path("z")), vec!["titanic.zip"]);
    assert_eq!(
        std::fs::read(env.path("z/titanic.zip")).unwrap(),
        env.hub.kaggle_archive("alice/titanic", 1).unwrap()
    );
    env.hub.clear_requests();
    env.run(&[
        "download",
        "kaggle",
        "alice/titanic",
        "--no-unzip",
        "-o",
        "z",
    ])
    .expect_code(0);
    assert!(env.requests_on(Origin::Storage).is_empty());
}
