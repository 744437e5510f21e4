//! The forms of the selected entity, one per connector action, built from its metadata when
//! the entity changes, and what the user asked of them this frame.

use super::{ProblemForm, fields_problem};
use crate::odata::metadata::Model;
use crate::ui::forms::{
    ActionForm, ActionTarget, FormError, FormInputs, KeyForm, ListForm, RecordForm, action_form_ui,
    fill_action, fill_record, filled, key_fields_ui, key_form_ui, list_form_ui, record_form_ui,
    record_request_ui, request_url,
};
use crate::ui::state::ConnectorAction;
use crate::ui::theme;

/// Every form of one entity set.
pub struct EntityForms {
    /// The entity set the forms are for.
    pub entity: String,
    /// List items.
    pub list: ListForm,
    /// The key, for get, update (which record to load) and delete.
    pub key: KeyForm,
    /// Create a record.
    pub create: RecordForm,
    /// Update a record (filled by loading it).
    pub update: RecordForm,
    /// Execute action.
    pub action: ActionForm,
}

impl EntityForms {
    /// Builds every form of `entity` from `model`.
    pub fn new(model: &Model, entity: &str) -> Result<Self, FormError> {
        Ok(Self {
            entity: entity.to_owned(),
            list: ListForm::new(model, entity)?,
            key: KeyForm::new(model, entity)?,
            create: RecordForm::create(model, entity)?,
            update: RecordForm::update(model, entity)?,
            action: ActionForm::new(model, entity)?,
        })
    }

    /// What is typed in `action`'s form (nothing for listing the entities, or before an
    /// operation is chosen).
    pub fn inputs(&self, action: ConnectorAction) -> Option<FormInputs> {
        match action {
            ConnectorAction::ListItems => Some(FormInputs::List(self.list.inputs())),
            ConnectorAction::GetRecord
            | ConnectorAction::UpdateRecord
            | ConnectorAction::DeleteRecord => Some(FormInputs::Key {
                keys: self.key.comma_text().to_owned(),
                cross_company: self.key.cross_company,
            }),
            ConnectorAction::CreateRecord => Some(FormInputs::Record {
                values: filled(self.create.fields()),
            }),
            ConnectorAction::ExecuteAction => {
                self.action.selected().map(|choice| FormInputs::Action {
                    name: choice.name.clone(),
                    keys: self.action.key.comma_text().to_owned(),
                    parameters: filled(&choice.parameters),
                    cross_company: self.action.key.cross_company,
                })
            }
            ConnectorAction::ListEntities => None,
        }
    }

    /// Where *Save changes* sends the update: the path of the record the update form holds,
    /// and only while the key values above it still name that record (so that edits are
    /// never saved to a record other than the one on screen).
    pub fn update_target(&self) -> Result<String, String> {
        if !self.update.is_loaded() {
            return Err("Load the record first".to_owned());
        }
        let loaded = self.update.key()?.to_literal();
        let typed = self.key.key().map(|k| k.to_literal());
        if typed.as_deref() != Ok(loaded.as_str()) {
            return Err("Key values changed: press Load record".to_owned());
        }
        self.update.path()
    }

    /// What is still wrong with `form` (the message shown under it), recomputed from what
    /// the fields hold now; `None` once everything is corrected.
    pub fn problem(&self, form: ProblemForm) -> Option<String> {
        match form {
            ProblemForm::Key => self.key.key().err(),
            ProblemForm::Create => self
                .create
                .clone()
                .to_create_body()
                .err()
                .map(fields_problem),
            ProblemForm::Update => self.update.clone().changed_body().err().map(fields_problem),
            ProblemForm::Action => self.action.clone().to_call().err().map(fields_problem),
        }
    }

    /// Fills the form `inputs` belong to.
    pub fn apply_inputs(&mut self, inputs: &FormInputs) {
        match inputs {
            FormInputs::List(list) => self.list.apply_inputs(list),
            FormInputs::Key {
                keys,
                cross_company,
            } => {
                self.key.set_comma_text(keys);
                self.key.cross_company = *cross_company;
            }
            FormInputs::Record { values } => fill_record(&mut self.create, values),
            FormInputs::Action {
                name,
                keys,
                parameters,
                cross_company,
            } => {
                fill_action(&mut self.action, name, keys, parameters);
                self.action.key.cross_company = *cross_company;
            }
        }
    }
}

/// What the user asked for in the form area this frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormRequest {
    /// Nothing.
    None,
    /// Run the selected action.
    Run,
    /// Update: load the record named by the key.
    Load,
    /// Update: send the changed fields.
    Save,
    /// Delete: the user confirmed.
    ConfirmDelete,
    /// Create: send the rows of the CSV file as creates.
    ImportCsv,
}

/// The action's main button (Run, Create, Save changes, Delete…), drawn in the heading row
/// so that it stays in view however long the form is, with the record or URL it acts on
/// next to it (under `service_root`, once the instance is ready); disabled unless `enabled`.
pub fn primary_action_ui(
    ui: &mut egui::Ui,
    action: ConnectorAction,
    forms: Option<&EntityForms>,
    service_root: Option<&str>,
    enabled: bool,
    confirm_delete: &mut bool,
) -> FormRequest {
    let shortcut = "Ctrl+Enter";
    let mut request = FormRequest::None;
    match action {
        ConnectorAction::UpdateRecord => {
            let target = forms.map(EntityForms::update_target);
            let why_not = match &target {
                Some(Err(why)) => why.clone(),
                _ => "Load the record first".to_owned(),
            };
            let clicked = ui
                .add_enabled(
                    enabled && matches!(target, Some(Ok(_))),
                    primary_button("Save changes"),
                )
                .on_hover_text("Sends only the changed fields, with the record's ETag (Ctrl+Enter)")
                .on_disabled_hover_text(why_not)
                .clicked();
            if clicked {
                request = FormRequest::Save;
            }
        }
        ConnectorAction::DeleteRecord => {
            if ui
                .add_enabled(enabled, egui::Button::new("Delete…"))
                .on_hover_text("Asks before deleting (Ctrl+Enter)")
                .clicked()
            {
                *confirm_delete = true;
            }
        }
        _ => {
            let label = match action {
                ConnectorAction::CreateRecord => "Create",
                _ => "Run",
            };
            if ui
                .add_enabled(enabled, primary_button(label))
                .on_hover_text(shortcut)
                .clicked()
            {
                request = FormRequest::Run;
            }
        }
    }
    if let (Some(forms), Some(root)) = (forms, service_root) {
        target_ui(ui, action, forms, root);
    }
    request
}

/// What the main button acts on, next to it: `PATCH CustomersV3(…)` (the full URL on
/// hover), or why there is nothing to act on yet.
fn target_ui(ui: &mut egui::Ui, action: ConnectorAction, forms: &EntityForms, root: &str) {
    let scoped = |path: String| {
        if forms.key.cross_company {
            format!("{path}?cross-company=true")
        } else {
            path
        }
    };
    let target: Option<Result<(&str, String), String>> = match action {
        ConnectorAction::UpdateRecord => Some(forms.update_target().map(|p| ("PATCH", scoped(p)))),
        ConnectorAction::DeleteRecord => Some(forms.key.path().map(|p| ("DELETE", scoped(p)))),
        ConnectorAction::GetRecord => Some(forms.key.path().map(|p| ("GET", scoped(p)))),
        ConnectorAction::ExecuteAction => forms
            .action
            .selected()
            .filter(|choice| choice.target == ActionTarget::Record)
            .map(|_| {
                let (method, url) = forms.action.preview(root)?;
                let path = url.strip_prefix(root).unwrap_or(&url).to_owned();
                Ok((method, path))
            }),
        _ => None,
    };
    let width = (ui.available_width() - 120.0).max(80.0);
    match target {
        Some(Ok((method, path))) => {
            let full = format!("{method} {}", request_url(root, &path, ""));
            ui.scope(|ui| {
                ui.set_max_width(width);
                ui.add(
                    egui::Label::new(
                        egui::RichText::new(format!("{method} {path}"))
                            .monospace()
                            .color(theme::MUTED),
                    )
                    .truncate(),
                )
            })
            .inner
            .on_hover_text(full);
        }
        Some(Err(why)) if action == ConnectorAction::UpdateRecord => {
            ui.add(
                egui::Label::new(egui::RichText::new(why).color(theme::WARNING).small()).truncate(),
            );
        }
        _ => {}
    }
}

/// Draws the form of `action` (its main button is drawn by [`primary_action_ui`]); `busy`
/// disables its other buttons.
pub fn entity_form_ui(
    ui: &mut egui::Ui,
    action: ConnectorAction,
    forms: &mut EntityForms,
    service_root: &str,
    busy: bool,
    confirm_delete: &mut bool,
) -> FormRequest {
    let mut request = FormRequest::None;
    match action {
        ConnectorAction::ListEntities => {}
        ConnectorAction::ListItems => list_form_ui(ui, &mut forms.list, service_root),
        ConnectorAction::GetRecord => key_form_ui(ui, &mut forms.key, service_root, "GET"),
        ConnectorAction::CreateRecord => {
            record_form_ui(ui, &mut forms.create);
            record_request_ui(ui, &forms.create, service_root);
        }
        ConnectorAction::ExecuteAction => {
            action_form_ui(ui, &mut forms.action, service_root);
        }
        ConnectorAction::UpdateRecord => {
            // The key inputs and the record's key fields share names: keep their ids apart.
            ui.push_id("update-key", |ui| key_fields_ui(ui, &mut forms.key));
            if ui
                .add_enabled(!busy, egui::Button::new("Load record"))
                .on_hover_text("Reads the record's current values and its ETag")
                .clicked()
            {
                request = FormRequest::Load;
            }
            if forms.update.is_loaded() {
                ui.separator();
                let bound = forms.update_target().is_ok();
                if !bound {
                    not_loaded_ui(ui, forms);
                }
                ui.push_id("update-record", |ui| {
                    // Fields of another record than the key names: shown, not editable.
                    ui.add_enabled_ui(bound, |ui| record_form_ui(ui, &mut forms.update));
                    if bound {
                        record_request_ui(ui, &forms.update, service_root);
                    }
                });
            } else {
                ui.label(
                    egui::RichText::new("Load the record to edit its current values.")
                        .color(theme::MUTED),
                );
            }
        }
        ConnectorAction::DeleteRecord => {
            key_form_ui(ui, &mut forms.key, service_root, "DELETE");
        }
    }
    if *confirm_delete {
        match confirm_delete_ui(ui, forms) {
            Decision::Pending => {}
            Decision::Confirmed => {
                request = FormRequest::ConfirmDelete;
                *confirm_delete = false;
            }
            Decision::Cancelled => *confirm_delete = false,
        }
    }
    request
}

/// The warning over an update form whose key values were changed after loading: the
/// fields below are the loaded record's, not the one the key now names.
fn not_loaded_ui(ui: &mut egui::Ui, forms: &EntityForms) {
    let loaded = forms.update.path().unwrap_or_else(|_| forms.entity.clone());
    egui::Frame::group(ui.style())
        .stroke(egui::Stroke::new(1.0, theme::WARNING))
        .show(ui, |ui| {
            ui.set_min_width(ui.available_width());
            ui.colored_label(
                theme::WARNING,
                egui::RichText::new("Not loaded: the key values name another record").strong(),
            );
            ui.label(format!(
                "The fields below are those of {loaded}. Press Load record to edit the record \
                 the key values name; Save changes stays off until then."
            ));
        });
}

/// The button that sends the request: filled with the accent colour.
pub(super) fn primary_button(label: &str) -> egui::Button<'static> {
    egui::Button::new(egui::RichText::new(label.to_owned()).color(egui::Color32::WHITE))
        .fill(theme::ACCENT)
}

/// Where the confirmation dialog stands.
enum Decision {
    Pending,
    Confirmed,
    Cancelled,
}

/// The confirmation dialog (Esc or a click outside cancels).
fn confirm_delete_ui(ui: &mut egui::Ui, forms: &EntityForms) -> Decision {
    let what = forms
        .key
        .path()
        .unwrap_or_else(|e| format!("(invalid key: {e})"));
    let mut decision = Decision::Pending;
    let modal = egui::Modal::new(egui::Id::unique("confirm_delete")).show(ui.ctx(), |ui| {
        ui.heading("Delete this record?");
        ui.monospace(&what);
        ui.label("The record is deleted on the server. This cannot be undone.");
        ui.horizontal(|ui| {
            if ui
                .button(egui::RichText::new("Delete").color(theme::ERROR))
                .clicked()
            {
                decision = Decision::Confirmed;
            }
            if ui.button("Cancel").clicked() {
                decision = Decision::Cancelled;
            }
        });
    });
    if matches!(decision, Decision::Pending) && modal.should_close() {
        decision = Decision::Cancelled;
    }
    decision
}
