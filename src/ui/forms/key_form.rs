//! The key form of Get, Update and Delete: one typed input per key field in key order and
//! the connector's comma-separated form, kept in sync, with the exact request URL.

use super::field::{FieldInput, FieldSpec};
use super::field_widgets::fields_grid_ui;
use super::url::request_url;
use super::{FormError, entity_type_of};
pub use crate::odata::keys::join_key_values;
use crate::odata::keys::{KeyPredicate, entity_path, split_key_values};
use crate::odata::metadata::Model;
use crate::ui::theme;

/// State of a key form for one entity set.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyForm {
    entity_set: String,
    fields: Vec<FieldInput>,
    comma_text: String,
    comma_error: Option<String>,
    /// The record may be in another company than the user's default: requests carry
    /// F&O's `cross-company=true`.
    pub cross_company: bool,
}

impl KeyForm {
    /// A form for the key of `entity_set`'s entity type (key fields are always editable
    /// here and always required).
    pub fn new(model: &Model, entity_set: &str) -> Result<Self, FormError> {
        let entity = entity_type_of(model, entity_set)?;
        let fields = model
            .key_properties(entity)
            .into_iter()
            .map(|p| {
                let mut spec = FieldSpec::from_property(model, p);
                spec.required = true;
                spec.read_only = false;
                FieldInput::new(spec)
            })
            .collect();
        Ok(Self {
            entity_set: entity_set.to_owned(),
            fields,
            comma_text: String::new(),
            comma_error: None,
            cross_company: false,
        })
    }

    /// The entity set the key belongs to.
    pub fn entity_set(&self) -> &str {
        &self.entity_set
    }

    /// The key fields in key order.
    pub fn fields(&self) -> &[FieldInput] {
        &self.fields
    }

    /// The comma-separated form, e.g. `usmf,US-001`.
    pub fn comma_text(&self) -> &str {
        &self.comma_text
    }

    /// Sets the comma-separated form and, when it has one value per key field, the
    /// per-field inputs; otherwise a message explains the mismatch.
    pub fn set_comma_text(&mut self, text: &str) {
        self.comma_text = text.to_owned();
        self.comma_error = None;
        if text.trim().is_empty() {
            for field in &mut self.fields {
                field.set_text("");
            }
            return;
        }
        match split_key_values(text) {
            Ok(values) if values.len() == self.fields.len() => {
                for (field, value) in self.fields.iter_mut().zip(values) {
                    field.set_text(&value);
                }
            }
            Ok(values) => {
                self.comma_error = Some(format!(
                    "expected {} value(s) ({}) but got {}",
                    self.fields.len(),
                    self.field_names().join(", "),
                    values.len()
                ));
            }
            Err(e) => self.comma_error = Some(e.to_string()),
        }
    }

    /// Sets one key field by name and rewrites the comma-separated form; `false` when the
    /// key has no such field.
    pub fn set_field(&mut self, name: &str, text: &str) -> bool {
        let Some(field) = self.fields.iter_mut().find(|f| f.name() == name) else {
            return false;
        };
        field.set_text(text);
        self.sync_comma_from_fields();
        true
    }

    /// Fills the key from a record read from the service.
    pub fn fill_from_record(&mut self, record: &serde_json::Map<String, serde_json::Value>) {
        for field in &mut self.fields {
            if let Some(json) = record.get(field.name()) {
                field.set_json(json);
            }
        }
        self.sync_comma_from_fields();
    }

    fn field_names(&self) -> Vec<&str> {
        self.fields.iter().map(FieldInput::name).collect()
    }

    fn sync_comma_from_fields(&mut self) {
        let texts: Vec<String> = self.fields.iter().map(FieldInput::text).collect();
        self.comma_text = join_key_values(&texts);
        self.comma_error = None;
    }

    /// The typed key predicate; the message names every bad field.
    pub fn key(&self) -> Result<KeyPredicate, String> {
        if self.fields.is_empty() {
            return Err(format!("{} has no key", self.entity_set));
        }
        if let Some(error) = &self.comma_error {
            return Err(error.clone());
        }
        let mut parts = Vec::with_capacity(self.fields.len());
        let mut errors = Vec::new();
        for field in &self.fields {
            if field.text().is_empty() {
                errors.push(format!("enter a value for {}", field.name()));
                continue;
            }
            match field.parse() {
                Ok(Some(value)) => parts.push((field.name().to_owned(), value)),
                Ok(None) => errors.push(format!("enter a value for {}", field.name())),
                Err(e) => errors.push(format!("{}: {e}", field.name())),
            }
        }
        if errors.is_empty() {
            Ok(KeyPredicate::new(parts))
        } else {
            Err(errors.join("; "))
        }
    }

    /// Checks every key field and stores the messages; returns the key.
    pub fn check(&mut self) -> Result<KeyPredicate, String> {
        for field in &mut self.fields {
            let _ = field.check();
        }
        self.key()
    }

    /// The record's path relative to the service root, percent-encoded.
    pub fn path(&self) -> Result<String, String> {
        Ok(entity_path(&self.entity_set, &self.key()?))
    }

    /// The exact URL of the record under `service_root`.
    pub fn url(&self, service_root: &str) -> Result<String, String> {
        let query = if self.cross_company {
            "cross-company=true"
        } else {
            ""
        };
        Ok(request_url(service_root, &self.path()?, query))
    }
}

/// Draws the key form: the comma-separated form, one input per key field, and the URL
/// preview under `service_root` (with `method`, e.g. `GET`).
pub fn key_form_ui(ui: &mut egui::Ui, form: &mut KeyForm, service_root: &str, method: &str) {
    key_fields_ui(ui, form);
    url_preview_ui(ui, method, form.url(service_root));
}

/// Draws the comma-separated key and the per-field inputs, without the URL.
pub fn key_fields_ui(ui: &mut egui::Ui, form: &mut KeyForm) {
    ui.horizontal(|ui| {
        let label = ui.label("Key values").on_hover_text(format!(
            "Comma-separated, in key order: {}. Quote values that contain commas.",
            form.field_names().join(", ")
        ));
        let mut text = form.comma_text.clone();
        let response = ui
            .add(
                egui::TextEdit::singleline(&mut text)
                    .id(ui.make_persistent_id(("key-comma", &form.entity_set)))
                    .hint_text(form.field_names().join(","))
                    .font(egui::TextStyle::Monospace)
                    .desired_width(320.0),
            )
            .labelled_by(label.id);
        if response.changed() {
            form.set_comma_text(&text);
        }
    });
    if let Some(error) = &form.comma_error {
        ui.label(egui::RichText::new(error).color(theme::ERROR).small());
    }
    let before: Vec<String> = form.fields.iter().map(FieldInput::text).collect();
    fields_grid_ui(ui, ("key-fields", &form.entity_set), form.fields.iter_mut());
    let after: Vec<String> = form.fields.iter().map(FieldInput::text).collect();
    if before != after {
        form.sync_comma_from_fields();
    }
    let switched = ui
        .checkbox(&mut form.cross_company, "Cross-company")
        .on_hover_text(
            "The record may be in another company than your default one \
             (sends cross-company=true; F&O answers 404 otherwise)",
        )
        .changed();
    if switched {
        // The target next to the main button is drawn above this form: show it changed now.
        ui.ctx().request_repaint();
    }
}

/// The monospace `METHOD url` line, or the reason there is no URL yet, muted.
pub fn url_preview_ui(ui: &mut egui::Ui, method: &str, url: Result<String, String>) {
    match url {
        Ok(url) => {
            ui.add(
                egui::Label::new(egui::RichText::new(format!("{method} {url}")).monospace()).wrap(),
            );
        }
        Err(why) => {
            ui.label(egui::RichText::new(why).color(theme::MUTED).small());
        }
    }
}
