//! Drawing the List items form: filter rows, column chooser, order, paging and the URL.

use super::key_form::url_preview_ui;
use super::list_form::{ListForm, OrderRow};
use crate::odata::filter::{Combinator, FilterOperator};
use crate::odata::metadata::EdmPrimitive;
use crate::odata::values::ValueKind;
use crate::ui::theme;

/// Draws the whole List items form with the `GET` URL preview under `service_root`.
pub fn list_form_ui(ui: &mut egui::Ui, form: &mut ListForm, service_root: &str) {
    let salt = form.entity_set().to_owned();
    filter_ui(ui, form, &salt);
    ui.add_space(4.0);
    columns_ui(ui, form, &salt);
    if !form.navigation().is_empty() {
        expand_ui(ui, form, &salt);
    }
    order_ui(ui, form, &salt);
    paging_ui(ui, form, &salt);
    let url = form.url(service_root);
    for error in &form.errors {
        ui.label(egui::RichText::new(error).color(theme::ERROR).small());
    }
    url_preview_ui(
        ui,
        "GET",
        url.map_err(|_| "Fix the messages above to see the request URL.".to_owned()),
    );
}

fn filter_ui(ui: &mut egui::Ui, form: &mut ListForm, salt: &str) {
    ui.horizontal(|ui| {
        ui.strong("Filter");
        ui.radio_value(&mut form.raw_mode, false, "Builder");
        ui.radio_value(&mut form.raw_mode, true, "Raw $filter");
    });
    if form.raw_mode {
        let label = ui.label("$filter expression");
        ui.add(
            egui::TextEdit::multiline(&mut form.raw_filter)
                .id(ui.make_persistent_id(("raw-filter", salt)))
                .font(egui::TextStyle::Monospace)
                .desired_rows(2)
                .desired_width(f32::INFINITY)
                .hint_text("e.g. CustomerGroupId eq '10' and contains(Name,'Contoso')"),
        )
        .labelled_by(label.id);
        return;
    }
    let mut remove = None;
    let mut field_change = None;
    for index in 0..form.rows.len() {
        let n = index + 1;
        ui.horizontal(|ui| {
            let field = form.rows[index].row.field.clone();
            let mut picked = None;
            egui::ComboBox::from_id_salt(("filter-field", salt, index))
                .selected_text(if field.is_empty() {
                    "(field)".to_owned()
                } else {
                    field.clone()
                })
                .width(200.0)
                .show_ui(ui, |ui| {
                    for (name, _) in form.filterable_fields() {
                        if ui.selectable_label(*name == field, name).clicked() {
                            picked = Some(name.clone());
                        }
                    }
                })
                .response
                .accessible_name(format!("Filter {n} field"));
            if let Some(picked) = picked {
                field_change = Some((index, picked));
            }
            let operators = form.operators_for(&field);
            let kind = form.field_kind(&field).cloned();
            let row = &mut form.rows[index].row;
            egui::ComboBox::from_id_salt(("filter-op", salt, index))
                .selected_text(operator_label(row.operator))
                .width(120.0)
                .show_ui(ui, |ui| {
                    for op in operators {
                        ui.selectable_value(&mut row.operator, op, operator_label(op));
                    }
                })
                .response
                .accessible_name(format!("Filter {n} operator"));
            if row.operator.needs_value() {
                value_ui(
                    ui,
                    &mut row.value,
                    kind.as_ref(),
                    ui.make_persistent_id(("filter-value", salt, index)),
                    &format!("Filter {n} value"),
                );
            }
            if ui
                .button("Remove")
                .accessible_name(format!("Remove filter {n}"))
                .clicked()
            {
                remove = Some(index);
            }
        });
        if let Some(error) = &form.rows[index].error {
            ui.label(egui::RichText::new(error).color(theme::ERROR).small());
        }
    }
    if let Some((index, field)) = field_change {
        form.set_row_field(index, &field);
    }
    if let Some(index) = remove {
        form.remove_row(index);
    }
    ui.horizontal(|ui| {
        if ui.button("Add condition").clicked() {
            let first = form
                .filterable_fields()
                .first()
                .map(|(n, _)| n.clone())
                .unwrap_or_default();
            form.add_row(&first);
        }
        if form.rows.len() > 1 {
            ui.radio_value(&mut form.combinator, Combinator::And, "Match all (and)");
            ui.radio_value(&mut form.combinator, Combinator::Or, "Match any (or)");
        }
    });
}

/// ASCII labels for operators (the symbols of `FilterOperator::label` are spelled out).
fn operator_label(op: FilterOperator) -> &'static str {
    match op {
        FilterOperator::Ne => "not equal",
        FilterOperator::Ge => ">=",
        FilterOperator::Le => "<=",
        other => other.label(),
    }
}

/// A filter value input typed by the field: a dropdown for enums and booleans, text
/// otherwise (with a format hint).
fn value_ui(
    ui: &mut egui::Ui,
    value: &mut String,
    kind: Option<&ValueKind>,
    id: egui::Id,
    name: &str,
) {
    let choices: Option<Vec<String>> = match kind {
        Some(ValueKind::Enum(info)) if !info.is_flags => {
            Some(info.members.iter().map(|(n, _)| n.clone()).collect())
        }
        Some(ValueKind::Primitive(EdmPrimitive::Boolean)) => {
            Some(vec!["true".to_owned(), "false".to_owned()])
        }
        _ => None,
    };
    match choices {
        Some(choices) => {
            egui::ComboBox::from_id_salt(id)
                .selected_text(if value.is_empty() {
                    "(value)".to_owned()
                } else {
                    value.clone()
                })
                .width(160.0)
                .show_ui(ui, |ui| {
                    for choice in choices {
                        let selected = *value == choice;
                        if ui.selectable_label(selected, &choice).clicked() {
                            *value = choice;
                        }
                    }
                })
                .response
                .accessible_name(name);
        }
        None => {
            let hint = kind
                .map(|k| super::field::WidgetKind::for_kind(k).hint())
                .unwrap_or_default();
            ui.add(
                egui::TextEdit::singleline(value)
                    .id(id)
                    .hint_text(hint)
                    .desired_width(180.0),
            )
            .accessible_name(name);
        }
    }
}

fn columns_ui(ui: &mut egui::Ui, form: &mut ListForm, salt: &str) {
    let chosen = form.selected.iter().filter(|s| **s).count();
    let summary = if chosen == 0 {
        "all columns".to_owned()
    } else {
        format!("{chosen} of {} selected", form.columns().len())
    };
    egui::CollapsingHeader::new("Columns")
        .id_salt(("columns", salt))
        .show(ui, |ui| {
            ui.horizontal(|ui| {
                let label = ui.label("Search columns");
                ui.add(
                    egui::TextEdit::singleline(&mut form.column_search)
                        .id(ui.make_persistent_id(("column-search", salt)))
                        .desired_width(180.0),
                )
                .labelled_by(label.id);
                if ui.button("Select all").clicked() {
                    form.select_all(true);
                }
                if ui.button("Select none").clicked() {
                    form.select_all(false);
                }
            });
            let query = form.column_search.trim().to_lowercase();
            egui::ScrollArea::vertical()
                .id_salt(("columns-scroll", salt))
                .max_height(200.0)
                .show(ui, |ui| {
                    let ListForm {
                        columns, selected, ..
                    } = &mut *form;
                    for (column, on) in columns.iter().zip(selected.iter_mut()) {
                        if query.is_empty() || column.to_lowercase().contains(&query) {
                            ui.checkbox(on, column.as_str());
                        }
                    }
                });
        });
    ui.label(
        egui::RichText::new(format!("$select: {summary}"))
            .color(theme::MUTED)
            .small(),
    );
}

fn expand_ui(ui: &mut egui::Ui, form: &mut ListForm, salt: &str) {
    egui::CollapsingHeader::new("Expand")
        .id_salt(("expand", salt))
        .show(ui, |ui| {
            let ListForm {
                navigation,
                expanded,
                ..
            } = &mut *form;
            for (name, on) in navigation.iter().zip(expanded.iter_mut()) {
                ui.checkbox(on, name.as_str());
            }
        });
}

fn order_ui(ui: &mut egui::Ui, form: &mut ListForm, salt: &str) {
    let mut remove = None;
    let columns = form.columns().to_vec();
    for (index, item) in form.order.iter_mut().enumerate() {
        let n = index + 1;
        ui.horizontal(|ui| {
            ui.label(format!("Order {n}"));
            egui::ComboBox::from_id_salt(("order-field", salt, index))
                .selected_text(if item.field.is_empty() {
                    "(field)".to_owned()
                } else {
                    item.field.clone()
                })
                .width(200.0)
                .show_ui(ui, |ui| {
                    for column in &columns {
                        ui.selectable_value(&mut item.field, column.clone(), column);
                    }
                })
                .response
                .accessible_name(format!("Order {n} field"));
            ui.checkbox(&mut item.descending, "Descending");
            if ui
                .button("Remove")
                .accessible_name(format!("Remove order {n}"))
                .clicked()
            {
                remove = Some(index);
            }
        });
    }
    if let Some(index) = remove {
        form.order.remove(index);
    }
    if ui.button("Add order").clicked() {
        form.order.push(OrderRow::default());
    }
}

fn paging_ui(ui: &mut egui::Ui, form: &mut ListForm, salt: &str) {
    ui.horizontal(|ui| {
        for (name, text) in [("Top", &mut form.top), ("Skip", &mut form.skip)] {
            let label = ui.label(name);
            ui.add(
                egui::TextEdit::singleline(text)
                    .id(ui.make_persistent_id((name, salt)))
                    .desired_width(60.0),
            )
            .labelled_by(label.id);
        }
        ui.checkbox(&mut form.cross_company, "Cross-company")
            .on_hover_text("Read across every legal entity (F&O cross-company=true)");
        ui.checkbox(&mut form.all_pages, "All pages")
            .on_hover_text("Follow @odata.nextLink until every record is read");
    });
}
