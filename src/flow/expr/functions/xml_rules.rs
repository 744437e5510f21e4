//! What the cloud's XML reader (.NET's `XmlDocument`) refuses or reports that a lenient
//! parser lets through: the XML declaration (version 1.0 first, then encoding, then
//! standalone; an encoding it knows), a `DOCTYPE` read into Newtonsoft's shape, prefixes
//! without a declared namespace, `--` inside a comment.

use serde_json::{Map, Value};

/// The declaration `<?xml …?>` (its text after `xml`) as Newtonsoft writes it (`@version`,
/// `@encoding`, `@standalone`), or why .NET refuses it.
pub(super) fn declaration(raw: &str) -> Result<Map<String, Value>, String> {
    let pairs = attributes(raw.trim_start_matches("xml"))?;
    let order = ["version", "encoding", "standalone"];
    let mut last = None;
    for (name, _) in &pairs {
        let Some(at) = order.iter().position(|o| o == name) else {
            return Err(format!(
                "the XML declaration has '{name}', expected version, encoding and standalone"
            ));
        };
        if last.is_some_and(|l| at <= l) || (last.is_none() && at != 0) {
            return Err(
                "the XML declaration must give version first, then encoding, then standalone"
                    .to_owned(),
            );
        }
        last = Some(at);
    }
    let mut fields = Map::new();
    for (name, value) in pairs {
        match name.as_str() {
            "version" if value != "1.0" => {
                return Err(format!(
                    "the XML version '{value}' is not supported (1.0 is)"
                ));
            }
            "standalone" if value != "yes" && value != "no" => {
                return Err(format!("standalone must be yes or no, found '{value}'"));
            }
            _ => {}
        }
        fields.insert(format!("@{name}"), Value::String(value));
    }
    Ok(fields)
}

/// For `json()` of XML: the declared encoding must be one .NET reads text in (`xml()` keeps
/// any, as the cloud does).
pub(super) fn check_encoding(document: &Value) -> Result<(), String> {
    match document.pointer("/?xml/@encoding").and_then(Value::as_str) {
        Some(name) if !known_encoding(name) => Err(format!("'{name}' is not a supported encoding")),
        _ => Ok(()),
    }
}

/// A `charset` of a data URI: the encodings [`known_encoding`] names, and UTF-16 or UTF-32.
pub(super) fn known_charset(name: &str) -> bool {
    known_encoding(name)
        || matches!(
            name.to_ascii_lowercase().as_str(),
            "utf-16" | "utf-16le" | "utf-16be" | "unicode" | "utf-32" | "utf-32le" | "utf-32be"
        )
}

fn known_encoding(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    matches!(
        name.as_str(),
        "utf-8" | "utf8" | "us-ascii" | "ascii" | "latin1"
    ) || name
        .strip_prefix("iso-8859-")
        .is_some_and(|n| n.parse::<u8>().is_ok_and(|n| (1..=15).contains(&n)))
        || name
            .strip_prefix("windows-125")
            .is_some_and(|n| n.len() == 1 && n.as_bytes()[0].is_ascii_digit())
}

/// `name="value"` pairs in order (single or double quotes).
fn attributes(text: &str) -> Result<Vec<(String, String)>, String> {
    let mut pairs = Vec::new();
    let mut rest = text.trim_start();
    while !rest.is_empty() {
        let (name, after) = rest
            .split_once('=')
            .ok_or_else(|| format!("the XML declaration is malformed near '{rest}'"))?;
        let after = after.trim_start();
        let quote = after
            .chars()
            .next()
            .filter(|q| *q == '"' || *q == '\'')
            .ok_or("the XML declaration's values must be quoted")?;
        let body = &after[1..];
        let end = body
            .find(quote)
            .ok_or("the XML declaration has an unclosed value")?;
        pairs.push((name.trim().to_owned(), body[..end].to_owned()));
        rest = body[end + 1..].trim_start();
    }
    Ok(pairs)
}

/// A `<!DOCTYPE …>` (its text after `DOCTYPE`) as Newtonsoft writes it: `@name`, `@public`,
/// `@system`, `@internalSubset` (the empty ones left out).
pub(super) fn doctype(raw: &str) -> Map<String, Value> {
    let (outside, subset) = match (raw.find('['), raw.rfind(']')) {
        (Some(open), Some(close)) if close > open => (&raw[..open], &raw[open + 1..close]),
        _ => (raw, ""),
    };
    let mut words = Vec::new();
    let mut rest = outside.trim();
    while !rest.is_empty() {
        if let Some(quote) = rest.chars().next().filter(|q| *q == '"' || *q == '\'') {
            let body = &rest[1..];
            let end = body.find(quote).unwrap_or(body.len());
            words.push(body[..end].to_owned());
            rest = body.get(end + 1..).unwrap_or("").trim_start();
        } else {
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            words.push(rest[..end].to_owned());
            rest = rest[end..].trim_start();
        }
    }
    let mut fields = Map::new();
    let mut put = |key: &str, value: Option<&String>| {
        if let Some(value) = value.filter(|v| !v.is_empty()) {
            fields.insert(key.to_owned(), Value::String(value.clone()));
        }
    };
    put("@name", words.first());
    match words.get(1).map(String::as_str) {
        Some("PUBLIC") => {
            put("@public", words.get(2));
            put("@system", words.get(3));
        }
        Some("SYSTEM") => put("@system", words.get(2)),
        _ => {}
    }
    if !subset.trim().is_empty() {
        // A carriage return alone reads as a line feed (one before a line feed stays).
        let mut text = String::with_capacity(subset.len());
        let mut chars = subset.chars().peekable();
        while let Some(c) = chars.next() {
            if c == '\r' && chars.peek() != Some(&'\n') {
                text.push('\n');
            } else {
                text.push(c);
            }
        }
        fields.insert("@internalSubset".to_owned(), Value::String(text));
    }
    fields
}

/// The namespace prefixes declared on the elements open at a point of the document.
#[derive(Default)]
pub(super) struct Namespaces {
    declared: Vec<Vec<String>>,
}

impl Namespaces {
    /// Enters an element (`names`: its name and its attributes' names): its own
    /// declarations count for it; a prefix declared nowhere is an error.
    pub(super) fn enter(&mut self, names: &[&str]) -> Result<(), String> {
        let own: Vec<String> = names
            .iter()
            .filter_map(|n| n.strip_prefix("xmlns:"))
            .map(str::to_owned)
            .collect();
        self.declared.push(own);
        for name in names {
            if let Some((prefix, _)) = name.split_once(':')
                && prefix != "xml"
                && prefix != "xmlns"
                && !self.declared.iter().flatten().any(|p| p == prefix)
            {
                return Err(format!("'{prefix}' is an undeclared prefix (in '{name}')"));
            }
        }
        Ok(())
    }

    /// Leaves the element entered last.
    pub(super) fn leave(&mut self) {
        self.declared.pop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn declarations_are_checked_as_dotnet_checks_them() {
        assert_eq!(
            Value::Object(
                declaration("xml version=\"1.0\" encoding='ascii' standalone=\"yes\"").unwrap()
            ),
            json!({"@version": "1.0", "@encoding": "ascii", "@standalone": "yes"})
        );
        for bad in [
            "xml standalone=\"yes\" encoding=\"ascii\"",
            "xml version=\"1.0\" standalone=\"yes\" encoding=\"utf-8\"",
            "xml encoding=\"ascii\"",
            "xml version=\"1.1\"",
        ] {
            assert!(declaration(bad).is_err(), "{bad}");
        }
        for (encoding, known) in [
            ("martian", false),
            ("utf-16", false),
            ("UTF-8", true),
            ("iso-8859-1", true),
        ] {
            let document = json!({"?xml": {"@version": "1.0", "@encoding": encoding}});
            assert_eq!(check_encoding(&document).is_ok(), known, "{encoding}");
        }
    }

    #[test]
    fn a_doctype_reads_into_its_parts() {
        assert_eq!(
            Value::Object(doctype(
                " testing PUBLIC \"identifier-of-dtd\" \"uri-of-dtd\" []"
            )),
            json!({"@name": "testing", "@public": "identifier-of-dtd", "@system": "uri-of-dtd"})
        );
        assert_eq!(
            Value::Object(doctype(" testing [<!ELEMENT root (#PCDATA)>]")),
            json!({"@name": "testing", "@internalSubset": "<!ELEMENT root (#PCDATA)>"})
        );
        assert_eq!(
            Value::Object(doctype(" a SYSTEM \"\" []")),
            json!({"@name": "a"})
        );
    }

    #[test]
    fn a_prefix_needs_its_namespace() {
        let mut namespaces = Namespaces::default();
        assert!(namespaces.enter(&["aaa:root"]).is_err());
        let mut namespaces = Namespaces::default();
        assert!(namespaces.enter(&["p:root", "xmlns:p"]).is_ok());
        assert!(namespaces.enter(&["p:child", "xml:lang"]).is_ok());
        namespaces.leave();
        namespaces.leave();
        assert!(namespaces.enter(&["p:again"]).is_err());
    }
}
