//! The one error type the library exposes, and the categories that map it to exit codes.
//!
//! Every variant renders as a single line that names the cause and, where the user can act, the
//! fix. Variants never carry secrets: URLs are stored with their query string removed (signed URLs
//! carry credentials) and credentials are only ever described by where they came from.

use std::path::PathBuf;

/// Which hub an error or a result belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Source {
    /// kaggle.com (the `api.kaggle.com` RPC API and its storage).
    Kaggle,
    /// The Hugging Face Hub.
    #[serde(rename = "HuggingFace")]
    HuggingFace,
}

impl Source {
    /// The name used in JSON output and messages: `Kaggle` or `HuggingFace`.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Kaggle => "Kaggle",
            Source::HuggingFace => "HuggingFace",
        }
    }

    /// The short prefix accepted in ids (`kaggle:`, `hf:`).
    pub fn prefix(self) -> &'static str {
        match self {
            Source::Kaggle => "kaggle",
            Source::HuggingFace => "hf",
        }
    }
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Source::Kaggle => "Kaggle",
            Source::HuggingFace => "Hugging Face",
        })
    }
}

/// The category of an error: decides the exit code and the `kind` field of JSON errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// Bad arguments, bad id, bad manifest or config (exit 2).
    Usage,
    /// Credentials missing or rejected, gated dataset, 403 (exit 3).
    Auth,
    /// Dataset, version, revision or file not found (exit 4).
    NotFound,
    /// Network or service failure after retries (exit 5).
    Network,
    /// Size or checksum mismatch after a retry (exit 6).
    Integrity,
    /// Ctrl-C (exit 130).
    Interrupted,
    /// Anything else: local I/O, refused server data, conflicts (exit 1).
    Other,
}

impl ErrorKind {
    /// The process exit code documented in the README for this kind.
    pub fn exit_code(self) -> u8 {
        match self {
            ErrorKind::Other => 1,
            ErrorKind::Usage => 2,
            ErrorKind::Auth => 3,
            ErrorKind::NotFound => 4,
            ErrorKind::Network => 5,
            ErrorKind::Integrity => 6,
            ErrorKind::Interrupted => 130,
        }
    }

    /// A stable machine name, used as `error.kind` in JSON output.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Usage => "usage",
            ErrorKind::Auth => "auth",
            ErrorKind::NotFound => "not_found",
            ErrorKind::Network => "network",
            ErrorKind::Integrity => "integrity",
            ErrorKind::Interrupted => "interrupted",
            ErrorKind::Other => "failure",
        }
    }
}

/// Everything that can go wrong in the library.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The user asked for something malformed (id, flag combination, manifest, config).
    #[error("{0}")]
    Usage(String),

    /// A call needs credentials and none were found.
    #[error(
        "{hub} refused anonymous access to {what} ({status}): no credentials found (looked at {looked}); {how}"
    )]
    CredentialsMissing {
        /// Which hub.
        hub: Source,
        /// What was being accessed.
        what: String,
        /// HTTP status the service answered.
        status: u16,
        /// Every place that was checked, in order.
        looked: String,
        /// How to set a credential.
        how: String,
    },

    /// Credentials were sent and rejected, or access was denied.
    #[error("{hub}: {message}")]
    Denied {
        /// Which hub.
        hub: Source,
        /// One line: cause and fix.
        message: String,
    },

    /// Dataset, version, revision or file does not exist (or is invisible to these credentials).
    #[error("{hub}: {message}")]
    NotFound {
        /// Which hub.
        hub: Source,
        /// One line: what was not found and what to check.
        message: String,
    },

    /// Connect failures, timeouts, 429 and 5xx that outlasted the retries.
    #[error("{message} (after {attempts} attempts); check your connection or try again later")]
    Network {
        /// What failed, with the URL (query stripped).
        message: String,
        /// How many attempts were made.
        attempts: u32,
    },

    /// The service answered something that does not follow its protocol.
    #[error("unexpected response from {url}: {message}")]
    Protocol {
        /// URL without its query string.
        url: String,
        /// What was wrong.
        message: String,
    },

    /// Size or checksum mismatch that a fresh download did not cure.
    #[error(
        "integrity check failed for {path}: expected {expected}, got {actual}; the upstream file does not match its published checksum, nothing was written (try again later)"
    )]
    Integrity {
        /// The dataset-relative file path.
        path: String,
        /// What was expected (`sha256 …`, `size …`).
        expected: String,
        /// What arrived.
        actual: String,
    },

    /// Data from a server that would escape the output folder or is otherwise unsafe.
    #[error("refused unsafe {what} {name:?} from the server: {reason}")]
    Unsafe {
        /// What kind of item (`file name`, `zip entry`, ...).
        what: &'static str,
        /// The offending name (sanitised for the terminal by the caller).
        name: String,
        /// Why it was refused.
        reason: String,
    },

    /// A local file-system operation failed.
    #[error("{op} {}: {message}", path.display())]
    Io {
        /// What was being done (`writing`, `creating folder`, ...).
        op: &'static str,
        /// The path involved.
        path: PathBuf,
        /// The OS error, with a fix where one is known (disk full, permissions).
        message: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },

    /// The output folder holds something else, or is locked by another process.
    #[error("{0}")]
    Conflict(String),

    /// A credential or config file exists but cannot be used.
    #[error("{}: {message}", path.display())]
    BadFile {
        /// The file.
        path: PathBuf,
        /// What is wrong and how to fix it.
        message: String,
        /// Usage (config) or auth (credential file).
        kind: ErrorKind,
    },

    /// The user pressed Ctrl-C.
    #[error("interrupted; partial data was kept and the next run resumes it")]
    Interrupted,
}

impl Error {
    /// The category of this error (exit code, JSON `kind`).
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Usage(_) => ErrorKind::Usage,
            Error::CredentialsMissing { .. } | Error::Denied { .. } => ErrorKind::Auth,
            Error::NotFound { .. } => ErrorKind::NotFound,
            Error::Network { .. } | Error::Protocol { .. } => ErrorKind::Network,
            Error::Integrity { .. } => ErrorKind::Integrity,
            Error::Interrupted => ErrorKind::Interrupted,
            Error::BadFile { kind, .. } => *kind,
            Error::Unsafe { .. } | Error::Io { .. } | Error::Conflict(_) => ErrorKind::Other,
        }
    }

    /// Wraps an I/O error with the operation and path, adding a fix for the common causes.
    pub fn io(op: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> Error {
        let message = match source.kind() {
            std::io::ErrorKind::StorageFull => {
                "no space left on the device; free some space or choose another folder with -o, then run again to resume".to_string()
            }
            std::io::ErrorKind::PermissionDenied => {
                "permission denied; choose a folder you can write to with -o".to_string()
            }
            std::io::ErrorKind::ReadOnlyFilesystem => {
                "the file system is read-only; choose another folder with -o".to_string()
            }
            _ => source.to_string(),
        };
        Error::Io {
            op,
            path: path.into(),
            message,
            source,
        }
    }

    /// Adds how much space is still needed to a "no space left" I/O error (other errors pass
    /// through unchanged).
    pub fn with_space_needed(self, needed: Option<u64>) -> Error {
        match self {
            Error::Io {
                op, path, source, ..
            } if source.kind() == std::io::ErrorKind::StorageFull => {
                let need = needed
                    .map(|n| format!(" ({} more needed)", crate::download::human_bytes(n)))
                    .unwrap_or_default();
                Error::Io {
                    op,
                    path,
                    message: format!(
                        "no space left on the device{need}; free some space or choose another folder with -o, then run again to resume"
                    ),
                    source,
                }
            }
            other => other,
        }
    }

    /// Shorthand for a usage error.
    pub fn usage(message: impl Into<String>) -> Error {
        Error::Usage(message.into())
    }
}

/// The library's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_follow_the_design_table() {
        assert_eq!(Error::usage("x").kind().exit_code(), 2);
        assert_eq!(Error::Interrupted.kind().exit_code(), 130);
        let e = Error::Integrity {
            path: "a".into(),
            expected: "x".into(),
            actual: "y".into(),
        };
        assert_eq!(e.kind().exit_code(), 6);
        let full = Error::io(
            "writing",
            "/tmp/x",
            std::io::Error::from(std::io::ErrorKind::StorageFull),
        );
        assert_eq!(full.kind().exit_code(), 1);
        assert!(full.to_string().contains("no space left"));
        assert!(full.to_string().contains("/tmp/x"));
    }
}
