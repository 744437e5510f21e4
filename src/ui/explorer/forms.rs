//! The forms of the selected entity, one per connector action, built from its metadata when
//! the entity changes, and what the user asked of them this frame.

use crate::odata::metadata::Model;
use crate::ui::forms::{
    ActionForm, FormError, FormInputs, KeyForm, ListForm, RecordForm, action_form_ui, fill_action,
    fill_record, filled, key_fields_ui, key_form_ui, list_form_ui, record_form_ui,
    record_request_ui,
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
            }),
            ConnectorAction::CreateRecord => Some(FormInputs::Record {
                values: filled(self.create.fields()),
            }),
            ConnectorAction::ExecuteAction => {
                self.action.selected().map(|choice| FormInputs::Action {
                    name: choice.name.clone(),
                    keys: self.action.key.comma_text().to_owned(),
                    parameters: filled(&choice.parameters),
                })
            }
            ConnectorAction::ListEntities => None,
        }
    }

    /// Fills the form `inputs` belong to.
    pub fn apply_inputs(&mut self, inputs: &FormInputs) {
        match inputs {
            FormInputs::List(list) => self.list.apply_inputs(list),
            FormInputs::Key { keys } => self.key.set_comma_text(keys),
            FormInputs::Record { values } => fill_record(&mut self.create, values),
            FormInputs::Action {
                name,
                keys,
                parameters,
            } => fill_action(&mut self.action, name, keys, parameters),
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
}

/// The action's main button (Run, Create, Save changes, Delete…), drawn in the heading row
/// so that it stays in view however long the form is; disabled unless `enabled`.
pub fn primary_action_ui(
    ui: &mut egui::Ui,
    action: ConnectorAction,
    forms: Option<&EntityForms>,
    enabled: bool,
    confirm_delete: &mut bool,
) -> FormRequest {
    let shortcut = "Ctrl+Enter";
    match action {
        ConnectorAction::UpdateRecord => {
            let loaded = forms.is_some_and(|f| f.update.is_loaded());
            let clicked = ui
                .add_enabled(enabled && loaded, primary_button("Save changes"))
                .on_hover_text("Sends only the changed fields, with the record's ETag (Ctrl+Enter)")
                .on_disabled_hover_text("Load the record first")
                .clicked();
            if clicked {
                return FormRequest::Save;
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
                return FormRequest::Run;
            }
        }
    }
    FormRequest::None
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
                ui.push_id("update-record", |ui| {
                    record_form_ui(ui, &mut forms.update);
                    record_request_ui(ui, &forms.update, service_root);
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
