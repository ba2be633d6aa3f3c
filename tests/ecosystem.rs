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
        let script = env.run_ok(format!("completions {shell}")).stdout();
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
    let bash = env.run_line("completions bash").stdout();
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
    env.run_expect(2, "completions tcsh");
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
    let v = env.run_ok("config --json").json();
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
    let v = env.run_line("config --json").json();
    assert_eq!(v["jobs"]["value"], "5");
    assert_eq!(v["jobs"]["from"], "env DSFETCH_JOBS");
    assert_eq!(v["download_dir"]["value"], "from-env");
    let v = env.run_line("config --json --progress json").json();
    assert_eq!(v["progress"]["value"], "json");
    assert_eq!(v["progress"]["from"], "flag --progress");
    // The human form names every origin.
    let text = env.run_line("config").stdout();
    assert!(
        text.contains("(env DSFETCH_JOBS)")
            && text.contains("(default)")
            && text.contains("config file:"),
        "{text}"
    );
    // The setting is really used: downloads land under the configured root.
    env.hub
        .add_hf_repo(HfRepo::new("acme/x").file("a.txt", "a\n"));
    env.run_ok("download hf acme/x");
    assert_exists(env.path("from-env/acme_x/a.txt"));
    // DSFETCH_CONFIG points elsewhere; a broken file is a usage error naming it.
    env.config_file("broken.toml", "jobs = [");
    env.run_expect(2, "config")
        .assert_stderr_contains(&["broken.toml"]);
}

/// An env with `acme/p`: a 400 kB LFS file `big.bin` and a small `a.txt`.
fn progress_env() -> TestEnv {
    let env = TestEnv::new();
    env.hub.add_hf_repo(
        HfRepo::new("acme/p")
            .lfs_file("big.bin", bytes(4, 400_000))
            .file("a.txt", "a\n"),
    );
    env
}

#[test]
fn plain_progress_has_no_carriage_returns() {
    let env = progress_env();
    // No carriage returns, and no escape sequences in plain mode.
    env.run_ok("download hf acme/p --progress plain")
        .assert_stderr_lacks(&["\r", "\u{1b}"])
        .assert_stderr_contains(&["big.bin: done", "2 file(s) to download"]);
    // The default when stderr is not a terminal is plain too.
    env.run_line("download hf acme/p -o again")
        .assert_stderr_lacks(&["\r"]);
}

#[test]
fn json_progress_is_ndjson_with_stable_fields() {
    let env = progress_env();
    env.hub
        .fault(Fault::new(Origin::Cdn, FaultKind::DropAfter(100_000)));
    let r = env.run_ok("download hf acme/p --progress json");
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
    let r = env.run_ok("download hf acme/p -o q -q");
    assert!(r.stderr().is_empty(), "{}", r.stderr());
}

#[test]
fn version_and_help_need_nothing() {
    let env = TestEnv::new();
    let r = env.run_ok("--version");
    assert!(r.stdout().starts_with("dsfetch "));
    env.run_ok("--help");
    env.run_ok("download --help");
    assert!(env.hub.requests().is_empty());
}
