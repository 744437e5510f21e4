//! `xml()` of a JSON object, as Newtonsoft's `DeserializeXmlNode` builds it and .NET writes
//! it: one root property (besides `?xml`), `@name` keys as attributes, `#text` as text (an
//! array of texts joined), `#cdata-section` as CDATA, arrays as repeated elements, an
//! element with nothing inside as `<a />`, names that XML does not allow encoded as
//! `_xHHHH_` and a prefix without a declared namespace dropped.

use serde_json::{Map, Value};

use super::xml_write::{attribute, text};
use crate::flow::expr::value::to_text;

/// The XML document for `map`; an error says why there is none.
pub(super) fn json_to_xml(map: &Map<String, Value>) -> Result<String, String> {
    let roots: Vec<(&String, &Value)> = map
        .iter()
        .filter(|(k, _)| !k.starts_with('?') && !k.starts_with('!'))
        .collect();
    let mut out = String::new();
    if let Some(Value::Object(declaration)) = map.get("?xml") {
        out.push_str("<?xml");
        for name in ["version", "encoding", "standalone"] {
            if let Some(value) = declaration.get(&format!("@{name}")) {
                attribute(&mut out, name, &text_of(value));
            }
        }
        out.push_str("?>");
    }
    match roots.as_slice() {
        // An empty object is an empty document.
        [] => {}
        [(name, value)] => {
            if value.is_array() {
                return Err("the root property must not be an array".into());
            }
            element(&mut out, name, value, &mut Vec::new())?;
        }
        more => {
            return Err(format!(
                "the JSON object must have one root property, found {}",
                more.len()
            ));
        }
    }
    Ok(out)
}

/// A value's text as `XmlConvert` writes it (`true`, not `True`).
fn text_of(value: &Value) -> String {
    match value {
        Value::Bool(flag) => flag.to_string(),
        other => to_text(other),
    }
}

/// `name` as an XML name: a prefix kept only when its namespace is declared (`declared`),
/// every character XML does not allow there written `_xHHHH_`.
fn xml_name(name: &str, declared: &[String]) -> String {
    let local = match name.split_once(':') {
        Some((prefix, rest)) if declared.iter().any(|p| p == prefix) => {
            return format!("{}:{}", encode(prefix), encode(rest));
        }
        Some((_, rest)) if !rest.is_empty() => rest,
        _ => name,
    };
    encode(local)
}

fn encode(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for (i, c) in name.chars().enumerate() {
        let start = c == '_' || c.is_alphabetic();
        let allowed = if i == 0 {
            start
        } else {
            start || c.is_numeric() || matches!(c, '-' | '.' | '\u{b7}')
        };
        if allowed {
            out.push(c);
        } else {
            out.push_str(&format!("_x{:04X}_", u32::from(c)));
        }
    }
    out
}

fn element(
    out: &mut String,
    name: &str,
    value: &Value,
    declared: &mut Vec<String>,
) -> Result<(), String> {
    match value {
        Value::Array(items) => {
            for item in items {
                element(out, name, item, declared)?;
            }
        }
        Value::Object(map) => {
            let before = declared.len();
            for key in map.keys() {
                if let Some(prefix) = key.strip_prefix("@xmlns:") {
                    declared.push(prefix.to_owned());
                }
            }
            let tag = xml_name(name, declared);
            out.push('<');
            out.push_str(&tag);
            for (key, attr) in map.iter().filter(|(k, _)| k.starts_with('@')) {
                let attr_name = match &key[1..] {
                    xmlns if xmlns == "xmlns" || xmlns.starts_with("xmlns:") => xmlns.to_owned(),
                    other => xml_name(other, declared),
                };
                attribute(out, &attr_name, &text_of(attr));
            }
            let children: Vec<(&String, &Value)> =
                map.iter().filter(|(k, _)| !k.starts_with('@')).collect();
            if children.is_empty() {
                out.push_str(" />");
            } else {
                out.push('>');
                for (key, child) in children {
                    match key.as_str() {
                        "#text" => match child {
                            Value::Array(parts) => {
                                parts.iter().for_each(|p| text(out, &text_of(p)));
                            }
                            other => text(out, &text_of(other)),
                        },
                        "#cdata-section" => {
                            let parts = match child {
                                Value::Array(parts) => parts.clone(),
                                other => vec![other.clone()],
                            };
                            for part in parts {
                                let data = text_of(&part);
                                if data.contains("]]>") {
                                    return Err("a #cdata-section cannot hold ']]>'".to_owned());
                                }
                                out.push_str("<![CDATA[");
                                out.push_str(&data);
                                out.push_str("]]>");
                            }
                        }
                        _ => element(out, key, child, declared)?,
                    }
                }
                out.push_str("</");
                out.push_str(&tag);
                out.push('>');
            }
            declared.truncate(before);
        }
        Value::Null => {
            out.push('<');
            out.push_str(&xml_name(name, declared));
            out.push_str(" />");
        }
        other => {
            let tag = xml_name(name, declared);
            out.push('<');
            out.push_str(&tag);
            out.push('>');
            text(out, &text_of(other));
            out.push_str("</");
            out.push_str(&tag);
            out.push('>');
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn xml_of(value: Value) -> Result<String, String> {
        json_to_xml(value.as_object().expect("object"))
    }

    #[test]
    fn written_as_newtonsoft_and_dotnet_write_it() {
        let cases = [
            (
                json!({"root": {"@attr": "te\">xt"}}),
                "<root attr=\"te&quot;&gt;xt\" />",
            ),
            (json!({"ro:ot": "text"}), "<ot>text</ot>"),
            (json!({"ro>ot": "text"}), "<ro_x003E_ot>text</ro_x003E_ot>"),
            (json!({"ro ot": "text"}), "<ro_x0020_ot>text</ro_x0020_ot>"),
            (
                json!({"root": {"#comment": "-->test"}}),
                "<root><_x0023_comment>--&gt;test</_x0023_comment></root>",
            ),
            (
                json!({"root": {"#text": ["a", "c", "f"], "e": {"#cdata-section": "Testing"}}}),
                "<root>acf<e><![CDATA[Testing]]></e></root>",
            ),
            (
                json!({"?xml": {"@version": "1.0", "@encoding": "utf-8"}, "root": null}),
                "<?xml version=\"1.0\" encoding=\"utf-8\"?><root />",
            ),
            (
                json!({"a": {"b": [1, true], "c": {}}}),
                "<a><b>1</b><b>true</b><c /></a>",
            ),
            (
                json!({"p:a": {"@xmlns:p": "urn:p", "p:b": "x"}}),
                "<p:a xmlns:p=\"urn:p\"><p:b>x</p:b></p:a>",
            ),
            (json!({}), ""),
        ];
        for (given, written) in cases {
            assert_eq!(xml_of(given.clone()).as_deref(), Ok(written), "{given}");
        }
        assert!(xml_of(json!({"root": {"#cdata-section": "]]>test"}})).is_err());
        assert!(xml_of(json!({"a": 1, "b": 2})).is_err());
    }
}
