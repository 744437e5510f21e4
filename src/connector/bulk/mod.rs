//! Bulk data through the connector layer: the data management package REST API (upload a
//! package and import it into a data project, export a data project and download the
//! package, poll an execution until it ends, its errors and error keys file) and recurring
//! integrations (enqueue, dequeue, ack, job status). Headless: the command line, the window
//! and flows call these.

pub mod dmf;
pub mod queue;
pub mod status;
pub mod wait;

pub use dmf::{DMF_SET, ImportParams, WriteUrl};
pub use queue::DequeuedMessage;
pub use status::ExecutionStatus;
pub use wait::{WaitOptions, wait_for_execution};

use crate::odata::client::ODataError;

use super::package::PackageError;

/// Why a bulk-data call failed.
#[derive(Debug, thiserror::Error)]
pub enum BulkError {
    /// The request failed (the OData error keeps the server's message and Infolog).
    #[error(transparent)]
    OData(#[from] ODataError),
    /// The answer was not what the documented API returns.
    #[error("{call}: expected {expected}, found {found}")]
    Unexpected {
        /// The call, e.g. `GetAzureWriteUrl`.
        call: String,
        /// What the API documents.
        expected: String,
        /// What came back.
        found: String,
    },
    /// The execution did not end within the timeout.
    #[error("execution {execution} still {last} after {waited_secs} s (the timeout)")]
    Timeout {
        /// The execution id.
        execution: String,
        /// Its last status.
        last: ExecutionStatus,
        /// Seconds waited.
        waited_secs: u64,
    },
    /// The package could not be built or read.
    #[error(transparent)]
    Package(#[from] PackageError),
}
