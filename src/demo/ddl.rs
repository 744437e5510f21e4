//! SQLite DDL generated from the entity description.

use super::schema::{ENTITIES, EntityDef, FieldType};

/// The hidden row-version column behind `@odata.etag`.
pub const VERSION_COLUMN: &str = "_rv";

/// The DDL creating every table (idempotent: `IF NOT EXISTS`).
pub fn schema_sql() -> String {
    let mut sql = String::from(
        "CREATE TABLE IF NOT EXISTS _demo_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);\n",
    );
    for entity in ENTITIES {
        sql.push_str(&table_sql(entity));
    }
    sql
}

/// The `CREATE TABLE` (and index) statements of one entity.
pub fn table_sql(entity: &EntityDef) -> String {
    let mut columns: Vec<String> = entity
        .fields
        .iter()
        .map(|f| format!("{} {}", quote(f.name), column_type(f.ty)))
        .collect();
    columns.push(format!("{VERSION_COLUMN} INTEGER NOT NULL"));
    let keys: Vec<String> = entity.key_fields().map(|f| quote(f.name)).collect();
    columns.push(format!("PRIMARY KEY ({})", keys.join(", ")));
    let mut sql = format!(
        "CREATE TABLE IF NOT EXISTS {} (\n  {}\n);\n",
        quote(entity.table()),
        columns.join(",\n  ")
    );
    for nav in entity.navs.iter().filter(|n| !n.collection) {
        let cols: Vec<String> = nav
            .constraints
            .iter()
            .map(|(local, _)| quote(local))
            .collect();
        sql.push_str(&format!(
            "CREATE INDEX IF NOT EXISTS {} ON {} ({});\n",
            quote(&format!("ix_{}_{}", entity.set, nav.name)),
            quote(entity.table()),
            cols.join(", ")
        ));
    }
    sql
}

/// The SQLite column type of a field; strings compare case-insensitively like SQL Server.
fn column_type(ty: FieldType) -> &'static str {
    match ty {
        FieldType::String(_) => "TEXT NOT NULL COLLATE NOCASE",
        FieldType::Int32 | FieldType::Int64 | FieldType::Enum(_) => "INTEGER NOT NULL",
        FieldType::Decimal | FieldType::Date | FieldType::DateTimeOffset | FieldType::Guid => {
            "TEXT NOT NULL"
        }
    }
}

/// Quotes an SQL identifier.
pub fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}
