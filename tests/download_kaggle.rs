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
    let v = env.run_ok("download kaggle alice/titanic --json").json();
    assert_eq!(v["success"], true);
    assert_eq!(v["source"], "Kaggle");
    assert_eq!(v["dataset_id"], "alice/titanic");
    assert_eq!(v["version"], 1);
    let folder = env.path("downloads/titanic");
    assert_tree(&folder, &["docs/README.md", "test.csv", "train.csv"]);
    assert_file(folder.join("train.csv"), bytes(3, 200_000));
    // The archive is removed after extraction.
    assert_no_file(folder.join("titanic.zip"));
    assert_no_file(folder.join(".dsfetch/tmp"));
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
    env.run_ok("download kaggle alice/titanic -o latest");
    assert_file(env.path("latest/train.csv"), b"new\n");
    env.hub.clear_requests();
    for (i, id) in [
        "alice/titanic/versions/1",
        "alice/titanic/1",
        "https://www.kaggle.com/datasets/alice/titanic/versions/1",
    ]
    .iter()
    .enumerate()
    {
        let r = env.run_ok(format!("download kaggle {id} -o v1-{i} --json"));
        assert_eq!(r.json()["version"], 1);
        assert_file(env.path(&format!("v1-{i}/train.csv")), bytes(3, 200_000));
    }
    assert!(
        rpc_calls(&env, "GetDataset").is_empty(),
        "a pinned version needs no lookup"
    );
    env.run_expect(4, "download kaggle alice/titanic/versions/9 -o v9")
        .assert_stderr_contains(&["not found"]);
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
        let r = env.run_ok("download kaggle alice/private -o p -v");
        assert_eq!(env.read_text("p/a.csv"), "1\n", "{name}");
        let api = env.requests_on(Origin::Api);
        assert!(
            api.iter()
                .all(|q| q.header("authorization") == Some(expected.as_str())),
            "{name}"
        );
        let storage = env.storage_requests();
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
    let r = env.run_expect(3, "download kaggle alice/private");
    // The message names every place that was looked at, and where to get a token.
    r.assert_stderr_contains(&[
        "KAGGLE_API_TOKEN",
        "KAGGLE_USERNAME/KAGGLE_KEY",
        ".kaggle/kaggle.json",
        "kaggle/kaggle.json",
        ".kaggle/access_token",
        "kaggle.com/settings",
    ]);
    r.error_line();
}

#[test]
fn rejected_credentials_and_world_readable_kaggle_json() {
    let env = TestEnv::new();
    titanic(&env.hub);
    let p = write_kaggle_json(env.home.path(), "mallory", "wrongkey0000000000000000");
    chmod(&p, 0o644);
    let r = env.run_expect(3, "download kaggle alice/titanic");
    r.assert_stderr_contains(&["was rejected"])
        .assert_stderr_lacks(&["wrongkey0000000000000000"]);
    #[cfg(unix)]
    r.assert_stderr_contains(&["chmod 600"]);
    // A malformed kaggle.json is an error naming the file.
    std::fs::write(&p, "{not json").unwrap();
    env.run_expect(3, "download kaggle alice/titanic")
        .assert_stderr_contains(&["kaggle.json"]);
}

#[test]
fn not_found_exits_4() {
    let env = TestEnv::new();
    env.run_expect(4, "download kaggle alice/nothing")
        .assert_stderr_contains(&["not found"]);
    env.run_expect(2, "download kaggle not-a-valid-id");
}

#[test]
fn resumes_an_interrupted_archive_with_range_and_if_range() {
    let env = TestEnv::new().with_env("DSFETCH_RETRIES", "1");
    titanic(&env.hub);
    let archive_len = env.hub.kaggle_archive("alice/titanic", 1).unwrap().len() as u64;
    env.hub
        .fault(Fault::new(Origin::Storage, FaultKind::DropAfter(80_000)));
    env.hub
        .fault(always(Origin::Storage, FaultKind::ResetBeforeHeaders));
    env.run_expect(5, "download kaggle alice/titanic -o t");
    assert_no_file(env.path("t/train.csv"));
    env.clear_hub();
    env.run_ok("download kaggle alice/titanic -o t");
    let storage = env.storage_requests();
    assert_eq!(storage.len(), 1);
    assert_eq!(storage[0].range.as_deref(), Some("bytes=80000-"));
    assert!(
        storage[0].header("if-range").is_some(),
        "resume is validated with If-Range"
    );
    assert_eq!(bytes_sent(&storage), archive_len - 80_000);
    assert_file(env.path("t/train.csv"), bytes(3, 200_000));
}

#[test]
fn an_if_range_mismatch_restarts_cleanly() {
    let env = TestEnv::new().with_env("DSFETCH_RETRIES", "0");
    titanic(&env.hub);
    let archive_len = env.hub.kaggle_archive("alice/titanic", 1).unwrap().len() as u64;
    env.hub
        .fault(Fault::new(Origin::Storage, FaultKind::DropAfter(80_000)));
    env.run_expect(5, "download kaggle alice/titanic -o t");
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
    env.run_ok("download kaggle alice/titanic -o t");
    let storage = env.storage_requests();
    assert_eq!(storage[0].header("if-range"), Some("\"stale-etag\""));
    assert_eq!(storage[0].status, 200, "the server sent the whole object");
    assert_eq!(bytes_sent(&storage), archive_len);
    assert_file(env.path("t/train.csv"), bytes(3, 200_000));
}

#[test]
fn md5_mismatch_exits_6_with_nothing_extracted() {
    let env = TestEnv::new();
    titanic(&env.hub);
    env.hub
        .fault(always(Origin::Storage, FaultKind::Corrupt { offset: 1000 }));
    env.run_expect(6, "download kaggle alice/titanic -o t")
        .assert_stderr_contains(&["md5"]);
    assert_tree(env.path("t"), &[]);
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
        let r = env.run_expect(1, "download kaggle evil/set -o a/b");
        assert!(
            r.stderr().contains("refused unsafe zip entry"),
            "{name}: {}",
            r.stderr()
        );
        let written = files_under(&env.path("a/b"));
        assert!(written.is_empty(), "{name}: {written:?}");
        assert_no_file(env.path("escaped.txt"));
        assert_no_file(env.path("a/escaped.txt"));
        assert_no_file("/tmp/dsfetch-absolute-escape.txt");
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
    let r = env.run_ok(
        "download kaggle alice/titanic --file train.csv --file sub/dir/notes.txt -o f --json",
    );
    assert_tree(env.path("f"), &["sub/dir/notes.txt", "train.csv"]);
    assert_file(env.path("f/train.csv"), bytes(3, 200_000));
    let storage = env.storage_requests();
    assert!(
        storage.iter().any(|q| q.path().ends_with("train.csv.zip")),
        "train.csv was served zipped"
    );
    let files = r.json()["files"].as_array().unwrap().clone();
    assert_eq!(files.len(), 2);
    env.run_expect(4, "download kaggle alice/titanic --file nope.csv -o f2");
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
    env.run_ok("download kaggle alice/many --include csv/ --exclude *3* -o m");
    assert_tree(
        env.path("m"),
        &[
            "csv/0.csv",
            "csv/1.csv",
            "csv/2.csv",
            "csv/4.csv",
            "csv/5.csv",
            "csv/6.csv",
        ],
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
    env.run_ok("download kaggle alice/titanic -o t");
    env.hub.clear_requests();
    let r = env.run_ok("download kaggle alice/titanic -o t --json");
    assert_eq!(r.json()["bytes_downloaded"], 0);
    assert_eq!(r.json()["skipped"], 3);
    assert!(env.storage_requests().is_empty());
    assert!(rpc_calls(&env, "DownloadDataset").is_empty());
    let r = env.run_ok("download kaggle alice/titanic -o t --force --json");
    assert!(r.json()["bytes_downloaded"].as_u64().unwrap() > 0);
}

#[test]
fn no_unzip_keeps_the_archive() {
    let env = TestEnv::new();
    titanic(&env.hub);
    env.run_ok("download kaggle alice/titanic --no-unzip -o z");
    assert_tree(env.path("z"), &["titanic.zip"]);
    let archive = env.hub.kaggle_archive("alice/titanic", 1).unwrap();
    assert_file(env.path("z/titanic.zip"), archive);
    env.hub.clear_requests();
    env.run_ok("download kaggle alice/titanic --no-unzip -o z");
    assert!(env.storage_requests().is_empty());
}
