//! The markup of a document as quick-xml events, read by quick-xml or, for the common
//! shape of a `$metadata` document, by a narrower reader of our own.
//!
//! quick-xml checks each event's bytes as UTF-8 on its own and works through a general
//! state machine; about a fifth of an F&O-scale parse went there. [`Narrow`] checks the
//! text as UTF-8 in windows of 64 KiB and reads start tags, end tags, text and the XML
//! declaration, comments and references in text with `memchr`, producing the very events
//! quick-xml would. Anything else — CDATA, a doctype, a processing instruction after the
//! start, a mismatched or unclosed tag, bytes that are not UTF-8 — makes it *decline*: the
//! caller then reads the same text again with quick-xml, so every error is quick-xml's.

use quick_xml::events::{BytesEnd, BytesPI, BytesRef, BytesStart, BytesText, Event};
use quick_xml::reader::Reader;

/// Why [`Tokens::read_event`] gave no event.
pub(super) enum TokenError {
    /// quick-xml's error.
    Xml(quick_xml::Error),
    /// The narrow reader met something it leaves to quick-xml.
    Declined,
}

/// One of the two readers.
pub(super) enum Tokens<'a> {
    Quick(Box<Reader<&'a [u8]>>),
    Narrow(Narrow<'a>),
}

impl<'a> Tokens<'a> {
    /// quick-xml over `text`, end names checked.
    pub(super) fn quick(text: &'a [u8]) -> Self {
        let mut reader = Reader::from_reader(text);
        reader.config_mut().check_end_names = true;
        Self::Quick(Box::new(reader))
    }

    /// The narrow reader over `text`.
    pub(super) fn narrow(text: &'a [u8]) -> Self {
        Self::Narrow(Narrow::new(text))
    }

    /// Accepts end tags whose start tag is not in `text` (a piece that starts inside a
    /// `Schema`).
    pub(super) fn allow_unmatched_ends(&mut self) {
        match self {
            Self::Quick(reader) => reader.config_mut().allow_unmatched_ends = true,
            Self::Narrow(narrow) => narrow.allow_unmatched_ends = true,
        }
    }

    /// The next event.
    pub(super) fn read_event(&mut self) -> Result<Event<'a>, TokenError> {
        match self {
            Self::Quick(reader) => reader.read_event().map_err(TokenError::Xml),
            Self::Narrow(narrow) => narrow.read_event().ok_or(TokenError::Declined),
        }
    }

    /// Bytes of `text` consumed so far.
    pub(super) fn buffer_position(&self) -> u64 {
        match self {
            Self::Quick(reader) => reader.buffer_position(),
            Self::Narrow(narrow) => narrow.pos as u64,
        }
    }

    /// Where quick-xml's last error is (the narrow reader has none).
    pub(super) fn error_position(&self) -> u64 {
        match self {
            Self::Quick(reader) => reader.error_position(),
            Self::Narrow(narrow) => narrow.pos as u64,
        }
    }
}

/// Bytes checked as UTF-8 at a time.
const WINDOW: usize = 64 * 1024;

fn is_whitespace(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\r' | b'\n')
}

/// The narrow reader: `None` from [`Narrow::read_event`] means "declined", for good.
pub(super) struct Narrow<'a> {
    bytes: &'a [u8],
    /// Bytes consumed.
    pos: usize,
    /// A part of `bytes` known to be UTF-8, from `window_start`.
    window: &'a str,
    window_start: usize,
    /// Names of the open start tags.
    opened: Vec<&'a str>,
    allow_unmatched_ends: bool,
    declined: bool,
}

impl<'a> Narrow<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Self {
            bytes,
            pos: 0,
            window: "",
            window_start: 0,
            opened: Vec::with_capacity(16),
            allow_unmatched_ends: false,
            // quick-xml removes a byte-order mark here; left to it.
            declined: bytes.starts_with(b"\xEF\xBB\xBF"),
        }
    }

    /// `bytes[start..end]` as text; `None` when it is not UTF-8. `start` is at a character
    /// boundary (after ASCII markup).
    fn text(&mut self, start: usize, end: usize) -> Option<&'a str> {
        let window_end = self.window_start + self.window.len();
        if start < self.window_start || end > window_end {
            let mut until = self.bytes.len().min(end.max(start + WINDOW));
            // End the window at a character boundary (not inside a character's bytes).
            while until > end && self.bytes.get(until).is_some_and(|&b| b & 0xC0 == 0x80) {
                until -= 1;
            }
            let candidate = self.bytes.get(start..until)?;
            self.window = match std::str::from_utf8(candidate) {
                Ok(text) => text,
                // Bytes that are not UTF-8 later on: the part before them, checked again.
                Err(error) => std::str::from_utf8(&candidate[..error.valid_up_to()]).ok()?,
            };
            self.window_start = start;
        }
        self.window
            .get(start - self.window_start..end - self.window_start)
    }

    fn read_event(&mut self) -> Option<Event<'a>> {
        if self.declined {
            return None;
        }
        let event = self.next_event();
        if event.is_none() {
            self.declined = true;
        }
        event
    }

    fn next_event(&mut self) -> Option<Event<'a>> {
        let start = self.pos;
        let Some(&first) = self.bytes.get(start) else {
            return Some(Event::Eof);
        };
        if first == b'&' {
            return self.reference(start);
        }
        if first != b'<' {
            let rest = &self.bytes[start..];
            let end = match memchr::memchr2(b'<', b'&', rest) {
                Some(i) => start + i,
                None => self.bytes.len(),
            };
            let text = self.text(start, end)?;
            self.pos = end;
            return Some(Event::Text(BytesText::from_escaped(text)));
        }
        match self.bytes.get(start + 1)? {
            b'!' => self.comment(start),
            b'?' => self.declaration(start),
            b'/' => self.end_tag(start),
            _ => self.start_tag(start),
        }
    }

    /// The offset of the `>` that closes the tag starting at `start`, outside quotes.
    fn tag_end(&self, start: usize) -> Option<usize> {
        let rest = &self.bytes[start..];
        let mut quote = None;
        for i in memchr::memchr3_iter(b'>', b'\'', b'"', rest) {
            match (quote, rest[i]) {
                (None, b'>') => return Some(start + i),
                (None, q) => quote = Some(q),
                (Some(q), b) if q == b => quote = None,
                _ => {}
            }
        }
        None
    }

    /// `<?…?>`, only as the very first markup (the XML declaration); skipped by the parser
    /// either way, so it is given as a processing instruction.
    fn declaration(&mut self, start: usize) -> Option<Event<'a>> {
        if start != 0 && self.bytes[..start].iter().any(|&b| !is_whitespace(b)) {
            return None;
        }
        let rest = &self.bytes[start..];
        let close = memchr::memchr_iter(b'>', rest).find(|&i| i > 0 && rest[i - 1] == b'?')?;
        if close < 3 {
            return None;
        }
        let content = self.text(start + 2, start + close - 1)?;
        self.pos = start + close + 1;
        Some(Event::PI(BytesPI::new(content)))
    }

    /// `&name;` in text, as quick-xml reads it; a `&` without its `;` before the next `&`
    /// or `<` is left to quick-xml (an error there).
    fn reference(&mut self, start: usize) -> Option<Event<'a>> {
        let rest = &self.bytes[start + 1..];
        let semicolon = memchr::memchr3(b';', b'&', b'<', rest).filter(|&i| rest[i] == b';')?;
        let name = self.text(start + 1, start + 1 + semicolon)?;
        self.pos = start + semicolon + 2;
        Some(Event::GeneralRef(BytesRef::new(name)))
    }

    /// `<!--…-->`, ended as quick-xml ends it: at the first `>` at least six bytes on that
    /// follows `--`. CDATA and doctypes are left to quick-xml.
    fn comment(&mut self, start: usize) -> Option<Event<'a>> {
        let rest = &self.bytes[start..];
        if !rest.starts_with(b"<!--") {
            return None;
        }
        let close =
            memchr::memchr_iter(b'>', rest).find(|&i| i > 5 && rest[..i].ends_with(b"--"))?;
        let content = self.text(start + 4, start + close - 2)?;
        self.pos = start + close + 1;
        Some(Event::Comment(BytesText::from_escaped(content)))
    }

    fn end_tag(&mut self, start: usize) -> Option<Event<'a>> {
        let close = self.tag_end(start)?;
        let content = self.text(start + 2, close)?;
        let name = content.trim_end_matches([' ', '\t', '\r', '\n']);
        if name.is_empty() {
            return None;
        }
        match self.opened.pop() {
            Some(expected) if expected == name => {}
            Some(_) => return None,
            None if self.allow_unmatched_ends => {}
            None => return None,
        }
        self.pos = close + 1;
        Some(Event::End(BytesEnd::new(name)))
    }

    fn start_tag(&mut self, start: usize) -> Option<Event<'a>> {
        let close = self.tag_end(start)?;
        let empty = close > start + 1 && self.bytes[close - 1] == b'/';
        let content_end = if empty { close - 1 } else { close };
        let content = self.text(start + 1, content_end)?;
        let name_len = content
            .bytes()
            .position(is_whitespace)
            .unwrap_or(content.len());
        if name_len == 0 {
            return None;
        }
        self.pos = close + 1;
        let tag = BytesStart::from_content(content, name_len);
        if empty {
            Some(Event::Empty(tag))
        } else {
            self.opened.push(&content[..name_len]);
            Some(Event::Start(tag))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every event (with the position before it) until the end, or `None` once declined.
    fn narrow_events(text: &str, unmatched: bool) -> Option<Vec<(u64, String)>> {
        let mut tokens = Tokens::narrow(text.as_bytes());
        if unmatched {
            tokens.allow_unmatched_ends();
        }
        collect(&mut tokens)
    }

    fn quick_events(text: &str, unmatched: bool) -> Option<Vec<(u64, String)>> {
        let mut tokens = Tokens::quick(text.as_bytes());
        if unmatched {
            tokens.allow_unmatched_ends();
        }
        collect(&mut tokens)
    }

    fn collect(tokens: &mut Tokens<'_>) -> Option<Vec<(u64, String)>> {
        let mut out = Vec::new();
        // Bounded: every event but the end consumes at least one byte.
        for _ in 0..10_000_000 {
            let at = tokens.buffer_position();
            let event = tokens.read_event().ok()?;
            let shown = match &event {
                Event::Start(tag) => {
                    format!(
                        "start {:?} {}",
                        tag.attributes_raw(),
                        tag.name().into_inner()
                    )
                }
                Event::Empty(tag) => {
                    format!(
                        "empty {:?} {}",
                        tag.attributes_raw(),
                        tag.name().into_inner()
                    )
                }
                Event::End(end) => format!("end {}", end.name().into_inner()),
                Event::Text(text) => format!("text {:?}", &**text),
                // Declarations and instructions are skipped by the parser: only where.
                Event::Decl(_) | Event::PI(_) => "instruction".to_owned(),
                Event::Eof => {
                    out.push((at, "eof".to_owned()));
                    return Some(out);
                }
                other => format!("{other:?}"),
            };
            out.push((at, shown));
        }
        panic!("no end");
    }

    /// Whenever the narrow reader reads `text` to its end, quick-xml reads the same.
    fn agrees(text: &str) -> bool {
        let mut answered = false;
        for unmatched in [false, true] {
            if let Some(narrow) = narrow_events(text, unmatched) {
                assert_eq!(Some(narrow), quick_events(text, unmatched), "{text:?}");
                answered = true;
            }
        }
        answered
    }

    #[test]
    fn common_shapes_read_as_quick_xml_reads_them() {
        let cases = [
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<a x=\"1\">\n  <b/>\n  <c y='>' z=\"'\"/>\n</a>\n",
            "<edmx:Edmx Version=\"4.0\"><edmx:DataServices></edmx:DataServices></edmx:Edmx>",
            "<a><b >t ü 世</b ></a   >",
            "<a/ >",
            "<a>text with > in it</a>",
            "<a><!-- c --></a>",
            "<!----><a/><!-- x -- y --><!---->-->",
            "<a><!-- <b> -->\n</a>",
            "<a>A &amp; B &#233;&lt;</a>",
            "&amp;<a>&gt;</a>",
            "",
            "   ",
            "trailing text",
            "<a>\r\n</a>",
            "<a b=\"c/\"/>",
        ];
        for text in cases {
            assert!(agrees(text), "{text:?} is read by the narrow reader");
        }
    }

    #[test]
    fn other_shapes_are_declined() {
        let cases = [
            "<a><!-- unclosed </a>",
            "<a><!--></a>",
            "<a><!-x--></a>",
            "<a><![CDATA[x]]></a>",
            "<!DOCTYPE a><a/>",
            "<a>&amp</a>",
            "<a>& b<c/>;</a>",
            "<a><?pi x?></a>",
            "<a></b>",
            "</a>",
            "<a",
            "<a b=\"unclosed>",
            "<>",
            "\u{feff}<a/>",
            "<?>",
            "<a></ >",
            "<a></>",
        ];
        for text in cases {
            assert!(narrow_events(text, false).is_none(), "{text:?}");
        }
        // Not UTF-8.
        let mut bytes = b"<a>".to_vec();
        bytes.extend_from_slice(&[0xFF, 0xFE]);
        bytes.extend_from_slice(b"</a>");
        let mut tokens = Tokens::narrow(&bytes);
        assert!(matches!(tokens.read_event(), Ok(Event::Start(_))));
        assert!(matches!(tokens.read_event(), Err(TokenError::Declined)));
        assert!(matches!(tokens.read_event(), Err(TokenError::Declined)));
        // An end tag without its start inside a piece.
        assert_eq!(
            narrow_events("</Schema>", true),
            quick_events("</Schema>", true)
        );
    }

    #[test]
    fn real_documents_read_as_quick_xml_reads_them() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/metadata");
        let mut read = 0;
        let mut declined = Vec::new();
        for folder in std::fs::read_dir(&root).expect("fixtures") {
            let folder = folder.expect("entry").path();
            for file in std::fs::read_dir(&folder).into_iter().flatten() {
                let path = file.expect("entry").path();
                if path.extension().is_none_or(|e| e != "xml") {
                    continue;
                }
                let bytes = std::fs::read(&path).expect("fixture");
                let text = String::from_utf8_lossy(&bytes).into_owned();
                let text = text.trim_start_matches('\u{feff}');
                if agrees(text) {
                    read += 1;
                } else {
                    declined.push(path.display().to_string());
                }
            }
        }
        // Every real document is read by the narrow reader.
        assert!(read >= 15, "read {read}, declined {declined:?}");
        assert!(declined.is_empty(), "declined {declined:?}");
    }

    #[test]
    fn multibyte_characters_across_windows_are_read_whole() {
        // Characters of 2, 3 and 4 bytes straddle every window boundary.
        let value = "é世😀".repeat(WINDOW / 3);
        let text = format!("<a v=\"{value}\">{value}</a>");
        assert!(agrees(&text));
    }

    #[test]
    fn generated_documents_read_the_same_whenever_the_narrow_reader_reads_them() {
        let alphabet = [
            "<a>", "</a>", "<b/>", " ", "x", "'", "\"", ">", "<", "/", "&", "é", "?", "<!--", "--",
            ";",
        ];
        let mut answered = 0;
        let mut stack = vec![(String::new(), 0)];
        while let Some((text, pieces)) = stack.pop() {
            if agrees(&text) {
                answered += 1;
            }
            if pieces < 5 {
                for piece in alphabet {
                    stack.push((format!("{text}{piece}"), pieces + 1));
                }
            }
        }
        assert!(
            answered > 1000,
            "the generator reaches read documents: {answered}"
        );
    }
}
