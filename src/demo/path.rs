//! Resource paths below the service root: entity sets, keys (composite, any order, quoted and
//! percent-encoded), `/$count`, bound actions and action imports.

use percent_encoding::percent_decode_str;
use rusqlite::types::Value as SqlValue;

use super::error::ErrorAnswer;
use super::schema::{
    ACTIONS, ActionBinding, ActionDef, EntityDef, FieldDef, FieldType, NAMESPACE, NavDef,
    entity_by_set,
};
use super::values::{date_text, datetime_text, decimal_text, guid_text};

/// What a request path addresses.
#[derive(Debug, Clone)]
pub enum Resource {
    /// The service document (`/data/`).
    ServiceDocument,
    /// `$metadata`.
    Metadata,
    /// An entity set.
    Collection(&'static EntityDef),
    /// `EntitySet/$count`.
    Count(&'static EntityDef),
    /// One entity by key (key values in key-field order).
    Entity(&'static EntityDef, Vec<SqlValue>),
    /// A navigation property of one entity.
    Navigation(&'static EntityDef, Vec<SqlValue>, &'static NavDef),
    /// `Set(keys)/Nav/$count`: the number of related entities of a collection navigation.
    NavigationCount(&'static EntityDef, Vec<SqlValue>, &'static NavDef),
    /// An action bound to one entity.
    EntityAction(&'static EntityDef, Vec<SqlValue>, &'static ActionDef),
    /// An action bound to an entity set.
    CollectionAction(&'static EntityDef, &'static ActionDef),
    /// An unbound action import.
    ActionImport(&'static ActionDef),
}

fn not_found(path: &str) -> ErrorAnswer {
    ErrorAnswer::not_found(format!(
        "No HTTP resource was found that matches the request URI '{path}'."
    ))
}

fn bad_key(message: impl Into<String>) -> ErrorAnswer {
    ErrorAnswer::bad_request(format!(
        "Bad Request - Error in query syntax. {}",
        message.into()
    ))
}

/// Parses a path relative to the service root (no leading slash, no query).
pub fn parse_path(path: &str) -> Result<Resource, ErrorAnswer> {
    let raw: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let segments: Vec<String> = raw
        .iter()
        .map(|s| percent_decode_str(s).decode_utf8_lossy().into_owned())
        .collect();
    let Some(first) = segments.first() else {
        return Ok(Resource::ServiceDocument);
    };
    if first == "$metadata" && segments.len() == 1 {
        return Ok(Resource::Metadata);
    }
    let (name, key_text) = match first.split_once('(') {
        Some((name, rest)) => {
            let inner = rest
                .strip_suffix(')')
                .ok_or_else(|| bad_key(format!("Unbalanced key in '{first}'.")))?;
            (name, Some(inner))
        }
        None => (first.as_str(), None),
    };
    let Some(entity) = entity_by_set(name) else {
        if segments.len() == 1
            && key_text.is_none()
            && let Some(action) = ACTIONS
                .iter()
                .find(|a| a.name == name && a.binding == ActionBinding::Unbound)
        {
            return Ok(Resource::ActionImport(action));
        }
        return Err(not_found(path));
    };
    let key = key_text.map(|k| parse_key(entity, k)).transpose()?;
    match (key, segments.get(1), segments.len()) {
        (None, None, _) => Ok(Resource::Collection(entity)),
        (Some(key), None, _) => Ok(Resource::Entity(entity, key)),
        (None, Some(seg), 2) if seg == "$count" => Ok(Resource::Count(entity)),
        (Some(key), Some(seg), 2) if entity.nav(seg).is_some() => {
            let nav = entity.nav(seg).ok_or_else(|| not_found(path))?;
            Ok(Resource::Navigation(entity, key, nav))
        }
        (Some(key), Some(seg), 3)
            if segments[2] == "$count" && entity.nav(seg).is_some_and(|n| n.collection) =>
        {
            let nav = entity.nav(seg).ok_or_else(|| not_found(path))?;
            Ok(Resource::NavigationCount(entity, key, nav))
        }
        (key, Some(seg), 2) => {
            let action = bound_action(entity, seg, key.is_some()).ok_or_else(|| not_found(path))?;
            Ok(match key {
                Some(key) => Resource::EntityAction(entity, key, action),
                None => Resource::CollectionAction(entity, action),
            })
        }
        _ => Err(not_found(path)),
    }
}

fn bound_action(entity: &EntityDef, segment: &str, on_entity: bool) -> Option<&'static ActionDef> {
    let name = segment
        .strip_prefix(NAMESPACE)
        .and_then(|s| s.strip_prefix('.'))?;
    ACTIONS.iter().find(|a| {
        a.name == name
            && match a.binding {
                ActionBinding::Entity(set) => on_entity && set == entity.set,
                ActionBinding::Collection(set) => !on_entity && set == entity.set,
                ActionBinding::Unbound => false,
            }
    })
}

fn split_key_parts(text: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut in_quote = false;
    for c in text.chars() {
        match c {
            '\'' => {
                in_quote = !in_quote;
                current.push(c);
            }
            ',' if !in_quote => parts.push(std::mem::take(&mut current)),
            _ => current.push(c),
        }
    }
    parts.push(current);
    parts
}

/// Parses a key predicate body into values in key-field order.
pub fn parse_key(entity: &EntityDef, text: &str) -> Result<Vec<SqlValue>, ErrorAnswer> {
    let key_fields: Vec<&FieldDef> = entity.key_fields().collect();
    let parts = split_key_parts(text);
    let mut values: Vec<Option<SqlValue>> = vec![None; key_fields.len()];
    if parts.len() == 1 && key_fields.len() == 1 && !has_name(&parts[0]) {
        values[0] = Some(key_literal(key_fields[0], parts[0].trim())?);
    } else {
        for part in &parts {
            let (name, literal) =
                part.split_once('=')
                    .filter(|_| has_name(part))
                    .ok_or_else(|| {
                        bad_key(format!("The key segment '{part}' must be 'Name=value'."))
                    })?;
            let name = name.trim();
            let index = key_fields
                .iter()
                .position(|f| f.name == name)
                .ok_or_else(|| {
                    bad_key(format!(
                        "'{name}' is not a key property of '{}'.",
                        entity.set
                    ))
                })?;
            if values[index].is_some() {
                return Err(bad_key(format!("The key property '{name}' appears twice.")));
            }
            values[index] = Some(key_literal(key_fields[index], literal.trim())?);
        }
    }
    values
        .into_iter()
        .zip(&key_fields)
        .map(|(v, f)| {
            v.ok_or_else(|| bad_key(format!("The key property '{}' is missing.", f.name)))
        })
        .collect()
}

fn has_name(part: &str) -> bool {
    match (part.find('='), part.find('\'')) {
        (Some(eq), Some(quote)) => eq < quote,
        (Some(_), None) => true,
        _ => false,
    }
}

/// Converts one key literal to the stored value of `field`.
pub fn key_literal(field: &FieldDef, literal: &str) -> Result<SqlValue, ErrorAnswer> {
    let wrong = || {
        bad_key(format!(
            "The key value '{literal}' is not a valid {} literal for '{}'.",
            field.ty.edm_name(),
            field.name
        ))
    };
    let unquoted = literal
        .strip_prefix('\'')
        .and_then(|s| s.strip_suffix('\''))
        .map(|s| s.replace("''", "'"));
    match field.ty {
        FieldType::String(_) => unquoted.map(SqlValue::Text).ok_or_else(wrong),
        FieldType::Int32 | FieldType::Int64 => {
            literal.parse().map(SqlValue::Integer).map_err(|_| wrong())
        }
        FieldType::Decimal => decimal_text(literal).map(SqlValue::Text).ok_or_else(wrong),
        FieldType::Date => date_text(literal).map(SqlValue::Text).ok_or_else(wrong),
        FieldType::DateTimeOffset => datetime_text(literal).map(SqlValue::Text).ok_or_else(wrong),
        FieldType::Guid => guid_text(literal).map(SqlValue::Text).ok_or_else(wrong),
        FieldType::Enum(name) => {
            let member = literal
                .split_once('\'')
                .map(|(_, rest)| rest.trim_end_matches('\''))
                .ok_or_else(wrong)?;
            super::schema::enum_by_name(name)
                .and_then(|e| e.value_of(member))
                .map(SqlValue::Integer)
                .ok_or_else(wrong)
        }
    }
}

/// Renders key values as an OData key predicate, e.g. `(dataAreaId='usmf',CustomerAccount='US-001')`.
pub fn key_predicate(entity: &EntityDef, key: &[SqlValue]) -> String {
    let parts: Vec<String> = entity
        .key_fields()
        .zip(key)
        .map(|(f, v)| {
            let text = match v {
                SqlValue::Text(t) if matches!(f.ty, FieldType::String(_)) => {
                    format!("'{}'", t.replace('\'', "''"))
                }
                SqlValue::Text(t) => t.clone(),
                SqlValue::Integer(i) => i.to_string(),
                SqlValue::Real(r) => r.to_string(),
                _ => "null".into(),
            };
            format!("{}={text}", f.name)
        })
        .collect();
    format!("({})", parts.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key_of(path: &str) -> Vec<SqlValue> {
        match parse_path(path).unwrap() {
            Resource::Entity(_, key) => key,
            other => panic!("not an entity: {other:?}"),
        }
    }

    #[test]
    fn composite_keys_in_any_order_encoded_and_quoted() {
        let expected = vec![
            SqlValue::Text("usmf".into()),
            SqlValue::Text("O'Neil, Ltd".into()),
        ];
        assert_eq!(
            key_of("CustomersV3(dataAreaId='usmf',CustomerAccount='O''Neil, Ltd')"),
            expected
        );
        assert_eq!(
            key_of("CustomersV3(CustomerAccount='O''Neil,%20Ltd',dataAreaId='usmf')"),
            expected
        );
        assert_eq!(
            key_of(
                "SalesOrderLines(dataAreaId='usmf',SalesOrderNumber='000001',LineCreationSequenceNumber=3)"
            )[2],
            SqlValue::Integer(3)
        );
        assert_eq!(
            key_of("LegalEntities('usmf')"),
            vec![SqlValue::Text("usmf".into())]
        );
    }

    #[test]
    fn resolves_counts_actions_and_imports() {
        assert!(matches!(
            parse_path("CustomersV3/$count").unwrap(),
            Resource::Count(_)
        ));
        assert!(matches!(
            parse_path("CustomersV3(dataAreaId='usmf',CustomerAccount='A')/Microsoft.Dynamics.DataEntities.BlockCustomer").unwrap(),
            Resource::EntityAction(_, _, a) if a.name == "BlockCustomer"
        ));
        assert!(matches!(
            parse_path("CustomersV3/Microsoft.Dynamics.DataEntities.CountOnHold").unwrap(),
            Resource::CollectionAction(_, a) if a.name == "CountOnHold"
        ));
        assert!(matches!(
            parse_path("GetApplicationVersion").unwrap(),
            Resource::ActionImport(_)
        ));
        assert!(matches!(parse_path("").unwrap(), Resource::ServiceDocument));
        assert!(matches!(
            parse_path("$metadata").unwrap(),
            Resource::Metadata
        ));
    }

    #[test]
    fn rejects_bad_keys_and_unknown_resources() {
        for bad in [
            "CustomersV3(dataAreaId='usmf')",
            "CustomersV3(dataAreaId='usmf',CustomerAccount=5)",
            "CustomersV3(dataAreaId='usmf',Nope='x',CustomerAccount='a')",
            "CustomersV3(dataAreaId='usmf',dataAreaId='usmf')",
            "SalesOrderLines(dataAreaId='usmf',SalesOrderNumber='1',LineCreationSequenceNumber='x')",
            "Nope",
            "CustomersV3/Microsoft.Dynamics.DataEntities.CountOnHold/extra",
            "CustomersV3/Microsoft.Dynamics.DataEntities.BlockCustomer",
        ] {
            assert!(parse_path(bad).is_err(), "{bad} should fail");
        }
    }
}
