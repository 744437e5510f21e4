//! Opening the demo database: pragmas, schema creation, reset and first-time seeding.

use std::path::Path;

use rusqlite::{Connection, OptionalExtension};

use super::ddl::schema_sql;
use super::error::DemoError;
use super::seed::seed;

/// Whether the database already holds seeded data.
pub fn is_seeded(conn: &Connection) -> Result<bool, DemoError> {
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
    conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;")?;
    conn.execute_batch(&schema_sql())?;
    if !is_seeded(&conn)? {
        seed(&mut conn, rows)?;
    }
    Ok(conn)
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
