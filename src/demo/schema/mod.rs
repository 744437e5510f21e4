//! The one table-driven description of the demo entities, from which the SQLite DDL, the CSDL
//! document and the `/Metadata` listings are all generated.

mod actions;
mod entities;
mod enums;

pub use actions::{ACTIONS, ActionBinding, ActionDef, ParamDef};
pub use entities::ENTITIES;
pub use enums::{ENUMS, EnumDef};

/// The schema namespace of every demo type, as in Finance & Operations.
pub const NAMESPACE: &str = "Microsoft.Dynamics.DataEntities";
/// The entity container name, as in Finance & Operations.
pub const CONTAINER: &str = "Resources";
/// The company key field of company-scoped entities.
pub const COMPANY_FIELD: &str = "dataAreaId";

/// The EDM type of one field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldType {
    /// `Edm.String` with a maximum length.
    String(u32),
    /// `Edm.Decimal`, stored as exact text.
    Decimal,
    /// `Edm.Int32`.
    Int32,
    /// `Edm.Int64`.
    Int64,
    /// `Edm.Date`, stored as `YYYY-MM-DD`.
    Date,
    /// `Edm.DateTimeOffset`, stored as UTC `YYYY-MM-DDTHH:MM:SSZ`.
    DateTimeOffset,
    /// `Edm.Guid`, stored lower-case.
    Guid,
    /// An enum type of [`NAMESPACE`], stored as its integer value.
    Enum(&'static str),
}

impl FieldType {
    /// The CSDL type name, e.g. `Edm.String` or `Microsoft.Dynamics.DataEntities.NoYes`.
    pub fn edm_name(&self) -> String {
        match self {
            Self::String(_) => "Edm.String".into(),
            Self::Decimal => "Edm.Decimal".into(),
            Self::Int32 => "Edm.Int32".into(),
            Self::Int64 => "Edm.Int64".into(),
            Self::Date => "Edm.Date".into(),
            Self::DateTimeOffset => "Edm.DateTimeOffset".into(),
            Self::Guid => "Edm.Guid".into(),
            Self::Enum(name) => format!("{NAMESPACE}.{name}"),
        }
    }

    /// The F&O `AXType` member of this type.
    pub fn ax_type(&self) -> &'static str {
        match self {
            Self::String(_) => "String",
            Self::Decimal => "Real",
            Self::Int32 => "Int32",
            Self::Int64 => "Int64",
            Self::Date => "Date",
            Self::DateTimeOffset => "UtcDateTime",
            Self::Guid => "Guid",
            Self::Enum(_) => "Enum",
        }
    }
}

/// One field (structural property) of an entity.
#[derive(Debug, Clone, Copy)]
pub struct FieldDef {
    /// Property name, also the SQLite column name.
    pub name: &'static str,
    /// EDM type.
    pub ty: FieldType,
    /// Human label (used in Infolog-style validation messages).
    pub label: &'static str,
    /// The F&O label id (`@SYS…` or literal text), emitted as `LabelId`.
    pub label_id: &'static str,
    /// Optional help text, emitted as `HelpTextId`.
    pub help: Option<&'static str>,
    /// Part of the entity key.
    pub key: bool,
    /// Mandatory on create (`IsRequired`).
    pub required: bool,
    /// Editable after create (`AllowEdit`).
    pub allow_edit: bool,
    /// Settable on create (`AllowEditOnCreate`).
    pub allow_edit_on_create: bool,
    /// Assigned by the server on create when missing (number sequence).
    pub auto_number: bool,
}

impl FieldDef {
    /// A plain optional field whose label id is its label text.
    pub const fn new(name: &'static str, ty: FieldType, label: &'static str) -> Self {
        Self {
            name,
            ty,
            label,
            label_id: label,
            help: None,
            key: false,
            required: false,
            allow_edit: true,
            allow_edit_on_create: true,
            auto_number: false,
        }
    }

    /// Marks the field as a key field (required, not editable after create).
    pub const fn key(mut self) -> Self {
        self.key = true;
        self.required = true;
        self.allow_edit = false;
        self
    }

    /// Marks the field as mandatory.
    pub const fn required(mut self) -> Self {
        self.required = true;
        self
    }

    /// Sets the F&O label id.
    pub const fn label_id(mut self, id: &'static str) -> Self {
        self.label_id = id;
        self
    }

    /// Sets the help text.
    pub const fn help(mut self, text: &'static str) -> Self {
        self.help = Some(text);
        self
    }

    /// Marks the field as read-only (computed by the server).
    pub const fn read_only(mut self) -> Self {
        self.allow_edit = false;
        self.allow_edit_on_create = false;
        self
    }

    /// Marks the field as assigned by the server when missing on create.
    pub const fn auto_number(mut self) -> Self {
        self.auto_number = true;
        self.required = false;
        self
    }
}

/// A navigation property.
#[derive(Debug, Clone, Copy)]
pub struct NavDef {
    /// Navigation property name.
    pub name: &'static str,
    /// Target entity type name.
    pub target: &'static str,
    /// Whether the navigation yields a collection.
    pub collection: bool,
    /// `(local property, target property)` pairs joining the two entities.
    pub constraints: &'static [(&'static str, &'static str)],
    /// The partner navigation property on the target, if any.
    pub partner: Option<&'static str>,
    /// Whether deleting the source deletes the targets (order header → lines).
    pub cascade_delete: bool,
}

/// One data entity: an entity type, its entity set and its SQLite table.
#[derive(Debug, Clone, Copy)]
pub struct EntityDef {
    /// Entity type name (the public entity name), e.g. `CustomerV3`.
    pub name: &'static str,
    /// Entity set name (the public collection name), e.g. `CustomersV3`.
    pub set: &'static str,
    /// AOT data entity name used in Infolog messages, e.g. `CustCustomerV3Entity`.
    pub aot_name: &'static str,
    /// Entity label id.
    pub label_id: &'static str,
    /// Human label of the underlying table, used in "record already exists" messages.
    pub table_label: &'static str,
    /// F&O entity category (`Master`, `Document`, `Reference`, `Parameters`, `Transaction`).
    pub category: &'static str,
    /// Whether the entity is read-only.
    pub read_only: bool,
    /// Whether rows belong to a company (`dataAreaId`).
    pub company_scoped: bool,
    /// Fields in output order; key fields first.
    pub fields: &'static [FieldDef],
    /// Navigation properties.
    pub navs: &'static [NavDef],
}

impl EntityDef {
    /// The SQLite table name.
    pub fn table(&self) -> &'static str {
        self.set
    }

    /// Looks a field up by exact name.
    pub fn field(&self, name: &str) -> Option<&'static FieldDef> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// Looks a navigation property up by exact name.
    pub fn nav(&self, name: &str) -> Option<&'static NavDef> {
        self.navs.iter().find(|n| n.name == name)
    }

    /// The key fields in declaration order.
    pub fn key_fields(&self) -> impl Iterator<Item = &'static FieldDef> + use<> {
        self.fields.iter().filter(|f| f.key)
    }

    /// The fully qualified entity type name.
    pub fn qualified_name(&self) -> String {
        format!("{NAMESPACE}.{}", self.name)
    }
}

/// Finds an entity by entity set name.
pub fn entity_by_set(set: &str) -> Option<&'static EntityDef> {
    ENTITIES.iter().find(|e| e.set == set)
}

/// Finds an entity by entity type name.
pub fn entity_by_name(name: &str) -> Option<&'static EntityDef> {
    ENTITIES.iter().find(|e| e.name == name)
}

/// Finds an enum type by name.
pub fn enum_by_name(name: &str) -> Option<&'static EnumDef> {
    ENUMS.iter().find(|e| e.name == name)
}
