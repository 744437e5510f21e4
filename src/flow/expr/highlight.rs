//! Definition strings split into coloured pieces for editors: plain text, the `@` / `@{` `}`
//! delimiters, the `@@` escape, and inside expressions function names, string literals,
//! numbers, property access and punctuation. Tolerant: text being typed never fails.

use std::ops::Range;

/// What a piece of a definition string is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenKind {
    /// Text outside any expression (and white space inside one).
    Text,
    /// `@@`: a literal `@`.
    Escape,
    /// `@`, `@{` and `}` around an expression.
    Delimiter,
    /// A function name (a name followed by `(`).
    Function,
    /// Another name: a property after `.`, `true`, `false`, `null`.
    Name,
    /// A string literal, quotes included (`''` is a quote inside it).
    String,
    /// A number.
    Number,
    /// Property access: `?`, `[`, `]`, `.`.
    Access,
    /// `(`, `)`, `,`.
    Punctuation,
    /// A character expressions do not allow.
    Invalid,
}

/// A piece of the text: its byte range and its kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    /// Byte range in the text.
    pub range: Range<usize>,
    /// What it is.
    pub kind: TokenKind,
}

/// Splits a definition string into pieces that cover it, in order, read as the runner
/// reads it: `@@…` is text, `…@{expr}…` interpolates, `@expr` is one expression.
pub fn highlight(text: &str) -> Vec<Span> {
    let mut spans = Spans::default();
    if text.starts_with("@@") {
        spans.push(0..2, TokenKind::Escape);
        spans.push(2..text.len(), TokenKind::Text);
    } else if text.contains("@{") {
        interpolation(text, &mut spans);
    } else if text.starts_with('@') {
        spans.push(0..1, TokenKind::Delimiter);
        expression(text, 1..text.len(), &mut spans);
    } else {
        spans.push(0..text.len(), TokenKind::Text);
    }
    spans.0
}

/// Spans being collected: empty ones dropped, neighbours of the same kind joined.
#[derive(Default)]
struct Spans(Vec<Span>);

impl Spans {
    fn push(&mut self, range: Range<usize>, kind: TokenKind) {
        if range.is_empty() {
            return;
        }
        if let Some(last) = self.0.last_mut()
            && last.kind == kind
            && last.range.end == range.start
        {
            last.range.end = range.end;
            return;
        }
        self.0.push(Span { range, kind });
    }
}

/// `text @{expr} text`, with `@@{` as a literal `@{` (as the runner reads it).
fn interpolation(text: &str, spans: &mut Spans) {
    let bytes = text.as_bytes();
    let mut text_start = 0;
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i..].starts_with(b"@@{") {
            spans.push(text_start..i, TokenKind::Text);
            spans.push(i..i + 2, TokenKind::Escape);
            text_start = i + 2;
            i += 3;
        } else if bytes[i..].starts_with(b"@{") {
            spans.push(text_start..i, TokenKind::Text);
            spans.push(i..i + 2, TokenKind::Delimiter);
            let start = i + 2;
            let mut j = start;
            let mut in_string = false;
            while j < bytes.len() && (in_string || bytes[j] != b'}') {
                if bytes[j] == b'\'' {
                    in_string = !in_string;
                }
                j += 1;
            }
            expression(text, start..j, spans);
            if j < bytes.len() {
                spans.push(j..j + 1, TokenKind::Delimiter);
            }
            i = j + 1;
            text_start = i.min(bytes.len());
        } else {
            i += 1;
        }
    }
    spans.push(text_start..bytes.len(), TokenKind::Text);
}

fn is_name_start(c: char) -> bool {
    c.is_alphabetic() || c == '_' || c == '$'
}

fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '$' || c == '-'
}

/// The tokens of the expression in `text[range]`.
fn expression(text: &str, range: Range<usize>, spans: &mut Spans) {
    let base = range.start;
    let Some(source) = text.get(range) else {
        return;
    };
    let chars: Vec<(usize, char)> = source.char_indices().collect();
    let at = |k: usize| chars.get(k).map(|(_, c)| *c);
    let offset = |k: usize| base + chars.get(k).map_or(source.len(), |(o, _)| *o);
    // Whether the token before ends a value (then `.` is access and `-` is not a sign).
    let mut after_value = false;
    let mut after_dot = false;
    let mut k = 0;
    while let Some(c) = at(k) {
        let start = k;
        let kind = if c.is_whitespace() {
            k += 1;
            spans.push(offset(start)..offset(k), TokenKind::Text);
            continue;
        } else if c == '\'' {
            k += 1;
            loop {
                match at(k) {
                    None => break,
                    Some('\'') if at(k + 1) == Some('\'') => k += 2,
                    Some('\'') => {
                        k += 1;
                        break;
                    }
                    Some(_) => k += 1,
                }
            }
            TokenKind::String
        } else if c.is_ascii_digit()
            || (c == '.' && !after_value && at(k + 1).is_some_and(|d| d.is_ascii_digit()))
            || (matches!(c, '-' | '+')
                && !after_value
                && at(k + 1).is_some_and(|d| d.is_ascii_digit() || d == '.'))
        {
            k += 1;
            while at(k).is_some_and(|d| d.is_ascii_digit() || d == '.') {
                k += 1;
            }
            if matches!(at(k), Some('e' | 'E')) {
                let sign = usize::from(matches!(at(k + 1), Some('+' | '-')));
                if at(k + 1 + sign).is_some_and(|d| d.is_ascii_digit()) {
                    k += 1 + sign;
                    while at(k).is_some_and(|d| d.is_ascii_digit()) {
                        k += 1;
                    }
                }
            }
            TokenKind::Number
        } else if is_name_start(c) {
            while at(k).is_some_and(is_name_char) {
                k += 1;
            }
            let mut next = k;
            while at(next).is_some_and(char::is_whitespace) {
                next += 1;
            }
            if at(next) == Some('(') && !after_dot {
                TokenKind::Function
            } else {
                TokenKind::Name
            }
        } else {
            k += 1;
            match c {
                '?' | '[' | ']' | '.' => TokenKind::Access,
                '(' | ')' | ',' => TokenKind::Punctuation,
                _ => TokenKind::Invalid,
            }
        };
        after_dot = c == '.' && kind == TokenKind::Access;
        after_value = matches!(
            kind,
            TokenKind::String | TokenKind::Number | TokenKind::Name | TokenKind::Function
        ) || matches!(c, ')' | ']');
        spans.push(offset(start)..offset(k), kind);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The pieces as (text, kind), white space left out.
    fn pieces(text: &str) -> Vec<(&str, TokenKind)> {
        highlight(text)
            .into_iter()
            .map(|s| (&text[s.range], s.kind))
            .filter(|(t, _)| !t.trim().is_empty())
            .collect()
    }

    #[test]
    fn an_interpolated_call_gives_each_piece_its_kind() {
        use TokenKind::*;
        assert_eq!(
            pieces("Hello @{concat('a', 1)}!"),
            vec![
                ("Hello ", Text),
                ("@{", Delimiter),
                ("concat", Function),
                ("(", Punctuation),
                ("'a'", String),
                (",", Punctuation),
                ("1", Number),
                (")", Punctuation),
                ("}", Delimiter),
                ("!", Text),
            ]
        );
    }

    #[test]
    fn the_pieces_cover_the_text_in_order() {
        for text in [
            "@body('Get')?['Name'].first",
            "a @{x} b @{'}'} c",
            "@@{not} an @{1}",
            "@concat('it''s', -1.5e3)",
            "plain",
            "",
            "é @{'ü'} ß",
        ] {
            let spans = highlight(text);
            let mut end = 0;
            for span in &spans {
                assert_eq!(span.range.start, end, "{text}: {spans:?}");
                end = span.range.end;
            }
            assert_eq!(end, text.len(), "{text}: {spans:?}");
        }
    }

    #[test]
    fn property_access_strings_with_quotes_and_numbers() {
        use TokenKind::*;
        assert_eq!(
            pieces("@body('Get')?['Na''me'].first"),
            vec![
                ("@", Delimiter),
                ("body", Function),
                ("(", Punctuation),
                ("'Get'", String),
                (")", Punctuation),
                ("?[", Access),
                ("'Na''me'", String),
                ("].", Access),
                ("first", Name),
            ]
        );
        assert_eq!(
            pieces("@sub(-2, 0.5)"),
            vec![
                ("@", Delimiter),
                ("sub", Function),
                ("(", Punctuation),
                ("-2", Number),
                (",", Punctuation),
                ("0.5", Number),
                (")", Punctuation),
            ]
        );
    }

    #[test]
    fn a_double_at_is_an_escape_not_an_expression() {
        use TokenKind::*;
        assert_eq!(
            pieces("@@concat('a')"),
            vec![("@@", Escape), ("concat('a')", Text)]
        );
        assert_eq!(
            pieces("x @@{y} @{z}"),
            vec![
                ("x ", Text),
                ("@@", Escape),
                ("{y} ", Text),
                ("@{", Delimiter),
                ("z", Name),
                ("}", Delimiter),
            ]
        );
        assert_eq!(pieces("no expression"), vec![("no expression", Text)]);
    }

    #[test]
    fn unfinished_text_does_not_panic() {
        use TokenKind::*;
        assert_eq!(
            pieces("@concat('abc"),
            vec![
                ("@", Delimiter),
                ("concat", Function),
                ("(", Punctuation),
                ("'abc", String),
            ]
        );
        assert_eq!(
            pieces("a @{body('x"),
            vec![
                ("a ", Text),
                ("@{", Delimiter),
                ("body", Function),
                ("(", Punctuation),
                ("'x", String),
            ]
        );
        assert_eq!(pieces("@"), vec![("@", Delimiter)]);
        assert_eq!(pieces("@{"), vec![("@{", Delimiter)]);
        assert_eq!(
            pieces("@x\"y"),
            vec![("@", Delimiter), ("x", Name), ("\"", Invalid), ("y", Name)]
        );
    }
}
