//! The one error type the library exposes, and the categories that map it to exit codes.
//!
//! Every variant renders as a single line that names the cause and, where the user can act, the
//! fix. Variants never carry secrets: URLs are stored with their query string removed (signed URLs
//! carry credentials) and credentials are only ever described by where they came from.

use std::path::PathBuf;

/// Which hub an error or a result belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Hub {
    /// kaggle.com (the `api.kaggle.com` RPC API and its storage).
    Kaggle,
    /// The Hugging Face Hub.
    #[serde(rename = "HuggingFace")]
    HuggingFace,
}

impl Hub {
    /// The name used in JSON output and messages: `Kaggle` or `HuggingFace`.
    pub fn as_str(self) -> &'static str {
        match self {
            Hub::Kaggle => "Kaggle",
            Hub::HuggingFace => "HuggingFace",
        }
    }

    /// The short prefix accepted in ids (`kaggle:`, `hf:`).
    pub fn prefix(self) -> &'static str {
        match self {
            Hub::Kaggle => "kaggle",
            Hub::HuggingFace => "hf",
        }
    }
}

impl std::fmt::Display for Hub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Hub::Kaggle => "Kaggle",
            Hub::HuggingFace => "Hugging Face",
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

/// What the user can do about an error: a fact that a front end turns into advice in its own
/// words (the `dsfetch` binary names its flags and commands; a library user may offer something
/// else).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Hint {
    /// Free some space, or write somewhere else (another output folder).
    ChooseOutput,
    /// Check which credentials are used and whether they are accepted.
    CheckCredentials,
    /// The folder holds another dataset: replace it explicitly, or write somewhere else.
    ReplaceOrChooseOutput,
    /// A file the user put there is in the way: move it away, or overwrite it explicitly.
    MoveAwayOrOverwrite,
    /// Something the user owns is in the way and will not be deleted: move it away.
    MoveAway,
    /// Upstream no longer matches the lockfile: update the lock (a run that does not enforce it).
    UpdateLock,
    /// The lockfile is missing or lacks entries: write it first (a run that does not enforce it).
    WriteLock,
    /// The lockfile cannot be read: delete it and write a fresh one.
    RewriteLock,
    /// The include / exclude patterns matched no file.
    CheckPatterns,
    /// The id has no hub prefix: add one, or name the hub.
    NameTheHub,
    /// An option was given twice in different ways (in the id and as an option).
    GiveOnlyOne,
}

/// Everything that can go wrong in the library.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The user asked for something malformed (id, option combination, manifest, config).
    #[error("{message}")]
    Usage {
        /// What is wrong (one line per problem).
        message: String,
        /// What to do, beyond what the message says.
        hint: Option<Hint>,
    },

    /// A call needs credentials and none were found.
    #[error(
        "{hub} refused anonymous access to {what} ({status}): no credentials found (looked at {looked}); {how}"
    )]
    CredentialsMissing {
        /// Which hub.
        hub: Hub,
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
        hub: Hub,
        /// One line: the cause (and the fix, when it is about the hub itself).
        message: String,
        /// What to do on this side.
        hint: Option<Hint>,
    },

    /// Dataset, version, revision or file does not exist (or is invisible to these credentials).
    #[error("{hub}: {message}")]
    NotFound {
        /// Which hub.
        hub: Hub,
        /// One line: what was not found and what to check.
        message: String,
        /// What to do on this side.
        hint: Option<Hint>,
    },

    /// Connect failures, timeouts, 429 and 5xx that outlasted the retries.
    #[error(
        "{message} (after {attempts} attempt{}); check your connection or try again later",
        if *attempts == 1 { "" } else { "s" }
    )]
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

    /// Size or checksum mismatch that a fresh download did not cure, or upstream bytes that
    /// differ from a lockfile.
    #[error("integrity check failed for {path}: expected {expected}, got {actual}; {}", match hint {
        Some(Hint::UpdateLock) => "upstream changed since the lockfile was written, nothing was written",
        _ => "the upstream file does not match its published checksum, nothing was written (try again later)",
    })]
    Integrity {
        /// The dataset-relative file path.
        path: String,
        /// What was expected (`sha256 …`, `size …`).
        expected: String,
        /// What arrived.
        actual: String,
        /// `UpdateLock` when the expectation came from a lockfile.
        hint: Option<Hint>,
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
        /// The OS error in words (and, for a full disk, how much more space is needed).
        message: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },

    /// The output folder holds something else, or something is in the way.
    #[error("{message}")]
    Conflict {
        /// What is in the way.
        message: String,
        /// What to do.
        hint: Option<Hint>,
    },

    /// A credential, config or lock file exists but cannot be used.
    #[error("{}: {message}", path.display())]
    BadFile {
        /// The file.
        path: PathBuf,
        /// What is wrong and how to fix it.
        message: String,
        /// Usage (config, lockfile) or auth (credential file).
        kind: ErrorKind,
        /// What to do, beyond what the message says.
        hint: Option<Hint>,
    },

    /// Nothing on disk matches what a local command was asked about (`rm`, `verify`).
    #[error("{message}")]
    NotOnDisk {
        /// What was looked for, and where to look.
        message: String,
    },

    /// The user pressed Ctrl-C (or the process was asked to stop).
    #[error("interrupted; partial data was kept and the next run resumes it")]
    Interrupted,
}

impl Error {
    /// The category of this error (exit code, JSON `kind`).
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Usage { .. } => ErrorKind::Usage,
            Error::CredentialsMissing { .. } | Error::Denied { .. } => ErrorKind::Auth,
            Error::NotFound { .. } | Error::NotOnDisk { .. } => ErrorKind::NotFound,
            Error::Network { .. } | Error::Protocol { .. } => ErrorKind::Network,
            Error::Integrity { .. } => ErrorKind::Integrity,
            Error::Interrupted => ErrorKind::Interrupted,
            Error::BadFile { kind, .. } => *kind,
            Error::Unsafe { .. } | Error::Io { .. } | Error::Conflict { .. } => ErrorKind::Other,
        }
    }

    /// What the user can do about it, if anything beyond the message.
    pub fn hint(&self) -> Option<Hint> {
        match self {
            Error::Usage { hint, .. }
            | Error::Denied { hint, .. }
            | Error::NotFound { hint, .. }
            | Error::Integrity { hint, .. }
            | Error::Conflict { hint, .. }
            | Error::BadFile { hint, .. } => *hint,
            Error::Io { source, .. } => match source.kind() {
                std::io::ErrorKind::StorageFull
                | std::io::ErrorKind::PermissionDenied
                | std::io::ErrorKind::ReadOnlyFilesystem => Some(Hint::ChooseOutput),
                _ => None,
            },
            _ => None,
        }
    }

    /// Wraps an I/O error with the operation and path, in words for the common causes.
    pub fn io(op: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> Error {
        let message = match source.kind() {
            std::io::ErrorKind::StorageFull => "no space left on the device".to_string(),
            std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
            std::io::ErrorKind::ReadOnlyFilesystem => "the file system is read-only".to_string(),
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
                    .map(|n| format!(" ({} more needed)", crate::units::human_bytes(n)))
                    .unwrap_or_default();
                Error::Io {
                    op,
                    path,
                    message: format!("no space left on the device{need}"),
                    source,
                }
            }
            other => other,
        }
    }

    /// Shorthand for a usage error.
    pub fn usage(message: impl Into<String>) -> Error {
        Error::Usage {
            message: message.into(),
            hint: None,
        }
    }

    /// A usage error with a hint.
    pub fn usage_with(message: impl Into<String>, hint: Hint) -> Error {
        Error::Usage {
            message: message.into(),
            hint: Some(hint),
        }
    }

    /// Shorthand for a conflict (something in the way), with what to do.
    pub fn conflict(message: impl Into<String>, hint: Option<Hint>) -> Error {
        Error::Conflict {
            message: message.into(),
            hint,
        }
    }

    /// The same error, for another consumer of one failed step (errors hold an `io::Error`,
    /// which is not `Clone`): the kind, message and hint are kept.
    pub fn duplicate(&self) -> Error {
        match self {
            Error::BadFile {
                path,
                message,
                kind,
                hint,
            } => Error::BadFile {
                path: path.clone(),
                message: message.clone(),
                kind: *kind,
                hint: *hint,
            },
            Error::Usage { message, hint } => Error::Usage {
                message: message.clone(),
                hint: *hint,
            },
            other => Error::Usage {
                message: other.to_string(),
                hint: other.hint(),
            },
        }
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
            hint: None,
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
        assert_eq!(full.hint(), Some(Hint::ChooseOutput));
        assert!(
            !full.to_string().contains("-o"),
            "the library names no CLI flag"
        );
    }
}
