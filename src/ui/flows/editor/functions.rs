//! The expression functions with their usage, searchable; a click copies a call.

use crate::ui::flows::FlowsView;

/// The expression functions with their usage, filtered by a search box; a click copies the
/// usage to the clipboard.
pub fn functions_ui(ui: &mut egui::Ui, view: &mut FlowsView) {
    egui::CollapsingHeader::new("Expression functions")
        .id_salt("expression-functions")
        .show(ui, |ui| {
            let label = ui.label("Find a function");
            ui.add(
                egui::TextEdit::singleline(&mut view.function_search).hint_text("date, concat…"),
            )
            .labelled_by(label.id);
            let needle = view.function_search.to_lowercase();
            egui::ScrollArea::vertical()
                .id_salt("function-list")
                .max_height(220.0)
                .show(ui, |ui| {
                    for (name, usage) in crate::flow::expr::function_names() {
                        if !needle.is_empty()
                            && !name.to_lowercase().contains(&needle)
                            && !usage.to_lowercase().contains(&needle)
                        {
                            continue;
                        }
                        let row = ui
                            .add(
                                egui::Label::new(egui::RichText::new(usage).monospace().small())
                                    .sense(egui::Sense::click()),
                            )
                            .on_hover_text("Click to copy");
                        if row.clicked() {
                            ui.ctx().copy_text(format!("@{name}()"));
                        }
                    }
                });
        });
}
