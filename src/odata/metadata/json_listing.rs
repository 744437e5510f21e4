//! F&O's JSON metadata endpoints `/Metadata/DataEntities` and `/Metadata/PublicEntities`,
//! read into plain structs for a quick entity list without the full `$metadata`.
//!
//! Both accept an OData collection (`{"value": [...]}`), a bare array, or one object.
//! Unknown fields are ignored; missing fields take defaults; booleans may also be
//! written as strings (`"true"`, `"Yes"`).

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};

/// Why a JSON listing could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ListingError {
    /// The body is not JSON of the expected shape.
    #[error("invalid metadata listing JSON at line {line}, column {column}: {message}")]
    Json {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What serde_json reported.
        message: String,
    },
}

impl From<serde_json::Error> for ListingError {
    fn from(error: serde_json::Error) -> Self {
        Self::Json {
            line: error.line(),
            column: error.column(),
            message: error.to_string(),
        }
    }
}

/// One row of `/Metadata/DataEntities`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct DataEntity {
    /// AOT name of the data entity, e.g. `CustCustomerV3Entity`.
    pub name: String,
    /// Public entity (type) name, e.g. `CustomerV3`.
    pub public_entity_name: String,
    /// Public collection (entity set) name, e.g. `CustomersV3`.
    pub public_collection_name: String,
    /// Label id or text.
    pub label_id: String,
    /// Category such as `Master`, `Document`, `Transaction`, `Reference`, `Parameters`.
    pub entity_category: String,
    /// Whether the entity cannot be written.
    #[serde(deserialize_with = "lenient_bool")]
    pub is_read_only: bool,
    /// Whether the entity is exposed through OData.
    #[serde(deserialize_with = "lenient_bool")]
    pub data_service_enabled: bool,
    /// Whether the entity can be used in data management (DIXF).
    #[serde(deserialize_with = "lenient_bool")]
    pub data_management_enabled: bool,
}

/// One entity of `/Metadata/PublicEntities`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct PublicEntity {
    /// Public entity (type) name, e.g. `CustomerV3`.
    pub name: String,
    /// Entity set name used in URLs, e.g. `CustomersV3`.
    pub entity_set_name: String,
    /// Label id or text.
    pub label_id: String,
    /// Whether the entity cannot be written.
    #[serde(deserialize_with = "lenient_bool")]
    pub is_read_only: bool,
    /// Structural properties.
    pub properties: Vec<PublicProperty>,
    /// Navigation properties.
    pub navigation_properties: Vec<PublicNavigationProperty>,
}

impl PublicEntity {
    /// Key property names in listing order.
    pub fn key_names(&self) -> Vec<&str> {
        self.properties
            .iter()
            .filter(|p| p.is_key)
            .map(|p| p.name.as_str())
            .collect()
    }
}

/// A property of a [`PublicEntity`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct PublicProperty {
    /// Property name.
    pub name: String,
    /// Extended data type name, e.g. `CustAccount`.
    pub type_name: String,
    /// Base data type, e.g. `String`, `Enum`, `Real`, `Date`.
    pub data_type: String,
    /// Label id or text.
    pub label_id: String,
    /// Part of the entity key.
    #[serde(deserialize_with = "lenient_bool")]
    pub is_key: bool,
    /// Must be given on create.
    #[serde(deserialize_with = "lenient_bool")]
    pub is_mandatory: bool,
    /// Editable after create.
    #[serde(deserialize_with = "lenient_bool")]
    pub allow_edit: bool,
    /// Editable on create.
    #[serde(deserialize_with = "lenient_bool")]
    pub allow_edit_on_create: bool,
}

/// A navigation property of a [`PublicEntity`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct PublicNavigationProperty {
    /// Navigation property name.
    pub name: String,
    /// Public name of the related entity.
    pub related_entity: String,
    /// Name of the relation on the related entity.
    pub related_relation_name: String,
    /// `Single` or `Multiple` (as sent).
    pub cardinality: String,
    /// `(Property, ReferencedProperty)` pairs.
    #[serde(deserialize_with = "constraints")]
    pub constraints: Vec<(String, String)>,
}

/// Parses a `/Metadata/DataEntities` response body.
pub fn parse_data_entities(json: &[u8]) -> Result<Vec<DataEntity>, ListingError> {
    parse_listing(json)
}

/// Parses a `/Metadata/PublicEntities` (or `PublicEntities('Name')`) response body.
pub fn parse_public_entities(json: &[u8]) -> Result<Vec<PublicEntity>, ListingError> {
    parse_listing(json)
}

/// Reads `{"value": [...]}`, a bare array, or a single object.
fn parse_listing<T: DeserializeOwned>(json: &[u8]) -> Result<Vec<T>, ListingError> {
    let json = json.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(json);
    let value: serde_json::Value = serde_json::from_slice(json)?;
    Ok(match value {
        serde_json::Value::Object(mut map) if map.contains_key("value") => {
            serde_json::from_value(map.remove("value").unwrap_or_default())?
        }
        serde_json::Value::Array(_) => serde_json::from_value(value)?,
        single => vec![serde_json::from_value(single)?],
    })
}

/// A boolean sent as `true`, `"true"`, `"Yes"`, `1` or `null` (false).
fn lenient_bool<'de, D: Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
    let value = serde_json::Value::deserialize(deserializer)?;
    Ok(match value {
        serde_json::Value::Bool(b) => b,
        serde_json::Value::String(s) => {
            matches!(s.trim().to_ascii_lowercase().as_str(), "true" | "yes" | "1")
        }
        serde_json::Value::Number(n) => n.as_str() != "0",
        _ => false,
    })
}

/// Referential constraints as objects (`{"Property","ReferencedProperty"}`); other
/// shapes are ignored.
fn constraints<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Vec<(String, String)>, D::Error> {
    let value = serde_json::Value::deserialize(deserializer)?;
    let serde_json::Value::Array(items) = value else {
        return Ok(Vec::new());
    };
    Ok(items
        .iter()
        .filter_map(|item| {
            let property = item.get("Property")?.as_str()?;
            let referenced = item.get("ReferencedProperty")?.as_str()?;
            Some((property.to_owned(), referenced.to_owned()))
        })
        .collect())
}
