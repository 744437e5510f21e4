//! `cargo fuzz run filter_client`: see `flowbench_fuzz::filter_client`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| flowbench_fuzz::filter_client(data));
