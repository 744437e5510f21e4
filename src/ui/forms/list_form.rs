//! The List items form: filter builder rows or raw `$filter`, `$select` columns, order,
//! top, skip, expand, cross-company and "All pages", turned into `QueryOptions`.

use super::url::request_url;
use super::{FormError, entity_type_of, reduced_model};
use crate::odata::filter::filterable_fields;
use crate::odata::filter::{Combinator, FilterGroup, FilterOperator, FilterRow, build_filter};
use crate::odata::keys::encode_path_segment;
use crate::odata::metadata::Model;
use crate::odata::query::{ExpandItem, OrderBy, QueryOptions, SortDirection};
use crate::odata::values::ValueKind;

/// One filter row with the message shown on it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RowInput {
    /// Field, operator and value as chosen.
    pub row: FilterRow,
    /// Why the row cannot be used, shown on the row in red.
    pub error: Option<String>,
}

/// One `$orderby` item being edited.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OrderRow {
    /// The property.
    pub field: String,
    /// Descending instead of ascending.
    pub descending: bool,
}

/// State of a List items form for one entity set.
#[derive(Debug, Clone, PartialEq)]
pub struct ListForm {
    entity_set: String,
    entity_type: String,
    model: Model,
    fields: Vec<(String, ValueKind)>,
    pub(super) columns: Vec<String>,
    pub(super) navigation: Vec<String>,
    /// Filter builder rows.
    pub rows: Vec<RowInput>,
    /// How the rows combine.
    pub combinator: Combinator,
    /// Use [`Self::raw_filter`] instead of the rows.
    pub raw_mode: bool,
    /// A `$filter` expression typed by hand.
    pub raw_filter: String,
    /// Chosen `$select` columns, parallel to [`Self::columns`].
    pub selected: Vec<bool>,
    /// Text of the column chooser's search box.
    pub column_search: String,
    /// `$orderby` items in order.
    pub order: Vec<OrderRow>,
    /// `$top` as typed.
    pub top: String,
    /// `$skip` as typed.
    pub skip: String,
    /// Chosen `$expand` navigation properties, parallel to [`Self::navigation`].
    pub expanded: Vec<bool>,
    /// F&O `cross-company=true`.
    pub cross_company: bool,
    /// Follow `@odata.nextLink` to read every page (not part of the URL).
    pub all_pages: bool,
    /// Messages about the whole form (top, skip, order), shown above the URL.
    pub errors: Vec<String>,
}

impl ListForm {
    /// A form for `entity_set`.
    pub fn new(model: &Model, entity_set: &str) -> Result<Self, FormError> {
        let entity = entity_type_of(model, entity_set)?;
        let set = model
            .entity_set(entity_set)
            .ok_or_else(|| FormError::UnknownEntitySet(entity_set.to_owned()))?;
        let columns: Vec<String> = model
            .all_properties(entity)
            .into_iter()
            .map(|p| p.name.clone())
            .collect();
        let navigation: Vec<String> = model
            .all_navigation_properties(entity)
            .into_iter()
            .map(|n| n.name.clone())
            .collect();
        Ok(Self {
            entity_set: entity_set.to_owned(),
            entity_type: set.entity_type.clone(),
            model: reduced_model(model, entity),
            fields: filterable_fields(model, entity),
            selected: vec![false; columns.len()],
            expanded: vec![false; navigation.len()],
            columns,
            navigation,
            rows: Vec::new(),
            combinator: Combinator::And,
            raw_mode: false,
            raw_filter: String::new(),
            column_search: String::new(),
            order: Vec::new(),
            top: String::new(),
            skip: String::new(),
            cross_company: false,
            all_pages: false,
            errors: Vec::new(),
        })
    }

    /// The entity set.
    pub fn entity_set(&self) -> &str {
        &self.entity_set
    }

    /// Fields a filter row can choose, with their kinds.
    pub fn filterable_fields(&self) -> &[(String, ValueKind)] {
        &self.fields
    }

    /// The kind of a filterable field.
    pub fn field_kind(&self, field: &str) -> Option<&ValueKind> {
        self.fields.iter().find(|(n, _)| n == field).map(|(_, k)| k)
    }

    /// The operators offered for `field` (every operator when the field is unknown).
    pub fn operators_for(&self, field: &str) -> Vec<FilterOperator> {
        match self.field_kind(field) {
            Some(kind) => FilterOperator::for_kind(kind),
            None => FilterOperator::ALL.to_vec(),
        }
    }

    /// Structural property names, for `$select` and `$orderby`.
    pub fn columns(&self) -> &[String] {
        &self.columns
    }

    /// Navigation property names, for `$expand`.
    pub fn navigation(&self) -> &[String] {
        &self.navigation
    }

    /// Adds a filter row on `field` with the first operator that fits it.
    pub fn add_row(&mut self, field: &str) {
        let operator = self
            .operators_for(field)
            .first()
            .copied()
            .unwrap_or_default();
        self.rows.push(RowInput {
            row: FilterRow {
                field: field.to_owned(),
                operator,
                value: String::new(),
            },
            error: None,
        });
    }

    /// Removes the filter row at `index` (no-op when out of range).
    pub fn remove_row(&mut self, index: usize) {
        if index < self.rows.len() {
            self.rows.remove(index);
        }
    }

    /// Changes a row's field, keeping the operator when it still applies.
    pub fn set_row_field(&mut self, index: usize, field: &str) {
        let operators = self.operators_for(field);
        if let Some(input) = self.rows.get_mut(index) {
            input.row.field = field.to_owned();
            if !operators.contains(&input.row.operator) {
                input.row.operator = operators.first().copied().unwrap_or_default();
            }
            input.error = None;
        }
    }

    /// Selects or unselects a `$select` column; `false` when there is no such column.
    pub fn set_selected(&mut self, column: &str, on: bool) -> bool {
        match self.columns.iter().position(|c| c == column) {
            Some(i) => {
                self.selected[i] = on;
                true
            }
            None => false,
        }
    }

    /// Selects every column that matches the column search (all when it is empty).
    pub fn select_all(&mut self, on: bool) {
        let query = self.column_search.trim().to_lowercase();
        for (column, selected) in self.columns.iter().zip(self.selected.iter_mut()) {
            if query.is_empty() || column.to_lowercase().contains(&query) {
                *selected = on;
            }
        }
    }

    /// Expands or not a navigation property; `false` when there is no such property.
    pub fn set_expanded(&mut self, navigation: &str, on: bool) -> bool {
        match self.navigation.iter().position(|c| c == navigation) {
            Some(i) => {
                self.expanded[i] = on;
                true
            }
            None => false,
        }
    }

    /// The query options, checking every row, `$top`, `$skip` and order items; messages
    /// are stored on the rows and in [`Self::errors`] and returned together.
    pub fn query_options(&mut self) -> Result<QueryOptions, Vec<String>> {
        let mut errors = Vec::new();
        for input in &mut self.rows {
            input.error = None;
        }
        let filter = if self.raw_mode {
            Some(self.raw_filter.trim().to_owned()).filter(|f| !f.is_empty())
        } else {
            self.builder_filter(&mut errors)
        };
        self.errors.clear();
        let top = count_option("Top", &self.top, &mut self.errors);
        let skip = count_option("Skip", &self.skip, &mut self.errors);
        let mut orderby = Vec::new();
        for item in &self.order {
            if item.field.trim().is_empty() {
                self.errors.push("Order: choose a field".to_owned());
            } else {
                orderby.push(OrderBy {
                    field: item.field.clone(),
                    direction: if item.descending {
                        SortDirection::Desc
                    } else {
                        SortDirection::Asc
                    },
                });
            }
        }
        errors.extend(self.errors.iter().cloned());
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(QueryOptions {
            filter,
            select: pick(&self.columns, &self.selected),
            expand: pick(&self.navigation, &self.expanded)
                .into_iter()
                .map(ExpandItem::new)
                .collect(),
            orderby,
            top,
            skip,
            cross_company: self.cross_company,
            ..QueryOptions::default()
        })
    }

    fn builder_filter(&mut self, errors: &mut Vec<String>) -> Option<String> {
        let entity = self.model.entity_type(&self.entity_type)?;
        let group = FilterGroup::of_rows(
            self.combinator,
            self.rows.iter().map(|input| input.row.clone()),
        );
        match build_filter(&self.model, entity, &group) {
            Ok(filter) => filter,
            Err(e) => {
                for row_error in e.errors {
                    let message = row_error.problem.to_string();
                    errors.push(row_error.to_string());
                    if let Some(input) = row_error.path.first().and_then(|i| self.rows.get_mut(*i))
                    {
                        input.error = Some(message);
                    }
                }
                None
            }
        }
    }

    /// The collection's path relative to the service root.
    pub fn path(&self) -> String {
        encode_path_segment(&self.entity_set)
    }

    /// The exact request URL under `service_root`.
    pub fn url(&mut self, service_root: &str) -> Result<String, Vec<String>> {
        let options = self.query_options()?;
        Ok(request_url(
            service_root,
            &self.path(),
            &options.to_query_string(),
        ))
    }
}

fn pick(names: &[String], on: &[bool]) -> Vec<String> {
    names
        .iter()
        .zip(on)
        .filter(|(_, on)| **on)
        .map(|(n, _)| n.clone())
        .collect()
}

fn count_option(name: &str, text: &str, errors: &mut Vec<String>) -> Option<u64> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    match text.parse::<u64>() {
        Ok(n) => Some(n),
        Err(_) => {
            errors.push(format!(
                "{name} must be a whole number of 0 or more, not '{text}'"
            ));
            None
        }
    }
}
