//! The top bar: instance picker, entity search, view tabs and the theme switch.

use super::connection::{Connection, InstanceChoice};
use super::entity_picker::{EntityPicker, entity_picker_ui};
use super::environments::{EnvironmentDiscovery, discovered_environments_ui};
use super::state::{UiState, View};
use super::theme;
use crate::auth::DiscoveredEnvironment;
use crate::odata::entity_index::EntityIndex;

/// What the user asked for in the top bar this frame.
#[derive(Debug, Default)]
pub struct TopBarEvents {
    /// The entity set picked in the entity dropdown.
    pub picked: Option<String>,
    /// Reload the instance's `$metadata`.
    pub refresh_metadata: bool,
    /// Switch to another instance.
    pub switch_to: Option<InstanceChoice>,
    /// Open the "Add instance…" dialog.
    pub add_instance: bool,
    /// Sign out of the connected saved instance.
    pub sign_out: bool,
    /// A discovered environment to save and connect to.
    pub discovered: Option<DiscoveredEnvironment>,
    /// Ask to remove the current saved instance.
    pub remove_instance: bool,
    /// Open the "Compare instances" window.
    pub compare: bool,
    /// Run the set-up check of the current saved instance.
    pub check_setup: bool,
    /// Open the "Data packages" window.
    pub data_packages: bool,
}

/// What the instance dropdown lists besides the demo instance.
pub struct InstanceList<'a> {
    /// Saved instances' names.
    pub saved: &'a [String],
    /// Saved instances' service roots (discovered environments already saved are hidden).
    pub saved_roots: &'a [url::Url],
    /// Environments discovered in the connected instance's tenant.
    pub discovery: &'a EnvironmentDiscovery,
}

/// Draws the top bar.
pub fn top_bar_ui(
    ui: &mut egui::Ui,
    state: &mut UiState,
    picker: &mut EntityPicker,
    connection: &Connection,
    instances: InstanceList<'_>,
    index: Option<&EntityIndex>,
) -> TopBarEvents {
    ui.add_space(4.0);
    let picked = ui.horizontal(|ui| {
        ui.heading("Flowbench");
        ui.separator();
        let mut events = instance_picker_ui(ui, connection, &state.instance, &instances);
        events.picked = entity_picker_ui(ui, picker, &mut state.entity_query, index);
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            if ui
                .selectable_label(state.shortcuts_open, "Shortcuts")
                .on_hover_text("Keyboard shortcuts (F1)")
                .clicked()
            {
                state.shortcuts_open = !state.shortcuts_open;
            }
            let theme_label = if state.dark_mode {
                "Light theme"
            } else {
                "Dark theme"
            };
            if ui
                .button(theme_label)
                .on_hover_text("Switch between dark and light")
                .clicked()
            {
                state.dark_mode = !state.dark_mode;
                theme::set_dark_mode(ui.ctx(), state.dark_mode);
            }
            ui.separator();
            for view in View::ALL.iter().rev() {
                ui.selectable_value(&mut state.view, *view, view.label());
            }
        });
        events
    });
    ui.add_space(2.0);
    picked.inner
}

/// The instance dropdown with its state dot: the demo instance, the saved ones, who is
/// signed in (with "Sign out") and "Add instance…"; then the signed-in identity and "Refresh".
fn instance_picker_ui(
    ui: &mut egui::Ui,
    connection: &Connection,
    current: &InstanceChoice,
    instances: &InstanceList<'_>,
) -> TopBarEvents {
    let mut events = TopBarEvents::default();
    let label = ui.label("Instance");
    let (dot, _) = ui.allocate_exact_size(egui::vec2(10.0, 10.0), egui::Sense::hover());
    ui.painter()
        .circle_filled(dot.center(), 4.5, connection.dot_color());
    let selected = match connection {
        Connection::Idle => egui::RichText::new("No instance connected").color(theme::MUTED),
        _ => egui::RichText::new(current.label()),
    };
    let connected = match connection {
        Connection::Connected(connected) => Some(connected.as_ref()),
        _ => None,
    };
    let identity = connected.and_then(|c| c.identity.as_ref());
    let choices = std::iter::once(InstanceChoice::Demo)
        .chain(instances.saved.iter().cloned().map(InstanceChoice::Saved));
    egui::ComboBox::from_id_salt("instance_picker")
        .selected_text(selected)
        .width(200.0)
        .height(480.0)
        .show_ui(ui, |ui| {
            for choice in choices {
                if ui
                    .selectable_label(&choice == current, choice.label())
                    .clicked()
                    && &choice != current
                {
                    events.switch_to = Some(choice);
                }
            }
            if connected.is_some_and(|c| c.auth.is_some()) {
                ui.separator();
                if let Some(identity) = identity {
                    ui.label(
                        egui::RichText::new(format!("Signed in as {}", identity.label()))
                            .color(theme::MUTED),
                    );
                }
                // A service principal signs in again silently with its secret: no sign-out.
                let delegated = connected
                    .and_then(|c| c.auth.as_ref())
                    .is_some_and(|a| a.profile().auth.is_delegated());
                if delegated && ui.selectable_label(false, "Sign out").clicked() {
                    events.sign_out = true;
                }
            }
            events.discovered =
                discovered_environments_ui(ui, instances.discovery, instances.saved_roots);
            ui.separator();
            if ui.selectable_label(false, "Add instance…").clicked() {
                events.add_instance = true;
            }
            if matches!(current, InstanceChoice::Saved(_))
                && ui
                    .selectable_label(false, "Check set-up…")
                    .on_hover_text(
                        "Test the app registration, the F&O registration and the roles, item by item",
                    )
                    .clicked()
            {
                events.check_setup = true;
            }
            if matches!(current, InstanceChoice::Saved(_))
                && ui
                    .selectable_label(false, "Remove instance…")
                    .on_hover_text("Delete this saved instance and its secrets")
                    .clicked()
            {
                events.remove_instance = true;
            }
        })
        .response
        .labelled_by(label.id)
        .on_hover_text(connection.status_text(0));
    if let Some(identity) = identity {
        ui.label(egui::RichText::new(identity.label()).color(theme::MUTED))
            .on_hover_text(format!("Signed in as {}", identity.label()));
    }
    events.refresh_metadata = ui
        .add_enabled(connected.is_some(), egui::Button::new("Refresh"))
        .on_hover_text("Reload the instance's $metadata (entities, fields, actions)")
        .clicked();
    events.compare = ui
        .add_enabled(connected.is_some(), egui::Button::new("Compare…"))
        .on_hover_text("Compare this instance's $metadata with another instance or a file")
        .clicked();
    events.data_packages = ui
        .add_enabled(connected.is_some(), egui::Button::new("Packages…"))
        .on_hover_text("Import and export data packages (data management package API)")
        .clicked();
    events
}
