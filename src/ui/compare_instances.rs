//! "Compare instances": the connected instance's `$metadata` against another — a saved
//! instance's metadata cached on this machine, or a `$metadata` file — as a list of what
//! was added, removed or changed (entities, fields, keys, enums, actions), filtered as
//! typed, copied as text or JSON. Computed off the UI thread.

use std::path::PathBuf;
use std::sync::mpsc::Receiver;

use crate::odata::metadata::diff::{ChangeKind, MetadataChange, diff, render_text};
use crate::odata::metadata::{Model, cache::MetadataCache, parse_metadata};
use crate::ui::theme;

/// What the connected instance is compared with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OtherSide {
    /// A saved instance, by name (its cached metadata).
    Saved(String),
    /// A `$metadata` file.
    File,
}

/// A finished comparison.
pub struct Comparison {
    /// The first side's name.
    pub first: String,
    /// The second side's name.
    pub second: String,
    /// What differs, from the first to the second.
    pub changes: Vec<MetadataChange>,
}

type Pending = Receiver<Result<Comparison, String>>;

/// State of the "Compare instances" window.
pub struct CompareInstances {
    /// Whether the window is shown.
    pub open: bool,
    /// The other side.
    pub other: OtherSide,
    /// The file path typed for [`OtherSide::File`].
    pub file: String,
    /// Text typed in the filter box.
    pub filter: String,
    /// The last comparison, or why it failed.
    pub result: Option<Result<Comparison, String>>,
    pending: Option<Pending>,
}

impl Default for CompareInstances {
    fn default() -> Self {
        Self {
            open: false,
            other: OtherSide::File,
            file: String::new(),
            filter: String::new(),
            result: None,
            pending: None,
        }
    }
}

/// Draws the window while open. `connected` is the connected instance's name and model;
/// `saved` the saved instances' names and service roots (their cache keys).
pub fn compare_instances_ui(
    ctx: &egui::Context,
    state: &mut CompareInstances,
    connected: Option<(&str, &Model)>,
    saved: &[(String, String)],
) {
    if let Some(pending) = &state.pending
        && let Ok(result) = pending.try_recv()
    {
        state.result = Some(result);
        state.pending = None;
    }
    let mut open = state.open;
    egui::Window::new("Compare instances")
        .open(&mut open)
        .collapsible(false)
        .default_size(egui::vec2(640.0, 460.0))
        .default_pos(egui::pos2(260.0, 60.0))
        .show(ctx, |ui| {
            let Some((name, model)) = connected else {
                ui.label(
                    egui::RichText::new(
                        "Connect to an instance first: its metadata is the first side.",
                    )
                    .color(theme::MUTED),
                );
                return;
            };
            ui.label(format!("First: {name} (connected)"));
            sources_ui(ui, state, saved);
            let busy = state.pending.is_some();
            ui.horizontal(|ui| {
                if ui
                    .add_enabled(!busy, egui::Button::new("Compare"))
                    .on_hover_text("Lists what the second side adds, removes or changes")
                    .clicked()
                {
                    state.pending = Some(start(ctx, name, model, state, saved));
                    state.result = None;
                }
                if busy {
                    ui.spinner();
                    ui.label("Comparing…");
                }
            });
            ui.separator();
            result_ui(ui, state);
        });
    state.open = open;
}

fn sources_ui(ui: &mut egui::Ui, state: &mut CompareInstances, saved: &[(String, String)]) {
    ui.horizontal(|ui| {
        ui.label("Second:");
        let selected = match &state.other {
            OtherSide::Saved(name) => format!("{name} (cached metadata)"),
            OtherSide::File => "A $metadata file".to_owned(),
        };
        egui::ComboBox::from_id_salt("compare-other")
            .selected_text(selected)
            .width(260.0)
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut state.other, OtherSide::File, "A $metadata file");
                for (name, _) in saved {
                    ui.selectable_value(
                        &mut state.other,
                        OtherSide::Saved(name.clone()),
                        format!("{name} (cached metadata)"),
                    );
                }
            });
    });
    match &state.other {
        OtherSide::File => {
            ui.horizontal(|ui| {
                let label = ui.label("File");
                ui.add(
                    egui::TextEdit::singleline(&mut state.file)
                        .hint_text("uat-metadata.xml")
                        .desired_width(360.0),
                )
                .labelled_by(label.id);
            });
        }
        OtherSide::Saved(_) => {
            ui.label(
                egui::RichText::new("The metadata cached when you last connected to it; connect to it once to cache it.")
                    .color(theme::MUTED)
                    .small(),
            );
        }
    }
}

fn start(
    ctx: &egui::Context,
    name: &str,
    model: &Model,
    state: &CompareInstances,
    saved: &[(String, String)],
) -> Pending {
    let (sender, receiver) = std::sync::mpsc::channel();
    let first = name.to_owned();
    let model = model.clone();
    let other = state.other.clone();
    let file = PathBuf::from(state.file.trim());
    let root = match &other {
        OtherSide::Saved(name) => saved
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, r)| r.clone()),
        OtherSide::File => None,
    };
    let ctx = ctx.clone();
    let spawned = std::thread::Builder::new()
        .name("compare-instances".to_owned())
        .spawn(move || {
            let result =
                second_side(&other, &file, root.as_deref()).map(|(second, other_model)| {
                    Comparison {
                        first,
                        second,
                        changes: diff(&model, &other_model),
                    }
                });
            let _ = sender.send(result);
            ctx.request_repaint();
        });
    if let Err(error) = spawned {
        let (sender, receiver) = std::sync::mpsc::channel();
        let _ = sender.send(Err(format!("Cannot start the comparison: {error}")));
        return receiver;
    }
    receiver
}

fn second_side(
    other: &OtherSide,
    file: &std::path::Path,
    root: Option<&str>,
) -> Result<(String, Model), String> {
    match other {
        OtherSide::File => {
            if file.as_os_str().is_empty() {
                return Err("Give the path of a $metadata file.".to_owned());
            }
            let bytes =
                std::fs::read(file).map_err(|e| format!("Cannot read {}: {e}", file.display()))?;
            let model = parse_metadata(&bytes).map_err(|e| format!("{}: {e}", file.display()))?;
            Ok((file.display().to_string(), model))
        }
        OtherSide::Saved(name) => {
            let root = root.ok_or_else(|| format!("No saved instance '{name}'."))?;
            let cache = MetadataCache::in_user_cache_dir()
                .ok_or("This machine has no cache folder for metadata.")?;
            let cached = cache.load(root).ok_or_else(|| {
                format!("No cached metadata for '{name}' yet: connect to it once, then compare.")
            })?;
            Ok((name.clone(), cached.model))
        }
    }
}

fn result_ui(ui: &mut egui::Ui, state: &mut CompareInstances) {
    let Some(result) = &state.result else {
        return;
    };
    let comparison = match result {
        Ok(comparison) => comparison,
        Err(error) => {
            ui.label(egui::RichText::new(error).color(theme::ERROR));
            return;
        }
    };
    let count = |kind| comparison.changes.iter().filter(|c| c.kind == kind).count();
    ui.label(format!(
        "From {} to {}: {} added, {} removed, {} changed",
        comparison.first,
        comparison.second,
        count(ChangeKind::Added),
        count(ChangeKind::Removed),
        count(ChangeKind::Changed)
    ));
    if comparison.changes.is_empty() {
        ui.label(egui::RichText::new("No difference.").color(theme::SUCCESS));
        return;
    }
    ui.horizontal(|ui| {
        let label = ui.label("Filter");
        ui.add(
            egui::TextEdit::singleline(&mut state.filter)
                .hint_text("CustomersV3, property, action…")
                .desired_width(220.0),
        )
        .labelled_by(label.id);
        if ui.button("Copy as text").clicked() {
            ui.ctx().copy_text(render_text(&comparison.changes));
        }
        if ui.button("Copy as JSON").clicked() {
            ui.ctx()
                .copy_text(serde_json::to_string_pretty(&comparison.changes).unwrap_or_default());
        }
    });
    let filter = state.filter.to_lowercase();
    egui::ScrollArea::vertical()
        .id_salt("compare-changes")
        .auto_shrink([false, false])
        .show(ui, |ui| {
            for change in comparison.changes.iter().filter(|c| {
                filter.is_empty()
                    || c.path.to_lowercase().contains(&filter)
                    || c.element.contains(filter.as_str())
            }) {
                let (mark, colour) = match change.kind {
                    ChangeKind::Added => ("+ added", theme::SUCCESS),
                    ChangeKind::Removed => ("- removed", theme::ERROR),
                    ChangeKind::Changed => ("~ changed", theme::WARNING),
                };
                ui.horizontal_wrapped(|ui| {
                    ui.label(egui::RichText::new(mark).monospace().color(colour));
                    ui.label(egui::RichText::new(change.element).color(theme::MUTED));
                    ui.label(egui::RichText::new(&change.path).strong());
                    if let Some(detail) = &change.detail {
                        ui.label(detail.replace('→', "to"));
                    }
                });
            }
        });
}
