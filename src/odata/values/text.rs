//! Parsing values from what a user types into a form field or passes on the command line.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime};
use uuid::Uuid;

use super::kind::{EnumInfo, ValueKind};
use super::{EdmDecimal, EdmDuration, EnumValue, Value, ValueError, base64};
use crate::odata::metadata::EdmPrimitive;

impl Value {
    /// Parses user text as a value of `kind`.
    ///
    /// Text is taken literally for `Edm.String`; other primitives ignore surrounding
    /// whitespace. Empty text is an error for every type but `Edm.String` (callers decide
    /// whether an empty field means `null`). Complex and collection values are given as JSON.
    pub fn parse_text(kind: &ValueKind, text: &str) -> Result<Self, ValueError> {
        match kind {
            ValueKind::Primitive(p) => parse_primitive(*p, text),
            ValueKind::Enum(info) => parse_enum(info, text),
            ValueKind::Complex { type_name, .. } | ValueKind::Untyped(type_name) => {
                let json: serde_json::Value = serde_json::from_str(text.trim()).map_err(|e| {
                    ValueError::invalid_hint(text, type_name, &format!("expected JSON ({e})"))
                })?;
                Self::from_json(kind, &json)
            }
            ValueKind::Collection(_) => {
                let json: serde_json::Value = serde_json::from_str(text.trim()).map_err(|e| {
                    ValueError::invalid_hint(
                        text,
                        &kind.type_name(),
                        &format!("expected a JSON array ({e})"),
                    )
                })?;
                Self::from_json(kind, &json)
            }
        }
    }
}

/// Parses one primitive from user text.
pub(crate) fn parse_primitive(primitive: EdmPrimitive, text: &str) -> Result<Value, ValueError> {
    let name = primitive.name();
    let t = text.trim();
    let invalid = || ValueError::invalid(text, name);
    Ok(match primitive {
        EdmPrimitive::String => Value::String(text.to_owned()),
        EdmPrimitive::Boolean => match t.to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" => Value::Boolean(true),
            "false" | "0" | "no" => Value::Boolean(false),
            _ => {
                return Err(ValueError::invalid_hint(
                    text,
                    name,
                    "expected true or false",
                ));
            }
        },
        EdmPrimitive::Byte => Value::Byte(int_in_range(t, name, 0, 255)? as u8),
        EdmPrimitive::SByte => Value::SByte(int_in_range(t, name, -128, 127)? as i8),
        EdmPrimitive::Int16 => {
            Value::Int16(int_in_range(t, name, i16::MIN.into(), i16::MAX.into())? as i16)
        }
        EdmPrimitive::Int32 => {
            Value::Int32(int_in_range(t, name, i32::MIN.into(), i32::MAX.into())? as i32)
        }
        EdmPrimitive::Int64 => {
            Value::Int64(int_in_range(t, name, i64::MIN.into(), i64::MAX.into())? as i64)
        }
        EdmPrimitive::Decimal => Value::Decimal(EdmDecimal::parse(t).map_err(|_| invalid())?),
        EdmPrimitive::Double => Value::Double(parse_float(t).ok_or_else(invalid)?),
        EdmPrimitive::Single => {
            let v = parse_float(t).ok_or_else(invalid)?;
            let single = v as f32;
            if v.is_finite() && !single.is_finite() {
                return Err(ValueError::invalid_hint(
                    text,
                    name,
                    "too large for Edm.Single",
                ));
            }
            Value::Single(single)
        }
        EdmPrimitive::Guid => {
            Value::Guid(Uuid::parse_str(t).map_err(|_| {
                ValueError::invalid_hint(text, name, "expected 8-4-4-4-12 hex digits")
            })?)
        }
        EdmPrimitive::Date => Value::Date(
            NaiveDate::parse_from_str(t, "%Y-%m-%d")
                .map_err(|_| ValueError::invalid_hint(text, name, "expected YYYY-MM-DD"))?,
        ),
        EdmPrimitive::TimeOfDay => Value::TimeOfDay(
            parse_time(t)
                .ok_or_else(|| ValueError::invalid_hint(text, name, "expected HH:MM:SS"))?,
        ),
        EdmPrimitive::DateTimeOffset => {
            Value::DateTimeOffset(parse_date_time(t).ok_or_else(|| {
                ValueError::invalid_hint(text, name, "expected e.g. 2024-01-31T10:00:00Z")
            })?)
        }
        EdmPrimitive::Duration => Value::Duration(EdmDuration::parse(t).map_err(|_| {
            ValueError::invalid_hint(text, name, "expected ISO 8601 like P1DT2H30M")
        })?),
        EdmPrimitive::Binary => Value::Binary(
            base64::decode(t)
                .ok_or_else(|| ValueError::invalid_hint(text, name, "expected base64"))?,
        ),
        EdmPrimitive::Stream => return Err(ValueError::Unsupported(name.to_owned())),
        EdmPrimitive::Spatial | EdmPrimitive::Untyped => {
            match serde_json::from_str::<serde_json::Value>(t) {
                Ok(json) if json.is_object() || json.is_array() => Value::from_untyped_json(&json),
                _ => Value::String(text.to_owned()),
            }
        }
    })
}

/// Parses a signed integer and checks it against `[min, max]`.
fn int_in_range(t: &str, name: &str, min: i128, max: i128) -> Result<i128, ValueError> {
    let digits = t.strip_prefix(['+', '-']).unwrap_or(t);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ValueError::invalid(t, name));
    }
    let out_of_range = || ValueError::OutOfRange {
        text: t.to_owned(),
        type_name: name.to_owned(),
        min,
        max,
    };
    let value: i128 = t.parse().map_err(|_| out_of_range())?;
    if value < min || value > max {
        return Err(out_of_range());
    }
    Ok(value)
}

/// Parses a floating-point number: plain decimal/exponent syntax or `INF`, `-INF`, `NaN`.
pub(crate) fn parse_float(t: &str) -> Option<f64> {
    match t {
        "INF" => return Some(f64::INFINITY),
        "-INF" => return Some(f64::NEG_INFINITY),
        "NaN" => return Some(f64::NAN),
        _ => {}
    }
    // Reuse the strict decimal grammar so that `inf`, `1,5` or `0x1` are rejected.
    EdmDecimal::parse(t).ok()?;
    let value: f64 = t.parse().ok()?;
    value.is_finite().then_some(value)
}

fn parse_time(t: &str) -> Option<NaiveTime> {
    NaiveTime::parse_from_str(t, "%H:%M:%S%.f")
        .or_else(|_| NaiveTime::parse_from_str(t, "%H:%M"))
        .ok()
}

/// Parses a date-time: RFC 3339 with `Z` or an offset; without an offset (or a date only)
/// the value is taken as UTC. A space may replace the `T`.
pub(crate) fn parse_date_time(t: &str) -> Option<DateTime<FixedOffset>> {
    let t = t.replacen(' ', "T", 1);
    if let Ok(v) = DateTime::parse_from_rfc3339(&t) {
        return Some(v);
    }
    let utc = |naive: NaiveDateTime| naive.and_utc().fixed_offset();
    for format in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M"] {
        if let Ok(naive) = NaiveDateTime::parse_from_str(&t, format) {
            return Some(utc(naive));
        }
    }
    if let Ok(date) = NaiveDate::parse_from_str(&t, "%Y-%m-%d") {
        return Some(utc(date.and_time(NaiveTime::MIN)));
    }
    // Offsets such as `+0200` without a colon.
    DateTime::parse_from_str(&t, "%Y-%m-%dT%H:%M:%S%.f%z").ok()
}

/// Parses an enum member (or several for flags, comma-separated); also accepts the literal
/// form `Namespace.Type'Member'` or a member's numeric value.
pub(crate) fn parse_enum(info: &EnumInfo, text: &str) -> Result<Value, ValueError> {
    let mut t = text.trim();
    if let Some(start) = t.find('\'')
        && t.len() > start + 1
        && t.ends_with('\'')
    {
        t = &t[start + 1..t.len() - 1];
    }
    let parts: Vec<&str> = if info.is_flags {
        t.split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .collect()
    } else {
        vec![t]
    };
    if parts.is_empty() || parts.iter().any(|p| p.is_empty()) {
        return Err(ValueError::invalid_hint(
            text,
            &info.type_name,
            &format!("expected one of: {}", info.member_list()),
        ));
    }
    let mut members = Vec::with_capacity(parts.len());
    for part in parts {
        let member = info.member(part).ok_or_else(|| ValueError::UnknownMember {
            member: part.to_owned(),
            type_name: info.type_name.clone(),
            expected: info.member_list(),
        })?;
        if !members.iter().any(|m| m == member) {
            members.push(member.to_owned());
        }
    }
    Ok(Value::Enum(EnumValue {
        type_name: info.type_name.clone(),
        members,
    }))
}
