//! The resolved type of a value: what parsing and encoding need from the metadata.

use crate::odata::metadata::{EdmPrimitive, EnumType, Model, Property, SchemaElement, TypeRef};

/// How deep complex types are resolved (guards against self-referencing types).
const MAX_DEPTH: usize = 8;

/// A type resolved against the model, self-contained so values can be parsed without it.
#[derive(Debug, Clone, PartialEq)]
pub enum ValueKind {
    /// An `Edm.*` primitive (type definitions resolve to their underlying primitive).
    Primitive(EdmPrimitive),
    /// An enum type.
    Enum(EnumInfo),
    /// A complex type with its structural properties (inherited ones first).
    Complex {
        /// Namespace-qualified name.
        type_name: String,
        /// Property names and kinds.
        properties: Vec<(String, ValueKind)>,
    },
    /// A collection of the inner kind.
    Collection(Box<ValueKind>),
    /// A type that is unknown or not resolvable: values are taken from JSON as they come.
    Untyped(String),
}

/// What an enum type contributes to literals and validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnumInfo {
    /// Namespace-qualified type name (alias replaced), e.g. `Microsoft.Dynamics.DataEntities.NoYes`.
    pub type_name: String,
    /// `IsFlags`.
    pub is_flags: bool,
    /// `(name, value)` of each member in document order.
    pub members: Vec<(String, i64)>,
}

impl EnumInfo {
    /// Builds from a declared enum type and its qualified name.
    pub fn from_enum_type(type_name: impl Into<String>, enum_type: &EnumType) -> Self {
        Self {
            type_name: type_name.into(),
            is_flags: enum_type.is_flags,
            members: enum_type
                .members
                .iter()
                .map(|m| (m.name.clone(), m.value))
                .collect(),
        }
    }

    /// The declared member matching `text` by name (case-insensitively) or numeric value.
    pub fn member(&self, text: &str) -> Option<&str> {
        let text = text.trim();
        self.members
            .iter()
            .find(|(name, _)| name == text)
            .or_else(|| {
                self.members
                    .iter()
                    .find(|(name, _)| name.eq_ignore_ascii_case(text))
            })
            .or_else(|| {
                let number: i64 = text.parse().ok()?;
                self.members.iter().find(|(_, value)| *value == number)
            })
            .map(|(name, _)| name.as_str())
    }

    /// Member names joined for messages.
    pub fn member_list(&self) -> String {
        self.members
            .iter()
            .map(|(n, _)| n.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl ValueKind {
    /// Resolves a declared type against the model.
    pub fn resolve(model: &Model, type_ref: &TypeRef) -> Self {
        Self::resolve_depth(model, type_ref, 0)
    }

    /// The kind of a property's declared type.
    pub fn of_property(model: &Model, property: &Property) -> Self {
        Self::resolve(model, &property.type_ref)
    }

    fn resolve_depth(model: &Model, type_ref: &TypeRef, depth: usize) -> Self {
        let element = Self::resolve_name(model, &type_ref.name, depth);
        if type_ref.collection {
            Self::Collection(Box::new(element))
        } else {
            element
        }
    }

    fn resolve_name(model: &Model, name: &str, depth: usize) -> Self {
        if let Some(primitive) = EdmPrimitive::from_name(name) {
            return Self::Primitive(primitive);
        }
        let canonical = model.canonical_name(name);
        match model.resolve(name) {
            Some(SchemaElement::Enum(e)) => Self::Enum(EnumInfo::from_enum_type(canonical, e)),
            Some(SchemaElement::Definition(d)) => EdmPrimitive::from_name(&d.underlying_type)
                .map_or(Self::Untyped(canonical), Self::Primitive),
            Some(SchemaElement::Complex(c)) if depth < MAX_DEPTH => {
                let mut properties = Vec::new();
                let mut chain = vec![c];
                let mut current = c;
                while let Some(base) = current.base_type.as_deref() {
                    match model.resolve(base) {
                        Some(SchemaElement::Complex(b)) if chain.len() < MAX_DEPTH => {
                            chain.push(b);
                            current = b;
                        }
                        _ => break,
                    }
                }
                for t in chain.into_iter().rev() {
                    for p in &t.properties {
                        properties.push((
                            p.name.clone(),
                            Self::resolve_depth(model, &p.type_ref, depth + 1),
                        ));
                    }
                }
                Self::Complex {
                    type_name: canonical,
                    properties,
                }
            }
            _ => Self::Untyped(canonical),
        }
    }

    /// The type name for messages, e.g. `Edm.Decimal` or `Collection(NS.Address)`.
    pub fn type_name(&self) -> String {
        match self {
            Self::Primitive(p) => p.name().to_owned(),
            Self::Enum(e) => e.type_name.clone(),
            Self::Complex { type_name, .. } | Self::Untyped(type_name) => type_name.clone(),
            Self::Collection(inner) => format!("Collection({})", inner.type_name()),
        }
    }

    /// Whether values are strings (the type string functions such as `contains` accept).
    pub fn is_string(&self) -> bool {
        matches!(self, Self::Primitive(EdmPrimitive::String))
    }
}
