//! A page of a collection kept as its response bytes: the envelope (`@odata.nextLink`,
//! `@odata.count`) is read and every record located, but no record is decoded, so writers
//! (e.g. CSV) can read cells straight from the JSON text without building values.

use std::fmt;
use std::ops::Range;

use bytes::Bytes;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;
use url::Url;

use super::error::ODataError;

/// One page of a collection whose records are still JSON text.
#[derive(Debug, Clone)]
pub struct RawPage {
    /// The URL this page was read from.
    pub url: Url,
    /// The response body.
    body: String,
    /// Where each record of `value` lies in `body`.
    records: Vec<Range<usize>>,
    /// The next page, resolved against the service root.
    pub next_link: Option<Url>,
    /// `@odata.count`, when requested.
    pub count: Option<u64>,
}

impl RawPage {
    /// Reads a collection response body read from `url`; a relative nextLink is resolved
    /// against `base`, as [`Page::from_json_in`](super::Page::from_json_in) does.
    pub fn from_body(url: Url, base: &Url, body: Bytes) -> Result<Self, ODataError> {
        // Checked as UTF-8 once, as a whole: the decoder then reads it as text and never
        // checks a record or a string again.
        let body = match String::from_utf8(Vec::from(body)) {
            Ok(body) => body,
            Err(e) => return Err(not_utf8(&url, e)),
        };
        let start = if body.starts_with('\u{feff}') { 3 } else { 0 };
        let invalid = |message: String| ODataError::InvalidJson {
            url: url.to_string(),
            message,
            body: body.clone(),
        };
        let text = &body[start..];
        let mut deserializer = serde_json::Deserializer::from_str(text);
        let envelope = Envelope {
            base: text.as_ptr() as usize,
        }
        .deserialize(&mut deserializer)
        .and_then(|e| deserializer.end().map(|()| e))
        .map_err(|e| invalid(e.to_string()))?;
        let Some(records) = envelope.records else {
            return Err(invalid(
                "not an OData collection: the body has no 'value' array".to_owned(),
            ));
        };
        let link = match envelope.at_link {
            Some(link) => link,
            None => envelope.plain_link,
        };
        let next_link = match link {
            Some(link) => Some(base.join(&link).map_err(|e| {
                ODataError::InvalidUrl(format!("bad @odata.nextLink '{link}': {e}"))
            })?),
            None => None,
        };
        let records = records
            .into_iter()
            .map(|r| r.start + start..r.end + start)
            .collect();
        Ok(Self {
            url,
            body,
            records,
            next_link,
            count: envelope.count,
        })
    }

    /// Number of records on the page.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// Whether the page has no records.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// The JSON text of each record, in order.
    pub fn records(&self) -> Vec<&str> {
        // Ranges the decoder found start and end at JSON tokens, so on characters.
        self.records
            .iter()
            .map(|r| self.body.get(r.clone()).unwrap_or_default())
            .collect()
    }
}

/// The error for a body that is not UTF-8, with the line and column (in bytes, as the
/// JSON decoder counts them) of the first bad byte.
fn not_utf8(url: &Url, error: std::string::FromUtf8Error) -> ODataError {
    let bytes = error.as_bytes();
    let before = &bytes[..error.utf8_error().valid_up_to()];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let column = before.len()
        - before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |at| at + 1)
        + 1;
    ODataError::InvalidJson {
        url: url.to_string(),
        message: format!("invalid UTF-8 at line {line} column {column}"),
        body: String::from_utf8_lossy(bytes).into_owned(),
    }
}

/// How far from the end of a body the early look for `@odata.nextLink` reaches.
const TRAILER_BYTES: usize = 16 * 1024;

/// The `@odata.nextLink` of a collection body, found by looking at its last bytes only
/// (F&O and most services send it after `value`), so the next page can be requested before
/// the whole body is read. A guess: callers read the page fully and compare before using it;
/// `None` when the end of the body does not look like `"@odata.nextLink": "…"` then `}`.
pub fn trailing_next_link(body: &[u8]) -> Option<String> {
    const KEY: &[u8] = b"\"@odata.nextLink\"";
    let from = body.len().saturating_sub(TRAILER_BYTES);
    let tail = &body[from..];
    let at = tail.windows(KEY.len()).rposition(|w| w == KEY)?;
    // Not a key inside a string: the byte before the key's quote is no backslash.
    if at > 0 && tail[at - 1] == b'\\' {
        return None;
    }
    let rest = &tail[at + KEY.len()..];
    let rest = rest
        .trim_ascii_start()
        .strip_prefix(b":")?
        .trim_ascii_start();
    let mut values = serde_json::Deserializer::from_slice(rest).into_iter::<String>();
    let link = values.next()?.ok()?;
    let after = rest[values.byte_offset()..].trim_ascii();
    // The link must be the last member of the body, or be followed by more members.
    (after == b"}" || after.starts_with(b",")).then_some(link)
}

/// What the envelope holds: record positions (relative to `base`), nextLink, count.
struct Envelope {
    base: usize,
}

#[derive(Default)]
struct Read {
    records: Option<Vec<Range<usize>>>,
    at_link: Option<Option<String>>,
    plain_link: Option<String>,
    count: Option<u64>,
}

impl<'de> DeserializeSeed<'de> for Envelope {
    type Value = Read;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Read, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Envelope {
    type Value = Read;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an OData collection (a JSON object)")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Read, A::Error> {
        let mut read = Read::default();
        let mut seen = Vec::new();
        while let Some(key) = map.next_key_seed(crate::odata::json_strict::Key)? {
            if seen.contains(&key) {
                return Err(de::Error::custom(format!("duplicate property '{key}'")));
            }
            match key.as_ref() {
                "value" => {
                    let records = map.next_value_seed(Records { base: self.base })?;
                    read.records = records;
                }
                "@odata.nextLink" | "odata.nextLink" => {
                    let link: &RawValue = map.next_value()?;
                    // As the value path: only a string is a link, and `@odata.nextLink`,
                    // when present, is the one read.
                    let text = serde_json::from_str::<String>(link.get()).ok();
                    if key == "@odata.nextLink" {
                        read.at_link = Some(text);
                    } else {
                        read.plain_link = text;
                    }
                }
                "@odata.count" => {
                    let count: &RawValue = map.next_value()?;
                    read.count = match serde_json::from_str::<serde_json::Value>(count.get()) {
                        Ok(serde_json::Value::Number(n)) => n.as_u64(),
                        Ok(serde_json::Value::String(s)) => s.parse().ok(),
                        _ => None,
                    };
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
            seen.push(key);
        }
        Ok(read)
    }
}

/// The `value` array: where each record lies; `None` when `value` is not an array.
struct Records {
    base: usize,
}

impl<'de> DeserializeSeed<'de> for Records {
    type Value = Option<Vec<Range<usize>>>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Records {
    type Value = Option<Vec<Range<usize>>>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of records")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut records = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(record) = seq.next_element::<&RawValue>()? {
            let start = record.get().as_ptr() as usize - self.base;
            records.push(start..start + record.get().len());
        }
        Ok(Some(records))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(None)
    }

    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn the_trailing_next_link_is_read_from_the_end_of_the_body() {
        let link = |body: &str| trailing_next_link(body.as_bytes());
        assert_eq!(
            link(r#"{"value": [{"a": 1}], "@odata.nextLink": "http://h/data/X?$skiptoken=2"}"#),
            Some("http://h/data/X?$skiptoken=2".to_owned())
        );
        assert_eq!(
            link(
                "{\"value\": [],\n  \"@odata.nextLink\" :\t\"X?a=\\u0026b\" ,\n \"@odata.count\": 3 }\n"
            ),
            Some("X?a=&b".to_owned())
        );
        // None when it is not the envelope's member at the end.
        assert_eq!(
            link(r#"{"value": [{"Note": "\"@odata.nextLink\": \"x\""}]}"#),
            None
        );
        // Before `value` it is still found when the body is short.
        assert_eq!(
            link(r#"{"@odata.nextLink": "X", "value": [{"a": 1}]}"#),
            Some("X".to_owned())
        );
        assert_eq!(link(r#"{"value": [], "@odata.nextLink": 3}"#), None);
        assert_eq!(link(r#"{"value": [], "@odata.nextLink": "X" "#), None);
        assert_eq!(link(r#"{"value": []}"#), None);
        // Only the last bytes are looked at.
        let long = format!(
            r#"{{"@odata.nextLink": "X", "value": ["{}"]}}"#,
            "a".repeat(TRAILER_BYTES)
        );
        assert_eq!(link(&long), None);
    }

    use super::*;

    fn page(body: &str) -> Result<RawPage, ODataError> {
        let url = Url::parse("http://127.0.0.1:1/data/Customers(1)/Orders").unwrap();
        let root = Url::parse("http://127.0.0.1:1/data/").unwrap();
        RawPage::from_body(url, &root, Bytes::from(body.to_owned()))
    }

    #[test]
    fn envelope_is_read_as_the_value_path_reads_it() {
        let body = "\u{feff}{\"value\": [ {\"a\": 1} , 2 ,{\"b\":[]}], \
                    \"@odata.nextLink\": \"Orders?$skiptoken=2\", \"@odata.count\": 7}";
        let page = page(body).unwrap();
        assert_eq!(page.records(), vec![r#"{"a": 1}"#, "2", r#"{"b":[]}"#]);
        assert_eq!(page.count, Some(7));
        assert_eq!(
            page.next_link.unwrap().as_str(),
            "http://127.0.0.1:1/data/Orders?$skiptoken=2"
        );
        let page =
            page_with_links(r#""odata.nextLink": "https://other.example/X", "@odata.count": "3""#);
        assert_eq!(page.next_link.unwrap().as_str(), "https://other.example/X");
        assert_eq!(page.count, Some(3));
        // `@odata.nextLink`, when present, is the link even when it is not a string.
        let page = page_with_links(r#""@odata.nextLink": null, "odata.nextLink": "X""#);
        assert!(page.next_link.is_none());
    }

    #[test]
    fn a_body_that_is_not_utf8_is_refused_with_the_decoders_position() {
        let url = Url::parse("http://127.0.0.1:1/data/Customers").unwrap();
        let body = b"{\"value\": [{\"Name\": \"caf\xE9\"}]}".to_vec();
        match RawPage::from_body(url.clone(), &url, Bytes::from(body)) {
            Err(ODataError::InvalidJson { message, body, .. }) => {
                assert_eq!(message, "invalid UTF-8 at line 1 column 25");
                assert_eq!(body, "{\"value\": [{\"Name\": \"caf\u{fffd}\"}]}");
            }
            other => panic!("{other:?}"),
        }
    }

    fn page_with_links(links: &str) -> RawPage {
        page(&format!(r#"{{"value": [], {links}}}"#)).unwrap()
    }

    #[test]
    fn bodies_that_are_not_collections_are_refused_with_the_body() {
        for body in [
            r#"{"id": 1}"#,
            r#"{"value": {"a": 1}}"#,
            r#"{"value": null}"#,
            "[1]",
            r#"{"value": [1], "value": [2]}"#,
            r#"{"value": [1]} trailing"#,
            r#"{"value": [1"#,
        ] {
            match page(body) {
                Err(ODataError::InvalidJson { body: kept, .. }) => assert_eq!(kept, body),
                other => panic!("{body}: {other:?}"),
            }
        }
    }
}
