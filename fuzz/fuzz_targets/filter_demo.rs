//! `cargo fuzz run filter_demo`: see `flowbench_fuzz::filter_demo`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| flowbench_fuzz::filter_demo(data));
