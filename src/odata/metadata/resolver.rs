//! The check after parsing: every recorded type reference must name something declared in
//! the document (or in a referenced vocabulary namespace); dangling ones become warnings.

use std::fmt::Write as _;

use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};

use super::model::{MetadataWarning, Model};
use super::position::LineTracker;

/// What a reference must resolve to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RefKind {
    /// Any type: primitive, enum, complex, type definition or entity type.
    AnyType,
    /// An entity type (navigation targets, entity sets, entity base types).
    EntityType,
    /// A complex type (complex base types).
    ComplexType,
    /// An action (action imports).
    Action,
    /// A function (function imports).
    Function,
}

impl RefKind {
    fn describe(self) -> &'static str {
        match self {
            Self::AnyType => "type",
            Self::EntityType => "entity type",
            Self::ComplexType => "complex type",
            Self::Action => "action",
            Self::Function => "function",
        }
    }
}

/// A type reference recorded while parsing, checked once the whole document is known.
#[derive(Debug, Clone)]
struct PendingRef {
    /// Byte offset of the referring element.
    offset: usize,
    /// Where the qualified name as written (without `Collection(…)`) starts in
    /// [`Part::text`]; the referring element's description for messages (e.g. `property
    /// 'Foo' of 'Bar'`) follows it, up to `site_end`.
    name_start: u32,
    /// Where the name ends and the description starts.
    name_end: u32,
    /// Where the description ends (`name_end` when descriptions are not recorded).
    site_end: u32,
    /// What the name must resolve to.
    kind: RefKind,
}

/// The type references of a document, their names and sites kept in one text per part:
/// recording one allocates nothing, and checking 22 000 of them (an F&O document) reads
/// memory in order instead of reaching a separate string for each.
///
/// [`PendingRefs::append`] keeps the parts as they are, so references gathered piece by
/// piece (see `parser/stream.rs`) are never copied into one growing buffer: that copying
/// touched about 8 MB of fresh memory for a 30 MB document.
#[derive(Debug)]
pub(crate) struct PendingRefs {
    parts: Vec<Part>,
    /// Whether each reference's site is written down for messages.
    sites: bool,
}

impl Default for PendingRefs {
    fn default() -> Self {
        Self {
            parts: Vec::new(),
            sites: true,
        }
    }
}

/// References recorded one after another, with their text.
#[derive(Debug, Default)]
struct Part {
    refs: Vec<PendingRef>,
    text: String,
}

impl Part {
    fn text_of(&self, from: u32, to: u32) -> &str {
        self.text
            .get(from as usize..to as usize)
            .unwrap_or_default()
    }
}

/// A part's text stays shorter than this, so offsets in it fit a `u32`.
const PART_TEXT_LIMIT: usize = 1 << 31;

impl PendingRefs {
    /// References whose sites are not written down (half the memory of an F&O document's
    /// references): a warning from [`check_references`] then lacks the referring element,
    /// so the streamed parse that records these declines on any warning, and the usual
    /// parse words it.
    pub(crate) fn without_sites() -> Self {
        Self {
            parts: Vec::new(),
            sites: false,
        }
    }

    /// Records that the element at `offset` (described by `site`) names `name`.
    pub(crate) fn push(
        &mut self,
        offset: usize,
        kind: RefKind,
        name: &str,
        site: std::fmt::Arguments<'_>,
    ) {
        let full = self
            .parts
            .last()
            .is_none_or(|part| part.text.len() + name.len() >= PART_TEXT_LIMIT);
        if full {
            self.parts.push(Part::default());
        }
        let Some(part) = self.parts.last_mut() else {
            return;
        };
        let start = part.text.len();
        part.text.push_str(name);
        let middle = part.text.len();
        if self.sites {
            // Writing to a `String` cannot fail.
            let _ = part.text.write_fmt(site);
        }
        // Below `PART_TEXT_LIMIT` plus one name and site, far from `u32::MAX`.
        let at = |offset: usize| u32::try_from(offset).unwrap_or(u32::MAX);
        part.refs.push(PendingRef {
            offset,
            name_start: at(start),
            name_end: at(middle),
            site_end: at(part.text.len()),
            kind,
        });
    }

    /// Adds `later`'s references after these, without copying them.
    pub(crate) fn append(&mut self, later: Self) {
        self.sites &= later.sites;
        self.parts
            .extend(later.parts.into_iter().filter(|part| !part.refs.is_empty()));
    }

    /// Every reference in order, with its name and site (empty when not recorded).
    fn iter(&self) -> impl Iterator<Item = (&PendingRef, &str, &str)> {
        self.parts.iter().flat_map(|part| {
            part.refs.iter().map(move |reference| {
                (
                    reference,
                    part.text_of(reference.name_start, reference.name_end),
                    part.text_of(reference.name_end, reference.site_end),
                )
            })
        })
    }
}

/// What a qualified name is declared as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Declared {
    Entity,
    Complex,
    Enum,
    Definition,
    Action,
    Function,
}

impl Declared {
    fn describe(self) -> &'static str {
        match self {
            Self::Entity => "an entity type",
            Self::Complex => "a complex type",
            Self::Enum => "an enum type",
            Self::Definition => "a type definition",
            Self::Action => "an action",
            Self::Function => "a function",
        }
    }

    fn satisfies(self, kind: RefKind) -> bool {
        match kind {
            RefKind::AnyType => {
                matches!(
                    self,
                    Self::Entity | Self::Complex | Self::Enum | Self::Definition
                )
            }
            RefKind::EntityType => self == Self::Entity,
            RefKind::ComplexType => self == Self::Complex,
            RefKind::Action => self == Self::Action,
            RefKind::Function => self == Self::Function,
        }
    }
}

/// Every declared name of a model, by `(namespace, local name)`. Hashed with `foldhash`:
/// an F&O document checks about 22 000 references, and SipHash made that 3 ms.
struct NameIndex<'m> {
    /// Namespace or alias → namespace.
    namespaces: HashMap<&'m str, &'m str>,
    /// Namespaces and aliases of referenced documents (never fetched, so never checked).
    external: HashSet<&'m str>,
    declared: HashMap<(&'m str, &'m str), Declared>,
}

impl<'m> NameIndex<'m> {
    fn new(model: &'m Model) -> Self {
        let mut index = Self {
            namespaces: HashMap::new(),
            external: HashSet::new(),
            declared: HashMap::new(),
        };
        for reference in &model.references {
            for (namespace, alias) in &reference.includes {
                index.external.insert(namespace);
                if let Some(alias) = alias {
                    index.external.insert(alias);
                }
            }
        }
        for schema in &model.schemas {
            let ns = schema.namespace.as_str();
            index.namespaces.insert(ns, ns);
            if let Some(alias) = &schema.alias {
                index.namespaces.insert(alias, ns);
            }
            let mut declare = |name: &'m str, what| {
                index.declared.entry((ns, name)).or_insert(what);
            };
            schema
                .entity_types
                .iter()
                .for_each(|t| declare(&t.name, Declared::Entity));
            schema
                .complex_types
                .iter()
                .for_each(|t| declare(&t.name, Declared::Complex));
            schema
                .enum_types
                .iter()
                .for_each(|t| declare(&t.name, Declared::Enum));
            schema
                .type_definitions
                .iter()
                .for_each(|t| declare(&t.name, Declared::Definition));
            schema
                .actions
                .iter()
                .for_each(|o| declare(&o.name, Declared::Action));
            schema
                .functions
                .iter()
                .for_each(|o| declare(&o.name, Declared::Function));
        }
        index
    }

    /// `None` when `name` is fine for `kind`, else why not.
    fn problem(&self, name: &str, kind: RefKind) -> Option<String> {
        let Some((prefix, local)) = name.rsplit_once('.') else {
            return Some(format!("unqualified {} name '{name}'", kind.describe()));
        };
        if prefix == "Edm" {
            let fine = match kind {
                RefKind::AnyType => true,
                RefKind::EntityType => local == "EntityType",
                RefKind::ComplexType => local == "ComplexType",
                RefKind::Action | RefKind::Function => false,
            };
            return (!fine).then(|| format!("'{name}' is not an {}", kind.describe()));
        }
        let Some(namespace) = self.namespaces.get(prefix) else {
            if self.external.contains(prefix) {
                return None;
            }
            return Some(format!("unknown {} '{name}'", kind.describe()));
        };
        match self.declared.get(&(namespace, local)) {
            None => Some(format!("unknown {} '{name}'", kind.describe())),
            Some(declared) if declared.satisfies(kind) => None,
            Some(declared) => Some(format!(
                "'{name}' is {}, not {} {}",
                declared.describe(),
                if kind == RefKind::EntityType || kind == RefKind::Action {
                    "an"
                } else {
                    "a"
                },
                kind.describe()
            )),
        }
    }
}

/// Checks `pending` against `model` and appends a warning (with the line and column of
/// the referring element in `text`) for each dangling reference. Warnings end up sorted
/// by position.
pub(crate) fn check_references(model: &mut Model, pending: &PendingRefs, text: &[u8]) {
    let mut lines = LineTracker::new(text);
    let found: Vec<MetadataWarning> = {
        let index = NameIndex::new(model);
        // F&O documents name the same type many times in a row (`NoYes` on most of a
        // type's flags): a name just found fine for the same kind needs no lookup.
        let mut last_fine: Option<(&str, RefKind)> = None;
        pending
            .iter()
            .filter_map(|(reference, name, site)| {
                if last_fine == Some((name, reference.kind)) {
                    return None;
                }
                let Some(problem) = index.problem(name, reference.kind) else {
                    last_fine = Some((name, reference.kind));
                    return None;
                };
                let (line, column) = lines.position(reference.offset);
                Some(MetadataWarning {
                    line,
                    column,
                    message: format!("{problem} for {site}"),
                })
            })
            .collect()
    };
    model.warnings.extend(found);
    model.warnings.sort_by_key(|w| (w.line, w.column));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn appended_references_keep_their_names_and_sites() {
        let mut first = PendingRefs::default();
        first.push(
            1,
            RefKind::AnyType,
            "N.A",
            format_args!("property '{}'", "a"),
        );
        let mut second = PendingRefs::default();
        second.push(
            2,
            RefKind::EntityType,
            "N.Bee",
            format_args!("set '{}'", "b"),
        );
        second.push(3, RefKind::Action, "N.C", format_args!("import"));
        first.append(second);
        first.append(PendingRefs::default());
        first.push(4, RefKind::Function, "N.D", format_args!("last"));
        let read: Vec<(usize, &str, &str)> = first
            .iter()
            .map(|(r, name, site)| (r.offset, name, site))
            .collect();
        assert_eq!(
            read,
            [
                (1, "N.A", "property 'a'"),
                (2, "N.Bee", "set 'b'"),
                (3, "N.C", "import"),
                (4, "N.D", "last")
            ]
        );
    }

    #[test]
    fn references_without_sites_keep_their_names_and_are_checked_the_same() {
        let mut refs = PendingRefs::without_sites();
        refs.push(7, RefKind::AnyType, "N.Gone", format_args!("property 'p'"));
        refs.push(
            9,
            RefKind::AnyType,
            "Edm.String",
            format_args!("property 'q'"),
        );
        let read: Vec<(usize, &str, &str)> = refs
            .iter()
            .map(|(r, name, site)| (r.offset, name, site))
            .collect();
        assert_eq!(read, [(7, "N.Gone", ""), (9, "Edm.String", "")]);
        let mut with_sites = PendingRefs::default();
        with_sites.append(refs);
        assert!(
            !with_sites.sites,
            "appending parts without sites loses them"
        );
        let mut model = Model::default();
        check_references(&mut model, &with_sites, b"");
        assert_eq!(model.warnings.len(), 1, "{:?}", model.warnings);
        assert!(
            model.warnings[0]
                .message
                .starts_with("unknown type 'N.Gone'")
        );
    }
}
