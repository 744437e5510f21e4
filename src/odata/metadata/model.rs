//! The EDM model of a `$metadata` document: plain data, no IO, serde-serialisable so that
//! the on-disk cache can store it.
//!
//! Names are kept as written in the document; qualified names (`Namespace.Name`) are
//! resolved through [`Model::resolve`], which also understands schema aliases.

use serde::{Deserialize, Serialize};

pub use super::annotation::{Annotation, Annotations};

/// A whole `$metadata` document.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Model {
    /// OData version from `edmx:Edmx/@Version` (e.g. `4.0`).
    pub version: String,
    /// `edmx:Reference` elements: vocabulary documents, recorded and never fetched.
    pub references: Vec<Reference>,
    /// Every `Schema` in document order.
    pub schemas: Vec<Schema>,
    /// Problems that did not stop parsing, e.g. a dangling type reference.
    pub warnings: Vec<MetadataWarning>,
}

/// An `edmx:Reference` to another CSDL document (usually a vocabulary).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Reference {
    /// The referenced document's URI.
    pub uri: String,
    /// `(Namespace, Alias)` pairs it includes.
    pub includes: Vec<(String, Option<String>)>,
}

/// A non-fatal problem found while reading a document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetadataWarning {
    /// 1-based line of the element concerned.
    pub line: u32,
    /// 1-based column of the element concerned.
    pub column: u32,
    /// What is wrong, e.g. `unknown type 'NS.Missing' for property 'Foo'`.
    pub message: String,
}

/// One `Schema` element.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Schema {
    /// The schema namespace, e.g. `Microsoft.Dynamics.DataEntities`.
    pub namespace: String,
    /// Optional alias usable instead of the namespace in qualified names.
    pub alias: Option<String>,
    /// Entity types in document order.
    pub entity_types: Vec<EntityType>,
    /// Complex types in document order.
    pub complex_types: Vec<ComplexType>,
    /// Enum types in document order.
    pub enum_types: Vec<EnumType>,
    /// Type definitions (`TypeDefinition`): a name over a primitive type.
    pub type_definitions: Vec<TypeDefinition>,
    /// Actions, every overload separately.
    pub actions: Vec<Operation>,
    /// Functions, every overload separately.
    pub functions: Vec<Operation>,
    /// The entity container, when this schema holds it.
    pub entity_container: Option<EntityContainer>,
    /// Out-of-line `Annotations Target="…"` blocks.
    pub annotation_blocks: Vec<AnnotationBlock>,
}

/// A reference to a type as written in CSDL: `Edm.String`, `NS.Type`, `Collection(NS.Type)`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TypeRef {
    /// Qualified name of the element type (without `Collection(…)`).
    pub name: String,
    /// Whether the type was wrapped in `Collection(…)`.
    pub collection: bool,
}

impl TypeRef {
    /// Parses the CSDL spelling, e.g. `Collection(Edm.String)`.
    pub fn parse(text: &str) -> Self {
        let text = text.trim();
        match text
            .strip_prefix("Collection(")
            .and_then(|t| t.strip_suffix(')'))
        {
            Some(inner) => Self {
                name: inner.trim().to_owned(),
                collection: true,
            },
            None => Self {
                name: text.to_owned(),
                collection: false,
            },
        }
    }

    /// The primitive kind when the type is an `Edm.*` primitive.
    pub fn primitive(&self) -> Option<EdmPrimitive> {
        EdmPrimitive::from_name(&self.name)
    }
}

impl std::fmt::Display for TypeRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.collection {
            write!(f, "Collection({})", self.name)
        } else {
            f.write_str(&self.name)
        }
    }
}

/// The Edm primitive types of OData v4.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum EdmPrimitive {
    /// `Edm.Binary`
    Binary,
    /// `Edm.Boolean`
    Boolean,
    /// `Edm.Byte`
    Byte,
    /// `Edm.Date`
    Date,
    /// `Edm.DateTimeOffset`
    DateTimeOffset,
    /// `Edm.Decimal`
    Decimal,
    /// `Edm.Double`
    Double,
    /// `Edm.Duration`
    Duration,
    /// `Edm.Guid`
    Guid,
    /// `Edm.Int16`
    Int16,
    /// `Edm.Int32`
    Int32,
    /// `Edm.Int64`
    Int64,
    /// `Edm.SByte`
    SByte,
    /// `Edm.Single`
    Single,
    /// `Edm.Stream`
    Stream,
    /// `Edm.String`
    String,
    /// `Edm.TimeOfDay`
    TimeOfDay,
    /// `Edm.Geography*` / `Edm.Geometry*` (kept opaque)
    Spatial,
    /// `Edm.Untyped`, `Edm.PrimitiveType` and other abstract types
    Untyped,
}

impl EdmPrimitive {
    /// The primitive for a qualified name such as `Edm.Int32`, or `None` for non-`Edm` names.
    pub fn from_name(name: &str) -> Option<Self> {
        let local = name.strip_prefix("Edm.")?;
        Some(match local {
            "Binary" => Self::Binary,
            "Boolean" => Self::Boolean,
            "Byte" => Self::Byte,
            "Date" => Self::Date,
            "DateTimeOffset" | "DateTime" => Self::DateTimeOffset,
            "Decimal" => Self::Decimal,
            "Double" => Self::Double,
            "Duration" | "Time" => Self::Duration,
            "Guid" => Self::Guid,
            "Int16" => Self::Int16,
            "Int32" => Self::Int32,
            "Int64" => Self::Int64,
            "SByte" => Self::SByte,
            "Single" => Self::Single,
            "Stream" => Self::Stream,
            "String" => Self::String,
            "TimeOfDay" => Self::TimeOfDay,
            other if other.starts_with("Geography") || other.starts_with("Geometry") => {
                Self::Spatial
            }
            _ => Self::Untyped,
        })
    }

    /// The CSDL name, e.g. `Edm.Int32`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Binary => "Edm.Binary",
            Self::Boolean => "Edm.Boolean",
            Self::Byte => "Edm.Byte",
            Self::Date => "Edm.Date",
            Self::DateTimeOffset => "Edm.DateTimeOffset",
            Self::Decimal => "Edm.Decimal",
            Self::Double => "Edm.Double",
            Self::Duration => "Edm.Duration",
            Self::Guid => "Edm.Guid",
            Self::Int16 => "Edm.Int16",
            Self::Int32 => "Edm.Int32",
            Self::Int64 => "Edm.Int64",
            Self::SByte => "Edm.SByte",
            Self::Single => "Edm.Single",
            Self::Stream => "Edm.Stream",
            Self::String => "Edm.String",
            Self::TimeOfDay => "Edm.TimeOfDay",
            Self::Spatial => "Edm.Geography",
            Self::Untyped => "Edm.Untyped",
        }
    }
}

/// A structural property of an entity or complex type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Property {
    /// Property name.
    pub name: String,
    /// Declared type.
    pub type_ref: TypeRef,
    /// `Nullable` (defaults to true).
    pub nullable: bool,
    /// `MaxLength` when numeric (`max` is `None`).
    pub max_length: Option<u32>,
    /// `Precision`.
    pub precision: Option<u32>,
    /// `Scale` (`variable` is `None`).
    pub scale: Option<u32>,
    /// `DefaultValue`.
    pub default_value: Option<String>,
    /// Inline annotations.
    pub annotations: Annotations,
}

impl Property {
    /// Required in a create form: non-nullable or F&O `IsRequired`.
    pub fn is_required(&self) -> bool {
        !self.nullable || self.annotations.is_true("IsRequired")
    }

    /// Read-only in forms: `Core.Computed`, or F&O `AllowEdit` false.
    pub fn is_read_only(&self) -> bool {
        self.annotations.is_true("Computed")
            || self
                .annotations
                .get("AllowEdit")
                .is_some_and(|v| v.eq_ignore_ascii_case("false"))
    }
}

/// A navigation property.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NavigationProperty {
    /// Property name.
    pub name: String,
    /// Target entity type (collection when to-many).
    pub type_ref: TypeRef,
    /// `Nullable` (defaults to true).
    pub nullable: bool,
    /// `Partner` navigation property on the target type.
    pub partner: Option<String>,
    /// `ContainsTarget`.
    pub contains_target: bool,
    /// `(Property, ReferencedProperty)` pairs from `ReferentialConstraint`.
    pub referential_constraints: Vec<(String, String)>,
    /// Inline annotations.
    pub annotations: Annotations,
}

/// An entity type.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EntityType {
    /// Local name.
    pub name: String,
    /// Qualified name of the base type.
    pub base_type: Option<String>,
    /// `Abstract`.
    pub is_abstract: bool,
    /// `OpenType`.
    pub open_type: bool,
    /// `HasStream`.
    pub has_stream: bool,
    /// Key property names in key order (`PropertyRef/@Name`; aliases are not resolved).
    pub key: Vec<String>,
    /// Declared structural properties (not inherited ones).
    pub properties: Vec<Property>,
    /// Declared navigation properties.
    pub navigation_properties: Vec<NavigationProperty>,
    /// Inline annotations.
    pub annotations: Annotations,
    /// 1-based line where the type is declared (for messages).
    pub line: u32,
}

/// A complex type.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ComplexType {
    /// Local name.
    pub name: String,
    /// Qualified name of the base type.
    pub base_type: Option<String>,
    /// `Abstract`.
    pub is_abstract: bool,
    /// `OpenType`.
    pub open_type: bool,
    /// Declared structural properties.
    pub properties: Vec<Property>,
    /// Declared navigation properties.
    pub navigation_properties: Vec<NavigationProperty>,
    /// Inline annotations.
    pub annotations: Annotations,
}

/// An enum type.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EnumType {
    /// Local name.
    pub name: String,
    /// `UnderlyingType` (defaults to `Edm.Int32`).
    pub underlying_type: String,
    /// `IsFlags`.
    pub is_flags: bool,
    /// Members in document order.
    pub members: Vec<EnumMember>,
    /// Inline annotations.
    pub annotations: Annotations,
}

/// One member of an enum type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnumMember {
    /// Member name.
    pub name: String,
    /// Value (explicit, or implicit by position).
    pub value: i64,
    /// Inline annotations (F&O puts labels here).
    pub annotations: Annotations,
}

/// A `TypeDefinition`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TypeDefinition {
    /// Local name.
    pub name: String,
    /// Underlying primitive type name.
    pub underlying_type: String,
}

/// A parameter of an action or function.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Parameter {
    /// Parameter name.
    pub name: String,
    /// Declared type.
    pub type_ref: TypeRef,
    /// `Nullable` (defaults to true).
    pub nullable: bool,
    /// `MaxLength`, `Precision`, `Scale` as for properties.
    pub max_length: Option<u32>,
    /// `Precision`.
    pub precision: Option<u32>,
    /// `Scale`.
    pub scale: Option<u32>,
    /// Inline annotations.
    pub annotations: Annotations,
}

/// An action or function (one overload).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Operation {
    /// Local name.
    pub name: String,
    /// `IsBound`: the first parameter is the binding parameter.
    pub is_bound: bool,
    /// `IsComposable` (functions only).
    pub is_composable: bool,
    /// `EntitySetPath`.
    pub entity_set_path: Option<String>,
    /// Parameters in order, the binding parameter first when bound.
    pub parameters: Vec<Parameter>,
    /// `ReturnType/@Type`, when any.
    pub return_type: Option<TypeRef>,
    /// Inline annotations.
    pub annotations: Annotations,
}

impl Operation {
    /// The binding parameter's type when the operation is bound.
    pub fn binding_type(&self) -> Option<&TypeRef> {
        if self.is_bound {
            self.parameters.first().map(|p| &p.type_ref)
        } else {
            None
        }
    }

    /// The parameters a caller supplies (all but the binding parameter).
    pub fn call_parameters(&self) -> &[Parameter] {
        if self.is_bound && !self.parameters.is_empty() {
            &self.parameters[1..]
        } else {
            &self.parameters
        }
    }
}

/// The `EntityContainer`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EntityContainer {
    /// Container name (`Resources` on F&O).
    pub name: String,
    /// Entity sets in document order.
    pub entity_sets: Vec<EntitySet>,
    /// Singletons in document order.
    pub singletons: Vec<EntitySet>,
    /// Action imports.
    pub action_imports: Vec<OperationImport>,
    /// Function imports.
    pub function_imports: Vec<OperationImport>,
}

/// An entity set or a singleton.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EntitySet {
    /// Name used in URLs, e.g. `CustomersV3`.
    pub name: String,
    /// Qualified entity type name (`EntityType` or a singleton's `Type`).
    pub entity_type: String,
    /// `(Path, Target)` pairs from `NavigationPropertyBinding`.
    pub navigation_bindings: Vec<(String, String)>,
    /// Inline annotations.
    pub annotations: Annotations,
}

/// An `ActionImport` or `FunctionImport`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct OperationImport {
    /// Name used in URLs.
    pub name: String,
    /// Qualified name of the action or function it exposes.
    pub operation: String,
    /// `EntitySet`, when the result belongs to one.
    pub entity_set: Option<String>,
}

/// An out-of-line `Annotations` element.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AnnotationBlock {
    /// `Target` path, e.g. `NS.Type/Property`.
    pub target: String,
    /// The annotations it applies.
    pub annotations: Vec<Annotation>,
}

/// An action or function bound to an entity type (see [`Model::operations_bound_to`]).
#[derive(Debug, Clone)]
pub struct BoundOperation<'a> {
    /// `Namespace.Name`, as used in URLs.
    pub qualified_name: String,
    /// The declaration (its first parameter is the binding parameter).
    pub operation: &'a Operation,
    /// A function (GET) rather than an action (POST).
    pub is_function: bool,
}

impl BoundOperation<'_> {
    /// Whether it is bound to a collection (the entity set) rather than to one record.
    pub fn on_collection(&self) -> bool {
        self.operation.binding_type().is_some_and(|t| t.collection)
    }
}

/// Anything a qualified name can resolve to.
#[derive(Debug, Clone, Copy)]
pub enum SchemaElement<'a> {
    /// An entity type.
    Entity(&'a EntityType),
    /// A complex type.
    Complex(&'a ComplexType),
    /// An enum type.
    Enum(&'a EnumType),
    /// A type definition.
    Definition(&'a TypeDefinition),
}

impl Model {
    /// The schema whose namespace or alias is `prefix`.
    fn schema_for(&self, prefix: &str) -> Option<&Schema> {
        self.schemas
            .iter()
            .find(|s| s.namespace == prefix || s.alias.as_deref() == Some(prefix))
    }

    /// Resolves a qualified type name (namespace or alias prefix).
    pub fn resolve(&self, qualified: &str) -> Option<SchemaElement<'_>> {
        let (prefix, local) = qualified.rsplit_once('.')?;
        let schema = self.schema_for(prefix)?;
        if let Some(t) = schema.entity_types.iter().find(|t| t.name == local) {
            return Some(SchemaElement::Entity(t));
        }
        if let Some(t) = schema.complex_types.iter().find(|t| t.name == local) {
            return Some(SchemaElement::Complex(t));
        }
        if let Some(t) = schema.enum_types.iter().find(|t| t.name == local) {
            return Some(SchemaElement::Enum(t));
        }
        schema
            .type_definitions
            .iter()
            .find(|t| t.name == local)
            .map(SchemaElement::Definition)
    }

    /// The entity type with this qualified name.
    pub fn entity_type(&self, qualified: &str) -> Option<&EntityType> {
        match self.resolve(qualified) {
            Some(SchemaElement::Entity(t)) => Some(t),
            _ => None,
        }
    }

    /// The enum type with this qualified name.
    pub fn enum_type(&self, qualified: &str) -> Option<&EnumType> {
        match self.resolve(qualified) {
            Some(SchemaElement::Enum(t)) => Some(t),
            _ => None,
        }
    }

    /// The qualified name of `name` in its schema's namespace (aliases replaced).
    pub fn canonical_name(&self, qualified: &str) -> String {
        match qualified.rsplit_once('.') {
            Some((prefix, local)) => match self.schema_for(prefix) {
                Some(schema) => format!("{}.{local}", schema.namespace),
                None => qualified.to_owned(),
            },
            None => qualified.to_owned(),
        }
    }

    /// The entity container (the first one found).
    pub fn container(&self) -> Option<&EntityContainer> {
        self.schemas
            .iter()
            .find_map(|s| s.entity_container.as_ref())
    }

    /// All entity sets of the container.
    pub fn entity_sets(&self) -> &[EntitySet] {
        self.container()
            .map(|c| c.entity_sets.as_slice())
            .unwrap_or(&[])
    }

    /// The entity set named `name` (exact match).
    pub fn entity_set(&self, name: &str) -> Option<&EntitySet> {
        self.entity_sets().iter().find(|s| s.name == name)
    }

    /// Whether `entity_set` declares `Core.OptimisticConcurrency` (inline, or in an
    /// `Annotations` block targeting `Container/Set`): writes to its records need the
    /// record's ETag in `If-Match`.
    pub fn has_optimistic_concurrency(&self, entity_set: &str) -> bool {
        let term = "OptimisticConcurrency";
        if self
            .entity_set(entity_set)
            .is_some_and(|s| s.annotations.get(term).is_some())
        {
            return true;
        }
        let Some(container) = self.container() else {
            return false;
        };
        self.schemas
            .iter()
            .flat_map(|s| s.annotation_blocks.iter())
            .filter(|block| {
                block.target.rsplit_once('/').is_some_and(|(owner, set)| {
                    set == entity_set
                        && (owner == container.name
                            || owner
                                .rsplit_once('.')
                                .is_some_and(|(_, c)| c == container.name))
                })
            })
            .flat_map(|block| block.annotations.iter())
            .any(|a| a.term() == term || a.term().ends_with(".OptimisticConcurrency"))
    }

    /// The chain from `entity` up through its base types (most derived first).
    pub fn type_chain<'a>(&'a self, entity: &'a EntityType) -> Vec<&'a EntityType> {
        let mut chain = vec![entity];
        let mut current = entity;
        while let Some(base) = current
            .base_type
            .as_deref()
            .and_then(|b| self.entity_type(b))
        {
            if chain.iter().any(|t| std::ptr::eq(*t, base)) || chain.len() > 64 {
                break; // cycle guard: malformed documents must not hang us
            }
            chain.push(base);
            current = base;
        }
        chain
    }

    /// Key property names in key order, inherited from the first base type declaring one.
    pub fn key_of<'a>(&'a self, entity: &'a EntityType) -> &'a [String] {
        self.type_chain(entity)
            .into_iter()
            .find(|t| !t.key.is_empty())
            .map(|t| t.key.as_slice())
            .unwrap_or(&[])
    }

    /// All structural properties including inherited ones (base type properties first).
    pub fn all_properties<'a>(&'a self, entity: &'a EntityType) -> Vec<&'a Property> {
        self.type_chain(entity)
            .into_iter()
            .rev()
            .flat_map(|t| t.properties.iter())
            .collect()
    }

    /// All navigation properties including inherited ones.
    pub fn all_navigation_properties<'a>(
        &'a self,
        entity: &'a EntityType,
    ) -> Vec<&'a NavigationProperty> {
        self.type_chain(entity)
            .into_iter()
            .rev()
            .flat_map(|t| t.navigation_properties.iter())
            .collect()
    }

    /// The key properties of `entity` with their declarations, in key order.
    pub fn key_properties<'a>(&'a self, entity: &'a EntityType) -> Vec<&'a Property> {
        let all = self.all_properties(entity);
        self.key_of(entity)
            .iter()
            .filter_map(|k| all.iter().copied().find(|p| &p.name == k))
            .collect()
    }

    /// Actions bound to `entity_type` (qualified), to the type itself or to a collection of it.
    pub fn bound_actions(&self, entity_type: &str) -> Vec<&Operation> {
        self.operations_bound_to(entity_type)
            .into_iter()
            .filter(|bound| !bound.is_function)
            .map(|bound| bound.operation)
            .collect()
    }

    /// Actions, then functions, bound to `entity_type` (qualified; the type itself or a
    /// collection of it), each with its namespace-qualified name, in document order.
    pub fn operations_bound_to(&self, entity_type: &str) -> Vec<BoundOperation<'_>> {
        let canonical = self.canonical_name(entity_type);
        let mut bound = Vec::new();
        for schema in &self.schemas {
            let actions = schema.actions.iter().map(|op| (op, false));
            let functions = schema.functions.iter().map(|op| (op, true));
            for (operation, is_function) in actions.chain(functions) {
                let binding = operation.binding_type();
                if binding.is_some_and(|t| self.canonical_name(&t.name) == canonical) {
                    bound.push(BoundOperation {
                        qualified_name: format!("{}.{}", schema.namespace, operation.name),
                        operation,
                        is_function,
                    });
                }
            }
        }
        bound
    }

    /// The action or function overloads with this qualified name.
    pub fn operations(&self, qualified: &str) -> Vec<&Operation> {
        let Some((prefix, local)) = qualified.rsplit_once('.') else {
            return Vec::new();
        };
        self.schema_for(prefix)
            .map(|s| {
                s.actions
                    .iter()
                    .chain(s.functions.iter())
                    .filter(|o| o.name == local)
                    .collect()
            })
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use crate::odata::metadata::parse_metadata;

    #[test]
    fn optimistic_concurrency_inline_or_targeting_the_container() {
        let xml = r#"<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">
  <edmx:Reference Uri="https://oasis-tcs.github.io/odata-vocabularies/vocabularies/Org.OData.Core.V1.xml">
    <edmx:Include Alias="Core" Namespace="Org.OData.Core.V1"/>
  </edmx:Reference>
  <edmx:DataServices>
    <Schema Namespace="S" xmlns="http://docs.oasis-open.org/odata/ns/edm">
      <EntityContainer Name="C">
        <EntitySet Name="Inline" EntityType="S.T">
          <Annotation Term="Org.OData.Core.V1.OptimisticConcurrency"><Collection/></Annotation>
        </EntitySet>
        <EntitySet Name="OutOfLine" EntityType="S.T"/>
        <EntitySet Name="Plain" EntityType="S.T"/>
      </EntityContainer>
      <EntityType Name="T"><Key><PropertyRef Name="Id"/></Key>
        <Property Name="Id" Type="Edm.Int32" Nullable="false"/>
      </EntityType>
      <Annotations Target="S.C/OutOfLine">
        <Annotation Term="Core.OptimisticConcurrency"><Collection/></Annotation>
      </Annotations>
      <Annotations Target="S.C/Plain">
        <Annotation Term="Core.Description" String="no concurrency"/>
      </Annotations>
    </Schema>
  </edmx:DataServices>
</edmx:Edmx>"#;
        let model = parse_metadata(xml.as_bytes()).unwrap();
        assert!(model.has_optimistic_concurrency("Inline"));
        assert!(model.has_optimistic_concurrency("OutOfLine"));
        assert!(!model.has_optimistic_concurrency("Plain"));
        assert!(!model.has_optimistic_concurrency("Missing"));
        assert_eq!(model.references.len(), 1);
    }
}
