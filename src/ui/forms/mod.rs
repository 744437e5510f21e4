//! Forms generated from metadata (record, key, list and action forms), reusable by the
//! explorer and the flow editor; pure logic lives in plain methods, drawing in `*_ui` functions.

mod action_form;
mod field;
mod field_widgets;
mod inputs;
mod key_form;
mod list_form;
mod list_widgets;
mod record_form;
mod url;

pub use action_form::{ActionChoice, ActionForm, ActionTarget, action_form_ui};
pub use field::{FieldInput, FieldSpec, WidgetKind};
pub use field_widgets::{field_row_ui, field_ui, fields_grid_ui};
pub use inputs::{FormInputs, ListInputs, fill_action, fill_record, filled};
pub use key_form::{KeyForm, join_key_values, key_fields_ui, key_form_ui, url_preview_ui};
pub use list_form::{ListForm, OrderRow, RowInput};
pub use list_widgets::list_form_ui;
pub use record_form::{FieldErrors, RecordForm, RecordMode, record_form_ui, record_request_ui};
pub use url::request_url;

use crate::odata::metadata::{Annotations, EntityType, Model, Schema};

/// Why a form could not be built for an entity set.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FormError {
    /// The model has no entity set of that name.
    #[error("no entity set named '{0}'")]
    UnknownEntitySet(String),
    /// The entity set's type is not declared.
    #[error("entity type {0} is not declared")]
    UnknownEntityType(String),
}

/// The entity type behind `entity_set`.
pub(crate) fn entity_type_of<'m>(
    model: &'m Model,
    entity_set: &str,
) -> Result<&'m EntityType, FormError> {
    let set = model
        .entity_set(entity_set)
        .ok_or_else(|| FormError::UnknownEntitySet(entity_set.to_owned()))?;
    model
        .entity_type(&set.entity_type)
        .ok_or_else(|| FormError::UnknownEntityType(set.entity_type.clone()))
}

/// A small model holding only what typing values of `entity` needs: its type chain and
/// every enum, complex type and type definition. Forms keep it so they need no `&Model`
/// after construction.
pub(crate) fn reduced_model(model: &Model, entity: &EntityType) -> Model {
    let chain: Vec<&EntityType> = model.type_chain(entity);
    let schemas = model
        .schemas
        .iter()
        .map(|s| Schema {
            namespace: s.namespace.clone(),
            alias: s.alias.clone(),
            entity_types: s
                .entity_types
                .iter()
                .filter(|t| chain.iter().any(|c| std::ptr::eq(*c, *t)))
                .cloned()
                .collect(),
            complex_types: s.complex_types.clone(),
            enum_types: s.enum_types.clone(),
            type_definitions: s.type_definitions.clone(),
            ..Schema::default()
        })
        .collect();
    Model {
        version: model.version.clone(),
        schemas,
        ..Model::default()
    }
}

/// An annotation value usable as display text: F&O label ids such as `@SYS1234` or
/// `@Module:Label` are references into label files, not text, and yield `None`.
pub fn annotation_text<'a>(annotations: &'a Annotations, short_term: &str) -> Option<&'a str> {
    annotations
        .get(short_term)
        .map(str::trim)
        .filter(|t| !t.is_empty() && !t.starts_with('@'))
}

#[cfg(test)]
mod tests;
