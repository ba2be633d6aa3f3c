//! Completions, config file precedence, progress modes.

use crate::support::*;

const SHELLS: [(&str, &str); 5] = [
    ("bash", "dsfetch.bash"),
    ("zsh", "_dsfetch"),
    ("fish", "dsfetch.fish"),
    ("powershell", "_dsfetch.ps1"),
    ("elvish", "dsfetch.elv"),
];

/// The committed scripts in completions/ must match what the binary generates. Regenerate with
/// `UPDATE_COMPLETIONS=1 cargo test --test cli completions`.
#[test]
fn completions_are_fresh() {
    let env = TestEnv::new();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("completions");
    let update = std::env::var_os("UPDATE_COMPLETIONS").is_some();
    let mut stale = Vec::new();
    for (shell, file) in SHELLS {
        let r = env.run(&["completions", shell]);
        r.expect_code(0);
        let script = r.stdout();
        assert!(script.contains("dsfetch"), "{shell}");
        let path = dir.join(file);
        if update {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, &script).unwrap();
        } else if std::fs::read_to_string(&path).ok().as_deref() != Some(script.as_str()) {
            stale.push(file);
        }
    }
    assert!(
        stale.is_empty(),
        "completions/{stale:?} are stale: run `UPDATE_COMPLETIONS=1 cargo test --test cli completions` and commit them"
    );
}

#[test]
fn completions_know_the_commands() {
    let env = TestEnv::new();
    let bash = env.run(&["completions", "bash"]).stdout();
    for word in [
        "download",
        "search",
        "batch",
        "auth",
        "--include",
        "--revision",
        "--no-unzip",
        "--locked",
    ] {
        assert!(bash.contains(word), "bash completion lacks {word}");
    }
    env.run(&["completions", "tcsh"]).expect_code(2);
}

#[test]
fn config_precedence_flag_env_config_default() {
    let mut env = TestEnv::new();
    let cfg = env.home.path().join(".config/dsfetch");
    std::fs::create_dir_all(&cfg).unwrap();
    std::fs::write(
        cfg.join("config.toml"),
        "download_dir = \"from-config\"\njobs = 3\nprogress = \"plain\"\n",
    )
    .unwrap();
    let r = env.run(&["config", "--json"]);
    r.expect_code(0);
    let v = r.json();
    assert_eq!(v["download_dir"]["value"], "from-config");
    assert!(
        v["download_dir"]["from"]
            .as_str()
            .unwrap()
            .starts_with("config ")
    );
    assert_eq!(v["jobs"]["value"], "3");
    assert_eq!(v["retries"]["from"], "default");
    env.env("DSFETCH_JOBS", "5")
        .env("DSFETCH_DOWNLOAD_DIR", "from-env");
    let v = env.run(&["config", "--json"]).json();
    assert_eq!(v["jobs"]["value"], "5");
    assert_eq!(v["jobs"]["from"], "env DSFETCH_JOBS");
    assert_eq!(v["download_dir"]["value"], "from-env");
    let v = env.run(&["config", "--json", "--progress", "json"]).json();
    assert_eq!(v["progress"]["value"], "json");
    assert_eq!(v["progress"]["from"], "flag --progress");
    // The human form names every origin.
    let text = env.run(&["config"]).stdout();
    assert!(
        text.contains("(env DSFETCH_JOBS)")
            && text.contains("(default)")
            && text.contains("config file:"),
        "{text}"
    );
    // The setting is really used: downloads land under the configured root.
    env.hub
        .add_hf_repo(HfRepo::new("acme/x").file("a.txt", "a\n"));
    env.run(&["download", "hf", "acme/x"]).expect_code(0);
    assert!(env.path("from-env/acme_x/a.txt").exists());
    // DSFETCH_CONFIG points elsewhere; a broken file is a usage error naming it.
    let other = env.work.path().join("broken.toml");
    std::fs::write(&other, "jobs = [").unwrap();
    env.env("DSFETCH_CONFIG", other.to_str().unwrap());
    let r = env.run(&["config"]);
    r.expect_code(2);
    assert!(r.stderr().contains("broken.toml"), "{}", r.stderr());
}

#[test]
fn plain_progress_has_no_carriage_returns() {
    let env = TestEnv::new();
    env.hub.add_hf_repo(
        HfRepo::new("acme/p")
            .lfs_file("big.bin", bytes(4, 400_000))
            .file("a.txt", "a\n"),
    );
    let r = env.run(&["download", "hf", "acme/p", "--progress", "plain"]);
    r.expect_code(0);
    let err = r.stderr();
    assert!(!err.contains('\r'), "{err:?}");
    assert!(
        !err.contains('\u{1b}'),
        "no escape sequences in plain mode: {err:?}"
    );
    assert!(err.contains("big.bin: done"), "{err}");
    assert!(err.contains("2 file(s) to download"), "{err}");
    // The default when stderr is not a terminal is plain too.
    let r = env.run(&["download", "hf", "acme/p", "-o", "again"]);
    assert!(!r.stderr().contains('\r'));
}

#[test]
fn json_progress_is_ndjson_with_stable_fields() {
    let env = TestEnv::new();
    env.hub.add_hf_repo(
        HfRepo::new("acme/p")
            .lfs_file("big.bin", bytes(4, 400_000))
            .file("a.txt", "a\n"),
    );
    env.hub
        .fault(Fault::new(Origin::Cdn, FaultKind::DropAfter(100_000)).times(1));
    let r = env.run(&["download", "hf", "acme/p", "--progress", "json"]);
    r.expect_code(0);
    let events: Vec<serde_json::Value> = r
        .stderr()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l:?}")))
        .collect();
    let kinds: Vec<&str> = events
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    for k in ["plan", "start", "retry", "verify", "done"] {
        assert!(kinds.contains(&k), "no {k} event in {kinds:?}");
    }
    let retry = events.iter().find(|e| e["event"] == "retry").unwrap();
    assert!(
        retry["wait_ms"].is_u64() && retry["attempt"] == 1 && retry["what"] == "big.bin",
        "{retry}"
    );
    let done = events
        .iter()
        .find(|e| e["event"] == "done" && e["file"] == "big.bin")
        .unwrap();
    assert_eq!(done["size"], 400_000);
    // Quiet: nothing at all on stderr.
    let r = env.run(&["download", "hf", "acme/p", "-o", "q", "-q"]);
    r.expect_code(0);
    assert!(r.stderr().is_empty(), "{}", r.stderr());
}

#[test]
fn version_and_help_need_nothing() {
    let env = TestEnv::new();
    let r = env.run(&["--version"]);
    r.expect_code(0);
    assert!(r.stdout().starts_with("dsfetch "));
    env.run(&["--help"]).expect_code(0);
    env.run(&["download", "--help"]).expect_code(0);
    assert!(env.hub.requests().is_empty());
}
