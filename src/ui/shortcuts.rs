//! The keyboard shortcuts window (F1 or *Shortcuts* in the top bar): every shortcut of the
//! window in one list, so that they can be found without reading the docs.

use crate::ui::theme;

/// Every shortcut: keys and what they do.
pub const SHORTCUTS: [(&str, &str); 9] = [
    ("Ctrl+K", "Search the entities"),
    (
        "Ctrl+Enter",
        "Run the action (its button next to the title)",
    ),
    ("Ctrl+F", "Find in the results"),
    ("Ctrl+J", "Show or hide the HTTP trace"),
    ("Ctrl+B", "Show or hide the side panel"),
    ("Up, Down, Enter", "Move in the results, open a record"),
    ("Ctrl+C", "Copy the selected row as JSON"),
    (
        "Esc",
        "Close a popup, back to the table, empty the find box",
    ),
    ("F1", "Show or hide this list"),
];

/// Draws the window while `open`; its close button clears `open`.
pub fn shortcuts_window_ui(ctx: &egui::Context, open: &mut bool) {
    egui::Window::new("Keyboard shortcuts")
        .open(open)
        .collapsible(false)
        .resizable(false)
        .anchor(egui::Align2::RIGHT_TOP, egui::vec2(-12.0, 48.0))
        .show(ctx, |ui| {
            egui::Grid::new("shortcuts")
                .num_columns(2)
                .spacing(egui::vec2(16.0, 6.0))
                .striped(true)
                .show(ui, |ui| {
                    for (keys, what) in SHORTCUTS {
                        ui.label(egui::RichText::new(keys).monospace().strong());
                        ui.label(egui::RichText::new(what).color(theme::MUTED));
                        ui.end_row();
                    }
                });
        });
}
