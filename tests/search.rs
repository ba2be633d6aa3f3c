//! `dsfetch search`, the generic `dsfetch download ID|URL`, and `dsfetch auth`.

use crate::support::*;

const HF_TOKEN: &str = "hf_searchtoken_abcdefghijkl";
const KEY: &str = "0123456789abcdef0123456789abcdef";

/// 12 weather datasets on each hub (paginated 5 at a time), plus unrelated ones.
fn catalogue() -> TestEnv {
    let env = TestEnv::with_options(Options {
        hf_page_size: 5,
        kaggle_page_size_max: 5,
        ..Options::default()
    });
    for i in 0..12u64 {
        env.hub.add_hf_repo(
            HfRepo::new(&format!("meteo/weather-{i:02}"))
                .downloads(1000 + i * 10)
                .likes(i)
                .tags(&[
                    "task_categories:time-series",
                    if i % 2 == 0 {
                        "format:parquet"
                    } else {
                        "format:csv"
                    },
                ])
                .description(&format!("Hourly weather {i}"))
                .last_modified(&format!("2025-01-{:02}T00:00:00.000Z", i + 1))
                .file("a.csv", "x\n"),
        );
        env.hub.add_kaggle_dataset(
            KaggleDataset::new(&format!("wx/weather-set-{i:02}"))
                .title(&format!("Weather set {i}"))
                .downloads(1005 + i * 10)
                .votes(100 + i)
                .license(if i % 3 == 0 { "CC0-1.0" } else { "GPL 2" })
                .file_types(&[if i % 2 == 0 { "csv" } else { "json" }])
                .last_updated(&format!("2024-06-{:02}T00:00:00.000Z", i + 1))
                .file("w.csv", vec![b'x'; 100 * (i as usize + 1)]),
        );
    }
    env.hub.add_hf_repo(
        HfRepo::new("other/unrelated")
            .downloads(99_999)
            .file("a", "b"),
    );
    env.hub.add_kaggle_dataset(
        KaggleDataset::new("other/unrelated")
            .title("Cats")
            .downloads(99_999)
            .file("a", "b"),
    );
    env
}

fn refs(v: &serde_json::Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|h| h["ref"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn merges_both_hubs_paginating_each() {
    let env = catalogue();
    let r = env.run(&["search", "weather", "--limit", "15", "--json"]);
    r.expect_code(0);
    let v = r.json();
    let hits = v.as_array().unwrap();
    assert_eq!(hits.len(), 15);
    assert!(
        hits.iter().any(|h| h["source"] == "Kaggle")
            && hits.iter().any(|h| h["source"] == "HuggingFace")
    );
    let downloads: Vec<u64> = hits
        .iter()
        .map(|h| h["downloads"].as_u64().unwrap())
        .collect();
    assert!(
        downloads.windows(2).all(|w| w[0] >= w[1]),
        "sorted by downloads: {downloads:?}"
    );
    assert!(!refs(&v).iter().any(|r| r.contains("unrelated")));
    // Both hubs were paged (5 per page, 15 wanted).
    let api = env.requests_on(Origin::Api);
    assert!(api.iter().filter(|q| q.path() == "/api/datasets").count() >= 3);
    assert!(
        api.iter()
            .filter(|q| q.path().ends_with("/ListDatasets"))
            .count()
            >= 3
    );
    // Shape of each item.
    let h = &hits[0];
    for key in [
        "id",
        "ref",
        "title",
        "source",
        "url",
        "downloads",
        "likes",
        "size_bytes",
        "updated",
        "tags",
    ] {
        assert!(h.get(key).is_some(), "missing {key} in {h}");
    }
}

#[test]
fn flags_map_to_each_service() {
    let env = catalogue();
    env.run(&[
        "search", "weather", "--sort", "likes", "--author", "meteo", "--json", "--source", "hf",
    ])
    .expect_code(0);
    let hf = env
        .requests_on(Origin::Api)
        .into_iter()
        .find(|q| q.path() == "/api/datasets")
        .unwrap();
    assert!(
        hf.target.contains("sort=likes") && hf.target.contains("author=meteo"),
        "{}",
        hf.target
    );
    assert!(
        env.requests_on(Origin::Api)
            .iter()
            .all(|q| !q.path().ends_with("/ListDatasets")),
        "--source hf asks only the Hub"
    );

    env.hub.clear_requests();
    let r = env.run(&[
        "search",
        "weather",
        "--source",
        "kaggle",
        "--sort",
        "updated",
        "--author",
        "wx",
        "--file-type",
        "csv",
        "--license",
        "cc",
        "--min-size",
        "100",
        "--max-size",
        "1000",
        "--json",
    ]);
    r.expect_code(0);
    let k = env
        .requests_on(Origin::Api)
        .into_iter()
        .find(|q| q.path().ends_with("/ListDatasets"))
        .unwrap();
    let body: serde_json::Value = serde_json::from_slice(&k.body).unwrap();
    assert_eq!(body["sortBy"], "DATASET_SORT_BY_UPDATED");
    assert_eq!(body["group"], "DATASET_SELECTION_GROUP_USER");
    assert_eq!(body["user"], "wx");
    assert_eq!(body["fileType"], "DATASET_FILE_TYPE_GROUP_CSV");
    assert_eq!(body["license"], "DATASET_LICENSE_GROUP_CC");
    assert_eq!(body["minSize"], 100);
    assert_eq!(body["maxSize"], 1000);
    // csv (even i) and cc (i % 3 == 0) and size <= 1000 (i <= 9): i = 0, 6.
    let v = r.json();
    assert_eq!(
        refs(&v),
        vec!["kaggle:wx/weather-set-06", "kaggle:wx/weather-set-00"]
    );
    assert!(
        v.as_array()
            .unwrap()
            .iter()
            .all(|h| h["source"] == "Kaggle")
    );

    // Tags and file type reach the Hub as repeated filter= parameters.
    env.hub.clear_requests();
    let r = env.run(&[
        "search",
        "weather",
        "--source",
        "hf",
        "--tag",
        "task_categories:time-series",
        "--file-type",
        "parquet",
        "--json",
    ]);
    r.expect_code(0);
    let hf = env
        .requests_on(Origin::Api)
        .into_iter()
        .find(|q| q.path() == "/api/datasets")
        .unwrap();
    assert!(
        hf.target.contains("filter=task_categories%3Atime-series")
            && hf.target.contains("filter=format%3Aparquet"),
        "{}",
        hf.target
    );
    assert_eq!(r.json().as_array().unwrap().len(), 6);

    let r = env.run(&["search", "weather", "--license", "mit"]);
    r.expect_code(2);
}

#[test]
fn one_source_failing_does_not_hide_the_other() {
    let mut env = catalogue();
    env.env("DSFETCH_RETRIES", "1");
    env.hub.fault(
        Fault::new(
            Origin::Api,
            FaultKind::Status {
                code: 503,
                retry_after: None,
                ratelimit_reset: None,
            },
        )
        .path_contains("ListDatasets")
        .times(usize::MAX),
    );
    let r = env.run(&["search", "weather", "--json"]);
    r.expect_code(0);
    assert!(
        r.json()
            .as_array()
            .unwrap()
            .iter()
            .all(|h| h["source"] == "HuggingFace")
    );
    let stderr = r.stderr();
    let warn: Vec<&str> = stderr.lines().filter(|l| l.contains("warning")).collect();
    assert_eq!(warn.len(), 1, "{}", r.stderr());
    assert!(
        warn[0].contains("Kaggle search failed") && warn[0].contains("503"),
        "{}",
        warn[0]
    );
    // Both failing: the failing source's exit code.
    env.hub.fault(
        Fault::new(
            Origin::Api,
            FaultKind::Status {
                code: 503,
                retry_after: None,
                ratelimit_reset: None,
            },
        )
        .path_contains("/api/datasets")
        .times(usize::MAX),
    );
    let r = env.run(&["search", "weather"]);
    r.expect_code(5);
    assert!(r.stdout().is_empty());
}

#[test]
fn hostile_titles_are_sanitised() {
    let env = TestEnv::new();
    env.hub.add_kaggle_dataset(
        KaggleDataset::new("evil/titles")
            .title("Totally \u{1b}[2J\u{1b}]0;owned\u{7}safe \u{202e}txt.exe")
            .subtitle("line\u{1b}[31m red")
            .file("a", "b"),
    );
    env.hub.add_hf_repo(
        HfRepo::new("evil/hf-titles")
            .description("desc \u{1b}[1;1Hmoved \u{200b}zw")
            .file("a", "b"),
    );
    let r = env.run(&["search", "titles"]);
    r.expect_code(0);
    let out = r.stdout();
    assert!(out.contains("evil/titles"), "{out}");
    for bad in ['\u{1b}', '\u{7}', '\u{202e}', '\u{200b}'] {
        assert!(
            !out.contains(bad),
            "control character {bad:?} reached the terminal: {out:?}"
        );
    }
    assert!(out.contains("Totally safe txt.exe"), "{out:?}");
    let r = env.run(&["search", "titles", "--json"]);
    let text = r.stdout();
    assert!(
        !text.contains("\\u001b") && !text.contains('\u{1b}'),
        "{text}"
    );
}

#[test]
fn every_printed_id_downloads() {
    let env = catalogue();
    let r = env.run(&["search", "weather", "--limit", "40"]);
    r.expect_code(0);
    let lines: Vec<String> = r.stdout().lines().map(String::from).collect();
    assert!(lines.len() >= 2);
    let mut seen = std::collections::HashSet::new();
    for line in &lines {
        let id = line.split('\t').next().unwrap();
        let source = id.split(':').next().unwrap();
        if !seen.insert(source.to_string()) {
            continue;
        }
        env.run(&["download", id, "--dry-run"]).expect_code(0);
    }
    assert_eq!(seen.len(), 2, "{lines:?}");
}

#[test]
fn generic_download_routes_ids_and_urls() {
    let env = TestEnv::new();
    env.hub
        .add_hf_repo(HfRepo::new("acme/corpus").file("a.txt", "hf\n"));
    env.hub
        .add_kaggle_dataset(KaggleDataset::new("alice/titanic").file("t.csv", "kaggle\n"));
    let cases = [
        ("hf:acme/corpus", "a.txt", "hf\n"),
        ("hf:acme/corpus@main", "a.txt", "hf\n"),
        (
            "https://huggingface.co/datasets/acme/corpus",
            "a.txt",
            "hf\n",
        ),
        ("hf://datasets/acme/corpus@main", "a.txt", "hf\n"),
        ("kaggle:alice/titanic", "t.csv", "kaggle\n"),
        ("kaggle:alice/titanic/versions/1", "t.csv", "kaggle\n"),
        (
            "https://www.kaggle.com/datasets/alice/titanic",
            "t.csv",
            "kaggle\n",
        ),
    ];
    for (i, (id, file, content)) in cases.iter().enumerate() {
        let out = format!("g{i}");
        env.run(&["download", id, "-o", &out]).expect_code(0);
        assert_eq!(
            std::fs::read_to_string(env.path(&format!("{out}/{file}"))).unwrap(),
            *content,
            "{id}"
        );
    }
    let r = env.run(&["download", "acme/corpus"]);
    r.expect_code(2);
    assert!(
        r.stderr().contains("kaggle:") && r.stderr().contains("hf:"),
        "{}",
        r.stderr()
    );
    env.run(&["download", "hf:acme/corpus", "--file", "x"])
        .expect_code(2);
    env.run(&["download", "kaggle:alice/titanic", "--revision", "main"])
        .expect_code(2);
    // The generic form takes the same flags as the per-hub commands.
    let r = env.run(&[
        "download",
        "kaggle:alice/titanic",
        "--no-unzip",
        "-o",
        "z",
        "--json",
    ]);
    r.expect_code(0);
    assert_eq!(files_under(&env.path("z")), vec!["titanic.zip"]);
}

#[test]
fn auth_shows_each_source_redacted() {
    let mut env = TestEnv::new();
    // Nothing configured.
    let r = env.run(&["auth"]);
    r.expect_code(0);
    assert!(
        r.stdout().contains("Hugging Face: anonymous"),
        "{}",
        r.stdout()
    );
    assert!(r.stdout().contains("Kaggle: anonymous"), "{}", r.stdout());
    assert!(r.stdout().contains("KAGGLE_API_TOKEN"));

    // HF_TOKEN and a token file: the env var wins, the file is listed as a conflict.
    let tok_dir = env.home.path().join(".cache/huggingface");
    std::fs::create_dir_all(&tok_dir).unwrap();
    std::fs::write(tok_dir.join("token"), "hf_filetoken_zyxwvutsrqponm\n").unwrap();
    env.env("HF_TOKEN", HF_TOKEN);
    let kj = write_kaggle_json(env.home.path(), "alice", KEY);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&kj, std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    let r = env.run(&["auth"]);
    r.expect_code(0);
    let out = r.stdout();
    assert!(
        out.contains("Hugging Face: token hf_****ijkl (from HF_TOKEN)"),
        "{out}"
    );
    assert!(
        out.contains("also found, not used:") && out.contains(".cache/huggingface/token"),
        "{out}"
    );
    assert!(
        out.contains("Kaggle: username alice, key ****cdef (from"),
        "{out}"
    );
    assert!(out.contains(".kaggle/kaggle.json"), "{out}");
    #[cfg(unix)]
    assert!(out.contains("chmod 600"), "{out}");
    for secret in [HF_TOKEN, "hf_filetoken_zyxwvutsrqponm", KEY] {
        assert!(
            !out.contains(secret) && !r.stderr().contains(secret),
            "{secret} printed"
        );
    }
    let j = env.run(&["auth", "--json"]);
    j.expect_code(0);
    let v = j.json();
    assert_eq!(v["huggingface"]["from"], "HF_TOKEN");
    assert_eq!(v["kaggle"]["configured"], true);
    assert!(!j.stdout().contains(HF_TOKEN) && !j.stdout().contains(KEY));

    // Kaggle token from the environment, username/key from the environment.
    env.env("KAGGLE_API_TOKEN", "KGAT_abcdefghijklmnopqrstuv");
    let r = env.run(&["auth"]);
    assert!(
        r.stdout()
            .contains("Kaggle: token KGAT_****stuv (from KAGGLE_API_TOKEN)"),
        "{}",
        r.stdout()
    );
    env.env("KAGGLE_API_TOKEN", "");
    env.env("KAGGLE_USERNAME", "bob")
        .env("KAGGLE_KEY", "bobkey000000000000000000");
    let r = env.run(&["auth"]);
    assert!(
        r.stdout()
            .contains("Kaggle: username bob, key ****0000 (from KAGGLE_USERNAME/KAGGLE_KEY)"),
        "{}",
        r.stdout()
    );
    assert!(!r.stdout().contains("bobkey000000000000000000"));
}

#[test]
fn auth_check_reports_valid_and_rejected() {
    let mut env = TestEnv::new();
    env.hub.hf_add_token(HF_TOKEN, "alice");
    env.hub.kaggle_add_user("alice", KEY);
    env.env("HF_TOKEN", HF_TOKEN)
        .env("KAGGLE_USERNAME", "alice")
        .env("KAGGLE_KEY", KEY);
    let r = env.run(&["auth", "--check"]);
    r.expect_code(0);
    assert_eq!(
        r.stdout().matches("check: valid (account alice)").count(),
        2,
        "{}",
        r.stdout()
    );
    // A rejected credential: exit 3.
    env.env("KAGGLE_KEY", "wrong000000000000000000000");
    let r = env.run(&["auth", "--check", "--json"]);
    r.expect_code(3);
    let v = r.json();
    assert_eq!(v["huggingface"]["check"]["valid"], true);
    assert_eq!(v["kaggle"]["check"]["valid"], false);
    assert_eq!(v["success"], false);
    assert_eq!(v["error"]["exit_code"], 3);
    // The Authorization only ever went to the API origin.
    assert!(
        env.requests_on(Origin::Api)
            .iter()
            .any(|q| q.header("authorization").is_some())
    );
}

#[test]
fn license_filter_applies_to_hugging_face() {
    let env = TestEnv::new();
    for (name, license) in [
        ("lic-cc", Some("cc-by-4.0")),
        ("lic-cc0", Some("cc0-1.0")),
        ("lic-mit", Some("mit")),
        ("lic-gpl", Some("gpl-3.0")),
        ("lic-odbl", Some("odbl")),
        ("lic-apache", Some("apache-2.0")),
        ("lic-none", None),
    ] {
        let tag = license.map(|l| format!("license:{l}"));
        let tags: Vec<&str> = tag.iter().map(String::as_str).collect();
        env.hub.add_hf_repo(
            HfRepo::new(&format!("acme/{name}"))
                .tags(&tags)
                .file("a.csv", "x\n"),
        );
    }
    env.hub.add_kaggle_dataset(
        KaggleDataset::new("wx/lic-kaggle")
            .license("CC0-1.0")
            .file("a.csv", "x\n"),
    );
    let search = |args: &[&str]| -> Vec<String> {
        let mut a = vec!["search", "lic", "--json", "--limit", "50"];
        a.extend(args);
        let r = env.run(&a);
        r.expect_code(0);
        let mut v = refs(&r.json());
        v.sort();
        v
    };
    assert_eq!(
        search(&["--source", "hf", "--license", "cc"]),
        vec!["hf:acme/lic-cc", "hf:acme/lic-cc0"]
    );
    assert_eq!(
        search(&["--source", "hf", "--license", "gpl"]),
        vec!["hf:acme/lic-gpl"]
    );
    assert_eq!(
        search(&["--source", "hf", "--license", "odb"]),
        vec!["hf:acme/lic-odbl"]
    );
    assert_eq!(
        search(&["--source", "hf", "--license", "other"]),
        vec!["hf:acme/lic-apache", "hf:acme/lic-mit"]
    );
    // Both hubs: the group applies to each (Kaggle by its license field).
    assert_eq!(
        search(&["--license", "cc"]),
        vec!["hf:acme/lic-cc", "hf:acme/lic-cc0", "kaggle:wx/lic-kaggle"]
    );
    // A Hub license id goes to the Hub as a filter.
    env.hub.clear_requests();
    assert_eq!(
        search(&["--source", "hf", "--license", "mit"]),
        vec!["hf:acme/lic-mit"]
    );
    let hf = env
        .requests_on(Origin::Api)
        .into_iter()
        .find(|q| q.path() == "/api/datasets")
        .unwrap();
    assert!(hf.target.contains("filter=license%3Amit"), "{}", hf.target);
    // ... and only there: Kaggle has no such license group.
    let r = env.run(&["search", "lic", "--license", "mit"]);
    r.expect_code(2);
    assert!(r.stderr().contains("--source hf"), "{}", r.stderr());
}
