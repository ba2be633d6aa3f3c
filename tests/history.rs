//! `dsfetch history`: one JSONL line per download or batch entry, in the data folder, whole lines
//! from concurrent processes, never a secret, and off when asked.

use std::path::PathBuf;

use serde_json::Value;

use crate::support::*;

fn history_file(env: &TestEnv) -> PathBuf {
    env.home.path().join(".local/share/dsfetch/history.jsonl")
}

/// Every line of the history, parsed (a line that is not JSON fails the test).
fn lines(env: &TestEnv) -> Vec<Value> {
    let text = std::fs::read_to_string(history_file(env)).unwrap_or_default();
    assert!(
        text.is_empty() || text.ends_with('\n'),
        "a torn line: {text:?}"
    );
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l:?}")))
        .collect()
}

/// The schema of a line: these keys, these types.
#[track_caller]
fn assert_schema(v: &Value) {
    assert_keys(
        v,
        &[
            "time",
            "command",
            "id",
            "version",
            "commit",
            "files",
            "bytes",
            "seconds",
            "outcome",
            "exit_code",
        ],
    );
    let time = v["time"].as_str().unwrap();
    assert!(
        time.len() == 20 && time.ends_with('Z') && time.as_bytes()[10] == b'T',
        "{time}"
    );
    assert!(
        v["files"].is_u64() && v["bytes"].is_u64() && v["seconds"].is_number(),
        "{v}"
    );
    assert!(v["exit_code"].is_u64(), "{v}");
}

#[test]
fn two_concurrent_batches_write_whole_lines_with_the_schema() {
    let env = TestEnv::new();
    let mut manifests = [String::new(), String::new()];
    for i in 0..12 {
        env.hub.add_hf_repo(
            HfRepo::new(&format!("acme/set{i}"))
                .file("a.txt", format!("{i}\n"))
                .lfs_file("b.bin", bytes(i as u64, 3000 + i)),
        );
        manifests[i % 2].push_str(&format!("hf:acme/set{i}\n"));
    }
    env.write("one.txt", &manifests[0]);
    env.write("two.txt", &manifests[1]);
    let a = env.spawn_line("batch one.txt -j 3");
    let b = env.spawn_line("batch two.txt -j 3");
    Run::wait(a).expect_code(0);
    Run::wait(b).expect_code(0);
    let got = lines(&env);
    assert_eq!(got.len(), 12, "{got:#?}");
    let mut ids: Vec<&str> = got.iter().map(|v| v["id"].as_str().unwrap()).collect();
    ids.sort();
    let mut want: Vec<String> = (0..12).map(|i| format!("hf:acme/set{i}")).collect();
    want.sort();
    assert_eq!(ids, want);
    for v in &got {
        assert_schema(v);
        assert_eq!(v["command"], "batch");
        assert_eq!(
            (v["outcome"].as_str(), v["exit_code"].as_u64()),
            (Some("ok"), Some(0))
        );
        assert_eq!(v["files"], 2);
        assert!(v["commit"].as_str().is_some_and(|c| c.len() == 40), "{v}");
    }
    // `history` shows the last ones, oldest first.
    let last = env.run_ok("history --json --limit 3").json();
    assert_eq!(last.as_array().unwrap().len(), 3);
    assert_eq!(last[2], got[11]);
    let table = env.run_ok("history").stdout();
    assert!(
        table.starts_with("TIME") && table.contains("hf:acme/set"),
        "{table}"
    );
}

#[test]
fn downloads_and_failures_are_recorded_without_secrets() {
    let mut env = TestEnv::new();
    env.hub
        .add_kaggle_dataset(KaggleDataset::new("alice/titanic").file("t.csv", "a\n1\n"));
    env.hub.kaggle_add_token("KGAT_SECRETSECRET", "alice");
    env.hub.hf_add_token("hf_SECRETSECRETSECRET", "alice");
    env.env("HF_TOKEN", "hf_SECRETSECRETSECRET");
    env.env("KAGGLE_API_TOKEN", "KGAT_SECRETSECRET");
    env.run_ok("download kaggle alice/titanic");
    env.run_expect(4, "download hf:acme/missing");
    // A dry run downloads nothing, and records nothing.
    env.run_ok("download kaggle:alice/titanic --dry-run");
    let got = lines(&env);
    assert_eq!(got.len(), 2, "{got:#?}");
    got.iter().for_each(assert_schema);
    assert_eq!(got[0]["command"], "download");
    assert_eq!(got[0]["id"], "kaggle:alice/titanic");
    assert_eq!(got[0]["version"], 1);
    assert_eq!(got[0]["files"], 1);
    assert!(got[0]["bytes"].as_u64().unwrap() > 0);
    assert!(got[0]["path"].as_str().unwrap().ends_with("titanic"));
    assert_eq!(got[1]["outcome"], "failed");
    assert_eq!(got[1]["exit_code"], 4);
    assert!(got[1]["error"].as_str().unwrap().contains("acme/missing"));
    let text = std::fs::read_to_string(history_file(&env)).unwrap();
    assert!(!text.contains("SECRET"), "{text}");
}

#[test]
fn the_history_can_be_turned_off() {
    let mut env = TestEnv::new();
    env.hub
        .add_hf_repo(HfRepo::new("acme/x").file("a.txt", "a\n"));
    env.env("DSFETCH_HISTORY", "0");
    env.run_ok("download hf acme/x");
    assert!(!history_file(&env).exists());
    env.env("DSFETCH_HISTORY", "");
    env.config_file("c.toml", "history = false\n");
    env.run_ok("download hf acme/x");
    assert!(!history_file(&env).exists());
    let cfg = env.run_ok("config --json").json();
    assert_eq!(cfg["history"]["value"], "false");
    // On again: recorded, and `XDG_DATA_HOME` moves the file.
    env.config_file("c.toml", "history = true\n");
    let data = env.path("data");
    env.env("XDG_DATA_HOME", data.to_str().unwrap());
    env.run_ok("download hf acme/x");
    let text = std::fs::read_to_string(data.join("dsfetch/history.jsonl")).unwrap();
    assert_eq!(text.lines().count(), 1, "{text}");
}
