//! `flowbench package`: data packages of the data management framework — `build` one from a
//! CSV, `show` one as a table, `import` one into a data project, `export` a data project,
//! `status` of an execution (with its errors and error keys).

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Subcommand};
use serde_json::Value;

use super::bulk_target::{TargetOption, bulk_error};
use super::connect::{print_json, runtime};
use super::exit;
use super::failure::{describe, exit_code, usage};
use super::stdout::print_line;
use crate::connector::bulk::{ExecutionStatus, WaitOptions, dmf, wait_for_execution};
use crate::connector::package::Package;
use crate::odata::client::ODataClient;

/// Arguments of `flowbench package`.
#[derive(Debug, Args)]
pub struct PackageArgs {
    #[command(subcommand)]
    command: PackageCommand,
}

#[derive(Debug, Subcommand)]
enum PackageCommand {
    /// Build a package from a CSV of one entity (header row = field names).
    Build(BuildArgs),
    /// Print the rows of a package's entities.
    Show(ShowArgs),
    /// Upload a package and import it into a data project.
    Import(ImportArgs),
    /// Export a data project to a package and download it.
    Export(ExportArgs),
    /// The status of an execution, with its errors.
    Status(StatusArgs),
}

#[derive(Debug, Args)]
struct BuildArgs {
    /// The entity (entity set name, e.g. CustomerGroups).
    entity: String,
    /// The CSV file.
    rows: PathBuf,
    /// Where to write the package.
    #[arg(long, short)]
    output: PathBuf,
}

#[derive(Debug, Args)]
struct ShowArgs {
    /// The package.
    package: PathBuf,
}

#[derive(Debug, Clone, Args)]
struct WaitArgs {
    /// Poll until the execution ends (a progress line on stderr); exit 0 on Succeeded,
    /// 3 otherwise with the errors.
    #[arg(long)]
    wait: bool,
    /// Stop waiting after this many seconds.
    #[arg(long, value_name = "SECS", default_value_t = 600)]
    timeout: u64,
}

#[derive(Debug, Args)]
struct ImportArgs {
    /// The package.
    package: PathBuf,
    /// The data project (definition group).
    #[arg(long)]
    project: String,
    /// The legal entity to import into.
    #[arg(long)]
    company: String,
    #[command(flatten)]
    target: TargetOption,
    #[command(flatten)]
    wait: WaitArgs,
}

#[derive(Debug, Args)]
struct ExportArgs {
    /// The data project (definition group).
    #[arg(long)]
    project: String,
    /// The legal entity to export.
    #[arg(long)]
    company: String,
    /// Where to write the package.
    #[arg(long, short)]
    output: PathBuf,
    #[command(flatten)]
    target: TargetOption,
    #[command(flatten)]
    wait: WaitArgs,
}

#[derive(Debug, Args)]
struct StatusArgs {
    /// The execution id.
    execution_id: String,
    #[command(flatten)]
    target: TargetOption,
    /// Also fetch the error keys file of this entity (printed as CSV).
    #[arg(long, value_name = "ENTITY")]
    error_keys: Option<String>,
}

/// Runs `flowbench package …`; the exit code.
pub fn run(args: &PackageArgs, token_env: Option<&str>) -> i32 {
    let result = match &args.command {
        PackageCommand::Build(a) => build(a).map(|()| exit::OK),
        PackageCommand::Show(a) => show(a).map(|()| exit::OK),
        PackageCommand::Import(a) => import(a, token_env),
        PackageCommand::Export(a) => export(a, token_env),
        PackageCommand::Status(a) => status(a, token_env),
    };
    result.unwrap_or_else(|e| {
        if super::stdout::is_broken_pipe(&e) {
            return exit::OK;
        }
        eprintln!("error: {}", describe(&e));
        exit_code(&e)
    })
}

/// An input file that cannot be read or is no package: exit code 2.
fn invalid_input(message: String) -> anyhow::Error {
    InvalidInput(message).into()
}

/// A problem with an input file (exit code 2).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct InvalidInput(pub String);

fn read(path: &PathBuf) -> anyhow::Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| invalid_input(format!("cannot read {}: {e}", path.display())))
}

/// Writes a package whole or not at all (through a part file renamed when complete).
fn write(path: &std::path::Path, bytes: &[u8]) -> anyhow::Result<()> {
    super::export_file::write_bytes_atomically(path, bytes).map_err(|e| usage(format!("{e:#}")))
}

fn build(args: &BuildArgs) -> anyhow::Result<()> {
    let csv = read(&args.rows)?;
    let package = Package::from_csv(&args.entity, &csv, &args.rows.display().to_string())
        .map_err(|e| invalid_input(e.to_string()))?;
    let rows = package.entities[0].rows.len();
    write(
        &args.output,
        &package.to_zip().map_err(|e| invalid_input(e.to_string()))?,
    )?;
    eprintln!(
        "Wrote {} ({} rows of {})",
        args.output.display(),
        rows,
        args.entity
    );
    Ok(())
}

fn show(args: &ShowArgs) -> anyhow::Result<()> {
    let bytes = read(&args.package)?;
    let package = Package::from_zip(&bytes, &args.package.display().to_string())
        .map_err(|e| invalid_input(e.to_string()))?;
    let mut out = Vec::new();
    for data in &package.entities {
        let mut writer = csv::Writer::from_writer(Vec::new());
        writer.write_record(&data.header)?;
        for row in &data.rows {
            writer.write_record(row)?;
        }
        out.push(format!(
            "# {} ({}, {} rows)\n{}",
            data.entity,
            data.file,
            data.rows.len(),
            String::from_utf8_lossy(&writer.into_inner().map_err(|e| anyhow::anyhow!("{e}"))?)
        ));
    }
    print_line(out.join("\n").trim_end())?;
    Ok(())
}

fn options(args: &WaitArgs) -> WaitOptions {
    WaitOptions {
        timeout: Duration::from_secs(args.timeout),
        ..WaitOptions::default()
    }
}

/// Waits for `execution`: a progress line per status when `show`; on an end other than
/// Succeeded, prints the errors and answers 3.
async fn finish(
    client: &ODataClient,
    execution: &str,
    args: &WaitArgs,
    show: bool,
) -> anyhow::Result<i32> {
    let status = wait_for_execution(client, execution, options(args), |status, waited| {
        if show {
            eprintln!("{execution}: {status} ({:.1} s)", waited.as_secs_f64());
        }
    })
    .await
    .map_err(bulk_error)?;
    if status == ExecutionStatus::Succeeded {
        return Ok(exit::OK);
    }
    print_errors(client, execution).await?;
    Ok(exit::RUNTIME)
}

async fn print_errors(client: &ODataClient, execution: &str) -> anyhow::Result<()> {
    for error in dmf::execution_errors(client, execution)
        .await
        .map_err(bulk_error)?
    {
        eprintln!("  {}", error_line(&error));
    }
    Ok(())
}

/// One error of `GetExecutionErrors` on one line: entity, line, keys, message.
pub fn error_line(error: &Value) -> String {
    let text = |name: &str| error.get(name).and_then(Value::as_str).unwrap_or("");
    match error {
        Value::Object(_) => {
            let mut parts = Vec::new();
            if !text("EntityName").is_empty() {
                parts.push(text("EntityName").to_owned());
            }
            if let Some(line) = error
                .get("LineNumber")
                .and_then(Value::as_u64)
                .filter(|l| *l > 0)
            {
                parts.push(format!("line {line}"));
            }
            match error.get("Keys") {
                Some(Value::Object(keys)) if !keys.is_empty() => {
                    parts.push(Value::Object(keys.clone()).to_string())
                }
                _ => {}
            }
            let message = if text("ErrorMessage").is_empty() {
                error.to_string()
            } else {
                text("ErrorMessage").to_owned()
            };
            if parts.is_empty() {
                message
            } else {
                format!("{}: {message}", parts.join(" "))
            }
        }
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn import(args: &ImportArgs, token_env: Option<&str>) -> anyhow::Result<i32> {
    let bytes = read(&args.package)?;
    // Checked before anything is sent: the error names the file inside the zip.
    Package::from_zip(&bytes, &args.package.display().to_string())
        .map_err(|e| invalid_input(e.to_string()))?;
    let session = args.target.open(token_env)?;
    runtime()?.block_on(async {
        let execution =
            dmf::upload_and_import(&session.client, bytes, &args.project, &args.company)
                .await
                .map_err(bulk_error)?;
        print_line(&execution)?;
        // The embedded demo stops with this command: its import is waited for.
        if args.wait.wait || args.target.demo {
            return finish(&session.client, &execution, &args.wait, args.wait.wait).await;
        }
        Ok(exit::OK)
    })
}

fn export(args: &ExportArgs, token_env: Option<&str>) -> anyhow::Result<i32> {
    let session = args.target.open(token_env)?;
    let name = args.output.file_name().map_or_else(
        || "package.zip".to_owned(),
        |n| n.to_string_lossy().into_owned(),
    );
    runtime()?.block_on(async {
        let client = &session.client;
        let execution = dmf::export_to_package(client, &args.project, &name, &args.company)
            .await
            .map_err(bulk_error)?;
        print_line(&execution)?;
        // The package is downloaded once the export ends, so an export always waits;
        // `--wait` shows the progress.
        let code = finish(client, &execution, &args.wait, args.wait.wait).await?;
        if code != exit::OK {
            return Ok(code);
        }
        let url = dmf::exported_package_url(client, &execution)
            .await
            .map_err(bulk_error)?;
        if url.is_empty() {
            eprintln!(
                "error: execution {execution} succeeded but GetExportedPackageUrl gave no URL"
            );
            return Ok(exit::RUNTIME);
        }
        let bytes = dmf::download(client, &url).await.map_err(bulk_error)?;
        write(&args.output, &bytes)?;
        eprintln!("Wrote {} ({} bytes)", args.output.display(), bytes.len());
        Ok(exit::OK)
    })
}

fn status(args: &StatusArgs, token_env: Option<&str>) -> anyhow::Result<i32> {
    let session = args.target.open(token_env)?;
    runtime()?.block_on(async {
        let client = &session.client;
        let status = dmf::status(client, &args.execution_id)
            .await
            .map_err(bulk_error)?;
        let errors = dmf::execution_errors(client, &args.execution_id)
            .await
            .map_err(bulk_error)?;
        print_json(&serde_json::json!({
            "executionId": args.execution_id,
            "status": status.as_str(),
            "errors": errors,
        }))?;
        if let Some(entity) = &args.error_keys {
            if dmf::generate_error_keys(client, &args.execution_id, entity)
                .await
                .map_err(bulk_error)?
            {
                let mut url = String::new();
                for _ in 0..20 {
                    url = dmf::error_keys_url(client, &args.execution_id, entity)
                        .await
                        .map_err(bulk_error)?;
                    if !url.is_empty() {
                        break;
                    }
                    tokio::time::sleep(Duration::from_millis(500)).await;
                }
                if url.is_empty() {
                    eprintln!("error: the error keys file of {entity} was not ready in time");
                    return Ok(exit::RUNTIME);
                }
                let keys = dmf::download(client, &url).await.map_err(bulk_error)?;
                let keys = keys.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&keys[..]);
                print_line(String::from_utf8_lossy(keys).trim_end())?;
            } else {
                eprintln!("{entity}: no error keys (no row of it failed)");
            }
        }
        Ok(match status {
            ExecutionStatus::Succeeded => exit::OK,
            _ => exit::RUNTIME,
        })
    })
}
