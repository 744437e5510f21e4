//! The loopback stand-in for the blob storage F&O hands out URLs to: `PUT` writes a blob
//! allocated by `GetAzureWriteUrl`, `GET` reads one (exported packages, error files). The
//! `sig` query parameter plays the SAS token: a wrong one is refused with 403.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::tables;
use crate::demo::server::DemoState;

fn refused(status: StatusCode, message: &str) -> Response {
    (status, message.to_owned()).into_response()
}

/// `PUT /dmf/blobs/{id}?sig=…`: stores the body (201 Created, as blob storage answers).
pub async fn put_blob(
    State(state): State<DemoState>,
    Path(id): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    body: Bytes,
) -> Response {
    let sig = query.get("sig").cloned().unwrap_or_default();
    let result = state
        .with_connection(move |_, conn| match tables::blob(conn, &id) {
            Ok(Some(blob)) if blob.sig == sig => match tables::write_blob(conn, &id, &body) {
                Ok(()) => StatusCode::CREATED.into_response(),
                Err(_) => refused(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "the blob could not be written",
                ),
            },
            Ok(Some(_)) => refused(
                StatusCode::FORBIDDEN,
                "AuthenticationFailed: the signature does not match this blob",
            ),
            Ok(None) => refused(
                StatusCode::NOT_FOUND,
                "BlobNotFound: no blob was allocated at this URL",
            ),
            Err(_) => refused(
                StatusCode::INTERNAL_SERVER_ERROR,
                "the blob could not be read",
            ),
        })
        .await;
    result.unwrap_or_else(|_| {
        refused(
            StatusCode::INTERNAL_SERVER_ERROR,
            "the blob could not be written",
        )
    })
}

/// `GET /dmf/blobs/{id}?sig=…`: the blob's content.
pub async fn get_blob(
    State(state): State<DemoState>,
    Path(id): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let sig = query.get("sig").cloned().unwrap_or_default();
    let blob = state
        .with_connection(move |_, conn| tables::blob(conn, &id))
        .await;
    match blob {
        Ok(Ok(Some(blob))) if blob.sig != sig => refused(
            StatusCode::FORBIDDEN,
            "AuthenticationFailed: the signature does not match this blob",
        ),
        Ok(Ok(Some(tables::Blob {
            content: Some(content),
            name,
            ..
        }))) => {
            let content_type = if name.ends_with(".csv") {
                "text/csv"
            } else {
                "application/octet-stream"
            };
            ([(header::CONTENT_TYPE, content_type)], content).into_response()
        }
        Ok(Ok(_)) => refused(
            StatusCode::NOT_FOUND,
            "BlobNotFound: the specified blob does not exist",
        ),
        _ => refused(
            StatusCode::INTERNAL_SERVER_ERROR,
            "the blob could not be read",
        ),
    }
}
