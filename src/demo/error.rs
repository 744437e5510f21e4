//! Errors: [`DemoError`] for starting the server, [`ErrorAnswer`] for OData error responses.

use axum::http::StatusCode;
use serde_json::json;

/// A failure starting or running the demo server.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    /// The SQLite database could not be opened, created or seeded.
    #[error("demo database error: {0}")]
    Database(#[from] rusqlite::Error),
    /// Binding the listening socket failed.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address that was tried.
        addr: String,
        /// The underlying IO error.
        source: std::io::Error,
    },
    /// Another IO failure (temporary directory, runtime, thread).
    #[error("demo server IO error: {0}")]
    Io(#[from] std::io::Error),
    /// The configuration is not usable.
    #[error("invalid demo configuration: {0}")]
    Config(String),
}

/// The .NET exception type F&O reports for query and payload errors.
pub const ODATA_EXCEPTION: &str = "Microsoft.OData.ODataException";
/// The exception type F&O reports for failed writes.
pub const WRITE_EXCEPTION: &str =
    "Microsoft.Dynamics.Platform.Integration.Services.OData.AxODataWriteException";
/// The exception type F&O reports for a missing record or resource.
pub const NOT_FOUND_EXCEPTION: &str =
    "Microsoft.Dynamics.Platform.Integration.Services.OData.AxODataObjectNotFoundException";

/// An OData error answer the demo sends: status plus the body fields F&O sends (the
/// client side reads such answers as `odata::client::ODataError`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorAnswer {
    /// HTTP status.
    pub status: StatusCode,
    /// `error.code` (F&O mostly sends an empty string).
    pub code: String,
    /// `error.message`.
    pub message: String,
    /// `error.innererror.message`.
    pub inner_message: String,
    /// `error.innererror.type`.
    pub inner_type: String,
}

impl ErrorAnswer {
    /// An error with the same outer and inner message.
    pub fn new(status: StatusCode, message: impl Into<String>, inner_type: &str) -> Self {
        let message = message.into();
        Self {
            status,
            code: String::new(),
            inner_message: message.clone(),
            message,
            inner_type: inner_type.to_owned(),
        }
    }

    /// A 400 for an invalid or unsupported request (query option, literal, payload).
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message, ODATA_EXCEPTION)
    }

    /// A 404 for a missing resource or record.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, message, NOT_FOUND_EXCEPTION)
    }

    /// A 400 write failure whose Infolog text names the problem, like F&O's.
    pub fn write_failed(aot_name: &str, infolog: &str) -> Self {
        let text = format!(
            "Write validation failed for table row of type '{aot_name}'. Infolog: {infolog}"
        );
        Self::new(StatusCode::BAD_REQUEST, text, WRITE_EXCEPTION)
    }

    /// A 405 for a method the resource does not allow.
    pub fn method_not_allowed(message: impl Into<String>) -> Self {
        Self::new(StatusCode::METHOD_NOT_ALLOWED, message, ODATA_EXCEPTION)
    }

    /// A 500 for an unexpected internal (database) failure.
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            message,
            "System.Data.SqlClient.SqlException",
        )
    }

    /// The JSON error body.
    pub fn body(&self) -> serde_json::Value {
        json!({
            "error": {
                "code": self.code,
                "message": self.message,
                "innererror": {
                    "message": self.inner_message,
                    "type": self.inner_type,
                    "stacktrace": ""
                }
            }
        })
    }
}

impl From<rusqlite::Error> for ErrorAnswer {
    fn from(err: rusqlite::Error) -> Self {
        Self::internal(format!("Database operation failed: {err}"))
    }
}
