//! `flowbench metadata …`: headless commands over a `$metadata` document.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use clap::{Args, Subcommand};

use super::exit;
use crate::odata::metadata::{MetadataSummary, Model, parse_metadata};

/// Arguments of `flowbench metadata`.
#[derive(Debug, Args)]
pub struct MetadataArgs {
    /// What to do with the document.
    #[command(subcommand)]
    pub command: MetadataCommand,
}

/// Subcommands of `flowbench metadata`.
#[derive(Debug, Subcommand)]
pub enum MetadataCommand {
    /// Parse a `$metadata` document and print what it declares.
    Summary(SummaryArgs),
    /// What differs between two instances' `$metadata` (entities, fields, keys, enums,
    /// actions): added, removed, changed.
    Diff(DiffArgs),
}

/// Arguments of `flowbench metadata diff`.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The first document: a `$metadata` file, a saved instance, or a service URL or host.
    #[arg(value_name = "A")]
    pub a: String,
    /// The second document, the same way.
    #[arg(value_name = "B")]
    pub b: String,
    /// Print the changes as a JSON array instead of text.
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `flowbench metadata summary`.
#[derive(Debug, Args)]
pub struct SummaryArgs {
    /// A `$metadata` file, or a service root URL (`https://` may be omitted) whose
    /// `$metadata` is fetched.
    #[arg(value_name = "FILE|SERVICE-ROOT-URL")]
    pub source: String,
    /// Print one JSON object with the counts and `parse_ms` instead of text.
    #[arg(long)]
    pub json: bool,
    /// Progress lines on stderr (bytes read, then parsed) even when it is not a terminal.
    #[arg(long)]
    pub progress: bool,
}

/// A failure of a metadata command, mapped to an exit code.
#[derive(Debug)]
enum Failure {
    /// The document (file or download) is unreadable or not valid CSDL.
    InvalidInput(String),
    /// The request for `$metadata` failed.
    Request(String),
}

/// Runs `flowbench metadata …` and returns the process exit code.
pub fn run(args: MetadataArgs, token_env: Option<&str>) -> i32 {
    let result = match args.command {
        MetadataCommand::Summary(summary) => run_summary(&summary),
        MetadataCommand::Diff(diff) => run_diff(&diff, token_env),
    };
    match result {
        Ok(()) => exit::OK,
        Err(Failure::InvalidInput(message)) => {
            eprintln!("error: {message}");
            exit::INVALID_INPUT
        }
        Err(Failure::Request(message)) => {
            eprintln!("error: {}", super::terminal::printable(&message));
            exit::RUNTIME
        }
    }
}

fn run_summary(args: &SummaryArgs) -> Result<(), Failure> {
    let show = super::progress::enabled(args.progress);
    let (label, document) = read_source(&args.source)?;
    if show {
        eprintln!(
            "metadata: read {} from {label}",
            super::progress::megabytes(document.len())
        );
    }
    let start = Instant::now();
    let model = match &document {
        Document::File(path, _) => super::metadata_file::parse_file(path, &label),
        Document::Downloaded(bytes) => parse_metadata(bytes).map_err(|e| format!("{label}: {e}")),
    }
    .map_err(Failure::InvalidInput)?;
    let parse_ms = (start.elapsed().as_secs_f64() * 1e6).round() / 1e3;
    let summary = model.summary(parse_ms);
    if show {
        eprintln!(
            "metadata: parsed {} entity sets, {} entity types in {parse_ms:.0} ms ({})",
            summary.entity_sets,
            summary.entity_types,
            super::progress::rate(document.len(), parse_ms)
        );
    }
    if args.json {
        let json = serde_json::to_string(&summary)
            .map_err(|e| Failure::InvalidInput(format!("cannot encode summary: {e}")))?;
        print_or_stop(&json)?;
    } else {
        print_or_stop(readable_summary(&label, &model, &summary).trim_end())?;
    }
    for warning in &model.warnings {
        eprintln!(
            "warning: line {}, column {}: {}",
            warning.line, warning.column, warning.message
        );
    }
    // The process ends next: freeing an F&O-scale model's ~500 000 allocations one by one
    // would add about a tenth to the whole run, for memory the OS takes back anyway.
    std::mem::forget(model);
    std::mem::forget(document);
    Ok(())
}

/// A model from a file, or from an instance through a session (saved instances sign in).
fn load_model(source: &str, token_env: Option<&str>) -> Result<(String, Model), Failure> {
    let path = Path::new(source);
    if path.exists() {
        let model =
            super::metadata_file::parse_file(path, source).map_err(Failure::InvalidInput)?;
        return Ok((source.to_owned(), model));
    }
    let session = super::connect::connect(source, token_env)
        .map_err(|e| Failure::Request(format!("{source}: {}", super::failure::describe(&e))))?;
    let runtime = super::connect::runtime()
        .map_err(|e| Failure::Request(format!("cannot start the HTTP runtime: {e}")))?;
    let model = runtime
        .block_on(session.metadata())
        .map_err(|e| Failure::Request(format!("{source}: $metadata: {e}")))?;
    Ok((session.name.clone(), model))
}

fn run_diff(args: &DiffArgs, token_env: Option<&str>) -> Result<(), Failure> {
    let (a_label, a) = load_model(&args.a, token_env)?;
    let (b_label, b) = load_model(&args.b, token_env)?;
    let changes = crate::odata::metadata::diff::diff(&a, &b);
    if args.json {
        let json = serde_json::to_string_pretty(&changes)
            .map_err(|e| Failure::InvalidInput(format!("cannot encode the changes: {e}")))?;
        return print_or_stop(&json);
    }
    let header = format!("--- {a_label}\n+++ {b_label}");
    if changes.is_empty() {
        return print_or_stop(&format!("{header}\nno difference"));
    }
    let text = crate::odata::metadata::diff::render_text(&changes);
    print_or_stop(&format!("{header}\n{}", text.trim_end()))?;
    eprintln!("{} difference(s)", changes.len());
    Ok(())
}

/// The human-readable report.
fn readable_summary(label: &str, model: &Model, summary: &MetadataSummary) -> String {
    let namespaces: Vec<&str> = model.schemas.iter().map(|s| s.namespace.as_str()).collect();
    let rows = [
        ("Entity sets", summary.entity_sets),
        ("Singletons", summary.singletons),
        ("Entity types", summary.entity_types),
        ("Complex types", summary.complex_types),
        ("Enum types", summary.enum_types),
        ("Actions", summary.actions),
        ("Functions", summary.functions),
        ("Action imports", summary.action_imports),
        ("Function imports", summary.function_imports),
        ("Properties", summary.properties),
        ("Navigation properties", summary.navigation_properties),
    ];
    let mut out = format!(
        "{label}\nOData {} · {} schema(s): {}\n",
        if model.version.is_empty() {
            "?"
        } else {
            &model.version
        },
        model.schemas.len(),
        namespaces.join(", ")
    );
    for (name, count) in rows {
        out.push_str(&format!("  {name:<22} {count:>8}\n"));
    }
    out.push_str(&format!(
        "  {:<22} {:>8}\nParsed in {:.1} ms\n",
        "Warnings",
        model.warnings.len(),
        summary.parse_ms
    ));
    out
}

/// A document to summarise: a local file (read while it is parsed) or downloaded bytes.
enum Document {
    File(PathBuf, u64),
    Downloaded(Vec<u8>),
}

impl Document {
    fn len(&self) -> usize {
        match self {
            Self::File(_, len) => usize::try_from(*len).unwrap_or(usize::MAX),
            Self::Downloaded(bytes) => bytes.len(),
        }
    }
}

/// A local file, or `$metadata` downloaded when `source` is not an existing file.
fn read_source(source: &str) -> Result<(String, Document), Failure> {
    let path = Path::new(source);
    if path.exists() || !looks_like_url(source) {
        return std::fs::metadata(path)
            .map(|found| {
                (
                    source.to_owned(),
                    Document::File(path.to_owned(), found.len()),
                )
            })
            .map_err(|e| Failure::InvalidInput(format!("cannot read {source}: {e}")));
    }
    let url = metadata_url(source);
    fetch(&url).map(|bytes| (url, Document::Downloaded(bytes)))
}

/// Whether `source` names a service rather than a local file.
fn looks_like_url(source: &str) -> bool {
    let lower = source.to_ascii_lowercase();
    if lower.starts_with("http://") || lower.starts_with("https://") {
        return true;
    }
    let host = lower.split('/').next().unwrap_or_default();
    let file_like = [".xml", ".edmx", ".csdl"]
        .iter()
        .any(|ext| lower.ends_with(ext));
    !file_like && host.contains('.') && !host.starts_with('.')
}

/// `{root}/$metadata` for a service root, adding `https://` when no scheme is given.
pub fn metadata_url(root: &str) -> String {
    let root = root.trim();
    let with_scheme = if root.contains("://") {
        root.to_owned()
    } else {
        format!("https://{root}")
    };
    let base = with_scheme.trim_end_matches('/');
    if base.ends_with("/$metadata") {
        base.to_owned()
    } else {
        format!("{base}/$metadata")
    }
}

/// GETs `url` and returns the body of a successful response.
fn fetch(url: &str) -> Result<Vec<u8>, Failure> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::Request(format!("cannot start the HTTP runtime: {e}")))?;
    runtime.block_on(async {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(120))
            .connect_timeout(Duration::from_secs(20))
            .user_agent(concat!("flowbench/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Failure::Request(format!("cannot build the HTTP client: {e}")))?;
        let response = client
            .get(url)
            .header(reqwest::header::ACCEPT, "application/xml")
            .send()
            .await
            .map_err(|e| Failure::Request(format!("GET {url} failed: {e}")))?;
        let status = response.status();
        if !status.is_success() {
            return Err(Failure::Request(format!("GET {url} answered {status}")));
        }
        let body = response
            .bytes()
            .await
            .map_err(|e| Failure::Request(format!("reading {url} failed: {e}")))?;
        Ok(body.to_vec())
    })
}

/// Prints `text`; a closed pipe (`| head`) is not a failure.
fn print_or_stop(text: &str) -> Result<(), Failure> {
    match super::stdout::print_line(text) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(Failure::Request(format!("cannot write the summary: {e}")))
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_url_adds_scheme_and_suffix_once() {
        assert_eq!(
            metadata_url("contoso.operations.dynamics.com/data"),
            "https://contoso.operations.dynamics.com/data/$metadata"
        );
        assert_eq!(
            metadata_url("http://127.0.0.1:8080/data/"),
            "http://127.0.0.1:8080/data/$metadata"
        );
        assert_eq!(
            metadata_url("https://x.test/data/$metadata"),
            "https://x.test/data/$metadata"
        );
    }

    #[test]
    fn files_and_hosts_are_told_apart() {
        assert!(looks_like_url("https://x.test/data"));
        assert!(looks_like_url("contoso.operations.dynamics.com"));
        assert!(!looks_like_url("metadata.xml"));
        assert!(!looks_like_url("some/dir/file"));
        assert!(!looks_like_url("./local.edmx"));
    }
}
