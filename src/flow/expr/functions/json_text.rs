//! JSON text read as the cloud's `json()` reads it: a property given twice keeps its last
//! value, moved to where the last one stands (`{"a": 1, "b": -1, "a": 2}` is
//! `{"b": -1, "a": 2}`), as IllogicApps' cloud-checked cases show; serde_json keeps the
//! first position. Numbers keep their text (the crate's arbitrary precision).

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

/// Parses `text` as the cloud does.
pub(crate) fn parse(text: &str) -> Result<Value, serde_json::Error> {
    serde_json::from_str::<CloudValue>(text).map(|v| v.0)
}

struct CloudValue(Value);

impl<'de> Deserialize<'de> for CloudValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ValueVisitor).map(CloudValue)
    }
}

/// The key serde_json gives a number under `arbitrary_precision`, its text as the value.
const NUMBER_TOKEN: &str = "$serde_json::private::Number";

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, value: bool) -> Result<Value, E> {
        Ok(Value::Bool(value))
    }

    fn visit_i64<E>(self, value: i64) -> Result<Value, E> {
        Ok(Value::from(value))
    }

    fn visit_u64<E>(self, value: u64) -> Result<Value, E> {
        Ok(Value::from(value))
    }

    fn visit_f64<E>(self, value: f64) -> Result<Value, E> {
        Ok(Number::from_f64(value).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, value: &str) -> Result<Value, E> {
        Ok(Value::String(value.to_owned()))
    }

    fn visit_string<E>(self, value: String) -> Result<Value, E> {
        Ok(Value::String(value))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        CloudValue::deserialize(deserializer).map(|v| v.0)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(CloudValue(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = Map::new();
        let Some(mut key) = map.next_key::<String>()? else {
            return Ok(Value::Object(object));
        };
        if key == NUMBER_TOKEN {
            let text: String = map.next_value()?;
            return text
                .parse::<Number>()
                .map(Value::Number)
                .map_err(de::Error::custom);
        }
        loop {
            let CloudValue(value) = map.next_value()?;
            // Given again: the last value, where the last one stands.
            object.shift_remove(&key);
            object.insert(key, value);
            match map.next_key::<String>()? {
                Some(next) => key = next,
                None => return Ok(Value::Object(object)),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_property_given_twice_keeps_its_last_value_at_the_last_place() {
        let parsed = parse(r#"{"a": 1, "b": -1, "a": 2}"#).expect("parses");
        let keys: Vec<&String> = parsed.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["b", "a"]);
        assert_eq!(parsed, json!({"b": -1, "a": 2}));
        assert_eq!(parse(r#"{"A": 1, "A": 2}"#).unwrap(), json!({"A": 2}));
    }

    #[test]
    fn everything_else_reads_as_serde_json_reads_it() {
        let text = r#"{"n": 12345678901234567890123, "f": 1.50, "s": "x\u00e9", "l": [true, null, {"k": []}], "e": {}}"#;
        let ours = parse(text).unwrap();
        assert_eq!(ours, serde_json::from_str::<Value>(text).unwrap());
        assert_eq!(ours["n"].to_string(), "12345678901234567890123");
        assert_eq!(ours["f"].to_string(), "1.50");
        let error = parse("{\"a\": [1, }").unwrap_err();
        assert_eq!(error.line(), 1);
    }
}
