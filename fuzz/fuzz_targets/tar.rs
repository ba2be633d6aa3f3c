#![no_main]
//! Fuzz target: see `dsfetch::fuzzing::tar` for the invariants checked.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    dsfetch::fuzzing::tar(data);
});
