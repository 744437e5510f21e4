//! The window's persisted UI state: which view, which action and which panels are open.

use serde::{Deserialize, Serialize};

/// The two main views of the window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum View {
    /// Pick an instance and an entity, run connector actions.
    #[default]
    Explorer,
    /// Design and run mini-flows.
    Flows,
}

impl View {
    /// Every view, in tab order.
    pub const ALL: [Self; 2] = [Self::Explorer, Self::Flows];

    /// The tab label.
    pub fn label(self) -> &'static str {
        match self {
            Self::Explorer => "Explorer",
            Self::Flows => "Flows",
        }
    }
}

/// The actions of the Finance & Operations connector, in the connector's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
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

/// UI state saved across restarts (eframe persistence).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct UiState {
    /// The main view on screen.
    pub view: View,
    /// The selected connector action in the explorer.
    pub action: ConnectorAction,
    /// Whether the left side panel is shown.
    pub side_panel_open: bool,
    /// Whether the HTTP trace at the bottom is expanded.
    pub trace_open: bool,
    /// Text typed in the entity search box.
    pub entity_query: String,
    /// The entity set picked in the entity dropdown.
    pub selected_entity: Option<String>,
    /// Dark (true) or light theme.
    pub dark_mode: bool,
}

impl Default for UiState {
    fn default() -> Self {
        Self {
            view: View::default(),
            action: ConnectorAction::default(),
            side_panel_open: true,
            trace_open: false,
            entity_query: String::new(),
            selected_entity: None,
            dark_mode: true,
        }
    }
}
