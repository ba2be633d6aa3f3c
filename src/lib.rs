//! dsfetch: fetch datasets from Kaggle and the Hugging Face Hub, fast, resumable and verified.
//!
//! The library does all the work and never prints: progress goes through
//! [`progress::Reporter`], results come back as values, and failures as the one [`Error`] type
//! whose [`ErrorKind`] decides the exit code and whose [`Hint`] says what the user can do. The
//! `dsfetch` binary is a thin layer that parses arguments, draws progress, renders results and
//! turns hints into advice.
//!
//! Data flows through one pipeline for every hub: a source (`source/`) resolves an id to a
//! snapshot, the plan (`plan.rs`) decides what to fetch, the transfer (`transfer/`) fetches and
//! verifies, a sink (`sink/`) places the bytes; `pipeline.rs` runs the steps and
//! `batch.rs` runs many pipelines at once.

#![deny(clippy::print_stdout, clippy::print_stderr)]
#![deny(unsafe_code)]
#![warn(missing_docs)]

mod archive;
pub mod batch;
pub mod cancel;
pub mod credentials;
pub mod env;
pub mod error;
mod extract;
#[doc(hidden)]
pub mod fuzzing;
pub mod history;
mod http;
pub mod id;
pub mod local;
pub mod lockfile;
pub mod manifest;
mod options;
mod paths;
pub mod pattern;
mod pipeline;
mod plan;
pub mod progress;
mod record;
mod report;
pub mod sanitize;
pub mod settings;
mod sink;
mod snapshot;
mod source;
mod transfer;
pub mod units;
mod verify;

pub use error::{Error, ErrorKind, Hint, Hub, Result};
pub use http::{Http, HttpConfig, RetryPolicy};
pub use options::{DownloadOptions, Target};
pub use pipeline::download;
pub use report::{DownloadReport, ReportFile};
pub use sink::{Layout, hf_hub_cache, kagglehub_cache};
pub use source::{Hubs, about, search};
pub use transfer::{ParallelConfig, XET_WINDOW, XetCache, XetCacheStats, XetOptions};
