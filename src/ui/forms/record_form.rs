//! The record form of Create and Update: a typed field per structural property, key fields
//! first in key order, with search and "Show only required"; builds exact JSON bodies.

use serde_json::{Map, Value as Json};

use super::field::{FieldInput, FieldSpec};
use super::field_widgets::fields_grid_ui;
use super::key_form::url_preview_ui;
use super::url::request_url;
use super::{FormError, entity_type_of};
use crate::odata::keys::{KeyPredicate, encode_path_segment, entity_path};
use crate::odata::metadata::{Model, Property};
use crate::odata::values::changed_fields;
use crate::ui::theme;

/// `(field, message)` pairs, one per bad field, in form order.
pub type FieldErrors = Vec<(String, String)>;

/// What the form is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordMode {
    /// A new record (POST): key fields editable.
    Create,
    /// An existing record (PATCH): key fields read-only, only changes sent.
    Update,
}

/// State of a create or update form for one entity set.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordForm {
    entity_set: String,
    mode: RecordMode,
    fields: Vec<FieldInput>,
    key_count: usize,
    original: Map<String, Json>,
    etag: Option<String>,
    /// Text of the field search box (matches names and labels).
    pub search: String,
    /// Whether only required fields are listed.
    pub only_required: bool,
}

/// Read-only in this mode. On create, F&O `AllowEdit=false` fields can still be set
/// (unless `AllowEditOnCreate=false`); computed fields never can. On update, every
/// read-only field, `Core.Immutable` fields and key fields are locked.
fn read_only_in(mode: RecordMode, property: &Property, is_key: bool) -> bool {
    let computed = property.annotations.is_true("Computed");
    match mode {
        RecordMode::Create => {
            computed
                || property
                    .annotations
                    .get("AllowEditOnCreate")
                    .is_some_and(|v| v.eq_ignore_ascii_case("false"))
        }
        RecordMode::Update => {
            property.is_read_only() || is_key || property.annotations.is_true("Immutable")
        }
    }
}

impl RecordForm {
    /// A form for `entity_set`: every structural property (inherited ones included), key
    /// fields first in key order.
    pub fn new(model: &Model, entity_set: &str, mode: RecordMode) -> Result<Self, FormError> {
        let entity = entity_type_of(model, entity_set)?;
        let keys = model.key_properties(entity);
        let mut fields = Vec::new();
        for property in &keys {
            fields.push(Self::input(model, mode, property, true));
        }
        for property in model.all_properties(entity) {
            if !keys.iter().any(|k| k.name == property.name) {
                fields.push(Self::input(model, mode, property, false));
            }
        }
        Ok(Self {
            entity_set: entity_set.to_owned(),
            mode,
            fields,
            key_count: keys.len(),
            original: Map::new(),
            etag: None,
            search: String::new(),
            only_required: false,
        })
    }

    fn input(model: &Model, mode: RecordMode, property: &Property, is_key: bool) -> FieldInput {
        let mut spec = FieldSpec::from_property(model, property);
        spec.read_only = read_only_in(mode, property, is_key);
        if is_key && mode == RecordMode::Create {
            spec.required = true;
        }
        FieldInput::new(spec)
    }

    /// A create form.
    pub fn create(model: &Model, entity_set: &str) -> Result<Self, FormError> {
        Self::new(model, entity_set, RecordMode::Create)
    }

    /// An update form (call [`Self::load`] with the current record).
    pub fn update(model: &Model, entity_set: &str) -> Result<Self, FormError> {
        Self::new(model, entity_set, RecordMode::Update)
    }

    /// The entity set.
    pub fn entity_set(&self) -> &str {
        &self.entity_set
    }

    /// Create or update.
    pub fn mode(&self) -> RecordMode {
        self.mode
    }

    /// Every field, key fields first.
    pub fn fields(&self) -> &[FieldInput] {
        &self.fields
    }

    /// The field named `name`.
    pub fn field(&self, name: &str) -> Option<&FieldInput> {
        self.fields.iter().find(|f| f.name() == name)
    }

    /// The field named `name`, to change it.
    pub fn field_mut(&mut self, name: &str) -> Option<&mut FieldInput> {
        self.fields.iter_mut().find(|f| f.name() == name)
    }

    /// Sets a field's text; `false` when there is no such field.
    pub fn set_text(&mut self, name: &str, text: &str) -> bool {
        self.field_mut(name).map(|f| f.set_text(text)).is_some()
    }

    /// The fields the list shows under the current search and "only required" toggle.
    pub fn visible(&self, field: &FieldInput) -> bool {
        let query = self.search.trim().to_lowercase();
        (!self.only_required || field.spec.required)
            && (query.is_empty()
                || field.spec.name.to_lowercase().contains(&query)
                || field.spec.label.to_lowercase().contains(&query))
    }

    /// Outlines the field a server error names (by name, case-insensitively); `false`
    /// when no field matches.
    pub fn highlight_field(&mut self, name: &str) -> bool {
        let mut found = false;
        for field in &mut self.fields {
            if field.name().eq_ignore_ascii_case(name) {
                field.highlight = true;
                found = true;
            }
        }
        found
    }

    /// Removes every server-error outline.
    pub fn clear_highlights(&mut self) {
        for field in &mut self.fields {
            field.highlight = false;
        }
    }

    /// The POST body: every non-empty editable field typed exactly (empty optional fields
    /// are omitted). Every bad or missing required field is reported and its message shown.
    pub fn to_create_body(&mut self) -> Result<Map<String, Json>, FieldErrors> {
        let mut body = Map::new();
        let mut errors = Vec::new();
        for field in self.fields.iter_mut().filter(|f| !f.spec.read_only) {
            match field.check() {
                Ok(Some(value)) => {
                    body.insert(field.name().to_owned(), value.to_json());
                }
                Ok(None) => {}
                Err(e) => errors.push((field.name().to_owned(), e)),
            }
        }
        if errors.is_empty() {
            Ok(body)
        } else {
            Err(errors)
        }
    }

    /// Fills the form from a record read from the service and remembers it (and its
    /// `@odata.etag`) as the original for [`Self::changed_body`].
    pub fn load(&mut self, record: &Json) -> Result<(), String> {
        let Json::Object(map) = record else {
            return Err("the record is not a JSON object".to_owned());
        };
        for field in &mut self.fields {
            match map.get(field.name()) {
                Some(json) => field.set_json(json),
                None => field.set_text(""),
            }
            field.error = None;
            field.highlight = false;
        }
        self.etag = map
            .get("@odata.etag")
            .and_then(Json::as_str)
            .map(str::to_owned);
        self.original = map.clone();
        Ok(())
    }

    /// Forgets the loaded record: every field emptied, no original and no ETag, so that the
    /// form can no longer be saved (e.g. after loading another record failed).
    pub fn unload(&mut self) {
        for field in &mut self.fields {
            field.set_text("");
            field.error = None;
            field.highlight = false;
        }
        self.original.clear();
        self.etag = None;
    }

    /// Fills the editable fields from `record` (a copy to create a similar record); the
    /// fields read-only in this form stay empty, no original is remembered.
    pub fn prefill(&mut self, record: &Map<String, Json>) {
        for field in &mut self.fields {
            match record.get(field.name()).filter(|_| !field.spec.read_only) {
                Some(json) => field.set_json(json),
                None => field.set_text(""),
            }
            field.error = None;
            field.highlight = false;
        }
    }

    /// The `@odata.etag` of the loaded record, for `If-Match`.
    pub fn etag(&self) -> Option<&str> {
        self.etag.as_deref()
    }

    /// Whether a record was loaded.
    pub fn is_loaded(&self) -> bool {
        !self.original.is_empty()
    }

    /// The PATCH body: only editable fields whose value differs from the loaded record
    /// (exact comparison, `1.50` equals `1.5`). A cleared field is sent as `null` (`""` for
    /// text) when it had a value.
    pub fn changed_body(&mut self) -> Result<Map<String, Json>, FieldErrors> {
        let mut edited = Map::new();
        let mut errors = Vec::new();
        for field in self.fields.iter_mut().filter(|f| !f.spec.read_only) {
            let original = self.original.get(field.name()).filter(|v| !v.is_null());
            if field.is_empty() && !field.spec.required {
                field.error = None;
                if original.is_some() {
                    let cleared = if field.spec.is_text() {
                        Json::String(String::new())
                    } else {
                        Json::Null
                    };
                    edited.insert(field.name().to_owned(), cleared);
                }
                continue;
            }
            match field.check() {
                Ok(Some(value)) => {
                    edited.insert(field.name().to_owned(), value.to_json());
                }
                Ok(None) => {}
                Err(e) => errors.push((field.name().to_owned(), e)),
            }
        }
        if errors.is_empty() {
            Ok(changed_fields(&self.original, &edited))
        } else {
            Err(errors)
        }
    }

    /// The key of the record in the form, typed from the key fields.
    pub fn key(&self) -> Result<KeyPredicate, String> {
        let mut parts = Vec::with_capacity(self.key_count);
        for field in &self.fields[..self.key_count] {
            match field.parse() {
                Ok(Some(value)) => parts.push((field.name().to_owned(), value)),
                Ok(None) => return Err(format!("enter a value for {}", field.name())),
                Err(e) => return Err(format!("{}: {e}", field.name())),
            }
        }
        if parts.is_empty() {
            return Err(format!("{} has no key", self.entity_set));
        }
        Ok(KeyPredicate::new(parts))
    }

    /// The record's path relative to the service root (for PATCH), percent-encoded.
    pub fn path(&self) -> Result<String, String> {
        Ok(entity_path(&self.entity_set, &self.key()?))
    }

    /// What would be sent, without touching the messages shown on fields: the method
    /// (`POST` or `PATCH`), the exact URL under `service_root` and the JSON body.
    pub fn request_preview(
        &self,
        service_root: &str,
    ) -> Result<(&'static str, String, Json), String> {
        let mut copy = self.clone();
        let summary = |errors: FieldErrors| {
            let names: Vec<String> = errors.into_iter().map(|(f, _)| f).collect();
            format!("Fix {} to see the request.", names.join(", "))
        };
        match self.mode {
            RecordMode::Create => {
                let body = copy.to_create_body().map_err(summary)?;
                let url = request_url(service_root, &encode_path_segment(&self.entity_set), "");
                Ok(("POST", url, Json::Object(body)))
            }
            RecordMode::Update => {
                if !self.is_loaded() {
                    return Err("Load the record to edit it.".to_owned());
                }
                let body = copy.changed_body().map_err(summary)?;
                let url = request_url(service_root, &self.path()?, "");
                Ok(("PATCH", url, Json::Object(body)))
            }
        }
    }
}

/// Draws the request the form would send: `METHOD url` in monospace and the JSON body.
pub fn record_request_ui(ui: &mut egui::Ui, form: &RecordForm, service_root: &str) {
    match form.request_preview(service_root) {
        Ok((method, url, body)) => {
            url_preview_ui(ui, method, Ok(url));
            let text = serde_json::to_string_pretty(&body).unwrap_or_default();
            ui.add(egui::Label::new(egui::RichText::new(text).monospace().small()).wrap());
        }
        Err(why) => url_preview_ui(ui, "", Err(why)),
    }
}

/// Draws the record form: search box, "Show only required", then the field grid.
pub fn record_form_ui(ui: &mut egui::Ui, form: &mut RecordForm) {
    ui.horizontal(|ui| {
        let label = ui.label("Search fields");
        ui.add(
            egui::TextEdit::singleline(&mut form.search)
                .id(ui.make_persistent_id(("record-search", &form.entity_set)))
                .hint_text("name or label")
                .desired_width(200.0),
        )
        .labelled_by(label.id);
        ui.checkbox(&mut form.only_required, "Show only required");
        let shown = form.fields.iter().filter(|f| form.visible(f)).count();
        ui.label(
            egui::RichText::new(format!("{shown} of {} fields", form.fields.len()))
                .color(theme::MUTED),
        );
    });
    if form.mode == RecordMode::Update {
        let text = match (&form.etag, form.is_loaded()) {
            (_, false) => "Load the record to edit it.".to_owned(),
            (Some(etag), true) => format!("ETag {etag}"),
            (None, true) => "The record has no ETag.".to_owned(),
        };
        ui.label(egui::RichText::new(text).color(theme::MUTED).small());
    }
    let visible: Vec<bool> = form.fields.iter().map(|f| form.visible(f)).collect();
    let salt = ("record-fields", form.entity_set.clone());
    fields_grid_ui(
        ui,
        salt,
        form.fields
            .iter_mut()
            .zip(visible)
            .filter_map(|(f, v)| v.then_some(f)),
    );
}
