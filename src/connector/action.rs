//! The connector's actions by name, as the action bar and recent actions know them.

use serde::{Deserialize, Serialize};

/// The actions of the Finance & Operations connector, in the connector's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum ConnectorAction {
    /// List items of an entity set (filter, order, top, skip, select, expand).
    #[default]
    ListItems,
    /// Get one record by key.
    GetRecord,
    /// Create a record.
    CreateRecord,
    /// Update a record.
    UpdateRecord,
    /// Delete a record.
    DeleteRecord,
    /// Execute a bound or unbound OData action.
    ExecuteAction,
    /// Get the list of entity sets of the instance.
    ListEntities,
}

impl ConnectorAction {
    /// Every action, in the order of the action bar.
    pub const ALL: [Self; 7] = [
        Self::ListItems,
        Self::GetRecord,
        Self::CreateRecord,
        Self::UpdateRecord,
        Self::DeleteRecord,
        Self::ExecuteAction,
        Self::ListEntities,
    ];

    /// The button label (sentence case, as in the connector).
    pub fn label(self) -> &'static str {
        match self {
            Self::ListItems => "List items",
            Self::GetRecord => "Get a record",
            Self::CreateRecord => "Create a record",
            Self::UpdateRecord => "Update a record",
            Self::DeleteRecord => "Delete a record",
            Self::ExecuteAction => "Execute action",
            Self::ListEntities => "Get list of entities",
        }
    }

    /// One line saying what the action does.
    pub fn description(self) -> &'static str {
        match self {
            Self::ListItems => {
                "Read records of an entity with filter, order, top, skip, select and expand."
            }
            Self::GetRecord => "Read one record by its key values, in key order.",
            Self::CreateRecord => {
                "Create a record from a form generated from the entity's metadata."
            }
            Self::UpdateRecord => "Change a record; only changed fields are sent, with its ETag.",
            Self::DeleteRecord => "Delete a record by its key values, after confirmation.",
            Self::ExecuteAction => "Run an OData action bound to the entity, or an unbound one.",
            Self::ListEntities => "List the entity sets the instance publishes.",
        }
    }
}
