//! Interruption (SIGINT / SIGKILL at seeded random points), two processes on one folder, a full
//! disk, and secrets that must never leak.

use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::support::*;

const HF_TOKEN: &str = "hf_reliabilitytoken_ABCDEFGHIJ";
const KAGGLE_TOKEN: &str = "KGAT_reliabilitytoken_0123456789";

fn wait_for(what: &str, mut cond: impl FnMut() -> bool) {
    let t0 = Instant::now();
    while !cond() {
        assert!(
            t0.elapsed() < Duration::from_secs(20),
            "timed out waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[cfg(unix)]
fn signal(child: &std::process::Child, sig: i32) {
    // SAFETY: sending a signal to a child process we own.
    unsafe { libc::kill(child.id() as libc::pid_t, sig) };
}

/// A tiny seeded generator, so the "random" kill points are the same on every run.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self, max: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % max.max(1)
    }
}

fn big_env() -> TestEnv {
    // The CDN and storage stream at 4 MB/s per connection, so a run lasts long enough to be
    // interrupted at different points (during transfer, verification, extraction).
    let env = TestEnv::with_options(Options {
        cdn_rate: Some(4_000_000),
        ..Options::default()
    });
    env.hub.add_hf_repo(
        HfRepo::new("acme/big")
            .lfs_file("a.bin", bytes(21, 1_500_000))
            .lfs_file("b/c.bin", bytes(22, 700_000))
            .file("notes.txt", "notes\n"),
    );
    let mut ds = KaggleDataset::new("alice/big");
    for i in 0..40u64 {
        ds = ds.file(&format!("part/{i:02}.csv"), bytes(200 + i, 40_000));
    }
    env.hub.add_kaggle_dataset(ds);
    env
}

fn verify_hf(env: &TestEnv, out: &str) {
    assert_eq!(
        std::fs::read(env.path(&format!("{out}/a.bin"))).unwrap(),
        bytes(21, 1_500_000)
    );
    assert_eq!(
        std::fs::read(env.path(&format!("{out}/b/c.bin"))).unwrap(),
        bytes(22, 700_000)
    );
    assert_eq!(
        std::fs::read_to_string(env.path(&format!("{out}/notes.txt"))).unwrap(),
        "notes\n"
    );
}

fn verify_kaggle(env: &TestEnv, out: &str) {
    for i in 0..40u64 {
        assert_eq!(
            std::fs::read(env.path(&format!("{out}/part/{i:02}.csv"))).unwrap(),
            bytes(200 + i, 40_000)
        );
    }
}

#[cfg(unix)]
#[test]
fn interrupted_at_random_points_the_next_run_completes() {
    let env = big_env();
    let mut rng = Lcg(0xdeadbeef);
    for round in 0..6 {
        for (hub, args, out) in [
            (
                "hf",
                vec!["download", "hf", "acme/big"],
                format!("hf{round}"),
            ),
            (
                "kaggle",
                vec!["download", "kaggle", "alice/big"],
                format!("kg{round}"),
            ),
        ] {
            let sig = if round % 2 == 0 {
                libc::SIGKILL
            } else {
                libc::SIGINT
            };
            let delay = Duration::from_millis(50 + rng.next(600));
            let child = env
                .std_cmd()
                .args(&args)
                .args(["-o", &out, "-q"])
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap();
            std::thread::sleep(delay);
            signal(&child, sig);
            let o = child.wait_with_output().unwrap();
            let code = o.status.code();
            // Killed (no code), interrupted (130), or it had already finished (0).
            assert!(
                code.is_none() || code == Some(130) || code == Some(0),
                "{hub} round {round}: {code:?} {}",
                String::from_utf8_lossy(&o.stderr)
            );
            // Nothing half-written at a final path, whatever the moment.
            for f in files_under(&env.path(&out)) {
                let p = env.path(&format!("{out}/{f}"));
                let ok = match hub {
                    "hf" => match f.as_str() {
                        "a.bin" => std::fs::read(&p).unwrap() == bytes(21, 1_500_000),
                        "b/c.bin" => std::fs::read(&p).unwrap() == bytes(22, 700_000),
                        _ => std::fs::read(&p).unwrap() == b"notes\n",
                    },
                    _ => {
                        let i: u64 = f
                            .trim_start_matches("part/")
                            .trim_end_matches(".csv")
                            .parse()
                            .unwrap();
                        std::fs::read(&p).unwrap() == bytes(200 + i, 40_000)
                    }
                };
                assert!(
                    ok,
                    "{hub} round {round} ({delay:?}, signal {sig}): {f} is incomplete at its final path"
                );
            }
            let r = env.run(
                &args
                    .iter()
                    .copied()
                    .chain(["-o", &out, "-q"])
                    .collect::<Vec<_>>(),
            );
            r.expect_code(0);
            match hub {
                "hf" => verify_hf(&env, &out),
                _ => verify_kaggle(&env, &out),
            }
        }
    }
}

#[cfg(unix)]
#[test]
fn two_processes_on_one_folder_take_turns() {
    let env = big_env();
    // The first process holds the folder for at least 3 s (its CDN transfer stalls), however
    // slow the machine: the second one surely finds it locked.
    env.hub.fault(
        Fault::new(
            Origin::Cdn,
            FaultKind::Stall {
                after: 1000,
                duration: Duration::from_secs(3),
            },
        )
        .times(1),
    );
    let first = env
        .std_cmd()
        .args(["download", "hf", "acme/big", "-o", "shared"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_for("the first transfer", || {
        !env.requests_on(Origin::Cdn).is_empty()
    });
    let second = env.run(&["download", "hf", "acme/big", "-o", "shared", "--json"]);
    second.expect_code(0);
    assert!(
        second
            .stderr()
            .contains("another dsfetch is working in shared; waiting"),
        "{}",
        second.stderr()
    );
    let o = first.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(0));
    // The second waited for the first and then found everything in place.
    assert_eq!(second.json()["bytes_downloaded"], 0);
    verify_hf(&env, "shared");
}

#[cfg(unix)]
#[test]
fn a_lock_left_by_a_killed_process_is_taken_over() {
    let env = big_env();
    let child = env
        .std_cmd()
        .args(["download", "hf", "acme/big", "-o", "stale", "-q"])
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_for("the first transfer", || {
        !env.requests_on(Origin::Cdn).is_empty()
    });
    signal(&child, libc::SIGKILL);
    let _ = child.wait_with_output();
    assert!(env.path("stale/.dsfetch/lock").exists());
    let r = env.run(&["download", "hf", "acme/big", "-o", "stale"]);
    r.expect_code(0);
    assert!(!r.stderr().contains("waiting"), "{}", r.stderr());
    verify_hf(&env, "stale");
}

/// Mounts a 1 MiB tmpfs (needs root); `None` when that is not possible here.
#[cfg(target_os = "linux")]
fn small_fs(dir: &std::path::Path) -> Option<SmallFs> {
    std::fs::create_dir_all(dir).ok()?;
    let ok = std::process::Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=1m", "tmpfs"])
        .arg(dir)
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    ok.then(|| SmallFs(dir.to_path_buf()))
}

struct SmallFs(std::path::PathBuf);
impl Drop for SmallFs {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg(&self.0).status();
    }
}

#[cfg(target_os = "linux")]
#[test]
fn a_full_disk_fails_cleanly_and_says_how_much_is_needed() {
    let env = big_env();
    let mnt = env.path("small");
    let Some(_fs) = small_fs(&mnt) else {
        assert!(
            std::env::var_os("DSFETCH_REQUIRE_DISKFULL_TEST").is_none(),
            "DSFETCH_REQUIRE_DISKFULL_TEST is set but a tmpfs cannot be mounted here"
        );
        eprintln!("SKIPPED: the disk-full test needs root to mount a small tmpfs");
        return;
    };
    // The pre-flight check warns (dry run and real run) ...
    let r = env.run(&["download", "hf", "acme/big", "-o", "small/ds", "--dry-run"]);
    r.expect_code(0);
    assert!(
        r.stderr().contains("free on the file system"),
        "{}",
        r.stderr()
    );
    // ... and the real run fails with one line naming the path and the space needed, exit 1.
    let r = env.run(&[
        "download",
        "hf",
        "acme/big",
        "-o",
        "small/ds",
        "--include",
        "a.bin",
    ]);
    r.expect_code(1);
    let err = r.stderr();
    let line = err
        .lines()
        .find(|l| l.starts_with("dsfetch: error:"))
        .unwrap();
    assert!(
        line.contains("no space left") && line.contains("more needed") && line.contains("small/ds"),
        "{line}"
    );
    assert_eq!(
        err.lines()
            .filter(|l| l.starts_with("dsfetch: error"))
            .count(),
        1
    );
    assert!(
        !env.path("small/ds/a.bin").exists(),
        "nothing at the final path"
    );
}

#[test]
fn secrets_never_leak() {
    let mut env = TestEnv::new();
    env.hub.hf_add_token(HF_TOKEN, "alice");
    env.hub.kaggle_add_token(KAGGLE_TOKEN, "alice");
    env.hub.add_hf_repo(
        HfRepo::new("alice/priv")
            .private(true)
            .owner_user("alice")
            .lfs_file("x.bin", bytes(5, 50_000)),
    );
    env.hub.add_kaggle_dataset(
        KaggleDataset::new("alice/priv")
            .private(true)
            .owner_user("alice")
            .file("x.csv", "1\n"),
    );
    env.env("HF_TOKEN", HF_TOKEN)
        .env("KAGGLE_API_TOKEN", KAGGLE_TOKEN);
    let mut outputs = Vec::new();
    // Successes, with every kind of output turned on.
    for args in [
        vec![
            "download",
            "hf",
            "alice/priv",
            "-vv",
            "--json",
            "--progress",
            "json",
        ],
        vec!["download", "kaggle", "alice/priv", "-vv", "--json"],
        vec!["auth", "--check", "-vv"],
        vec!["auth", "--json"],
        vec!["search", "priv", "-vv", "--json"],
        vec!["download", "--help"],
    ] {
        outputs.push(env.run(&args));
    }
    // Failures: errors and their chains.
    env.hub
        .fault(Fault::new(Origin::Cdn, FaultKind::Corrupt { offset: 1 }).times(usize::MAX));
    outputs.push(env.run(&["download", "hf", "alice/priv", "-o", "f1", "-vv", "--json"]));
    env.hub.clear_faults();
    env.hub.fault(
        Fault::new(
            Origin::Api,
            FaultKind::Status {
                code: 503,
                retry_after: None,
                ratelimit_reset: None,
            },
        )
        .times(usize::MAX),
    );
    outputs.push(env.run(&["download", "kaggle", "alice/priv", "-o", "f2", "-vv"]));
    env.hub.clear_faults();
    env.env("HF_TOKEN", "hf_rejected_token_value_zzzzzz");
    outputs.push(env.run(&["download", "hf", "alice/priv", "-o", "f3", "-vv", "--json"]));
    for (i, r) in outputs.iter().enumerate() {
        for secret in [HF_TOKEN, KAGGLE_TOKEN, "hf_rejected_token_value_zzzzzz"] {
            assert!(!r.stdout().contains(secret), "output {i}: secret on stdout");
            assert!(!r.stderr().contains(secret), "output {i}: secret on stderr");
        }
    }
    // Nothing on disk either (records, lock, partial sidecars).
    for f in walk(env.work.path()) {
        let text = String::from_utf8_lossy(&std::fs::read(&f).unwrap()).into_owned();
        assert!(
            !text.contains(HF_TOKEN) && !text.contains(KAGGLE_TOKEN),
            "{}",
            f.display()
        );
    }
    // The credentials went only to the API origin.
    for q in env.hub.requests() {
        if !matches!(q.origin, Origin::Api) {
            assert!(
                q.header("authorization").is_none(),
                "credential sent to {:?} {}",
                q.origin,
                q.path()
            );
        }
    }
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let Ok(rd) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in rd.flatten() {
        let p = e.path();
        if e.file_type().is_ok_and(|t| t.is_dir()) {
            out.extend(walk(&p));
        } else if e.file_type().is_ok_and(|t| t.is_file()) {
            out.push(p);
        }
    }
    out
}

/// Runs `args` until its CDN transfer stalls mid-file, sends SIGTERM, and returns its output.
#[cfg(unix)]
fn terminate_mid_transfer(env: &TestEnv, args: &[&str]) -> std::process::Output {
    env.hub.clear_requests();
    env.hub.fault(
        Fault::new(
            Origin::Cdn,
            FaultKind::Stall {
                after: 50_000,
                duration: Duration::from_secs(30),
            },
        )
        .times(1),
    );
    let child = env
        .std_cmd()
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_for("the CDN transfer", || {
        !env.requests_on(Origin::Cdn).is_empty()
    });
    // As the Ctrl-C test does: let the first bytes reach the partial file.
    std::thread::sleep(Duration::from_millis(500));
    signal(&child, libc::SIGTERM);
    let out = child.wait_with_output().unwrap();
    env.hub.clear_faults();
    out
}

#[cfg(unix)]
#[test]
fn sigterm_is_handled_like_ctrl_c_and_exits_143() {
    let mut env = TestEnv::new();
    env.env("DSFETCH_TIMEOUT", "60");
    env.hub.add_hf_repo(
        HfRepo::new("acme/term")
            .lfs_file("big.bin", bytes(31, 300_000))
            .file("a.txt", "a\n"),
    );
    let out = terminate_mid_transfer(
        &env,
        &[
            "download",
            "hf",
            "acme/term",
            "-o",
            "out",
            "--include",
            "*.bin",
            "--json",
        ],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(143), "{stderr}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("stdout is not one JSON document ({e}): {stderr}"));
    assert_eq!(v["success"], false);
    assert_eq!(v["error"]["kind"], "interrupted");
    assert_eq!(v["error"]["exit_code"], 143);
    assert!(stderr.contains("interrupted"), "{stderr}");
    assert!(!env.path("out/big.bin").exists());
    // What was received was flushed: the next run resumes it.
    env.hub.clear_requests();
    env.run(&[
        "download",
        "hf",
        "acme/term",
        "-o",
        "out",
        "--include",
        "*.bin",
    ])
    .expect_code(0);
    assert_eq!(
        env.requests_on(Origin::Cdn)[0].range.as_deref(),
        Some("bytes=50000-")
    );
    assert_eq!(
        std::fs::read(env.path("out/big.bin")).unwrap(),
        bytes(31, 300_000)
    );
    // A batch: 143 too, and its JSON document.
    std::fs::write(env.path("m.txt"), "hf:acme/term\n").unwrap();
    let out = terminate_mid_transfer(&env, &["batch", "m.txt", "--json"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(143), "{stderr}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("stdout is not one JSON document ({e}): {stderr}"));
    assert_eq!(v["results"][0]["error"]["kind"], "interrupted", "{v}");
    assert_eq!(v["results"][0]["error"]["exit_code"], 143, "{v}");
}
