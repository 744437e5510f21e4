//! A bounded smoke run of the fuzz targets of `fuzz/` on stable: each target gets its seed
//! corpus (fixtures, example flows) and a fixed number of inputs mutated from it by a seeded
//! generator (bytes flipped, inserted, removed, chunks repeated or spliced, syntax
//! characters injected), so every run feeds the same inputs. A panic fails the test; the
//! sustained runs are `cargo +nightly fuzz run` (docs/RELIABILITY.md).
//!
//! With `FLOWBENCH_FUZZ_CORPUS=DIR` set, the seeds are also written to `DIR/TARGET/` to
//! start `cargo fuzz` from; `FLOWBENCH_FUZZ_ITERATIONS=N` replaces each target's number of
//! mutated inputs (a longer run on stable where nightly is missing).
#![allow(clippy::unwrap_used)] // helpers outside #[test] fns panic as test failures

#[path = "../fuzz/src/lib.rs"]
mod fuzz_targets;

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

/// Pieces of syntax the parsers care about, injected by the mutator.
const TOKENS: &[&[u8]] = &[
    b"(",
    b")",
    b"'",
    b"''",
    b"\"",
    b"@",
    b"@{",
    b"}",
    b"[",
    b"]",
    b"{",
    b",",
    b"?",
    b".",
    b" and ",
    b" or ",
    b" not ",
    b" eq ",
    b"<",
    b">",
    b"</",
    b"/>",
    b"<!DOCTYPE x [",
    b"&x;",
    b"\\u0000",
    b"\xff",
    b"\xe2\x80\xae",
    b"1e999",
    b"-",
    b":",
    b"=",
    b"$",
    b"((((((((",
];

fn mutate(rng: &mut Rng, seeds: &[Vec<u8>]) -> Vec<u8> {
    let mut data = seeds[rng.below(seeds.len())].clone();
    for _ in 0..=rng.below(8) {
        let at = rng.below(data.len() + 1);
        match rng.below(7) {
            0 if !data.is_empty() => {
                let i = rng.below(data.len());
                data[i] ^= 1 << rng.below(8);
            }
            1 => data.insert(at, rng.next() as u8),
            2 if at < data.len() => {
                let end = (at + 1 + rng.below(16)).min(data.len());
                data.drain(at..end);
            }
            3 => {
                let token = TOKENS[rng.below(TOKENS.len())];
                data.splice(at..at, token.iter().copied());
            }
            4 if at < data.len() => {
                let end = (at + 1 + rng.below(64)).min(data.len());
                let chunk = data[at..end].to_vec();
                for _ in 0..rng.below(32) {
                    data.splice(at..at, chunk.iter().copied());
                }
            }
            5 => {
                let other = &seeds[rng.below(seeds.len())];
                let from = rng.below(other.len() + 1);
                data.truncate(at);
                data.extend_from_slice(&other[from..]);
            }
            _ => data.truncate(at),
        }
    }
    data
}

fn smoke(target: &str, iterations: usize) {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let seeds = fuzz_targets::seeds(target, root);
    assert!(seeds.len() >= 3, "{target}: only {} seeds", seeds.len());
    if let Some(dir) = std::env::var_os("FLOWBENCH_FUZZ_CORPUS") {
        let dir = std::path::Path::new(&dir).join(target);
        std::fs::create_dir_all(&dir).unwrap();
        for (index, seed) in seeds.iter().enumerate() {
            std::fs::write(dir.join(format!("seed-{index:04}")), seed).unwrap();
        }
    }
    for seed in &seeds {
        fuzz_targets::run(target, seed);
    }
    let iterations = std::env::var("FLOWBENCH_FUZZ_ITERATIONS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(iterations);
    let mut rng = Rng(0x5eed_0000 ^ target.len() as u64 ^ (target.as_bytes()[0] as u64) << 32);
    for _ in 0..iterations {
        let input = mutate(&mut rng, &seeds);
        fuzz_targets::run(target, &input);
    }
}

#[test]
fn every_target_is_smoke_tested() {
    let tested = [
        "csdl",
        "json_values",
        "filter_client",
        "filter_demo",
        "keys",
        "expr",
        "flow_file",
    ];
    assert_eq!(fuzz_targets::TARGETS, tested);
}

#[test]
fn csdl() {
    smoke("csdl", 400);
}

#[test]
fn json_values() {
    smoke("json_values", 3000);
}

#[test]
fn filter_client() {
    smoke("filter_client", 3000);
}

#[test]
fn filter_demo() {
    smoke("filter_demo", 3000);
}

#[test]
fn keys() {
    smoke("keys", 3000);
}

#[test]
fn expr() {
    smoke("expr", 3000);
}

#[test]
fn flow_file() {
    smoke("flow_file", 1000);
}
