#![no_main]
//! Fuzz target: see `dsfetch::fuzzing::hub_json` for the invariants checked.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    dsfetch::fuzzing::hub_json(data);
});
