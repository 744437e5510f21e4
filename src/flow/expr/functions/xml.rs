//! XML: `xml()` (from an XML string or a JSON object with one root property) and `json(xml)`
//! in Newtonsoft's shape (`@attr`, `#text`, repeated elements as arrays); `xpath()` is in
//! `xpath.rs`.

use quick_xml::events::Event;
use quick_xml::reader::Reader;
use serde_json::{Map, Value};

use super::{Call, Function};
use crate::flow::expr::value::{binary_content, binary_envelope, to_text};

pub(super) const FUNCTIONS: &[Function] = &[function!(
    "xml",
    "xml(value)",
    "XML content from an XML string or a JSON object with one root property.",
    1,
    1,
    xml
)];

/// The content type of XML content.
pub(super) const XML_TYPE: &str = "application/xml;charset=utf-8";

fn xml(call: &Call) -> Result<Value, String> {
    let value = call.arg(0);
    let text = match value {
        Value::Object(map) if binary_content(value).is_none() => {
            json_to_xml(map).map_err(|m| call.fail(m))?
        }
        _ => {
            let text = call.string(0)?;
            let trimmed = text.trim_start();
            if trimmed.starts_with('{') {
                let parsed: Value = serde_json::from_str(&text)
                    .map_err(|e| call.fail(format!("the string is neither XML nor JSON: {e}")))?;
                let map = parsed
                    .as_object()
                    .ok_or_else(|| call.fail("the JSON must be an object"))?;
                json_to_xml(map).map_err(|m| call.fail(m))?
            } else {
                xml_to_json(&text).map_err(|m| call.fail(m))?;
                text
            }
        }
    };
    // Written again as the cloud writes the document it reads (`<a />`, …).
    let text = super::xml_write::as_dotnet_writes(&text).map_err(|m| call.fail(m))?;
    Ok(binary_envelope(text.as_bytes(), XML_TYPE))
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Newtonsoft's `DeserializeXmlNode`: one root property (besides `?xml`) becomes the root
/// element; `@name` keys are attributes, `#text` is text, arrays repeat the element.
fn json_to_xml(map: &Map<String, Value>) -> Result<String, String> {
    let roots: Vec<(&String, &Value)> = map.iter().filter(|(k, _)| !k.starts_with('?')).collect();
    if roots.len() != 1 {
        return Err(format!(
            "the JSON object must have exactly one root property, found {}",
            roots.len()
        ));
    }
    let (name, value) = roots[0];
    if value.is_array() {
        return Err("the root property must not be an array".into());
    }
    let mut out = String::new();
    element(&mut out, name, value);
    Ok(out)
}

fn element(out: &mut String, name: &str, value: &Value) {
    match value {
        Value::Array(items) => items.iter().for_each(|item| element(out, name, item)),
        Value::Object(map) => {
            out.push('<');
            out.push_str(name);
            for (key, attr) in map.iter().filter(|(k, _)| k.starts_with('@')) {
                out.push_str(&format!(" {}=\"{}\"", &key[1..], escape(&to_text(attr))));
            }
            out.push('>');
            for (key, child) in map.iter().filter(|(k, _)| !k.starts_with('@')) {
                if key == "#text" {
                    out.push_str(&escape(&to_text(child)));
                } else {
                    element(out, key, child);
                }
            }
            out.push_str(&format!("</{name}>"));
        }
        Value::Null => out.push_str(&format!("<{name} />")),
        other => out.push_str(&format!("<{name}>{}</{name}>", escape(&to_text(other)))),
    }
}

/// An element being read: its attributes and children in order, and its text.
struct Node {
    name: String,
    fields: Map<String, Value>,
    /// The text since the last child or comment.
    text: String,
    /// Earlier runs of text, each ended by a child or a comment (mixed content).
    texts: Vec<String>,
    /// Written `<a/>` (null when empty) rather than `<a></a>` (an empty string).
    self_closing: bool,
}

impl Node {
    fn new(name: String) -> Self {
        Self {
            name,
            fields: Map::new(),
            text: String::new(),
            texts: Vec::new(),
            self_closing: false,
        }
    }

    /// Ends the run of text under way: text on each side of a child is a node of its own.
    fn end_text(&mut self) {
        let text = std::mem::take(&mut self.text);
        let text = text.trim();
        if !text.is_empty() {
            // `#text` keeps the place of the first text among the children.
            self.fields.entry("#text").or_insert(Value::Null);
            self.texts.push(text.to_owned());
        }
    }

    fn add_child(&mut self, name: String, value: Value) {
        self.end_text();
        match self.fields.get_mut(&name) {
            Some(Value::Array(items)) if !name.starts_with('@') => items.push(value),
            Some(existing) => {
                let first = existing.take();
                *existing = Value::Array(vec![first, value]);
            }
            None => {
                self.fields.insert(name, value);
            }
        }
    }

    fn finish(mut self) -> (String, Value) {
        self.end_text();
        let mut texts = std::mem::take(&mut self.texts);
        let only_text = self.fields.len() == usize::from(!texts.is_empty());
        if only_text && texts.len() <= 1 {
            let value = match texts.pop() {
                Some(text) => Value::String(text),
                None if self.self_closing => Value::Null,
                None => Value::String(String::new()),
            };
            return (self.name, value);
        }
        // As Newtonsoft writes mixed content: one `#text`, or an array of them.
        match texts.len() {
            0 => {}
            1 => {
                let text = texts.pop().unwrap_or_default();
                self.fields.insert("#text".into(), Value::String(text));
            }
            _ => {
                let texts = texts.into_iter().map(Value::String).collect();
                self.fields.insert("#text".into(), Value::Array(texts));
            }
        }
        (self.name, Value::Object(self.fields))
    }
}

fn attributes(tag: &quick_xml::events::BytesStart, node: &mut Node) -> Result<(), String> {
    for attribute in tag.attributes().with_checks(false) {
        let attribute = attribute.map_err(|e| format!("bad XML attribute: {e}"))?;
        let key = attribute.key.as_ref().to_string();
        let value = attribute
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map_err(|e| format!("bad XML attribute value: {e}"))?
            .into_owned();
        node.fields.insert(format!("@{key}"), Value::String(value));
    }
    Ok(())
}

/// Newtonsoft's `SerializeXmlNode` shape for an XML document.
pub(super) fn xml_to_json(text: &str) -> Result<Value, String> {
    let mut reader = Reader::from_str(text);
    let mut document = Node::new(String::new());
    let mut stack: Vec<Node> = Vec::new();
    loop {
        let event = reader
            .read_event()
            .map_err(|e| format!("the XML is not well formed: {e}"))?;
        match event {
            Event::Decl(decl) => {
                let mut fields = Map::new();
                if let Ok(version) = decl.version() {
                    fields.insert("@version".into(), Value::String(version.into_owned()));
                }
                if let Some(Ok(encoding)) = decl.encoding() {
                    fields.insert("@encoding".into(), Value::String(encoding.into_owned()));
                }
                document.fields.insert("?xml".into(), Value::Object(fields));
            }
            Event::Start(tag) => {
                let mut node = Node::new(tag.name().as_ref().to_string());
                attributes(&tag, &mut node)?;
                stack.push(node);
            }
            Event::Empty(tag) => {
                let mut node = Node::new(tag.name().as_ref().to_string());
                node.self_closing = true;
                attributes(&tag, &mut node)?;
                let (name, value) = node.finish();
                stack
                    .last_mut()
                    .unwrap_or(&mut document)
                    .add_child(name, value);
            }
            Event::End(_) => {
                let node = stack.pop().ok_or("the XML has an unmatched end tag")?;
                let (name, value) = node.finish();
                stack
                    .last_mut()
                    .unwrap_or(&mut document)
                    .add_child(name, value);
            }
            Event::Text(content) => {
                if let Some(node) = stack.last_mut() {
                    node.text.push_str(&content.xml10_content());
                }
            }
            // As Newtonsoft writes it: a child of its own, `#cdata-section`.
            Event::CData(data) => {
                if let Some(node) = stack.last_mut() {
                    let text = data.xml10_content().into_owned();
                    node.add_child("#cdata-section".to_owned(), Value::String(text));
                }
            }
            Event::GeneralRef(reference) => {
                if let Some(node) = stack.last_mut() {
                    let name: &str = reference.as_ref();
                    if let Ok(Some(ch)) = reference.resolve_char_ref() {
                        node.text.push(ch);
                    } else {
                        node.text.push_str(
                            quick_xml::escape::resolve_predefined_entity(name).unwrap_or(""),
                        );
                    }
                }
            }
            // A comment ends a run of text as a child does.
            Event::Comment(_) => {
                if let Some(node) = stack.last_mut() {
                    node.end_text();
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !stack.is_empty() {
        return Err("the XML ends before all elements are closed".into());
    }
    if document.fields.keys().all(|k| k.starts_with('?')) {
        return Err("the XML has no root element".into());
    }
    Ok(Value::Object(document.fields))
}
