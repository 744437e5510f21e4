//! The top bar: instance picker, entity search, view tabs and the theme switch.

use super::app::ENTITY_SEARCH_ID;
use super::state::{UiState, View};
use super::theme;

/// Draws the top bar.
pub fn top_bar_ui(ui: &mut egui::Ui, state: &mut UiState) {
    ui.add_space(4.0);
    ui.horizontal(|ui| {
        ui.heading("Flowbench");
        ui.separator();
        instance_picker_ui(ui);
        entity_search_ui(ui, state);
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
    });
    ui.add_space(2.0);
}

fn instance_picker_ui(ui: &mut egui::Ui) {
    ui.label("Instance");
    egui::ComboBox::from_id_salt("instance_picker")
        .selected_text(egui::RichText::new("No instance connected").color(theme::MUTED))
        .width(200.0)
        .show_ui(ui, |ui| {
            ui.label(
                egui::RichText::new(
                    "The embedded demo instance and your saved instances will be listed here.",
                )
                .color(theme::MUTED),
            );
        })
        .response
        .on_hover_text("Instance to work with");
}

fn entity_search_ui(ui: &mut egui::Ui, state: &mut UiState) {
    let label = ui.label("Entity");
    ui.add(
        egui::TextEdit::singleline(&mut state.entity_query)
            .id(egui::Id::unique(ENTITY_SEARCH_ID))
            .hint_text("Type to search…  Ctrl+K")
            .desired_width(260.0),
    )
    .labelled_by(label.id)
    .on_hover_text("Entities are read from the instance's $metadata once an instance is connected");
}
