//! `cargo fuzz run csdl`: see `flowbench_fuzz::csdl`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| flowbench_fuzz::csdl(data));
