//! A connector action as plain data: what to run, on which entity or operation, with which
//! keys, fields and query options. Built by the window's forms, the command line's
//! arguments and the flow runner's step inputs alike.

use serde_json::{Map, Value};

use super::action::ConnectorAction;
use super::resolve::{InputError, entity_type_of};
use crate::odata::client::{OperationCall, record_path};
use crate::odata::metadata::Model;
use crate::odata::query::QueryOptions;

/// One record by key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordRef {
    /// The entity set, e.g. `CustomersV3`.
    pub entity_set: String,
    /// The key predicate as it goes in the URL (typed: `dataAreaId='usmf',…`).
    pub key: String,
    /// The record may be in another company than the user's default (`cross-company=true`).
    pub cross_company: bool,
}

impl RecordRef {
    /// A record of `entity_set` in the user's default company.
    pub fn new(entity_set: impl Into<String>, key: impl Into<String>) -> Self {
        Self {
            entity_set: entity_set.into(),
            key: key.into(),
            cross_company: false,
        }
    }

    /// The same record, reached across companies when `on`.
    pub fn across_companies(self, on: bool) -> Self {
        Self {
            cross_company: on,
            ..self
        }
    }

    /// The record's path under the service root, e.g. `CustomersV3(dataAreaId='usmf',…)`.
    pub fn path(&self) -> String {
        record_path(&self.entity_set, &self.key)
    }
}

/// One connector action with its inputs.
#[derive(Debug, Clone, PartialEq)]
pub enum ActionRequest {
    /// List items: every page, or the first one only.
    ListItems {
        /// The entity set.
        entity_set: String,
        /// `$filter`, `$select`, `$orderby`, `$top`, cross-company and the rest.
        query: QueryOptions,
        /// Follow `@odata.nextLink` to the end (else the first page only).
        all_pages: bool,
    },
    /// Get a record, with an optional query string (`$select=…&$expand=…`).
    GetRecord {
        /// The record.
        record: RecordRef,
        /// Query options of the read, without `?`.
        query: String,
    },
    /// Create a record from its field values.
    CreateRecord {
        /// The entity set.
        entity_set: String,
        /// The record's fields (JSON values typed for the wire).
        body: Map<String, Value>,
    },
    /// Update the given fields of a record.
    UpdateRecord {
        /// The record.
        record: RecordRef,
        /// The fields to change.
        changes: Map<String, Value>,
        /// `If-Match` (the ETag the caller read; `*` when `None`).
        if_match: Option<String>,
        /// Read the record back afterwards, so the outcome holds its new state and ETag.
        read_back: bool,
    },
    /// Delete a record.
    DeleteRecord {
        /// The record.
        record: RecordRef,
        /// `If-Match` (`*` when `None`).
        if_match: Option<String>,
    },
    /// Execute an action or function, unbound or bound to an entity set or a record.
    ExecuteAction {
        /// The resolved call (target, kind, typed arguments).
        call: OperationCall,
        /// A bound record may be in another company.
        cross_company: bool,
        /// `If-Match` for an action bound to a record (read first when `None` and the
        /// entity set uses optimistic concurrency).
        if_match: Option<String>,
    },
    /// Get the list of entities of the instance.
    ListEntities,
}

impl ActionRequest {
    /// The connector action this request runs.
    pub fn action(&self) -> ConnectorAction {
        match self {
            Self::ListItems { .. } => ConnectorAction::ListItems,
            Self::GetRecord { .. } => ConnectorAction::GetRecord,
            Self::CreateRecord { .. } => ConnectorAction::CreateRecord,
            Self::UpdateRecord { .. } => ConnectorAction::UpdateRecord,
            Self::DeleteRecord { .. } => ConnectorAction::DeleteRecord,
            Self::ExecuteAction { .. } => ConnectorAction::ExecuteAction,
            Self::ListEntities => ConnectorAction::ListEntities,
        }
    }

    /// The entity set it works on, when it works on one.
    pub fn entity_set(&self) -> Option<&str> {
        match self {
            Self::ListItems { entity_set, .. } | Self::CreateRecord { entity_set, .. } => {
                Some(entity_set)
            }
            Self::GetRecord { record, .. }
            | Self::UpdateRecord { record, .. }
            | Self::DeleteRecord { record, .. } => Some(&record.entity_set),
            Self::ExecuteAction { .. } | Self::ListEntities => None,
        }
    }

    /// Checks the request against `$metadata`: the entity set is published and every field
    /// of a create or update body is a property (or navigation) of its entity type.
    pub fn check(&self, model: &Model) -> Result<(), InputError> {
        if let Some(entity_set) = self.entity_set() {
            entity_type_of(model, entity_set)?;
        }
        match self {
            Self::CreateRecord { entity_set, body } => check_fields(model, entity_set, body),
            Self::UpdateRecord {
                record, changes, ..
            } => check_fields(model, &record.entity_set, changes),
            _ => Ok(()),
        }
    }
}

/// Every name in `fields` (annotations aside) is a property or navigation of the entity
/// type of `entity_set`; the error names the first that is not, and the known ones.
pub fn check_fields(
    model: &Model,
    entity_set: &str,
    fields: &Map<String, Value>,
) -> Result<(), InputError> {
    let entity = entity_type_of(model, entity_set)?;
    if entity.open_type {
        return Ok(());
    }
    let properties = model.all_properties(entity);
    let navigations = model.all_navigation_properties(entity);
    let known = |name: &str| {
        properties.iter().any(|p| p.name == name) || navigations.iter().any(|n| n.name == name)
    };
    match fields
        .keys()
        .filter(|name| !name.contains('@'))
        .find(|name| !known(name))
    {
        None => Ok(()),
        Some(name) => {
            let names: Vec<&str> = properties.iter().map(|p| p.name.as_str()).collect();
            Err(InputError(format!(
                "field '{name}' is not a property of {} (of {entity_set}); its properties: {}",
                entity.name,
                names.join(", ")
            )))
        }
    }
}
