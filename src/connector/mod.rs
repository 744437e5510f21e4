//! The connector layer: the Finance & Operations connector's actions (list items, get,
//! create, update, delete, execute action, list entities) as plain data, run headless over
//! the OData client, and the session that opens an instance. The window, the command line
//! and the flow runner are its callers; it knows nothing of egui, clap or printing.

pub mod action;
pub mod batch;
pub mod bulk;
pub mod csv_import;
pub mod outcome;
pub mod package;
pub mod records;
pub mod request;
pub mod resolve;
pub mod run;
pub mod saved_file;
pub mod session;
pub mod setup_check;

pub use action::ConnectorAction;
pub use outcome::{Completed, Outcome};
pub use request::{ActionRequest, RecordRef};
pub use resolve::InputError;
pub use run::{listing_url, run};
pub use session::{DEMO_INSTANCE_NAME, Session, SessionError};
