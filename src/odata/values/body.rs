//! JSON bodies for create (POST) and update (PATCH) requests, typed by metadata.

use serde_json::Map;

use super::kind::ValueKind;
use super::{EdmDecimal, Value, ValueError, check_facets};
use crate::odata::metadata::{EdmPrimitive, EntityType, Model};

/// A problem with one field of a body.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FieldError {
    /// The entity type declares no such property.
    #[error("{field}: no such property on {entity}")]
    UnknownProperty {
        /// The field name given.
        field: String,
        /// The entity type name.
        entity: String,
    },
    /// The text is not valid for the property's type.
    #[error("{field}: {source}")]
    Invalid {
        /// The field name.
        field: String,
        /// What is wrong with the value.
        source: ValueError,
    },
}

impl FieldError {
    /// The field concerned.
    pub fn field(&self) -> &str {
        match self {
            Self::UnknownProperty { field, .. } | Self::Invalid { field, .. } => field,
        }
    }
}

/// Every field error of a body, so that a form can show them all at once.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("invalid body: {}", .errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
pub struct BodyError {
    /// One entry per bad field, in input order.
    pub errors: Vec<FieldError>,
}

/// Builds a JSON body from field → user text pairs, typed by the entity's properties
/// (inherited ones included). Empty text means `null`, except for `Edm.String` where it is
/// the empty string. Values are checked against `MaxLength`, `Precision` and `Scale`.
/// Keys containing `@` (e.g. `Customer@odata.bind`) pass through as strings.
pub fn build_body<I, K, V>(
    model: &Model,
    entity: &EntityType,
    fields: I,
) -> Result<Map<String, serde_json::Value>, BodyError>
where
    I: IntoIterator<Item = (K, V)>,
    K: AsRef<str>,
    V: AsRef<str>,
{
    let properties = model.all_properties(entity);
    let mut body = Map::new();
    let mut errors = Vec::new();
    for (field, text) in fields {
        let (field, text) = (field.as_ref(), text.as_ref());
        if field.contains('@') {
            body.insert(field.to_owned(), serde_json::Value::String(text.to_owned()));
            continue;
        }
        let Some(property) = properties.iter().find(|p| p.name == field) else {
            errors.push(FieldError::UnknownProperty {
                field: field.to_owned(),
                entity: entity.name.clone(),
            });
            continue;
        };
        let kind = ValueKind::of_property(model, property);
        let parsed = if text.trim().is_empty() && kind != ValueKind::Primitive(EdmPrimitive::String)
        {
            Ok(Value::Null)
        } else {
            Value::parse_text(&kind, text)
                .and_then(|value| check_facets(property, &value).map(|()| value))
        };
        match parsed {
            Ok(value) => {
                body.insert(field.to_owned(), value.to_json());
            }
            Err(source) => errors.push(FieldError::Invalid {
                field: field.to_owned(),
                source,
            }),
        }
    }
    if errors.is_empty() {
        Ok(body)
    } else {
        Err(BodyError { errors })
    }
}

/// The fields of `edited` whose values differ from `original`, for a PATCH body.
/// Annotations (keys containing `@`, such as `@odata.etag`) are skipped; numbers compare by
/// exact value (`1.50` equals `1.5`); fields missing from `original` count as changed.
pub fn changed_fields(
    original: &Map<String, serde_json::Value>,
    edited: &Map<String, serde_json::Value>,
) -> Map<String, serde_json::Value> {
    edited
        .iter()
        .filter(|(key, _)| !key.contains('@'))
        .filter(|(key, value)| original.get(*key).is_none_or(|old| !same_json(old, value)))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

fn same_json(a: &serde_json::Value, b: &serde_json::Value) -> bool {
    use serde_json::Value as J;
    match (a, b) {
        (J::Number(x), J::Number(y)) => {
            match (EdmDecimal::parse(x.as_str()), EdmDecimal::parse(y.as_str())) {
                (Ok(x), Ok(y)) => x.same_value(&y),
                _ => x.as_str() == y.as_str(),
            }
        }
        (J::Array(x), J::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same_json(a, b))
        }
        (J::Object(x), J::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| same_json(v, w)))
        }
        _ => a == b,
    }
}
