#![no_main]
// The body lives in the library (edgelint::fuzz_targets::quantity) so that tests/fuzz_regressions.rs
// replays saved inputs through the same code.
libfuzzer_sys::fuzz_target!(|data: &[u8]| edgelint::fuzz_targets::quantity(data));
