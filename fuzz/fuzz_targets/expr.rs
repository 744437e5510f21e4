//! `cargo fuzz run expr`: see `flowbench_fuzz::expr`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| flowbench_fuzz::expr(data));
