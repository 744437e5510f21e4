//! The common shape of a CSDL start tag's attributes, read without quick-xml's general
//! attribute iterator: `Name="value"` pairs separated by whitespace, values with nothing to
//! unescape or normalise. F&O documents carry about 185 000 `Annotation` tags of exactly
//! this shape; anything else (a reference, a tab or line break in a value, spaces around
//! `=`, a missing quote) is left to quick-xml, so errors and odd forms read as before.

/// Attributes read from one tag, in document order.
pub(super) struct PlainAttributes<'t> {
    pairs: [(&'t str, &'t str); MAX_ATTRIBUTES],
    len: usize,
}

/// More attributes than this on one tag go through quick-xml.
const MAX_ATTRIBUTES: usize = 8;

impl<'t> PlainAttributes<'t> {
    /// The `(name, value)` pairs.
    pub(super) fn iter(&self) -> impl Iterator<Item = (&'t str, &'t str)> + '_ {
        self.pairs[..self.len].iter().copied()
    }
}

fn is_space(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\r' | b'\n')
}

/// Bytes that end the plain shape inside a name (whitespace, quotes, markup, a reference).
const NOT_IN_NAME: [bool; 256] = table(b" \t\r\n\"'<>/&");

const fn table(bytes: &[u8]) -> [bool; 256] {
    let mut table = [false; 256];
    let mut i = 0;
    while i < bytes.len() {
        table[bytes[i] as usize] = true;
        i += 1;
    }
    table
}

/// The offset of the first `stop` at or after `from`; `None` when a byte of `refused`
/// comes first or the text ends.
fn scan_to(bytes: &[u8], from: usize, stop: u8, refused: &[bool; 256]) -> Option<usize> {
    let mut at = from;
    loop {
        let byte = *bytes.get(at)?;
        if byte == stop {
            return Some(at);
        }
        if refused[usize::from(byte)] {
            return None;
        }
        at += 1;
    }
}

/// The offset of the `quote` that closes the value starting at `from`; `None` when the
/// value holds what is not plain there: a reference, markup, or a control character (a
/// tab or line break is normalised; the others are not XML). Values are found with
/// `memchr` and checked without branches, which the compiler vectorises: most of a CSDL
/// document's bytes are attribute values.
fn value_end(bytes: &[u8], from: usize, quote: u8) -> Option<usize> {
    let rest = bytes.get(from..)?;
    let len = memchr::memchr(quote, rest)?;
    let refused = rest[..len].iter().fold(0u8, |found, &byte| {
        found | u8::from(byte < 0x20) | u8::from(byte == b'&') | u8::from(byte == b'<')
    });
    (refused == 0).then_some(from + len)
}

impl<'t> PlainAttributes<'t> {
    /// None yet. It is filled in place by [`PlainAttributes::read`]: returned by value,
    /// its 264 bytes were copied for every tag of a document.
    pub(super) fn new() -> Self {
        Self {
            pairs: [("", ""); MAX_ATTRIBUTES],
            len: 0,
        }
    }

    /// Reads the attributes of `raw` (the text of a start tag after its name); `false`
    /// when one of them does not have the plain shape, meaning "use the general reader".
    pub(super) fn read(&mut self, raw: &'t str) -> bool {
        self.len = 0;
        self.read_all(raw).is_some()
    }

    fn read_all(&mut self, raw: &'t str) -> Option<()> {
        let bytes = raw.as_bytes();
        let mut at = 0;
        loop {
            while bytes.get(at).copied().is_some_and(is_space) {
                at += 1;
            }
            if at == bytes.len() {
                return Some(());
            }
            let name_start = at;
            let name_end = scan_to(bytes, name_start, b'=', &NOT_IN_NAME)?;
            if name_end == name_start {
                return None;
            }
            let quote = *bytes
                .get(name_end + 1)
                .filter(|q| matches!(q, b'"' | b'\''))?;
            let value_start = name_end + 2;
            let value_end = value_end(bytes, value_start, quote)?;
            at = value_end + 1;
            if bytes.get(at).is_some_and(|&b| !is_space(b)) || self.len == MAX_ATTRIBUTES {
                return None;
            }
            // The bounds are ASCII bytes, so both ranges lie on character boundaries.
            let name = raw.get(name_start..name_end)?;
            let value = raw.get(value_start..value_end)?;
            self.pairs[self.len] = (name, value);
            self.len += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quick_xml::events::BytesStart;

    /// What quick-xml's iterator (as the parser configures it) reads, values normalised the
    /// way the parser does; `None` when it reports an error.
    fn general(raw: &str) -> Option<Vec<(String, String)>> {
        let tag = BytesStart::from_content(format!("T{raw}"), 1);
        let mut out = Vec::new();
        for attribute in tag.attributes().with_checks(false) {
            let attribute = attribute.ok()?;
            let value = attribute
                .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .ok()?;
            out.push((attribute.key.into_inner().to_owned(), value.into_owned()));
        }
        Some(out)
    }

    fn plain(raw: &str) -> Option<Vec<(String, String)>> {
        let mut found = PlainAttributes::new();
        found.read(raw).then(|| {
            found
                .iter()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect()
        })
    }

    #[test]
    fn plain_tags_read_as_quick_xml_reads_them() {
        let plain_cases = [
            r#" Term="Microsoft.Dynamics.OData.Core.V1.LabelId" String="@SYS131396" "#,
            r#" Name="Id" Type="Edm.Int32" Nullable="false""#,
            " Name='single' Type=\"Edm.String\"",
            "\n\t Name=\"a\"\r\n  Value=\"\" ",
            r#" Name="ünïcode" String="Grüße, 世界""#,
            r#" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx" Version="4.0""#,
            r#" String="a > b""#,
            "",
            "   ",
        ];
        for raw in plain_cases {
            assert_eq!(plain(raw), general(raw), "{raw:?}");
            assert!(plain(raw).is_some(), "{raw:?} has the plain shape");
        }
    }

    #[test]
    fn other_shapes_are_left_to_quick_xml() {
        let cases = [
            r#" String="A &amp; B""#,
            " String=\"tab\there\"",
            " String=\"line\nbreak\"",
            r#" Name = "spaced""#,
            r#" Name="unclosed"#,
            r#" Name=unquoted"#,
            r#" Name="a"Type="b""#,
            r#" ="no name""#,
            r#" Name"#,
            r#" a="1" b="2" c="3" d="4" e="5" f="6" g="7" h="8" i="9""#,
            r#" Name="a<b""#,
        ];
        for raw in cases {
            assert!(plain(raw).is_none(), "{raw:?} goes to quick-xml");
        }
        // Long values (checked in vector-sized blocks): a refused byte anywhere counts.
        for at in [0, 15, 31, 32, 33, 63, 64, 99] {
            for refused in ['&', '<', '\t', '\n', '\r', '\u{1}'] {
                let mut value: Vec<char> = "v".repeat(100).chars().collect();
                value[at] = refused;
                let value: String = value.into_iter().collect();
                let raw = format!(r#" Name="x" String="{value}" Type="y""#);
                assert!(plain(&raw).is_none(), "{refused:?} at {at}");
            }
        }
        let long = format!(r#" Name="x" String="{}" Type="y""#, "vé".repeat(70));
        assert_eq!(plain(&long), general(&long));
        assert!(plain(&long).is_some());
        // Eight attributes still have the plain shape.
        let eight = r#" a="1" b="2" c="3" d="4" e="5" f="6" g="7" h="8""#;
        assert_eq!(plain(eight), general(eight));
    }

    #[test]
    fn generated_tags_read_the_same_whenever_they_have_the_plain_shape() {
        // Every short combination of the characters that matter, deterministic.
        let alphabet = [" ", "a", ":", "=", "\"", "'", "&", "\t", ">", "é"];
        let mut seen_plain = 0;
        let mut stack = vec![String::new()];
        while let Some(raw) = stack.pop() {
            if let Some(found) = plain(&raw) {
                seen_plain += 1;
                assert_eq!(Some(found), general(&raw), "{raw:?}");
            }
            if raw.chars().count() < 6 {
                for piece in alphabet {
                    stack.push(format!("{raw}{piece}"));
                }
            }
        }
        assert!(
            seen_plain > 100,
            "the generator reaches plain tags: {seen_plain}"
        );
    }
}
