//! Typed OData values: parsing from user text and JSON, encoding to JSON bodies and URL literals.

pub mod base64;
mod body;
mod decimal;
mod duration;
mod facets;
mod json;
mod kind;
pub mod literal;
mod text;

pub use body::{BodyError, FieldError, build_body, changed_fields};
pub use decimal::{DecimalError, EdmDecimal};
pub use duration::{DurationError, EdmDuration};
pub use facets::check_facets;
pub use kind::{EnumInfo, ValueKind};

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime};
use uuid::Uuid;

use super::metadata::EdmPrimitive;

/// One typed OData value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `null`.
    Null,
    /// `Edm.Boolean`.
    Boolean(bool),
    /// `Edm.Byte`.
    Byte(u8),
    /// `Edm.SByte`.
    SByte(i8),
    /// `Edm.Int16`.
    Int16(i16),
    /// `Edm.Int32`.
    Int32(i32),
    /// `Edm.Int64` (full range, never through `f64`).
    Int64(i64),
    /// `Edm.Decimal`, exact.
    Decimal(EdmDecimal),
    /// `Edm.Single`.
    Single(f32),
    /// `Edm.Double`.
    Double(f64),
    /// `Edm.String`.
    String(String),
    /// `Edm.Guid`.
    Guid(Uuid),
    /// `Edm.Date`.
    Date(NaiveDate),
    /// `Edm.TimeOfDay`.
    TimeOfDay(NaiveTime),
    /// `Edm.DateTimeOffset`.
    DateTimeOffset(DateTime<FixedOffset>),
    /// `Edm.Duration`.
    Duration(EdmDuration),
    /// `Edm.Binary`.
    Binary(Vec<u8>),
    /// A value of an enum type.
    Enum(EnumValue),
    /// A complex value: properties in order (values typed when the model was known).
    Complex(Vec<(String, Value)>),
    /// A collection.
    Collection(Vec<Value>),
}

/// A value of an enum type: the namespace-qualified type and one member (several for flags).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnumValue {
    /// Namespace-qualified type name, e.g. `Microsoft.Dynamics.DataEntities.NoYes`.
    pub type_name: String,
    /// Member names, e.g. `["Yes"]`; several only for flags enums.
    pub members: Vec<String>,
}

/// Why a value could not be parsed or encoded.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ValueError {
    /// The text is not valid for the type, e.g. `'12,5' is not a valid Edm.Decimal`.
    #[error("'{text}' is not a valid {type_name}{hint}")]
    Invalid {
        /// The offending input.
        text: String,
        /// The expected type, e.g. `Edm.Decimal`.
        type_name: String,
        /// Extra detail starting with `: ` or empty.
        hint: String,
    },
    /// An integer outside the type's range.
    #[error("{text} is out of range for {type_name} ({min} to {max})")]
    OutOfRange {
        /// The offending input.
        text: String,
        /// The type, e.g. `Edm.Byte`.
        type_name: String,
        /// Minimum allowed.
        min: i128,
        /// Maximum allowed.
        max: i128,
    },
    /// An enum member that the type does not declare.
    #[error("'{member}' is not a member of {type_name} (expected one of: {expected})")]
    UnknownMember {
        /// The offending member.
        member: String,
        /// The enum type.
        type_name: String,
        /// Declared members, comma-separated.
        expected: String,
    },
    /// A JSON value of the wrong shape, e.g. an object for `Edm.Int32`.
    #[error("expected {expected} but got JSON {got}")]
    JsonShape {
        /// What was expected.
        expected: String,
        /// Compact JSON of what was found.
        got: String,
    },
    /// The value breaks a facet of its property (`MaxLength`, `Precision`, `Scale`).
    #[error("{0}")]
    Facet(String),
    /// The type cannot be written from text (e.g. `Edm.Stream`).
    #[error("values of type {0} cannot be entered")]
    Unsupported(String),
}

impl ValueError {
    pub(crate) fn invalid(text: &str, type_name: &str) -> Self {
        Self::Invalid {
            text: text.to_owned(),
            type_name: type_name.to_owned(),
            hint: String::new(),
        }
    }

    pub(crate) fn invalid_hint(text: &str, type_name: &str, hint: &str) -> Self {
        Self::Invalid {
            text: text.to_owned(),
            type_name: type_name.to_owned(),
            hint: format!(": {hint}"),
        }
    }
}

impl Value {
    /// The primitive kind of this value, when it is a primitive.
    pub fn primitive(&self) -> Option<EdmPrimitive> {
        Some(match self {
            Self::Boolean(_) => EdmPrimitive::Boolean,
            Self::Byte(_) => EdmPrimitive::Byte,
            Self::SByte(_) => EdmPrimitive::SByte,
            Self::Int16(_) => EdmPrimitive::Int16,
            Self::Int32(_) => EdmPrimitive::Int32,
            Self::Int64(_) => EdmPrimitive::Int64,
            Self::Decimal(_) => EdmPrimitive::Decimal,
            Self::Single(_) => EdmPrimitive::Single,
            Self::Double(_) => EdmPrimitive::Double,
            Self::String(_) => EdmPrimitive::String,
            Self::Guid(_) => EdmPrimitive::Guid,
            Self::Date(_) => EdmPrimitive::Date,
            Self::TimeOfDay(_) => EdmPrimitive::TimeOfDay,
            Self::DateTimeOffset(_) => EdmPrimitive::DateTimeOffset,
            Self::Duration(_) => EdmPrimitive::Duration,
            Self::Binary(_) => EdmPrimitive::Binary,
            Self::Null | Self::Enum(_) | Self::Complex(_) | Self::Collection(_) => return None,
        })
    }

    /// Whether this is `Null`.
    pub fn is_null(&self) -> bool {
        matches!(self, Self::Null)
    }
}

#[cfg(test)]
mod tests;
