//! Value helpers shared by the functions: numbers (integer, float, decimal), how a value
//! reads as text, equality and ordering as WDL defines them, and binary content envelopes.

use std::cmp::Ordering;
use std::str::FromStr;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use rust_decimal::Decimal;
use serde_json::{Map, Number, Value};

/// A number as the functions compute with it: integers stay integers (`div(11, 5)` = 2),
/// floats are doubles, and numbers with more than 15 significant digits (what `decimal()`
/// returns) are .NET-like decimals so their precision survives `add` and `string`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Num {
    Int(i64),
    Float(f64),
    Dec(Decimal),
}

/// Significant digits of a number's text (sign, point, exponent and leading zeros aside).
fn significant_digits(text: &str) -> usize {
    let mantissa = text.split(['e', 'E']).next().unwrap_or(text);
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let trimmed = digits.trim_start_matches('0').trim_end_matches('0');
    trimmed.len()
}

impl Num {
    pub(crate) fn of(value: &Value) -> Option<Num> {
        let Value::Number(number) = value else {
            return None;
        };
        Some(Self::of_number(number))
    }

    pub(crate) fn of_number(number: &Number) -> Num {
        if let Some(int) = number.as_i64() {
            return Num::Int(int);
        }
        let text = number.to_string();
        if significant_digits(&text) > 15 {
            let parsed = Decimal::from_str(&text).or_else(|_| Decimal::from_scientific(&text));
            if let Ok(dec) = parsed {
                return Num::Dec(dec);
            }
        }
        Num::Float(number.as_f64().unwrap_or(f64::NAN))
    }

    pub(crate) fn as_f64(self) -> f64 {
        match self {
            Num::Int(i) => i as f64,
            Num::Float(f) => f,
            Num::Dec(d) => d.to_string().parse().unwrap_or(f64::NAN),
        }
    }

    pub(crate) fn as_dec(self) -> Option<Decimal> {
        match self {
            Num::Int(i) => Some(Decimal::from(i)),
            Num::Float(f) => Decimal::try_from(f).ok(),
            Num::Dec(d) => Some(d),
        }
    }

    /// The JSON number for this value (an error for NaN or infinity).
    pub(crate) fn to_value(self) -> Result<Value, String> {
        match self {
            Num::Int(i) => Ok(Value::Number(i.into())),
            Num::Float(f) => Number::from_f64(f)
                .map(Value::Number)
                .ok_or_else(|| format!("the result {f} is not a finite number")),
            Num::Dec(d) => {
                let mut text = d.normalize().to_string();
                if !text.contains('.') {
                    text.push_str(".0");
                }
                serde_json::from_str::<Number>(&text)
                    .map(Value::Number)
                    .map_err(|_| format!("the result {d} is not a valid number"))
            }
        }
    }
}

/// Applies an arithmetic operation the way WDL does: integer when both are integers,
/// decimal when either is a decimal, double otherwise. `None` when an integer or decimal
/// result overflows (the cloud's "Arithmetic operation resulted in an overflow"); a double
/// does not.
pub(crate) fn arith(
    a: Num,
    b: Num,
    int_op: fn(i64, i64) -> Option<i64>,
    dec_op: fn(Decimal, Decimal) -> Option<Decimal>,
    float_op: fn(f64, f64) -> f64,
) -> Option<Num> {
    if let (Num::Int(x), Num::Int(y)) = (a, b) {
        return int_op(x, y).map(Num::Int);
    }
    if (matches!(a, Num::Dec(_)) || matches!(b, Num::Dec(_)))
        && let (Some(x), Some(y)) = (a.as_dec(), b.as_dec())
    {
        return dec_op(x, y).map(Num::Dec);
    }
    Some(Num::Float(float_op(a.as_f64(), b.as_f64())))
}

/// How a number reads as text: integers as digits, doubles like .NET (`3` for 3.0),
/// decimals with all their digits.
pub(crate) fn number_text(number: &Number) -> String {
    let num = match Num::of_number(number) {
        // A long number written with an exponent is a double's (a decimal has none).
        Num::Dec(_) if number.to_string().contains(['e', 'E']) => {
            Num::Float(number.as_f64().unwrap_or(f64::NAN))
        }
        other => other,
    };
    match num {
        Num::Int(i) => i.to_string(),
        Num::Dec(_) => number.to_string(),
        Num::Float(f) => {
            if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e15 {
                format!("{f:.0}")
            } else if f.is_finite() && (f.abs() >= 1e15 || (f != 0.0 && f.abs() < 1e-5)) {
                dotnet_exponent(f)
            } else {
                format!("{f}")
            }
        }
    }
}

/// `1E+21`, `1.5E-07`: how .NET writes very large or small doubles.
fn dotnet_exponent(f: f64) -> String {
    let text = format!("{f:e}");
    let (mantissa, exponent) = text.split_once('e').unwrap_or((&text, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let sign = if exponent < 0 { '-' } else { '+' };
    format!("{mantissa}E{sign}{:02}", exponent.abs())
}

/// The string form of any value (`string()`, `concat()`, `@{...}`): strings as they are,
/// null as empty, booleans as `True`/`False` (.NET), numbers as [`number_text`], binary
/// content as its decoded text, objects and arrays as compact JSON.
pub(crate) fn to_text(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::Number(n) => number_text(n),
        Value::String(s) => s.clone(),
        Value::Object(_) => match binary_content(value) {
            Some(bytes) if is_textual(value) => String::from_utf8_lossy(&bytes).into_owned(),
            _ => value.to_string(),
        },
        Value::Array(_) => value.to_string(),
    }
}

/// Describes a value for an error message: "the string 'x'", "the number 5", "null", ...
pub(crate) fn describe(value: &Value) -> String {
    match value {
        Value::Null => "null".into(),
        Value::Bool(b) => format!("the boolean {b}"),
        Value::Number(n) => format!("the number {n}"),
        Value::String(s) => {
            let shown: String = s.chars().take(60).collect();
            let more = if s.chars().count() > 60 { "..." } else { "" };
            format!("the string '{shown}{more}'")
        }
        Value::Array(a) => format!("an array of {} item(s)", a.len()),
        Value::Object(_) => "an object".into(),
    }
}

/// WDL's `equals`: numbers by value (1 = 1.0), `true` = 1 and `false` = 0, null = '',
/// strings case-sensitively, arrays and objects item by item.
pub(crate) fn loose_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            num_cmp(Num::of_number(x), Num::of_number(y)) == Some(Ordering::Equal)
        }
        (Value::Bool(flag), Value::Number(n)) | (Value::Number(n), Value::Bool(flag)) => {
            Num::of_number(n).as_f64() == if *flag { 1.0 } else { 0.0 }
        }
        (Value::Null, Value::String(s)) | (Value::String(s), Value::Null) => s.is_empty(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| loose_eq(p, q))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| loose_eq(v, w)))
        }
        _ => a == b,
    }
}

pub(crate) fn num_cmp(a: Num, b: Num) -> Option<Ordering> {
    match (a, b) {
        (Num::Int(x), Num::Int(y)) => Some(x.cmp(&y)),
        (Num::Dec(_), _) | (_, Num::Dec(_)) => match (a.as_dec(), b.as_dec()) {
            (Some(x), Some(y)) => Some(x.cmp(&y)),
            _ => a.as_f64().partial_cmp(&b.as_f64()),
        },
        _ => a.as_f64().partial_cmp(&b.as_f64()),
    }
}

/// Ordering for `greater`/`less`/`sort`: numbers by value, strings ordinally, booleans
/// false < true, null as ''. `None` when the two cannot be compared.
pub(crate) fn compare(a: &Value, b: &Value) -> Option<Ordering> {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => num_cmp(Num::of_number(x), Num::of_number(y)),
        (Value::String(x), Value::String(y)) => Some(x.cmp(y)),
        (Value::Null, Value::String(y)) => Some("".cmp(y.as_str())),
        (Value::String(x), Value::Null) => Some(x.as_str().cmp("")),
        (Value::Null, Value::Null) => Some(Ordering::Equal),
        (Value::Bool(x), Value::Bool(y)) => Some(x.cmp(y)),
        _ => None,
    }
}

/// The content envelope Logic Apps uses for binary data:
/// `{"$content-type": "...", "$content": "<base64>"}`.
pub(crate) fn binary_envelope(bytes: &[u8], content_type: &str) -> Value {
    let mut map = Map::new();
    map.insert("$content-type".into(), Value::String(content_type.into()));
    map.insert("$content".into(), Value::String(BASE64.encode(bytes)));
    Value::Object(map)
}

/// The bytes of a content envelope, if `value` is one.
pub(crate) fn binary_content(value: &Value) -> Option<Vec<u8>> {
    let object = value.as_object()?;
    let content = object.get("$content")?.as_str()?;
    if !object.contains_key("$content-type") {
        return None;
    }
    // As .NET's Convert.FromBase64String: white space inside is skipped.
    base64_decode(content).ok()
}

fn is_textual(value: &Value) -> bool {
    let content_type = value
        .get("$content-type")
        .and_then(Value::as_str)
        .unwrap_or("");
    let lower = content_type.to_ascii_lowercase();
    !lower.starts_with("image/") && !lower.starts_with("audio/") && !lower.starts_with("video/")
}

pub(crate) fn base64_encode(bytes: &[u8]) -> String {
    BASE64.encode(bytes)
}

pub(crate) fn base64_decode(text: &str) -> Result<Vec<u8>, String> {
    let cleaned: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    BASE64
        .decode(cleaned.as_bytes())
        .or_else(|_| {
            base64::engine::general_purpose::STANDARD_NO_PAD.decode(cleaned.trim_end_matches('='))
        })
        .map_err(|_| format!("'{text}' is not valid base64"))
}
