//! The export strip above the results: format, "Save as…" (system dialog on a thread) and an
//! in-app path field that always works, with the outcome in green or red.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, TryRecvError, channel};

use serde_json::Value;

use super::export::{ExportDone, ExportFormat, ExportJob};
use crate::ui::theme;

/// Where an export stands, as shown under the export controls.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum ExportStatus {
    /// Nothing exported yet.
    #[default]
    Idle,
    /// The system save dialog is open.
    Choosing,
    /// The dialog closed without a file (or no dialog service exists).
    NoFileChosen,
    /// Writing to this file.
    Saving(PathBuf),
    /// Written.
    Saved(ExportDone),
    /// Failed, with the message shown in red.
    Failed(String),
}

/// State of the export strip.
#[derive(Debug, Default)]
pub struct ExportPanel {
    /// Whether the strip is shown.
    pub open: bool,
    /// The chosen format.
    pub format: ExportFormat,
    /// The text of the in-app path field.
    pub path: String,
    status: ExportStatus,
    /// What the export under way (or the last one) wrote, as named in its message.
    exported_label: String,
    job: Option<ExportJob>,
    dialog: Option<Receiver<Option<PathBuf>>>,
}

/// What to export: the records, their display order and the table's columns.
pub struct ExportSource<'a> {
    /// All records, shared with the writer thread.
    pub records: &'a Arc<Vec<Value>>,
    /// Record indices in display order.
    pub order: &'a [usize],
    /// Columns (the CSV header).
    pub columns: &'a [String],
    /// What the records are (e.g. `List items · CustomersV3`), named in the messages.
    pub label: &'a str,
}

impl ExportPanel {
    /// The current status.
    pub fn status(&self) -> &ExportStatus {
        &self.status
    }

    /// Whether a dialog or a write is still running.
    pub fn is_busy(&self) -> bool {
        self.job.is_some() || self.dialog.is_some()
    }

    /// Forgets the outcome of a finished export (the records it was about are gone); an
    /// export under way keeps reporting, naming what it writes.
    pub fn forget_outcome(&mut self) {
        if self.job.is_none() && self.dialog.is_none() {
            self.status = ExportStatus::Idle;
        }
    }

    /// Starts writing `source` to `path` in the background.
    pub fn start(&mut self, ctx: &egui::Context, path: PathBuf, source: &ExportSource<'_>) {
        if self.job.is_some() {
            return;
        }
        if source.order.is_empty() {
            self.status = ExportStatus::Failed("Nothing to export: the table is empty.".into());
            return;
        }
        self.exported_label = source.label.to_owned();
        let ctx = ctx.clone();
        self.status = ExportStatus::Saving(path.clone());
        self.job = Some(ExportJob::start(
            path,
            self.format,
            Arc::clone(source.records),
            source.order.to_vec(),
            source.columns.to_vec(),
            move || ctx.request_repaint(),
        ));
    }

    fn open_dialog(&mut self, ctx: &egui::Context) {
        let (sender, receiver) = channel();
        let ctx = ctx.clone();
        let format = self.format;
        let spawned = std::thread::Builder::new()
            .name("flowbench-save-dialog".into())
            .spawn(move || {
                let picked = rfd::FileDialog::new()
                    .set_title("Export records")
                    .set_file_name(format!("records.{}", format.extension()))
                    .add_filter(format.label(), &[format.extension()])
                    .save_file();
                // The receiver is gone only when the view was dropped.
                let _ = sender.send(picked);
                ctx.request_repaint();
            });
        // Without a thread the sender is dropped: `poll` treats it as no dialog service.
        if let Err(e) = spawned {
            tracing::warn!(error = %e, "could not start the save dialog thread");
        }
        self.dialog = Some(receiver);
        self.status = ExportStatus::Choosing;
    }

    fn poll(&mut self, ctx: &egui::Context, source: &ExportSource<'_>) {
        if let Some(dialog) = &self.dialog {
            let picked = match dialog.try_recv() {
                Ok(picked) => Some(picked),
                Err(TryRecvError::Empty) => None,
                Err(TryRecvError::Disconnected) => Some(None),
            };
            if let Some(picked) = picked {
                self.dialog = None;
                match picked {
                    Some(path) => {
                        self.path = path.display().to_string();
                        self.start(ctx, path, source);
                    }
                    None => self.status = ExportStatus::NoFileChosen,
                }
            }
        }
        if let Some(job) = &self.job
            && let Some(result) = job.poll()
        {
            self.job = None;
            self.status = match result {
                Ok(done) => ExportStatus::Saved(done),
                Err(e) => ExportStatus::Failed(e.to_string()),
            };
        }
    }
}

/// Draws the export strip (when open) for `source`.
pub fn export_panel_ui(ui: &mut egui::Ui, panel: &mut ExportPanel, source: &ExportSource<'_>) {
    panel.poll(ui.ctx(), source);
    if !panel.open {
        return;
    }
    let busy = panel.is_busy();
    ui.horizontal(|ui| {
        let what = if source.label.is_empty() {
            String::new()
        } else {
            format!(" of {}", source.label)
        };
        ui.label(format!(
            "Export {}{what} as",
            records_text(source.order.len())
        ));
        for format in ExportFormat::ALL {
            ui.radio_value(&mut panel.format, format, format.label());
        }
        if ui
            .add_enabled(
                !busy && !source.order.is_empty(),
                egui::Button::new("Save as…"),
            )
            .on_hover_text("Choose the file in the system dialog")
            .clicked()
        {
            panel.open_dialog(ui.ctx());
        }
    });
    ui.horizontal(|ui| {
        let label = ui.label("Save to path");
        let field = ui
            .add(
                egui::TextEdit::singleline(&mut panel.path)
                    .hint_text(format!("/path/to/records.{}", panel.format.extension()))
                    .font(egui::TextStyle::Monospace)
                    .desired_width(360.0),
            )
            .labelled_by(label.id);
        let enter = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        let save = ui
            .add_enabled(!busy && !source.order.is_empty(), egui::Button::new("Save"))
            .clicked();
        if (save || enter) && !busy {
            let path = PathBuf::from(panel.path.trim());
            panel.start(ui.ctx(), path, source);
        }
    });
    match &panel.status {
        ExportStatus::Idle => {}
        ExportStatus::Choosing => {
            ui.label(egui::RichText::new("Waiting for the save dialog…").color(theme::MUTED));
        }
        ExportStatus::NoFileChosen => {
            ui.label(
                egui::RichText::new(
                    "No file chosen. If no dialog appeared, type a path above and press Save.",
                )
                .color(theme::MUTED),
            );
        }
        ExportStatus::Saving(path) => {
            ui.label(format!("Saving to {}…", path.display()));
        }
        ExportStatus::Saved(done) => {
            ui.label(
                egui::RichText::new(format!(
                    "Saved {}{} to {}",
                    records_text(done.count),
                    parenthesised(&panel.exported_label),
                    done.path.display()
                ))
                .color(theme::SUCCESS),
            );
        }
        ExportStatus::Failed(message) => {
            ui.label(egui::RichText::new(message).color(theme::ERROR));
        }
    }
}

/// ` (label)`, or nothing for an empty label.
fn parenthesised(label: &str) -> String {
    if label.is_empty() {
        String::new()
    } else {
        format!(" ({label})")
    }
}

/// "1 234": a count with thousands separated by spaces.
pub fn grouped_digits(count: usize) -> String {
    let digits = count.to_string();
    let mut grouped = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(' ');
        }
        grouped.push(digit);
    }
    grouped
}

/// "1 record", "1 234 records": a count with thousands separated by spaces.
pub fn records_text(count: usize) -> String {
    let grouped = grouped_digits(count);
    if count == 1 {
        format!("{grouped} record")
    } else {
        format!("{grouped} records")
    }
}

#[cfg(test)]
mod tests {
    use super::records_text;

    #[test]
    fn counts_are_grouped_by_thousands() {
        assert_eq!(records_text(0), "0 records");
        assert_eq!(records_text(1), "1 record");
        assert_eq!(records_text(999), "999 records");
        assert_eq!(records_text(1234), "1 234 records");
        assert_eq!(records_text(100_000), "100 000 records");
        assert_eq!(records_text(1_234_567), "1 234 567 records");
    }
}
