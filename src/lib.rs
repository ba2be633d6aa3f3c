//! dsfetch: fetch datasets from Kaggle and the Hugging Face Hub, fast, resumable and verified.
//!
//! The library does all the work and never prints: progress goes through
//! [`progress::Reporter`], results come back as values, and failures as the one [`Error`] type
//! whose [`ErrorKind`](error::ErrorKind) decides the exit code. The `dsfetch` binary is a thin
//! layer that parses arguments, draws progress and renders results.

#![deny(clippy::print_stdout, clippy::print_stderr)]
#![warn(missing_docs)]

pub mod batch;
pub mod cancel;
pub mod credentials;
pub mod download;
pub mod env;
pub mod error;
pub mod extract;
#[doc(hidden)]
pub mod fuzzing;
pub mod hf;
pub mod http;
pub mod id;
pub mod kaggle;
pub mod lockfile;
pub mod manifest;
pub mod paths;
pub mod pattern;
pub mod progress;
pub mod record;
pub mod sanitize;
pub mod search;
pub mod settings;
pub mod transfer;
pub mod verify;

pub use error::{Error, ErrorKind, Result, Source};
