//! The bound and unbound actions: `BlockCustomer`, `GetCreditLimitAvailable`,
//! `AdjustCreditLimit`, `CountOnHold` and the `GetApplicationVersion` import.

use std::str::FromStr;

use axum::http::{HeaderMap, StatusCode};
use rusqlite::Connection;
use rusqlite::types::Value as SqlValue;
use rust_decimal::Decimal;
use serde_json::{Map, Number, Value, json};

use super::read::{company_condition, find_scoped};
use super::validate::parse_body;
use super::write::check_if_match;
use super::{ODataResponse, ServiceContext};
use crate::demo::error::ErrorAnswer;
use crate::demo::events::ChangeKind;
use crate::demo::query::options::parse_options;
use crate::demo::query::sql::SqlCondition;
use crate::demo::schema::{ActionDef, EntityDef, FieldDef, FieldType};
use crate::demo::store;
use crate::demo::values::json_to_sql;

/// The version string returned by `GetApplicationVersion`.
pub const APPLICATION_VERSION: &str = "10.0.41 (Flowbench demo)";

fn unsupported(action: &ActionDef) -> ErrorAnswer {
    ErrorAnswer::bad_request(format!("The action '{}' is not implemented.", action.name))
}

/// Parses and type-checks action parameters from the JSON body.
fn parameters(action: &ActionDef, body: &[u8]) -> Result<Vec<SqlValue>, ErrorAnswer> {
    let map = if body.iter().all(u8::is_ascii_whitespace) {
        Map::new()
    } else {
        parse_body(body)?
    };
    if let Some(name) = map
        .keys()
        .find(|k| !action.params.iter().any(|p| p.name == k.as_str()))
    {
        return Err(ErrorAnswer::bad_request(format!(
            "The parameter '{name}' in the request payload is not a valid parameter for the operation '{}'.",
            action.name
        )));
    }
    action
        .params
        .iter()
        .map(|param| {
            let value = map.get(param.name).ok_or_else(|| {
                ErrorAnswer::bad_request(format!(
                    "The parameter '{}' of the action '{}' is missing.",
                    param.name, action.name
                ))
            })?;
            let field = FieldDef::new(param.name, param.ty, param.name);
            json_to_sql(&field, value).map_err(|_| {
                ErrorAnswer::bad_request(format!(
                    "Cannot convert the literal '{value}' to the expected type '{}' for parameter '{}'.",
                    param.ty.edm_name(),
                    param.name
                ))
            })
        })
        .collect()
}

fn value_response(ctx: &ServiceContext, ty: FieldType, value: Value) -> ODataResponse {
    ODataResponse::json(
        StatusCode::OK,
        &json!({
            "@odata.context": format!("{}$metadata#{}", ctx.service_root, ty.edm_name()),
            "value": value
        }),
    )
}

fn decimal_of(value: Option<&SqlValue>) -> Decimal {
    match value {
        Some(SqlValue::Text(text)) => Decimal::from_str(text).unwrap_or_default(),
        _ => Decimal::ZERO,
    }
}

fn decimal_json(value: Decimal) -> Value {
    Number::from_str(&value.normalize().to_string()).map_or(Value::Null, Value::Number)
}

fn field_index(entity: &EntityDef, name: &str) -> Result<usize, ErrorAnswer> {
    entity
        .fields
        .iter()
        .position(|f| f.name == name)
        .ok_or_else(|| ErrorAnswer::internal(format!("missing field {name}")))
}

/// Open order amount of a customer: line amounts of orders not yet invoiced or canceled.
fn open_order_amount(
    conn: &Connection,
    company: &str,
    account: &str,
) -> Result<Decimal, ErrorAnswer> {
    let mut statement = conn.prepare_cached(
        "SELECT l.\"LineAmount\" FROM \"SalesOrderLines\" l
         JOIN \"SalesOrderHeadersV2\" h
           ON h.\"dataAreaId\" = l.\"dataAreaId\" AND h.\"SalesOrderNumber\" = l.\"SalesOrderNumber\"
         WHERE h.\"dataAreaId\" = ?1 AND h.\"OrderingCustomerAccountNumber\" = ?2
           AND h.\"SalesOrderStatus\" IN (0, 1)",
    )?;
    let amounts = statement.query_map([company, account], |r| r.get::<_, String>(0))?;
    let mut total = Decimal::ZERO;
    for amount in amounts {
        total += Decimal::from_str(&amount?).unwrap_or_default();
    }
    Ok(total)
}

/// `POST /data/Set(keys)/Microsoft.Dynamics.DataEntities.Action`.
pub fn invoke_on_entity(
    ctx: &ServiceContext,
    entity: &'static EntityDef,
    key: &[SqlValue],
    action: &'static ActionDef,
    request: (&HeaderMap, &[u8]),
    pairs: Vec<(String, String)>,
    conn: &Connection,
) -> Result<ODataResponse, ErrorAnswer> {
    let (headers, body) = request;
    let options = parse_options(pairs, None)?;
    let params = parameters(action, body)?;
    let record = find_scoped(ctx, entity, key, options.cross_company, conn)?;
    if action.changes_record {
        check_if_match(headers, &record, entity)?;
    }
    let text = |name: &str| match record.get(entity, name) {
        Some(SqlValue::Text(t)) => t.clone(),
        _ => String::new(),
    };
    match action.name {
        "BlockCustomer" => {
            let index = field_index(entity, "OnHoldStatus")?;
            let updated = store::with_savepoint(conn, |conn| {
                store::update(conn, entity, key, &[(index, SqlValue::Integer(2))])
            })?
            .ok_or_else(|| ErrorAnswer::not_found("The customer no longer exists."))?;
            Ok(ODataResponse::no_content()
                .with_events(vec![updated.change_event(entity, ChangeKind::Updated)]))
        }
        "GetCreditLimitAvailable" => {
            let limit = decimal_of(record.get(entity, "CreditLimit"));
            let open = open_order_amount(conn, &text("dataAreaId"), &text("CustomerAccount"))?;
            Ok(value_response(
                ctx,
                FieldType::Decimal,
                decimal_json(limit - open),
            ))
        }
        "AdjustCreditLimit" => {
            let amount = decimal_of(params.first());
            let reason = match params.get(1) {
                Some(SqlValue::Text(t)) => t.trim().to_owned(),
                _ => String::new(),
            };
            if reason.is_empty() {
                return Err(ErrorAnswer::write_failed(
                    entity.aot_name,
                    "Warning: Field 'Reason' must be filled in.",
                ));
            }
            let new_limit = decimal_of(record.get(entity, "CreditLimit")) + amount;
            if new_limit < Decimal::ZERO {
                return Err(ErrorAnswer::write_failed(
                    entity.aot_name,
                    &format!(
                        "Warning: The credit limit cannot be negative (would be {new_limit})."
                    ),
                ));
            }
            let index = field_index(entity, "CreditLimit")?;
            let value = SqlValue::Text(new_limit.normalize().to_string());
            let updated = store::with_savepoint(conn, |conn| {
                store::update(conn, entity, key, &[(index, value)])
            })?
            .ok_or_else(|| ErrorAnswer::not_found("The customer no longer exists."))?;
            Ok(
                value_response(ctx, FieldType::Decimal, decimal_json(new_limit))
                    .with_events(vec![updated.change_event(entity, ChangeKind::Updated)]),
            )
        }
        _ => Err(unsupported(action)),
    }
}

/// `POST /data/Set/Microsoft.Dynamics.DataEntities.Action`.
pub fn invoke_on_collection(
    ctx: &ServiceContext,
    entity: &'static EntityDef,
    action: &'static ActionDef,
    body: &[u8],
    pairs: Vec<(String, String)>,
    conn: &Connection,
) -> Result<ODataResponse, ErrorAnswer> {
    let options = parse_options(pairs, None)?;
    parameters(action, body)?;
    match action.name {
        "CountOnHold" => {
            let mut parts: Vec<SqlCondition> =
                company_condition(ctx, entity, options.cross_company)
                    .into_iter()
                    .collect();
            parts.push(SqlCondition {
                sql: "\"OnHoldStatus\" <> 0".into(),
                params: Vec::new(),
            });
            let total = store::count(conn, entity, &SqlCondition::all(parts))?;
            Ok(value_response(
                ctx,
                FieldType::Int32,
                Value::Number(total.into()),
            ))
        }
        _ => Err(unsupported(action)),
    }
}

/// `POST /data/ActionImport`.
pub fn invoke_unbound(
    ctx: &ServiceContext,
    action: &'static ActionDef,
    body: &[u8],
) -> Result<ODataResponse, ErrorAnswer> {
    parameters(action, body)?;
    match action.name {
        "GetApplicationVersion" => Ok(value_response(
            ctx,
            FieldType::String(0),
            Value::String(APPLICATION_VERSION.into()),
        )),
        _ => Err(unsupported(action)),
    }
}
