//! `flowbench list`: records of an entity set (one page or all pages) as JSON, CSV or a
//! table, on stdout or into a file written atomically.

use std::io::Write;
use std::ops::ControlFlow;
use std::path::PathBuf;

use clap::Args;

use super::connect::{InstanceOption, connect};
use super::export_file::{IncompleteOutput, write_atomically};
use super::failure::usage;
use super::list_progress::ProgressLine;
use super::output::OutputFormat;
use crate::connector::records::{CsvRecordWriter, OutputError, RecordWriter, writer_for};
use crate::connector::{ActionRequest, listing_url};
use crate::odata::client::{
    CancelToken, ListProgress, ListedPage, ODataClient, Page, ParallelListing,
};
use crate::odata::query::QueryOptions;

/// Arguments of `flowbench list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    #[command(flatten)]
    instance: InstanceOption,
    /// The entity set, e.g. `CustomersV3`.
    entity_set: String,
    /// `$filter` expression.
    #[arg(long)]
    filter: Option<String>,
    /// `$select`: comma-separated property names.
    #[arg(long)]
    select: Option<String>,
    /// `$expand` expression.
    #[arg(long)]
    expand: Option<String>,
    /// `$orderby` expression.
    #[arg(long)]
    orderby: Option<String>,
    /// `$top`.
    #[arg(long)]
    top: Option<u64>,
    /// `$skip`.
    #[arg(long)]
    skip: Option<u64>,
    /// `$count=true`: print the server's total of matching records on stderr.
    #[arg(long)]
    count: bool,
    /// Read all legal entities (F&O `cross-company=true`).
    #[arg(long)]
    cross_company: bool,
    /// Follow `@odata.nextLink` to read every page.
    #[arg(long)]
    all: bool,
    /// With `--all`: read up to N pages at once (counted first, then `$skip`/`$top` pages
    /// ordered by the key; same records, same order). At most 16.
    #[arg(long, value_name = "N", requires = "all")]
    parallel: Option<usize>,
    /// Records per request with `--parallel` (at most the server's page size).
    #[arg(
        long,
        value_name = "N",
        default_value_t = 10_000,
        requires = "parallel"
    )]
    page_size: u64,
    /// Output format.
    #[arg(long, value_enum, default_value = "json")]
    pub(super) format: OutputFormat,
    /// Write to this file instead of stdout.
    #[arg(long)]
    output: Option<PathBuf>,
    /// With `--all`: the progress line (records, pages, rate) on stderr also when writing to
    /// stdout (it is always shown with `--output`).
    #[arg(long)]
    progress: bool,
}

impl ListArgs {
    /// The entity set listed.
    pub fn entity_set(&self) -> &str {
        &self.entity_set
    }

    /// The `--orderby` text, when given.
    pub fn orderby(&self) -> Option<&str> {
        self.orderby.as_deref()
    }

    /// Records per request with `--parallel`.
    pub fn page_size(&self) -> u64 {
        self.page_size
    }

    /// The query options of the first request.
    pub fn query(&self) -> anyhow::Result<QueryOptions> {
        let mut query = QueryOptions {
            top: self.top,
            skip: self.skip,
            cross_company: self.cross_company,
            count: self.count,
            ..QueryOptions::default()
        };
        let texts = [
            ("$filter", &self.filter),
            ("$select", &self.select),
            ("$expand", &self.expand),
            ("$orderby", &self.orderby),
        ];
        for (name, text) in texts {
            if let Some(text) = text {
                query
                    .set_system(name, text)
                    .map_err(|e| usage(format!("{name}: {e}")))?;
            }
        }
        Ok(query)
    }
}

/// Lists records.
pub fn run(args: &ListArgs, token_env: Option<&str>) -> anyhow::Result<()> {
    let session = connect(&args.instance.instance, token_env)?;
    let client = &session.client;
    let query = args.query()?;
    let request = ActionRequest::ListItems {
        entity_set: args.entity_set.clone(),
        query: query.clone(),
        all_pages: args.all,
    };
    let url = listing_url(client, &request)?;
    let runtime = super::list_parallel::listing_runtime()?;
    let parallel = match args.parallel {
        Some(concurrency) => Some(super::list_parallel::plan(
            &session,
            &runtime,
            args,
            &query,
            &url,
            concurrency,
        )?),
        None => None,
    };
    let parallel = parallel.as_ref();
    let mut records = 0u64;
    let outcome = match &args.output {
        // Only a complete listing replaces the target file; a failure or a signal leaves
        // nothing behind.
        Some(path) => write_atomically(&runtime, path, async |out| {
            write_records(client, url, parallel, args, &query, out, &mut records).await
        }),
        None => {
            let mut stdout = std::io::stdout().lock();
            runtime
                .block_on(write_records(
                    client,
                    url,
                    parallel,
                    args,
                    &query,
                    &mut stdout,
                    &mut records,
                ))
                // The last line on stderr says the records above are not all of them.
                .map_err(|e| e.context(IncompleteOutput { records }))
        }
    };
    // The listing is over and the process about to end: its idle worker threads are not
    // woken and joined one by one.
    runtime.shutdown_background();
    outcome
}

/// The writer for the chosen format; CSV columns follow `$select` when given, and a table
/// shows only the selected (and expanded) fields although servers may add keys and ETags.
fn record_writer<'a>(
    format: OutputFormat,
    query: &QueryOptions,
    out: &'a mut dyn Write,
) -> Box<dyn RecordWriter + 'a> {
    match format {
        OutputFormat::Csv if !query.select.is_empty() => {
            Box::new(CsvRecordWriter::with_columns(out, query.select.clone()))
        }
        OutputFormat::Table if !query.select.is_empty() => Box::new(Projected {
            inner: writer_for(format.into(), out),
            query: query.clone(),
        }),
        _ => writer_for(format.into(), out),
    }
}

/// Passes records reduced to the query's `$select`/`$expand` to another writer.
struct Projected<'a> {
    inner: Box<dyn RecordWriter + 'a>,
    query: QueryOptions,
}

impl RecordWriter for Projected<'_> {
    fn write_page(&mut self, records: &[serde_json::Value]) -> Result<(), OutputError> {
        let projected: Vec<serde_json::Value> =
            records.iter().map(|r| self.query.project(r)).collect();
        self.inner.write_page(&projected)
    }

    fn finish(&mut self) -> Result<(), OutputError> {
        self.inner.finish()
    }
}

async fn write_records(
    client: &crate::odata::client::ODataClient,
    url: url::Url,
    parallel: Option<&crate::odata::client::ParallelListing>,
    args: &ListArgs,
    query: &QueryOptions,
    out: &mut dyn Write,
    records: &mut u64,
) -> anyhow::Result<()> {
    if args.all && super::list_raw::writes_raw(args.format) {
        return super::list_raw::write_raw(client, url, parallel, args, query, out, records).await;
    }
    let mut writer = record_writer(args.format, query, out);
    if !args.all {
        let page = client.fetch_page(url).await?;
        writer.write_page(&page.items)?;
        *records += page.items.len() as u64;
        writer.finish()?;
        report_count(page.count);
        if page.next_link.is_some() {
            eprintln!("note: the server has more records; add --all to read every page");
        }
        return Ok(());
    }
    list_every_page(client, url, parallel, args, query, &mut writer, records).await
}

/// Where a listing of every page writes its pages.
pub(super) trait PageSink<P> {
    /// Writes one page.
    fn write(&mut self, page: &P) -> Result<(), OutputError>;
    /// Completes the output.
    fn finish(&mut self) -> Result<(), OutputError>;
}

impl PageSink<Page> for Box<dyn RecordWriter + '_> {
    fn write(&mut self, page: &Page) -> Result<(), OutputError> {
        self.write_page(&page.items)
    }

    fn finish(&mut self) -> Result<(), OutputError> {
        RecordWriter::finish(self.as_mut())
    }
}

/// Reads every page from `url` (by nextLink, or in `parallel` partitions) into `sink`, with
/// the progress line and Ctrl-C, counting records in `records`.
pub(super) async fn list_every_page<P: ListedPage>(
    client: &ODataClient,
    url: url::Url,
    parallel: Option<&ParallelListing>,
    args: &ListArgs,
    query: &QueryOptions,
    sink: &mut impl PageSink<P>,
    records: &mut u64,
) -> anyhow::Result<()> {
    let cancel = CancelToken::new();
    let interrupt = cancel_on_interrupt(&cancel);
    let mut failure: Option<OutputError> = None;
    let mut line = ProgressLine::new(shows_progress(args));
    let on_page = |page: P, progress: &ListProgress| {
        if let Err(e) = sink.write(&page) {
            failure = Some(e);
            return ControlFlow::Break(());
        }
        *records += page.records() as u64;
        line.update(progress);
        ControlFlow::Continue(())
    };
    let progress = match parallel {
        Some(listing) => client.list_all_parallel_as(listing, &cancel, on_page).await,
        None => client.list_all_as(url, &cancel, on_page).await,
    };
    interrupt.abort();
    end_listing(progress, failure, &mut line, query, || sink.finish())
}

/// What a listing of every page does once its pages are read: the listing's error first,
/// then the writer's, the progress line ended, the writer finished, the count reported.
fn end_listing(
    progress: Result<crate::odata::client::ListProgress, crate::odata::client::ODataError>,
    failure: Option<OutputError>,
    line: &mut ProgressLine,
    query: &QueryOptions,
    finish: impl FnOnce() -> Result<(), OutputError>,
) -> anyhow::Result<()> {
    line.finish();
    let progress = progress?;
    if let Some(e) = failure {
        return Err(e.into());
    }
    finish()?;
    report_count(progress.total.filter(|_| query.count));
    Ok(())
}

/// Ctrl-C stops after the current page; an --output file is then left unwritten.
fn cancel_on_interrupt(cancel: &CancelToken) -> tokio::task::JoinHandle<()> {
    let on_interrupt = cancel.clone();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            on_interrupt.cancel();
        }
    })
}

/// Whether a listing shows its progress line (into a file, or asked for).
pub(super) fn shows_progress(args: &ListArgs) -> bool {
    args.output.is_some() || args.progress
}

/// Prints `@odata.count` (sent when `--count` was given) on stderr.
pub(super) fn report_count(count: Option<u64>) {
    if let Some(count) = count {
        eprintln!("{count} records match");
    }
}
