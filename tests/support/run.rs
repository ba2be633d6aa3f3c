//! A finished run of the binary, and assertions on its exit code and output.

use std::process::{Child, Output};

use serde_json::Value;

/// A finished run.
pub struct Run(pub Output);

impl Run {
    /// Waits for a spawned run to end and collects its output.
    pub fn wait(child: Child) -> Run {
        Run(child.wait_with_output().expect("wait for dsfetch"))
    }

    /// The exit code (-1 when killed by a signal).
    pub fn code(&self) -> i32 {
        self.0.status.code().unwrap_or(-1)
    }
    /// Stdout as text.
    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.0.stdout).into_owned()
    }
    /// Stderr as text.
    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.0.stderr).into_owned()
    }
    /// Stdout parsed as one JSON document.
    pub fn json(&self) -> Value {
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

    /// Asserts stderr contains every one of `parts`.
    #[track_caller]
    pub fn assert_stderr_contains(&self, parts: &[&str]) -> &Self {
        check_parts("stderr", &self.stderr(), parts, true);
        self
    }

    /// Asserts stderr contains none of `parts`.
    #[track_caller]
    pub fn assert_stderr_lacks(&self, parts: &[&str]) -> &Self {
        check_parts("stderr", &self.stderr(), parts, false);
        self
    }

    /// Asserts stdout contains every one of `parts`.
    #[track_caller]
    pub fn assert_stdout_contains(&self, parts: &[&str]) -> &Self {
        check_parts("stdout", &self.stdout(), parts, true);
        self
    }

    /// Asserts neither stdout nor stderr contains any of `secrets`.
    #[track_caller]
    pub fn assert_output_lacks(&self, secrets: &[&str]) -> &Self {
        check_parts("stdout", &self.stdout(), secrets, false);
        check_parts("stderr", &self.stderr(), secrets, false);
        self
    }

    /// The one `dsfetch: error:` line, asserting there is exactly one.
    #[track_caller]
    pub fn error_line(&self) -> String {
        let err = self.stderr();
        let errors: Vec<&str> = err
            .lines()
            .filter(|l| l.starts_with("dsfetch: error"))
            .collect();
        assert_eq!(errors.len(), 1, "one error line expected:\n{err}");
        assert!(errors[0].starts_with("dsfetch: error:"), "{err}");
        errors[0].to_string()
    }

    /// The `--progress json` events named `event` on stderr (lines that are not JSON skipped).
    pub fn events(&self, event: &str) -> Vec<Value> {
        self.stderr()
            .lines()
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
            .filter(|v| v["event"] == event)
            .collect()
    }

    /// Asserts stdout is one JSON document, the error object with exit code `code`; returns it.
    #[track_caller]
    pub fn json_error(&self, code: i32) -> Value {
        self.expect_code(code);
        let v = self.json();
        assert_eq!(v["success"], false, "{v}");
        assert!(v["error"]["kind"].is_string(), "{v}");
        assert!(
            v["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty()),
            "{v}"
        );
        assert_eq!(v["error"]["exit_code"], code, "{v}");
        v
    }
}

/// Asserts that each of `parts` is (`present`) or is not in `text`, the output stream `stream`.
#[track_caller]
fn check_parts(stream: &str, text: &str, parts: &[&str], present: bool) {
    for p in parts {
        let not = if present { " not" } else { "" };
        assert_eq!(
            text.contains(p),
            present,
            "{p:?} is{not} on {stream}:\n{text}"
        );
    }
}

/// Asserts the JSON object `v` has every one of `keys`.
#[track_caller]
pub fn assert_keys(v: &Value, keys: &[&str]) {
    let obj = v
        .as_object()
        .unwrap_or_else(|| panic!("not an object: {v}"));
    for k in keys {
        assert!(obj.contains_key(*k), "missing {k} in {v}");
    }
}
