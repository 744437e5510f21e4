//! The top bar: instance picker, entity search, view tabs and the theme switch.

use super::connection::{Connection, DEMO_INSTANCE_NAME};
use super::entity_picker::{EntityPicker, entity_picker_ui};
use super::state::{UiState, View};
use super::theme;
use crate::odata::entity_index::EntityIndex;

/// What the user asked for in the top bar this frame.
#[derive(Debug, Default)]
pub struct TopBarEvents {
    /// The entity set picked in the entity dropdown.
    pub picked: Option<String>,
    /// Reload the instance's `$metadata`.
    pub refresh_metadata: bool,
}

/// Draws the top bar.
pub fn top_bar_ui(
    ui: &mut egui::Ui,
    state: &mut UiState,
    picker: &mut EntityPicker,
    connection: &Connection,
    index: Option<&EntityIndex>,
) -> TopBarEvents {
    ui.add_space(4.0);
    let picked = ui.horizontal(|ui| {
        ui.heading("Flowbench");
        ui.separator();
        let refresh_metadata = instance_picker_ui(ui, connection);
        let picked = entity_picker_ui(ui, picker, &mut state.entity_query, index);
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
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
        TopBarEvents {
            picked,
            refresh_metadata,
        }
    });
    ui.add_space(2.0);
    picked.inner
}

/// The instance dropdown with its state dot; returns true when "Refresh" is clicked.
fn instance_picker_ui(ui: &mut egui::Ui, connection: &Connection) -> bool {
    ui.label("Instance");
    let (dot, _) = ui.allocate_exact_size(egui::vec2(10.0, 10.0), egui::Sense::hover());
    ui.painter()
        .circle_filled(dot.center(), 4.5, connection.dot_color());
    let selected = match connection {
        Connection::Idle => egui::RichText::new("No instance connected").color(theme::MUTED),
        _ => egui::RichText::new(DEMO_INSTANCE_NAME),
    };
    egui::ComboBox::from_id_salt("instance_picker")
        .selected_text(selected)
        .width(200.0)
        .show_ui(ui, |ui| {
            let _ = ui.selectable_label(true, DEMO_INSTANCE_NAME);
            ui.label(
                egui::RichText::new("Saved instances and sign-in come with instance profiles.")
                    .color(theme::MUTED),
            );
        })
        .response
        .on_hover_text(connection.status_text(0));
    let connected = matches!(connection, Connection::Connected(_));
    ui.add_enabled(connected, egui::Button::new("Refresh"))
        .on_hover_text("Reload the instance's $metadata (entities, fields, actions)")
        .clicked()
}
