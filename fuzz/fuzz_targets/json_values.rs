//! `cargo fuzz run json_values`: see `flowbench_fuzz::json_values`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| flowbench_fuzz::json_values(data));
