//! Reads: service document, `$metadata`, collections (paged), `/$count` and single entities.

use axum::http::{HeaderMap, HeaderName, StatusCode, header};
use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
use rusqlite::Connection;
use rusqlite::types::Value as SqlValue;
use serde_json::{Map, Value, json};
use sha2::Digest;

use super::ODataResponse;
use super::ServiceContext;
use crate::demo::csdl::metadata_xml;
use crate::demo::error::ErrorAnswer;
use crate::demo::path::key_predicate;
use crate::demo::query::options::{ExpandItem, QueryOptions, parse_options};
use crate::demo::query::sql::{SqlCondition, to_sql};
use crate::demo::schema::{COMPANY_FIELD, ENTITIES, EntityDef, NavDef, entity_by_name};
use crate::demo::store::{self, Record};

/// Characters escaped in next-link query values (`$`, `'`, `(` and `,` stay readable).
const QUERY_UNSAFE: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'&')
    .add(b'+')
    .add(b'<')
    .add(b'=')
    .add(b'>')
    .add(b'?');

/// `GET /data/`.
pub fn service_document(ctx: &ServiceContext) -> ODataResponse {
    let sets: Vec<Value> = ENTITIES
        .iter()
        .map(|e| json!({"name": e.set, "kind": "EntitySet", "url": e.set}))
        .collect();
    ODataResponse::json(
        StatusCode::OK,
        &json!({"@odata.context": format!("{}$metadata", ctx.service_root), "value": sets}),
    )
}

/// `GET /data/$metadata`, with a strong `ETag` (a digest of the document) so that clients
/// can revalidate their cached copy: a matching `If-None-Match` is answered 304, no body.
pub fn metadata(headers: &HeaderMap) -> ODataResponse {
    let document = metadata_xml();
    let digest = sha2::Sha256::digest(document.as_bytes());
    let hex: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
    let etag = format!("\"{hex}\"");
    let revalidated = headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|tag| tag.trim().trim_start_matches("W/"))
        .any(|tag| tag == etag || tag == "*");
    let response = if revalidated {
        ODataResponse::status_only(StatusCode::NOT_MODIFIED)
    } else {
        ODataResponse::text(StatusCode::OK, "application/xml", document)
    };
    response.with_header(header::ETAG, &etag)
}

/// The company restriction of a read, if any.
pub fn company_condition(
    ctx: &ServiceContext,
    entity: &EntityDef,
    cross_company: bool,
) -> Option<SqlCondition> {
    (entity.company_scoped && !cross_company)
        .then(|| SqlCondition::equals(COMPANY_FIELD, SqlValue::Text(ctx.default_company.clone())))
}

fn read_condition(
    ctx: &ServiceContext,
    entity: &EntityDef,
    options: &QueryOptions,
) -> Result<SqlCondition, ErrorAnswer> {
    let mut parts: Vec<SqlCondition> = company_condition(ctx, entity, options.cross_company)
        .into_iter()
        .collect();
    if let Some(filter) = &options.filter {
        parts.push(to_sql(filter, entity)?);
    }
    Ok(SqlCondition::all(parts))
}

/// The `odata.maxpagesize` preference of a request.
fn max_page_size(headers: &HeaderMap) -> Option<u64> {
    headers
        .get_all("prefer")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|p| p.trim().strip_prefix("odata.maxpagesize="))
        .find_map(|n| n.trim().parse().ok())
        .filter(|n| *n > 0)
}

fn context_url(
    ctx: &ServiceContext,
    entity: &EntityDef,
    options: &QueryOptions,
    suffix: &str,
) -> String {
    let mut items: Vec<String> = options.select.clone().unwrap_or_default();
    for item in &options.expand {
        let nested = item
            .select
            .as_ref()
            .map(|s| s.join(","))
            .unwrap_or_default();
        items.push(format!("{}({nested})", item.nav.name));
    }
    let projection = if items.is_empty() {
        String::new()
    } else {
        format!("({})", items.join(","))
    };
    format!(
        "{}$metadata#{}{projection}{suffix}",
        ctx.service_root, entity.set
    )
}

/// The JSON of one record with its ETag and expanded navigation properties.
pub fn entity_json(
    entity: &EntityDef,
    record: &Record,
    select: Option<&[String]>,
    expand: &[ExpandItem],
    conn: &Connection,
) -> Result<Value, ErrorAnswer> {
    let mut map = Map::new();
    map.insert("@odata.etag".into(), Value::String(record.etag()));
    map.extend(record.to_json(entity, select));
    for item in expand {
        let condition = nav_condition(entity, record, item.nav);
        let limit = if item.nav.collection { None } else { Some(1) };
        let rows = store::select(conn, item.target, &condition, &[], limit, 0)?;
        let mut values = Vec::with_capacity(rows.len());
        for row in &rows {
            values.push(entity_json(
                item.target,
                row,
                item.select.as_deref(),
                &[],
                conn,
            )?);
        }
        let value = if item.nav.collection {
            Value::Array(values)
        } else {
            values.into_iter().next().unwrap_or(Value::Null)
        };
        map.insert(item.nav.name.to_owned(), value);
    }
    Ok(Value::Object(map))
}

fn next_link(
    ctx: &ServiceContext,
    link_path: &str,
    options: &QueryOptions,
    skip_token: u64,
) -> String {
    let mut pairs: Vec<String> = options
        .raw
        .iter()
        .filter(|(n, _)| n != "$skiptoken")
        .map(|(name, value)| {
            format!(
                "{}={}",
                utf8_percent_encode(name, QUERY_UNSAFE),
                utf8_percent_encode(value, QUERY_UNSAFE)
            )
        })
        .collect();
    pairs.push(format!("$skiptoken={skip_token}"));
    format!("{}{link_path}?{}", ctx.service_root, pairs.join("&"))
}

/// `GET /data/Set`: filtered, ordered, server-paged.
pub fn collection(
    ctx: &ServiceContext,
    entity: &'static EntityDef,
    pairs: Vec<(String, String)>,
    headers: &HeaderMap,
    conn: &Connection,
) -> Result<ODataResponse, ErrorAnswer> {
    let options = parse_options(pairs, Some(entity))?;
    let condition = read_condition(ctx, entity, &options)?;
    page(ctx, entity, entity.set, &options, &condition, headers, conn)
}

/// One server-driven page of `entity` rows matching `condition`; next links point at
/// `link_path` (relative to the service root).
fn page(
    ctx: &ServiceContext,
    entity: &'static EntityDef,
    link_path: &str,
    options: &QueryOptions,
    condition: &SqlCondition,
    headers: &HeaderMap,
    conn: &Connection,
) -> Result<ODataResponse, ErrorAnswer> {
    let preferred = max_page_size(headers);
    let page_size = preferred.unwrap_or(ctx.page_size).max(1);
    let delivered = options.skip_token;
    let remaining = options.top.map(|t| t.saturating_sub(delivered));
    let take = remaining.map_or(page_size, |r| r.min(page_size));
    let want_more = remaining.is_none_or(|r| r > take);
    let limit = Some(take + u64::from(want_more));
    let offset = options.skip.saturating_add(delivered);
    let mut response = if options.expand.is_empty() {
        // Written straight from the rows: the common listing, and the one at scale.
        let mut body = Vec::with_capacity(usize::try_from(take.min(1_000)).unwrap_or(0) * 512);
        body.extend_from_slice(b"{\"@odata.context\":");
        super::page_json::write_string(&mut body, &context_url(ctx, entity, options, ""));
        if options.count {
            let total = store::count(conn, entity, condition)?;
            body.extend_from_slice(format!(",\"@odata.count\":{total}").as_bytes());
        }
        body.extend_from_slice(b",\"value\":[");
        let mut seen = 0u64;
        store::visit_rows(
            conn,
            entity,
            condition,
            &options.order_by,
            limit,
            offset,
            |row| {
                seen += 1;
                if seen > take {
                    return Ok(());
                }
                if seen > 1 {
                    body.push(b',');
                }
                super::page_json::write_record(&mut body, entity, row, options.select.as_deref())
            },
        )?;
        body.push(b']');
        if want_more && seen > take {
            let link = next_link(ctx, link_path, options, delivered + take);
            body.extend_from_slice(b",\"@odata.nextLink\":");
            super::page_json::write_string(&mut body, &link);
        }
        body.push(b'}');
        ODataResponse::json_bytes(StatusCode::OK, body)
    } else {
        let mut rows = store::select(conn, entity, condition, &options.order_by, limit, offset)?;
        let has_more = want_more && rows.len() as u64 > take;
        rows.truncate(usize::try_from(take).unwrap_or(usize::MAX));
        let mut body = Map::new();
        body.insert(
            "@odata.context".into(),
            Value::String(context_url(ctx, entity, options, "")),
        );
        if options.count {
            let total = store::count(conn, entity, condition)?;
            body.insert("@odata.count".into(), Value::Number(total.into()));
        }
        let mut values = Vec::with_capacity(rows.len());
        for row in &rows {
            values.push(entity_json(
                entity,
                row,
                options.select.as_deref(),
                &options.expand,
                conn,
            )?);
        }
        body.insert("value".into(), Value::Array(values));
        if has_more {
            let link = next_link(ctx, link_path, options, delivered + take);
            body.insert("@odata.nextLink".into(), Value::String(link));
        }
        ODataResponse::json(StatusCode::OK, &Value::Object(body))
    };
    if let Some(size) = preferred {
        response = response.with_header(
            HeaderName::from_static("preference-applied"),
            &format!("odata.maxpagesize={size}"),
        );
    }
    Ok(response)
}

/// `GET /data/Set/$count`.
pub fn count(
    ctx: &ServiceContext,
    entity: &'static EntityDef,
    pairs: Vec<(String, String)>,
    conn: &Connection,
) -> Result<ODataResponse, ErrorAnswer> {
    let options = count_options(pairs, entity)?;
    let condition = read_condition(ctx, entity, &options)?;
    Ok(count_response(store::count(conn, entity, &condition)?))
}

/// `GET /data/Set(keys)/Nav/$count`: the related entities of one record (with `$filter`).
pub fn navigation_count(
    ctx: &ServiceContext,
    entity: &'static EntityDef,
    key: &[SqlValue],
    nav: &'static NavDef,
    pairs: Vec<(String, String)>,
    conn: &Connection,
) -> Result<ODataResponse, ErrorAnswer> {
    let target = entity_by_name(nav.target).ok_or_else(|| {
        ErrorAnswer::internal(format!("unknown navigation target {}", nav.target))
    })?;
    let options = count_options(pairs, target)?;
    let parent = find_scoped(ctx, entity, key, options.cross_company, conn)?;
    let mut parts = vec![nav_condition(entity, &parent, nav)];
    if let Some(filter) = &options.filter {
        parts.push(to_sql(filter, target)?);
    }
    let total = store::count(conn, target, &SqlCondition::all(parts))?;
    Ok(count_response(total))
}

/// The query options of a `/$count` request, which takes no `$select` or `$expand`.
fn count_options(
    pairs: Vec<(String, String)>,
    entity: &'static EntityDef,
) -> Result<QueryOptions, ErrorAnswer> {
    let options = parse_options(pairs, Some(entity))?;
    if !options.expand.is_empty() || options.select.is_some() {
        return Err(ErrorAnswer::bad_request(
            "The query specified in the URI is not valid. $select and $expand are not allowed with /$count.",
        ));
    }
    Ok(options)
}

fn count_response(total: u64) -> ODataResponse {
    ODataResponse::text(StatusCode::OK, "text/plain", total.to_string())
}

/// Finds a record by key, honouring company scoping (another company's row is not found,
/// as in F&O without `cross-company=true`).
pub fn find_scoped(
    ctx: &ServiceContext,
    entity: &EntityDef,
    key: &[SqlValue],
    cross_company: bool,
    conn: &Connection,
) -> Result<Record, ErrorAnswer> {
    let missing = || {
        ErrorAnswer::not_found(format!(
            "Resource not found for the segment '{}'.",
            entity.set
        ))
    };
    if entity.company_scoped && !cross_company {
        let company = entity
            .key_fields()
            .zip(key)
            .find(|(f, _)| f.name == COMPANY_FIELD)
            .map(|(_, v)| v);
        if let Some(SqlValue::Text(company)) = company
            && !company.eq_ignore_ascii_case(&ctx.default_company)
        {
            return Err(missing());
        }
    }
    store::find(conn, entity, key)?.ok_or_else(missing)
}

/// `GET /data/Set(keys)`.
pub fn single(
    ctx: &ServiceContext,
    entity: &'static EntityDef,
    key: &[SqlValue],
    pairs: Vec<(String, String)>,
    conn: &Connection,
) -> Result<ODataResponse, ErrorAnswer> {
    let options = parse_options(pairs, Some(entity))?;
    if options.filter.is_some()
        || options.top.is_some()
        || options.skip > 0
        || !options.order_by.is_empty()
        || options.count
    {
        return Err(ErrorAnswer::bad_request(
            "The query specified in the URI is not valid. Only $select and $expand apply to a single entity.",
        ));
    }
    let record = find_scoped(ctx, entity, key, options.cross_company, conn)?;
    single_entity_response(ctx, entity, &record, &options, conn)
}

/// The condition selecting the targets of `nav` from `record`.
pub fn nav_condition(entity: &EntityDef, record: &Record, nav: &NavDef) -> SqlCondition {
    SqlCondition::all(
        nav.constraints
            .iter()
            .map(|(local, remote)| {
                SqlCondition::equals(
                    remote,
                    record.get(entity, local).cloned().unwrap_or(SqlValue::Null),
                )
            })
            .collect(),
    )
}

/// `GET /data/Set(keys)/Navigation`: the related entity or (paged) collection.
pub fn navigation(
    ctx: &ServiceContext,
    entity: &'static EntityDef,
    key: &[SqlValue],
    nav: &'static NavDef,
    pairs: Vec<(String, String)>,
    headers: &HeaderMap,
    conn: &Connection,
) -> Result<ODataResponse, ErrorAnswer> {
    let target = entity_by_name(nav.target).ok_or_else(|| {
        ErrorAnswer::internal(format!("unknown navigation target {}", nav.target))
    })?;
    let options = parse_options(pairs, Some(target))?;
    let parent = find_scoped(ctx, entity, key, options.cross_company, conn)?;
    let mut parts = vec![nav_condition(entity, &parent, nav)];
    if let Some(filter) = &options.filter {
        parts.push(to_sql(filter, target)?);
    }
    let condition = SqlCondition::all(parts);
    if nav.collection {
        let predicate = key_predicate(entity, key);
        let link_path = format!(
            "{}{}/{}",
            entity.set,
            utf8_percent_encode(&predicate, QUERY_UNSAFE),
            nav.name
        );
        return page(ctx, target, &link_path, &options, &condition, headers, conn);
    }
    let record = store::select(conn, target, &condition, &[], Some(1), 0)?
        .into_iter()
        .next()
        .ok_or_else(|| {
            ErrorAnswer::not_found(format!(
                "Resource not found for the segment '{}'.",
                nav.name
            ))
        })?;
    single_entity_response(ctx, target, &record, &options, conn)
}

/// One entity as a response: its JSON (with `$select`/`$expand`), `@odata.context` first,
/// and its `ETag` header.
fn single_entity_response(
    ctx: &ServiceContext,
    entity: &EntityDef,
    record: &Record,
    options: &QueryOptions,
    conn: &Connection,
) -> Result<ODataResponse, ErrorAnswer> {
    let mut value = entity_json(
        entity,
        record,
        options.select.as_deref(),
        &options.expand,
        conn,
    )?;
    if let Value::Object(map) = &mut value {
        let mut with_context = Map::new();
        with_context.insert(
            "@odata.context".into(),
            Value::String(context_url(ctx, entity, options, "/$entity")),
        );
        with_context.extend(std::mem::take(map));
        *map = with_context;
    }
    Ok(ODataResponse::json(StatusCode::OK, &value).with_header(header::ETAG, &record.etag()))
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderMap;
    use rusqlite::Connection;
    use serde_json::Value;

    use super::*;
    use crate::demo::schema::ENTITIES;

    fn seeded() -> Connection {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(&crate::demo::ddl::schema_sql()).unwrap();
        crate::demo::seed::seed(&mut conn, 30).unwrap();
        conn
    }

    /// The value-based page: what every listing was before pages were written from rows.
    fn page_from_values(
        ctx: &ServiceContext,
        entity: &'static EntityDef,
        options: &QueryOptions,
        condition: &SqlCondition,
        take: u64,
        conn: &Connection,
    ) -> Value {
        let rows = store::select(
            conn,
            entity,
            condition,
            &options.order_by,
            Some(take),
            options.skip,
        )
        .unwrap();
        let mut body = Map::new();
        body.insert(
            "@odata.context".into(),
            Value::String(context_url(ctx, entity, options, "")),
        );
        if options.count {
            body.insert(
                "@odata.count".into(),
                Value::Number(store::count(conn, entity, condition).unwrap().into()),
            );
        }
        let values: Vec<Value> = rows
            .iter()
            .map(|row| entity_json(entity, row, options.select.as_deref(), &[], conn).unwrap())
            .collect();
        body.insert("value".into(), Value::Array(values));
        Value::Object(body)
    }

    #[test]
    fn pages_written_from_rows_are_the_text_the_values_give() {
        let conn = seeded();
        let ctx = ServiceContext {
            service_root: "http://127.0.0.1:1/data/".into(),
            default_company: "usmf".into(),
            page_size: 10_000,
        };
        let mut checked = 0;
        for entity in ENTITIES {
            for query in ["", "$count=true&$skip=3", "$select=dataAreaId"] {
                let pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
                    .map(|(k, v)| (k.into_owned(), v.into_owned()))
                    .collect();
                let Ok(options) = parse_options(pairs.clone(), Some(entity)) else {
                    continue;
                };
                let condition = read_condition(&ctx, entity, &options).unwrap();
                let written = collection(&ctx, entity, pairs, &HeaderMap::new(), &conn).unwrap();
                let expected = page_from_values(&ctx, entity, &options, &condition, 10_000, &conn);
                assert_eq!(
                    String::from_utf8(written.body).unwrap(),
                    expected.to_string(),
                    "{} ?{query}",
                    entity.set
                );
                checked += 1;
            }
        }
        assert!(checked >= ENTITIES.len() * 2, "{checked}");
    }
}
