//! `cargo fuzz run flow_file`: see `flowbench_fuzz::flow_file`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| flowbench_fuzz::flow_file(data));
