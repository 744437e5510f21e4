//! Change events published on every create, update and delete (business events subscribe).

use serde::Serialize;
use serde_json::{Map, Value};
use tokio::sync::broadcast;

/// How many events a slow subscriber may lag behind before it misses some.
pub const EVENT_CHANNEL_CAPACITY: usize = 4096;

/// What happened to a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ChangeKind {
    /// The record was inserted.
    Created,
    /// The record was changed (PATCH or a record-changing action).
    Updated,
    /// The record was deleted.
    Deleted,
}

/// One committed change to one record.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChangeEvent {
    /// Entity set name, e.g. `CustomersV3`.
    pub entity_set: String,
    /// The record's company (`dataAreaId`), `None` for global entities.
    pub company: Option<String>,
    /// Key property values by name.
    pub keys: Map<String, Value>,
    /// What happened.
    pub kind: ChangeKind,
    /// The record as OData JSON (the last state for deletes), without annotations.
    pub record: Value,
}

/// Creates the broadcast channel carried by the server state.
pub fn channel() -> broadcast::Sender<ChangeEvent> {
    broadcast::channel(EVENT_CHANNEL_CAPACITY).0
}

/// Publishes events; having no subscriber is not an error.
pub fn publish(sender: &broadcast::Sender<ChangeEvent>, events: Vec<ChangeEvent>) {
    for event in events {
        // `send` only fails when nobody listens, which is fine.
        let _ = sender.send(event);
    }
}
