//! Runs in the background: starting one, waiting for the hub to see it, signalling it.

use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use crate::support::TestEnv;

impl TestEnv {
    /// Starts dsfetch with `args` in the background, stdout and stderr piped.
    pub fn spawn(&self, args: &[&str]) -> Child {
        self.std_cmd()
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start dsfetch")
    }

    /// [`TestEnv::spawn`] with `line` split at whitespace.
    pub fn spawn_line(&self, line: &str) -> Child {
        self.spawn(&line.split_whitespace().collect::<Vec<_>>())
    }
}

/// Polls `cond` every 10 ms; fails naming `what` if it is still false after `limit`.
#[track_caller]
pub fn wait_for(what: &str, limit: Duration, mut cond: impl FnMut() -> bool) {
    let t0 = Instant::now();
    while !cond() {
        assert!(t0.elapsed() < limit, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Sends `sig` to a child process.
#[cfg(unix)]
pub fn signal(child: &Child, sig: i32) {
    // SAFETY: sending a signal to a child process we own.
    unsafe { libc::kill(child.id() as libc::pid_t, sig) };
}
