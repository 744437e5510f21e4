//! The open flow's parameters above its cards: a field for each one a run can be given
//! (those without a default marked `*`, secure ones masked and kept out of the record), and
//! the values a run starts with. A Logic Apps Standard workflow also shows the parameters
//! its expressions name, with its project's `parameters.json` values as defaults.

use std::collections::HashMap;
use std::path::PathBuf;

use serde_json::{Map, Value};

use super::{FlowsView, OpenFlow};
use crate::flow::file::FileShape;
use crate::flow::params::{self, Wanted};
use crate::ui::theme;

/// Values typed for the open flow's parameters.
#[derive(Default)]
pub struct ParameterForm {
    /// Text typed, by parameter name.
    pub values: HashMap<String, String>,
    /// The project's declarations of a Standard workflow, read once per file.
    project: Option<(PathBuf, Map<String, Value>)>,
}

/// The definition a run of `open` starts from: a Standard workflow's project parameters
/// declared, and the parameters its expressions name but nothing declares.
pub fn run_definition(open: &OpenFlow) -> Result<Map<String, Value>, String> {
    if open.file.shape() != FileShape::LogicAppsStandard {
        return Ok(open.file.definition().clone());
    }
    let mut definition =
        crate::flow::app_settings::with_project_parameters(open.file.definition(), &open.path)?;
    crate::flow::app_settings::declare_named_parameters(&mut definition);
    Ok(definition)
}

/// The parameters shown for `open` (the project's file is read once).
fn shown(form: &mut ParameterForm, open: &OpenFlow) -> Vec<Wanted> {
    let definition = open.file.definition();
    let mut declared = definition
        .get("parameters")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    if open.file.shape() == FileShape::LogicAppsStandard {
        if form
            .project
            .as_ref()
            .is_none_or(|(path, _)| *path != open.path)
        {
            let project =
                crate::flow::app_settings::project_parameters(&open.path).unwrap_or_default();
            form.project = Some((open.path.clone(), project));
        }
        if let Some((_, project)) = &form.project {
            for (name, declaration) in project {
                declared
                    .entry(name.clone())
                    .or_insert_with(|| declaration.clone());
            }
        }
        for name in crate::flow::app_settings::named_parameters(definition) {
            if crate::flow::expr::lookup_name(&declared, &name).is_none() {
                declared.insert(name, serde_json::json!({"type": "String"}));
            }
        }
    }
    let mut only = Map::new();
    only.insert("parameters".to_owned(), Value::Object(declared));
    params::wanted(&only)
}

/// The parameter fields; nothing when the flow has none to give.
pub fn parameters_ui(ui: &mut egui::Ui, view: &mut FlowsView) {
    let Some(open) = &view.open else {
        return;
    };
    let wanted = shown(&mut view.parameter_form, open);
    if wanted.is_empty() {
        return;
    }
    ui.label(egui::RichText::new("Parameters").strong());
    egui::Grid::new("flow-parameters")
        .num_columns(2)
        .show(ui, |ui| {
            for parameter in wanted {
                let needed = parameter.default.is_none();
                let label = ui.label(if needed {
                    format!("{} *", parameter.name)
                } else {
                    parameter.name.clone()
                });
                let hint = if parameter.is_secure() {
                    "secret · empty: from the keyring".to_owned()
                } else {
                    match &parameter.default {
                        Some(Value::String(text)) => format!("default: {text}"),
                        Some(other) => format!("default: {other}"),
                        None => format!("required ({})", parameter.kind),
                    }
                };
                let value = view
                    .parameter_form
                    .values
                    .entry(parameter.name.clone())
                    .or_default();
                ui.add(
                    egui::TextEdit::singleline(value)
                        .password(parameter.is_secure())
                        .hint_text(egui::RichText::new(hint).color(theme::MUTED))
                        .desired_width(240.0),
                )
                .labelled_by(label.id);
                ui.end_row();
            }
        });
}

/// The values a run of `definition` starts with: each field typed as its parameter is
/// declared, a secure one left empty from the keyring. An error names the parameter.
pub fn run_values(
    form: &ParameterForm,
    definition: &Map<String, Value>,
) -> Result<Map<String, Value>, String> {
    let declared = definition.get("parameters").and_then(Value::as_object);
    let mut values = Map::new();
    for parameter in params::wanted(definition) {
        let Some(declaration) = declared.and_then(|d| d.get(&parameter.name)) else {
            continue;
        };
        let text = form
            .values
            .get(&parameter.name)
            .map(String::as_str)
            .unwrap_or("");
        if !text.is_empty() {
            let value = params::typed(declaration, text)
                .map_err(|e| format!("Parameter {}: {e}", parameter.name))?;
            values.insert(parameter.name, value);
        } else if parameter.is_secure()
            && let Some(stored) = params::stored_secret(&parameter.name)
        {
            let value = params::typed(declaration, stored.expose())
                .map_err(|e| format!("Parameter {} (from the keyring): {e}", parameter.name))?;
            values.insert(parameter.name, value);
        }
    }
    let missing = params::missing(definition, &values);
    if !missing.is_empty() {
        return Err(format!(
            "Fill in the parameter(s) {} first: they have no default",
            missing.join(", ")
        ));
    }
    Ok(values)
}
