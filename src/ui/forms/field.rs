//! One typed form field: what metadata says about it and what the user typed, with
//! validation through `odata::values` (no drawing here).

use super::annotation_text;
use crate::odata::metadata::{EdmPrimitive, Model, Parameter, Property};
use crate::odata::values::{Value, ValueKind, check_facets};

/// The widget a field is drawn with, chosen from its type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WidgetKind {
    /// Single-line text, with a character counter when `MaxLength` is set.
    Text,
    /// Whole numbers (`Edm.Byte` … `Edm.Int64`).
    Integer,
    /// Exact decimals (`Edm.Decimal`).
    Decimal,
    /// Floating point (`Edm.Single`, `Edm.Double`).
    Float,
    /// A checkbox (`Edm.Boolean`).
    Boolean,
    /// A dropdown of member names (non-flags enums, including F&O `NoYes`).
    Enum,
    /// A dropdown of checkboxes, one per member (flags enums); the text lists them with commas.
    Flags,
    /// Text plus a date picker (`Edm.Date`).
    Date,
    /// Date text and picker plus a time text (`Edm.DateTimeOffset`).
    DateTime,
    /// Text plus a "New GUID" button (`Edm.Guid`).
    Guid,
    /// ISO 8601 duration text (`Edm.Duration`).
    Duration,
    /// `HH:MM:SS` text (`Edm.TimeOfDay`).
    Time,
    /// JSON text (complex types, collections, other types).
    Json,
}

impl WidgetKind {
    /// The widget for a value kind.
    pub fn for_kind(kind: &ValueKind) -> Self {
        match kind {
            ValueKind::Primitive(p) => match p {
                EdmPrimitive::String | EdmPrimitive::Binary => Self::Text,
                EdmPrimitive::Byte
                | EdmPrimitive::SByte
                | EdmPrimitive::Int16
                | EdmPrimitive::Int32
                | EdmPrimitive::Int64 => Self::Integer,
                EdmPrimitive::Decimal => Self::Decimal,
                EdmPrimitive::Single | EdmPrimitive::Double => Self::Float,
                EdmPrimitive::Boolean => Self::Boolean,
                EdmPrimitive::Date => Self::Date,
                EdmPrimitive::DateTimeOffset => Self::DateTime,
                EdmPrimitive::Guid => Self::Guid,
                EdmPrimitive::Duration => Self::Duration,
                EdmPrimitive::TimeOfDay => Self::Time,
                EdmPrimitive::Stream | EdmPrimitive::Spatial | EdmPrimitive::Untyped => Self::Json,
            },
            ValueKind::Enum(info) if !info.is_flags => Self::Enum,
            ValueKind::Enum(_) => Self::Flags,
            ValueKind::Complex { .. } | ValueKind::Collection(_) | ValueKind::Untyped(_) => {
                Self::Json
            }
        }
    }

    /// A placeholder hinting at the expected format.
    pub fn hint(self) -> &'static str {
        match self {
            Self::Integer => "e.g. 42",
            Self::Decimal | Self::Float => "e.g. 12.5",
            Self::Date => "YYYY-MM-DD",
            Self::DateTime => "YYYY-MM-DD",
            Self::Guid => "8-4-4-4-12 hex digits",
            Self::Duration => "e.g. P1DT2H30M",
            Self::Time => "HH:MM:SS",
            Self::Json => "JSON",
            Self::Text | Self::Boolean | Self::Enum | Self::Flags => "",
        }
    }
}

/// What the metadata says about one field.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldSpec {
    /// Property or parameter name (the JSON key).
    pub name: String,
    /// Display label: the annotation label when it is text, else the name.
    pub label: String,
    /// Help text shown on hover, when the annotations have text for it.
    pub help: Option<String>,
    /// The resolved type.
    pub kind: ValueKind,
    /// Marked with `*` and must not be empty.
    pub required: bool,
    /// Shown greyed, not editable and never sent.
    pub read_only: bool,
    /// The declaration (or a property built from a parameter) for facet checks.
    pub facets: Property,
    /// `(member, label)` of enum members whose annotations have a text label (F&O
    /// `LabelId` such as `(GMT-08:00) Pacific Time`), shown on hover in the dropdown.
    pub member_labels: Vec<(String, String)>,
}

impl FieldSpec {
    /// A field for a structural property: required when non-nullable or F&O `IsRequired`,
    /// read-only when `Core.Computed` or F&O `AllowEdit` is false.
    pub fn from_property(model: &Model, property: &Property) -> Self {
        let annotations = &property.annotations;
        let member_labels = model
            .enum_type(&property.type_ref.name)
            .map(|e| {
                e.members
                    .iter()
                    .filter_map(|m| {
                        let label = annotation_text(&m.annotations, "LabelId")
                            .or_else(|| annotation_text(&m.annotations, "Description"))?;
                        Some((m.name.clone(), label.to_owned()))
                    })
                    .collect()
            })
            .unwrap_or_default();
        Self {
            name: property.name.clone(),
            label: annotation_text(annotations, "LabelId")
                .or_else(|| annotation_text(annotations, "Label"))
                .unwrap_or(&property.name)
                .to_owned(),
            help: annotation_text(annotations, "HelpTextId")
                .or_else(|| annotation_text(annotations, "Description"))
                .or_else(|| annotation_text(annotations, "LongDescription"))
                .map(str::to_owned),
            kind: ValueKind::of_property(model, property),
            required: property.is_required(),
            read_only: property.is_read_only(),
            facets: property.clone(),
            member_labels,
        }
    }

    /// A field for an operation parameter: required when non-nullable.
    pub fn from_parameter(model: &Model, parameter: &Parameter) -> Self {
        let facets = Property {
            name: parameter.name.clone(),
            type_ref: parameter.type_ref.clone(),
            nullable: parameter.nullable,
            max_length: parameter.max_length,
            precision: parameter.precision,
            scale: parameter.scale,
            default_value: None,
            annotations: parameter.annotations.clone(),
        };
        let mut spec = Self::from_property(model, &facets);
        spec.read_only = false;
        spec
    }

    /// The widget for this field.
    pub fn widget(&self) -> WidgetKind {
        WidgetKind::for_kind(&self.kind)
    }

    /// The text label of an enum member, when the metadata has one.
    pub fn member_label(&self, member: &str) -> Option<&str> {
        self.member_labels
            .iter()
            .find(|(m, _)| m == member)
            .map(|(_, l)| l.as_str())
    }

    /// Whether the value is a string (empty text means "not given" rather than "").
    pub fn is_text(&self) -> bool {
        self.kind.is_string()
    }
}

/// A field's state: its spec, the text typed, and messages.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldInput {
    /// What the metadata says.
    pub spec: FieldSpec,
    /// The text (for date-times: the date part).
    pub(crate) text: String,
    /// The time part of a date-time (`HH:MM:SS`, optional offset).
    pub(crate) time: String,
    /// The validation message shown under the field in red.
    pub error: Option<String>,
    /// Red outline set by the caller when a server error names this field.
    pub highlight: bool,
}

impl FieldInput {
    /// An empty field.
    pub fn new(spec: FieldSpec) -> Self {
        Self {
            spec,
            text: String::new(),
            time: String::new(),
            error: None,
            highlight: false,
        }
    }

    /// The field name.
    pub fn name(&self) -> &str {
        &self.spec.name
    }

    /// The value as text, as `Value::parse_text` reads it (date-times joined as
    /// `YYYY-MM-DDTHH:MM:SS`, taken as UTC without an offset).
    pub fn text(&self) -> String {
        if self.spec.widget() == WidgetKind::DateTime && !self.text.trim().is_empty() {
            let time = self.time.trim();
            let time = if time.is_empty() { "00:00:00" } else { time };
            format!("{}T{time}", self.text.trim())
        } else {
            self.text.clone()
        }
    }

    /// Sets the value from text (a date-time is split into date and time parts), and
    /// re-checks it.
    pub fn set_text(&mut self, text: &str) {
        if self.spec.widget() == WidgetKind::DateTime {
            let text = text.trim();
            match text.split_once(['T', ' ']) {
                Some((date, time)) => {
                    self.text = date.to_owned();
                    self.time = time.to_owned();
                }
                None => {
                    self.text = text.to_owned();
                    self.time.clear();
                }
            }
        } else {
            self.text = text.to_owned();
        }
        self.check_live();
    }

    /// Sets the value from a JSON value read from the service (exact numbers kept).
    pub fn set_json(&mut self, json: &serde_json::Value) {
        let text = match Value::from_json(&self.spec.kind, json) {
            Ok(value) => value.to_text(),
            Err(_) => match json {
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Null => String::new(),
                other => other.to_string(),
            },
        };
        self.set_text(&text);
        self.error = None;
    }

    /// Whether nothing was entered.
    pub fn is_empty(&self) -> bool {
        self.text.trim().is_empty()
    }

    /// The typed value: `Ok(None)` when empty (and so omitted from bodies), an error message
    /// when the text is invalid for the type or its facets, or empty but required.
    pub fn parse(&self) -> Result<Option<Value>, String> {
        if self.is_empty() {
            return if self.spec.required {
                Err(format!("{} is required", self.spec.label))
            } else {
                Ok(None)
            };
        }
        let value = Value::parse_text(&self.spec.kind, &self.text()).map_err(|e| e.to_string())?;
        check_facets(&self.spec.facets, &value).map_err(|e| e.to_string())?;
        Ok(Some(value))
    }

    /// Checks the value and stores the message; returns the typed value.
    pub fn check(&mut self) -> Result<Option<Value>, String> {
        let result = self.parse();
        self.error = result.as_ref().err().cloned();
        result
    }

    /// Re-checks while typing: a message only for text that is there and wrong (a
    /// missing required value is reported by [`Self::check`] on submit).
    pub fn check_live(&mut self) {
        self.error = if self.is_empty() {
            None
        } else {
            self.parse().err()
        };
    }

    /// The value as JSON for a body; `Ok(None)` when empty.
    pub fn to_json(&self) -> Result<Option<serde_json::Value>, String> {
        Ok(self.parse()?.map(|v| v.to_json()))
    }
}
