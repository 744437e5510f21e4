//! Exporting a data project: the rows of its entities in one company, as CSV data files of
//! a package. A data project is an entity set's name (every entity can be exported as the
//! project of its own name) or a project an import created (its entities).

use rusqlite::Connection;
use serde_json::Value;

use super::import::entity_named;
use super::tables;
use crate::demo::query::sql::SqlCondition;
use crate::demo::schema::{COMPANY_FIELD, EntityDef};
use crate::demo::store;
use crate::demo::values::sql_to_json;

/// The entities of data project `project`, or why there is no such project.
pub fn project_entities(
    conn: &Connection,
    project: &str,
) -> Result<Vec<&'static EntityDef>, String> {
    if let Some(entity) = entity_named(project) {
        return Ok(vec![entity]);
    }
    let listed = tables::project_entities(conn, project)
        .map_err(|e| format!("The data projects cannot be read: {e}"))?
        .ok_or_else(|| {
            format!(
                "The data project '{project}' does not exist. The demo instance knows a project per entity set (e.g. CustomerGroups) and the projects imports created."
            )
        })?;
    Ok(listed.split(',').filter_map(entity_named).collect())
}

fn cell(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// The header and rows of `entity` in `company` (every row when not company-scoped).
pub fn entity_rows(
    conn: &Connection,
    entity: &EntityDef,
    company: &str,
) -> rusqlite::Result<(Vec<String>, Vec<Vec<String>>)> {
    let condition = if entity.company_scoped {
        SqlCondition::all(vec![SqlCondition::equals(
            COMPANY_FIELD,
            rusqlite::types::Value::Text(company.to_owned()),
        )])
    } else {
        SqlCondition::all(Vec::new())
    };
    let records = store::select(conn, entity, &condition, &[], None, 0)?;
    let header = entity.fields.iter().map(|f| f.name.to_owned()).collect();
    let rows = records
        .iter()
        .map(|record| {
            entity
                .fields
                .iter()
                .zip(&record.values)
                .map(|(field, value)| cell(&sql_to_json(field, value.into())))
                .collect()
        })
        .collect();
    Ok((header, rows))
}
