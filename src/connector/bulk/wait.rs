//! Polling an execution until it ends, with a bounded wait and a progress callback.

use std::time::{Duration, Instant};

use super::{BulkError, ExecutionStatus, dmf};
use crate::odata::client::ODataClient;

/// How long to wait and how often to ask.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WaitOptions {
    /// Give up after this long.
    pub timeout: Duration,
    /// The first pause between polls; it doubles up to `max_interval`.
    pub interval: Duration,
    /// The longest pause between polls.
    pub max_interval: Duration,
}

impl Default for WaitOptions {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(600),
            interval: Duration::from_millis(250),
            max_interval: Duration::from_secs(5),
        }
    }
}

/// Polls `GetExecutionSummaryStatus` until the execution ends (a final status) or the
/// timeout passes; `progress` sees each status with the time waited so far.
pub async fn wait_for_execution(
    client: &ODataClient,
    execution_id: &str,
    options: WaitOptions,
    mut progress: impl FnMut(&ExecutionStatus, Duration),
) -> Result<ExecutionStatus, BulkError> {
    let started = Instant::now();
    let mut pause = options.interval;
    loop {
        let status = dmf::status(client, execution_id).await?;
        let waited = started.elapsed();
        progress(&status, waited);
        if status.is_final() {
            return Ok(status);
        }
        if waited >= options.timeout {
            return Err(BulkError::Timeout {
                execution: execution_id.to_owned(),
                last: status,
                waited_secs: waited.as_secs(),
            });
        }
        let left = options.timeout.saturating_sub(waited);
        tokio::time::sleep(pause.min(left)).await;
        pause = (pause * 2).min(options.max_interval);
    }
}
