//! `flowbench list --all --format csv` (page by page or `--parallel`): CSV cells written
//! straight from each page's JSON text, no values built; the same bytes as the value path.

use std::io::Write;
use std::ops::ControlFlow;

use super::list::{ListArgs, cancel_on_interrupt, end_listing, shows_progress};
use super::list_progress::ProgressLine;
use crate::connector::records::{OutputError, RawCsvWriter};
use crate::odata::client::{CancelToken, ListProgress, ODataClient, ParallelListing, RawPage};
use crate::odata::query::QueryOptions;

/// Writes every page from `url` as CSV onto `out`, counting records in `records`.
pub async fn write_csv(
    client: &ODataClient,
    url: url::Url,
    parallel: Option<&ParallelListing>,
    args: &ListArgs,
    query: &QueryOptions,
    out: &mut dyn Write,
    records: &mut u64,
) -> anyhow::Result<()> {
    let mut writer = if query.select.is_empty() {
        RawCsvWriter::new(out)
    } else {
        RawCsvWriter::with_columns(out, query.select.clone())
    };
    let cancel = CancelToken::new();
    let interrupt = cancel_on_interrupt(&cancel);
    let mut failure: Option<OutputError> = None;
    let mut line = ProgressLine::new(shows_progress(args));
    let on_page = |page: RawPage, progress: &ListProgress| {
        if let Err(e) = writer.write_raw_page(&page) {
            failure = Some(e);
            return ControlFlow::Break(());
        }
        *records += page.len() as u64;
        line.update(progress);
        ControlFlow::Continue(())
    };
    let progress = match parallel {
        Some(listing) => client.list_all_parallel_as(listing, &cancel, on_page).await,
        None => client.list_all_as(url, &cancel, on_page).await,
    };
    interrupt.abort();
    end_listing(progress, failure, &mut line, query, || writer.finish())
}
