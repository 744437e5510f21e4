//! The check after parsing: every recorded type reference must name something declared in
//! the document (or in a referenced vocabulary namespace); dangling ones become warnings.

use std::fmt::Write as _;
use std::ops::Range;

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
    /// What the name must resolve to.
    kind: RefKind,
    /// The qualified name as written (without `Collection(…)`), in [`PendingRefs::text`].
    name: Range<usize>,
    /// The referring element for messages, e.g. `property 'Foo' of 'Bar'`, in
    /// [`PendingRefs::text`].
    site: Range<usize>,
}

/// The type references of a document, their names and sites kept in one text per part:
/// recording one allocates nothing, and checking 22 000 of them (an F&O document) reads
/// memory in order instead of reaching a separate string for each.
///
/// [`PendingRefs::append`] keeps the parts as they are, so references gathered piece by
/// piece (see `parser/stream.rs`) are never copied into one growing buffer: that copying
/// touched about 8 MB of fresh memory for a 30 MB document.
#[derive(Debug, Default)]
pub(crate) struct PendingRefs {
    parts: Vec<Part>,
}

/// References recorded one after another, with their text.
#[derive(Debug, Default)]
struct Part {
    refs: Vec<PendingRef>,
    text: String,
}

impl Part {
    fn text_of(&self, range: &Range<usize>) -> &str {
        self.text.get(range.clone()).unwrap_or_default()
    }
}

impl PendingRefs {
    /// Records that the element at `offset` (described by `site`) names `name`.
    pub(crate) fn push(
        &mut self,
        offset: usize,
        kind: RefKind,
        name: &str,
        site: std::fmt::Arguments<'_>,
    ) {
        if self.parts.is_empty() {
            self.parts.push(Part::default());
        }
        let Some(part) = self.parts.last_mut() else {
            return;
        };
        let start = part.text.len();
        part.text.push_str(name);
        let middle = part.text.len();
        // Writing to a `String` cannot fail.
        let _ = part.text.write_fmt(site);
        part.refs.push(PendingRef {
            offset,
            kind,
            name: start..middle,
            site: middle..part.text.len(),
        });
    }

    /// Adds `later`'s references after these, without copying them.
    pub(crate) fn append(&mut self, later: Self) {
        self.parts
            .extend(later.parts.into_iter().filter(|part| !part.refs.is_empty()));
    }

    /// Every reference in order, with its name and site.
    fn iter(&self) -> impl Iterator<Item = (&PendingRef, &str, &str)> {
        self.parts.iter().flat_map(|part| {
            part.refs.iter().map(move |reference| {
                (
                    reference,
                    part.text_of(&reference.name),
                    part.text_of(&reference.site),
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
}
