//! How long the run history keeps runs, as the cloud keeps its run history for a while and
//! not for ever: runs older than [`Retention::days`] go, and of each flow only its newest
//! [`Retention::runs_per_flow`] finished runs stay (a watched schedule or a data-driven run
//! of thousands of rows would otherwise grow the file without end). A run under way is never
//! removed for the count; one started before the age limit is, whatever its status (its
//! process is long gone).

use rusqlite::{Connection, params};

/// What the history keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    /// Runs started more than this many days ago are removed (Logic Apps' default: 90).
    pub days: u32,
    /// Finished runs kept per flow, the newest.
    pub runs_per_flow: usize,
}

impl Default for Retention {
    fn default() -> Self {
        Self {
            days: 90,
            runs_per_flow: 1000,
        }
    }
}

/// Saves between two prunings of a flow's runs (and the first save prunes).
pub(super) const PRUNE_EVERY: u32 = 64;

/// Removes what `retention` does not keep: every run started before `now` minus its days,
/// and `flow`'s finished runs past the newest `runs_per_flow`. Returns how many went.
pub(super) fn prune(
    connection: &Connection,
    retention: Retention,
    flow: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> rusqlite::Result<usize> {
    let cutoff =
        crate::flow::run::timestamp(now - chrono::Duration::days(i64::from(retention.days)));
    let old = connection.execute("DELETE FROM runs WHERE start_time < ?1", params![cutoff])?;
    let surplus = connection.execute(
        "DELETE FROM runs WHERE id IN (
             SELECT id FROM runs WHERE flow = ?1 AND status != 'Running'
             ORDER BY start_time DESC LIMIT -1 OFFSET ?2)",
        params![
            flow,
            i64::try_from(retention.runs_per_flow).unwrap_or(i64::MAX)
        ],
    )?;
    Ok(old + surplus)
}
