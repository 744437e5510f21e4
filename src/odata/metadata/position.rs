//! Byte offsets to 1-based line and column numbers, computed incrementally for speed.

/// Converts increasing byte offsets of one document into `(line, column)` pairs.
///
/// Each call only scans the bytes since the previous offset, so a forward pass over a
/// large document stays linear. Going backwards restarts from the beginning.
#[derive(Debug, Clone)]
pub struct LineTracker<'a> {
    text: &'a [u8],
    /// Document offset of `text[0]` (non-zero when `text` is a piece of a larger document).
    origin: usize,
    /// The line `text[0]` is on.
    first_line: u32,
    /// Scanned so far, relative to `text`.
    offset: usize,
    line: u32,
    /// Characters between the start of the current line and `offset`.
    column_chars: usize,
}

impl<'a> LineTracker<'a> {
    /// A tracker at the start of `text`.
    pub fn new(text: &'a [u8]) -> Self {
        Self::starting_at(text, 0, 1)
    }

    /// A tracker for `piece`, the part of a document that starts at byte `origin` on line
    /// `first_line`. Offsets passed to it are the document's; lines are exact, columns on
    /// the piece's first line count from `origin` only.
    pub fn starting_at(piece: &'a [u8], origin: usize, first_line: u32) -> Self {
        Self {
            text: piece,
            origin,
            first_line,
            offset: 0,
            line: first_line,
            column_chars: 0,
        }
    }

    /// The 1-based line and column (counted in characters) of `offset`.
    pub fn position(&mut self, offset: usize) -> (u32, u32) {
        let offset = offset.saturating_sub(self.origin).min(self.text.len());
        if offset < self.offset {
            *self = Self::starting_at(self.text, self.origin, self.first_line);
        }
        let scanned = &self.text[self.offset..offset];
        let newlines = count_newlines(scanned);
        let tail = if newlines == 0 {
            scanned
        } else {
            self.line = self
                .line
                .saturating_add(u32::try_from(newlines).unwrap_or(u32::MAX));
            self.column_chars = 0;
            let last = memchr::memrchr(b'\n', scanned).unwrap_or(0);
            &scanned[last + 1..]
        };
        self.column_chars += count_chars(tail);
        self.offset = offset;
        (
            self.line,
            u32::try_from(self.column_chars + 1).unwrap_or(u32::MAX),
        )
    }

    /// The 1-based line of `offset`.
    pub fn line(&mut self, offset: usize) -> u32 {
        self.position(offset).0
    }
}

/// Number of `\n` bytes (vectorised by `memchr`).
fn count_newlines(bytes: &[u8]) -> usize {
    memchr::memchr_iter(b'\n', bytes).count()
}

/// Number of UTF-8 characters in `bytes` (continuation bytes are not counted).
fn count_chars(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| (b & 0xC0) != 0x80).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_columns_are_one_based_and_count_characters() {
        let text = "ab\ncä d\n\nx".as_bytes();
        let mut t = LineTracker::new(text);
        assert_eq!(t.position(0), (1, 1));
        assert_eq!(t.position(1), (1, 2));
        assert_eq!(t.position(3), (2, 1));
        // 'd' is after "cä " where 'ä' takes two bytes: byte 7, column 4
        assert_eq!(t.position(7), (2, 4));
        assert_eq!(t.position(10), (4, 1));
        // backwards works too
        assert_eq!(t.position(4), (2, 2));
        // past the end clamps
        assert_eq!(t.position(1000), (4, 2));
    }

    #[test]
    fn a_piece_of_a_document_reports_the_document_lines() {
        let document = "a\nb\nc\nd\ne".as_bytes();
        let origin = 4; // "c\nd\ne", on line 3
        let mut whole = LineTracker::new(document);
        let mut piece = LineTracker::starting_at(&document[origin..], origin, 3);
        for offset in origin..document.len() {
            assert_eq!(piece.line(offset), whole.line(offset), "offset {offset}");
        }
        // Before the piece: its first line.
        assert_eq!(piece.line(0), 3);
    }

    #[test]
    fn newline_count_matches_a_plain_count_for_every_alignment() {
        let text: Vec<u8> = (0..200u8)
            .map(|i| {
                if i % 7 == 0 {
                    b'\n'
                } else {
                    i.wrapping_mul(37)
                }
            })
            .collect();
        for start in 0..16 {
            let slice = &text[start..];
            let plain = slice.iter().filter(|&&b| b == b'\n').count();
            assert_eq!(count_newlines(slice), plain, "start {start}");
        }
    }
}
