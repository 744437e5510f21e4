//! Converting values from and to JSON (OData JSON format, exact numbers).

use chrono::SecondsFormat;
use serde_json::{Map, Number};

use super::kind::ValueKind;
use super::text::{parse_enum, parse_primitive};
use super::{EdmDecimal, Value, ValueError, base64};
use crate::odata::metadata::EdmPrimitive;

fn compact(json: &serde_json::Value) -> String {
    let text = json.to_string();
    if text.chars().count() > 60 {
        format!("{}…", text.chars().take(60).collect::<String>())
    } else {
        text
    }
}

fn shape(kind: &ValueKind, json: &serde_json::Value) -> ValueError {
    ValueError::JsonShape {
        expected: kind.type_name(),
        got: compact(json),
    }
}

impl Value {
    /// Reads a JSON value typed by `kind`. Numbers keep their exact text, so `Edm.Decimal`
    /// and `Edm.Int64` never pass through `f64`; both (and other primitives) are also
    /// accepted as JSON strings, as IEEE754Compatible services send them.
    pub fn from_json(kind: &ValueKind, json: &serde_json::Value) -> Result<Self, ValueError> {
        use serde_json::Value as J;
        if json.is_null() {
            return Ok(Self::Null);
        }
        match kind {
            ValueKind::Primitive(p) => match (p, json) {
                (EdmPrimitive::Boolean, J::Bool(b)) => Ok(Self::Boolean(*b)),
                (EdmPrimitive::String, J::String(s)) => Ok(Self::String(s.clone())),
                (EdmPrimitive::Spatial | EdmPrimitive::Untyped, _) => {
                    Ok(Self::from_untyped_json(json))
                }
                (
                    EdmPrimitive::Byte
                    | EdmPrimitive::SByte
                    | EdmPrimitive::Int16
                    | EdmPrimitive::Int32
                    | EdmPrimitive::Int64
                    | EdmPrimitive::Decimal
                    | EdmPrimitive::Single
                    | EdmPrimitive::Double,
                    J::Number(n),
                ) => parse_primitive(*p, n.as_str()),
                (EdmPrimitive::String | EdmPrimitive::Boolean, _) => Err(shape(kind, json)),
                (_, J::String(s)) => parse_primitive(*p, s),
                _ => Err(shape(kind, json)),
            },
            ValueKind::Enum(info) => match json {
                J::String(s) => parse_enum(info, s),
                J::Number(n) => parse_enum(info, n.as_str()),
                _ => Err(shape(kind, json)),
            },
            ValueKind::Complex { properties, .. } => {
                let J::Object(map) = json else {
                    return Err(shape(kind, json));
                };
                let mut out = Vec::with_capacity(map.len());
                for (name, value) in map {
                    let typed = match properties.iter().find(|(p, _)| p == name) {
                        Some((_, k)) => Self::from_json(k, value)?,
                        None => Self::from_untyped_json(value),
                    };
                    out.push((name.clone(), typed));
                }
                Ok(Self::Complex(out))
            }
            ValueKind::Collection(inner) => {
                let J::Array(items) = json else {
                    return Err(shape(kind, json));
                };
                items
                    .iter()
                    .map(|i| Self::from_json(inner, i))
                    .collect::<Result<_, _>>()
                    .map(Self::Collection)
            }
            ValueKind::Untyped(_) => Ok(Self::from_untyped_json(json)),
        }
    }

    /// Reads JSON without type information: integers become `Int64` when they fit, other
    /// numbers exact `Decimal`s, objects `Complex`, arrays `Collection`.
    pub fn from_untyped_json(json: &serde_json::Value) -> Self {
        use serde_json::Value as J;
        match json {
            J::Null => Self::Null,
            J::Bool(b) => Self::Boolean(*b),
            J::Number(n) => {
                let text = n.as_str();
                match text.parse::<i64>() {
                    Ok(i) => Self::Int64(i),
                    Err(_) => EdmDecimal::parse(text)
                        .map(Self::Decimal)
                        .unwrap_or_else(|_| Self::String(text.to_owned())),
                }
            }
            J::String(s) => Self::String(s.clone()),
            J::Array(items) => {
                Self::Collection(items.iter().map(Self::from_untyped_json).collect())
            }
            J::Object(map) => Self::Complex(
                map.iter()
                    .map(|(k, v)| (k.clone(), Self::from_untyped_json(v)))
                    .collect(),
            ),
        }
    }

    /// Encodes as OData JSON: exact numbers for integers and decimals, strings for dates,
    /// GUIDs, durations, binary (standard base64) and enum members (`A,B` for flags);
    /// non-finite floats as `"INF"`, `"-INF"`, `"NaN"`.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match self {
            Self::Null => J::Null,
            Self::Boolean(b) => J::Bool(*b),
            Self::Byte(v) => J::Number((*v).into()),
            Self::SByte(v) => J::Number((*v).into()),
            Self::Int16(v) => J::Number((*v).into()),
            Self::Int32(v) => J::Number((*v).into()),
            Self::Int64(v) => J::Number((*v).into()),
            Self::Decimal(d) => J::Number(d.to_json_number()),
            Self::Single(v) => float_json(f64::from(*v), format!("{v:?}")),
            Self::Double(v) => float_json(*v, format!("{v:?}")),
            Self::String(s) => J::String(s.clone()),
            Self::Enum(e) => J::String(e.members.join(",")),
            Self::Complex(props) => J::Object(
                props
                    .iter()
                    .map(|(k, v)| (k.clone(), v.to_json()))
                    .collect::<Map<_, _>>(),
            ),
            Self::Collection(items) => J::Array(items.iter().map(Value::to_json).collect()),
            Self::Binary(bytes) => J::String(base64::encode_standard(bytes)),
            Self::Guid(_)
            | Self::Date(_)
            | Self::TimeOfDay(_)
            | Self::DateTimeOffset(_)
            | Self::Duration(_) => J::String(self.to_text()),
        }
    }

    /// The value as a user would type it in a form field (the inverse of
    /// [`Value::parse_text`]): empty for null, member names for enums, JSON for structures.
    pub fn to_text(&self) -> String {
        match self {
            Self::Null => String::new(),
            Self::Boolean(b) => b.to_string(),
            Self::Byte(v) => v.to_string(),
            Self::SByte(v) => v.to_string(),
            Self::Int16(v) => v.to_string(),
            Self::Int32(v) => v.to_string(),
            Self::Int64(v) => v.to_string(),
            Self::Decimal(d) => d.to_string(),
            Self::Single(v) => float_text(f64::from(*v), format!("{v:?}")),
            Self::Double(v) => float_text(*v, format!("{v:?}")),
            Self::String(s) => s.clone(),
            Self::Guid(g) => g.hyphenated().to_string(),
            Self::Date(d) => d.format("%Y-%m-%d").to_string(),
            Self::TimeOfDay(t) => t.format("%H:%M:%S%.f").to_string(),
            Self::DateTimeOffset(dt) => dt.to_rfc3339_opts(SecondsFormat::AutoSi, true),
            Self::Duration(d) => d.to_string(),
            Self::Binary(bytes) => base64::encode_standard(bytes),
            Self::Enum(e) => e.members.join(","),
            Self::Complex(_) | Self::Collection(_) => self.to_json().to_string(),
        }
    }
}

fn float_text(v: f64, debug: String) -> String {
    if v.is_nan() {
        "NaN".to_owned()
    } else if v == f64::INFINITY {
        "INF".to_owned()
    } else if v == f64::NEG_INFINITY {
        "-INF".to_owned()
    } else {
        debug
    }
}

fn float_json(v: f64, debug: String) -> serde_json::Value {
    if v.is_finite() {
        match debug.parse::<Number>() {
            Ok(n) => serde_json::Value::Number(n),
            Err(_) => serde_json::Value::String(debug),
        }
    } else {
        serde_json::Value::String(float_text(v, debug))
    }
}
