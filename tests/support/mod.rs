//! Test support: an isolated environment (temp HOME and work folder, scrubbed env) around a
//! fake hub, and helpers to run the binary and inspect what the hub saw.
//!
//! `run.rs` holds [`Run`] and its assertions, `files.rs` file contents and assertions on them,
//! `faults.rs` fault builders, `process.rs` background runs and signals.

#![allow(dead_code)]

mod faults;
mod files;
mod process;
mod run;

use std::path::PathBuf;

pub use fakehub::{
    FakeHub, Fault, FaultKind, HfFile, HfRepo, KaggleDataset, Options, Origin, Recorded,
};
pub use faults::*;
pub use files::*;
pub use process::*;
pub use run::{Run, assert_keys};

/// A temp HOME, a temp working folder and a fake hub; every command runs with only these.
pub struct TestEnv {
    pub hub: FakeHub,
    pub home: tempfile::TempDir,
    pub work: tempfile::TempDir,
    extra_env: Vec<(String, String)>,
}

impl TestEnv {
    /// A fresh environment around a fake hub with default options.
    pub fn new() -> TestEnv {
        TestEnv::with_options(Options::default())
    }

    /// A fresh environment around a fake hub with these options.
    pub fn with_options(opts: Options) -> TestEnv {
        TestEnv {
            hub: FakeHub::start_with(opts),
            home: tempfile::tempdir().expect("temp home"),
            work: tempfile::tempdir().expect("temp work"),
            extra_env: Vec::new(),
        }
    }

    /// Sets an environment variable for every later command.
    pub fn env(&mut self, k: &str, v: &str) -> &mut Self {
        self.extra_env.retain(|(key, _)| key != k);
        self.extra_env.push((k.into(), v.into()));
        self
    }

    /// [`TestEnv::env`] by value, to build an env in one expression.
    pub fn with_env(mut self, k: &str, v: &str) -> Self {
        self.env(k, v);
        self
    }

    /// Writes `text` to `name` in the working folder and points `DSFETCH_CONFIG` at it.
    pub fn config_file(&mut self, name: &str, text: &str) -> PathBuf {
        let p = self.write(name, text);
        self.env("DSFETCH_CONFIG", p.to_str().unwrap());
        p
    }

    /// The dsfetch command with a scrubbed environment pointing at the fake hub.
    pub fn cmd(&self) -> assert_cmd::Command {
        assert_cmd::Command::from_std(self.std_cmd())
    }

    /// The same as a plain `std::process::Command` (for spawning and signals).
    pub fn std_cmd(&self) -> std::process::Command {
        let mut c = std::process::Command::new(assert_cmd::cargo::cargo_bin("dsfetch"));
        c.env_clear()
            .current_dir(self.work.path())
            .env("HOME", self.home.path())
            .env("XDG_CONFIG_HOME", self.home.path().join(".config"))
            .env("XDG_CACHE_HOME", self.home.path().join(".cache"))
            .env("HF_ENDPOINT", self.hub.api_url())
            .env("KAGGLE_API_ENDPOINT", self.hub.api_url())
            .env("DSFETCH_RETRY_BASE", "0")
            .env("DSFETCH_RETRY_MAX_WAIT", "0")
            .env("DSFETCH_TIMEOUT", "5")
            .env("PATH", std::env::var("PATH").unwrap_or_default());
        for (k, v) in &self.extra_env {
            c.env(k, v);
        }
        c
    }

    /// Runs dsfetch with `args` and returns its output (whatever the exit code).
    pub fn run(&self, args: &[&str]) -> Run {
        let out = self.cmd().args(args).output().expect("run dsfetch");
        Run(out)
    }

    /// [`TestEnv::run`] with `line` split at whitespace (use `run` for arguments with spaces).
    pub fn run_line(&self, line: impl AsRef<str>) -> Run {
        self.run(&line.as_ref().split_whitespace().collect::<Vec<_>>())
    }

    /// [`TestEnv::run_line`], asserting exit code `code`.
    #[track_caller]
    pub fn run_expect(&self, code: i32, line: impl AsRef<str>) -> Run {
        let r = self.run_line(line);
        r.expect_code(code);
        r
    }

    /// [`TestEnv::run_line`], asserting success.
    #[track_caller]
    pub fn run_ok(&self, line: impl AsRef<str>) -> Run {
        self.run_expect(0, line)
    }

    /// [`TestEnv::run_line`], killed (and so failing) after `secs` seconds.
    pub fn run_line_within(&self, secs: u64, line: &str) -> Run {
        let mut c = self.cmd();
        c.args(line.split_whitespace())
            .timeout(std::time::Duration::from_secs(secs));
        Run(c.output().expect("run dsfetch"))
    }

    /// [`TestEnv::run_line`] with `input` on stdin.
    pub fn run_stdin(&self, line: &str, input: &str) -> Run {
        let mut c = self.cmd();
        c.args(line.split_whitespace()).write_stdin(input);
        Run(c.output().expect("run dsfetch"))
    }

    /// A path in the working folder.
    pub fn path(&self, rel: &str) -> PathBuf {
        self.work.path().join(rel)
    }

    /// Writes `contents` to `rel` in the working folder (creating its folders); returns the path.
    pub fn write(&self, rel: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let p = self.path(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, contents).unwrap();
        p
    }

    /// The text of `rel` in the working folder.
    pub fn read_text(&self, rel: &str) -> String {
        let p = self.path(rel);
        std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
    }

    /// Replaces `from` with `to` in the text file `rel`, asserting `from` is there.
    #[track_caller]
    pub fn replace_in(&self, rel: &str, from: &str, to: &str) {
        let text = self.read_text(rel);
        assert!(text.contains(from), "{from:?} not in {rel}: {text}");
        self.write(rel, text.replace(from, to));
    }

    /// Requests the hub recorded on one origin.
    pub fn requests_on(&self, origin: Origin) -> Vec<Recorded> {
        self.hub
            .requests()
            .into_iter()
            .filter(|r| std::mem::discriminant(&r.origin) == std::mem::discriminant(&origin))
            .collect()
    }

    /// Requests the hub recorded on the HF CDN.
    pub fn cdn_requests(&self) -> Vec<Recorded> {
        self.requests_on(Origin::Cdn)
    }

    /// Requests the hub recorded on Kaggle's storage.
    pub fn storage_requests(&self) -> Vec<Recorded> {
        self.requests_on(Origin::Storage)
    }

    /// Requests on `origin` whose path contains `part`.
    pub fn requests_matching(&self, origin: Origin, part: &str) -> Vec<Recorded> {
        let mut reqs = self.requests_on(origin);
        reqs.retain(|r| r.path().contains(part));
        reqs
    }

    /// Asserts nothing was asked of the HF CDN or Kaggle's storage.
    #[track_caller]
    pub fn assert_no_blob_requests(&self) {
        assert!(self.cdn_requests().is_empty(), "{:?}", self.cdn_requests());
        let storage = self.storage_requests();
        assert!(storage.is_empty(), "{storage:?}");
    }

    /// Drops the hub's faults and its recorded requests, before a clean run.
    pub fn clear_hub(&self) {
        self.hub.clear_faults();
        self.hub.clear_requests();
    }
}

/// Total response body bytes the hub sent on an origin.
pub fn bytes_sent(reqs: &[Recorded]) -> u64 {
    reqs.iter().map(|r| r.body_bytes_sent).sum()
}
