//! Text from servers (and other untrusted sources) made safe to print on a terminal: control
//! characters other than newline and tab — ESC, BEL, carriage return, DEL, the C1 range — and
//! the bidirectional overrides are shown as escapes (`\u{1b}`) instead of being interpreted,
//! so an error message cannot move the cursor, rewrite earlier lines or set the title.

use std::borrow::Cow;

/// Whether `c` is printed as an escape.
fn needs_escape(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `text` with every character that a terminal would interpret replaced by `\u{…}`;
/// borrowed when there is none.
pub fn printable(text: &str) -> Cow<'_, str> {
    if !text.chars().any(needs_escape) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if needs_escape(c) {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_are_shown_not_interpreted() {
        assert!(matches!(printable("plain\ntext\tok é"), Cow::Borrowed(_)));
        assert_eq!(
            printable("\u{1b}[2J\u{1b}]0;pwned\u{7}x\ry\u{9b}31m\u{7f}\u{202e}z"),
            "\\u{1b}[2J\\u{1b}]0;pwned\\u{7}x\\u{d}y\\u{9b}31m\\u{7f}\\u{202e}z"
        );
    }
}
