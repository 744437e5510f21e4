//! *Create records from a CSV file* under the create form: a path (typed, or picked with the
//! system dialog on a thread), all-or-nothing, and the button that sends the rows as creates
//! in one `$batch` through the connector layer.

use std::path::PathBuf;
use std::sync::mpsc::{Receiver, channel};

use crate::ui::theme;

/// The strip's inputs.
#[derive(Debug, Default)]
pub struct CsvImport {
    /// The CSV file's path.
    pub path: String,
    /// Send the rows as one changeset: one bad row creates none.
    pub all_or_nothing: bool,
    dialog: Option<Receiver<Option<PathBuf>>>,
}

/// Draws the strip (collapsed until opened); returns whether *Create from file* was pressed.
pub fn csv_import_ui(ui: &mut egui::Ui, import: &mut CsvImport, enabled: bool) -> bool {
    if let Some(dialog) = &import.dialog
        && let Ok(picked) = dialog.try_recv()
    {
        if let Some(path) = picked {
            import.path = path.display().to_string();
        }
        import.dialog = None;
    }
    ui.add_space(6.0);
    egui::CollapsingHeader::new("Create records from a CSV file")
        .id_salt("csv-import")
        .show(ui, |ui| {
            ui.label(
                egui::RichText::new(
                    "The header row names the fields; each row becomes a record, typed by the \
                     metadata. All rows go in one $batch.",
                )
                .color(theme::MUTED),
            );
            ui.horizontal(|ui| {
                let label = ui.label("CSV file");
                ui.add(
                    egui::TextEdit::singleline(&mut import.path)
                        .hint_text("rows.csv")
                        .desired_width(320.0),
                )
                .labelled_by(label.id);
                let choosing = import.dialog.is_some();
                if ui
                    .add_enabled(!choosing, egui::Button::new("Browse…"))
                    .clicked()
                {
                    import.dialog = Some(open_dialog(ui.ctx().clone()));
                }
            });
            ui.checkbox(
                &mut import.all_or_nothing,
                "All or nothing (one bad row creates none)",
            );
            ui.add_enabled(
                enabled && !import.path.trim().is_empty(),
                egui::Button::new("Create from file"),
            )
            .clicked()
        })
        .body_returned
        .unwrap_or(false)
}

/// The system's open dialog on its own thread (it blocks); the answer comes over a channel.
fn open_dialog(ctx: egui::Context) -> Receiver<Option<PathBuf>> {
    let (sender, receiver) = channel();
    let spawned = std::thread::Builder::new()
        .name("csv-open-dialog".to_owned())
        .spawn(move || {
            let picked = rfd::FileDialog::new()
                .add_filter("CSV", &["csv", "txt"])
                .pick_file();
            let _ = sender.send(picked);
            ctx.request_repaint();
        });
    if spawned.is_err() {
        let (sender, receiver) = channel();
        let _ = sender.send(None);
        return receiver;
    }
    receiver
}
