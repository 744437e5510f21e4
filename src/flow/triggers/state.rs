//! What automatic triggers remember across restarts, in SQLite next to the run history:
//! the polling state of each watched entity, the queue of trigger firings not yet started
//! (so that one change starts one run, never two, and none is lost), and the events
//! received with the runs each one started.

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OptionalExtension, params};
use serde_json::Value;

/// A trigger state database error, naming the file.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    /// SQLite failed.
    #[error("trigger state {path}: {source}")]
    Sqlite {
        /// The database file.
        path: String,
        /// The failure.
        #[source]
        source: rusqlite::Error,
    },
    /// No data directory.
    #[error("no data directory for the trigger state (set FLOWBENCH_DATA_DIR)")]
    NoDataDir,
    /// Stored JSON that does not read back.
    #[error("trigger state {path}: stored value is not JSON: {message}")]
    Corrupt {
        /// The database file.
        path: String,
        /// The parser's message.
        message: String,
    },
}

/// A firing waiting for its run.
#[derive(Debug, Clone, PartialEq)]
pub struct Pending {
    /// Queue position (increasing).
    pub id: i64,
    /// The event it belongs to.
    pub event_id: String,
    /// The trigger body of the run.
    pub body: Value,
}

/// An event received by a trigger (a delivery, a poll's change, a schedule tick).
#[derive(Debug, Clone, PartialEq)]
pub struct ReceivedEvent {
    /// Its id.
    pub id: String,
    /// The watch it arrived on.
    pub watch: String,
    /// When it arrived (RFC 3339).
    pub received: String,
    /// What arrived (before `splitOn` and conditions).
    pub body: Value,
    /// Runs it started, in order.
    pub runs: Vec<String>,
    /// Why it started none, when it did not (conditions not met, …).
    pub note: Option<String>,
}

/// The polling state of one watched entity.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PollState {
    /// The largest watermark value seen (watermark detection).
    pub watermark: Option<String>,
    /// Key → content fingerprint (content detection), or the keys seen at the watermark.
    pub seen: serde_json::Map<String, Value>,
}

/// The trigger state database.
pub struct TriggerState {
    connection: Connection,
    path: PathBuf,
}

impl TriggerState {
    /// The state in the user's data directory (`FLOWBENCH_DATA_DIR` overrides it).
    pub fn open_default() -> Result<Self, StateError> {
        let dir = crate::flow::history::data_dir().ok_or(StateError::NoDataDir)?;
        std::fs::create_dir_all(&dir).map_err(|e| StateError::Sqlite {
            path: dir.display().to_string(),
            source: rusqlite::Error::ToSqlConversionFailure(Box::new(e)),
        })?;
        Self::open(&dir.join("triggers.sqlite"))
    }

    /// The state in `path` (created when missing).
    pub fn open(path: &Path) -> Result<Self, StateError> {
        let wrap = |source| StateError::Sqlite {
            path: path.display().to_string(),
            source,
        };
        let connection = Connection::open(path).map_err(wrap)?;
        connection
            .busy_timeout(std::time::Duration::from_secs(5))
            .map_err(wrap)?;
        connection
            .execute_batch(
                "PRAGMA journal_mode = WAL;
                 CREATE TABLE IF NOT EXISTS poll_state (
                     watch TEXT PRIMARY KEY,
                     watermark TEXT,
                     seen TEXT NOT NULL
                 );
                 CREATE TABLE IF NOT EXISTS pending (
                     id INTEGER PRIMARY KEY AUTOINCREMENT,
                     watch TEXT NOT NULL,
                     event_id TEXT NOT NULL,
                     body TEXT NOT NULL
                 );
                 CREATE TABLE IF NOT EXISTS events (
                     id TEXT PRIMARY KEY,
                     watch TEXT NOT NULL,
                     received TEXT NOT NULL,
                     body TEXT NOT NULL,
                     runs TEXT NOT NULL DEFAULT '[]',
                     note TEXT
                 );
                 CREATE INDEX IF NOT EXISTS events_by_watch ON events (watch, received);",
            )
            .map_err(wrap)?;
        Ok(Self {
            connection,
            path: path.to_path_buf(),
        })
    }

    fn wrap(&self, source: rusqlite::Error) -> StateError {
        StateError::Sqlite {
            path: self.path.display().to_string(),
            source,
        }
    }

    fn parse(&self, text: &str) -> Result<Value, StateError> {
        serde_json::from_str(text).map_err(|e| StateError::Corrupt {
            path: self.path.display().to_string(),
            message: e.to_string(),
        })
    }

    /// The polling state of `watch` (`None` before its first poll).
    pub fn poll_state(&self, watch: &str) -> Result<Option<PollState>, StateError> {
        let row: Option<(Option<String>, String)> = self
            .connection
            .query_row(
                "SELECT watermark, seen FROM poll_state WHERE watch = ?1",
                params![watch],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()
            .map_err(|e| self.wrap(e))?;
        let Some((watermark, seen)) = row else {
            return Ok(None);
        };
        let seen = match self.parse(&seen)? {
            Value::Object(map) => map,
            _ => serde_json::Map::new(),
        };
        Ok(Some(PollState { watermark, seen }))
    }

    /// Stores a poll's outcome in one transaction: the new state and an event (with its
    /// queued runs) per change. Either all of it is kept or none.
    pub fn record_poll(
        &mut self,
        watch: &str,
        state: &PollState,
        events: &[(ReceivedEvent, Vec<Value>)],
    ) -> Result<(), StateError> {
        let path = self.path.display().to_string();
        let wrap = |source| StateError::Sqlite {
            path: path.clone(),
            source,
        };
        let tx = self.connection.transaction().map_err(wrap)?;
        tx.execute(
            "INSERT INTO poll_state (watch, watermark, seen) VALUES (?1, ?2, ?3)
             ON CONFLICT (watch) DO UPDATE SET watermark = excluded.watermark, seen = excluded.seen",
            params![
                watch,
                state.watermark,
                Value::Object(state.seen.clone()).to_string()
            ],
        )
        .map_err(wrap)?;
        for (event, bodies) in events {
            insert_event(&tx, event, bodies).map_err(wrap)?;
        }
        tx.commit().map_err(wrap)
    }

    /// Stores a received event and queues a run per body, in one transaction.
    pub fn receive(&mut self, event: &ReceivedEvent, bodies: &[Value]) -> Result<(), StateError> {
        let path = self.path.display().to_string();
        let wrap = |source| StateError::Sqlite {
            path: path.clone(),
            source,
        };
        let tx = self.connection.transaction().map_err(wrap)?;
        insert_event(&tx, event, bodies).map_err(wrap)?;
        tx.commit().map_err(wrap)
    }

    /// The oldest firing of `watch` waiting for its run.
    pub fn next_pending(&self, watch: &str) -> Result<Option<Pending>, StateError> {
        let row: Option<(i64, String, String)> = self
            .connection
            .query_row(
                "SELECT id, event_id, body FROM pending WHERE watch = ?1 ORDER BY id LIMIT 1",
                params![watch],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
            )
            .optional()
            .map_err(|e| self.wrap(e))?;
        match row {
            None => Ok(None),
            Some((id, event_id, body)) => Ok(Some(Pending {
                id,
                event_id,
                body: self.parse(&body)?,
            })),
        }
    }

    /// How many firings of `watch` wait for their run.
    pub fn pending_count(&self, watch: &str) -> Result<usize, StateError> {
        self.connection
            .query_row(
                "SELECT COUNT(*) FROM pending WHERE watch = ?1",
                params![watch],
                |row| row.get::<_, i64>(0),
            )
            .map(|n| usize::try_from(n).unwrap_or(0))
            .map_err(|e| self.wrap(e))
    }

    /// Takes `pending` off the queue and notes that it started `run_id`, in one
    /// transaction: a firing starts one run, never two.
    pub fn start(&mut self, pending: &Pending, run_id: &str) -> Result<(), StateError> {
        let path = self.path.display().to_string();
        let wrap = |source| StateError::Sqlite {
            path: path.clone(),
            source,
        };
        let tx = self.connection.transaction().map_err(wrap)?;
        tx.execute("DELETE FROM pending WHERE id = ?1", params![pending.id])
            .map_err(wrap)?;
        let runs: Option<String> = tx
            .query_row(
                "SELECT runs FROM events WHERE id = ?1",
                params![pending.event_id],
                |row| row.get(0),
            )
            .optional()
            .map_err(wrap)?;
        let mut list: Vec<Value> = runs
            .and_then(|text| serde_json::from_str(&text).ok())
            .unwrap_or_default();
        list.push(Value::String(run_id.to_owned()));
        tx.execute(
            "UPDATE events SET runs = ?2 WHERE id = ?1",
            params![pending.event_id, Value::Array(list).to_string()],
        )
        .map_err(wrap)?;
        tx.commit().map_err(wrap)
    }

    /// The events received by the flow named `flow` on any instance, newest first (at most
    /// `limit`).
    pub fn events_of_flow(
        &self,
        flow: &str,
        limit: usize,
    ) -> Result<Vec<ReceivedEvent>, StateError> {
        let mut statement = self
            .connection
            .prepare("SELECT DISTINCT watch FROM events")
            .map_err(|e| self.wrap(e))?;
        let watches: Vec<String> = statement
            .query_map([], |row| row.get(0))
            .map_err(|e| self.wrap(e))?
            .collect::<Result<_, _>>()
            .map_err(|e| self.wrap(e))?;
        let mut all = Vec::new();
        for watch in watches
            .iter()
            .filter(|w| w.rsplit_once('|').is_some_and(|(_, f)| f == flow))
        {
            all.extend(self.events(watch, limit)?);
        }
        all.sort_by(|a, b| b.received.cmp(&a.received));
        all.truncate(limit);
        Ok(all)
    }

    /// One received event by its id, or a unique start of it.
    pub fn event(&self, id: &str) -> Result<Option<ReceivedEvent>, StateError> {
        let watch: Option<String> = self
            .connection
            .query_row(
                "SELECT watch FROM events WHERE id LIKE ?1 || '%' LIMIT 2",
                params![id],
                |row| row.get(0),
            )
            .optional()
            .map_err(|e| self.wrap(e))?;
        let Some(watch) = watch else {
            return Ok(None);
        };
        let matches: Vec<ReceivedEvent> = self
            .events(&watch, usize::MAX)?
            .into_iter()
            .filter(|e| e.id.starts_with(id))
            .collect();
        Ok(match matches.as_slice() {
            [one] => Some(one.clone()),
            _ => None,
        })
    }

    /// The events received on `watch`, newest first (at most `limit`).
    pub fn events(&self, watch: &str, limit: usize) -> Result<Vec<ReceivedEvent>, StateError> {
        let mut statement = self
            .connection
            .prepare(
                "SELECT id, watch, received, body, runs, note FROM events
                 WHERE watch = ?1 ORDER BY received DESC, rowid DESC LIMIT ?2",
            )
            .map_err(|e| self.wrap(e))?;
        let rows = statement
            .query_map(
                params![watch, i64::try_from(limit).unwrap_or(i64::MAX)],
                |row| {
                    Ok((
                        row.get::<_, String>(0)?,
                        row.get::<_, String>(1)?,
                        row.get::<_, String>(2)?,
                        row.get::<_, String>(3)?,
                        row.get::<_, String>(4)?,
                        row.get::<_, Option<String>>(5)?,
                    ))
                },
            )
            .map_err(|e| self.wrap(e))?;
        let mut out = Vec::new();
        for row in rows {
            let (id, watch, received, body, runs, note) = row.map_err(|e| self.wrap(e))?;
            let runs = match self.parse(&runs)? {
                Value::Array(list) => list
                    .into_iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect(),
                _ => Vec::new(),
            };
            out.push(ReceivedEvent {
                id,
                watch,
                received,
                body: self.parse(&body)?,
                runs,
                note,
            });
        }
        Ok(out)
    }
}

fn insert_event(
    tx: &rusqlite::Transaction<'_>,
    event: &ReceivedEvent,
    bodies: &[Value],
) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO events (id, watch, received, body, runs, note) VALUES (?1, ?2, ?3, ?4, '[]', ?5)",
        params![
            event.id,
            event.watch,
            event.received,
            event.body.to_string(),
            event.note
        ],
    )?;
    for body in bodies {
        tx.execute(
            "INSERT INTO pending (watch, event_id, body) VALUES (?1, ?2, ?3)",
            params![event.watch, event.id, body.to_string()],
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn event(id: &str) -> ReceivedEvent {
        ReceivedEvent {
            id: id.to_owned(),
            watch: "w".to_owned(),
            received: format!("2026-01-01T00:00:0{id}Z"),
            body: json!({"id": id}),
            runs: Vec::new(),
            note: None,
        }
    }

    #[test]
    fn queued_firings_start_once_in_order_and_survive_reopening() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("t.sqlite");
        {
            let mut state = TriggerState::open(&path).expect("opens");
            state
                .receive(&event("1"), &[json!({"n": 1}), json!({"n": 2})])
                .expect("stored");
            state
                .receive(&event("2"), &[json!({"n": 3})])
                .expect("stored");
            let first = state.next_pending("w").expect("reads").expect("queued");
            assert_eq!(first.body, json!({"n": 1}));
            state.start(&first, "run-a").expect("started");
        }
        let mut state = TriggerState::open(&path).expect("reopens");
        assert_eq!(state.pending_count("w").expect("count"), 2);
        let next = state.next_pending("w").expect("reads").expect("queued");
        assert_eq!(next.body, json!({"n": 2}));
        state.start(&next, "run-b").expect("started");
        let events = state.events("w", 10).expect("events");
        assert_eq!(events.len(), 2);
        assert_eq!(events[1].runs, vec!["run-a", "run-b"]);
        assert!(events[0].runs.is_empty());
        assert_eq!(state.pending_count("other").expect("count"), 0);
        let by_flow = state.events_of_flow("w", 10).expect("events");
        assert!(by_flow.is_empty(), "watch keys are instance|flow");
        let found = state.event("1").expect("reads").expect("found");
        assert_eq!(found.body, json!({"id": "1"}));
        assert_eq!(state.event("nope").expect("reads"), None);
    }

    #[test]
    fn events_are_found_by_flow_across_instances() {
        let dir = tempfile::tempdir().expect("dir");
        let mut state = TriggerState::open(&dir.path().join("t.sqlite")).expect("opens");
        let mut first = event("1");
        first.watch = "demo|Orders".into();
        let mut second = event("2");
        second.watch = "prod|Orders".into();
        let mut other = event("3");
        other.watch = "demo|Other".into();
        for e in [&first, &second, &other] {
            state.receive(e, &[]).expect("stored");
        }
        let ids: Vec<String> = state
            .events_of_flow("Orders", 10)
            .expect("events")
            .into_iter()
            .map(|e| e.id)
            .collect();
        assert_eq!(ids, vec!["2", "1"], "newest first");
    }

    #[test]
    fn poll_state_and_its_events_are_stored_together() {
        let dir = tempfile::tempdir().expect("dir");
        let mut state = TriggerState::open(&dir.path().join("t.sqlite")).expect("opens");
        assert_eq!(state.poll_state("w").expect("reads"), None);
        let mut seen = serde_json::Map::new();
        seen.insert("usmf,1".into(), json!("abc"));
        let poll = PollState {
            watermark: Some("2026-01-01T00:00:00Z".into()),
            seen,
        };
        state
            .record_poll("w", &poll, &[(event("1"), vec![json!({"k": 1})])])
            .expect("stored");
        assert_eq!(state.poll_state("w").expect("reads"), Some(poll));
        assert_eq!(state.pending_count("w").expect("count"), 1);
        // The same event id twice is refused and leaves the state as it was.
        let again = PollState::default();
        assert!(
            state
                .record_poll("w", &again, &[(event("1"), vec![])])
                .is_err()
        );
        assert_ne!(state.poll_state("w").expect("reads"), Some(again));
    }
}
