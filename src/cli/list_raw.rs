//! `flowbench list --all --format csv|json` (page by page or `--parallel`): records written
//! straight from each page's JSON text, no values built; the same bytes as the value path.

use std::io::Write;

use super::list::{ListArgs, PageSink, list_every_page};
use super::output::OutputFormat;
use crate::connector::records::{OutputError, RawCsvWriter, RawJsonWriter};
use crate::odata::client::{ODataClient, ParallelListing, RawPage};
use crate::odata::query::QueryOptions;

/// Whether `format` is written from raw pages.
pub fn writes_raw(format: OutputFormat) -> bool {
    matches!(format, OutputFormat::Csv | OutputFormat::Json)
}

/// The writer of a raw listing.
enum RawWriter<'a> {
    Csv(Box<RawCsvWriter<&'a mut dyn Write>>),
    Json(RawJsonWriter<&'a mut dyn Write>),
}

impl PageSink<RawPage> for RawWriter<'_> {
    fn write(&mut self, page: &RawPage) -> Result<(), OutputError> {
        match self {
            Self::Csv(writer) => writer.write_raw_page(page),
            Self::Json(writer) => writer.write_raw_page(page),
        }
    }

    fn finish(&mut self) -> Result<(), OutputError> {
        match self {
            Self::Csv(writer) => writer.finish(),
            Self::Json(writer) => writer.finish(),
        }
    }
}

/// Writes every page from `url` as CSV or JSON (see [`writes_raw`]) onto `out`, counting
/// records in `records`.
pub async fn write_raw(
    client: &ODataClient,
    url: url::Url,
    parallel: Option<&ParallelListing>,
    args: &ListArgs,
    query: &QueryOptions,
    out: &mut dyn Write,
    records: &mut u64,
) -> anyhow::Result<()> {
    let mut writer = match args.format {
        OutputFormat::Json => RawWriter::Json(RawJsonWriter::new(out)),
        _ if query.select.is_empty() => RawWriter::Csv(Box::new(RawCsvWriter::new(out))),
        _ => RawWriter::Csv(Box::new(RawCsvWriter::with_columns(
            out,
            query.select.clone(),
        ))),
    };
    list_every_page(client, url, parallel, args, query, &mut writer, records).await
}
