//! Run history in SQLite in the user's data directory: every run's record, listed newest
//! first and shown whole by id (or a unique prefix of it). A run is written as `Running` when
//! it starts (with the process that runs it); one whose process is gone when the history is
//! read is shown as `Interrupted`.

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use super::run::{ActionError, RunRecord, Status};
use super::run_owner::RunOwner;

mod retention;
pub use retention::Retention;

/// The status `list` shows for a run whose process ended before the run did.
pub const INTERRUPTED: &str = "Interrupted";

/// Why the history cannot be read or written.
#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    /// SQLite failed.
    #[error("run history ({path}): {source}")]
    Sqlite {
        /// The database file.
        path: String,
        /// What failed.
        source: rusqlite::Error,
    },
    /// A stored record is not readable.
    #[error("run history: run {id} is unreadable: {message}")]
    Corrupt {
        /// The run.
        id: String,
        /// Why.
        message: String,
    },
    /// An id prefix matches several runs.
    #[error("'{0}' matches several runs: give more of the id")]
    Ambiguous(String),
    /// No data directory on this machine.
    #[error("no data directory for the run history")]
    NoDataDir,
}

/// One line of `flowbench runs list`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RunSummary {
    /// The run's id.
    pub id: String,
    /// The flow's name.
    pub flow: String,
    /// How it ended.
    pub status: String,
    /// When it started.
    pub start_time: String,
    /// How long it took.
    pub duration_ms: u64,
    /// How many actions ran (iterations counted).
    pub actions: usize,
}

/// The user's data directory for flows (run history, trigger state); `FLOWBENCH_DATA_DIR`
/// overrides it. `None` when the system has no home directory.
pub fn data_dir() -> Option<PathBuf> {
    match std::env::var_os("FLOWBENCH_DATA_DIR") {
        Some(dir) => Some(PathBuf::from(dir)),
        None => directories::ProjectDirs::from("", "", "flowbench")
            .map(|dirs| dirs.data_dir().to_path_buf()),
    }
}

/// The run history database.
pub struct RunHistory {
    connection: Connection,
    path: PathBuf,
    retention: Retention,
    /// Finished runs saved through this handle (pruning runs every few).
    saves: std::cell::Cell<u32>,
}

impl RunHistory {
    /// The history in the user's data directory (`FLOWBENCH_DATA_DIR` overrides it).
    pub fn open_default() -> Result<Self, HistoryError> {
        let dir = data_dir().ok_or(HistoryError::NoDataDir)?;
        std::fs::create_dir_all(&dir).map_err(|e| HistoryError::Sqlite {
            path: dir.display().to_string(),
            source: rusqlite::Error::ToSqlConversionFailure(Box::new(e)),
        })?;
        Self::open(&dir.join("runs.sqlite"))
    }

    /// The history in `path` (created when missing). Several processes may open it at
    /// once (a run starting, `runs list`, the window): set-up happens in one immediate
    /// transaction, and a lock the busy handler cannot wait for is retried for a while.
    pub fn open(path: &Path) -> Result<Self, HistoryError> {
        let wrap = |source| HistoryError::Sqlite {
            path: path.display().to_string(),
            source,
        };
        let mut attempts = 0;
        loop {
            match Self::open_once(path) {
                Err(error) if is_busy(&error) && attempts < 50 => {
                    attempts += 1;
                    std::thread::sleep(std::time::Duration::from_millis(100));
                }
                Err(error) => return Err(wrap(error)),
                Ok(connection) => {
                    return Ok(Self {
                        connection,
                        path: path.to_path_buf(),
                        retention: Retention::default(),
                        saves: std::cell::Cell::new(0),
                    });
                }
            }
        }
    }

    fn open_once(path: &Path) -> rusqlite::Result<Connection> {
        let connection = Connection::open(path)?;
        // Another process may hold the lock a moment.
        connection.busy_timeout(std::time::Duration::from_secs(5))?;
        // WAL is kept in the file: switched once, not at every open.
        let mode: String = connection.query_row("PRAGMA journal_mode", [], |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            connection.execute_batch("PRAGMA journal_mode = WAL;")?;
        }
        connection.execute_batch(
            "BEGIN IMMEDIATE;
             CREATE TABLE IF NOT EXISTS runs (
                 id TEXT PRIMARY KEY,
                 flow TEXT NOT NULL,
                 status TEXT NOT NULL,
                 start_time TEXT NOT NULL,
                 duration_ms INTEGER NOT NULL,
                 actions INTEGER NOT NULL,
                 record TEXT NOT NULL,
                 owner_pid INTEGER,
                 owner_started INTEGER
             );
             CREATE INDEX IF NOT EXISTS runs_by_start ON runs (start_time DESC);
             CREATE INDEX IF NOT EXISTS runs_by_flow ON runs (flow, start_time DESC);",
        )?;
        // Histories written before runs recorded their process gain the columns (inside
        // the same transaction, so two processes never both add them).
        let has_owner = connection
            .prepare("SELECT 1 FROM pragma_table_info('runs') WHERE name = 'owner_pid'")
            .and_then(|mut s| s.exists([]))?;
        if !has_owner {
            connection.execute_batch(
                "ALTER TABLE runs ADD COLUMN owner_pid INTEGER;
                 ALTER TABLE runs ADD COLUMN owner_started INTEGER;",
            )?;
        }
        connection.execute_batch("COMMIT;")?;
        Ok(connection)
    }

    /// This history keeping what `retention` says rather than the default.
    pub fn with_retention(mut self, retention: Retention) -> Self {
        self.retention = retention;
        self
    }

    /// Removes the runs the retention does not keep (of `flow` for the count, of every flow
    /// for the age); [`Self::save`] does it every few finished runs. Returns how many went.
    pub fn prune(&self, flow: &str) -> Result<usize, HistoryError> {
        retention::prune(&self.connection, self.retention, flow, chrono::Utc::now())
            .map_err(|e| self.wrap(e))
    }

    fn wrap(&self, source: rusqlite::Error) -> HistoryError {
        HistoryError::Sqlite {
            path: self.path.display().to_string(),
            source,
        }
    }

    /// Writes a run that is starting as `Running`, owned by this process; [`Self::save`]
    /// replaces it when the run ends. If the process dies first, the history shows it as
    /// [`INTERRUPTED`].
    pub fn start(&self, id: &str, flow: &str, start_time: &str) -> Result<(), HistoryError> {
        let run = RunRecord {
            id: id.to_owned(),
            flow: flow.to_owned(),
            instance: None,
            status: Status::Running,
            error: None,
            trigger: serde_json::Value::Null,
            actions: Vec::new(),
            outputs: serde_json::Value::Null,
            response: None,
            start_time: start_time.to_owned(),
            end_time: String::new(),
            duration_ms: 0,
            rerun_of: None,
        };
        self.save(&run)?;
        let owner = RunOwner::current();
        self.connection
            .execute(
                "UPDATE runs SET owner_pid = ?2, owner_started = ?3 WHERE id = ?1",
                params![
                    id,
                    i64::from(owner.pid),
                    owner.started.and_then(|t| i64::try_from(t).ok())
                ],
            )
            .map_err(|e| self.wrap(e))?;
        Ok(())
    }

    /// Stores a run (already redacted by the runner).
    pub fn save(&self, run: &RunRecord) -> Result<(), HistoryError> {
        let record = serde_json::to_string(run).map_err(|e| HistoryError::Corrupt {
            id: run.id.clone(),
            message: e.to_string(),
        })?;
        self.connection
            .execute(
                "INSERT OR REPLACE INTO runs (id, flow, status, start_time, duration_ms, actions, record,
                     owner_pid, owner_started)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, NULL, NULL)",
                params![
                    run.id,
                    run.flow,
                    run.status.name(),
                    run.start_time,
                    i64::try_from(run.duration_ms).unwrap_or(i64::MAX),
                    i64::try_from(run.actions.len()).unwrap_or(i64::MAX),
                    record
                ],
            )
            .map_err(|e| self.wrap(e))?;
        if run.status != Status::Running {
            let saved = self.saves.get();
            self.saves.set(saved.wrapping_add(1));
            if saved.is_multiple_of(retention::PRUNE_EVERY)
                && let Err(err) = self.prune(&run.flow)
            {
                // The run is stored; an old one left a while longer is no loss.
                tracing::warn!("old runs not removed: {err}");
            }
        }
        Ok(())
    }

    /// The newest runs first, at most `limit`.
    pub fn list(&self, limit: usize) -> Result<Vec<RunSummary>, HistoryError> {
        let mut statement = self
            .connection
            .prepare(
                "SELECT id, flow, status, start_time, duration_ms, actions, owner_pid, owner_started
                 FROM runs ORDER BY start_time DESC LIMIT ?1",
            )
            .map_err(|e| self.wrap(e))?;
        let rows = statement
            .query_map(params![i64::try_from(limit).unwrap_or(i64::MAX)], |row| {
                let status: String = row.get(2)?;
                let gone = status == Status::Running.name() && owner_of(row, 6)?.is_gone();
                Ok(RunSummary {
                    id: row.get(0)?,
                    flow: row.get(1)?,
                    status: if gone { INTERRUPTED.to_owned() } else { status },
                    start_time: row.get(3)?,
                    duration_ms: u64::try_from(row.get::<_, i64>(4)?).unwrap_or_default(),
                    actions: usize::try_from(row.get::<_, i64>(5)?).unwrap_or_default(),
                })
            })
            .map_err(|e| self.wrap(e))?;
        rows.collect::<Result<Vec<_>, _>>()
            .map_err(|e| self.wrap(e))
    }

    /// The run whose id is `id` or starts with it; `None` when no run matches.
    pub fn get(&self, id: &str) -> Result<Option<RunRecord>, HistoryError> {
        let pattern = format!("{}%", id.replace(['%', '_'], ""));
        let mut statement = self
            .connection
            .prepare(
                "SELECT id, record, owner_pid, owner_started FROM runs WHERE id LIKE ?1 LIMIT 2",
            )
            .map_err(|e| self.wrap(e))?;
        let found: Vec<(String, String, RunOwner)> = statement
            .query_map(params![pattern], |row| {
                Ok((row.get(0)?, row.get(1)?, owner_of(row, 2)?))
            })
            .map_err(|e| self.wrap(e))?
            .collect::<Result<_, _>>()
            .map_err(|e| self.wrap(e))?;
        match found.as_slice() {
            [] => Ok(None),
            [(id, record, owner)] => {
                let mut run: RunRecord =
                    serde_json::from_str(record).map_err(|e| HistoryError::Corrupt {
                        id: id.clone(),
                        message: e.to_string(),
                    })?;
                if run.status == Status::Running && owner.is_gone() {
                    mark_interrupted(&mut run, owner.pid);
                }
                Ok(Some(run))
            }
            _ => Err(HistoryError::Ambiguous(id.to_owned())),
        }
    }

    /// Whether a run with exactly this id exists.
    pub fn contains(&self, id: &str) -> Result<bool, HistoryError> {
        self.connection
            .query_row("SELECT 1 FROM runs WHERE id = ?1", params![id], |_| Ok(()))
            .optional()
            .map(|found| found.is_some())
            .map_err(|e| self.wrap(e))
    }
}

/// The owner stored in columns `at` (pid) and `at + 1` (start time); a row without one (a
/// finished run, or one from before owners were stored) reads as pid 0, never gone.
fn owner_of(row: &rusqlite::Row<'_>, at: usize) -> rusqlite::Result<RunOwner> {
    let pid: Option<i64> = row.get(at)?;
    let started: Option<i64> = row.get(at + 1)?;
    Ok(match pid.and_then(|p| u32::try_from(p).ok()) {
        Some(pid) => RunOwner {
            pid,
            started: started.and_then(|t| u64::try_from(t).ok()),
        },
        None => RunOwner::current(),
    })
}

/// A run whose process ended before it did: cancelled, with an `Interrupted` error saying so.
fn mark_interrupted(run: &mut RunRecord, pid: u32) {
    run.status = Status::Cancelled;
    run.error = Some(ActionError {
        code: INTERRUPTED.to_owned(),
        message: format!(
            "the run did not finish: the process that ran it (pid {pid}) ended first (killed, crashed or the machine stopped); its actions were not recorded"
        ),
    });
}
/// Whether SQLite answered that another connection holds the database.
fn is_busy(error: &rusqlite::Error) -> bool {
    matches!(
        error,
        rusqlite::Error::SqliteFailure(failure, _)
            if matches!(
                failure.code,
                rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
            )
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn many_connections_opening_a_new_history_at_once_all_succeed() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("runs.sqlite");
        let start = std::sync::Arc::new(std::sync::Barrier::new(8));
        let openers: Vec<_> = (0..8)
            .map(|n| {
                let (path, start) = (path.clone(), std::sync::Arc::clone(&start));
                std::thread::Builder::new()
                    .name(format!("opener-{n}"))
                    .spawn(move || {
                        start.wait();
                        let history = RunHistory::open(&path)?;
                        history.start(&format!("run-{n}"), "flow", "2026-12-04T00:00:00Z")?;
                        Ok::<_, HistoryError>(())
                    })
                    .expect("thread starts")
            })
            .collect();
        for opener in openers {
            opener.join().expect("thread").expect("opened and written");
        }
        let history = RunHistory::open(&path).expect("opens");
        assert_eq!(history.list(100).expect("lists").len(), 8);
    }

    fn run(id: &str, flow: &str, start_time: &str, status: Status) -> RunRecord {
        RunRecord {
            id: id.to_owned(),
            flow: flow.to_owned(),
            instance: None,
            status,
            error: None,
            trigger: serde_json::Value::Null,
            actions: Vec::new(),
            outputs: serde_json::Value::Null,
            response: None,
            start_time: start_time.to_owned(),
            end_time: start_time.to_owned(),
            duration_ms: 1,
            rerun_of: None,
        }
    }

    #[test]
    fn old_runs_and_a_flows_runs_past_its_newest_go_and_others_stay() {
        let dir = tempfile::tempdir().expect("temp dir");
        let history = RunHistory::open(&dir.path().join("runs.sqlite"))
            .expect("opens")
            .with_retention(Retention {
                days: 30,
                runs_per_flow: 3,
            });
        let now = chrono::Utc::now();
        let at = |minutes_ago: i64| {
            crate::flow::run::timestamp(now - chrono::Duration::minutes(minutes_ago))
        };
        let long_ago = crate::flow::run::timestamp(now - chrono::Duration::days(31));
        history
            .save(&run("ancient", "other", &long_ago, Status::Succeeded))
            .expect("saved");
        history
            .save(&run("other-recent", "other", &at(1), Status::Failed))
            .expect("saved");
        history
            .start("under-way", "busy", &at(100))
            .expect("started");
        for n in 0..5 {
            history
                .save(&run(
                    &format!("busy-{n}"),
                    "busy",
                    &at(50 - n),
                    Status::Succeeded,
                ))
                .expect("saved");
        }
        history.prune("busy").expect("pruned");
        let mut kept: Vec<String> = history
            .list(100)
            .expect("lists")
            .into_iter()
            .map(|r| r.id)
            .collect();
        kept.sort();
        assert_eq!(
            kept,
            ["busy-2", "busy-3", "busy-4", "other-recent", "under-way"],
            "the ancient run, and busy's two oldest finished runs, are gone"
        );
    }

    #[test]
    fn saving_finished_runs_prunes_them_every_few() {
        let dir = tempfile::tempdir().expect("temp dir");
        let history = RunHistory::open(&dir.path().join("runs.sqlite"))
            .expect("opens")
            .with_retention(Retention {
                days: 90,
                runs_per_flow: 2,
            });
        let now = chrono::Utc::now();
        let total = retention::PRUNE_EVERY + 1;
        for n in 0..total {
            let at =
                crate::flow::run::timestamp(now - chrono::Duration::seconds(i64::from(total - n)));
            history
                .save(&run(&format!("r{n}"), "flow", &at, Status::Succeeded))
                .expect("saved");
        }
        // Pruned at the first save and at save number PRUNE_EVERY + 1 (the last).
        assert_eq!(history.list(1000).expect("lists").len(), 2);
    }
}
