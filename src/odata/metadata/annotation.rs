//! Inline annotations (`Annotation Term="…"`) as the model keeps them: one
//! [`CompactString`] each, 24 bytes, usually with nothing on the heap.
//!
//! An F&O-scale document carries about 185 000 of them, three or four on every property,
//! so their size is much of a large model's memory, and of the time a fresh process spends
//! faulting that memory in. The packed text is the term, then `#` and the qualifier when
//! there is one (the way CSDL JSON writes it: `Core.Description#Long`), then, when there is
//! a value, `\0` and the value (`\0` cannot occur in XML). A term or a value that F&O and
//! the OData vocabularies repeat is one byte below `0x1F`, an index into a table of static
//! text, so `LabelId` = `@SYS4001473` (13 bytes) and `AXType` = `…AXType/String` (3 bytes)
//! stay inline.

use std::borrow::Cow;

use compact_str::CompactString;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Terms that F&O, Business Central, Dataverse and SAP documents repeat on nearly every
/// element.
const KNOWN_TERMS: [&str; 24] = [
    "Microsoft.Dynamics.OData.Core.V1.LabelId",
    "Microsoft.Dynamics.OData.Core.V1.AXType",
    "Microsoft.Dynamics.OData.Core.V1.ConfigurationKeyEnabled",
    "Microsoft.Dynamics.OData.Core.V1.AllowEdit",
    "Microsoft.Dynamics.OData.Core.V1.AllowEditOnCreate",
    "Microsoft.Dynamics.OData.Core.V1.HelpTextId",
    "Microsoft.Dynamics.OData.Core.V1.IsRequired",
    "Microsoft.Dynamics.OData.Core.V1.IsReadOnly",
    "Microsoft.Dynamics.OData.Core.V1.CountryRegionCodes",
    "Microsoft.Dynamics.OData.Core.V1.LookupGroup",
    "Microsoft.NAV.IsBidirectionalPartnerNavigation",
    "Org.OData.Core.V1.Description",
    "Org.OData.Core.V1.Permissions",
    "Org.OData.Core.V1.Computed",
    "Org.OData.Core.V1.OptimisticConcurrency",
    "Org.OData.Capabilities.V1.ChangeTracking",
    "Org.OData.Capabilities.V1.SearchRestrictions",
    "Org.OData.Capabilities.V1.NavigationRestrictions",
    "Org.OData.Capabilities.V1.SkipSupported",
    "Org.OData.Capabilities.V1.IndexableByKey",
    "Org.OData.Capabilities.V1.CountRestrictions",
    "OData.Community.Keys.V1.AlternateKeys",
    "Core.Description",
    "Common.Label",
];

/// Values that F&O and the OData vocabularies repeat (F&O puts an `AXType` on every
/// property: 56 700 in a 30 MB document, each too long to live inline).
const KNOWN_VALUES: [&str; 17] = [
    "Microsoft.Dynamics.OData.Core.V1.AXType/String",
    "Microsoft.Dynamics.OData.Core.V1.AXType/Enum",
    "Microsoft.Dynamics.OData.Core.V1.AXType/Real",
    "Microsoft.Dynamics.OData.Core.V1.AXType/Int32",
    "Microsoft.Dynamics.OData.Core.V1.AXType/Int64",
    "Microsoft.Dynamics.OData.Core.V1.AXType/Date",
    "Microsoft.Dynamics.OData.Core.V1.AXType/UtcDateTime",
    "Microsoft.Dynamics.OData.Core.V1.AXType/Time",
    "Microsoft.Dynamics.OData.Core.V1.AXType/Guid",
    "Microsoft.Dynamics.OData.Core.V1.AXType/Container",
    "Org.OData.Core.V1.PermissionType/Read",
    "Org.OData.Core.V1.PermissionType/ReadWrite",
    "Org.OData.Core.V1.PermissionType/Write",
    "Org.OData.Core.V1.PermissionType/None",
    "Org.OData.Capabilities.V1.NavigationType/Single",
    "Org.OData.Capabilities.V1.NavigationType/Recursive",
    "Org.OData.Capabilities.V1.NavigationType/None",
];

/// Starts the value.
const VALUE: char = '\0';
/// Starts the qualifier.
const QUALIFIER: char = '#';
/// Put before a term or a value written out that starts with a byte below `0x20`, so it
/// is not read as a table index (XML holds none; only code could make one).
const ESCAPE: u8 = 0x1F;

/// The table entry of byte `b`, when `b` is an index (`1..=len`).
fn entry(table: &[&'static str], b: u8) -> Option<&'static str> {
    usize::from(b)
        .checked_sub(1)
        .and_then(|i| table.get(i))
        .copied()
}

/// A term or a value as it is packed.
enum Part<'t> {
    /// The byte standing for it in a table.
    Index(u8),
    /// Written out.
    Text(&'t str),
}

impl<'t> Part<'t> {
    /// `text` as an index into `table` when it is there, else written out.
    fn of(table: &[&str], text: &'t str) -> Self {
        // Every table entry is longer than what lives inline anyway.
        if text.len() < 12 {
            return Self::Text(text);
        }
        // The entries differ in their last bytes: compare those first.
        let last = last_eight(text);
        let index = table
            .iter()
            .position(|known| last_eight(known) == last && *known == text)
            .and_then(|at| u8::try_from(at + 1).ok());
        index.map_or(Self::Text(text), Self::Index)
    }

    fn escaped(text: &str) -> bool {
        text.as_bytes().first().is_some_and(|b| *b <= ESCAPE)
    }

    fn len(&self) -> usize {
        match self {
            Self::Index(_) => 1,
            Self::Text(text) => usize::from(Self::escaped(text)) + text.len(),
        }
    }

    /// Appends it, a text escaped when its first byte could be read as an index.
    fn push_to(&self, packed: &mut CompactString) {
        match self {
            Self::Index(index) => packed.push(char::from(*index)),
            Self::Text(text) => {
                if Self::escaped(text) {
                    packed.push(char::from(ESCAPE));
                }
                packed.push_str(text);
            }
        }
    }
}

/// The last eight bytes of `text` (which has at least eight) as a number.
fn last_eight(text: &str) -> u64 {
    let bytes = text.as_bytes();
    let mut last = [0u8; 8];
    if let Some(tail) = bytes.get(bytes.len().saturating_sub(8)..) {
        last[..tail.len()].copy_from_slice(tail);
    }
    u64::from_le_bytes(last)
}

/// Decodes a term or a value: a table index, or the text (without its escape).
fn decode<'t>(table: &[&'static str], part: &'t str) -> &'t str {
    match part.as_bytes() {
        [b] if *b < ESCAPE => entry(table, *b).unwrap_or_default(),
        [ESCAPE, ..] => part.get(1..).unwrap_or_default(),
        _ => part,
    }
}

/// An annotation (`Annotation Term="…"`) kept with its value as text: see the module
/// documentation for how it is packed.
#[derive(Clone, PartialEq)]
pub struct Annotation {
    packed: CompactString,
}

/// Shows the texts, not the packed bytes.
impl std::fmt::Debug for Annotation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Annotation")
            .field("term", &self.term())
            .field("qualifier", &self.qualifier())
            .field("value", &self.value())
            .finish()
    }
}

impl Annotation {
    /// An annotation of `term` (e.g. `Core.Description` or
    /// `Microsoft.Dynamics.OData.Core.V1.IsRequired`) with an optional qualifier and value.
    /// A `\0` in the term or the qualifier (which XML cannot hold) becomes U+FFFD.
    pub fn new(term: &str, qualifier: Option<&str>, value: Option<&str>) -> Self {
        let term = Part::of(&KNOWN_TERMS, term);
        let written;
        let term = match term {
            Part::Text(text) if text.contains(VALUE) => {
                written = without_nul(text);
                Part::Text(&written)
            }
            known_or_plain => known_or_plain,
        };
        let qualifier = qualifier.map(without_nul);
        let value = value.map(|value| Part::of(&KNOWN_VALUES, value));
        let len = term.len()
            + qualifier.as_ref().map_or(0, |q| 1 + q.len())
            + value.as_ref().map_or(0, |v| 1 + v.len());
        // At most 24 bytes in all is inline: no allocation.
        let mut packed = CompactString::with_capacity(len);
        term.push_to(&mut packed);
        if let Some(qualifier) = qualifier {
            packed.push(QUALIFIER);
            packed.push_str(&qualifier);
        }
        if let Some(value) = value {
            packed.push(VALUE);
            value.push_to(&mut packed);
        }
        Self { packed }
    }

    /// The term and its qualifier, as packed (before the value).
    fn head(&self) -> &str {
        self.packed
            .split_once(VALUE)
            .map_or(self.packed.as_str(), |(head, _)| head)
    }

    /// The term (packed) and the qualifier.
    fn split(&self) -> (&str, Option<&str>) {
        let head = self.head();
        // An index byte is never `#`, and an escaped term starts with `ESCAPE`.
        match head.split_once(QUALIFIER) {
            Some((term, qualifier)) => (term, Some(qualifier)),
            None => (head, None),
        }
    }

    /// The term as written.
    pub fn term(&self) -> &str {
        decode(&KNOWN_TERMS, self.split().0)
    }

    /// The qualifier, if any.
    pub fn qualifier(&self) -> Option<&str> {
        self.split().1
    }

    /// The value as text; `None` for a tagging term (meaning `true`).
    pub fn value(&self) -> Option<&str> {
        let (_, value) = self.packed.split_once(VALUE)?;
        Some(decode(&KNOWN_VALUES, value))
    }

    /// Gives the annotation `qualifier` unless it has one already (an `Annotations`
    /// block's qualifier applies to the annotations that have none of their own).
    pub fn qualify_if_unqualified(&mut self, qualifier: &str) {
        if self.qualifier().is_none() {
            let head = self.head().len();
            self.packed
                .insert_str(head, &format!("{QUALIFIER}{}", without_nul(qualifier)));
        }
    }
}

/// `text` with any `\0` replaced (it separates the value).
fn without_nul(text: &str) -> Cow<'_, str> {
    if text.contains(VALUE) {
        text.replace(VALUE, "\u{FFFD}").into()
    } else {
        text.into()
    }
}

/// The cache stores the packed text as it is: decoding it is one string, without looking
/// anything up. Its table indexes are only valid with these tables, so changing them
/// means a new cache format (a test holds their fingerprint next to the format number).
impl Serialize for Annotation {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.packed.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Annotation {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        CompactString::deserialize(deserializer).map(|packed| Self { packed })
    }
}

/// Annotations relevant to forms, read from inline annotations of an element.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Annotations {
    /// Every annotation as written, including unknown terms.
    pub all: Vec<Annotation>,
}

impl Annotations {
    /// The value of the first annotation whose term ends with `.{short_term}` (or equals it),
    /// so that `Core.Description` and `Org.OData.Core.V1.Description` both match
    /// `"Description"`. Tagging terms without a value yield `Some("true")`.
    pub fn get(&self, short_term: &str) -> Option<&str> {
        self.all
            .iter()
            .find(|a| {
                let term = a.term();
                term == short_term
                    || term
                        .rsplit_once('.')
                        .is_some_and(|(_, last)| last == short_term)
            })
            .map(|a| a.value().unwrap_or("true"))
    }

    /// Whether a boolean term is set to true (tagging terms count as true).
    pub fn is_true(&self, short_term: &str) -> bool {
        self.get(short_term)
            .is_some_and(|v| v.eq_ignore_ascii_case("true"))
    }

    /// Whether no annotation is present.
    pub fn is_empty(&self) -> bool {
        self.all.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(a: &Annotation) -> (&str, Option<&str>, Option<&str>) {
        (a.term(), a.qualifier(), a.value())
    }

    #[test]
    fn an_annotation_is_one_compact_string_and_f_and_o_ones_stay_inline() {
        // F&O-scale documents hold 185 000 annotations: 24 bytes more each is 4.5 MB.
        assert_eq!(std::mem::size_of::<Annotation>(), 24);
        for (term, value) in [
            ("Microsoft.Dynamics.OData.Core.V1.LabelId", "@SYS4001473"),
            (
                "Microsoft.Dynamics.OData.Core.V1.LabelId",
                "@ApplicationSuite:Lbl1",
            ),
            (
                "Microsoft.Dynamics.OData.Core.V1.AXType",
                "Microsoft.Dynamics.OData.Core.V1.AXType/UtcDateTime",
            ),
            (
                "Microsoft.Dynamics.OData.Core.V1.ConfigurationKeyEnabled",
                "true",
            ),
        ] {
            let annotation = Annotation::new(term, None, Some(value));
            assert_eq!(parts(&annotation), (term, None, Some(value)));
            assert!(!annotation.packed.is_heap_allocated(), "{term} {value}");
        }
    }

    #[test]
    fn every_table_entry_reads_back_as_written() {
        for term in KNOWN_TERMS {
            for value in KNOWN_VALUES {
                for qualifier in [None, Some("Long")] {
                    let annotation = Annotation::new(term, qualifier, Some(value));
                    assert_eq!(parts(&annotation), (term, qualifier, Some(value)));
                }
            }
            assert_eq!(
                parts(&Annotation::new(term, None, None)),
                (term, None, None)
            );
        }
    }

    #[test]
    fn terms_values_and_qualifiers_of_any_shape_read_back() {
        let odd = [
            "",
            "\u{1}",
            "\u{1F}x",
            "\tTabbed",
            "Contoso.Vocabulary.V1.SomethingLongEnoughToLiveOnTheHeap",
            "é",
        ];
        for term in odd {
            for value in odd.iter().copied().map(Some).chain([None]) {
                for qualifier in [None, Some("Q"), Some("")] {
                    let annotation = Annotation::new(term, qualifier, value);
                    assert_eq!(parts(&annotation), (term, qualifier, value), "{term:?}");
                }
            }
        }
        // A value may hold what separates the parts; a term's NUL is replaced.
        let annotation = Annotation::new("T\0x", Some("Q"), Some("a\0b#c"));
        assert_eq!(
            parts(&annotation),
            ("T\u{FFFD}x", Some("Q"), Some("a\0b#c"))
        );
    }

    #[test]
    fn a_block_qualifier_applies_only_to_unqualified_annotations() {
        let mut plain = Annotation::new("Core.Description", None, Some("Text"));
        plain.qualify_if_unqualified("Phone");
        plain.qualify_if_unqualified("Tablet");
        assert_eq!(
            parts(&plain),
            ("Core.Description", Some("Phone"), Some("Text"))
        );
        let mut tagged = Annotation::new("My.Tag", None, None);
        tagged.qualify_if_unqualified("Q");
        assert_eq!(parts(&tagged), ("My.Tag", Some("Q"), None));
        let mut known = Annotation::new(KNOWN_TERMS[1], None, Some(KNOWN_VALUES[0]));
        known.qualify_if_unqualified("Q");
        assert_eq!(
            parts(&known),
            (KNOWN_TERMS[1], Some("Q"), Some(KNOWN_VALUES[0]))
        );
    }

    #[test]
    fn the_tables_belong_to_the_cache_format() {
        // The cache keeps table indexes: a change to either table must come with a new
        // `CACHE_FORMAT_VERSION` (and the fingerprint here), or old caches would read wrong.
        let fingerprint = KNOWN_TERMS
            .iter()
            .chain(KNOWN_VALUES.iter())
            .flat_map(|text| text.bytes().chain([0]))
            .fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| {
                (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
            });
        assert_eq!(
            (
                crate::odata::metadata::cache::CACHE_FORMAT_VERSION,
                fingerprint
            ),
            (4, 3_246_918_437_722_366_623),
            "the annotation tables changed: bump the cache format"
        );
        let annotation = Annotation::new(KNOWN_TERMS[0], Some("Q"), Some(KNOWN_VALUES[3]));
        let bytes = postcard::to_stdvec(&annotation).expect("encodes");
        let back: Annotation = postcard::from_bytes(&bytes).expect("decodes");
        assert_eq!(parts(&back), parts(&annotation));
        assert_eq!(
            format!("{back:?}"),
            format!(
                "Annotation {{ term: {:?}, qualifier: Some(\"Q\"), value: Some({:?}) }}",
                KNOWN_TERMS[0], KNOWN_VALUES[3]
            )
        );
    }
}
