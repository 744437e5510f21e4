//! The Execute action form: actions bound to the entity (on a record or on the collection)
//! and unbound imports, with a parameter form; builds an `OperationCall` with typed args.

use super::field::{FieldInput, FieldSpec};
use super::field_widgets::fields_grid_ui;
use super::key_form::{KeyForm, key_fields_ui, url_preview_ui};
use super::record_form::FieldErrors;
use super::url::request_url;
use super::{FormError, entity_type_of};
use crate::odata::client::operations::{
    OperationArg, OperationCall, OperationKind, OperationTarget,
};
use crate::odata::metadata::{Model, Operation};
use crate::ui::theme;

/// What an operation is called on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActionTarget {
    /// Bound to one record: needs a key.
    Record,
    /// Bound to the entity set.
    Collection,
    /// An action or function import at the service root.
    Unbound,
}

/// One operation the form offers, with its parameter fields.
#[derive(Debug, Clone, PartialEq)]
pub struct ActionChoice {
    /// Qualified name (`Namespace.Name`) when bound, import name when unbound.
    pub name: String,
    /// Record, collection or unbound.
    pub target: ActionTarget,
    /// Action (POST) or function (GET).
    pub kind: OperationKind,
    /// The parameters a caller supplies (binding parameter excluded).
    pub parameters: Vec<FieldInput>,
}

impl ActionChoice {
    fn new(
        model: &Model,
        name: String,
        target: ActionTarget,
        kind: OperationKind,
        op: &Operation,
    ) -> Self {
        Self {
            name,
            target,
            kind,
            parameters: op
                .call_parameters()
                .iter()
                .map(|p| FieldInput::new(FieldSpec::from_parameter(model, p)))
                .collect(),
        }
    }

    /// The text of the picker entry, e.g. `Confirm (on a record)`.
    pub fn label(&self) -> String {
        let short = self.name.rsplit('.').next().unwrap_or(&self.name);
        let place = match (&self.target, self.kind) {
            (ActionTarget::Record, OperationKind::Action) => "on a record",
            (ActionTarget::Record, OperationKind::Function) => "function on a record",
            (ActionTarget::Collection, OperationKind::Action) => "on the entity set",
            (ActionTarget::Collection, OperationKind::Function) => "function on the entity set",
            (ActionTarget::Unbound, OperationKind::Action) => "unbound action",
            (ActionTarget::Unbound, OperationKind::Function) => "unbound function",
        };
        format!("{short} ({place})")
    }
}

/// State of the Execute action form for one entity set.
#[derive(Debug, Clone, PartialEq)]
pub struct ActionForm {
    entity_set: String,
    choices: Vec<ActionChoice>,
    selected: Option<usize>,
    /// The key of the record, for actions bound to one record.
    pub key: KeyForm,
}

impl ActionForm {
    /// A form listing the actions and functions bound to `entity_set`'s type (first) and
    /// the service's unbound action and function imports.
    pub fn new(model: &Model, entity_set: &str) -> Result<Self, FormError> {
        entity_type_of(model, entity_set)?;
        let entity_type = model
            .entity_set(entity_set)
            .map(|s| model.canonical_name(&s.entity_type))
            .unwrap_or_default();
        let mut choices: Vec<ActionChoice> = model
            .operations_bound_to(&entity_type)
            .into_iter()
            .map(|bound| {
                let target = if bound.on_collection() {
                    ActionTarget::Collection
                } else {
                    ActionTarget::Record
                };
                let kind = if bound.is_function {
                    OperationKind::Function
                } else {
                    OperationKind::Action
                };
                ActionChoice::new(model, bound.qualified_name, target, kind, bound.operation)
            })
            .collect();
        if let Some(container) = model.container() {
            let imports = container
                .action_imports
                .iter()
                .map(|i| (i, OperationKind::Action))
                .chain(
                    container
                        .function_imports
                        .iter()
                        .map(|i| (i, OperationKind::Function)),
                );
            for (import, kind) in imports {
                let operations = model.operations(&import.operation);
                let Some(op) = operations.iter().find(|o| !o.is_bound) else {
                    continue;
                };
                choices.push(ActionChoice::new(
                    model,
                    import.name.clone(),
                    ActionTarget::Unbound,
                    kind,
                    op,
                ));
            }
        }
        Ok(Self {
            entity_set: entity_set.to_owned(),
            selected: if choices.is_empty() { None } else { Some(0) },
            choices,
            key: KeyForm::new(model, entity_set)?,
        })
    }

    /// The operations offered.
    pub fn choices(&self) -> &[ActionChoice] {
        &self.choices
    }

    /// The chosen operation.
    pub fn selected(&self) -> Option<&ActionChoice> {
        self.selected.and_then(|i| self.choices.get(i))
    }

    /// Chooses the operation named `name` (qualified or short); `false` when not offered.
    pub fn select(&mut self, name: &str) -> bool {
        let found = self
            .choices
            .iter()
            .position(|c| c.name == name || c.name.rsplit('.').next() == Some(name));
        if found.is_some() {
            self.selected = found;
        }
        found.is_some()
    }

    /// Sets a parameter of the chosen operation; `false` when there is no such parameter.
    pub fn set_parameter(&mut self, name: &str, text: &str) -> bool {
        let Some(choice) = self.selected.and_then(|i| self.choices.get_mut(i)) else {
            return false;
        };
        match choice.parameters.iter_mut().find(|p| p.name() == name) {
            Some(field) => {
                field.set_text(text);
                true
            }
            None => false,
        }
    }

    /// The call: typed arguments (empty optional parameters omitted) and, for actions on
    /// a record, the key. Every problem is reported and shown on its field.
    pub fn to_call(&mut self) -> Result<OperationCall, FieldErrors> {
        let Some(index) = self.selected else {
            return Err(vec![("action".to_owned(), "choose an action".to_owned())]);
        };
        let mut errors = Vec::new();
        let target = match self.choices[index].target {
            ActionTarget::Unbound => OperationTarget::Unbound,
            ActionTarget::Collection => OperationTarget::EntitySet(self.entity_set.clone()),
            ActionTarget::Record => match self.key.check() {
                Ok(key) => {
                    let literal = key.to_literal();
                    let inner = literal
                        .strip_prefix('(')
                        .and_then(|l| l.strip_suffix(')'))
                        .unwrap_or(&literal);
                    OperationTarget::Entity {
                        entity_set: self.entity_set.clone(),
                        key: inner.to_owned(),
                    }
                }
                Err(e) => {
                    errors.push(("key".to_owned(), e));
                    OperationTarget::Unbound
                }
            },
        };
        let choice = &mut self.choices[index];
        let mut args = Vec::new();
        for field in &mut choice.parameters {
            match field.check() {
                Ok(Some(value)) => args.push(OperationArg {
                    name: field.name().to_owned(),
                    literal: Some(value.to_url_literal()),
                    value: value.to_json(),
                }),
                Ok(None) => {}
                Err(e) => errors.push((field.name().to_owned(), e)),
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(OperationCall {
            target,
            kind: choice.kind,
            name: choice.name.clone(),
            args,
        })
    }

    /// The HTTP method and exact URL of the call under `service_root`, without touching
    /// the messages shown on fields.
    pub fn preview(&self, service_root: &str) -> Result<(&'static str, String), String> {
        let mut copy = self.clone();
        let call = copy.to_call().map_err(|errors| {
            errors
                .iter()
                .map(|(f, m)| format!("{f}: {m}"))
                .collect::<Vec<_>>()
                .join("; ")
        })?;
        let method = match call.kind {
            OperationKind::Action => "POST",
            OperationKind::Function => "GET",
        };
        let query = match call.target {
            OperationTarget::Unbound => "",
            _ if self.key.cross_company => "cross-company=true",
            _ => "",
        };
        Ok((method, request_url(service_root, &call.path(), query)))
    }
}

/// Draws the action picker, the key (for actions on a record), the parameters and the
/// request preview under `service_root`.
pub fn action_form_ui(ui: &mut egui::Ui, form: &mut ActionForm, service_root: &str) {
    if form.choices.is_empty() {
        ui.label(
            egui::RichText::new(
                "No action is bound to this entity and the service has no unbound imports.",
            )
            .color(theme::MUTED),
        );
        return;
    }
    ui.horizontal(|ui| {
        let label = ui.label("Action");
        let current = form.selected().map(ActionChoice::label).unwrap_or_default();
        let mut picked = None;
        egui::ComboBox::from_id_salt(("action-choice", &form.entity_set))
            .selected_text(current)
            .width(320.0)
            .show_ui(ui, |ui| {
                for (i, choice) in form.choices.iter().enumerate() {
                    if ui
                        .selectable_label(form.selected == Some(i), choice.label())
                        .clicked()
                    {
                        picked = Some(i);
                    }
                }
            })
            .response
            .labelled_by(label.id);
        if picked.is_some() {
            form.selected = picked;
        }
    });
    let Some(index) = form.selected else {
        return;
    };
    if form.choices[index].target == ActionTarget::Record {
        key_fields_ui(ui, &mut form.key);
    }
    let choice = &mut form.choices[index];
    if choice.parameters.is_empty() {
        ui.label(
            egui::RichText::new("No parameters.")
                .color(theme::MUTED)
                .small(),
        );
    } else {
        ui.strong("Parameters");
        fields_grid_ui(
            ui,
            ("action-params", &choice.name),
            choice.parameters.iter_mut(),
        );
    }
    let preview = form.preview(service_root);
    let method = preview.as_ref().map(|(m, _)| *m).unwrap_or("POST");
    url_preview_ui(ui, method, preview.map(|(_, url)| url));
}
