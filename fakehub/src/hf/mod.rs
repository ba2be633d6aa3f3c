//! The Hugging Face Hub side: dataset, model and Space repos with commits and refs, the
//! `/api/{datasets,models,spaces}…` routes, `/datasets/{repo}/resolve/…`, `/{repo}/resolve/…`
//! (models), `/spaces/{repo}/resolve/…`, the `resolve-cache` hop, and the CDN origin.
//!
//! Behaviour follows `shared/protocol/hf.md` (§2–§6, §10) and `kinds.md`.
//!
//! Layout: `repo` holds the public builders, `kind` what differs per repo type, `state` the repos with their commits and refs, and
//! `access` who may see what. `routes` sends API-origin requests to `search`, `api` (repo info,
//! refs, whoami), `tree` (tree listings, paths-info) and `resolve` (file downloads and the CDN
//! origin). `fields` renders repo JSON, `query` reads queries and pages, and `errors` builds the
//! error answers.

mod access;
mod api;
mod errors;
mod fields;
mod kind;
mod query;
mod repo;
mod resolve;
mod routes;
mod search;
mod state;
mod tree;
mod xet;
mod xet_store;

#[cfg(test)]
mod tests;

pub(crate) use errors::{cdn_error, injected_error, ratelimit_bucket};
pub use kind::HfRepoType;
pub(crate) use kind::RESERVED;
pub use repo::{HfFile, HfRepo};
pub(crate) use state::{HfState, valid_repo_id};
