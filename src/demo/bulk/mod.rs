//! Bulk data on the demo instance: the data management package REST API (actions on
//! `DataManagementDefinitionGroups`, a loopback blob store for packages, executions that
//! run in the background) and recurring integrations (`/api/connector/enqueue`, `dequeue`,
//! `ack`, `jobstatus`, a queue per activity id kept in the demo database).

pub mod actions;
pub mod blobs;
pub mod error_keys;
pub mod export;
pub mod import;
pub mod package;
pub mod queue;
pub mod run;
pub mod tables;

use axum::Router;
use axum::routing::{get, post, put};
use rusqlite::Connection;

use super::error::ErrorAnswer;
use super::server::DemoState;
use tables::Blob;

pub use actions::DMF_ACTIONS;
pub use tables::{RECURRING_JOBS, install};

/// The entity set the package API's actions are bound to.
pub const DMF_SET: &str = "DataManagementDefinitionGroups";
/// Its entity type.
pub const DMF_TYPE: &str = "DataManagementDefinitionGroup";

/// The routes of bulk data, added to the demo's router.
pub fn routes(router: Router<DemoState>) -> Router<DemoState> {
    router
        .route(
            "/data/DataManagementDefinitionGroups/{action}",
            post(actions::dmf_entry),
        )
        .route("/dmf/blobs/{id}", put(blobs::put_blob).get(blobs::get_blob))
        .route("/api/connector/enqueue/{activity}", post(queue::enqueue))
        .route("/api/connector/dequeue/{activity}", get(queue::dequeue))
        .route("/api/connector/ack/{activity}", post(queue::ack))
        .route(
            "/api/connector/jobstatus/{activity}",
            get(queue::job_status),
        )
}

/// The URL of a blob on this instance, with its secret (the stand-in for a SAS token).
pub fn blob_url(origin: &str, blob: &Blob) -> String {
    format!("{origin}dmf/blobs/{}?sig={}", blob.id, blob.sig)
}

/// The id of the blob a URL of this instance names (its secret checked).
pub fn blob_of_url(conn: &Connection, url: &str) -> Result<String, ErrorAnswer> {
    let not_found = || {
        ErrorAnswer::bad_request(format!(
            "The package URL '{url}' does not name a blob of this instance (expected a URL from GetAzureWriteUrl)."
        ))
    };
    let rest = url.split_once("/dmf/blobs/").ok_or_else(not_found)?.1;
    let (id, query) = rest.split_once('?').unwrap_or((rest, ""));
    let sig = query
        .split('&')
        .find_map(|p| p.strip_prefix("sig="))
        .unwrap_or_default();
    let blob = tables::blob(conn, id)
        .map_err(|e| ErrorAnswer::internal(e.to_string()))?
        .filter(|b| b.sig == sig)
        .ok_or_else(not_found)?;
    if blob.content.is_none() {
        return Err(ErrorAnswer::bad_request(format!(
            "Nothing was uploaded to the package URL '{url}'."
        )));
    }
    Ok(blob.id)
}
