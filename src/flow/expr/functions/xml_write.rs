//! XML written again as the cloud writes what `xml()` reads (.NET's `XmlDocument` without
//! preserved white space): `<a />` for an empty element, attributes in double quotes,
//! white-space-only text between elements dropped, text and attributes escaped again;
//! declaration, comments, CDATA and processing instructions kept.

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

/// `text` as .NET writes the document it reads; an error says where it is not well formed.
pub(super) fn as_dotnet_writes(text: &str) -> Result<String, String> {
    let mut reader = Reader::from_str(text.trim_start_matches('\u{feff}'));
    let mut out = String::with_capacity(text.len() + 16);
    let mut pending = String::new();
    loop {
        let event = reader
            .read_event()
            .map_err(|e| format!("the XML is not well formed: {e}"))?;
        match event {
            Event::Text(content) => pending.push_str(&content.xml10_content()),
            Event::GeneralRef(reference) => {
                let name: &str = reference.as_ref();
                match reference.resolve_char_ref() {
                    Ok(Some(ch)) => pending.push(ch),
                    _ => pending
                        .push_str(quick_xml::escape::resolve_predefined_entity(name).unwrap_or("")),
                }
            }
            Event::Eof => break,
            other => {
                flush_text(&mut out, &mut pending);
                write_event(&mut out, &other)?;
            }
        }
    }
    flush_text(&mut out, &mut pending);
    Ok(out)
}

/// Writes a run of text, unless it is only white space (which .NET does not keep).
fn flush_text(out: &mut String, pending: &mut String) {
    if !pending.trim().is_empty() {
        text(out, pending);
    }
    pending.clear();
}

/// Text content escaped as .NET escapes it (`&`, `<`, `>`).
pub(super) fn text(out: &mut String, value: &str) {
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            other => out.push(other),
        }
    }
}

fn write_event(out: &mut String, event: &Event<'_>) -> Result<(), String> {
    match event {
        Event::Decl(decl) => {
            out.push_str("<?xml");
            if let Ok(version) = decl.version() {
                attribute(out, "version", &version);
            }
            if let Some(Ok(encoding)) = decl.encoding() {
                attribute(out, "encoding", &encoding);
            }
            if let Some(Ok(standalone)) = decl.standalone() {
                attribute(out, "standalone", &standalone);
            }
            out.push_str("?>");
        }
        Event::Start(tag) => {
            open_tag(out, tag)?;
            out.push('>');
        }
        Event::Empty(tag) => {
            open_tag(out, tag)?;
            out.push_str(" />");
        }
        Event::End(tag) => {
            out.push_str("</");
            out.push_str(tag.name().as_ref());
            out.push('>');
        }
        Event::CData(data) => {
            out.push_str("<![CDATA[");
            out.push_str(data.as_ref());
            out.push_str("]]>");
        }
        Event::Comment(comment) => {
            out.push_str("<!--");
            out.push_str(comment.as_ref());
            out.push_str("-->");
        }
        Event::PI(instruction) => {
            out.push_str("<?");
            out.push_str(instruction.as_ref());
            out.push_str("?>");
        }
        Event::DocType(doctype) => {
            out.push_str("<!DOCTYPE ");
            out.push_str(doctype.as_ref());
            out.push('>');
        }
        _ => {}
    }
    Ok(())
}

fn open_tag(out: &mut String, tag: &BytesStart<'_>) -> Result<(), String> {
    out.push('<');
    out.push_str(tag.name().as_ref());
    for item in tag.attributes() {
        let item = item.map_err(|e| format!("bad XML attribute: {e}"))?;
        let value = item
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map_err(|e| format!("bad XML attribute value: {e}"))?;
        attribute(out, item.key.as_ref(), &value);
    }
    Ok(())
}

/// ` name="value"`, the value escaped as .NET escapes it.
pub(super) fn attribute(out: &mut String, name: &str, value: &str) {
    out.push(' ');
    out.push_str(name);
    out.push_str("=\"");
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\t' => out.push_str("&#x9;"),
            '\n' => out.push_str("&#xA;"),
            '\r' => out.push_str("&#xD;"),
            other => out.push(other),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_again_as_dotnet_writes_it() {
        let cases = [
            ("<test/>", "<test />"),
            ("<!-- lol --><ing/>", "<!-- lol --><ing />"),
            (
                "<?xml version='1.0' encoding='utf-8'?>\n<r a='x &amp; &quot;y&quot;'>\n  <b>1 &gt; 0</b>\n  <c></c>\n</r>",
                "<?xml version=\"1.0\" encoding=\"utf-8\"?><r a=\"x &amp; &quot;y&quot;\"><b>1 &gt; 0</b><c></c></r>",
            ),
            ("<a>  Test  </a>", "<a>  Test  </a>"),
            ("<a><![CDATA[<raw>]]>&#65;</a>", "<a><![CDATA[<raw>]]>A</a>"),
            ("\u{feff}<a>\"quoted\"</a>", "<a>\"quoted\"</a>"),
        ];
        for (given, written) in cases {
            assert_eq!(as_dotnet_writes(given).as_deref(), Ok(written), "{given}");
        }
    }
}
