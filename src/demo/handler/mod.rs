//! One OData request handled in-process: `(method, path+query, headers, body, &Connection)` →
//! response. The HTTP router and `$batch` both dispatch through [`handle`].

mod actions;
mod page_json;
mod read;
mod response;
mod validate;
mod write;

use axum::http::{HeaderMap, Method};
use bytes::Bytes;
use rusqlite::Connection;

pub use response::ODataResponse;

use super::business_events::check_registration;
use super::error::ErrorAnswer;
use super::path::{Resource, parse_path};
use super::query::options::{check_unique_options, decode_query};

/// Per-service settings every request needs.
#[derive(Debug, Clone)]
pub struct ServiceContext {
    /// Absolute service root ending with `/`, e.g. `http://127.0.0.1:8080/data/`.
    pub service_root: String,
    /// The default company (`dataAreaId`) for reads without `cross-company=true` and creates.
    pub default_company: String,
    /// Server-driven page size (F&O: 10 000).
    pub page_size: u64,
}

/// One OData request.
#[derive(Debug, Clone)]
pub struct ODataRequest {
    /// HTTP method.
    pub method: Method,
    /// Path and query: `/data/CustomersV3?$top=1`, an absolute URL, or a path relative to the
    /// service root (`CustomersV3?$top=1`, as in `$batch` parts).
    pub path_and_query: String,
    /// Request headers.
    pub headers: HeaderMap,
    /// Request body (empty when none).
    pub body: Bytes,
}

/// Whether the query asks for `cross-company=true`.
fn cross_company(pairs: &[(String, String)]) -> bool {
    pairs
        .iter()
        .any(|(k, v)| k == "cross-company" && v.eq_ignore_ascii_case("true"))
}

/// The path below the service root and the query string of a request target.
fn split_target(target: &str) -> Result<(String, String), ErrorAnswer> {
    let mut rest = target;
    if let Some(after_scheme) = rest
        .strip_prefix("http://")
        .or_else(|| rest.strip_prefix("https://"))
    {
        rest = after_scheme.find('/').map_or("/", |i| &after_scheme[i..]);
    }
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    let relative = if let Some(absolute) = path.strip_prefix('/') {
        match absolute.strip_prefix("data") {
            Some(below) if below.is_empty() || below.starts_with('/') => {
                below.trim_start_matches('/')
            }
            _ => {
                return Err(ErrorAnswer::not_found(format!(
                    "No HTTP resource was found that matches the request URI '{path}'."
                )));
            }
        }
    } else {
        path
    };
    Ok((relative.to_owned(), query.to_owned()))
}

/// Handles one OData request against `conn`. Writes run in a savepoint; the change events of a
/// successful write are returned in [`ODataResponse::events`] for the caller to publish once
/// its transaction (if any) commits.
pub fn handle(ctx: &ServiceContext, req: &ODataRequest, conn: &Connection) -> ODataResponse {
    match dispatch(ctx, req, conn) {
        Ok(response) => response,
        Err(err) => ODataResponse::error(&err),
    }
}

fn dispatch(
    ctx: &ServiceContext,
    req: &ODataRequest,
    conn: &Connection,
) -> Result<ODataResponse, ErrorAnswer> {
    let (path, query) = split_target(&req.path_and_query)?;
    let resource = parse_path(&path)?;
    let pairs = decode_query(&query);
    check_unique_options(&pairs)?;
    let method = &req.method;
    if let Resource::Collection(entity) | Resource::Entity(entity, _) = &resource
        && [Method::POST, Method::PATCH, Method::PUT].contains(method)
    {
        check_registration(entity.set, &req.body)?;
    }
    match resource {
        Resource::ServiceDocument if method == Method::GET => Ok(read::service_document(ctx)),
        Resource::Metadata if method == Method::GET => Ok(read::metadata(&req.headers)),
        Resource::Collection(entity) if method == Method::GET => {
            read::collection(ctx, entity, pairs, &req.headers, conn)
        }
        Resource::Collection(entity) if method == Method::POST => {
            write::create(ctx, entity, &req.headers, &req.body, conn)
        }
        Resource::Count(entity) if method == Method::GET => read::count(ctx, entity, pairs, conn),
        Resource::Entity(entity, key) if method == Method::GET => {
            read::single(ctx, entity, &key, pairs, conn)
        }
        Resource::NavigationCount(entity, key, nav) if method == Method::GET => {
            read::navigation_count(ctx, entity, &key, nav, pairs, conn)
        }
        Resource::Navigation(entity, key, nav) if method == Method::GET => {
            read::navigation(ctx, entity, &key, nav, pairs, &req.headers, conn)
        }
        Resource::Entity(entity, key) if method == Method::PATCH || method == Method::PUT => {
            write::update(
                ctx,
                entity,
                &key,
                (&req.headers, &req.body),
                cross_company(&pairs),
                conn,
            )
        }
        Resource::Entity(entity, key) if method == Method::DELETE => {
            write::delete(ctx, entity, &key, &req.headers, cross_company(&pairs), conn)
        }
        Resource::EntityAction(entity, key, action) if method == Method::POST => {
            actions::invoke_on_entity(
                ctx,
                entity,
                &key,
                action,
                (&req.headers, &req.body),
                pairs,
                conn,
            )
        }
        Resource::CollectionAction(entity, action) if method == Method::POST => {
            actions::invoke_on_collection(ctx, entity, action, &req.body, pairs, conn)
        }
        Resource::ActionImport(action) if method == Method::POST => {
            actions::invoke_unbound(ctx, action, &req.body)
        }
        _ => Err(ErrorAnswer::method_not_allowed(format!(
            "The HTTP method '{method}' is not allowed on '{path}'."
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::split_target;

    #[test]
    fn split_target_accepts_absolute_rooted_and_relative_targets() {
        let expect = ("CustomersV3".to_owned(), "$top=1".to_owned());
        assert_eq!(
            split_target("http://h:1/data/CustomersV3?$top=1").unwrap(),
            expect
        );
        assert_eq!(split_target("/data/CustomersV3?$top=1").unwrap(), expect);
        assert_eq!(split_target("CustomersV3?$top=1").unwrap(), expect);
        assert_eq!(split_target("/data").unwrap().0, "");
        assert!(split_target("/other/CustomersV3").is_err());
    }
}
