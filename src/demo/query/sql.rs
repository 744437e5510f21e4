//! Translates a parsed `$filter` into an SQL condition with bound parameters (values are never
//! spliced into the SQL text).

use rusqlite::types::Value as SqlValue;

use super::filter::{CmpOp, Expr, Literal, Operand, StringFn};
use crate::demo::ddl::quote;
use crate::demo::error::ErrorAnswer;
use crate::demo::schema::{EntityDef, FieldDef, FieldType, NAMESPACE, enum_by_name};

/// An SQL condition and its parameters.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SqlCondition {
    /// SQL text with `?` placeholders.
    pub sql: String,
    /// Parameters in placeholder order.
    pub params: Vec<SqlValue>,
}

impl SqlCondition {
    /// Joins conditions with `AND`; empty when there are none.
    pub fn all(parts: Vec<SqlCondition>) -> SqlCondition {
        let mut sql = Vec::new();
        let mut params = Vec::new();
        for part in parts {
            sql.push(format!("({})", part.sql));
            params.extend(part.params);
        }
        SqlCondition {
            sql: sql.join(" AND "),
            params,
        }
    }

    /// `field = value`.
    pub fn equals(field: &str, value: SqlValue) -> SqlCondition {
        SqlCondition {
            sql: format!("{} = ?", quote(field)),
            params: vec![value],
        }
    }
}

fn err(message: impl Into<String>) -> ErrorAnswer {
    ErrorAnswer::bad_request(format!(
        "The query specified in the URI is not valid. {}",
        message.into()
    ))
}

/// Looks a property up for use in a query, with F&O's error text when it does not exist.
pub fn query_field(entity: &EntityDef, name: &str) -> Result<&'static FieldDef, ErrorAnswer> {
    entity.field(name).ok_or_else(|| {
        err(format!(
            "Could not find a property named '{name}' on type '{}'.",
            entity.qualified_name()
        ))
    })
}

/// The SQL expression of a column for comparison and ordering (decimals compare numerically).
pub fn column_expr(field: &FieldDef) -> String {
    match field.ty {
        FieldType::Decimal => format!("CAST({} AS REAL)", quote(field.name)),
        _ => quote(field.name),
    }
}

/// Translates a filter expression for `entity`.
pub fn to_sql(expr: &Expr, entity: &EntityDef) -> Result<SqlCondition, ErrorAnswer> {
    match expr {
        Expr::Or(items) | Expr::And(items) => {
            let word = if matches!(expr, Expr::Or(..)) {
                "OR"
            } else {
                "AND"
            };
            let parts = items
                .iter()
                .map(|item| to_sql(item, entity))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(balanced(parts, word))
        }
        Expr::Not(inner) => {
            let inner = to_sql(inner, entity)?;
            Ok(SqlCondition {
                sql: format!("NOT ({})", inner.sql),
                params: inner.params,
            })
        }
        Expr::Call(function, name, text) => {
            let field = query_field(entity, name)?;
            if !matches!(field.ty, FieldType::String(_)) {
                return Err(err(format!(
                    "The function '{}' needs a string property; '{name}' is {}.",
                    fn_name(*function),
                    field.ty.edm_name()
                )));
            }
            let escaped = text
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_");
            let pattern = match function {
                StringFn::Contains => format!("%{escaped}%"),
                StringFn::StartsWith => format!("{escaped}%"),
                StringFn::EndsWith => format!("%{escaped}"),
            };
            Ok(SqlCondition {
                sql: format!("{} LIKE ? ESCAPE '\\'", quote(field.name)),
                params: vec![SqlValue::Text(pattern)],
            })
        }
        Expr::Compare(left, op, right) => compare(left, *op, right, entity),
    }
}

/// Joins `parts` with `word` as a balanced tree of parentheses, in order: SQLite limits the
/// depth of an expression tree (1 000), and a flat chain of 1 000 `OR`s would be that deep.
fn balanced(mut parts: Vec<SqlCondition>, word: &str) -> SqlCondition {
    while parts.len() > 1 {
        let mut joined = Vec::with_capacity(parts.len().div_ceil(2));
        let mut pending = parts.into_iter();
        while let Some(left) = pending.next() {
            match pending.next() {
                Some(right) => {
                    let mut params = left.params;
                    params.extend(right.params);
                    joined.push(SqlCondition {
                        sql: format!("({}) {word} ({})", left.sql, right.sql),
                        params,
                    });
                }
                None => joined.push(left),
            }
        }
        parts = joined;
    }
    parts.pop().unwrap_or_default()
}

fn fn_name(function: StringFn) -> &'static str {
    match function {
        StringFn::Contains => "contains",
        StringFn::StartsWith => "startswith",
        StringFn::EndsWith => "endswith",
    }
}

fn compare(
    left: &Operand,
    op: CmpOp,
    right: &Operand,
    entity: &EntityDef,
) -> Result<SqlCondition, ErrorAnswer> {
    match (left, right) {
        (Operand::Field(name), Operand::Literal(lit)) => field_vs_literal(name, op, lit, entity),
        (Operand::Literal(lit), Operand::Field(name)) => {
            field_vs_literal(name, op.flipped(), lit, entity)
        }
        (Operand::Field(a), Operand::Field(b)) => {
            let fa = query_field(entity, a)?;
            let fb = query_field(entity, b)?;
            if fa.ty.edm_name() != fb.ty.edm_name() {
                return Err(err(format!(
                    "Cannot compare '{a}' ({}) with '{b}' ({}).",
                    fa.ty.edm_name(),
                    fb.ty.edm_name()
                )));
            }
            Ok(SqlCondition {
                sql: format!("{} {} {}", column_expr(fa), op.sql(), column_expr(fb)),
                params: Vec::new(),
            })
        }
        (Operand::Literal(_), Operand::Literal(_)) => {
            Err(err("Comparisons between two literals are not supported."))
        }
    }
}

fn field_vs_literal(
    name: &str,
    op: CmpOp,
    literal: &Literal,
    entity: &EntityDef,
) -> Result<SqlCondition, ErrorAnswer> {
    let field = query_field(entity, name)?;
    if *literal == Literal::Null {
        return match op {
            CmpOp::Eq => Ok(SqlCondition {
                sql: format!("{} IS NULL", quote(field.name)),
                params: Vec::new(),
            }),
            CmpOp::Ne => Ok(SqlCondition {
                sql: format!("{} IS NOT NULL", quote(field.name)),
                params: Vec::new(),
            }),
            _ => Err(err("Only 'eq' and 'ne' can compare with null.")),
        };
    }
    let value = literal_value(field, literal)?;
    let placeholder = if field.ty == FieldType::Decimal {
        "CAST(? AS REAL)"
    } else {
        "?"
    };
    Ok(SqlCondition {
        sql: format!("{} {} {placeholder}", column_expr(field), op.sql()),
        params: vec![value],
    })
}

fn mismatch(field: &FieldDef, literal: &Literal) -> ErrorAnswer {
    err(format!(
        "A binary operator with incompatible types was detected. Found operand types '{}' and '{}' for property '{}'.",
        field.ty.edm_name(),
        literal_type(literal),
        field.name
    ))
}

fn literal_type(literal: &Literal) -> String {
    match literal {
        Literal::Null => "null".into(),
        Literal::Bool(_) => "Edm.Boolean".into(),
        Literal::String(_) => "Edm.String".into(),
        Literal::Number(n) if n.contains('.') => "Edm.Decimal".into(),
        Literal::Number(_) => "Edm.Int32".into(),
        Literal::Date(_) => "Edm.Date".into(),
        Literal::DateTimeOffset(_) => "Edm.DateTimeOffset".into(),
        Literal::Guid(_) => "Edm.Guid".into(),
        Literal::Enum { type_name, .. } => type_name.clone(),
    }
}

/// The SQL parameter for comparing `field` with `literal`, or a type error.
fn literal_value(field: &FieldDef, literal: &Literal) -> Result<SqlValue, ErrorAnswer> {
    match (field.ty, literal) {
        (FieldType::String(_), Literal::String(s)) => Ok(SqlValue::Text(s.clone())),
        (FieldType::Decimal, Literal::Number(n)) => Ok(SqlValue::Text(n.clone())),
        (FieldType::Int32 | FieldType::Int64, Literal::Number(n)) => n
            .parse::<i64>()
            .map(SqlValue::Integer)
            .map_err(|_| mismatch(field, literal)),
        (FieldType::Date, Literal::Date(d)) => Ok(SqlValue::Text(d.clone())),
        (FieldType::DateTimeOffset, Literal::DateTimeOffset(d)) => Ok(SqlValue::Text(d.clone())),
        (FieldType::Guid, Literal::Guid(g)) => Ok(SqlValue::Text(g.clone())),
        (FieldType::Enum(name), Literal::Enum { type_name, member }) => {
            let expected = format!("{NAMESPACE}.{name}");
            if *type_name != expected && type_name != name {
                return Err(mismatch(field, literal));
            }
            enum_member(name, member)
        }
        (FieldType::Enum(name), Literal::String(member)) => enum_member(name, member),
        _ => Err(mismatch(field, literal)),
    }
}

fn enum_member(enum_name: &str, member: &str) -> Result<SqlValue, ErrorAnswer> {
    enum_by_name(enum_name)
        .and_then(|e| e.value_of(member))
        .map(SqlValue::Integer)
        .ok_or_else(|| {
            err(format!(
                "The string '{member}' is not a valid enumeration value for type '{NAMESPACE}.{enum_name}'."
            ))
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::query::filter::parse_filter;
    use crate::demo::schema::entity_by_set;

    fn translate(filter: &str) -> Result<SqlCondition, ErrorAnswer> {
        to_sql(
            &parse_filter(filter)?,
            entity_by_set("CustomersV3").unwrap(),
        )
    }

    #[test]
    fn literal_values_are_bound_never_spliced() {
        let hostile = "x'); DROP TABLE \"CustomersV3\"; --";
        let filter = format!("OrganizationName eq '{}'", hostile.replace('\'', "''"));
        let condition = translate(&filter).unwrap();
        assert_eq!(condition.sql, "\"OrganizationName\" = ?");
        assert_eq!(condition.params, vec![SqlValue::Text(hostile.into())]);
    }

    #[test]
    fn translates_types_functions_and_null() {
        let c = translate("CreditLimit ge 10.5 and not contains(OrganizationName,'50%_')").unwrap();
        assert_eq!(
            c.sql,
            "(CAST(\"CreditLimit\" AS REAL) >= CAST(? AS REAL)) AND (NOT (\"OrganizationName\" LIKE ? ESCAPE '\\'))"
        );
        assert_eq!(
            c.params,
            vec![
                SqlValue::Text("10.5".into()),
                SqlValue::Text("%50\\%\\_%".into())
            ]
        );
        let c = translate("OnHoldStatus eq Microsoft.Dynamics.DataEntities.CustVendorBlocked'All'")
            .unwrap();
        assert_eq!(c.params, vec![SqlValue::Integer(2)]);
        let c = translate("5 lt CreditLimit").unwrap();
        assert!(c.sql.contains('>'), "operands swapped: {}", c.sql);
        assert_eq!(
            translate("CustomerAccount eq null").unwrap().sql,
            "\"CustomerAccount\" IS NULL"
        );
    }

    #[test]
    fn rejects_type_mismatches_and_unknown_fields() {
        for bad in [
            "CreditLimit eq 'x'",
            "CustomerAccount eq 5",
            "OnHoldStatus eq Microsoft.Dynamics.DataEntities.NoYes'Yes'",
            "Missing eq 1",
            "contains(CreditLimit,'1')",
            "CreatedDateTime gt 2024-01-01",
            "1 eq 1",
            "CreditLimit gt null",
        ] {
            assert!(translate(bad).is_err(), "{bad} should fail");
        }
    }
}
