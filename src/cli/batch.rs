//! `flowbench batch FILE.json`: many requests in one `$batch`, with atomic changesets, and a
//! result per request (JSON on stdout, a summary on stderr).

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;

use super::connect::{InstanceOption, connect, print_json, runtime};
use super::exit;
use super::terminal::printable;
use crate::connector::batch::{Batch, BatchResult, BatchStatus, results_json, run_batch};

/// Arguments of `flowbench batch`.
#[derive(Debug, Args)]
pub struct BatchArgs {
    #[command(flatten)]
    instance: InstanceOption,
    /// The batch file: `{"requests": [...]}` (OData 4.01 JSON batch) or a plain array of
    /// requests (`id`, `method`, `url`, `headers`, `body`, `atomicityGroup`).
    file: PathBuf,
    /// Progress lines on stderr (requests sent, changesets done) even when it is not a
    /// terminal.
    #[arg(long)]
    progress: bool,
}

/// Sends the batch; exit code 0 when every request succeeded, 2 for an unreadable file,
/// 3 when a request failed (its changeset rolled back).
pub fn run(args: &BatchArgs, token_env: Option<&str>) -> i32 {
    match send(args, token_env) {
        Ok(results) if results.iter().all(BatchResult::succeeded) => exit::OK,
        Ok(_) => exit::RUNTIME,
        Err(Failure::File(message)) => {
            eprintln!("error: {}: {}", args.file.display(), printable(&message));
            exit::INVALID_INPUT
        }
        Err(Failure::Other(error)) => {
            eprintln!("error: {}", printable(&super::failure::describe(&error)));
            super::failure::exit_code(&error)
        }
    }
}

enum Failure {
    File(String),
    Other(anyhow::Error),
}

impl<E: Into<anyhow::Error>> From<E> for Failure {
    fn from(error: E) -> Self {
        Self::Other(error.into())
    }
}

fn send(args: &BatchArgs, token_env: Option<&str>) -> Result<Vec<BatchResult>, Failure> {
    let text = std::fs::read_to_string(&args.file).map_err(|e| Failure::File(e.to_string()))?;
    let batch = Batch::parse(&text).map_err(|e| Failure::File(e.0))?;
    let session = connect(&args.instance.instance, token_env)?;
    let show = super::progress::enabled(args.progress);
    let changesets = changesets(batch.requests.iter().map(|r| r.group.as_deref()));
    if show {
        eprintln!(
            "batch: sending {} requests ({changesets} changesets) in one $batch",
            batch.requests.len()
        );
    }
    let started = std::time::Instant::now();
    let results = runtime()?
        .block_on(run_batch(&session.client, &batch))
        .context("sending the $batch")?;
    if show {
        let done = changesets_done(&results);
        eprintln!(
            "batch: {} answers in {:.0} ms, {done} of {changesets} changesets done",
            results.len(),
            started.elapsed().as_secs_f64() * 1e3
        );
    }
    print_json(&results_json(&results))?;
    for line in summary(&results) {
        eprintln!("{}", printable(&line));
    }
    Ok(results)
}

/// Number of changesets: runs of consecutive requests of one atomicity group.
fn changesets<'a>(groups: impl Iterator<Item = Option<&'a str>>) -> usize {
    let mut count = 0;
    let mut previous = None;
    for group in groups {
        if group.is_some() && group != previous {
            count += 1;
        }
        previous = group;
    }
    count
}

/// Changesets whose every request succeeded (committed).
fn changesets_done(results: &[BatchResult]) -> usize {
    let mut done = 0;
    let mut index = 0;
    while index < results.len() {
        let Some(group) = &results[index].group else {
            index += 1;
            continue;
        };
        let members = results[index..]
            .iter()
            .take_while(|r| r.group.as_ref() == Some(group))
            .count();
        if results[index..index + members]
            .iter()
            .all(BatchResult::succeeded)
        {
            done += 1;
        }
        index += members;
    }
    done
}

/// A count of outcomes, then one line per failed request and what it took with it.
fn summary(results: &[BatchResult]) -> Vec<String> {
    let count =
        |wanted: fn(&BatchStatus) -> bool| results.iter().filter(|r| wanted(&r.outcome)).count();
    let mut lines = vec![format!(
        "{} requests: {} succeeded, {} failed, {} rolled back, {} not run",
        results.len(),
        count(|s| matches!(s, BatchStatus::Succeeded)),
        count(|s| matches!(s, BatchStatus::Failed(_))),
        count(|s| matches!(s, BatchStatus::RolledBack(_))),
        count(|s| matches!(s, BatchStatus::NotRun)),
    )];
    for failed in results {
        let BatchStatus::Failed(message) = &failed.outcome else {
            continue;
        };
        let status = failed.status.map(|s| format!(" ({s})")).unwrap_or_default();
        let mut line = format!(
            "request '{}' {} failed{status}: {message}",
            failed.id, failed.request
        );
        let rolled: Vec<&str> = results
            .iter()
            .filter(|r| r.outcome == BatchStatus::RolledBack(failed.id.clone()))
            .map(|r| r.id.as_str())
            .collect();
        if let Some(group) = &failed.group {
            line.push_str(&format!(
                "\n  changeset '{group}' was rolled back as a whole{}",
                if rolled.is_empty() {
                    String::new()
                } else {
                    format!(": {} not applied", rolled.join(", "))
                }
            ));
        }
        lines.push(line);
    }
    lines
}
