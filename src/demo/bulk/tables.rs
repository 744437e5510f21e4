//! The bulk-data tables in the demo database: blobs (the stand-in for blob storage), data
//! projects, executions with their per-row errors, and the recurring-integration queues.
//! Created with `IF NOT EXISTS` next to the entity tables, outside the schema fingerprint,
//! so existing demo databases gain them without a reset.

use rusqlite::{Connection, OptionalExtension, params};

/// The DDL of the bulk-data tables.
const DDL: &str = "
CREATE TABLE IF NOT EXISTS _dmf_blobs (
  id TEXT PRIMARY KEY, name TEXT NOT NULL, sig TEXT NOT NULL, content BLOB, created TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS _dmf_projects (
  name TEXT PRIMARY KEY COLLATE NOCASE, entities TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS _dmf_executions (
  id TEXT PRIMARY KEY COLLATE NOCASE, project TEXT NOT NULL, operation TEXT NOT NULL,
  company TEXT NOT NULL, status TEXT NOT NULL, package_blob TEXT, created TEXT NOT NULL,
  summary TEXT NOT NULL DEFAULT '[]');
CREATE TABLE IF NOT EXISTS _dmf_errors (
  execution_id TEXT NOT NULL COLLATE NOCASE, entity TEXT NOT NULL, line INTEGER NOT NULL,
  keys TEXT NOT NULL, message TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS _dmf_error_files (
  execution_id TEXT NOT NULL COLLATE NOCASE, entity TEXT NOT NULL COLLATE NOCASE,
  blob_id TEXT NOT NULL, PRIMARY KEY (execution_id, entity));
CREATE TABLE IF NOT EXISTS _ri_jobs (
  activity_id TEXT PRIMARY KEY COLLATE NOCASE, direction TEXT NOT NULL, project TEXT NOT NULL,
  description TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS _ri_messages (
  id TEXT PRIMARY KEY COLLATE NOCASE, activity_id TEXT NOT NULL COLLATE NOCASE,
  seq INTEGER NOT NULL, status TEXT NOT NULL, blob_id TEXT NOT NULL, execution_id TEXT,
  pop_receipt TEXT, dequeued_at TEXT, created TEXT NOT NULL);
";

/// The recurring data jobs every demo database has: `(activity id, direction, project,
/// description)`. Import jobs take files of any entity (`?entity=`); the export job's
/// project is the entity set it exports.
pub const RECURRING_JOBS: &[(&str, &str, &str, &str)] = &[
    (
        "5d8c1c52-0001-4b7a-9a55-1d3f0e6b0001",
        "Import",
        "Recurring import",
        "Files and packages enqueued for import (any entity, ?entity=NAME)",
    ),
    (
        "5d8c1c52-0002-4b7a-9a55-1d3f0e6b0002",
        "Export",
        "CustomerGroups",
        "Customer groups of the default company, exported at each dequeue when none is waiting",
    ),
];

/// Creates the tables and the recurring jobs (idempotent); executions a stopped demo left
/// running are marked failed.
pub fn install(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch(DDL)?;
    for (id, direction, project, description) in RECURRING_JOBS {
        conn.execute(
            "INSERT OR IGNORE INTO _ri_jobs (activity_id, direction, project, description) VALUES (?1, ?2, ?3, ?4)",
            params![id, direction, project, description],
        )?;
    }
    conn.execute(
        "UPDATE _dmf_executions SET status = 'Failed' WHERE status = 'Executing'",
        [],
    )?;
    conn.execute(
        "UPDATE _ri_messages SET status = 'ProcessedWithErrors' WHERE status = 'Processing'",
        [],
    )?;
    Ok(())
}

/// The current UTC time as F&O writes it.
pub fn now() -> String {
    chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// A new lower-case GUID.
pub fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// A stored blob: its name and content (`None` until uploaded).
#[derive(Debug, Clone)]
pub struct Blob {
    /// The blob's id.
    pub id: String,
    /// The file name it was allocated for.
    pub name: String,
    /// The secret in its URL (the stand-in for a SAS token).
    pub sig: String,
    /// The content, once written.
    pub content: Option<Vec<u8>>,
}

/// Allocates a blob named `name`, optionally with its content.
pub fn new_blob(conn: &Connection, name: &str, content: Option<&[u8]>) -> rusqlite::Result<Blob> {
    let blob = Blob {
        id: new_id(),
        name: name.to_owned(),
        sig: uuid::Uuid::new_v4().simple().to_string(),
        content: content.map(<[u8]>::to_vec),
    };
    conn.execute(
        "INSERT INTO _dmf_blobs (id, name, sig, content, created) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![blob.id, blob.name, blob.sig, blob.content, now()],
    )?;
    Ok(blob)
}

/// The blob `id`.
pub fn blob(conn: &Connection, id: &str) -> rusqlite::Result<Option<Blob>> {
    conn.query_row(
        "SELECT id, name, sig, content FROM _dmf_blobs WHERE id = ?1",
        [id],
        |r| {
            Ok(Blob {
                id: r.get(0)?,
                name: r.get(1)?,
                sig: r.get(2)?,
                content: r.get(3)?,
            })
        },
    )
    .optional()
}

/// Writes the content of blob `id`.
pub fn write_blob(conn: &Connection, id: &str, content: &[u8]) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE _dmf_blobs SET content = ?2 WHERE id = ?1",
        params![id, content],
    )?;
    Ok(())
}

/// One execution of a data project.
#[derive(Debug, Clone)]
pub struct Execution {
    /// Its id.
    pub id: String,
    /// The data project.
    pub project: String,
    /// `Import` or `Export`.
    pub operation: String,
    /// The legal entity.
    pub company: String,
    /// `NotRun`, `Executing`, `Succeeded`, `PartiallySucceeded`, `Failed`, `Canceled`.
    pub status: String,
    /// The package imported, or the package exported.
    pub package_blob: Option<String>,
    /// Per-entity counts as a JSON array.
    pub summary: String,
}

/// Records a new execution.
pub fn insert_execution(conn: &Connection, execution: &Execution) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT OR REPLACE INTO _dmf_executions (id, project, operation, company, status, package_blob, created, summary) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            execution.id,
            execution.project,
            execution.operation,
            execution.company,
            execution.status,
            execution.package_blob,
            now(),
            execution.summary
        ],
    )?;
    conn.execute(
        "DELETE FROM _dmf_errors WHERE execution_id = ?1",
        [&execution.id],
    )?;
    conn.execute(
        "DELETE FROM _dmf_error_files WHERE execution_id = ?1",
        [&execution.id],
    )?;
    Ok(())
}

/// The execution `id`.
pub fn execution(conn: &Connection, id: &str) -> rusqlite::Result<Option<Execution>> {
    conn.query_row(
        "SELECT id, project, operation, company, status, package_blob, summary FROM _dmf_executions WHERE id = ?1",
        [id],
        |r| {
            Ok(Execution {
                id: r.get(0)?,
                project: r.get(1)?,
                operation: r.get(2)?,
                company: r.get(3)?,
                status: r.get(4)?,
                package_blob: r.get(5)?,
                summary: r.get(6)?,
            })
        },
    )
    .optional()
}

/// Ends an execution with `status`, the package it produced (exports) and its summary.
pub fn finish_execution(
    conn: &Connection,
    id: &str,
    status: &str,
    package_blob: Option<&str>,
    summary: &str,
) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE _dmf_executions SET status = ?2, package_blob = COALESCE(?3, package_blob), summary = ?4 WHERE id = ?1",
        params![id, status, package_blob, summary],
    )?;
    Ok(())
}

/// One row an import refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// The entity (as the package names it).
    pub entity: String,
    /// The line in the data file (the header is line 1).
    pub line: u64,
    /// The row's key fields and values, as a JSON object.
    pub keys: String,
    /// Why it was refused.
    pub message: String,
}

/// Records the errors of an execution.
pub fn insert_errors(
    conn: &Connection,
    execution_id: &str,
    errors: &[RowError],
) -> rusqlite::Result<()> {
    let mut statement = conn.prepare_cached(
        "INSERT INTO _dmf_errors (execution_id, entity, line, keys, message) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for error in errors {
        statement.execute(params![
            execution_id,
            error.entity,
            i64::try_from(error.line).unwrap_or(i64::MAX),
            error.keys,
            error.message
        ])?;
    }
    Ok(())
}

/// The errors of an execution, in line order.
pub fn errors(conn: &Connection, execution_id: &str) -> rusqlite::Result<Vec<RowError>> {
    let mut statement = conn.prepare_cached(
        "SELECT entity, line, keys, message FROM _dmf_errors WHERE execution_id = ?1 ORDER BY entity, line",
    )?;
    let rows = statement.query_map([execution_id], |r| {
        Ok(RowError {
            entity: r.get(0)?,
            line: u64::try_from(r.get::<_, i64>(1)?).unwrap_or(0),
            keys: r.get(2)?,
            message: r.get(3)?,
        })
    })?;
    rows.collect()
}

/// The entities of a data project an import created, if any.
pub fn project_entities(conn: &Connection, name: &str) -> rusqlite::Result<Option<String>> {
    conn.query_row(
        "SELECT entities FROM _dmf_projects WHERE name = ?1",
        [name],
        |r| r.get(0),
    )
    .optional()
}

/// Records (or replaces) a data project and its entities.
pub fn save_project(conn: &Connection, name: &str, entities: &str) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT OR REPLACE INTO _dmf_projects (name, entities) VALUES (?1, ?2)",
        params![name, entities],
    )?;
    Ok(())
}
