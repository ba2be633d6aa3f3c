#![no_main]
//! Fuzz target: see `dsfetch::fuzzing::manifest` for the invariants checked.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    dsfetch::fuzzing::manifest(data);
});
