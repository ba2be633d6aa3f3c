//! Interruption (SIGINT / SIGKILL at seeded random points), two processes on one folder, a full
//! disk, and secrets that must never leak.

use std::time::Duration;

use crate::support::*;

const HF_TOKEN: &str = "hf_reliabilitytoken_ABCDEFGHIJ";
const KAGGLE_TOKEN: &str = "KGAT_reliabilitytoken_0123456789";

/// How long to wait for a background run's first transfer.
const START: Duration = Duration::from_secs(20);

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

#[track_caller]
fn verify_hf(env: &TestEnv, out: &str) {
    assert_file(env.path(&format!("{out}/a.bin")), bytes(21, 1_500_000));
    assert_file(env.path(&format!("{out}/b/c.bin")), bytes(22, 700_000));
    assert_file(env.path(&format!("{out}/notes.txt")), "notes\n");
}

#[track_caller]
fn verify_kaggle(env: &TestEnv, out: &str) {
    for i in 0..40u64 {
        let p = env.path(&format!("{out}/part/{i:02}.csv"));
        assert_file(p, bytes(200 + i, 40_000));
    }
}

#[cfg(unix)]
#[test]
fn interrupted_at_random_points_the_next_run_completes() {
    let env = big_env();
    let mut rng = Lcg(0xdeadbeef);
    for round in 0..6 {
        for (hub, id, out) in [
            ("hf", "acme/big", format!("hf{round}")),
            ("kaggle", "alice/big", format!("kg{round}")),
        ] {
            let sig = if round % 2 == 0 {
                libc::SIGKILL
            } else {
                libc::SIGINT
            };
            let delay = Duration::from_millis(50 + rng.next(600));
            let args = ["download", hub, id, "-o", &out, "-q"];
            let child = env.spawn(&args);
            std::thread::sleep(delay);
            signal(&child, sig);
            let r = Run::wait(child);
            let code = r.0.status.code();
            // Killed (no code), interrupted (130), or it had already finished (0).
            assert!(
                code.is_none() || code == Some(130) || code == Some(0),
                "{hub} round {round}: {code:?} {}",
                r.stderr()
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
            env.run(&args).expect_code(0);
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
    env.hub
        .fault(Fault::new(Origin::Cdn, stall(1000, Duration::from_secs(3))));
    let first = env.spawn_line("download hf acme/big -o shared");
    wait_for("the first transfer", START, || {
        !env.cdn_requests().is_empty()
    });
    let second = env.run_ok("download hf acme/big -o shared --json");
    second.assert_stderr_contains(&["another dsfetch is working in shared; waiting"]);
    Run::wait(first).expect_code(0);
    // The second waited for the first and then found everything in place.
    assert_eq!(second.json()["bytes_downloaded"], 0);
    verify_hf(&env, "shared");
}

#[cfg(unix)]
#[test]
fn a_lock_left_by_a_killed_process_is_taken_over() {
    let env = big_env();
    let child = env.spawn_line("download hf acme/big -o stale -q");
    wait_for("the first transfer", START, || {
        !env.cdn_requests().is_empty()
    });
    signal(&child, libc::SIGKILL);
    let _ = child.wait_with_output();
    assert_exists(env.path("stale/.dsfetch/lock"));
    env.run_ok("download hf acme/big -o stale")
        .assert_stderr_lacks(&["waiting"]);
    verify_hf(&env, "stale");
}

/// Mounts a 1 MiB tmpfs (needs root); `None` when that is not possible here.
#[cfg(target_os = "linux")]
fn small_fs(dir: &std::path::Path) -> Option<SmallFs> {
    std::fs::create_dir_all(dir).ok()?;
    let ok = std::process::Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=1m", "tmpfs"])
        .arg(dir)
        .stderr(std::process::Stdio::null())
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
    env.run_ok("download hf acme/big -o small/ds --dry-run")
        .assert_stderr_contains(&["free on the file system"]);
    // ... and the real run fails with one line naming the path and the space needed, exit 1.
    let line = env
        .run_expect(1, "download hf acme/big -o small/ds --include a.bin")
        .error_line();
    assert!(
        line.contains("no space left") && line.contains("more needed") && line.contains("small/ds"),
        "{line}"
    );
    // Nothing at the final path.
    assert_no_file(env.path("small/ds/a.bin"));
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
    for line in [
        "download hf alice/priv -vv --json --progress json",
        "download kaggle alice/priv -vv --json",
        "auth --check -vv",
        "auth --json",
        "search priv -vv --json",
        "download --help",
    ] {
        outputs.push(env.run_line(line));
    }
    // Failures: errors and their chains.
    env.hub
        .fault(always(Origin::Cdn, FaultKind::Corrupt { offset: 1 }));
    outputs.push(env.run_line("download hf alice/priv -o f1 -vv --json"));
    env.hub.clear_faults();
    env.hub.fault(always(Origin::Api, status(503)));
    outputs.push(env.run_line("download kaggle alice/priv -o f2 -vv"));
    env.hub.clear_faults();
    env.env("HF_TOKEN", "hf_rejected_token_value_zzzzzz");
    outputs.push(env.run_line("download hf alice/priv -o f3 -vv --json"));
    for r in &outputs {
        r.assert_output_lacks(&[HF_TOKEN, KAGGLE_TOKEN, "hf_rejected_token_value_zzzzzz"]);
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

/// Every regular file under `dir`, dsfetch's state folders included.
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

/// Runs `line` until its CDN transfer stalls mid-file, sends SIGTERM, and returns the run.
#[cfg(unix)]
fn terminate_mid_transfer(env: &TestEnv, line: &str) -> Run {
    env.hub.clear_requests();
    env.hub.fault(Fault::new(
        Origin::Cdn,
        stall(50_000, Duration::from_secs(30)),
    ));
    let child = env.spawn_line(line);
    wait_for("the CDN transfer", START, || !env.cdn_requests().is_empty());
    // As the Ctrl-C test does: let the first bytes reach the partial file.
    std::thread::sleep(Duration::from_millis(500));
    signal(&child, libc::SIGTERM);
    let r = Run::wait(child);
    env.hub.clear_faults();
    r
}

#[cfg(unix)]
#[test]
fn sigterm_is_handled_like_ctrl_c_and_exits_143() {
    let env = TestEnv::new().with_env("DSFETCH_TIMEOUT", "60");
    env.hub.add_hf_repo(
        HfRepo::new("acme/term")
            .lfs_file("big.bin", bytes(31, 300_000))
            .file("a.txt", "a\n"),
    );
    let r = terminate_mid_transfer(&env, "download hf acme/term -o out --include *.bin --json");
    // Exit 143 and one JSON document on stdout.
    let v = r.json_error(143);
    assert_eq!(v["error"]["kind"], "interrupted");
    r.assert_stderr_contains(&["interrupted"]);
    assert_no_file(env.path("out/big.bin"));
    // What was received was flushed: the next run resumes it.
    env.hub.clear_requests();
    env.run_ok("download hf acme/term -o out --include *.bin");
    assert_eq!(env.cdn_requests()[0].range.as_deref(), Some("bytes=50000-"));
    assert_file(env.path("out/big.bin"), bytes(31, 300_000));
    // A batch: 143 too, and its JSON document.
    env.write("m.txt", "hf:acme/term\n");
    let r = terminate_mid_transfer(&env, "batch m.txt --json");
    r.expect_code(143);
    let v = r.json();
    assert_eq!(v["results"][0]["error"]["kind"], "interrupted", "{v}");
    assert_eq!(v["results"][0]["error"]["exit_code"], 143, "{v}");
}
