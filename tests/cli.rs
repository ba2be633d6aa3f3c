//! The integration tests: the real `dsfetch` binary against the fake hub on loopback.
//! One test binary (links once, shares `support`).

mod support;

mod architecture;
mod batch;
mod defects;
mod download_hf;
mod download_kaggle;
mod dry_run;
mod ecosystem;
mod faults;
mod generative;
mod history;
mod info;
mod kinds;
mod local;
mod parallel;
mod python_interop;
mod reliability;
mod search;
mod usage;
mod verify;
mod xet;
