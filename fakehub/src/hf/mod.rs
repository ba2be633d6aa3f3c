//! The Hugging Face Hub side: dataset repos with commits and refs, the `/api/datasets…`
//! routes, `/datasets/{repo}/resolve/…`, the `resolve-cache` hop, and the CDN origin.
//!
//! Behaviour follows `shared/protocol/hf.md` (§2–§6, §10).
//!
//! Layout: `repo` holds the public builders, `state` the repos with their commits and refs, and
//! `access` who may see what. `routes` sends API-origin requests to `search`, `api` (repo info,
//! refs, whoami), `tree` (tree listings, paths-info) and `resolve` (file downloads and the CDN
//! origin). `fields` renders repo JSON, `query` reads queries and pages, and `errors` builds the
//! error answers.

mod access;
mod api;
mod errors;
mod fields;
mod query;
mod repo;
mod resolve;
mod routes;
mod search;
mod state;
mod tree;

#[cfg(test)]
mod tests;

pub(crate) use errors::{cdn_error, injected_error, ratelimit_bucket};
pub use repo::{HfFile, HfRepo};
pub(crate) use state::{HfState, valid_repo_id};
