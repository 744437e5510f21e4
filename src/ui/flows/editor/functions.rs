//! The expression functions with their usage, searchable; a click copies a call.

use egui::text::{LayoutJob, TextFormat};

use crate::ui::flows::FlowsView;
use crate::ui::theme;

/// One entry of the list: the usage in code (the name coloured as in fields), then what the
/// function does, muted, on the next line.
fn entry_job(ui: &egui::Ui, signature: &str) -> LayoutJob {
    let (usage, doc) = signature.split_once(" — ").unwrap_or((signature, ""));
    let (name, arguments) = usage.split_at(usage.find('(').unwrap_or(usage.len()));
    let code = egui::TextStyle::Monospace.resolve(ui.style());
    let small = egui::TextStyle::Small.resolve(ui.style());
    let plain = ui.visuals().text_color();
    let mut job = LayoutJob::default();
    job.append(
        name,
        0.0,
        TextFormat::simple(
            code.clone(),
            theme::code_colours(ui.visuals().dark_mode).function,
        ),
    );
    job.append(arguments, 0.0, TextFormat::simple(code, plain));
    if !doc.is_empty() {
        job.append("\n", 0.0, TextFormat::simple(small.clone(), plain));
        job.append(doc, 0.0, TextFormat::simple(small, theme::MUTED));
    }
    job.wrap.max_width = ui.available_width();
    job
}

/// The expression functions with their usage, filtered by a search box; a click copies a
/// call (`@name()`) to the clipboard.
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
                        let job = entry_job(ui, usage);
                        let row = ui
                            .add(egui::Label::new(job).sense(egui::Sense::click()))
                            .on_hover_text(format!("Click to copy @{name}()"));
                        if row.clicked() {
                            ui.ctx().copy_text(format!("@{name}()"));
                        }
                    }
                });
        });
}
