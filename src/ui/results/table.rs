//! The virtualised records table: only visible rows (and visible cells) are laid out, so
//! 100 000 rows scroll smoothly; sortable headers, resizable columns, copy menus.

use egui::{Align, Layout, RichText, Sense};
use egui_extras::{Column, TableBuilder, TableRow};
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
    let row_height = row_height(ui);
    let mut actions: Vec<TableAction> = Vec::new();
    let scroll_to = take_scroll_target(view);
    let rows = Rows::of(view);
    let current_sort = view.sort.as_ref();

    egui::ScrollArea::horizontal()
        .id_salt("results_hscroll")
        .show(ui, |ui| {
            table_builder(ui, view, scroll_to)
                .header(row_height, |header| {
                    header_ui(header, rows.columns, current_sort, &mut actions);
                })
                .body(|body| {
                    body.rows(row_height, rows.order.len(), |row| {
                        record_row_ui(row, &rows, &mut actions);
                    });
                });
        });

    for action in actions {
        apply(ui, view, action);
    }
}

/// What drawing the records' rows needs from the view.
struct Rows<'a> {
    records: &'a [Value],
    /// Indexes into `records`, in display order.
    order: &'a [usize],
    columns: &'a [String],
    /// Key columns, shown in monospace.
    key_columns: &'a [String],
    /// The selected record's index.
    selected: Option<usize>,
    /// The rows are entity sets: offer listing their items.
    entity_rows: bool,
    /// Offer updating, copying and deleting records.
    record_actions: bool,
}

impl<'a> Rows<'a> {
    /// Borrows what the rows need from `view`.
    fn of(view: &'a ResultsView) -> Self {
        Self {
            records: &view.records,
            order: &view.order,
            columns: &view.columns,
            key_columns: &view.key_columns,
            selected: view.selected,
            entity_rows: view.entity_rows,
            record_actions: view.record_actions,
        }
    }
}

/// The height of a row: the taller of a body and a monospace line, plus padding.
fn row_height(ui: &egui::Ui) -> f32 {
    let body_height = ui.text_style_height(&egui::TextStyle::Body);
    let mono_height = ui.text_style_height(&egui::TextStyle::Monospace);
    body_height.max(mono_height) + 6.0
}

/// The display position to scroll to this frame, if the view asked for one (once).
fn take_scroll_target(view: &mut ResultsView) -> Option<usize> {
    let scroll_to = if view.scroll_to_selected {
        view.selected_position()
    } else {
        None
    };
    view.scroll_to_selected = false;
    scroll_to
}

/// The table with one resizable column per view column, scrolled to `scroll_to`.
fn table_builder<'u>(
    ui: &'u mut egui::Ui,
    view: &ResultsView,
    scroll_to: Option<usize>,
) -> TableBuilder<'u> {
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
}

/// The header row: a sort button per column.
fn header_ui(
    mut header: TableRow<'_, '_>,
    columns: &[String],
    current_sort: Option<&sort::SortState>,
    actions: &mut Vec<TableAction>,
) {
    for column in columns {
        header.col(|ui| {
            if header_cell(ui, column, current_sort) {
                actions.push(TableAction::Sort(column.clone()));
            }
        });
    }
}

/// The row at the table row's display position: its cells, then clicks on the row.
fn record_row_ui(mut row: TableRow<'_, '_>, rows: &Rows<'_>, actions: &mut Vec<TableAction>) {
    let Some(&index) = rows.order.get(row.index()) else {
        return;
    };
    let record = &rows.records[index];
    row.set_selected(rows.selected == Some(index));
    for column in rows.columns {
        record_cell_ui(&mut row, rows, record, column, index, actions);
    }
    let response = row.response();
    if response.double_clicked() {
        actions.push(TableAction::Open(index));
    } else if response.clicked() || response.secondary_clicked() {
        actions.push(TableAction::Select(index));
    }
}

/// The cell of `column` in the row of record `index`, with its context menu.
fn record_cell_ui(
    row: &mut TableRow<'_, '_>,
    rows: &Rows<'_>,
    record: &Value,
    column: &str,
    index: usize,
    actions: &mut Vec<TableAction>,
) {
    let value = field_of(record, column);
    let monospace =
        rows.key_columns.iter().any(|key| key == column) || matches!(value, Some(Value::Number(_)));
    let (_, cell) = row.col(|ui| {
        if ui.is_rect_visible(ui.max_rect()) {
            cell_label(ui, value, monospace);
        }
    });
    cell.context_menu(|ui| cell_menu_ui(ui, rows, value, index, actions));
}

/// A cell's context menu: copy the cell or the row, open the record, and what the rows
/// offer besides (list an entity's items; update, copy or delete the record).
fn cell_menu_ui(
    ui: &mut egui::Ui,
    rows: &Rows<'_>,
    value: Option<&Value>,
    index: usize,
    actions: &mut Vec<TableAction>,
) {
    menu_item(ui, "Copy cell", actions, || {
        TableAction::CopyCell(value.map(cell_text).unwrap_or_default())
    });
    menu_item(ui, "Copy row as JSON", actions, || {
        TableAction::CopyRow(index)
    });
    menu_item(ui, "Open record", actions, || TableAction::Open(index));
    if rows.entity_rows {
        menu_item(ui, "List items of this entity", actions, || {
            TableAction::Record(RecordRequest::OpenEntity(index))
        });
    }
    if rows.record_actions {
        ui.separator();
        menu_item(ui, "Update this record", actions, || {
            TableAction::Record(RecordRequest::Update(index))
        });
        menu_item(ui, "Create a copy", actions, || {
            TableAction::Record(RecordRequest::Copy(index))
        });
        menu_item(ui, "Delete this record…", actions, || {
            TableAction::Record(RecordRequest::Delete(index))
        });
    }
}

/// A context menu button: when clicked, queues `action()` and closes the menu.
fn menu_item(
    ui: &mut egui::Ui,
    label: &str,
    actions: &mut Vec<TableAction>,
    action: impl FnOnce() -> TableAction,
) {
    if ui.button(label).clicked() {
        actions.push(action());
        ui.close();
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
