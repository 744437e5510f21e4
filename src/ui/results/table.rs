//! The virtualised records table: only visible rows (and visible cells) are laid out, so
//! 100 000 rows scroll smoothly; sortable headers, resizable columns, copy menus.

use egui::{Align, Layout, RichText, Sense};
use egui_extras::{Column, TableBuilder};
use serde_json::Value;

use super::sort::{self, SortDirection, field_of};
use super::{RecordRequest, ResultsView, ViewMode, pretty_json};
use crate::connector::records::cell_text;
use crate::ui::theme;

/// Records sampled to size the initial column widths.
const WIDTH_SAMPLE: usize = 50;
/// Characters of a cell that are laid out at most (the rest is never visible).
const MAX_CELL_CHARS: usize = 200;

/// Something the user asked for in the table, applied after drawing.
enum TableAction {
    Select(usize),
    Open(usize),
    Sort(String),
    CopyCell(String),
    CopyRow(usize),
    Record(RecordRequest),
}

/// Draws the table of `view`'s records in display order.
pub fn table_ui(ui: &mut egui::Ui, view: &mut ResultsView) {
    if view.columns.is_empty() {
        ui.label(RichText::new("The records have no fields.").color(theme::MUTED));
        return;
    }
    let body_height = ui.text_style_height(&egui::TextStyle::Body);
    let mono_height = ui.text_style_height(&egui::TextStyle::Monospace);
    let row_height = body_height.max(mono_height) + 6.0;
    let mut actions: Vec<TableAction> = Vec::new();
    let scroll_to = if view.scroll_to_selected {
        view.selected_position()
    } else {
        None
    };
    view.scroll_to_selected = false;

    let records: &[Value] = &view.records;
    let order = &view.order;
    let columns = &view.columns;
    let key_columns = &view.key_columns;
    let record_actions = view.record_actions;
    let entity_rows = view.entity_rows;
    let selected = view.selected;
    let current_sort = view.sort.as_ref();

    egui::ScrollArea::horizontal()
        .id_salt("results_hscroll")
        .show(ui, |ui| {
            let mut table = TableBuilder::new(ui)
                .id_salt(("results_table", view.columns_generation))
                .striped(true)
                .resizable(true)
                .sense(Sense::click())
                .cell_layout(Layout::left_to_right(Align::Center))
                .min_scrolled_height(0.0)
                .max_scroll_height(f32::INFINITY);
            for width in &view.column_widths {
                table = table.column(
                    Column::initial(*width)
                        .at_least(40.0)
                        .clip(true)
                        .resizable(true),
                );
            }
            if let Some(position) = scroll_to {
                table = table.scroll_to_row(position, None);
            }
            table
                .header(row_height, |mut header| {
                    for column in columns {
                        header.col(|ui| {
                            if header_cell(ui, column, current_sort) {
                                actions.push(TableAction::Sort(column.clone()));
                            }
                        });
                    }
                })
                .body(|body| {
                    body.rows(row_height, order.len(), |mut row| {
                        let Some(&index) = order.get(row.index()) else {
                            return;
                        };
                        let record = &records[index];
                        row.set_selected(selected == Some(index));
                        for column in columns {
                            let value = field_of(record, column);
                            let monospace = key_columns.contains(column)
                                || matches!(value, Some(Value::Number(_)));
                            let (_, cell) = row.col(|ui| {
                                if ui.is_rect_visible(ui.max_rect()) {
                                    cell_label(ui, value, monospace);
                                }
                            });
                            cell.context_menu(|ui| {
                                if ui.button("Copy cell").clicked() {
                                    let text = value.map(cell_text).unwrap_or_default();
                                    actions.push(TableAction::CopyCell(text));
                                    ui.close();
                                }
                                if ui.button("Copy row as JSON").clicked() {
                                    actions.push(TableAction::CopyRow(index));
                                    ui.close();
                                }
                                if ui.button("Open record").clicked() {
                                    actions.push(TableAction::Open(index));
                                    ui.close();
                                }
                                if entity_rows && ui.button("List items of this entity").clicked() {
                                    actions.push(TableAction::Record(RecordRequest::OpenEntity(
                                        index,
                                    )));
                                    ui.close();
                                }
                                if record_actions {
                                    ui.separator();
                                    if ui.button("Update this record").clicked() {
                                        actions.push(TableAction::Record(RecordRequest::Update(
                                            index,
                                        )));
                                        ui.close();
                                    }
                                    if ui.button("Create a copy").clicked() {
                                        actions
                                            .push(TableAction::Record(RecordRequest::Copy(index)));
                                        ui.close();
                                    }
                                    if ui.button("Delete this record…").clicked() {
                                        actions.push(TableAction::Record(RecordRequest::Delete(
                                            index,
                                        )));
                                        ui.close();
                                    }
                                }
                            });
                        }
                        let response = row.response();
                        if response.double_clicked() {
                            actions.push(TableAction::Open(index));
                        } else if response.clicked() || response.secondary_clicked() {
                            actions.push(TableAction::Select(index));
                        }
                    });
                });
        });

    for action in actions {
        apply(ui, view, action);
    }
}

fn apply(ui: &egui::Ui, view: &mut ResultsView, action: TableAction) {
    match action {
        TableAction::Select(index) => view.select(Some(index)),
        TableAction::Open(index) => view.open_record(index),
        TableAction::Sort(column) => {
            let next = sort::next_sort(view.sort.as_ref(), &column);
            view.set_sort(next);
            view.scroll_to_selected = view.selected.is_some();
        }
        TableAction::CopyCell(text) => view.copy(ui.ctx(), text),
        TableAction::Record(request) => view.request_record(request),
        TableAction::CopyRow(index) => {
            if let Some(record) = view.records.get(index) {
                let text = pretty_json(record);
                view.copy(ui.ctx(), text);
            }
        }
    }
    if view.mode != ViewMode::Table && view.selected.is_none() {
        view.mode = ViewMode::Table;
    }
}

/// The header of a column: its name as a button (click to sort) and a painted triangle
/// when sorted. Returns whether it was clicked.
fn header_cell(ui: &mut egui::Ui, column: &str, sort: Option<&sort::SortState>) -> bool {
    let clicked = ui
        .add(egui::Button::new(RichText::new(column).strong().monospace()).frame(false))
        .on_hover_text("Click to sort")
        .clicked();
    if let Some(sort) = sort.filter(|s| s.column == column) {
        let (rect, _) = ui.allocate_exact_size(egui::vec2(10.0, 10.0), Sense::hover());
        let c = rect.center();
        let points = match sort.direction {
            SortDirection::Ascending => vec![
                egui::pos2(c.x - 4.0, c.y + 3.0),
                egui::pos2(c.x + 4.0, c.y + 3.0),
                egui::pos2(c.x, c.y - 3.0),
            ],
            SortDirection::Descending => vec![
                egui::pos2(c.x - 4.0, c.y - 3.0),
                egui::pos2(c.x + 4.0, c.y - 3.0),
                egui::pos2(c.x, c.y + 3.0),
            ],
        };
        ui.painter().add(egui::Shape::convex_polygon(
            points,
            theme::ACCENT,
            egui::Stroke::NONE,
        ));
    }
    clicked
}

fn cell_label(ui: &mut egui::Ui, value: Option<&Value>, monospace: bool) {
    let text = match value {
        None => return,
        Some(Value::Null) => {
            ui.add(
                egui::Label::new(RichText::new("null").italics().color(theme::MUTED))
                    .selectable(false),
            );
            return;
        }
        Some(value) => cell_text(value),
    };
    let text = if text.len() > MAX_CELL_CHARS {
        let mut short: String = text.chars().take(MAX_CELL_CHARS).collect();
        short.push('…');
        short
    } else {
        text
    };
    let rich = if monospace {
        RichText::new(text).monospace()
    } else {
        RichText::new(text)
    };
    ui.add(egui::Label::new(rich).selectable(false).truncate());
}

/// A first width for `column` from its name and the first records' values.
pub fn initial_width(records: &[Value], column: &str) -> f32 {
    let longest = records
        .iter()
        .take(WIDTH_SAMPLE)
        .filter_map(|r| field_of(r, column))
        .map(|v| cell_text(v).chars().count())
        .chain(std::iter::once(column.chars().count() + 2))
        .max()
        .unwrap_or(8);
    (longest as f32 * 7.5 + 16.0).clamp(60.0, 320.0)
}
