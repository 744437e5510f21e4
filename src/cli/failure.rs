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
    if error
        .downcast_ref::<super::instance_check::ChecksFailed>()
        .is_some()
    {
        return exit::ASSERTION;
    }
    if let Some(interrupted) = error.downcast_ref::<super::export_file::Interrupted>() {
        return interrupted.exit_code();
    }
    match error.downcast_ref::<ODataError>() {
        Some(ODataError::InvalidRequest(_) | ODataError::InvalidUrl(_)) => exit::USAGE,
        _ => exit::RUNTIME,
    }
}

/// The full text to print on stderr: OData errors with details and Infolog. Output cut short
/// on stdout ([`IncompleteOutput`](super::export_file::IncompleteOutput)) is said on the last
/// line, as `error: the output on stdout is incomplete: …`.
pub fn describe(error: &anyhow::Error) -> String {
    use super::export_file::IncompleteOutput;
    let mut causes = error
        .chain()
        .filter(|cause| !cause.is::<IncompleteOutput>());
    let first = causes.next();
    let mut text = match first.and_then(|cause| cause.downcast_ref::<ODataError>()) {
        Some(ODataError::Server(server)) => server.report(),
        _ => first.map(ToString::to_string).unwrap_or_default(),
    };
    // Context layers added with `anyhow::Context` come first; causes follow.
    for cause in causes {
        if let Some(ODataError::Server(server)) = cause.downcast_ref::<ODataError>() {
            text.push_str(&format!("\n{}", server.report()));
        } else {
            text.push_str(&format!("\n  caused by: {cause}"));
        }
    }
    if let Some(incomplete) = error.downcast_ref::<IncompleteOutput>() {
        text.push_str(&format!("\nerror: {incomplete}"));
    }
    text
}
