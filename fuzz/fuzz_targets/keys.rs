//! `cargo fuzz run keys`: see `flowbench_fuzz::keys`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| flowbench_fuzz::keys(data));
