//! JSON as Microsoft's products read it: Azure Resource Manager templates and Logic Apps
//! files are read by Json.NET, which takes `//` and `/* */` comments and a comma before a
//! closing bracket; published templates carry both. [`parse`] takes them too, and reports
//! any other error at the same line and column as in the text as written.

use serde_json::Value;

/// Parses `text` (a leading byte order mark, comments and trailing commas allowed).
pub fn parse(text: &str) -> Result<Value, serde_json::Error> {
    let text = text.trim_start_matches('\u{feff}');
    match relaxed(text) {
        Some(plain) => serde_json::from_str(&plain),
        None => serde_json::from_str(text),
    }
}

/// Whether `text` has comments or trailing commas (JSON that a plain JSON writer does not
/// give back).
pub fn is_relaxed(text: &str) -> bool {
    relaxed(text.trim_start_matches('\u{feff}')).is_some()
}

/// `text` with its comments and trailing commas blanked out (each byte a space, line breaks
/// kept, so positions do not move), or `None` when it has neither.
fn relaxed(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out: Option<Vec<u8>> = None;
    let blank = |out: &mut Option<Vec<u8>>, from: usize, to: usize| {
        let out = out.get_or_insert_with(|| bytes.to_vec());
        for byte in &mut out[from..to] {
            if *byte != b'\n' && *byte != b'\r' {
                *byte = b' ';
            }
        }
    };
    let mut pending_comma: Option<usize> = None;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                pending_comma = None;
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                let end = memchr::memchr(b'\n', &bytes[i..]).map_or(bytes.len(), |n| i + n);
                blank(&mut out, i, end);
                i = end;
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                let Some(end) = memchr::memmem::find(&bytes[i + 2..], b"*/").map(|n| i + 2 + n + 2)
                else {
                    // Unclosed: left for the parser to report where it starts.
                    return out.map(|o| String::from_utf8_lossy(&o).into_owned());
                };
                blank(&mut out, i, end);
                i = end;
            }
            b',' => {
                pending_comma = Some(i);
                i += 1;
            }
            b'}' | b']' => {
                if let Some(comma) = pending_comma.take() {
                    blank(&mut out, comma, comma + 1);
                }
                i += 1;
            }
            b' ' | b'\t' | b'\n' | b'\r' => i += 1,
            _ => {
                pending_comma = None;
                i += 1;
            }
        }
    }
    // Only ASCII bytes were changed, each to a space: still UTF-8.
    out.map(|o| String::from_utf8_lossy(&o).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn comments_and_trailing_commas_are_read_as_json_net_reads_them() {
        let text = "\u{feff}{\n  // a line comment \u{e9}\n  \"a\": [1, 2,], /* a block\n comment */\n  \"b\": {\"c\": \"// not a comment, /* nor this */\",},\n}";
        assert_eq!(
            parse(text).expect("parses"),
            json!({"a": [1, 2], "b": {"c": "// not a comment, /* nor this */"}})
        );
    }

    #[test]
    fn relaxed_text_is_told_apart_from_plain_json() {
        assert!(is_relaxed("{\"a\": 1 // one\n}"));
        assert!(is_relaxed("\u{feff}{\"a\": [1,]}"));
        assert!(!is_relaxed("\u{feff}{\"a\": \"// [1,] /* */\"}"));
    }

    #[test]
    fn strings_with_escaped_quotes_and_commas_before_brackets_inside_them_are_kept() {
        let text = r#"{"a": "x\",]", "b": ",}"}"#;
        assert_eq!(
            parse(text).expect("parses"),
            json!({"a": "x\",]", "b": ",}"})
        );
    }

    #[test]
    fn other_errors_keep_their_position_in_the_text_as_written() {
        let text = "{\n  \"a\": 1, // one\n  /* note */ \"b\": [1 2]\n}";
        let error = parse(text).expect_err("not JSON");
        let plain = "{\n  \"a\": 1,\n             \"b\": [1 2]\n}";
        let expected = serde_json::from_str::<Value>(plain).expect_err("not JSON");
        assert_eq!(
            (error.line(), error.column()),
            (expected.line(), expected.column())
        );
        // A comma with nothing after it in an array is still an error: [1,,2].
        assert!(parse("[1,,2]").is_err());
        assert!(parse("{\"a\": 1 /* unclosed").is_err());
    }
}
