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

/// The first search request that reached the Hub's `/api/datasets`.
fn hub_search(env: &TestEnv) -> Recorded {
    let api = env.requests_on(Origin::Api);
    let found = api.into_iter().find(|q| q.path() == "/api/datasets");
    found.expect("a Hub search request")
}

/// The first search request that reached Kaggle's `ListDatasets`.
fn kaggle_search(env: &TestEnv) -> Recorded {
    let api = env.requests_on(Origin::Api);
    let found = api
        .into_iter()
        .find(|q| q.path().ends_with("/ListDatasets"));
    found.expect("a Kaggle search request")
}

#[test]
fn merges_both_hubs_paginating_each() {
    let env = catalogue();
    let v = env.run_ok("search weather --limit 15 --json").json();
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
    assert_keys(
        &hits[0],
        &[
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
        ],
    );
}

#[test]
fn flags_map_to_each_service() {
    let env = catalogue();
    env.run_ok("search weather --sort likes --author meteo --json --source hf");
    let hf = hub_search(&env);
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
    let r = env.run_ok(
        "search weather --source kaggle --sort updated --author wx --file-type csv \
         --license cc --min-size 100 --max-size 1000 --json",
    );
    let body: serde_json::Value = serde_json::from_slice(&kaggle_search(&env).body).unwrap();
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
    let hits = v.as_array().unwrap();
    assert!(hits.iter().all(|h| h["source"] == "Kaggle"));

    // Tags and file type reach the Hub as repeated filter= parameters.
    env.hub.clear_requests();
    let r = env.run_ok(
        "search weather --source hf --tag task_categories:time-series --file-type parquet --json",
    );
    let hf = hub_search(&env);
    assert!(
        hf.target.contains("filter=task_categories%3Atime-series")
            && hf.target.contains("filter=format%3Aparquet"),
        "{}",
        hf.target
    );
    assert_eq!(r.json().as_array().unwrap().len(), 6);

    env.run_expect(2, "search weather --license mit");
}

#[test]
fn one_source_failing_does_not_hide_the_other() {
    let env = catalogue().with_env("DSFETCH_RETRIES", "1");
    env.hub
        .fault(always(Origin::Api, status(503)).path_contains("ListDatasets"));
    let r = env.run_ok("search weather --json");
    let hits = r.json();
    let hits = hits.as_array().unwrap();
    assert!(hits.iter().all(|h| h["source"] == "HuggingFace"));
    let stderr = r.stderr();
    let warn: Vec<&str> = stderr.lines().filter(|l| l.contains("warning")).collect();
    assert_eq!(warn.len(), 1, "{}", r.stderr());
    assert!(
        warn[0].contains("Kaggle search failed") && warn[0].contains("503"),
        "{}",
        warn[0]
    );
    // Both failing: the failing source's exit code.
    env.hub
        .fault(always(Origin::Api, status(503)).path_contains("/api/datasets"));
    let r = env.run_expect(5, "search weather");
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
    let out = env.run_ok("search titles").stdout();
    assert!(out.contains("evil/titles"), "{out}");
    for bad in ['\u{1b}', '\u{7}', '\u{202e}', '\u{200b}'] {
        assert!(
            !out.contains(bad),
            "control character {bad:?} reached the terminal: {out:?}"
        );
    }
    assert!(out.contains("Totally safe txt.exe"), "{out:?}");
    let text = env.run_line("search titles --json").stdout();
    assert!(
        !text.contains("\\u001b") && !text.contains('\u{1b}'),
        "{text}"
    );
}

#[test]
fn every_printed_id_downloads() {
    let env = catalogue();
    let r = env.run_ok("search weather --limit 40");
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
        assert_eq!(env.read_text(&format!("{out}/{file}")), *content, "{id}");
    }
    env.run_expect(2, "download acme/corpus")
        .assert_stderr_contains(&["kaggle:", "hf:"]);
    env.run_expect(2, "download hf:acme/corpus --file x");
    env.run_expect(2, "download kaggle:alice/titanic --revision main");
    // The generic form takes the same flags as the per-hub commands.
    env.run_ok("download kaggle:alice/titanic --no-unzip -o z --json");
    assert_tree(env.path("z"), &["titanic.zip"]);
}

#[test]
fn auth_shows_each_source_redacted() {
    let mut env = TestEnv::new();
    // Nothing configured.
    env.run_ok("auth").assert_stdout_contains(&[
        "Hugging Face: anonymous",
        "Kaggle: anonymous",
        "KAGGLE_API_TOKEN",
    ]);

    // HF_TOKEN and a token file: the env var wins, the file is listed as a conflict.
    let tok_dir = env.home.path().join(".cache/huggingface");
    std::fs::create_dir_all(&tok_dir).unwrap();
    std::fs::write(tok_dir.join("token"), "hf_filetoken_zyxwvutsrqponm\n").unwrap();
    env.env("HF_TOKEN", HF_TOKEN);
    let kj = write_kaggle_json(env.home.path(), "alice", KEY);
    chmod(&kj, 0o644);
    let r = env.run_ok("auth");
    r.assert_stdout_contains(&[
        "Hugging Face: token hf_****ijkl (from HF_TOKEN)",
        "also found, not used:",
        ".cache/huggingface/token",
        "Kaggle: username alice, key ****cdef (from",
        ".kaggle/kaggle.json",
    ]);
    #[cfg(unix)]
    r.assert_stdout_contains(&["chmod 600"]);
    r.assert_output_lacks(&[HF_TOKEN, "hf_filetoken_zyxwvutsrqponm", KEY]);
    let j = env.run_ok("auth --json");
    let v = j.json();
    assert_eq!(v["huggingface"]["from"], "HF_TOKEN");
    assert_eq!(v["kaggle"]["configured"], true);
    j.assert_output_lacks(&[HF_TOKEN, KEY]);

    // Kaggle token from the environment, username/key from the environment.
    env.env("KAGGLE_API_TOKEN", "KGAT_abcdefghijklmnopqrstuv");
    env.run_line("auth")
        .assert_stdout_contains(&["Kaggle: token KGAT_****stuv (from KAGGLE_API_TOKEN)"]);
    env.env("KAGGLE_API_TOKEN", "");
    env.env("KAGGLE_USERNAME", "bob")
        .env("KAGGLE_KEY", "bobkey000000000000000000");
    env.run_line("auth")
        .assert_stdout_contains(&[
            "Kaggle: username bob, key ****0000 (from KAGGLE_USERNAME/KAGGLE_KEY)",
        ])
        .assert_output_lacks(&["bobkey000000000000000000"]);
}

#[test]
fn auth_check_reports_valid_and_rejected() {
    let mut env = TestEnv::new();
    env.hub.hf_add_token(HF_TOKEN, "alice");
    env.hub.kaggle_add_user("alice", KEY);
    env.env("HF_TOKEN", HF_TOKEN)
        .env("KAGGLE_USERNAME", "alice")
        .env("KAGGLE_KEY", KEY);
    let r = env.run_ok("auth --check");
    assert_eq!(
        r.stdout().matches("check: valid (account alice)").count(),
        2,
        "{}",
        r.stdout()
    );
    // A rejected credential: exit 3.
    env.env("KAGGLE_KEY", "wrong000000000000000000000");
    let v = env.run_line("auth --check --json").json_error(3);
    assert_eq!(v["huggingface"]["check"]["valid"], true);
    assert_eq!(v["kaggle"]["check"]["valid"], false);
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
    let search = |flags: &str| -> Vec<String> {
        let r = env.run_ok(format!("search lic --json --limit 50 {flags}"));
        let mut v = refs(&r.json());
        v.sort();
        v
    };
    assert_eq!(
        search("--source hf --license cc"),
        vec!["hf:acme/lic-cc", "hf:acme/lic-cc0"]
    );
    assert_eq!(search("--source hf --license gpl"), vec!["hf:acme/lic-gpl"]);
    assert_eq!(
        search("--source hf --license odb"),
        vec!["hf:acme/lic-odbl"]
    );
    assert_eq!(
        search("--source hf --license other"),
        vec!["hf:acme/lic-apache", "hf:acme/lic-mit"]
    );
    // Both hubs: the group applies to each (Kaggle by its license field).
    assert_eq!(
        search("--license cc"),
        vec!["hf:acme/lic-cc", "hf:acme/lic-cc0", "kaggle:wx/lic-kaggle"]
    );
    // A Hub license id goes to the Hub as a filter.
    env.hub.clear_requests();
    assert_eq!(search("--source hf --license mit"), vec!["hf:acme/lic-mit"]);
    let hf = hub_search(&env);
    assert!(hf.target.contains("filter=license%3Amit"), "{}", hf.target);
    // ... and only there: Kaggle has no such license group.
    env.run_expect(2, "search lic --license mit")
        .assert_stderr_contains(&["--source hf"]);
}
