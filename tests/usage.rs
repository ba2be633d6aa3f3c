//! Usage errors and settings: every numeric setting validated, one JSON document on every
//! failure under `--json`, the id forms users paste, and `dsfetch config`.

use crate::support::*;

/// Runs `dsfetch config --json` and asserts a one-line usage error (exit 2) naming `names`.
#[track_caller]
fn assert_refused(r: &Run, names: &[&str]) {
    r.expect_code(2);
    let err = r.stderr();
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 1, "one line expected: {err}");
    for n in names {
        assert!(lines[0].contains(n), "{n:?} not named in {err}");
    }
    assert!(lines[0].contains("expected"), "no accepted range in {err}");
}

#[test]
fn every_numeric_setting_is_validated() {
    let mut env = TestEnv::new();
    // NaN, infinities, negative, zero, huge, fractional-for-a-count and non-numeric values.
    let probes = [
        "nan",
        "NaN",
        "inf",
        "-inf",
        "-1",
        "0",
        "99999999999999999999",
        "1e400",
        "2.5x",
        "many",
    ];
    // (variable, probes that are legitimately accepted, a valid value and how `config` shows it)
    let vars: [(&str, &[&str], &str, &str, &str); 8] = [
        ("DSFETCH_JOBS", &[], "8", "jobs", "8"),
        ("DSFETCH_CONNECTIONS", &[], "4", "connections", "4"),
        ("DSFETCH_CHUNK_SIZE", &[], "65536", "chunk_size", "65536"),
        ("DSFETCH_TIMEOUT", &[], "0.5", "timeout", "0.5s"),
        ("DSFETCH_RETRIES", &["0"], "3", "retries", "3"),
        (
            "DSFETCH_XET_CACHE_SIZE",
            &["0"],
            "1000000",
            "xet_cache_size",
            "1000000",
        ),
        ("DSFETCH_RETRY_BASE", &["0"], "0.25", "retry_base", "0.25s"),
        (
            "DSFETCH_RETRY_MAX_WAIT",
            &["0"],
            "10",
            "retry_max_wait",
            "10s",
        ),
    ];
    for (var, accepted, valid, key, shown) in vars {
        for v in probes {
            env.env(var, v);
            let r = env.run_line("config --json");
            if accepted.contains(&v) {
                r.expect_code(0);
                assert_eq!(r.json()[key]["from"], format!("env {var}"));
            } else {
                assert_refused(&r, &[var, v]);
            }
        }
        env.env(var, valid);
        let v = env.run_ok("config --json").json();
        assert_eq!(v[key]["value"], shown, "{var}={valid}");
        // Back to the suite's defaults for the next variable.
        env.env(
            var,
            match var {
                "DSFETCH_RETRY_BASE" | "DSFETCH_RETRY_MAX_WAIT" => "0",
                "DSFETCH_TIMEOUT" => "5",
                _ => "",
            },
        );
    }
    // The same checks for the config file's keys (TOML has nan and inf literals).
    env.config_file("config.toml", "");
    let toml_probes = [
        "nan",
        "inf",
        "-inf",
        "-1",
        "-3",
        "0",
        "99999999999999999999",
        "1e300",
        "\"many\"",
        "[1]",
    ];
    let keys: [(&str, &str, &[&str]); 7] = [
        ("", "jobs", &[]),
        ("", "connections", &[]),
        ("", "timeout", &[]),
        ("", "retries", &["0"]),
        ("", "xet_cache_size", &["0"]),
        ("hf", "jobs", &[]),
        ("kaggle", "jobs", &[]),
    ];
    for (table, key, accepted) in keys {
        let shown = if table.is_empty() {
            key.to_string()
        } else {
            format!("[{table}] {key}")
        };
        for v in toml_probes {
            let header = if table.is_empty() {
                String::new()
            } else {
                format!("[{table}]\n")
            };
            env.write("config.toml", format!("{header}{key} = {v}\n"));
            let r = env.run_line("config --json");
            if accepted.contains(&v) {
                r.expect_code(0);
            } else {
                assert_refused(&r, &["config.toml", &shown, v]);
            }
        }
        let valid = if table.is_empty() {
            format!("{key} = 2\n")
        } else {
            format!("[{table}]\n{key} = 2\n")
        };
        env.write("config.toml", valid);
        env.run_ok("config");
    }
    // A bad value stops any command before a request is made.
    env.write("config.toml", "");
    env.hub
        .add_hf_repo(HfRepo::new("acme/x").file("a.txt", "a\n"));
    env.env("DSFETCH_TIMEOUT", "0");
    assert_refused(&env.run_line("download hf acme/x"), &["DSFETCH_TIMEOUT"]);
    assert!(env.hub.requests().is_empty());
    env.env("DSFETCH_TIMEOUT", "5");
    env.run_ok("download hf acme/x");
}

#[test]
fn json_failures_always_print_one_document() {
    let mut env = TestEnv::new();
    env.hub
        .add_hf_repo(HfRepo::new("acme/x").file("a.txt", "a\n"));
    // Bad arguments, caught by the argument parser.
    for line in [
        "--json download hf acme/x --bogus",
        "download --json",
        "--json",
        "search x --limit 0 --json",
        "batch --json",
        "download hf acme/x --jobs many --json",
    ] {
        let v = env.run_line(line).json_error(2);
        assert_eq!(v["error"]["kind"], "usage", "{line}");
    }
    // Bad arguments caught later.
    env.run_line("search x --min-size 10 --max-size 1 --json")
        .json_error(2);
    // A bad config file, a bad environment variable.
    env.config_file("broken.toml", "jobs = [");
    let v = env.run_line("download hf acme/x --json").json_error(2);
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("broken.toml")
    );
    env.env("DSFETCH_CONFIG", "");
    env.env("DSFETCH_JOBS", "0");
    env.run_line("config --json").json_error(2);
    env.env("DSFETCH_JOBS", "");
    // A bad manifest; --locked without a lockfile.
    env.write("bad.txt", "not an id\n");
    env.run_line("batch bad.txt --json").json_error(2);
    env.write("ok.txt", "hf:acme/x\n");
    let v = env.run_line("batch ok.txt --locked --json").json_error(2);
    assert!(v["error"]["message"].as_str().unwrap().contains("--locked"));
    // Search with every hub failing: the error object instead of the array.
    env.env("DSFETCH_RETRIES", "0");
    env.hub.fault(always(Origin::Api, status(503)));
    let v = env.run_line("search weather --json").json_error(5);
    assert_eq!(v["error"]["kind"], "network");
    env.hub.clear_faults();
    // A failed download keeps its download object (with the same error object).
    let v = env
        .run_line("download hf:acme/missing --json")
        .json_error(4);
    assert_eq!(v["dataset_id"], "acme/missing");
    // --help and --version are not failures and stay as they are.
    env.run_ok("--json --help")
        .assert_stdout_contains(&["Usage:"]);
    let r = env.run_ok("--version --json");
    assert!(r.stdout().starts_with("dsfetch "), "{}", r.stdout());
}

#[test]
fn ids_copied_from_a_browser_download() {
    let env = TestEnv::new();
    env.hub.add_hf_repo(
        HfRepo::new("acme/corpus")
            .file("README.md", "# corpus\n")
            .file("data/train.csv", "a\n1\n"),
    );
    env.hub
        .add_kaggle_dataset(KaggleDataset::new("alice/titanic").file("t.csv", "kaggle\n"));
    let cases: [(&str, &str); 10] = [
        (
            "download https://www.kaggle.com/datasets/alice/titanic/data",
            "t.csv",
        ),
        (
            "download https://www.kaggle.com/datasets/alice/titanic/code?datasetId=1",
            "t.csv",
        ),
        (
            "download https://www.kaggle.com/datasets/alice/titanic/discussion/42#c",
            "t.csv",
        ),
        ("download kaggle alice/titanic/", "t.csv"),
        ("download kaggle:alice/titanic/versions/1/", "t.csv"),
        (
            "download https://huggingface.co/datasets/acme/corpus/viewer/default/train?row=3",
            "README.md",
        ),
        (
            "download https://huggingface.co/datasets/acme/corpus#dataset-card",
            "README.md",
        ),
        ("download hf acme/corpus/", "README.md"),
        (
            "download https://huggingface.co/datasets/acme/corpus/blob/main/data/train.csv",
            "data/train.csv",
        ),
        (
            "download hf https://huggingface.co/datasets/acme/corpus/resolve/main/data/train.csv?download=true",
            "data/train.csv",
        ),
    ];
    for (i, (line, file)) in cases.iter().enumerate() {
        env.run_ok(format!("{line} -o o{i}"));
        assert!(env.path(&format!("o{i}/{file}")).exists(), "{line}");
    }
    // A blob URL narrows the download to that file.
    assert_tree(env.path("o8"), &["data/train.csv"]);
    // Refusals name the closest accepted form, before any request.
    env.hub.clear_requests();
    for (line, hint) in [
        (
            "download kaggle alice/titanic/data",
            "did you mean alice/titanic?",
        ),
        (
            "download https://www.kaggle.com/alice/titanic",
            "did you mean https://www.kaggle.com/datasets/alice/titanic?",
        ),
        ("download hf acme/corpus/data", "did you mean acme/corpus?"),
        (
            "download https://huggingface.co/datasets/acme/corpus/nonsense",
            "did you mean https://huggingface.co/datasets/acme/corpus?",
        ),
        (
            "download acme/corpus",
            "did you mean hf:acme/corpus or kaggle:acme/corpus?",
        ),
    ] {
        let r = env.run_expect(2, line);
        assert!(r.stderr().contains(hint), "{line}: {}", r.stderr());
    }
    assert!(env.hub.requests().is_empty());
}

#[test]
fn config_shows_the_per_hub_settings_with_their_origin() {
    let mut env = TestEnv::new();
    // Nothing configured: the defaults.
    let v = env.run_line("config --json").json();
    assert_eq!(
        v["hf"]["layout"],
        serde_json::json!({"value": "folder", "from": "default"})
    );
    assert_eq!(
        v["kaggle"]["unzip"],
        serde_json::json!({"value": "true", "from": "default"})
    );
    assert_eq!(v["kaggle"]["jobs"]["value"], "64");
    let cfg = env.config_file(
        "config.toml",
        "jobs = 32\n[hf]\nlayout = \"hf-cache\"\njobs = 16\n[kaggle]\nlayout = \"kagglehub\"\nunzip = false\n",
    );
    let from_config = format!("config {}", cfg.display());
    let v = env.run_line("config --json").json();
    assert_eq!(v["hf"]["layout"]["value"], "hf-cache");
    assert_eq!(v["hf"]["layout"]["from"], from_config.as_str());
    assert_eq!(v["hf"]["jobs"]["value"], "16");
    assert_eq!(v["hf"]["jobs"]["from"], from_config.as_str());
    assert_eq!(v["kaggle"]["layout"]["value"], "kagglehub");
    assert_eq!(v["kaggle"]["unzip"]["value"], "false");
    assert_eq!(v["kaggle"]["unzip"]["from"], from_config.as_str());
    // Kaggle sets no jobs of its own: the general setting, from the config too.
    assert_eq!(v["kaggle"]["jobs"]["value"], "32");
    // DSFETCH_JOBS wins over a hub's jobs.
    env.env("DSFETCH_JOBS", "5");
    let v = env.run_line("config --json").json();
    assert_eq!(
        v["hf"]["jobs"],
        serde_json::json!({"value": "5", "from": "env DSFETCH_JOBS"})
    );
    // The text form names them too.
    let text = env.run_line("config").stdout();
    for row in [
        "hf.layout",
        "hf.jobs",
        "kaggle.layout",
        "kaggle.jobs",
        "kaggle.unzip",
    ] {
        let line = text
            .lines()
            .find(|l| l.starts_with(row))
            .unwrap_or_else(|| panic!("no {row} in {text}"));
        assert!(line.contains('(') && line.ends_with(')'), "{line}");
    }
    assert!(text.contains("hf-cache  (config "), "{text}");
}
