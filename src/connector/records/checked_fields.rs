//! The properties of a record whose JSON text is already known to be valid (a
//! [`RawPage`](crate::odata::client::RawPage) record: its decoder checked every byte), read
//! by looking for quotes and brackets only, without checking the syntax a second time.

use std::borrow::Cow;

/// A record's properties: name and JSON text of the value, in order.
pub(super) type Fields<'a> = Vec<(Cow<'a, str>, &'a str)>;

/// Reads the properties of the JSON object `record` into `fields`, each value's text
/// without surrounding whitespace (as `serde_json`'s `RawValue` has it). `false` when the
/// record needs the full decoder instead: a property name with an escape, or text that is
/// not a plain object (then `fields` holds no meaning and the caller decodes `record`).
pub(super) fn read_checked_fields<'a>(record: &'a str, fields: &mut Fields<'a>) -> bool {
    fields.clear();
    scan_object(record, fields).is_some()
}

fn scan_object<'a>(record: &'a str, fields: &mut Fields<'a>) -> Option<()> {
    let bytes = record.as_bytes();
    let mut at = skip_space(bytes, 0);
    if bytes.get(at) != Some(&b'{') {
        return None;
    }
    at = skip_space(bytes, at + 1);
    if bytes.get(at) == Some(&b'}') {
        return at_end(bytes, at + 1);
    }
    loop {
        if bytes.get(at) != Some(&b'"') {
            return None;
        }
        let name_end = at + 1 + memchr::memchr2(b'"', b'\\', bytes.get(at + 1..)?)?;
        if bytes[name_end] == b'\\' {
            return None;
        }
        let name = record.get(at + 1..name_end)?;
        at = skip_space(bytes, name_end + 1);
        if bytes.get(at) != Some(&b':') {
            return None;
        }
        let value_start = skip_space(bytes, at + 1);
        let value_end = skip_value(bytes, value_start)?;
        fields.push((Cow::Borrowed(name), record.get(value_start..value_end)?));
        at = skip_space(bytes, value_end);
        match bytes.get(at) {
            Some(b',') => at = skip_space(bytes, at + 1),
            Some(b'}') => return at_end(bytes, at + 1),
            _ => return None,
        }
    }
}

/// `Some` when only whitespace follows `at`.
pub(super) fn at_end(bytes: &[u8], at: usize) -> Option<()> {
    (skip_space(bytes, at) == bytes.len()).then_some(())
}

pub(super) fn skip_space(bytes: &[u8], mut at: usize) -> usize {
    while let Some(b' ' | b'\t' | b'\n' | b'\r') = bytes.get(at) {
        at += 1;
    }
    at
}

/// The end of the value starting at `at`.
pub(super) fn skip_value(bytes: &[u8], at: usize) -> Option<usize> {
    match bytes.get(at)? {
        b'"' => skip_string(bytes, at),
        b'{' | b'[' => skip_nested(bytes, at),
        // A number, `true`, `false` or `null`: up to the next delimiter.
        _ => {
            let length = bytes[at..]
                .iter()
                .position(|b| matches!(b, b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r'))
                .unwrap_or(bytes.len() - at);
            (length > 0).then_some(at + length)
        }
    }
}

/// The end (after the closing quote) of the string whose opening quote is at `at`.
fn skip_string(bytes: &[u8], at: usize) -> Option<usize> {
    string_end(bytes, at).map(|(end, _)| end)
}

/// The end (after the closing quote) of the string whose opening quote is at `at`, and
/// whether the string holds an escape.
pub(super) fn string_end(bytes: &[u8], at: usize) -> Option<(usize, bool)> {
    let mut from = at + 1;
    let mut escaped = false;
    loop {
        let found = quote_or_backslash(bytes, from)?;
        if bytes[found] == b'"' {
            return Some((found + 1, escaped));
        }
        // An escape: the next byte is escaped (`\"`, `\\`, `\u…`).
        escaped = true;
        from = found + 2;
    }
}

/// Bytes looked at eight at a time before [`memchr::memchr2`] takes over: most strings
/// of a record are shorter, and for them the call costs more than the search.
const SHORT: usize = 32;

/// Where the first `"` or `\\` at or after `from` is.
fn quote_or_backslash(bytes: &[u8], from: usize) -> Option<usize> {
    const ONES: u64 = u64::from_ne_bytes([1; 8]);
    const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
    const QUOTES: u64 = u64::from_ne_bytes([b'"'; 8]);
    const BACKSLASHES: u64 = u64::from_ne_bytes([b'\\'; 8]);
    let mut at = from;
    while at < from + SHORT {
        let Some(word) = bytes.get(at..at + 8) else {
            break;
        };
        let word = u64::from_le_bytes(word.try_into().ok()?);
        // A byte equal to the one looked for is a zero byte after the `xor`; the lowest
        // flagged byte is always a true one (the classic "has a zero byte" test).
        let (quote, backslash) = (word ^ QUOTES, word ^ BACKSLASHES);
        let flagged = ((quote.wrapping_sub(ONES) & !quote)
            | (backslash.wrapping_sub(ONES) & !backslash))
            & HIGHS;
        if flagged != 0 {
            return Some(at + (flagged.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    memchr::memchr2(b'"', b'\\', bytes.get(at..)?).map(|found| at + found)
}

/// The end of the object or array opening at `at` (brackets in strings skipped, each
/// closing bracket matched with its opening one).
pub(super) fn skip_nested(bytes: &[u8], at: usize) -> Option<usize> {
    let mut open: Vec<u8> = Vec::new();
    let mut from = at;
    loop {
        match bytes.get(from)? {
            b'"' => {
                from = skip_string(bytes, from)?;
                continue;
            }
            b'{' => open.push(b'}'),
            b'[' => open.push(b']'),
            close @ (b'}' | b']') => {
                if open.pop()? != *close {
                    return None;
                }
                if open.is_empty() {
                    return Some(from + 1);
                }
            }
            _ => {}
        }
        from += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::odata::json_strict;
    use serde::de::{DeserializeSeed, Deserializer, MapAccess, Visitor};
    use serde_json::value::RawValue;

    /// What the full decoder reads: names (unescaped) and value texts.
    fn decoded(record: &str) -> Vec<(String, String)> {
        struct Seed;
        impl<'de> DeserializeSeed<'de> for Seed {
            type Value = Vec<(String, String)>;
            fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
                d.deserialize_map(self)
            }
        }
        impl<'de> Visitor<'de> for Seed {
            type Value = Vec<(String, String)>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a record")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::new();
                while let Some(key) = map.next_key_seed(json_strict::Key)? {
                    let value: &RawValue = map.next_value()?;
                    out.push((key.into_owned(), value.get().to_owned()));
                }
                Ok(out)
            }
        }
        Seed.deserialize(&mut serde_json::Deserializer::from_str(record))
            .expect("valid record")
    }

    fn scanned(record: &str) -> Option<Vec<(String, String)>> {
        let mut fields = Fields::new();
        read_checked_fields(record, &mut fields).then(|| {
            fields
                .iter()
                .map(|(k, v)| (k.to_string(), (*v).to_owned()))
                .collect()
        })
    }

    #[test]
    fn valid_records_read_as_the_decoder_reads_them() {
        let records = [
            r#"{}"#,
            " { } ",
            r#"{"Id":1,"Name":"plain"}"#,
            "{ \"Id\" :\t-1.5e+3 ,\r\n \"Ok\" : true , \"No\":false,\"N\":null }",
            r#"{"Q": "quote \" and \\ backslash \\", "U": "caf\u00e9 \ud83d\ude00", "E": "\\"}"#,
            r#"{"Nested": {"a": [1, {"b": "}]\"["}, []], "c": {}}, "After": "x"}"#,
            r#"{"List": [ "a" , [ ] , { } ], "Unicode": "日本語 ✓", "Brace": "{[,:]}"}"#,
            r#"{"@odata.etag": "W/\"1\"", "Big": 123456789012345678901234567890.000100}"#,
        ];
        for record in records {
            assert_eq!(scanned(record), Some(decoded(record)), "{record}");
        }
    }

    #[test]
    fn escaped_names_and_non_objects_are_left_to_the_decoder() {
        assert_eq!(scanned(r#"{"Esc\u0061ped": 1}"#), None);
        assert_eq!(scanned(r#"{"A": 1, "B\"": 2}"#), None);
        assert_eq!(scanned("[1, 2]"), None);
        assert_eq!(scanned("\"text\""), None);
        assert_eq!(scanned("12"), None);
    }

    #[test]
    fn text_that_is_not_one_object_is_never_read_as_one() {
        for text in [
            "{",
            r#"{"A""#,
            r#"{"A": }"#,
            r#"{"A": 1"#,
            r#"{"A": 1 "B": 2}"#,
            r#"{"A": 1} trailing"#,
            r#"{"A": "unterminated}"#,
            r#"{"A": [1, 2}"#,
            r#"{"A": {"b": 1}"#,
        ] {
            assert_eq!(scanned(text), None, "{text}");
        }
    }
}
