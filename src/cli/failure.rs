//! How command failures reach the user: the message (with the OData error report and
//! Infolog) on stderr and an exit code per failure class.

use crate::connector::{InputError, SessionError};
use crate::odata::client::ODataError;

use super::exit;

/// A problem with the command line or its input (exit code 1).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// Creates a usage error as an `anyhow::Error`.
pub fn usage(message: impl Into<String>) -> anyhow::Error {
    UsageError(message.into()).into()
}

/// Input that is not what it must be, e.g. a `--data` that is not JSON (exit code 2).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct InvalidInput(pub String);

/// Creates an invalid-input error as an `anyhow::Error`.
pub fn invalid_input(message: impl Into<String>) -> anyhow::Error {
    InvalidInput(message.into()).into()
}

/// The exit code for a failed command.
pub fn exit_code(error: &anyhow::Error) -> i32 {
    if error.downcast_ref::<InvalidInput>().is_some()
        || error
            .downcast_ref::<super::package::InvalidInput>()
            .is_some()
    {
        return exit::INVALID_INPUT;
    }
    if error.downcast_ref::<UsageError>().is_some()
        || error.downcast_ref::<InputError>().is_some()
        || matches!(
            error.downcast_ref::<SessionError>(),
            Some(SessionError::BadUrl { .. } | SessionError::NotSaved(_))
        )
    {
        return exit::USAGE;
    }
    match error.downcast_ref::<ODataError>() {
        Some(ODataError::InvalidRequest(_) | ODataError::InvalidUrl(_)) => exit::USAGE,
        _ => exit::RUNTIME,
    }
}

/// The full text to print on stderr: OData errors with details and Infolog.
pub fn describe(error: &anyhow::Error) -> String {
    let mut text = match error.downcast_ref::<ODataError>() {
        Some(ODataError::Server(server)) => server.report(),
        _ => error.to_string(),
    };
    // Context layers added with `anyhow::Context` come first; causes follow.
    for cause in error.chain().skip(1) {
        if let Some(ODataError::Server(server)) = cause.downcast_ref::<ODataError>() {
            text.push_str(&format!("\n{}", server.report()));
        } else {
            text.push_str(&format!("\n  caused by: {cause}"));
        }
    }
    text
}
