//! Large documents are parsed in two halves on two threads: the first half stops before
//! an `EntityType` near the middle, the second starts there as if inside its `Schema`, and
//! the results are joined. Whenever the split point turns out not to be a direct child of
//! a `Schema`, the first half simply reads the whole document and the second is dropped,
//! so the result is always the one a single pass gives.

use super::{Parser, Result};
use crate::odata::metadata::error::MetadataError;
use crate::odata::metadata::model::{MetadataWarning, Model, Schema};
use crate::odata::metadata::resolver::{self, PendingRefs};

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Tuning for [`parse_metadata_with`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParseOptions {
    /// Documents at least this long are parsed in two halves on two threads (when the
    /// machine has more than one core). `usize::MAX` turns that off.
    pub parallel_min_bytes: usize,
}

impl Default for ParseOptions {
    fn default() -> Self {
        Self {
            parallel_min_bytes: 4 * 1024 * 1024,
        }
    }
}

/// [`super::parse_metadata`] with explicit options.
pub fn parse_metadata_with(
    bytes: &[u8],
    options: &ParseOptions,
) -> std::result::Result<Model, MetadataError> {
    let text = bytes.strip_prefix(UTF8_BOM).unwrap_or(bytes);
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let split = if text.len() >= options.parallel_min_bytes && cores > 1 {
        find_split(text)
    } else {
        None
    };
    let (mut model, pending, warnings) = match split {
        Some(split) => parse_in_two(text, split)?,
        None => parse_in_one(text)?,
    };
    model.warnings = warnings;
    resolver::check_references(&mut model, &pending, text);
    Ok(model)
}

pub(super) type Parts = (Model, PendingRefs, Vec<MetadataWarning>);

/// The elements whose start tags the second half never sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Ancestor {
    Edmx = 0,
    DataServices = 1,
    Schema = 2,
}

impl Ancestor {
    const ALL: [Self; 3] = [Self::Edmx, Self::DataServices, Self::Schema];

    /// The ancestor an end tag with this local name closes, if any.
    pub(super) fn from_local(local: &str) -> Option<Self> {
        match local {
            "Edmx" => Some(Self::Edmx),
            "DataServices" => Some(Self::DataServices),
            "Schema" => Some(Self::Schema),
            _ => None,
        }
    }

    /// Stands for the element's qualified name in messages of the second half until the
    /// first half, which read the start tag, fills it in.
    pub(super) fn placeholder(self) -> String {
        format!("\u{0}{}\u{0}", self as u8)
    }
}

/// Split bookkeeping kept in the [`Parser`].
#[derive(Debug, Default)]
pub(super) struct SplitState {
    /// First half: stop before the `Schema` child that starts at this offset.
    pub stop_at: Option<usize>,
    /// First half: set once it stopped at `stop_at`.
    pub stopped: bool,
    /// Second half: the reader starts inside a `Schema`.
    pub fragment: bool,
    /// Second half: which ancestor the last end tag closes, if any.
    pub last_close: Option<Ancestor>,
    /// First half: qualified names of the open `Edmx`, `DataServices` and `Schema`.
    pub ancestor_names: [String; 3],
    /// Offset of the first `EntityContainer` read.
    pub tail_container: Option<usize>,
}

pub(super) fn parse_in_one(text: &[u8]) -> Result<Parts> {
    let mut parser = Parser::new(text);
    let mut model = parser.document();
    if parser.declined {
        parser = Parser::new_quick(text);
        model = parser.document();
    }
    Ok((model?, parser.pending, parser.warnings))
}

/// The offset of an `EntityType` start tag (any prefix) at or after the middle.
fn find_split(text: &[u8]) -> Option<usize> {
    const SEARCH_LIMIT: usize = 1 << 20;
    let start = text.len() / 2;
    let end = text.len().min(start + SEARCH_LIMIT);
    let mut at = start;
    while at < end {
        let lt = at + text[at..end].iter().position(|&b| b == b'<')?;
        let rest = &text[lt + 1..];
        let name_len = rest
            .iter()
            .position(|b| b.is_ascii_whitespace() || *b == b'>' || *b == b'/')
            .unwrap_or(rest.len());
        let name = &rest[..name_len];
        let local = name.rsplit(|&b| b == b':').next().unwrap_or(name);
        if local == b"EntityType" {
            return Some(lt);
        }
        at = lt + 1;
    }
    None
}

fn parse_in_two(text: &[u8], split: usize) -> Result<Parts> {
    std::thread::scope(|scope| {
        let second = scope.spawn(move || {
            let mut parser = Parser::new_fragment(text, split, false);
            let mut result = parser.fragment_document();
            if parser.declined {
                parser = Parser::new_fragment(text, split, true);
                result = parser.fragment_document();
            }
            (
                result,
                parser.pending,
                parser.warnings,
                parser.split.tail_container,
            )
        });
        let mut first = Parser::new(text);
        first.split.stop_at = Some(split);
        let mut first_result = first.document();
        if first.declined {
            first = Parser::new_quick(text);
            first.split.stop_at = Some(split);
            first_result = first.document();
        }
        let second = second.join();
        let mut model = first_result?;
        if !first.split.stopped {
            // The split point was not a schema child: the first pass read everything.
            return Ok((model, first.pending, first.warnings));
        }
        let Ok((second_result, pending, warnings, tail_container)) = second else {
            return parse_in_one(text);
        };
        let tail = second_result.map_err(|e| first.fill_placeholders(e))?;
        let mut tail_schemas = tail.schemas.into_iter();
        if let (Some(schema), Some(rest)) = (model.schemas.last_mut(), tail_schemas.next()) {
            let duplicate = schema.entity_container.is_some() && rest.entity_container.is_some();
            append_schema(schema, rest);
            if let (true, Some(offset)) = (duplicate, tail_container) {
                let (line, column) = first.lines.position(offset);
                let message = "a second EntityContainer in one schema is ignored".to_owned();
                first.warnings.push(MetadataWarning {
                    line,
                    column,
                    message,
                });
            }
        }
        model.schemas.extend(tail_schemas);
        model.references.extend(tail.references);
        first.pending.append(pending);
        first.warnings.extend(warnings);
        Ok((model, first.pending, first.warnings))
    })
}

/// Appends what the second half read of a schema to what the first half read.
pub(super) fn append_schema(schema: &mut Schema, rest: Schema) {
    schema.entity_types.extend(rest.entity_types);
    schema.complex_types.extend(rest.complex_types);
    schema.enum_types.extend(rest.enum_types);
    schema.type_definitions.extend(rest.type_definitions);
    schema.actions.extend(rest.actions);
    schema.functions.extend(rest.functions);
    schema.annotation_blocks.extend(rest.annotation_blocks);
    if schema.entity_container.is_none() {
        schema.entity_container = rest.entity_container;
    }
}

impl<'a> Parser<'a> {
    /// A parser for `text[split..]`, positioned inside a `Schema`; with quick-xml when `quick`, else the narrow reader.
    fn new_fragment(text: &'a [u8], split: usize, quick: bool) -> Self {
        let mut parser = Self::new(text);
        let rest = &text[split..];
        let mut reader = if quick {
            super::tokens::Tokens::quick(rest)
        } else {
            super::tokens::Tokens::narrow(rest)
        };
        // The end tags of the ancestors have no start tag in this half; checked by us.
        reader.allow_unmatched_ends();
        parser.reader = reader;
        parser.base = split;
        parser.split.fragment = true;
        parser
    }

    /// The second half: the rest of the schema, then of the data services and the root.
    /// Its first schema holds what follows the split point.
    pub(super) fn fragment_document(&mut self) -> Result<Model> {
        let mut model = Model::default();
        let mut tail = Schema::default();
        self.schema_children(None, &mut tail)?;
        model.schemas.push(tail);
        if self.split.stopped {
            return Ok(model);
        }
        self.data_services(None, &mut model)?;
        if self.split.stopped {
            return Ok(model);
        }
        self.edmx_children(None, &mut model)?;
        Ok(model)
    }

    /// Replaces the ancestor placeholders of a second-half error with real names.
    fn fill_placeholders(&self, error: MetadataError) -> MetadataError {
        let fill = |mut text: String| {
            for ancestor in Ancestor::ALL {
                let name = &self.split.ancestor_names[ancestor as usize];
                text = text.replace(&ancestor.placeholder(), name);
            }
            text
        };
        match error {
            MetadataError::Truncated {
                line,
                column,
                expected,
            } => MetadataError::Truncated {
                line,
                column,
                expected: fill(expected),
            },
            MetadataError::Malformed {
                line,
                column,
                message,
            } => MetadataError::Malformed {
                line,
                column,
                message: fill(message),
            },
            other => other,
        }
    }
}
