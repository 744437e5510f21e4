//! Parse and cache-load timings for an F&O-scale `$metadata` document (about 30 MB).
//!
//! `cargo bench --bench metadata [-- PATH]`; the path can also come from
//! `FLOWBENCH_FNO_METADATA`. When the file does not exist it is generated with
//! `../shared/tools/make_fno_scale_metadata.py` from the F&O fixtures.
//! `FLOWBENCH_BENCH_ITERATIONS` sets the number of timed runs (default 9).

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, bail};
use flowbench::odata::entity_index::EntityIndex;
use flowbench::odata::metadata::cache::{CachedMetadata, MetadataCache, source_digest};
use flowbench::odata::metadata::{ParseOptions, parse_metadata, parse_metadata_with};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const DEFAULT_PATH: &str = "/tmp/flowbench_fno_scale_metadata.xml";

fn main() -> anyhow::Result<()> {
    let path = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with("--"))
        .or_else(|| std::env::var("FLOWBENCH_FNO_METADATA").ok())
        .map_or_else(|| PathBuf::from(DEFAULT_PATH), PathBuf::from);
    let iterations: usize = std::env::var("FLOWBENCH_BENCH_ITERATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(9)
        .max(1);
    if !path.exists() {
        generate(&path)?;
    }
    let bytes = std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
    println!(
        "document: {} ({:.1} MB)",
        path.display(),
        bytes.len() as f64 / 1e6
    );

    // Default parse (two threads for a document this size) and, interleaved so both see
    // the same machine state, a single-threaded parse for comparison.
    let single_pass = ParseOptions {
        parallel_min_bytes: usize::MAX,
    };
    let mut parse_ms = Vec::with_capacity(iterations);
    let mut single_ms = Vec::with_capacity(iterations);
    let mut model = None;
    for _ in 0..iterations {
        drop(model.take());
        let start = Instant::now();
        let parsed = parse_metadata(&bytes)?;
        parse_ms.push(start.elapsed().as_secs_f64() * 1e3);
        drop(parsed);
        let start = Instant::now();
        let parsed = parse_metadata_with(&bytes, &single_pass)?;
        single_ms.push(start.elapsed().as_secs_f64() * 1e3);
        model = Some(parsed);
    }
    let Some(model) = model else {
        bail!("no iteration ran")
    };
    let rounded: Vec<f64> = parse_ms.iter().map(|v| (v * 10.0).round() / 10.0).collect();
    println!("parse_runs_ms={rounded:?} (in run order)");
    let summary = model.summary(median(&mut parse_ms));
    println!(
        "model: {} entity sets, {} entity types, {} properties, {} navigation properties, {} warnings",
        summary.entity_sets,
        summary.entity_types,
        summary.properties,
        summary.navigation_properties,
        model.warnings.len()
    );

    let dir = tempfile::tempdir()?;
    let cache = MetadataCache::new(dir.path());
    let entry = CachedMetadata {
        source_sha256: source_digest(&bytes),
        etag: Some("W/\"bench\"".to_owned()),
        last_modified: None,
        model,
    };
    let start = Instant::now();
    cache.store("bench", &entry)?;
    let store_ms = start.elapsed().as_secs_f64() * 1e3;
    let cache_bytes = std::fs::metadata(cache.path_for("bench"))?.len();
    let mut load_ms = Vec::with_capacity(iterations);
    for _ in 0..iterations {
        let start = Instant::now();
        let loaded = cache.load("bench").context("cache entry did not load")?;
        load_ms.push(start.elapsed().as_secs_f64() * 1e3);
        if loaded.model.schemas.len() != entry.model.schemas.len() {
            bail!("cache round trip changed the model");
        }
    }
    let mut index_ms = Vec::with_capacity(iterations);
    for _ in 0..iterations {
        let start = Instant::now();
        let entries = cache.load_index("bench").context("index did not load")?;
        let index = EntityIndex::new(entries);
        index_ms.push(start.elapsed().as_secs_f64() * 1e3);
        if index.len() != summary.entity_sets {
            bail!(
                "the index holds {} entity sets, expected {}",
                index.len(),
                summary.entity_sets
            );
        }
    }
    println!("iterations: {iterations}");
    println!(
        "parse_median_ms={:.1} parse_min_ms={:.1}",
        summary.parse_ms,
        min(&parse_ms)
    );
    println!(
        "single_thread_parse_median_ms={:.1} single_thread_parse_min_ms={:.1}",
        median(&mut single_ms),
        min(&single_ms)
    );
    println!(
        "cache_load_median_ms={:.1} cache_load_min_ms={:.1} cache_store_ms={store_ms:.1} cache_bytes={cache_bytes}",
        median(&mut load_ms),
        min(&load_ms)
    );
    println!(
        "index_load_median_ms={:.2} index_load_min_ms={:.2} (entity sets for search, before the model)",
        median(&mut index_ms),
        min(&index_ms)
    );
    Ok(())
}

/// Builds the F&O-scale document with the shared generator script.
fn generate(path: &Path) -> anyhow::Result<()> {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let script = manifest.join("../shared/tools/make_fno_scale_metadata.py");
    if !script.exists() {
        bail!(
            "{} does not exist and no generator at {}",
            path.display(),
            script.display()
        );
    }
    let fno = manifest.join("tests/fixtures/metadata/fno");
    let mut sources: Vec<PathBuf> = std::fs::read_dir(&fno)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "xml"))
        .collect();
    sources.sort();
    let status = std::process::Command::new("python3")
        .arg(&script)
        .arg(path)
        .args(&sources)
        .status()
        .context("running python3")?;
    if !status.success() {
        bail!("generator failed: {status}");
    }
    Ok(())
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(f64::NAN)
}

fn min(values: &[f64]) -> f64 {
    values.iter().copied().fold(f64::INFINITY, f64::min)
}
