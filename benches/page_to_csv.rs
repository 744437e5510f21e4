//! One page of 10 000 `CustomersV3` records, as `flowbench list --all --format csv` handles
//! it once its body has arrived: decoded as a `RawPage` (envelope read, every record located
//! and checked), then written as CSV on one core, and the last page's way (two cores).
//! The body is the demo instance's own answer, fetched once over loopback.
//!
//! `cargo bench --bench page_to_csv`; prints the median and minimum of each step and the
//! decode and write rates. `FLOWBENCH_BENCH_RUNS` (default 40) repetitions.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use flowbench::auth::StaticTokenProvider;
use flowbench::connector::records::RawCsvWriter;
use flowbench::demo::{DemoConfig, DemoThread};
use flowbench::odata::client::{ODataClient, ODataRequest, RawPage};
use reqwest::Method;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const RECORDS: u64 = 10_000;

fn runs() -> usize {
    std::env::var("FLOWBENCH_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(40)
}

/// Median and minimum.
fn summary(mut times: Vec<Duration>) -> (Duration, Duration) {
    times.sort();
    (times[times.len() / 2], times[0])
}

fn print(step: &str, times: Vec<Duration>, bytes: usize) {
    let (median, min) = summary(times);
    let rate = bytes as f64 / median.as_secs_f64() / 1e6;
    println!(
        "{step:<46} median {:>7.2} ms  min {:>7.2} ms  {rate:>6.0} MB/s",
        median.as_secs_f64() * 1e3,
        min.as_secs_f64() * 1e3
    );
}

fn main() -> anyhow::Result<()> {
    let demo = DemoThread::start(DemoConfig {
        rows: RECORDS,
        page_size: RECORDS,
        ..DemoConfig::default()
    })?;
    let root = url::Url::parse(demo.service_root())?;
    let client = ODataClient::new(root.as_str(), Arc::new(StaticTokenProvider::default()))?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let url = root.join("CustomersV3?cross-company=true")?;
    let body = runtime
        .block_on(client.send(ODataRequest::new(Method::GET, url.clone())))
        .context("fetching a page of the demo instance")?
        .body;
    let page = RawPage::from_body(url.clone(), &root, body.clone())?;
    anyhow::ensure!(
        page.len() as u64 == RECORDS,
        "expected {RECORDS} records, the demo sent {}",
        page.len()
    );
    // As the last page of a listing: no nextLink, so written on two cores.
    let last_body = strip_next_link(&body);
    let last = RawPage::from_body(url.clone(), &root, last_body.clone())?;
    anyhow::ensure!(
        last.next_link.is_none(),
        "the last page still has a nextLink"
    );

    // The header comes from a listing's first page; the pages measured are later ones.
    let (mut one_out, mut two_out) = (Counted::default(), Counted::default());
    let mut one_writer = RawCsvWriter::new(&mut one_out);
    let mut two_writer = RawCsvWriter::new(&mut two_out);
    for writer in [&mut one_writer, &mut two_writer] {
        writer.write_raw_page(&page)?;
    }
    let (mut decode, mut one_core, mut two_cores) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..runs() {
        // A body of its own, as a listing's fetch hands on: decoded without a copy.
        let own = bytes::Bytes::from(body.to_vec());
        let started = Instant::now();
        let decoded = RawPage::from_body(url.clone(), &root, own)?;
        decode.push(started.elapsed());
        std::hint::black_box(&decoded);

        let started = Instant::now();
        one_writer.write_raw_page(&page)?;
        one_core.push(started.elapsed());
        let started = Instant::now();
        two_writer.write_raw_page(&last)?;
        two_cores.push(started.elapsed());
    }
    one_writer.finish()?;
    drop(one_writer);
    drop(two_writer);
    let csv_bytes = one_out.0 / (runs() + 1);
    println!(
        "page: {} records, {:.1} MB of JSON, {:.1} MB of CSV",
        page.len(),
        body.len() as f64 / 1e6,
        csv_bytes as f64 / 1e6
    );
    print("decode (RawPage::from_body)", decode, body.len());
    print(
        "CSV, one core (a page with a nextLink)",
        one_core,
        body.len(),
    );
    print("CSV, two cores (the last page)", two_cores, body.len());
    Ok(())
}

/// An output that keeps nothing and counts bytes.
#[derive(Default)]
struct Counted(usize);

impl std::io::Write for Counted {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0 += bytes.len();
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The body without its `@odata.nextLink` (the demo sends it last).
fn strip_next_link(body: &[u8]) -> bytes::Bytes {
    let text = String::from_utf8_lossy(body);
    match text.rfind(",\"@odata.nextLink\"") {
        Some(at) => bytes::Bytes::from(format!("{}}}", &text[..at])),
        None => bytes::Bytes::from(text.into_owned()),
    }
}
