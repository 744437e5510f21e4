//! Opening the demo database: pragmas, schema creation, reset and first-time seeding.

use std::path::Path;

use rusqlite::{Connection, OptionalExtension};
use sha2::{Digest, Sha256};

use super::ddl::schema_sql;
use super::error::DemoError;
use super::seed::seed;

/// Whether the database already holds seeded data.
pub fn is_seeded(conn: &Connection) -> Result<bool, DemoError> {
    let has_meta: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_demo_meta')",
        [],
        |r| r.get(0),
    )?;
    if !has_meta {
        return Ok(false);
    }
    let seeded: Option<String> = conn
        .query_row(
            "SELECT value FROM _demo_meta WHERE key = 'seeded'",
            [],
            |r| r.get(0),
        )
        .optional()?;
    Ok(seeded.is_some())
}

/// Opens (or creates) the database at `path`; seeds `rows` customers unless it is already
/// seeded. With `reset`, an existing file is deleted first.
pub fn open_database(path: &Path, reset: bool, rows: u64) -> Result<Connection, DemoError> {
    if reset {
        for suffix in ["", "-wal", "-shm", "-journal"] {
            let mut file = path.as_os_str().to_owned();
            file.push(suffix);
            match std::fs::remove_file(&file) {
                Ok(()) => {}
                Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
                Err(err) => return Err(err.into()),
            }
        }
    }
    let mut conn = Connection::open(path)?;
    // Every entity's reads and writes keep their prepared statements.
    conn.set_prepared_statement_cache_capacity(256);
    conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;")?;
    let fingerprint = schema_fingerprint();
    if is_seeded(&conn)? {
        let stored: Option<String> = conn
            .query_row(
                "SELECT value FROM _demo_meta WHERE key = 'schema'",
                [],
                |r| r.get(0),
            )
            .optional()?;
        if stored.as_deref() != Some(fingerprint.as_str()) {
            return Err(DemoError::Config(format!(
                "the database {} was created with another version of the demo schema; start with --reset to recreate it",
                path.display()
            )));
        }
        return Ok(conn);
    }
    conn.execute_batch(&schema_sql())?;
    // Written before the (all-or-nothing) seed transaction: a failed seed is simply redone.
    conn.execute(
        "INSERT OR REPLACE INTO _demo_meta (key, value) VALUES ('schema', ?1)",
        [fingerprint],
    )?;
    seed(&mut conn, rows)?;
    Ok(conn)
}

/// A fingerprint of the generated DDL, stored with the data to detect outdated databases.
pub fn schema_fingerprint() -> String {
    let digest = Sha256::digest(schema_sql().as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether `company` is one of the legal entities in the database.
pub fn company_exists(conn: &Connection, company: &str) -> Result<bool, DemoError> {
    let found: Option<i64> = conn
        .query_row(
            "SELECT 1 FROM \"LegalEntities\" WHERE \"LegalEntityId\" = ?1",
            [company],
            |r| r.get(0),
        )
        .optional()?;
    Ok(found.is_some())
}
