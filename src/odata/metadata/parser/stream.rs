//! A large `$metadata` file parsed as it is read, never held whole in memory.
//!
//! Each of (up to) two threads reads its half of the document in pieces of about half a
//! megabyte into one reused buffer and parses each piece; a piece ends where a child of a
//! `Schema` (`EntityType`, `EnumType`, …) starts, and the next piece starts there as if
//! inside its `Schema`, the way the second half of [`super::split`] does. Reading the
//! whole file first made a fresh process fault in and zero 7 500 new pages for a 30 MB
//! document (about 10 ms of its 75); a reused buffer stays in the cache.
//!
//! Any doubt gives `None` and the caller parses the whole document the usual way, so
//! errors and warnings read exactly as they do there: a piece that is malformed or does not
//! end between two children of a `Schema`, a warning from the parser, a read error or a
//! file that changed length, or a dangling reference (the pieces do not write down the
//! description of each referring element that its warning gives: for an F&O document that
//! is half the memory of its 22 000 references).

use std::io;

use super::Parser;
use super::split::append_schema;
use crate::odata::metadata::model::Model;
use crate::odata::metadata::position::LineTracker;
use crate::odata::metadata::resolver::{self, PendingRefs};

/// Where the document's bytes come from: a file, or memory (tests).
pub trait ByteSource: Sync {
    /// Reads into `buf` from byte `offset`; fewer bytes, or none, only at the end.
    ///
    /// # Errors
    /// What the underlying read reports.
    fn read_at(&self, buf: &mut [u8], offset: u64) -> io::Result<usize>;
}

impl ByteSource for [u8] {
    fn read_at(&self, buf: &mut [u8], offset: u64) -> io::Result<usize> {
        let start = usize::try_from(offset).map_or(self.len(), |o| o.min(self.len()));
        let available = &self[start..];
        let n = available.len().min(buf.len());
        buf[..n].copy_from_slice(&available[..n]);
        Ok(n)
    }
}

#[cfg(unix)]
impl ByteSource for std::fs::File {
    fn read_at(&self, buf: &mut [u8], offset: u64) -> io::Result<usize> {
        std::os::unix::fs::FileExt::read_at(self, buf, offset)
    }
}

/// Tuning for [`parse_metadata_streamed`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StreamOptions {
    /// Bytes read at a time (a piece grows when no `Schema` child starts in it).
    pub piece_bytes: usize,
    /// Documents at least this long are read by two threads, when there are two cores.
    pub two_threads_from: u64,
}

impl Default for StreamOptions {
    fn default() -> Self {
        Self {
            piece_bytes: 512 * 1024,
            two_threads_from: 4 * 1024 * 1024,
        }
    }
}

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// How far past the middle the second thread looks for an `EntityType` to start at.
const SPLIT_SEARCH: usize = 1 << 20;

/// The first read when looking for that `EntityType` (it grows fourfold each time).
const SPLIT_STEP: usize = 16 * 1024;

/// Parses the `len` bytes of `source` piece by piece. `None` means "read the whole
/// document and call [`super::parse_metadata`]": that gives the same model when this
/// succeeds, and the only wording of errors and warnings.
pub fn parse_metadata_streamed<S: ByteSource + ?Sized>(
    source: &S,
    len: u64,
    options: &StreamOptions,
) -> Option<Model> {
    let mut head = [0u8; 3];
    let read = fill(source, &mut head, 0).ok()?;
    let bom = if head[..read] == *UTF8_BOM { 3 } else { 0 };
    let text = Text {
        source,
        bom,
        len: usize::try_from(len).ok()?.checked_sub(usize::from(bom))?,
        piece_bytes: options.piece_bytes.max(64),
    };
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let split = if len >= options.two_threads_from && cores > 1 {
        text.split_point()
    } else {
        None
    };
    let (mut model, pending) = match split {
        None => {
            let lane = text.lane(0, text.len, Mode::Whole)?;
            (lane.model, lane.pending)
        }
        Some(split) => std::thread::scope(|scope| {
            let second = std::thread::Builder::new()
                .name("metadata-second-half".to_owned())
                .spawn_scoped(scope, || text.lane(split, text.len, Mode::Tail))
                .ok()?;
            let first = text.lane(0, split, Mode::Head);
            let mut second = second.join().ok()??;
            let first = first?;
            second.shift_lines(first.end_line.saturating_sub(1));
            let mut pending = first.pending;
            pending.append(second.pending);
            Some((join(Some(first.model), second.model)?, pending))
        })?,
    };
    resolver::check_references(&mut model, &pending, &[]);
    // A dangling reference: its warning names the referring element, which the pieces did
    // not write down (see `PendingRefs::without_sites`).
    model.warnings.is_empty().then_some(model)
}

/// Reads `buf.len()` bytes from `offset`, fewer only at the end of the source.
fn fill<S: ByteSource + ?Sized>(source: &S, buf: &mut [u8], offset: u64) -> io::Result<usize> {
    let mut done = 0;
    while done < buf.len() {
        let n = source.read_at(&mut buf[done..], offset + done as u64)?;
        if n == 0 {
            break;
        }
        done += n;
    }
    Ok(done)
}

/// Which part of the document a thread reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// All of it.
    Whole,
    /// From the start to a `Schema` child.
    Head,
    /// From a `Schema` child to the end.
    Tail,
}

/// The document after its byte-order mark.
struct Text<'s, S: ?Sized> {
    source: &'s S,
    bom: u8,
    len: usize,
    piece_bytes: usize,
}

/// What one thread read.
struct LaneOutput {
    model: Model,
    pending: PendingRefs,
    /// The line the lane ends on (counted from the lane's start).
    end_line: u32,
}

impl LaneOutput {
    /// Makes the lines of a lane that started on line 1 + `by` the document's.
    fn shift_lines(&mut self, by: u32) {
        for schema in &mut self.model.schemas {
            for entity in &mut schema.entity_types {
                entity.line = entity.line.saturating_add(by);
            }
        }
    }
}

impl<S: ByteSource + ?Sized> Text<'_, S> {
    /// Appends the text bytes `[from, to)` to `buffer`; `None` if the source ends early.
    fn read_into(&self, buffer: &mut Vec<u8>, from: usize, to: usize) -> Option<()> {
        let old = buffer.len();
        buffer.resize(old + (to - from), 0);
        self.read_exact(&mut buffer[old..], from)
    }

    /// Fills `into` from text byte `from`; `None` if the source ends early.
    fn read_exact(&self, into: &mut [u8], from: usize) -> Option<()> {
        let offset = from as u64 + u64::from(self.bom);
        let read = fill(self.source, into, offset).ok()?;
        (read == into.len()).then_some(())
    }

    /// The start of the first `EntityType` at or after the middle.
    fn split_point(&self) -> Option<usize> {
        let middle = self.len / 2;
        let end = self.len.min(middle + SPLIT_SEARCH);
        let mut window = Vec::new();
        let mut step = SPLIT_STEP;
        // Read in growing steps: an F&O document declares an entity type every few
        // kilobytes, and a megabyte read at once is fresh memory touched before either
        // thread starts.
        let mut at = 0;
        loop {
            let filled = middle + window.len();
            let until = end.min(filled + step);
            self.read_into(&mut window, filled, until)?;
            while let Some(found) = memchr::memchr(b'<', &window[at..]) {
                let lt = at + found;
                match child_name(&window, lt) {
                    Some(name) if name == b"EntityType" => return Some(middle + lt),
                    // The name runs past what is read: look again once more is.
                    None if until < end => break,
                    _ => at = lt + 1,
                }
            }
            if until == end {
                return None;
            }
            step *= 4;
        }
    }

    /// Parses the text bytes `[start, end)` piece by piece.
    fn lane(&self, start: usize, end: usize, mode: Mode) -> Option<LaneOutput> {
        let mut buffer = PieceBuffer::default();
        let mut buffer_start = start;
        let mut want = self.piece_bytes;
        let mut line = 1;
        let mut model = None;
        let mut pending = PendingRefs::default();
        let mut first = true;
        loop {
            let filled = buffer_start + buffer.len();
            let target = (buffer_start + want).min(end);
            if target > filled {
                let free = buffer.extend_by(target - filled);
                self.read_exact(free, filled)?;
            }
            let at_end = buffer_start + buffer.len() == end;
            let cut = if at_end {
                buffer.len()
            } else if let Some(cut) = last_cut(buffer.filled()) {
                cut
            } else {
                want = buffer.len() * 2;
                continue;
            };
            let piece = buffer.filled().get(..cut)?;
            let whole_start = first && mode != Mode::Tail;
            let stops = !at_end || mode == Mode::Head;
            let stop_at = stops.then_some(buffer_start + cut);
            let mut read = None;
            for quick in [false, true] {
                let mut parser = Parser::new_piece(piece, buffer_start, line, !whole_start, quick);
                parser.split.stop_at = stop_at;
                let model = if whole_start {
                    parser.document()
                } else {
                    parser.fragment_document()
                };
                if !parser.declined {
                    read = Some((parser, model));
                    break;
                }
            }
            let (mut parser, read) = read?;
            let read = read.ok()?;
            if parser.split.stopped != stops || !parser.warnings.is_empty() {
                return None;
            }
            line = parser.lines.line(buffer_start + cut);
            pending.append(std::mem::take(&mut parser.pending));
            model = Some(join(model, read)?);
            if at_end {
                return Some(LaneOutput {
                    model: model?,
                    pending,
                    end_line: line,
                });
            }
            buffer.consume(cut);
            buffer_start += cut;
            want = self.piece_bytes.max(buffer.len() + self.piece_bytes / 2);
            first = false;
        }
    }
}

/// The bytes read and not yet parsed. Its memory is zeroed once, when it grows, and then
/// reused: a document is read through it without touching fresh pages for each piece.
#[derive(Default)]
struct PieceBuffer {
    bytes: Vec<u8>,
    len: usize,
}

impl PieceBuffer {
    fn len(&self) -> usize {
        self.len
    }

    fn filled(&self) -> &[u8] {
        &self.bytes[..self.len]
    }

    /// `more` bytes after the filled ones, to read into; they count as filled.
    fn extend_by(&mut self, more: usize) -> &mut [u8] {
        let start = self.len;
        self.len += more;
        if self.bytes.len() < self.len {
            self.bytes.resize(self.len, 0);
        }
        &mut self.bytes[start..self.len]
    }

    /// Drops the first `count` bytes, moving the rest to the front.
    fn consume(&mut self, count: usize) {
        self.bytes.copy_within(count..self.len, 0);
        self.len -= count;
    }
}

/// Adds what a later piece read to what the pieces before it read; the piece's first
/// schema continues the last one open. `None` for a second `EntityContainer` in one schema
/// (a warning the usual parse words).
fn join(before: Option<Model>, piece: Model) -> Option<Model> {
    let Some(mut model) = before else {
        return Some(piece);
    };
    let mut schemas = piece.schemas.into_iter();
    if let Some(rest) = schemas.next() {
        let schema = model.schemas.last_mut()?;
        if schema.entity_container.is_some() && rest.entity_container.is_some() {
            return None;
        }
        append_schema(schema, rest);
    }
    model.schemas.extend(schemas);
    model.references.extend(piece.references);
    Some(model)
}

/// Start tags a piece may end before: the children of a `Schema`.
const CUT_BEFORE: [&[u8]; 8] = [
    b"EntityType",
    b"ComplexType",
    b"EnumType",
    b"TypeDefinition",
    b"Action",
    b"Function",
    b"Term",
    b"Annotations",
];

/// The last offset (not 0) in `buffer` where a start tag of a `Schema` child begins, its
/// name complete.
fn last_cut(buffer: &[u8]) -> Option<usize> {
    let mut end = buffer.len();
    while let Some(lt) = memchr::memrchr(b'<', &buffer[..end]) {
        if lt == 0 {
            return None;
        }
        if child_name(buffer, lt).is_some_and(|name| CUT_BEFORE.contains(&name)) {
            return Some(lt);
        }
        end = lt;
    }
    None
}

/// The local name of the start tag at `lt` (which holds `<`) when the name ends inside
/// `buffer`.
fn child_name(buffer: &[u8], lt: usize) -> Option<&[u8]> {
    let rest = buffer.get(lt + 1..)?;
    let len = rest
        .iter()
        .position(|b| b.is_ascii_whitespace() || *b == b'>' || *b == b'/')?;
    let name = &rest[..len];
    name.rsplit(|&b| b == b':').next()
}

impl<'a> Parser<'a> {
    /// A parser for `piece`, the part of a document from byte `origin`, which starts on
    /// line `first_line`; `inside_schema` when it starts among the children of a `Schema`.
    /// With quick-xml when `quick`, else the narrow reader.
    fn new_piece(
        piece: &'a [u8],
        origin: usize,
        first_line: u32,
        inside_schema: bool,
        quick: bool,
    ) -> Self {
        let mut parser = if quick {
            Self::new_quick(piece)
        } else {
            Self::new(piece)
        };
        parser.base = origin;
        parser.lines = LineTracker::starting_at(piece, origin, first_line);
        parser.pending = PendingRefs::without_sites();
        if inside_schema {
            // The end tags of the ancestors have no start tag in this piece; checked by us.
            parser.reader.allow_unmatched_ends();
            parser.split.fragment = true;
        }
        parser
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A text whose middle is followed by `gap` bytes of other markup, then an `EntityType`;
    /// the offset of its `<`.
    fn text_with_gap(gap: usize) -> (Vec<u8>, usize) {
        let middle = gap + 1000;
        let mut bytes = vec![b' '; middle];
        bytes.extend(b"<Annotation Term=\"A\" />");
        bytes.resize(middle + gap, b' ');
        let at = bytes.len();
        bytes.extend(b"<EntityType Name=\"T\"></EntityType>");
        bytes.resize(2 * middle, b' ');
        (bytes, at)
    }

    fn split_of(bytes: &[u8]) -> Option<usize> {
        let text = Text {
            source: bytes,
            bom: 0,
            len: bytes.len(),
            piece_bytes: 512,
        };
        text.split_point()
    }

    #[test]
    fn the_split_is_the_first_entity_type_after_the_middle_wherever_the_reads_end() {
        // Names cut by the end of the first read (16 KiB) and of the second (64 KiB more),
        // and one well inside.
        for gap in [
            SPLIT_STEP - 5,
            SPLIT_STEP - 1,
            SPLIT_STEP,
            SPLIT_STEP + 4 * SPLIT_STEP - 3,
            100,
        ] {
            let (bytes, at) = text_with_gap(gap);
            let middle = bytes.len() / 2;
            assert!(at >= middle, "gap {gap}");
            assert_eq!(split_of(&bytes), Some(at), "gap {gap}");
        }
    }

    #[test]
    fn no_split_without_an_entity_type_in_the_megabyte_after_the_middle() {
        let (mut bytes, at) = text_with_gap(SPLIT_SEARCH + 10);
        assert_eq!(split_of(&bytes), None);
        bytes.truncate(at);
        assert_eq!(split_of(&bytes), None);
    }
}
