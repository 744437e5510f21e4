//! The selected record in detail: a field: value form and a pretty JSON view, with
//! previous/next and a way back to the table.

use egui::RichText;
use serde_json::Value;

use super::{RecordRequest, ResultsView, ViewMode};
use crate::connector::records::{cell_text, is_annotation};
use crate::ui::theme;

/// The navigation line above a record: back, position, previous and next.
fn navigation_ui(ui: &mut egui::Ui, view: &mut ResultsView) {
    let position = view.selected_position();
    let total = view.order.len();
    ui.horizontal(|ui| {
        if ui.button("Back to table").clicked() {
            view.set_mode(ViewMode::Table);
            view.scroll_to_selected = true;
        }
        if let Some(position) = position {
            ui.label(
                RichText::new(format!("Record {} of {}", position + 1, total)).color(theme::MUTED),
            );
        }
        let has_previous = position.is_some_and(|p| p > 0);
        if ui
            .add_enabled(has_previous, egui::Button::new("Previous"))
            .clicked()
        {
            view.move_selection(-1);
        }
        let has_next = position.is_some_and(|p| p + 1 < total);
        if ui
            .add_enabled(has_next, egui::Button::new("Next"))
            .clicked()
        {
            view.move_selection(1);
        }
        if let (true, Some(index)) = (view.entity_rows(), view.selected_index())
            && ui.button("List items of this entity").clicked()
        {
            view.request_record(RecordRequest::OpenEntity(index));
        }
        if let (true, Some(index)) = (view.record_actions(), view.selected_index()) {
            ui.separator();
            if ui
                .button("Update this record")
                .on_hover_text("Opens it in Update a record, with its current values")
                .clicked()
            {
                view.request_record(RecordRequest::Update(index));
            }
            if ui
                .button("Create a copy")
                .on_hover_text("Opens Create a record filled with its values")
                .clicked()
            {
                view.request_record(RecordRequest::Copy(index));
            }
            if ui.button("Delete this record…").clicked() {
                view.request_record(RecordRequest::Delete(index));
            }
            if ui
                .button("Run a flow on this record")
                .on_hover_text("Opens the Flows view with this record as the trigger's input")
                .clicked()
            {
                view.request_record(RecordRequest::RunFlow(index));
            }
        }
    });
}

/// Draws the selected record as a form: one line per field, columns in table order first,
/// annotations (`@odata.etag`, …) last and muted.
pub fn record_form_ui(ui: &mut egui::Ui, view: &mut ResultsView) {
    navigation_ui(ui, view);
    let Some(record) = view.selected_record() else {
        ui.label(RichText::new("Select a row to see the record.").color(theme::MUTED));
        return;
    };
    let fields: Vec<(String, Value)> = match record {
        Value::Object(map) => {
            let mut fields: Vec<(String, Value)> = view
                .columns
                .iter()
                .filter_map(|c| map.get(c).map(|v| (c.clone(), v.clone())))
                .collect();
            fields.extend(
                map.iter()
                    .filter(|(k, _)| is_annotation(k))
                    .map(|(k, v)| (k.clone(), v.clone())),
            );
            fields
        }
        other => vec![("value".to_owned(), other.clone())],
    };
    egui::ScrollArea::vertical()
        .id_salt("results_record_form")
        .auto_shrink([false, false])
        .show(ui, |ui| {
            egui::Grid::new("results_record_grid")
                .num_columns(2)
                .striped(true)
                .spacing([16.0, 6.0])
                .show(ui, |ui| {
                    for (name, value) in &fields {
                        let name_text = RichText::new(name).monospace();
                        let name_text = if is_annotation(name) {
                            name_text.color(theme::MUTED)
                        } else {
                            name_text.strong()
                        };
                        ui.label(name_text);
                        let value_text = match value {
                            Value::Null => RichText::new("null").italics().color(theme::MUTED),
                            other => RichText::new(cell_text(other)).monospace(),
                        };
                        ui.add(egui::Label::new(value_text).wrap());
                        ui.end_row();
                    }
                });
        });
}

/// Draws the selected record as pretty, selectable JSON.
pub fn record_json_ui(ui: &mut egui::Ui, view: &mut ResultsView) {
    navigation_ui(ui, view);
    let Some(text) = view.selected_json() else {
        ui.label(RichText::new("Select a row to see the record.").color(theme::MUTED));
        return;
    };
    let text = text.to_owned();
    let label = ui.label(RichText::new("Record JSON").color(theme::MUTED));
    egui::ScrollArea::both()
        .id_salt("results_record_json")
        .auto_shrink([false, false])
        .show(ui, |ui| {
            let mut shown = text.as_str();
            ui.add(
                egui::TextEdit::multiline(&mut shown)
                    .code_editor()
                    .desired_width(f32::INFINITY),
            )
            .labelled_by(label.id);
        });
}
