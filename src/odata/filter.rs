//! The filter builder: typed rows (field, operator, value) combined with and/or into groups,
//! rendered as a `$filter` expression with literals typed by the metadata.

pub mod limits;

pub use limits::{FilterLimitError, MAX_FILTER_DEPTH, MAX_FILTER_TERMS, check_filter_limits};

use super::metadata::{EntityType, Model};
use super::values::{Value, ValueError, ValueKind, literal::quote};

/// A comparison or function offered by the filter builder.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
pub enum FilterOperator {
    /// `eq`
    #[default]
    Eq,
    /// `ne`
    Ne,
    /// `gt`
    Gt,
    /// `ge`
    Ge,
    /// `lt`
    Lt,
    /// `le`
    Le,
    /// `contains(Field,'x')` (text only)
    Contains,
    /// `not contains(Field,'x')` (text only)
    NotContains,
    /// `startswith(Field,'x')` (text only)
    StartsWith,
    /// `endswith(Field,'x')` (text only)
    EndsWith,
    /// `Field eq null`
    IsNull,
    /// `Field ne null`
    IsNotNull,
}

impl FilterOperator {
    /// Every operator, in the order a picker shows them.
    pub const ALL: [Self; 12] = [
        Self::Eq,
        Self::Ne,
        Self::Gt,
        Self::Ge,
        Self::Lt,
        Self::Le,
        Self::Contains,
        Self::NotContains,
        Self::StartsWith,
        Self::EndsWith,
        Self::IsNull,
        Self::IsNotNull,
    ];

    /// A short label for pickers, e.g. `=`, `contains`, `is null`.
    pub fn label(self) -> &'static str {
        match self {
            Self::Eq => "=",
            Self::Ne => "≠",
            Self::Gt => ">",
            Self::Ge => "≥",
            Self::Lt => "<",
            Self::Le => "≤",
            Self::Contains => "contains",
            Self::NotContains => "does not contain",
            Self::StartsWith => "starts with",
            Self::EndsWith => "ends with",
            Self::IsNull => "is null",
            Self::IsNotNull => "is not null",
        }
    }

    /// Whether the operator takes a value (null checks do not).
    pub fn needs_value(self) -> bool {
        !matches!(self, Self::IsNull | Self::IsNotNull)
    }

    /// Whether the operator only applies to text fields.
    pub fn text_only(self) -> bool {
        matches!(
            self,
            Self::Contains | Self::NotContains | Self::StartsWith | Self::EndsWith
        )
    }

    /// Whether the operator makes sense for a field of `kind` (for pickers).
    pub fn applies_to(self, kind: &ValueKind) -> bool {
        match kind {
            ValueKind::Complex { .. } | ValueKind::Collection(_) => !self.needs_value(),
            _ => !self.text_only() || kind.is_string(),
        }
    }

    /// The operators a picker offers for a field of `kind`.
    pub fn for_kind(kind: &ValueKind) -> Vec<Self> {
        Self::ALL
            .into_iter()
            .filter(|op| op.applies_to(kind))
            .collect()
    }

    /// Parses the OData or CLI spelling: `eq`, `ne`, …, `contains`, `not contains`
    /// (also `notcontains`), `startswith`, `endswith`, `null`/`eq null`, `notnull`/`ne null`.
    pub fn parse(text: &str) -> Option<Self> {
        let t: String = text
            .trim()
            .to_ascii_lowercase()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        Some(match t.as_str() {
            "eq" | "=" | "==" => Self::Eq,
            "ne" | "!=" | "<>" | "≠" => Self::Ne,
            "gt" | ">" => Self::Gt,
            "ge" | ">=" | "≥" => Self::Ge,
            "lt" | "<" => Self::Lt,
            "le" | "<=" | "≤" => Self::Le,
            "contains" => Self::Contains,
            "not contains" | "notcontains" | "does not contain" => Self::NotContains,
            "startswith" | "starts with" => Self::StartsWith,
            "endswith" | "ends with" => Self::EndsWith,
            "null" | "isnull" | "is null" | "eq null" => Self::IsNull,
            "notnull" | "isnotnull" | "is not null" | "ne null" => Self::IsNotNull,
            _ => return None,
        })
    }

    fn comparison(self) -> Option<&'static str> {
        Some(match self {
            Self::Eq => "eq",
            Self::Ne => "ne",
            Self::Gt => "gt",
            Self::Ge => "ge",
            Self::Lt => "lt",
            Self::Le => "le",
            _ => return None,
        })
    }
}

/// One row of the builder.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct FilterRow {
    /// Property name or path through complex properties (`Address/City`).
    pub field: String,
    /// The operator.
    pub operator: FilterOperator,
    /// The value as typed (ignored by null checks).
    pub value: String,
}

/// How the items of a group combine.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
pub enum Combinator {
    /// All items must hold.
    #[default]
    And,
    /// Any item may hold.
    Or,
}

/// A row or a nested group.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum FilterNode {
    /// A single condition.
    Row(FilterRow),
    /// A parenthesised group.
    Group(FilterGroup),
}

/// Items combined by one combinator.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct FilterGroup {
    /// `and` or `or`.
    pub combinator: Combinator,
    /// Rows and nested groups in order.
    pub items: Vec<FilterNode>,
}

impl FilterGroup {
    /// A group of rows.
    pub fn of_rows(combinator: Combinator, rows: impl IntoIterator<Item = FilterRow>) -> Self {
        Self {
            combinator,
            items: rows.into_iter().map(FilterNode::Row).collect(),
        }
    }
}

/// What is wrong with one row.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RowProblem {
    /// No field chosen.
    #[error("choose a field")]
    NoField,
    /// The entity type has no such property.
    #[error("no such property '{0}'")]
    UnknownField(String),
    /// A text function on a non-text field.
    #[error("'{operator}' only applies to text fields; {field} is {type_name}")]
    NotText {
        /// The operator label.
        operator: &'static str,
        /// The field.
        field: String,
        /// Its type.
        type_name: String,
    },
    /// A comparison on a complex or collection field.
    #[error("{field} is {type_name}, which cannot be compared")]
    NotComparable {
        /// The field.
        field: String,
        /// Its type.
        type_name: String,
    },
    /// A comparison without a value.
    #[error("enter a value for {0}")]
    MissingValue(String),
    /// The value does not fit the field's type.
    #[error("{0}")]
    Invalid(ValueError),
}

/// A problem located at one row: `path` indexes through nested groups (`[1, 0]` is the
/// first item of the group that is the second item of the top group).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("row {}: {problem}", .path.iter().map(|i| (i + 1).to_string()).collect::<Vec<_>>().join("."))]
pub struct RowError {
    /// Position of the row.
    pub path: Vec<usize>,
    /// What is wrong.
    pub problem: RowProblem,
}

/// Every row error of a filter.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("invalid filter: {}", .errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
pub struct FilterError {
    /// One per bad row, in order.
    pub errors: Vec<RowError>,
}

/// The kind of a property path on `entity` (through complex properties), if it exists.
pub fn field_kind(model: &Model, entity: &EntityType, path: &str) -> Option<ValueKind> {
    let mut segments = path.split('/').map(str::trim);
    let first = segments.next()?;
    let property = model
        .all_properties(entity)
        .into_iter()
        .find(|p| p.name == first)?;
    let mut kind = ValueKind::of_property(model, property);
    for segment in segments {
        let ValueKind::Complex { properties, .. } = kind else {
            return None;
        };
        kind = properties.into_iter().find(|(n, _)| n == segment)?.1;
    }
    Some(kind)
}

/// The fields a filter row can choose on `entity`: every structural property (inherited
/// ones first) and, for complex properties, their primitive and enum members as paths
/// (`Address/City`), with their kinds.
pub fn filterable_fields(model: &Model, entity: &EntityType) -> Vec<(String, ValueKind)> {
    fn push(out: &mut Vec<(String, ValueKind)>, path: String, kind: ValueKind) {
        if let ValueKind::Complex { properties, .. } = &kind {
            for (name, inner) in properties {
                push(out, format!("{path}/{name}"), inner.clone());
            }
        }
        out.push((path, kind));
    }
    let mut out = Vec::new();
    for property in model.all_properties(entity) {
        push(
            &mut out,
            property.name.clone(),
            ValueKind::of_property(model, property),
        );
    }
    out.retain(|(_, kind)| !matches!(kind, ValueKind::Complex { .. } | ValueKind::Collection(_)));
    out
}

/// Renders one row as an expression.
pub fn row_expression(
    model: &Model,
    entity: &EntityType,
    row: &FilterRow,
) -> Result<String, RowProblem> {
    let field = row.field.trim();
    if field.is_empty() {
        return Err(RowProblem::NoField);
    }
    let kind = field_kind(model, entity, field)
        .ok_or_else(|| RowProblem::UnknownField(field.to_owned()))?;
    let op = row.operator;
    if !op.needs_value() {
        let check = if op == FilterOperator::IsNull {
            "eq"
        } else {
            "ne"
        };
        return Ok(format!("{field} {check} null"));
    }
    if matches!(kind, ValueKind::Complex { .. } | ValueKind::Collection(_)) {
        return Err(RowProblem::NotComparable {
            field: field.to_owned(),
            type_name: kind.type_name(),
        });
    }
    if op.text_only() {
        if !kind.is_string() {
            return Err(RowProblem::NotText {
                operator: op.label(),
                field: field.to_owned(),
                type_name: kind.type_name(),
            });
        }
        let literal = quote(&row.value);
        return Ok(match op {
            FilterOperator::Contains => format!("contains({field},{literal})"),
            FilterOperator::NotContains => format!("not contains({field},{literal})"),
            FilterOperator::StartsWith => format!("startswith({field},{literal})"),
            _ => format!("endswith({field},{literal})"),
        });
    }
    if row.value.trim().is_empty() && !kind.is_string() {
        return Err(RowProblem::MissingValue(field.to_owned()));
    }
    let value = Value::parse_text(&kind, &row.value).map_err(RowProblem::Invalid)?;
    let comparison = op.comparison().unwrap_or("eq");
    Ok(format!("{field} {comparison} {}", value.to_url_literal()))
}

/// Renders a whole group as a `$filter` expression; `Ok(None)` when it has no rows.
/// Every bad row is reported, not just the first.
pub fn build_filter(
    model: &Model,
    entity: &EntityType,
    group: &FilterGroup,
) -> Result<Option<String>, FilterError> {
    let mut errors = Vec::new();
    let text = render_group(model, entity, group, &mut Vec::new(), &mut errors);
    if errors.is_empty() {
        Ok(text)
    } else {
        Err(FilterError { errors })
    }
}

fn render_group(
    model: &Model,
    entity: &EntityType,
    group: &FilterGroup,
    path: &mut Vec<usize>,
    errors: &mut Vec<RowError>,
) -> Option<String> {
    let mut parts = Vec::new();
    for (index, item) in group.items.iter().enumerate() {
        path.push(index);
        match item {
            FilterNode::Row(row) => match row_expression(model, entity, row) {
                Ok(text) => parts.push(text),
                Err(problem) => errors.push(RowError {
                    path: path.clone(),
                    problem,
                }),
            },
            FilterNode::Group(inner) => {
                let nested_len = inner.items.len();
                if let Some(text) = render_group(model, entity, inner, path, errors) {
                    parts.push(if nested_len > 1 {
                        format!("({text})")
                    } else {
                        text
                    });
                }
            }
        }
        path.pop();
    }
    if parts.is_empty() {
        return None;
    }
    let joiner = match group.combinator {
        Combinator::And => " and ",
        Combinator::Or => " or ",
    };
    Some(parts.join(joiner))
}

#[cfg(test)]
mod tests;
