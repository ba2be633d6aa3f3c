//! Test support: an isolated environment (temp HOME and work folder, scrubbed env) around a
//! fake hub, and helpers to run the binary and inspect what the hub saw.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Output;

pub use fakehub::{
    FakeHub, Fault, FaultKind, HfFile, HfRepo, KaggleDataset, Options, Origin, Recorded,
};

/// A temp HOME, a temp working folder and a fake hub; every command runs with only these.
pub struct TestEnv {
    pub hub: FakeHub,
    pub home: tempfile::TempDir,
    pub work: tempfile::TempDir,
    extra_env: Vec<(String, String)>,
}

impl TestEnv {
    pub fn new() -> TestEnv {
        TestEnv::with_options(Options::default())
    }

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

    /// A path in the working folder.
    pub fn path(&self, rel: &str) -> PathBuf {
        self.work.path().join(rel)
    }

    /// Requests the hub recorded on one origin.
    pub fn requests_on(&self, origin: Origin) -> Vec<Recorded> {
        self.hub
            .requests()
            .into_iter()
            .filter(|r| std::mem::discriminant(&r.origin) == std::mem::discriminant(&origin))
            .collect()
    }
}

/// A finished run.
pub struct Run(pub Output);

impl Run {
    pub fn code(&self) -> i32 {
        self.0.status.code().unwrap_or(-1)
    }
    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.0.stdout).into_owned()
    }
    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.0.stderr).into_owned()
    }
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.0.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}): {}\nstderr: {}",
                self.stdout(),
                self.stderr()
            )
        })
    }
    /// Asserts the exit code, showing the output when it differs.
    #[track_caller]
    pub fn expect_code(&self, code: i32) -> &Self {
        assert_eq!(
            self.code(),
            code,
            "unexpected exit code\nstdout:\n{}\nstderr:\n{}",
            self.stdout(),
            self.stderr()
        );
        self
    }
}

/// Deterministic pseudo-random bytes (xorshift), so content is incompressible and reproducible.
pub fn bytes(seed: u64, len: usize) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut out = Vec::with_capacity(len);
    while out.len() < len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        out.extend_from_slice(&x.to_le_bytes());
    }
    out.truncate(len);
    out
}

/// Every regular file under `dir` (relative paths), skipping dsfetch's `.dsfetch` state folder.
pub fn files_under(dir: &Path) -> Vec<String> {
    fn walk(base: &Path, d: &Path, out: &mut Vec<String>) {
        let Ok(rd) = std::fs::read_dir(d) else { return };
        for e in rd.flatten() {
            let p = e.path();
            let rel = p
                .strip_prefix(base)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            if rel == ".dsfetch" {
                continue;
            }
            let ft = e.file_type().unwrap();
            if ft.is_dir() {
                walk(base, &p, out);
            } else {
                out.push(rel);
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

/// Total response body bytes the hub sent on an origin.
pub fn bytes_sent(reqs: &[Recorded]) -> u64 {
    reqs.iter().map(|r| r.body_bytes_sent).sum()
}

/// Builds a zip archive in memory (deflated), for hostile-archive fixtures.
pub fn zip_bytes(entries: &[(&str, &[u8])]) -> Vec<u8> {
    use std::io::Write;
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, data) in entries {
        z.start_file(*name, zip::write::SimpleFileOptions::default())
            .unwrap();
        z.write_all(data).unwrap();
    }
    z.finish().unwrap().into_inner()
}

/// A zip with a regular file and a symlink entry pointing at `target`.
pub fn zip_with_symlink(link_name: &str, target: &str) -> Vec<u8> {
    use std::io::Write;
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    z.start_file("ok.txt", zip::write::SimpleFileOptions::default())
        .unwrap();
    z.write_all(b"fine\n").unwrap();
    z.add_symlink(link_name, target, zip::write::SimpleFileOptions::default())
        .unwrap();
    z.finish().unwrap().into_inner()
}

/// Writes `~/.kaggle/kaggle.json` in the test HOME with mode 0600.
pub fn write_kaggle_json(home: &Path, username: &str, key: &str) -> PathBuf {
    let dir = home.join(".kaggle");
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join("kaggle.json");
    std::fs::write(&p, format!(r#"{{"username":"{username}","key":"{key}"}}"#)).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    p
}
