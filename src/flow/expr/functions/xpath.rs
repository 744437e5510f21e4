//! `xpath(xml, xpath)`: an XPath 1.0 expression (what .NET's `System.Xml.XPath`, which the
//! cloud engine uses, evaluates) over XML content or an XML string. A number, a string or a
//! Boolean comes back as itself; a node-set as an array in document order: an element (or
//! the document) as XML content, as `xml()` returns it, and any other node (attribute, text,
//! comment) as its text. Whitespace-only text (indentation) is dropped first, as .NET
//! loads XML.

use serde_json::Value;
use sxd_document::QName;
use sxd_document::dom::{ChildOfElement, ChildOfRoot, Element};
use sxd_xpath::nodeset::Node;
use sxd_xpath::{Context, Factory};

use super::xml::XML_TYPE;
use super::{Call, Function};
use crate::flow::expr::value::binary_envelope;

pub(super) const FUNCTIONS: &[Function] = &[function!(
    "xpath",
    "xpath(xml, xpath)",
    "Nodes or values of XML content that match an XPath 1.0 expression.",
    2,
    2,
    xpath
)];

fn xpath(call: &Call) -> Result<Value, String> {
    // The cloud takes XML content (`xml(...)`, an XML response), not text.
    let is_xml = call
        .arg(0)
        .get("$content-type")
        .and_then(Value::as_str)
        .is_some_and(|t| t.to_ascii_lowercase().contains("xml"));
    if !is_xml {
        return Err(call.type_error(0, "an XML object (from xml())"));
    }
    let text = call.string(0)?;
    let expression = call.string(1)?;
    // The parser and the evaluator recurse: hostile nesting is refused before either runs.
    if xml_depth(&text) > MAX_NESTING {
        return Err(call.fail(format!(
            "the XML nests elements deeper than {MAX_NESTING} levels"
        )));
    }
    if xpath_depth(&expression) > MAX_NESTING {
        return Err(call.fail(format!(
            "the XPath expression nests brackets deeper than {MAX_NESTING} levels"
        )));
    }
    let text = text.trim_start_matches('\u{feff}');
    let package =
        sxd_document::parser::parse(text).map_err(|e| call.fail(not_well_formed(text, &e)))?;
    let document = package.as_document();
    for child in document.root().children() {
        if let ChildOfRoot::Element(element) = child {
            drop_whitespace_text(element);
        }
    }
    if let Some(prefix) = namespace_prefix(&expression) {
        return Err(call.fail(format!(
            "the XPath expression '{expression}' uses the prefix '{prefix}', which has no namespace here; match by name instead, e.g. *[local-name()=\"name\" and namespace-uri()=\"uri\"]"
        )));
    }
    let compiled = Factory::new()
        .build(&expression)
        .map_err(|e| {
            call.fail(format!(
                "the XPath expression '{expression}' is invalid: {e}"
            ))
        })?
        .ok_or_else(|| call.fail("the XPath expression is empty"))?;
    // The evaluator panics on some inputs it does not expect; a panic is an error here,
    // never the end of a run.
    let evaluated = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        compiled.evaluate(&Context::new(), document.root())
    }))
    .map_err(|_| {
        call.fail(format!(
            "the XPath expression '{expression}' cannot be evaluated"
        ))
    })?;
    let result = evaluated
        .map_err(|e| call.fail(format!("the XPath expression '{expression}' failed: {e}")))?;
    Ok(match result {
        sxd_xpath::Value::Boolean(b) => Value::Bool(b),
        sxd_xpath::Value::Number(n) => number(n),
        sxd_xpath::Value::String(s) => Value::String(s),
        sxd_xpath::Value::Nodeset(nodes) => {
            Value::Array(nodes.document_order().into_iter().map(node_value).collect())
        }
    })
}

/// How deeply the XML's elements, or the XPath expression's brackets, may nest.
const MAX_NESTING: usize = 256;

/// How deeply the elements of `text` nest (as far as it reads as XML; the parser reports
/// anything else).
fn xml_depth(text: &str) -> usize {
    let mut reader = quick_xml::Reader::from_str(text);
    let (mut depth, mut deepest) = (0usize, 0usize);
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Start(_)) => {
                depth += 1;
                deepest = deepest.max(depth);
                if deepest > MAX_NESTING {
                    return deepest;
                }
            }
            Ok(quick_xml::events::Event::End(_)) => depth = depth.saturating_sub(1),
            Ok(quick_xml::events::Event::Eof) | Err(_) => return deepest,
            Ok(_) => {}
        }
    }
}

/// The bytes of `expression` outside its string literals, with their positions.
fn outside_literals(expression: &str) -> impl Iterator<Item = (usize, u8)> + '_ {
    let mut quote = None;
    expression
        .bytes()
        .enumerate()
        .filter(move |&(_, b)| match quote {
            Some(q) => {
                if b == q {
                    quote = None;
                }
                false
            }
            None if b == b'\'' || b == b'"' => {
                quote = Some(b);
                false
            }
            None => true,
        })
}

/// How deeply the brackets of `expression` nest, outside string literals.
fn xpath_depth(expression: &str) -> usize {
    let (mut depth, mut deepest) = (0usize, 0usize);
    for (_, b) in outside_literals(expression) {
        match b {
            b'(' | b'[' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            b')' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

/// The first namespace prefix of a name in `expression` (`p` of `p:name` or `p:*`), outside
/// string literals; axes (`child::`) are not prefixes. No namespaces are bound, as in .NET
/// without a namespace manager, so such an expression cannot be evaluated.
fn namespace_prefix(expression: &str) -> Option<&str> {
    let bytes = expression.as_bytes();
    let (at, _) = outside_literals(expression).find(|&(i, b)| {
        b == b':' && bytes.get(i + 1) != Some(&b':') && (i == 0 || bytes[i - 1] != b':')
    })?;
    let start = expression[..at]
        .rfind(|c: char| !(c.is_alphanumeric() || matches!(c, '_' | '-' | '.')))
        .map_or(0, |before| before + 1);
    Some(&expression[start..at])
}

/// Removes the text nodes that are only whitespace (indentation between elements), as .NET
/// loads XML by default (`PreserveWhitespace` off), so nodes and their strings come out as
/// the cloud's do.
fn drop_whitespace_text(element: Element<'_>) {
    for child in element.children() {
        match child {
            ChildOfElement::Text(text) if text.text().trim_matches(is_xml_space).is_empty() => {
                text.remove_from_parent();
            }
            ChildOfElement::Element(child) => drop_whitespace_text(child),
            _ => {}
        }
    }
}

/// Whitespace as XML defines it.
fn is_xml_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r')
}

/// "the XML is not well formed at line 1 column 9: …".
fn not_well_formed(text: &str, error: &sxd_document::parser::Error) -> String {
    let before = text.get(..error.location()).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    format!("the XML is not well formed at line {line} column {column}: {error}")
}

/// An XPath number as JSON: whole numbers as integers (`sum()` of counts is `30`, as the
/// reference shows), NaN and the infinities as .NET writes them.
fn number(n: f64) -> Value {
    if n.is_nan() {
        return Value::String("NaN".into());
    }
    if n.is_infinite() {
        let text = if n > 0.0 { "Infinity" } else { "-Infinity" };
        return Value::String(text.into());
    }
    // An XPath number is a double (`sum(…)` of integers is 15.0, as in the cloud).
    crate::flow::expr::value::Num::Float(n)
        .to_value()
        .unwrap_or(Value::Null)
}

/// One node of a node-set: elements and the document as XML content, others as text.
fn node_value(node: Node<'_>) -> Value {
    let xml = match node {
        Node::Element(element) => {
            let mut out = String::new();
            write_element(&mut out, element, &mut Scope::default());
            out
        }
        Node::Root(root) => {
            let mut out = String::new();
            for child in root.children() {
                match child {
                    ChildOfRoot::Element(element) => {
                        write_element(&mut out, element, &mut Scope::default());
                    }
                    ChildOfRoot::Comment(comment) => write_comment(&mut out, comment.text()),
                    ChildOfRoot::ProcessingInstruction(pi) => {
                        write_pi(&mut out, pi.target(), pi.value());
                    }
                }
            }
            out
        }
        other => return Value::String(other.string_value()),
    };
    binary_envelope(xml.as_bytes(), XML_TYPE)
}

/// The namespace declarations written so far on the way down: the default namespace and
/// the prefixes bound.
#[derive(Default, Clone)]
struct Scope {
    default: Option<String>,
    prefixes: Vec<(String, String)>,
}

impl Scope {
    /// Writes ` xmlns:prefix="uri"` unless the prefix is already bound to it.
    fn bind(&mut self, out: &mut String, prefix: &str, uri: &str) {
        if self.prefixes.iter().any(|(p, u)| p == prefix && u == uri) {
            return;
        }
        out.push_str(&format!(" xmlns:{prefix}=\"{}\"", escape(uri, true)));
        self.prefixes.retain(|(p, _)| p != prefix);
        self.prefixes.push((prefix.to_owned(), uri.to_owned()));
    }
}

/// The element's outer XML, with the namespace declarations it needs (as .NET's
/// `OuterXml` writes a node taken out of its document).
fn write_element(out: &mut String, element: Element<'_>, scope: &mut Scope) {
    let mut inner = scope.clone();
    let name = element.name();
    let prefix = prefix_of(element, name, element.preferred_prefix());
    out.push('<');
    push_name(out, prefix, name);
    match (prefix, name.namespace_uri()) {
        (Some(prefix), Some(uri)) => inner.bind(out, prefix, uri),
        (None, uri) if uri != inner.default.as_deref() => {
            out.push_str(&format!(" xmlns=\"{}\"", escape(uri.unwrap_or(""), true)));
            inner.default = uri.map(str::to_owned);
        }
        _ => {}
    }
    for attribute in element.attributes() {
        let name = attribute.name();
        let prefix = prefix_of(element, name, attribute.preferred_prefix());
        if let (Some(prefix), Some(uri)) = (prefix, name.namespace_uri()) {
            inner.bind(out, prefix, uri);
        }
        out.push(' ');
        push_name(out, prefix, name);
        out.push_str(&format!("=\"{}\"", escape(attribute.value(), true)));
    }
    let children = element.children();
    if children.is_empty() {
        out.push_str(" />");
        return;
    }
    out.push('>');
    for child in children {
        match child {
            ChildOfElement::Element(child) => write_element(out, child, &mut inner),
            ChildOfElement::Text(text) => out.push_str(&escape(text.text(), false)),
            ChildOfElement::Comment(comment) => write_comment(out, comment.text()),
            ChildOfElement::ProcessingInstruction(pi) => write_pi(out, pi.target(), pi.value()),
        }
    }
    out.push_str("</");
    push_name(out, prefix, name);
    out.push('>');
}

/// The prefix a name of `element` (its own or an attribute's) is written with: the one
/// it was read with, else one bound to its namespace; none outside a namespace.
fn prefix_of<'d>(element: Element<'d>, name: QName<'_>, read: Option<&'d str>) -> Option<&'d str> {
    let uri = name.namespace_uri()?;
    read.or_else(|| element.prefix_for_namespace_uri(uri, None))
}

fn push_name(out: &mut String, prefix: Option<&str>, name: QName<'_>) {
    if let Some(prefix) = prefix {
        out.push_str(prefix);
        out.push(':');
    }
    out.push_str(name.local_part());
}

fn write_comment(out: &mut String, text: &str) {
    out.push_str(&format!("<!--{text}-->"));
}

fn write_pi(out: &mut String, target: &str, value: Option<&str>) {
    match value {
        Some(value) => out.push_str(&format!("<?{target} {value}?>")),
        None => out.push_str(&format!("<?{target}?>")),
    }
}

/// Text, or an attribute value (`quotes`: written between double quotes), escaped as XML.
fn escape(text: &str, quotes: bool) -> String {
    let escaped = quick_xml::escape::partial_escape(text);
    if quotes && escaped.contains('"') {
        escaped.replace('"', "&quot;")
    } else {
        escaped.into_owned()
    }
}
