//! The data layer: reads and writes entity rows. Every operation takes a `&Connection`, so a
//! `Transaction` (a `$batch` changeset) works as well.

use rusqlite::types::Value as SqlValue;
use rusqlite::{Connection, OptionalExtension, params_from_iter};
use serde_json::{Map, Value};

use super::ddl::{VERSION_COLUMN, quote};
use super::events::{ChangeEvent, ChangeKind};
use super::query::sql::{SqlCondition, column_expr};
use super::schema::{COMPANY_FIELD, EntityDef};
use super::values::sql_to_json;

/// One stored row: field values in the entity's field order, plus its row version.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// Values in [`EntityDef::fields`] order.
    pub values: Vec<SqlValue>,
    /// Row version (changes on every write; drives the ETag).
    pub version: i64,
}

impl Record {
    /// The value of a field by name.
    pub fn get(&self, entity: &EntityDef, name: &str) -> Option<&SqlValue> {
        let index = entity.fields.iter().position(|f| f.name == name)?;
        self.values.get(index)
    }

    /// The weak ETag of this row version.
    pub fn etag(&self) -> String {
        format!("W/\"{}\"", self.version)
    }

    /// The key values in key-field order.
    pub fn key_values(&self, entity: &EntityDef) -> Vec<SqlValue> {
        entity
            .fields
            .iter()
            .zip(&self.values)
            .filter(|(f, _)| f.key)
            .map(|(_, v)| v.clone())
            .collect()
    }

    /// The record as OData JSON properties (no annotations), optionally restricted.
    pub fn to_json(&self, entity: &EntityDef, select: Option<&[String]>) -> Map<String, Value> {
        let mut map = Map::new();
        for (field, value) in entity.fields.iter().zip(&self.values) {
            if select.is_some_and(|s| !s.iter().any(|n| n == field.name)) {
                continue;
            }
            map.insert(field.name.to_owned(), sql_to_json(field, value.into()));
        }
        map
    }

    /// The change event describing this record.
    pub fn change_event(&self, entity: &EntityDef, kind: ChangeKind) -> ChangeEvent {
        let record = self.to_json(entity, None);
        let keys = entity
            .key_fields()
            .filter_map(|f| record.get(f.name).map(|v| (f.name.to_owned(), v.clone())))
            .collect();
        let company = if entity.company_scoped {
            record
                .get(COMPANY_FIELD)
                .and_then(Value::as_str)
                .map(str::to_owned)
        } else {
            None
        };
        ChangeEvent {
            entity_set: entity.set.to_owned(),
            company,
            keys,
            kind,
            record: Value::Object(record),
        }
    }
}

fn column_list(entity: &EntityDef) -> String {
    let mut cols: Vec<String> = entity.fields.iter().map(|f| quote(f.name)).collect();
    cols.push(VERSION_COLUMN.to_owned());
    cols.join(", ")
}

fn read_record(row: &rusqlite::Row<'_>, width: usize) -> rusqlite::Result<Record> {
    let mut values = Vec::with_capacity(width);
    for i in 0..width {
        values.push(row.get::<_, SqlValue>(i)?);
    }
    Ok(Record {
        values,
        version: row.get(width)?,
    })
}

fn where_clause(condition: &SqlCondition) -> String {
    if condition.sql.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", condition.sql)
    }
}

/// The key condition of an entity for key values in key-field order.
pub fn key_condition(entity: &EntityDef, key: &[SqlValue]) -> SqlCondition {
    SqlCondition::all(
        entity
            .key_fields()
            .zip(key)
            .map(|(f, v)| SqlCondition::equals(f.name, v.clone()))
            .collect(),
    )
}

/// The `SELECT` of rows matching `condition`, ordered by `order_by` then the key (stable
/// paging): the record's columns, then its row version.
fn select_sql(
    entity: &EntityDef,
    condition: &SqlCondition,
    order_by: &[(String, bool)],
    limit: Option<u64>,
    offset: u64,
) -> String {
    let mut order: Vec<String> = order_by
        .iter()
        .filter_map(|(name, desc)| {
            entity
                .field(name)
                .map(|f| format!("{} {}", column_expr(f), if *desc { "DESC" } else { "ASC" }))
        })
        .collect();
    order.extend(entity.key_fields().map(|f| quote(f.name)));
    let limit = limit.map_or(-1, |l| i64::try_from(l).unwrap_or(i64::MAX));
    let offset = i64::try_from(offset).unwrap_or(i64::MAX);
    format!(
        "SELECT {} FROM {}{} ORDER BY {} LIMIT {limit} OFFSET {offset}",
        column_list(entity),
        quote(entity.table()),
        where_clause(condition),
        order.join(", ")
    )
}

/// Selects rows matching `condition`, ordered by `order_by` then the key (stable paging).
pub fn select(
    conn: &Connection,
    entity: &EntityDef,
    condition: &SqlCondition,
    order_by: &[(String, bool)],
    limit: Option<u64>,
    offset: u64,
) -> rusqlite::Result<Vec<Record>> {
    let sql = select_sql(entity, condition, order_by, limit, offset);
    let mut statement = conn.prepare_cached(&sql)?;
    let width = entity.fields.len();
    let rows = statement.query_map(params_from_iter(condition.params.iter()), |row| {
        read_record(row, width)
    })?;
    rows.collect()
}

/// The same rows as [`select`], handed to `visit` as SQLite rows (columns in field order,
/// then the row version) without building records: for answers written straight to bytes.
pub fn visit_rows(
    conn: &Connection,
    entity: &EntityDef,
    condition: &SqlCondition,
    order_by: &[(String, bool)],
    limit: Option<u64>,
    offset: u64,
    mut visit: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<()>,
) -> rusqlite::Result<()> {
    let sql = select_sql(entity, condition, order_by, limit, offset);
    let mut statement = conn.prepare_cached(&sql)?;
    let mut rows = statement.query(params_from_iter(condition.params.iter()))?;
    while let Some(row) = rows.next()? {
        visit(row)?;
    }
    Ok(())
}

/// Counts rows matching `condition`.
pub fn count(
    conn: &Connection,
    entity: &EntityDef,
    condition: &SqlCondition,
) -> rusqlite::Result<u64> {
    let sql = format!(
        "SELECT COUNT(*) FROM {}{}",
        quote(entity.table()),
        where_clause(condition)
    );
    let n: i64 = conn
        .prepare_cached(&sql)?
        .query_row(params_from_iter(condition.params.iter()), |r| r.get(0))?;
    Ok(u64::try_from(n).unwrap_or(0))
}

/// Finds one row by key values (key-field order).
pub fn find(
    conn: &Connection,
    entity: &EntityDef,
    key: &[SqlValue],
) -> rusqlite::Result<Option<Record>> {
    let condition = key_condition(entity, key);
    let sql = format!(
        "SELECT {} FROM {}{}",
        column_list(entity),
        quote(entity.table()),
        where_clause(&condition)
    );
    let width = entity.fields.len();
    conn.prepare_cached(&sql)?
        .query_row(params_from_iter(condition.params.iter()), |row| {
            read_record(row, width)
        })
        .optional()
}

/// Takes the next global row version.
pub fn next_version(conn: &Connection) -> rusqlite::Result<i64> {
    bump_counter(conn, "version")
}

/// Adds one to the counter `key` of `_demo_meta` (a missing one starts at 1) and returns it.
/// An `UPDATE` then a `SELECT`, not an upsert with `RETURNING`: SQLite gives that one a
/// statement journal inside a write, whose memory glibc returned to the kernel (`madvise`)
/// after every statement: nearly a third of a create in the demo (PERFORMANCE item 4). In a
/// write the `UPDATE` holds the write lock until it ends, so the `SELECT` reads this
/// connection's own value; alone, the two run in a savepoint of their own for the same
/// reason.
fn bump_counter(conn: &Connection, key: &str) -> rusqlite::Result<i64> {
    let alone = conn.is_autocommit();
    if alone {
        conn.prepare_cached("SAVEPOINT demo_counter")?.execute([])?;
    }
    let bumped = (|| {
        let updated = conn
            .prepare_cached(
                "UPDATE _demo_meta SET value = CAST(value AS INTEGER) + 1 WHERE key = ?1",
            )?
            .execute([key])?;
        if updated == 0 {
            conn.prepare_cached("INSERT INTO _demo_meta (key, value) VALUES (?1, '1')")?
                .execute([key])?;
        }
        conn.prepare_cached("SELECT CAST(value AS INTEGER) FROM _demo_meta WHERE key = ?1")?
            .query_row([key], |r| r.get(0))
    })();
    if alone {
        if bumped.is_err() {
            conn.prepare_cached("ROLLBACK TO demo_counter")?
                .execute([])?;
        }
        conn.prepare_cached("RELEASE demo_counter")?.execute([])?;
    }
    bumped
}

/// Inserts a complete row (values in field order) with a fresh version.
pub fn insert(
    conn: &Connection,
    entity: &EntityDef,
    values: Vec<SqlValue>,
) -> rusqlite::Result<Record> {
    let version = next_version(conn)?;
    let version_value = SqlValue::Integer(version);
    INSERT_SQL.with(|cache| {
        let mut cache = cache.borrow_mut();
        let sql = cache.entry(entity.table()).or_insert_with(|| {
            let placeholders = vec!["?"; entity.fields.len() + 1].join(", ");
            format!(
                "INSERT INTO {} ({}) VALUES ({placeholders})",
                quote(entity.table()),
                column_list(entity)
            )
        });
        conn.prepare_cached(sql)?.execute(params_from_iter(
            values.iter().chain(std::iter::once(&version_value)),
        ))
    })?;
    Ok(Record { values, version })
}

/// Whether `error` is a row whose key is already taken (the table's primary key).
pub fn is_duplicate_key(error: &rusqlite::Error) -> bool {
    matches!(
        error,
        rusqlite::Error::SqliteFailure(failure, _)
            if failure.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY
    )
}

thread_local! {
    /// Each entity's `INSERT` text, built once per thread (the statement itself is cached
    /// by the connection).
    static INSERT_SQL: std::cell::RefCell<std::collections::HashMap<&'static str, String>> =
        std::cell::RefCell::new(std::collections::HashMap::new());
}

/// Updates fields (by index) of the row with `key`; returns the new row, `None` if missing.
pub fn update(
    conn: &Connection,
    entity: &EntityDef,
    key: &[SqlValue],
    changes: &[(usize, SqlValue)],
) -> rusqlite::Result<Option<Record>> {
    let version = next_version(conn)?;
    let mut sets: Vec<String> = changes
        .iter()
        .filter_map(|(i, _)| {
            entity
                .fields
                .get(*i)
                .map(|f| format!("{} = ?", quote(f.name)))
        })
        .collect();
    sets.push(format!("{VERSION_COLUMN} = ?"));
    let condition = key_condition(entity, key);
    let sql = format!(
        "UPDATE {} SET {}{}",
        quote(entity.table()),
        sets.join(", "),
        where_clause(&condition)
    );
    let mut params: Vec<SqlValue> = changes.iter().map(|(_, v)| v.clone()).collect();
    params.push(SqlValue::Integer(version));
    params.extend(condition.params.iter().cloned());
    let changed = conn
        .prepare_cached(&sql)?
        .execute(params_from_iter(params.iter()))?;
    if changed == 0 {
        return Ok(None);
    }
    find(conn, entity, key)
}

/// Deletes the row with `key`; returns whether a row was deleted.
pub fn delete(conn: &Connection, entity: &EntityDef, key: &[SqlValue]) -> rusqlite::Result<bool> {
    let condition = key_condition(entity, key);
    let sql = format!(
        "DELETE FROM {}{}",
        quote(entity.table()),
        where_clause(&condition)
    );
    Ok(conn
        .prepare_cached(&sql)?
        .execute(params_from_iter(condition.params.iter()))?
        > 0)
}

/// Runs `work` inside a savepoint: committed on `Ok`, rolled back on `Err`. Savepoints nest, so
/// this works both on a plain connection and inside a caller's transaction.
pub fn with_savepoint<T, E: From<rusqlite::Error>>(
    conn: &Connection,
    work: impl FnOnce(&Connection) -> Result<T, E>,
) -> Result<T, E> {
    // Cached statements: a batch of creates runs these once per record.
    conn.prepare_cached("SAVEPOINT demo_write")?.execute([])?;
    match work(conn) {
        Ok(value) => {
            conn.prepare_cached("RELEASE demo_write")?.execute([])?;
            Ok(value)
        }
        Err(err) => {
            conn.prepare_cached("ROLLBACK TO demo_write")?.execute([])?;
            conn.prepare_cached("RELEASE demo_write")?.execute([])?;
            Err(err)
        }
    }
}

/// Takes the next value of a named number sequence (started after the seeded numbers).
pub fn next_sequence(conn: &Connection, name: &str) -> rusqlite::Result<i64> {
    bump_counter(conn, &format!("seq:{name}"))
}

/// The highest integer value of `column` among rows matching `condition` (0 when none).
pub fn max_integer(
    conn: &Connection,
    entity: &EntityDef,
    column: &str,
    condition: &SqlCondition,
) -> rusqlite::Result<i64> {
    let sql = format!(
        "SELECT COALESCE(MAX({}), 0) FROM {}{}",
        quote(column),
        quote(entity.table()),
        where_clause(condition)
    );
    conn.prepare_cached(&sql)?
        .query_row(params_from_iter(condition.params.iter()), |r| r.get(0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::db::open_database;

    fn seeded() -> (tempfile::TempDir, Connection) {
        let dir = tempfile::tempdir().unwrap();
        let conn = open_database(&dir.path().join("demo.sqlite"), false, 8).unwrap();
        (dir, conn)
    }

    #[test]
    fn versions_count_on_from_the_stored_one_and_start_at_one() {
        let (_dir, conn) = seeded();
        let stored: i64 = conn
            .query_row(
                "SELECT CAST(value AS INTEGER) FROM _demo_meta WHERE key = 'version'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(next_version(&conn).unwrap(), stored + 1);
        assert_eq!(next_version(&conn).unwrap(), stored + 2);
        conn.execute("DELETE FROM _demo_meta WHERE key = 'version'", [])
            .unwrap();
        assert_eq!(next_version(&conn).unwrap(), 1);
        assert_eq!(next_version(&conn).unwrap(), 2);
    }

    #[test]
    fn versions_from_two_connections_never_repeat_and_a_rolled_back_write_gives_its_own_back() {
        let (dir, conn) = seeded();
        let path = dir.path().join("demo.sqlite");
        let start = next_version(&conn).unwrap();
        let taken: Vec<i64> = std::thread::scope(|scope| {
            let workers: Vec<_> = (0..2)
                .map(|_| {
                    let path = path.clone();
                    scope.spawn(move || {
                        let own = open_database(&path, false, 8).unwrap();
                        (0..200)
                            .map(|_| next_version(&own).unwrap())
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            workers
                .into_iter()
                .flat_map(|w| w.join().unwrap())
                .collect()
        });
        let mut unique = taken.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), 400, "a version was given twice");
        assert_eq!(unique, (start + 1..=start + 400).collect::<Vec<_>>());

        // Inside a write that fails, the version taken goes back with it.
        conn.execute_batch("SAVEPOINT outer_write").unwrap();
        assert_eq!(next_version(&conn).unwrap(), start + 401);
        conn.execute_batch("ROLLBACK TO outer_write; RELEASE outer_write")
            .unwrap();
        assert_eq!(next_version(&conn).unwrap(), start + 401);
    }
}
