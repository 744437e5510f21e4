//! Packages in the Flows view: opening a Power Automate package, a Logic Apps Standard
//! project or an ARM template imports it (the notes shown above the cards, the flow saved
//! beside it as `NAME.json`), and "Export for the cloud" writes the open flow as a package
//! for the product chosen, with what the conversion noted and what is left to do there.

use std::path::{Path, PathBuf};

use super::{FlowsView, OpenFlow};
use crate::auth::Instances;
use crate::flow::package::{self, ExportOptions, ImportOptions, Target};
use crate::ui::theme;

/// The "Export for the cloud" form.
#[derive(Default)]
pub struct ExportForm {
    /// The product chosen.
    pub target: Option<Target>,
    /// Where the package goes.
    pub output: String,
    /// The last export: where it went and its notes, or why it failed.
    pub outcome: Option<Result<Exported, String>>,
}

/// A finished export as the form shows it.
pub struct Exported {
    /// Where the package was written.
    pub path: PathBuf,
    /// For which product.
    pub target: Target,
    /// What the conversion noted.
    pub notes: Vec<String>,
}

/// What an import noted, shown above the cards until dismissed.
pub struct ImportNotes {
    /// "Imported from a Power Automate package".
    pub title: String,
    /// Each note.
    pub notes: Vec<String>,
}

/// Imports the package at `path` and opens its flow, unsaved, to be saved beside it.
pub fn open_package(view: &mut FlowsView, path: &Path) {
    let imported = match package::import(path, &ImportOptions::default()) {
        Ok(imported) => imported,
        Err(error) => {
            view.open_error = Some(error.to_string());
            return;
        }
    };
    let mut flow = imported.flow;
    let mut notes: Vec<String> = imported.notes.iter().map(ToString::to_string).collect();
    if let Ok(instances) = Instances::load_default() {
        let (instance, note) =
            package::map_instance(&imported.hosts, &instances.with_hosts(&imported.hosts));
        notes.extend(note.map(|n| n.to_string()));
        if let Some(instance) = instance {
            let mut settings = flow.flowbench_metadata();
            settings.instance = Some(instance);
            flow.set_flowbench_metadata(&settings);
        }
    }
    let save_to = free_path_beside(path, &package::layout_file_name(&imported.name));
    let text = flow.to_text();
    view.path_field = save_to.display().to_string();
    let mut open = OpenFlow {
        path: save_to,
        file: flow,
        text,
        problems: Vec::new(),
        warnings: Vec::new(),
        relaxed_json: false,
    };
    open.check(None);
    view.open = Some(open);
    view.reset_after_import();
    view.import_notes = Some(ImportNotes {
        title: format!(
            "Imported '{}' from {}: save it to keep it as a flow file",
            imported.name,
            imported.source.with_article()
        ),
        notes,
    });
}

/// `NAME.json` beside the package (`NAME-2.json`, … when taken).
fn free_path_beside(package: &Path, name: &str) -> PathBuf {
    let dir = if package.is_dir() {
        package.parent().unwrap_or(package)
    } else {
        package.parent().unwrap_or(Path::new("."))
    };
    let first = dir.join(format!("{name}.json"));
    if !first.exists() {
        return first;
    }
    (2..)
        .map(|n| dir.join(format!("{name}-{n}.json")))
        .find(|candidate| !candidate.exists())
        .unwrap_or(first)
}

/// The import notes above the cards, with "Dismiss".
pub fn import_notes_ui(ui: &mut egui::Ui, view: &mut FlowsView) {
    let Some(imported) = &view.import_notes else {
        return;
    };
    let mut dismiss = false;
    egui::Frame::group(ui.style())
        .stroke(egui::Stroke::new(1.0, theme::ACCENT))
        .show(ui, |ui| {
            ui.horizontal(|ui| {
                ui.label(egui::RichText::new(&imported.title).strong());
                dismiss = ui.small_button("Dismiss").clicked();
            });
            for note in &imported.notes {
                ui.label(egui::RichText::new(note).small());
            }
        });
    if dismiss {
        view.import_notes = None;
    }
}

/// "Export for the cloud": the product, where the package goes, Export, and the outcome.
pub fn export_ui(ui: &mut egui::Ui, view: &mut FlowsView) {
    let Some(open) = &view.open else {
        return;
    };
    let name = open.file.name_for(&open.path);
    let default_output = |target: Target| {
        target
            .default_output(&open.path, &name)
            .display()
            .to_string()
    };
    let form = &mut view.export_form;
    egui::CollapsingHeader::new("Export for the cloud")
        .id_salt("flow-export")
        .show(ui, |ui| {
            let chosen = form.target.unwrap_or(Target::PowerAutomate);
            let combo_label = ui.label("Product");
            let mut picked = chosen;
            egui::ComboBox::from_id_salt("flow-export-target")
                .selected_text(short_label(chosen))
                .width(180.0)
                .show_ui(ui, |ui| {
                    for (target, _) in Target::ALL {
                        ui.selectable_value(&mut picked, target, target.label());
                    }
                })
                .response
                .labelled_by(combo_label.id);
            if form.target != Some(picked) || form.output.is_empty() {
                form.target = Some(picked);
                form.output = default_output(picked);
            }
            let output_label = ui.label("Write to");
            ui.add(egui::TextEdit::singleline(&mut form.output).desired_width(200.0))
                .labelled_by(output_label.id);
            if ui
                .button("Export")
                .on_hover_text("Writes the package; nothing of this machine goes into it")
                .clicked()
            {
                form.outcome = Some(export_now(&open.file, &name, picked, &form.output));
            }
            match &form.outcome {
                Some(Ok(exported)) => {
                    ui.label(
                        egui::RichText::new(format!("Exported to {}", exported.path.display()))
                            .color(theme::SUCCESS),
                    );
                    for note in &exported.notes {
                        ui.label(egui::RichText::new(note).small());
                    }
                    ui.label(egui::RichText::new("Then, in the cloud:").strong());
                    for step in exported.target.next_steps() {
                        ui.label(egui::RichText::new(format!("- {step}")).small());
                    }
                }
                Some(Err(error)) => {
                    ui.label(egui::RichText::new(error).color(theme::ERROR));
                }
                None => {}
            }
        });
}

fn short_label(target: Target) -> &'static str {
    match target {
        Target::PowerAutomate => "Power Automate",
        Target::LogicAppsStandard => "Logic Apps Standard",
        Target::LogicAppsConsumption => "Logic Apps consumption",
    }
}

fn export_now(
    flow: &crate::flow::file::FlowFile,
    name: &str,
    target: Target,
    output: &str,
) -> Result<Exported, String> {
    if output.trim().is_empty() {
        return Err("Give a path to write the package to.".to_owned());
    }
    let options = ExportOptions {
        name: Some(name.to_owned()),
        dataset: None,
    };
    let exported = package::export(flow, name, target, &options).map_err(|e| e.to_string())?;
    let path = PathBuf::from(output.trim());
    exported
        .package
        .write_to(&path)
        .map_err(|e| e.to_string())?;
    Ok(Exported {
        path,
        target,
        notes: exported.notes.iter().map(ToString::to_string).collect(),
    })
}
