//! Key predicates: from the connector's comma-separated form (`usmf,US-001`) or typed parts
//! to `(dataAreaId='usmf',CustomerAccount='US-001')`, percent-encoded for a URL path.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use super::metadata::{EntityType, Model};
use super::values::{Value, ValueError, ValueKind};

/// Characters left readable in a path segment: RFC 3986 unreserved plus the sub-delims and
/// `:`/`@` that OData key predicates use; `+`, `&`, `;`, quotes, space, `/`, `#`, `?`, `%`
/// and non-ASCII are percent-encoded.
const PATH_SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'\'')
    .remove(b'=')
    .remove(b',')
    .remove(b'(')
    .remove(b')')
    .remove(b':')
    .remove(b'@')
    .remove(b'!')
    .remove(b'*')
    .remove(b'$');

/// Percent-encodes text for use as (part of) one URL path segment.
pub fn encode_path_segment(text: &str) -> String {
    utf8_percent_encode(text, PATH_SEGMENT).to_string()
}

/// Why a key could not be built.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum KeyError {
    /// The entity type declares no key.
    #[error("entity type {0} has no key")]
    NoKey(String),
    /// A key property named in `Key` is not declared.
    #[error("key property {0} is not declared on the entity type")]
    UndeclaredKeyProperty(String),
    /// The number of values does not match the key.
    #[error("expected {expected_count} key value(s) ({}) but got {got}", .expected.join(", "))]
    WrongCount {
        /// Key property names in key order.
        expected: Vec<String>,
        /// Number of expected values.
        expected_count: usize,
        /// Number of values given.
        got: usize,
    },
    /// A quoted value is not closed.
    #[error("unterminated quote in key '{0}'")]
    UnterminatedQuote(String),
    /// Text after a closing quote before the next comma.
    #[error("unexpected text after quoted value in key '{0}'")]
    TextAfterQuote(String),
    /// A named part refers to a property that is not part of the key.
    #[error("'{0}' is not a key property (expected: {1})")]
    UnknownKeyName(String, String),
    /// A record lacks a key property.
    #[error("the record has no value for key property {0}")]
    MissingInRecord(String),
    /// A key value is invalid for its type.
    #[error("key {field}: {source}")]
    Invalid {
        /// The key property.
        field: String,
        /// What is wrong.
        source: ValueError,
    },
}

/// A typed key predicate: `(name, value)` pairs in key order.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyPredicate {
    parts: Vec<(String, Value)>,
}

impl KeyPredicate {
    /// Builds from already-typed parts in key order.
    pub fn new(parts: Vec<(String, Value)>) -> Self {
        Self { parts }
    }

    /// The typed parts in key order.
    pub fn parts(&self) -> &[(String, Value)] {
        &self.parts
    }

    /// Parses user text for `entity`'s key, typed by the model. Accepted forms:
    /// the connector's comma-separated values in key order (`usmf,US-001`, values with commas
    /// in double or single quotes, whitespace trimmed unless quoted), or an OData predicate
    /// `(dataAreaId='usmf',CustomerAccount='US-001')` / `('US-001')` pasted from a URL
    /// (recognised when every part is `Name=…`, or a single key is given as a quoted or
    /// non-text literal; so `(abc)` stays the text value `(abc)`).
    pub fn parse(model: &Model, entity: &EntityType, text: &str) -> Result<Self, KeyError> {
        let key_names = model.key_of(entity);
        if key_names.is_empty() {
            return Err(KeyError::NoKey(entity.name.clone()));
        }
        let properties = model.key_properties(entity);
        let mut kinds = Vec::with_capacity(key_names.len());
        for name in key_names {
            let property = properties
                .iter()
                .find(|p| &p.name == name)
                .ok_or_else(|| KeyError::UndeclaredKeyProperty(name.clone()))?;
            kinds.push((name.clone(), ValueKind::of_property(model, property)));
        }
        let trimmed = text.trim();
        let texts = match trimmed.strip_prefix('(').and_then(|t| t.strip_suffix(')')) {
            Some(inner) if looks_like_predicate(inner, &kinds) => predicate_texts(inner, &kinds)?,
            _ => split_key_values(text)?,
        };
        if texts.len() != kinds.len() {
            return Err(KeyError::WrongCount {
                expected: key_names.to_vec(),
                expected_count: kinds.len(),
                got: texts.len(),
            });
        }
        let mut parts = Vec::with_capacity(kinds.len());
        for ((name, kind), text) in kinds.into_iter().zip(texts) {
            let value = Value::parse_text(&kind, &text).map_err(|source| KeyError::Invalid {
                field: name.clone(),
                source,
            })?;
            parts.push((name, value));
        }
        Ok(Self { parts })
    }

    /// The key of a record read from the service (e.g. a row of a query result), typed by
    /// the metadata so that decimals and Int64 keep their exact JSON text.
    pub fn from_record(
        model: &Model,
        entity: &EntityType,
        record: &serde_json::Map<String, serde_json::Value>,
    ) -> Result<Self, KeyError> {
        let key_names = model.key_of(entity);
        if key_names.is_empty() {
            return Err(KeyError::NoKey(entity.name.clone()));
        }
        let properties = model.key_properties(entity);
        let mut parts = Vec::with_capacity(key_names.len());
        for name in key_names {
            let property = properties
                .iter()
                .find(|p| &p.name == name)
                .ok_or_else(|| KeyError::UndeclaredKeyProperty(name.clone()))?;
            let json = record
                .get(name)
                .ok_or_else(|| KeyError::MissingInRecord(name.clone()))?;
            let kind = ValueKind::of_property(model, property);
            let value = Value::from_json(&kind, json).map_err(|source| KeyError::Invalid {
                field: name.clone(),
                source,
            })?;
            parts.push((name.clone(), value));
        }
        Ok(Self { parts })
    }

    /// The predicate as OData text (not percent-encoded): `('US-001')` or `(42)` for a single
    /// key, `(dataAreaId='usmf',CustomerAccount='US-001')` for composite keys.
    pub fn to_literal(&self) -> String {
        match self.parts.as_slice() {
            [(_, value)] => format!("({})", value.to_url_literal()),
            _ => self.to_named_literal(),
        }
    }

    /// The predicate with names even for a single key: `(CustomerAccount='US-001')`.
    pub fn to_named_literal(&self) -> String {
        let inner: Vec<String> = self
            .parts
            .iter()
            .map(|(n, v)| format!("{n}={}", v.to_url_literal()))
            .collect();
        format!("({})", inner.join(","))
    }

    /// [`Self::to_literal`] percent-encoded for a URL path segment.
    pub fn to_path_segment(&self) -> String {
        encode_path_segment(&self.to_literal())
    }
}

/// The path of one entity: `CustomersV3(dataAreaId='usmf',CustomerAccount='US-001')`,
/// percent-encoded.
pub fn entity_path(entity_set: &str, key: &KeyPredicate) -> String {
    format!(
        "{}{}",
        encode_path_segment(entity_set),
        key.to_path_segment()
    )
}

/// Joins key values in the connector's comma-separated form, quoting values that contain
/// a comma or a quote or have surrounding spaces (`"a,b"`, inner quotes doubled).
pub fn join_key_values(values: &[String]) -> String {
    values
        .iter()
        .map(|v| {
            if v.contains([',', '"', '\'']) || v.trim() != v.as_str() {
                format!("\"{}\"", v.replace('"', "\"\""))
            } else {
                v.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// Splits the connector's comma-separated key text into raw values. A value may be quoted
/// with `"` or `'` (a doubled quote inside stands for itself); unquoted values are trimmed.
pub fn split_key_values(text: &str) -> Result<Vec<String>, KeyError> {
    let chars: Vec<char> = text.chars().collect();
    let mut values = Vec::new();
    let mut i = 0;
    loop {
        while i < chars.len() && chars[i].is_whitespace() {
            i += 1;
        }
        if i < chars.len() && (chars[i] == '"' || chars[i] == '\'') {
            let quote = chars[i];
            let mut value = String::new();
            i += 1;
            loop {
                match chars.get(i) {
                    None => return Err(KeyError::UnterminatedQuote(text.to_owned())),
                    Some(&c) if c == quote => {
                        if chars.get(i + 1) == Some(&quote) {
                            value.push(quote);
                            i += 2;
                        } else {
                            i += 1;
                            break;
                        }
                    }
                    Some(&c) => {
                        value.push(c);
                        i += 1;
                    }
                }
            }
            while i < chars.len() && chars[i].is_whitespace() {
                i += 1;
            }
            if i < chars.len() && chars[i] != ',' {
                return Err(KeyError::TextAfterQuote(text.to_owned()));
            }
            values.push(value);
        } else {
            let start = i;
            while i < chars.len() && chars[i] != ',' {
                i += 1;
            }
            values.push(chars[start..i].iter().collect::<String>().trim().to_owned());
        }
        if i >= chars.len() {
            return Ok(values);
        }
        i += 1; // the comma
    }
}

/// Whether parenthesised text is meant as an OData predicate rather than a plain value.
fn looks_like_predicate(inner: &str, kinds: &[(String, ValueKind)]) -> bool {
    let Some(parts) = split_predicate(inner) else {
        return false;
    };
    let is_identifier =
        |name: &str| !name.is_empty() && name.chars().all(|c| c.is_alphanumeric() || c == '_');
    let all_named = parts.iter().all(|p| {
        p.split_once('=')
            .is_some_and(|(name, _)| is_identifier(name.trim()))
    });
    let single_literal = match (parts.as_slice(), kinds) {
        ([part], [(_, kind)]) => {
            let part = part.trim();
            !kind.is_string() || (part.len() >= 2 && part.starts_with('\'') && part.ends_with('\''))
        }
        _ => false,
    };
    all_named || single_literal
}

/// Reads the inside of an OData key predicate into raw texts in key order.
fn predicate_texts(inner: &str, kinds: &[(String, ValueKind)]) -> Result<Vec<String>, KeyError> {
    let parts =
        split_predicate(inner).ok_or_else(|| KeyError::UnterminatedQuote(inner.to_owned()))?;
    let expected = || {
        kinds
            .iter()
            .map(|(n, _)| n.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let named: Vec<Option<(&str, &str)>> = parts
        .iter()
        .map(|p| {
            let (name, value) = p.split_once('=')?;
            let name = name.trim();
            (!name.is_empty() && !name.contains('\'')).then_some((name, value.trim()))
        })
        .collect();
    if parts.len() == 1 && kinds.len() == 1 && named[0].is_none() {
        return Ok(vec![literal_text(parts[0].trim(), &kinds[0].1)]);
    }
    let mut texts = vec![None; kinds.len()];
    for (part, name_value) in parts.iter().zip(named) {
        let Some((name, value)) = name_value else {
            return Err(KeyError::UnknownKeyName(part.trim().to_owned(), expected()));
        };
        let index = kinds
            .iter()
            .position(|(n, _)| n == name)
            .ok_or_else(|| KeyError::UnknownKeyName(name.to_owned(), expected()))?;
        texts[index] = Some(literal_text(value, &kinds[index].1));
    }
    let got = texts.iter().filter(|t| t.is_some()).count();
    if got != kinds.len() {
        return Err(KeyError::WrongCount {
            expected: kinds.iter().map(|(n, _)| n.clone()).collect(),
            expected_count: kinds.len(),
            got,
        });
    }
    Ok(texts.into_iter().flatten().collect())
}

/// Splits at commas outside single-quoted literals; `None` when a quote is unterminated.
fn split_predicate(inner: &str) -> Option<Vec<String>> {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut in_quote = false;
    for c in inner.chars() {
        match c {
            '\'' => {
                in_quote = !in_quote;
                current.push(c);
            }
            ',' if !in_quote => parts.push(std::mem::take(&mut current)),
            _ => current.push(c),
        }
    }
    if in_quote {
        return None;
    }
    parts.push(current);
    Some(parts)
}

/// Turns an OData literal into the user text `Value::parse_text` expects.
fn literal_text(literal: &str, kind: &ValueKind) -> String {
    if let ValueKind::Enum(_) = kind {
        return literal.to_owned(); // parse_enum understands `NS.Type'Member'`
    }
    match literal.find('\'') {
        Some(start) if literal.len() > start + 1 && literal.ends_with('\'') => {
            literal[start + 1..literal.len() - 1].replace("''", "'")
        }
        _ => literal.to_owned(),
    }
}

#[cfg(test)]
mod tests;
