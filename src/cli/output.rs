//! `--format` of the listing commands, mapped onto the shared record writers.

use crate::connector::records::RecordFormat;

/// Output format chosen with `--format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum OutputFormat {
    /// A JSON array of the records.
    #[default]
    Json,
    /// RFC 4180 CSV with a header row.
    Csv,
    /// An aligned text table for reading.
    Table,
}

impl From<OutputFormat> for RecordFormat {
    fn from(format: OutputFormat) -> Self {
        match format {
            OutputFormat::Json => Self::Json,
            OutputFormat::Csv => Self::Csv,
            OutputFormat::Table => Self::Table,
        }
    }
}
