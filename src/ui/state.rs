//! The window's persisted UI state: which view, which action and which panels are open.

use serde::{Deserialize, Serialize};

use super::forms::FormInputs;
pub use crate::connector::ConnectorAction;

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
    /// Recently run actions, newest first (at most [`RECENT_LIMIT`]).
    pub recent: Vec<RecentAction>,
    /// The instance to connect to on launch.
    pub instance: super::connection::InstanceChoice,
    /// Inputs of a recent action just picked, for the form once it is built.
    #[serde(skip)]
    pub pending_inputs: Option<FormInputs>,
    /// The keyboard shortcuts window is open.
    #[serde(skip)]
    pub shortcuts_open: bool,
    /// A record of the explorer handed to the Flows view as a trigger input.
    #[serde(skip)]
    pub flow_record: Option<serde_json::Value>,
    /// Flow files opened lately, newest first.
    pub recent_flows: Vec<std::path::PathBuf>,
}

/// How many recent actions are remembered.
pub const RECENT_LIMIT: usize = 12;

/// An action the user ran, remembered across restarts so it can be picked again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecentAction {
    /// Instance name it ran against.
    pub instance: String,
    /// Entity set, for actions on an entity.
    pub entity: Option<String>,
    /// The connector action.
    pub action: ConnectorAction,
    /// What the form held when it ran, to fill it again.
    #[serde(default)]
    pub inputs: Option<FormInputs>,
}

impl RecentAction {
    /// Whether both are the same action on the same entity and instance (inputs aside).
    pub fn same_action(&self, other: &Self) -> bool {
        self.instance == other.instance
            && self.entity == other.entity
            && self.action == other.action
    }

    /// A short reminder of the inputs, e.g. the key or the filter.
    pub fn detail(&self) -> Option<String> {
        let text = match self.inputs.as_ref()? {
            FormInputs::Key { keys, .. } => keys.clone(),
            FormInputs::Action { name, keys, .. } if keys.is_empty() => name.clone(),
            FormInputs::Action { name, keys, .. } => format!("{name} on {keys}"),
            FormInputs::List(list) => match (&list.raw_filter, list.rows.len()) {
                (Some(raw), _) => raw.clone(),
                (None, 0) => return None,
                (None, 1) => "1 filter row".to_owned(),
                (None, n) => format!("{n} filter rows"),
            },
            FormInputs::Record { values } => format!("{} fields filled", values.len()),
        };
        (!text.trim().is_empty()).then_some(text)
    }

    /// One line for the side panel, e.g. `List items · CustomersV3`.
    pub fn label(&self) -> String {
        match &self.entity {
            Some(entity) => format!("{} · {entity}", self.action.label()),
            None => self.action.label().to_owned(),
        }
    }
}

impl UiState {
    /// Remembers `recent` as the newest recent action (replacing the same action on the same
    /// entity and instance, whose inputs it takes over).
    pub fn remember(&mut self, recent: RecentAction) {
        self.recent.retain(|r| !r.same_action(&recent));
        self.recent.insert(0, recent);
        self.recent.truncate(RECENT_LIMIT);
    }
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
            recent: Vec::new(),
            instance: super::connection::InstanceChoice::Demo,
            pending_inputs: None,
            shortcuts_open: false,
            flow_record: None,
            recent_flows: Vec::new(),
        }
    }
}
