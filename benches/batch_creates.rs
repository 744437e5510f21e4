//! 10 000 creates against the demo instance on loopback, in the same run: one `POST` each
//! (awaited one after another, as a loop of single requests does) and the same number
//! through `$batch` (multipart, changesets of 100, 500 creates per batch), interleaved by
//! chunks of 500. Prints both, the
//! ratio, and checks every record reached the server.
//!
//! `cargo bench --bench batch_creates`; `FLOWBENCH_BENCH_CREATES` (default 10 000),
//! `FLOWBENCH_DEMO_LATENCY_MS` adds a delay per request like a remote instance (default 0).

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use flowbench::auth::StaticTokenProvider;
use flowbench::demo::{DemoConfig, DemoThread};
use flowbench::odata::client::{BatchFormat, BatchItem, BatchPart, ODataClient};
use reqwest::Method;
use serde_json::json;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const PER_CHANGESET: usize = 100;
const PER_BATCH: usize = 500;

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn record(prefix: &str, n: usize) -> serde_json::Value {
    json!({"CustomerGroupId": format!("{prefix}{n:05}"), "Description": format!("Bench {n}")})
}

fn main() -> anyhow::Result<()> {
    let creates = usize::try_from(env_number("FLOWBENCH_BENCH_CREATES", 10_000)).unwrap_or(10_000);
    let latency = Duration::from_millis(env_number("FLOWBENCH_DEMO_LATENCY_MS", 0));
    let demo = DemoThread::start(DemoConfig {
        rows: 10,
        latency,
        ..DemoConfig::default()
    })?;
    let root = demo.service_root().to_owned();
    let client = ODataClient::new(&root, Arc::new(StaticTokenProvider::default()))?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;

    // Interleaved, one chunk of single creates then the same number batched, so both see the
    // same machine (other builds come and go on a shared machine).
    let mut single = Duration::ZERO;
    let mut batched = Duration::ZERO;
    let records: Vec<usize> = (0..creates).collect();
    for chunk in records.chunks(PER_BATCH) {
        let start = Instant::now();
        runtime.block_on(async {
            for n in chunk {
                client
                    .create_record("CustomerGroups", &record("S", *n))
                    .await
                    .with_context(|| format!("single create {n}"))?;
            }
            anyhow::Ok(())
        })?;
        single += start.elapsed();
        let parts: Vec<BatchPart> = chunk
            .chunks(PER_CHANGESET)
            .map(|changeset| {
                BatchPart::ChangeSet(
                    changeset
                        .iter()
                        .map(|n| BatchItem {
                            id: n.to_string(),
                            method: Method::POST,
                            url: "CustomerGroups".to_owned(),
                            headers: Vec::new(),
                            body: Some(record("B", *n)),
                        })
                        .collect(),
                )
            })
            .collect();
        let start = Instant::now();
        let responses = runtime.block_on(client.batch(&parts, BatchFormat::Multipart))?;
        batched += start.elapsed();
        if let Some(failed) = responses.iter().find(|r| !r.is_success()) {
            bail!("a batched create failed: {failed:?}");
        }
        if responses.len() != chunk.len() {
            bail!("{} answers for {} creates", responses.len(), chunk.len());
        }
    }

    // Every record is on the server.
    let counted = runtime.block_on(async {
        let page = client
            .list_page(
                "CustomerGroups",
                "$count=true&$top=0&$filter=startswith(CustomerGroupId,'B')",
            )
            .await?;
        anyhow::Ok(page.count.unwrap_or(0))
    })?;
    if counted != creates as u64 {
        bail!("{counted} batched records on the server, expected {creates}");
    }

    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "creates: {creates} (latency per request {} ms)",
        latency.as_millis()
    );
    println!(
        "RESULT\tcreates_one_request_each\t{:.1}\t{:.1}\t{:.1}\tms",
        ms(single),
        ms(single),
        ms(single)
    );
    println!(
        "RESULT\tcreates_batch_changesets\t{:.1}\t{:.1}\t{:.1}\tms",
        ms(batched),
        ms(batched),
        ms(batched)
    );
    println!(
        "ratio: {:.1}x",
        single.as_secs_f64() / batched.as_secs_f64().max(1e-9)
    );
    Ok(())
}
