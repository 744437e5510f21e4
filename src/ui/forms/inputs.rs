//! What the user typed in a form, as plain data: kept with a recent action so that picking it
//! again fills the form as it was. Applying skips what the entity no longer has.

use serde::{Deserialize, Serialize};

use super::{ActionForm, FieldInput, ListForm, RecordForm, RowInput};
use crate::odata::filter::{Combinator, FilterRow};

/// The inputs of one action's form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "form", rename_all = "snake_case")]
pub enum FormInputs {
    /// List items.
    List(ListInputs),
    /// Get a record, delete a record, or which record to update.
    Key {
        /// The key in the connector's comma-separated form.
        keys: String,
        /// The record may be in another company (`cross-company=true`).
        #[serde(default)]
        cross_company: bool,
    },
    /// Create a record: the fields that were filled, by name.
    Record {
        /// `(field, text)` pairs.
        values: Vec<(String, String)>,
    },
    /// Execute action.
    Action {
        /// The chosen operation's name.
        name: String,
        /// The record's key, for operations bound to one record.
        keys: String,
        /// `(parameter, text)` pairs that were filled.
        parameters: Vec<(String, String)>,
        /// A bound record may be in another company (`cross-company=true`).
        #[serde(default)]
        cross_company: bool,
    },
}

/// The inputs of a List items form.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ListInputs {
    /// Filter builder rows.
    pub rows: Vec<FilterRow>,
    /// How the rows combine.
    pub combinator: Combinator,
    /// The raw `$filter`, when that mode was on.
    pub raw_filter: Option<String>,
    /// `$select` columns.
    pub select: Vec<String>,
    /// `$expand` navigation properties.
    pub expand: Vec<String>,
    /// `$orderby` as `(field, descending)`.
    pub order: Vec<(String, bool)>,
    /// `$top` as typed.
    pub top: String,
    /// `$skip` as typed.
    pub skip: String,
    /// F&O `cross-company=true`.
    pub cross_company: bool,
    /// Read every page.
    pub all_pages: bool,
}

impl ListForm {
    /// What is typed in the form.
    pub fn inputs(&self) -> ListInputs {
        let chosen = |names: &[String], flags: &[bool]| -> Vec<String> {
            names
                .iter()
                .zip(flags)
                .filter(|(_, on)| **on)
                .map(|(name, _)| name.clone())
                .collect()
        };
        ListInputs {
            rows: self.rows.iter().map(|r| r.row.clone()).collect(),
            combinator: self.combinator,
            raw_filter: self.raw_mode.then(|| self.raw_filter.clone()),
            select: chosen(&self.columns, &self.selected),
            expand: chosen(&self.navigation, &self.expanded),
            order: self
                .order
                .iter()
                .map(|o| (o.field.clone(), o.descending))
                .collect(),
            top: self.top.clone(),
            skip: self.skip.clone(),
            cross_company: self.cross_company,
            all_pages: self.all_pages,
        }
    }

    /// Fills the form with `inputs`; rows, columns and orders on fields the entity no longer
    /// has are left out.
    pub fn apply_inputs(&mut self, inputs: &ListInputs) {
        let known = |field: &str| {
            let top_level = field.split('/').next().unwrap_or(field);
            self.columns.iter().any(|c| c == top_level)
        };
        let rows: Vec<RowInput> = inputs
            .rows
            .iter()
            .filter(|row| known(&row.field))
            .map(|row| RowInput {
                row: row.clone(),
                error: None,
            })
            .collect();
        let order = inputs
            .order
            .iter()
            .filter(|(field, _)| known(field))
            .map(|(field, descending)| super::OrderRow {
                field: field.clone(),
                descending: *descending,
            })
            .collect();
        self.rows = rows;
        self.order = order;
        self.combinator = inputs.combinator;
        self.raw_mode = inputs.raw_filter.is_some();
        self.raw_filter = inputs.raw_filter.clone().unwrap_or_default();
        self.selected = self
            .columns
            .iter()
            .map(|c| inputs.select.contains(c))
            .collect();
        self.expanded = self
            .navigation
            .iter()
            .map(|n| inputs.expand.contains(n))
            .collect();
        self.top = inputs.top.clone();
        self.skip = inputs.skip.clone();
        self.cross_company = inputs.cross_company;
        self.all_pages = inputs.all_pages;
        self.errors.clear();
    }
}

/// The `(name, text)` of every filled field.
pub fn filled(fields: &[FieldInput]) -> Vec<(String, String)> {
    fields
        .iter()
        .filter(|f| !f.is_empty())
        .map(|f| (f.name().to_owned(), f.text()))
        .collect()
}

/// Fills `form` with `values` (fields it does not have are skipped), clearing the others.
pub fn fill_record(form: &mut RecordForm, values: &[(String, String)]) {
    let names: Vec<String> = form.fields().iter().map(|f| f.name().to_owned()).collect();
    for name in names {
        let text = values
            .iter()
            .find(|(field, _)| *field == name)
            .map_or("", |(_, text)| text.as_str());
        form.set_text(&name, text);
    }
}

/// Fills the action form: chooses `name` and fills its parameters and the key.
pub fn fill_action(form: &mut ActionForm, name: &str, keys: &str, parameters: &[(String, String)]) {
    if form.select(name) {
        for (parameter, text) in parameters {
            form.set_parameter(parameter, text);
        }
    }
    form.key.set_comma_text(keys);
}
