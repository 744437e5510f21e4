//! `flowbench queue`: recurring integrations — `enqueue` a file or package for an import
//! job, `dequeue` an export job's package (downloaded with `--output`), `ack` it, and
//! `status` of a message.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::bulk_target::{TargetOption, bulk_error};
use super::connect::{print_json, read_data, runtime};
use super::failure::usage;
use super::stdout::print_line;
use crate::connector::bulk::{dmf, queue};

/// Arguments of `flowbench queue`.
#[derive(Debug, Args)]
pub struct QueueArgs {
    #[command(subcommand)]
    command: QueueCommand,
}

#[derive(Debug, Subcommand)]
enum QueueCommand {
    /// Enqueue a data file (with --entity) or a package for the import job ACTIVITY_ID;
    /// prints the message id.
    Enqueue(EnqueueArgs),
    /// Dequeue the next package of the export job ACTIVITY_ID; prints the dequeue answer
    /// (keep it for `ack`).
    Dequeue(DequeueArgs),
    /// Acknowledge a dequeued message: `--message` is the dequeue answer (JSON or @FILE).
    Ack(AckArgs),
    /// The status of message JOB_ID of ACTIVITY_ID.
    Status(StatusArgs),
}

#[derive(Debug, Args)]
struct EnqueueArgs {
    /// The recurring data job's activity id.
    activity_id: String,
    /// The file to enqueue.
    file: PathBuf,
    /// The entity the data file holds (not needed for a package).
    #[arg(long)]
    entity: Option<String>,
    /// The legal entity.
    #[arg(long)]
    company: Option<String>,
    #[command(flatten)]
    target: TargetOption,
}

#[derive(Debug, Args)]
struct DequeueArgs {
    /// The recurring data job's activity id.
    activity_id: String,
    /// Download the package to this file.
    #[arg(long, short)]
    output: Option<PathBuf>,
    #[command(flatten)]
    target: TargetOption,
}

#[derive(Debug, Args)]
struct AckArgs {
    /// The recurring data job's activity id.
    activity_id: String,
    /// The dequeue answer: JSON, or @FILE.
    #[arg(long, value_name = "JSON|@FILE")]
    message: String,
    #[command(flatten)]
    target: TargetOption,
}

#[derive(Debug, Args)]
struct StatusArgs {
    /// The recurring data job's activity id.
    activity_id: String,
    /// The message id the enqueue printed.
    job_id: String,
    #[command(flatten)]
    target: TargetOption,
}

/// Runs `flowbench queue …`.
pub fn run(args: &QueueArgs, token_env: Option<&str>) -> anyhow::Result<()> {
    match &args.command {
        QueueCommand::Enqueue(a) => {
            let content = std::fs::read(&a.file)
                .map_err(|e| usage(format!("cannot read {}: {e}", a.file.display())))?;
            let session = a.target.open(token_env)?;
            runtime()?.block_on(async {
                let id = queue::enqueue(
                    &session.client,
                    &a.activity_id,
                    a.entity.as_deref(),
                    a.company.as_deref(),
                    content,
                )
                .await
                .map_err(bulk_error)?;
                print_line(&id)?;
                // The embedded demo stops with this command: its processing is waited for.
                if a.target.demo {
                    for _ in 0..2400 {
                        let status = queue::job_status(&session.client, &a.activity_id, &id)
                            .await
                            .map_err(bulk_error)?;
                        if queue::job_state(&status) != Some("Processing") {
                            break;
                        }
                        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
                    }
                }
                Ok(())
            })
        }
        QueueCommand::Dequeue(a) => {
            let session = a.target.open(token_env)?;
            runtime()?.block_on(async {
                let Some(message) = queue::dequeue(&session.client, &a.activity_id)
                    .await
                    .map_err(bulk_error)?
                else {
                    eprintln!("Nothing to dequeue for {}", a.activity_id);
                    return Ok(());
                };
                if let Some(output) = &a.output {
                    let bytes = dmf::download(&session.client, &message.download_location)
                        .await
                        .map_err(bulk_error)?;
                    // Whole or not at all: through a part file renamed when complete.
                    super::export_file::write_bytes_atomically(output, &bytes)
                        .map_err(|e| usage(format!("{e:#}")))?;
                    eprintln!("Wrote {} ({} bytes)", output.display(), bytes.len());
                }
                print_json(&message.raw)
            })
        }
        QueueCommand::Ack(a) => {
            let message = read_data(&a.message)?;
            let session = a.target.open(token_env)?;
            runtime()?.block_on(async {
                queue::ack(&session.client, &a.activity_id, &message)
                    .await
                    .map_err(bulk_error)?;
                eprintln!(
                    "Acknowledged {}",
                    message
                        .get("CorrelationId")
                        .and_then(|v| v.as_str())
                        .unwrap_or("the message")
                );
                Ok(())
            })
        }
        QueueCommand::Status(a) => {
            let session = a.target.open(token_env)?;
            runtime()?.block_on(async {
                let status = queue::job_status(&session.client, &a.activity_id, &a.job_id)
                    .await
                    .map_err(bulk_error)?;
                print_json(&status)
            })
        }
    }
}
