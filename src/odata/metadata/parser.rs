//! Streaming CSDL 4.0 `$metadata` parser: quick-xml events borrowed from the input, no DOM.
//!
//! Elements are matched on their local names, so any namespace prefix works for `edmx`.
//! Unknown elements are skipped. Type references are checked after parsing by
//! [`super::resolver`]; dangling ones become warnings, never errors.

mod annotations;
mod container;
mod operations;
mod plain_attributes;
mod schema;
mod split;
mod stream;
mod tokens;
mod types;

pub use split::{ParseOptions, parse_metadata_with};
pub use stream::{ByteSource, StreamOptions, parse_metadata_streamed};

use std::borrow::Cow;

use quick_xml::XmlVersion;
use quick_xml::events::{BytesCData, BytesRef, BytesStart, BytesText, Event};

use super::error::MetadataError;
use super::model::{Annotation, MetadataWarning, Model, Property, Reference};
use super::position::LineTracker;
use super::resolver::{PendingRefs, RefKind};

/// Parses a CSDL 4.0 `$metadata` document (UTF-8, optional BOM) into a [`Model`].
///
/// Fails with a 1-based line and column on malformed XML, a truncated document or a
/// root element other than `edmx:Edmx`. Dangling type references are reported in
/// [`Model::warnings`].
pub fn parse_metadata(bytes: &[u8]) -> std::result::Result<Model, MetadataError> {
    parse_metadata_with(bytes, &ParseOptions::default())
}

/// One step of the document as the element handlers see it.
enum Node<'a> {
    /// A start tag; `true` when it has content (`<a>`), `false` when self-closing (`<a/>`).
    Element(BytesStart<'a>, bool),
    /// Character data.
    Text(TextPiece<'a>),
    /// The end tag of the innermost open element.
    Close,
    /// The end of the input.
    Eof,
}

/// The kinds of character data quick-xml reports separately.
enum TextPiece<'a> {
    Plain(BytesText<'a>),
    CData(BytesCData<'a>),
    Reference(BytesRef<'a>),
}

impl TextPiece<'_> {
    /// Appends the decoded text to `out`.
    fn append_to(&self, out: &mut String) {
        match self {
            Self::Plain(text) => out.push_str(&text.xml10_content()),
            Self::CData(data) => out.push_str(&data.xml10_content()),
            Self::Reference(reference) => {
                if let Ok(Some(ch)) = reference.resolve_char_ref() {
                    out.push(ch);
                } else if let Some(resolved) =
                    quick_xml::escape::resolve_predefined_entity(reference)
                {
                    out.push_str(resolved);
                }
            }
        }
    }
}

/// The parser state: the event reader plus what the resolver needs afterwards.
struct Parser<'a> {
    reader: tokens::Tokens<'a>,
    /// Set when the narrow reader declined: the caller reads the text again with quick-xml.
    declined: bool,
    text: &'a [u8],
    /// Offset in `text` where the reader's input starts (non-zero for a second half).
    base: usize,
    /// State for parsing a large document in two halves.
    split: split::SplitState,
    /// Byte offset where the most recent event starts.
    event_start: usize,
    lines: LineTracker<'a>,
    pending: PendingRefs,
    warnings: Vec<MetadataWarning>,
    /// Scratch stack reused by [`Parser::skip_content`].
    open_starts: Vec<usize>,
    /// Scratch text buffer reused by [`Parser::skip_content`].
    text_buffer: String,
    /// Reused for the text content of an annotation.
    content_text: String,
    /// Annotations being gathered for the innermost annotated element.
    annotation_stack: Vec<Annotation>,
    /// Properties being gathered for the current structured type.
    property_stack: Vec<Property>,
}

type Result<T> = std::result::Result<T, MetadataError>;

/// The local name (prefix removed) of a tag.
fn local_name<'t>(tag: &'t BytesStart<'_>) -> &'t str {
    tag.local_name().into_inner()
}

/// The qualified name of a tag, for messages.
fn qualified_name(tag: &BytesStart<'_>) -> String {
    tag.name().into_inner().to_owned()
}

/// CSDL boolean attribute value.
fn is_true(value: &str) -> bool {
    value.trim().eq_ignore_ascii_case("true")
}

/// A numeric facet; `max`, `variable` and other words yield `None`.
fn facet(value: &str) -> Option<u32> {
    value.trim().parse().ok()
}

/// Whether an attribute value holds a reference or a tab or line break to normalise;
/// most values hold none and are used as they are.
fn needs_normalizing(value: &str) -> bool {
    value
        .bytes()
        .any(|b| matches!(b, b'&' | b'\t' | b'\r' | b'\n'))
}

fn to_usize(position: u64) -> usize {
    usize::try_from(position).unwrap_or(usize::MAX)
}

impl<'a> Parser<'a> {
    /// A parser over `text` with the narrow reader (see [`tokens`]).
    fn new(text: &'a [u8]) -> Self {
        Self::with_reader(text, tokens::Tokens::narrow(text))
    }

    /// A parser over `text` with quick-xml, for when the narrow reader declined.
    fn new_quick(text: &'a [u8]) -> Self {
        Self::with_reader(text, tokens::Tokens::quick(text))
    }

    fn with_reader(text: &'a [u8], reader: tokens::Tokens<'a>) -> Self {
        Self {
            reader,
            declined: false,
            text,
            base: 0,
            split: split::SplitState::default(),
            event_start: 0,
            lines: LineTracker::new(text),
            pending: PendingRefs::default(),
            warnings: Vec::new(),
            open_starts: Vec::new(),
            text_buffer: String::new(),
            content_text: String::new(),
            annotation_stack: Vec::new(),
            property_stack: Vec::new(),
        }
    }

    /// The next node, skipping comments, processing instructions and declarations.
    fn next(&mut self) -> Result<Node<'a>> {
        loop {
            self.event_start = self.base + to_usize(self.reader.buffer_position());
            let event = match self.reader.read_event() {
                Ok(event) => event,
                Err(tokens::TokenError::Xml(error)) => return Err(self.xml_error(&error)),
                Err(tokens::TokenError::Declined) => {
                    self.declined = true;
                    return Err(MetadataError::Malformed {
                        line: 0,
                        column: 0,
                        message: "left to quick-xml".to_owned(),
                    });
                }
            };
            return Ok(match event {
                Event::Start(tag) => Node::Element(tag, true),
                Event::Empty(tag) => Node::Element(tag, false),
                Event::End(end) => {
                    if self.split.fragment {
                        self.split.last_close =
                            split::Ancestor::from_local(end.local_name().into_inner());
                    }
                    Node::Close
                }
                Event::Text(text) => Node::Text(TextPiece::Plain(text)),
                Event::CData(data) => Node::Text(TextPiece::CData(data)),
                Event::GeneralRef(reference) => Node::Text(TextPiece::Reference(reference)),
                Event::Eof => Node::Eof,
                Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => continue,
            });
        }
    }

    /// A [`MetadataError::Malformed`] for a reader error, at the reader's error position.
    fn xml_error(&mut self, error: &quick_xml::Error) -> MetadataError {
        use quick_xml::errors::IllFormedError;
        let message = match error {
            quick_xml::Error::IllFormed(IllFormedError::MismatchedEndTag { expected, found }) => {
                format!("expected </{expected}>, found </{found}>")
            }
            quick_xml::Error::IllFormed(IllFormedError::UnmatchedEndTag(name)) => {
                format!("unexpected </{name}> with no open element")
            }
            other => other.to_string(),
        };
        let (line, column) = self
            .lines
            .position(self.base + to_usize(self.reader.error_position()));
        MetadataError::Malformed {
            line,
            column,
            message,
        }
    }

    /// A [`MetadataError::Malformed`] at the current event for a problem found by us.
    fn error_here(&mut self, message: String) -> MetadataError {
        let (line, column) = self.lines.position(self.event_start);
        MetadataError::Malformed {
            line,
            column,
            message,
        }
    }

    /// The error for an end of file inside the element `open`.
    fn truncated(&mut self, open: &BytesStart<'_>) -> MetadataError {
        let (line, column) = self.lines.position(self.text.len());
        MetadataError::Truncated {
            line,
            column,
            expected: qualified_name(open),
        }
    }

    /// Calls `visit(key, value)` for every attribute of `tag`, values unescaped.
    fn each_attribute<'t>(
        &mut self,
        tag: &'t BytesStart<'a>,
        mut visit: impl FnMut(&str, Cow<'t, str>),
    ) -> Result<()> {
        let mut plain = plain_attributes::PlainAttributes::new();
        if plain.read(tag.attributes_raw()) {
            for (key, value) in plain.iter() {
                visit(key, Cow::Borrowed(value));
            }
            return Ok(());
        }
        for attribute in tag.attributes().with_checks(false) {
            let attribute = match attribute {
                Ok(attribute) => attribute,
                Err(error) => return Err(self.error_here(format!("bad attribute: {error}"))),
            };
            let key = attribute.key.into_inner();
            if !needs_normalizing(&attribute.value) {
                visit(key, attribute.value);
                continue;
            }
            let value = match attribute.normalized_value(XmlVersion::Implicit1_0) {
                Ok(value) => value,
                Err(error) => return Err(self.error_here(format!("bad attribute value: {error}"))),
            };
            visit(key, value);
        }
        Ok(())
    }

    /// Consumes the content of the open element `tag` up to its end tag. When `value` is
    /// given, the trimmed text of every element that directly holds text is appended to
    /// it (several texts separated by a space).
    fn skip_content(&mut self, tag: &BytesStart<'a>, mut value: Option<&mut String>) -> Result<()> {
        // Start offsets of the open descendants: their names are only needed for an error.
        let mut open_starts = std::mem::take(&mut self.open_starts);
        open_starts.clear();
        let mut buffer = std::mem::take(&mut self.text_buffer);
        buffer.clear();
        let outcome = loop {
            let node = match self.next() {
                Ok(node) => node,
                Err(error) => break Err(error),
            };
            match node {
                Node::Element(_, true) => {
                    open_starts.push(self.event_start);
                    buffer.clear();
                }
                Node::Element(..) => buffer.clear(),
                Node::Text(piece) => {
                    if value.is_some() {
                        piece.append_to(&mut buffer);
                    }
                }
                Node::Close => {
                    if let Some(value) = value.as_deref_mut() {
                        let trimmed = buffer.trim();
                        if !trimmed.is_empty() {
                            if !value.is_empty() {
                                value.push(' ');
                            }
                            value.push_str(trimmed);
                        }
                    }
                    buffer.clear();
                    if open_starts.pop().is_none() {
                        break Ok(());
                    }
                }
                Node::Eof => {
                    let (line, column) = self.lines.position(self.text.len());
                    let expected = match open_starts.pop() {
                        Some(start) => self.name_at(start),
                        None => qualified_name(tag),
                    };
                    break Err(MetadataError::Truncated {
                        line,
                        column,
                        expected,
                    });
                }
            }
        };
        self.open_starts = open_starts;
        self.text_buffer = buffer;
        outcome
    }

    /// The qualified name of the start tag at byte `offset` (which points at its `<`).
    fn name_at(&self, offset: usize) -> String {
        let rest = self.text.get(offset + 1..).unwrap_or_default();
        let end = rest
            .iter()
            .position(|b| b.is_ascii_whitespace() || *b == b'/' || *b == b'>')
            .unwrap_or(rest.len());
        String::from_utf8_lossy(&rest[..end]).into_owned()
    }

    /// Skips an element whether it is open or self-closing.
    fn skip(&mut self, tag: &BytesStart<'a>, open: bool) -> Result<()> {
        if open {
            self.skip_content(tag, None)
        } else {
            Ok(())
        }
    }

    /// Records a type reference for the resolver, unless it is an `Edm` primitive.
    fn expect_type(&mut self, kind: RefKind, type_name: &str, site: std::fmt::Arguments<'_>) {
        let name = type_name.trim();
        let name = name
            .strip_prefix("Collection(")
            .and_then(|inner| inner.strip_suffix(')'))
            .map_or(name, str::trim);
        if matches!(kind, RefKind::AnyType) && name.starts_with("Edm.") {
            return;
        }
        self.pending.push(self.event_start, kind, name, site);
    }

    /// Adds a non-fatal warning at the current event.
    fn warn(&mut self, message: String) {
        let (line, column) = self.lines.position(self.event_start);
        self.warnings.push(MetadataWarning {
            line,
            column,
            message,
        });
    }

    /// The whole document: finds the root element and reads it.
    fn document(&mut self) -> Result<Model> {
        let (root, open) = loop {
            match self.next()? {
                Node::Element(tag, open) => break (tag, open),
                Node::Text(piece) => {
                    let mut text = String::new();
                    piece.append_to(&mut text);
                    let text = text.trim();
                    if !text.is_empty() {
                        let (line, column) = self.lines.position(self.event_start);
                        let found: String = text.chars().take(40).collect();
                        return Err(MetadataError::WrongRoot {
                            line,
                            column,
                            found: format!("text \"{found}\""),
                        });
                    }
                }
                Node::Close => return Err(self.error_here("unexpected end tag".to_owned())),
                Node::Eof => {
                    let (line, column) = self.lines.position(self.text.len());
                    return Err(MetadataError::WrongRoot {
                        line,
                        column,
                        found: "end of file".to_owned(),
                    });
                }
            }
        };
        if local_name(&root) != "Edmx" {
            let (line, column) = self.lines.position(self.event_start);
            return Err(MetadataError::WrongRoot {
                line,
                column,
                found: format!("<{}>", qualified_name(&root)),
            });
        }
        let mut model = Model::default();
        self.each_attribute(&root, |key, value| {
            if key == "Version" {
                model.version = value.into_owned();
            }
        })?;
        if self.split.stop_at.is_some() {
            self.split.ancestor_names[0] = qualified_name(&root);
        }
        if open {
            self.edmx_children(Some(&root), &mut model)?;
        }
        Ok(model)
    }

    /// The children of `edmx:Edmx`: references and the data services. `root` is `None`
    /// when reading the second half of a split document.
    fn edmx_children(&mut self, root: Option<&BytesStart<'a>>, model: &mut Model) -> Result<()> {
        loop {
            match self.next()? {
                Node::Element(tag, open) => match local_name(&tag) {
                    "Reference" => {
                        let reference = self.reference(&tag, open)?;
                        model.references.push(reference);
                    }
                    "DataServices" if open => {
                        self.data_services(Some(&tag), model)?;
                        if self.split.stopped {
                            return Ok(());
                        }
                    }
                    _ => self.skip(&tag, open)?,
                },
                Node::Text(_) => {}
                Node::Close => return self.ancestor_closed(root.is_none(), split::Ancestor::Edmx),
                Node::Eof => return Err(self.ancestor_truncated(root, split::Ancestor::Edmx)),
            }
        }
    }

    /// An `edmx:Reference` with its `edmx:Include` children.
    fn reference(&mut self, tag: &BytesStart<'a>, open: bool) -> Result<Reference> {
        let mut reference = Reference::default();
        self.each_attribute(tag, |key, value| {
            if key == "Uri" {
                reference.uri = value.into_owned();
            }
        })?;
        if !open {
            return Ok(reference);
        }
        loop {
            match self.next()? {
                Node::Element(child, child_open) => {
                    if local_name(&child) == "Include" {
                        let mut namespace = String::new();
                        let mut alias = None;
                        self.each_attribute(&child, |key, value| match key {
                            "Namespace" => namespace = value.into_owned(),
                            "Alias" => alias = Some(value.into_owned()),
                            _ => {}
                        })?;
                        reference.includes.push((namespace, alias));
                    }
                    self.skip(&child, child_open)?;
                }
                Node::Text(_) => {}
                Node::Close => return Ok(reference),
                Node::Eof => return Err(self.truncated(tag)),
            }
        }
    }

    /// `edmx:DataServices`: the schemas. `tag` is `None` in the second half of a split.
    fn data_services(&mut self, tag: Option<&BytesStart<'a>>, model: &mut Model) -> Result<()> {
        if let (Some(tag), true) = (tag, self.split.stop_at.is_some()) {
            self.split.ancestor_names[1] = qualified_name(tag);
        }
        loop {
            match self.next()? {
                Node::Element(child, open) => {
                    if local_name(&child) == "Schema" {
                        let schema = self.schema(&child, open)?;
                        model.schemas.push(schema);
                        if self.split.stopped {
                            return Ok(());
                        }
                    } else {
                        self.skip(&child, open)?;
                    }
                }
                Node::Text(_) => {}
                Node::Close => {
                    return self.ancestor_closed(tag.is_none(), split::Ancestor::DataServices);
                }
                Node::Eof => {
                    return Err(self.ancestor_truncated(tag, split::Ancestor::DataServices));
                }
            }
        }
    }

    /// The error for an end of file inside `edmx:Edmx`, `edmx:DataServices` or `Schema`;
    /// without the tag (second half of a split) the name is a placeholder filled in later.
    fn ancestor_truncated(
        &mut self,
        tag: Option<&BytesStart<'_>>,
        ancestor: split::Ancestor,
    ) -> MetadataError {
        match tag {
            Some(tag) => self.truncated(tag),
            None => {
                let (line, column) = self.lines.position(self.text.len());
                MetadataError::Truncated {
                    line,
                    column,
                    expected: ancestor.placeholder(),
                }
            }
        }
    }

    /// Checks, in the second half of a split, that the end tag just read closes `ancestor`
    /// (quick-xml cannot, as it never saw the start tag).
    fn ancestor_closed(&mut self, in_fragment: bool, ancestor: split::Ancestor) -> Result<()> {
        if !in_fragment || self.split.last_close == Some(ancestor) {
            return Ok(());
        }
        let found = self.name_at(self.event_start + 1);
        Err(self.error_here(format!(
            "expected </{}>, found </{found}>",
            ancestor.placeholder()
        )))
    }
}
