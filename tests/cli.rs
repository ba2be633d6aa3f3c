//! The integration tests: the real `dsfetch` binary against the fake hub on loopback.
//! One test binary (links once, shares `support`).

mod support;

mod architecture;
mod batch;
mod defects;
mod download_hf;
mod download_kaggle;
mod ecosystem;
mod faults;
mod generative;
mod kinds;
mod parallel;
mod python_interop;
mod reliability;
mod search;
mod usage;
mod xet;
