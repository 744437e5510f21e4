//! XML: `xml()` (from an XML string or a JSON object with one root property) and `json(xml)`
//! in Newtonsoft's shape (`@attr`, `#text`, repeated elements as arrays); `xpath()` is in
//! `xpath.rs`.

use quick_xml::events::Event;
use quick_xml::reader::Reader;
use serde_json::{Map, Value};

use super::{Call, Function};
use crate::flow::expr::value::{binary_content, binary_envelope};

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
    // Binary content (another `xml()`, a response) is taken as it is.
    if let Some(bytes) = binary_content(value) {
        return Ok(binary_envelope(&bytes, XML_TYPE));
    }
    let text = match value {
        Value::Object(map) => super::json_xml::json_to_xml(map).map_err(|m| call.fail(m))?,
        _ => {
            let text = call.string(0)?;
            if text.trim_start().starts_with('{') {
                let parsed: Value = serde_json::from_str(&text)
                    .map_err(|e| call.fail(format!("the string is neither XML nor JSON: {e}")))?;
                let map = parsed
                    .as_object()
                    .ok_or_else(|| call.fail("the JSON must be an object"))?;
                super::json_xml::json_to_xml(map).map_err(|m| call.fail(m))?
            } else {
                xml_to_json(&text).map_err(|m| call.fail(m))?;
                // Written again as the cloud writes the document it reads (`<a />`, …).
                super::xml_write::as_dotnet_writes(&text).map_err(|m| call.fail(m))?
            }
        }
    };
    Ok(binary_envelope(text.as_bytes(), XML_TYPE))
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
    /// Comments among its children.
    comments: usize,
}

impl Node {
    fn new(name: String) -> Self {
        Self {
            name,
            fields: Map::new(),
            text: String::new(),
            texts: Vec::new(),
            self_closing: false,
            comments: 0,
        }
    }

    /// Ends the run of text under way: text on each side of a child is a node of its own.
    fn end_text(&mut self) {
        let text = std::mem::take(&mut self.text);
        // Text that is only white space is not kept; other text is kept as it is.
        if !text.trim().is_empty() {
            // `#text` keeps the place of the first text among the children.
            self.fields.entry("#text").or_insert(Value::Null);
            self.texts.push(text);
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

    /// A comment: it ends a run of text as a child does. The cloud gives no comment's
    /// text: two or more are an empty `#comment` array where the first was, and any
    /// comment makes the element an object (`<e><!--c--></e>` is `{}`).
    fn add_comment(&mut self) {
        self.end_text();
        self.comments += 1;
        self.fields.entry("#comment").or_insert(Value::Null);
    }

    fn finish(mut self) -> (String, Value) {
        self.end_text();
        match self.comments {
            0 => {}
            1 => {
                self.fields.shift_remove("#comment");
            }
            _ => {
                self.fields
                    .insert("#comment".to_owned(), Value::Array(Vec::new()));
            }
        }
        let mut texts = std::mem::take(&mut self.texts);
        let only_text = self.comments == 0 && self.fields.len() == usize::from(!texts.is_empty());
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

/// Enters an element: its prefixes must be declared, and the document has one root.
fn enter(
    namespaces: &mut super::xml_rules::Namespaces,
    tag: &quick_xml::events::BytesStart,
    at_root: bool,
    roots: &mut usize,
) -> Result<(), String> {
    if at_root {
        *roots += 1;
        if *roots > 1 {
            return Err("the XML has more than one root element".into());
        }
    }
    let name = tag.name();
    let mut names: Vec<&str> = vec![name.as_ref()];
    let keys: Vec<String> = tag
        .attributes()
        .with_checks(false)
        .filter_map(Result::ok)
        .map(|a| a.key.as_ref().to_owned())
        .collect();
    names.extend(keys.iter().map(String::as_str));
    namespaces.enter(&names)
}

/// Newtonsoft's `SerializeXmlNode` shape for an XML document.
pub(super) fn xml_to_json(text: &str) -> Result<Value, String> {
    let mut reader = Reader::from_str(text);
    let mut document = Node::new(String::new());
    let mut stack: Vec<Node> = Vec::new();
    let mut namespaces = super::xml_rules::Namespaces::default();
    let mut roots = 0usize;
    loop {
        let event = reader
            .read_event()
            .map_err(|e| format!("the XML is not well formed: {e}"))?;
        match event {
            Event::Decl(decl) => {
                let fields = super::xml_rules::declaration(decl.as_ref())?;
                document.fields.insert("?xml".into(), Value::Object(fields));
            }
            Event::DocType(doctype) => {
                let fields = super::xml_rules::doctype(doctype.as_ref());
                document
                    .fields
                    .insert("!DOCTYPE".into(), Value::Object(fields));
            }
            Event::Start(tag) => {
                enter(&mut namespaces, &tag, stack.is_empty(), &mut roots)?;
                let mut node = Node::new(tag.name().as_ref().to_string());
                attributes(&tag, &mut node)?;
                stack.push(node);
            }
            Event::Empty(tag) => {
                enter(&mut namespaces, &tag, stack.is_empty(), &mut roots)?;
                namespaces.leave();
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
                namespaces.leave();
                let node = stack.pop().ok_or("the XML has an unmatched end tag")?;
                let (name, value) = node.finish();
                stack
                    .last_mut()
                    .unwrap_or(&mut document)
                    .add_child(name, value);
            }
            Event::Text(content) => match stack.last_mut() {
                Some(node) => node.text.push_str(&content.xml10_content()),
                None if !content.xml10_content().trim().is_empty() => {
                    return Err("the XML has text outside its root element".into());
                }
                None => {}
            },
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
            Event::Comment(comment) => {
                let body: &str = comment.as_ref();
                if body.contains("--") || body.ends_with('-') {
                    return Err("the XML has '--' inside a comment".into());
                }
                if let Some(node) = stack.last_mut() {
                    node.add_comment();
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
