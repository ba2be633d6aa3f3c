//! fakehub's integration tests: one binary, talking raw HTTP (and reqwest) to a live fake.

mod data_dir;
mod faults;
mod hf;
mod hf_kinds;
mod kaggle;
mod kaggle_competitions;
mod kaggle_models;
mod support;
