//! The results of a query: a virtualised, sortable table of records, a record detail (form
//! and JSON), copy and export. Feed records with [`ResultsView::push_page`], draw with
//! [`results_ui`].

pub mod export;
pub mod export_panel;
pub mod find;
pub mod record_view;
pub mod sort;
pub mod table;

use std::sync::Arc;

use serde_json::Value;

use crate::connector::records::is_annotation;
pub use export::ExportFormat;
pub use export_panel::{ExportPanel, ExportStatus, grouped_digits, records_text};
pub use sort::{SortDirection, SortState};

use super::theme;

/// What the results area shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ViewMode {
    /// The table of all records.
    #[default]
    Table,
    /// The selected record as a field: value form.
    Record,
    /// The selected record as pretty JSON.
    Json,
}

impl ViewMode {
    /// Every mode, in tab order.
    pub const ALL: [Self; 3] = [Self::Table, Self::Record, Self::Json];

    /// The tab label.
    pub fn label(self) -> &'static str {
        match self {
            Self::Table => "Table",
            Self::Record => "Record",
            Self::Json => "JSON",
        }
    }
}

/// What the user asked to do with one record, for the explorer to carry out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordRequest {
    /// Open the record in *Update a record*, loaded.
    Update(usize),
    /// Ask to delete the record (*Delete a record*, with its confirmation).
    Delete(usize),
    /// Open *Create a record* filled with the record's values.
    Copy(usize),
    /// The row names an entity set (Get list of entities): list its items.
    OpenEntity(usize),
    /// Run a flow with the record as its trigger's input (the Flows view opens).
    RunFlow(usize),
}

/// State of the results area: records, columns, sort, selection, view mode and export.
#[derive(Debug, Default)]
pub struct ResultsView {
    records: Arc<Vec<Value>>,
    seen_columns: Vec<String>,
    preferred_columns: Vec<String>,
    key_columns: Vec<String>,
    columns: Vec<String>,
    column_widths: Vec<f32>,
    columns_generation: u64,
    sort: Option<SortState>,
    /// Record indices in sort order (all records).
    sorted: Vec<usize>,
    /// What is typed in the find box.
    find: String,
    /// The records' searchable text, made on the first search.
    find_index: Option<find::FindIndex>,
    /// Record indices shown: the sorted ones that match the find text.
    order: Vec<usize>,
    selected: Option<usize>,
    mode: ViewMode,
    scroll_to_selected: bool,
    pretty_json: Option<(usize, String)>,
    last_copied: Option<String>,
    empty_text: Option<String>,
    /// Whether the records can be updated and deleted from here (they are entity records).
    record_actions: bool,
    /// Whether the rows are the service's entity sets (each can be opened).
    entity_rows: bool,
    record_request: Option<RecordRequest>,
    /// What the records are (e.g. `List items · CustomersV3`), named in export messages.
    source_label: String,
    /// The export strip.
    pub export: ExportPanel,
}

impl ResultsView {
    /// An empty view.
    pub fn new() -> Self {
        Self::default()
    }

    /// A view of `records`.
    pub fn from_records(records: Vec<Value>) -> Self {
        let mut view = Self::new();
        view.push_page(records);
        view
    }

    /// Appends a page of records (e.g. while an all-pages listing streams in); new keys add
    /// columns, an active sort is re-applied.
    pub fn push_page(&mut self, page: Vec<Value>) {
        if page.is_empty() {
            return;
        }
        let mut added = false;
        for record in &page {
            let keys: Vec<&str> = match record {
                Value::Object(map) => map.keys().map(String::as_str).collect(),
                _ => vec!["value"],
            };
            for key in keys {
                if !is_annotation(key) && !self.seen_columns.iter().any(|c| c == key) {
                    self.seen_columns.push(key.to_owned());
                    added = true;
                }
            }
        }
        if let Some(index) = &mut self.find_index {
            index.extend(&page);
        }
        Arc::make_mut(&mut self.records).extend(page);
        if added {
            self.rebuild_columns();
        }
        self.resort();
    }

    /// Replaces all records by `records` (selection, detail and sort column kept if present).
    pub fn set_records(&mut self, records: Vec<Value>) {
        self.clear();
        self.push_page(records);
    }

    /// Forgets every record, column, the selection and the find text (the sort and preferred
    /// columns stay).
    pub fn clear(&mut self) {
        self.records = Arc::new(Vec::new());
        self.seen_columns.clear();
        self.sorted.clear();
        self.order.clear();
        self.find.clear();
        self.find_index = None;
        self.entity_rows = false;
        self.selected = None;
        self.pretty_json = None;
        self.mode = ViewMode::Table;
        // A message about an earlier export would read as if it were about these records.
        self.export.forget_outcome();
        self.rebuild_columns();
    }

    /// Names what the records are (e.g. `List items · CustomersV3`) for export messages.
    pub fn set_source_label(&mut self, label: String) {
        self.source_label = label;
    }

    /// Columns to show first, in this order (e.g. the `$select` list or metadata order);
    /// other keys follow in first-seen order. Names no record has are not shown.
    pub fn set_preferred_columns(&mut self, columns: Vec<String>) {
        self.preferred_columns = columns;
        self.rebuild_columns();
    }

    /// Key fields of the entity: their values are shown in monospace.
    pub fn set_key_columns(&mut self, columns: Vec<String>) {
        self.key_columns = columns;
    }

    /// Offers *Update this record* and *Delete this record…* (in the record view and the row
    /// menu) when the records are those of an entity that can be written.
    pub fn set_record_actions(&mut self, enabled: bool) {
        self.record_actions = enabled;
    }

    /// Marks the rows as the service's entity sets (from Get list of entities): each offers
    /// *List items of this entity*. Cleared with the records.
    pub fn set_entity_rows(&mut self, entity_rows: bool) {
        self.entity_rows = entity_rows;
    }

    /// Whether the rows are entity sets.
    pub fn entity_rows(&self) -> bool {
        self.entity_rows
    }

    /// Whether update and delete are offered on the records.
    pub fn record_actions(&self) -> bool {
        self.record_actions
    }

    /// What the user asked to do with a record since the last call.
    pub fn take_record_request(&mut self) -> Option<RecordRequest> {
        self.record_request.take()
    }

    /// Asks for `request` (as the buttons do), when the rows offer it.
    pub fn request_record(&mut self, request: RecordRequest) {
        let offered = match request {
            RecordRequest::OpenEntity(_) => self.entity_rows,
            _ => self.record_actions,
        };
        if offered {
            self.record_request = Some(request);
        }
    }

    /// The text shown when there are no records (a default otherwise).
    pub fn set_empty_text(&mut self, text: impl Into<String>) {
        self.empty_text = Some(text.into());
    }

    fn rebuild_columns(&mut self) {
        let mut columns: Vec<String> = self
            .preferred_columns
            .iter()
            .filter(|c| self.seen_columns.contains(c))
            .cloned()
            .collect();
        for column in &self.seen_columns {
            if !columns.contains(column) {
                columns.push(column.clone());
            }
        }
        if columns != self.columns {
            self.column_widths = columns
                .iter()
                .map(|c| table::initial_width(&self.records, c))
                .collect();
            self.columns = columns;
            self.columns_generation += 1;
        }
    }

    fn resort(&mut self) {
        self.sorted = sort::sorted_order(&self.records, self.sort.as_ref());
        self.apply_find();
    }

    /// Recomputes the shown records from the sorted ones and the find text.
    fn apply_find(&mut self) {
        self.order = match find::needle(&self.find) {
            None => self.sorted.clone(),
            Some(needle) => self
                .find_index
                .get_or_insert_with(|| find::FindIndex::new(&self.records))
                .filter(&self.sorted, &needle),
        };
    }

    /// The find text.
    pub fn find(&self) -> &str {
        &self.find
    }

    /// Shows only the records whose cells contain `text` (ignoring case); empty shows all.
    pub fn set_find(&mut self, text: &str) {
        if self.find != text {
            self.find = text.to_owned();
            self.apply_find();
        }
    }

    /// The number of records shown (all of them, or those matching the find text).
    pub fn shown_len(&self) -> usize {
        self.order.len()
    }

    /// All records, in arrival order.
    pub fn records(&self) -> &[Value] {
        &self.records
    }

    /// The number of records.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// Whether there are no records.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// The table's columns, in display order (annotations such as `@odata.etag` hidden).
    pub fn columns(&self) -> &[String] {
        &self.columns
    }

    /// The key columns set with [`Self::set_key_columns`].
    pub fn key_columns(&self) -> &[String] {
        &self.key_columns
    }

    /// The active sort.
    pub fn sort(&self) -> Option<&SortState> {
        self.sort.as_ref()
    }

    /// Sorts by a column (or restores arrival order with `None`).
    pub fn set_sort(&mut self, sort: Option<SortState>) {
        if self.sort != sort {
            self.sort = sort;
            self.resort();
        }
    }

    /// Record indices (into [`Self::records`]) in display order, only those matching the
    /// find text.
    pub fn display_order(&self) -> &[usize] {
        &self.order
    }

    /// The records in display order.
    pub fn sorted_records(&self) -> impl Iterator<Item = &Value> {
        self.order.iter().filter_map(|&i| self.records.get(i))
    }

    /// The selected record's index into [`Self::records`].
    pub fn selected_index(&self) -> Option<usize> {
        self.selected
    }

    /// The selected record.
    pub fn selected_record(&self) -> Option<&Value> {
        self.selected.and_then(|i| self.records.get(i))
    }

    /// Selects a record by its index into [`Self::records`] (ignored when out of range).
    pub fn select(&mut self, index: Option<usize>) {
        self.selected = index.filter(|&i| i < self.records.len());
        if self.selected.is_none() && self.mode != ViewMode::Table {
            self.mode = ViewMode::Table;
        }
    }

    /// The position of the selected record in display order.
    pub fn selected_position(&self) -> Option<usize> {
        let selected = self.selected?;
        self.order.iter().position(|&i| i == selected)
    }

    /// What the area shows.
    pub fn mode(&self) -> ViewMode {
        self.mode
    }

    /// Shows the table, or the selected record (ignored without a selection).
    pub fn set_mode(&mut self, mode: ViewMode) {
        if mode == ViewMode::Table || self.selected.is_some() {
            self.mode = mode;
        }
    }

    /// Opens the record at `index` in the record view.
    pub fn open_record(&mut self, index: usize) {
        self.select(Some(index));
        self.set_mode(ViewMode::Record);
    }

    /// The text last put on the clipboard by a copy action.
    pub fn last_copied(&self) -> Option<&str> {
        self.last_copied.as_deref()
    }

    fn copy(&mut self, ctx: &egui::Context, text: String) {
        ctx.copy_text(text.clone());
        self.last_copied = Some(text);
    }

    /// The selected record as pretty JSON (cached per selection).
    fn selected_json(&mut self) -> Option<&str> {
        let index = self.selected?;
        if self.pretty_json.as_ref().map(|(i, _)| *i) != Some(index) {
            let record = self.records.get(index)?;
            self.pretty_json = Some((index, pretty_json(record)));
        }
        self.pretty_json.as_ref().map(|(_, text)| text.as_str())
    }

    /// Moves the selection by `delta` rows in display order.
    fn move_selection(&mut self, delta: isize) {
        if self.order.is_empty() {
            return;
        }
        let last = self.order.len() - 1;
        let position = match self.selected_position() {
            Some(p) => p.saturating_add_signed(delta).min(last),
            None if delta >= 0 => 0,
            None => last,
        };
        self.selected = self.order.get(position).copied();
        self.scroll_to_selected = true;
    }
}

/// A record as indented JSON (falls back to compact JSON, which cannot fail in practice).
pub fn pretty_json(record: &Value) -> String {
    serde_json::to_string_pretty(record).unwrap_or_else(|_| record.to_string())
}

/// Draws the results: a header line (count, view tabs, export), the export strip, then the
/// table or the selected record.
pub fn results_ui(ui: &mut egui::Ui, view: &mut ResultsView) {
    handle_keys(ui, view);
    header_ui(ui, view);
    let source = export_panel::ExportSource {
        records: &view.records,
        order: &view.order,
        columns: &view.columns,
        label: &view.source_label,
    };
    export_panel::export_panel_ui(ui, &mut view.export, &source);
    ui.separator();
    if view.records.is_empty() {
        let text = view.empty_text.as_deref().unwrap_or("No records to show.");
        ui.label(egui::RichText::new(text).color(theme::MUTED));
        return;
    }
    if view.order.is_empty() && view.mode == ViewMode::Table {
        let text = format!("No record contains “{}”.", view.find.trim());
        ui.label(egui::RichText::new(text).color(theme::MUTED));
        return;
    }
    match view.mode {
        ViewMode::Table => table::table_ui(ui, view),
        ViewMode::Record => record_view::record_form_ui(ui, view),
        ViewMode::Json => record_view::record_json_ui(ui, view),
    }
}

/// The find box's id (Ctrl+F focuses it).
const FIND_ID: &str = "results-find";

fn header_ui(ui: &mut egui::Ui, view: &mut ResultsView) {
    ui.horizontal(|ui| {
        let count = if find::needle(&view.find).is_some() {
            format!(
                "{} of {}",
                grouped_digits(view.order.len()),
                records_text(view.records.len())
            )
        } else {
            records_text(view.records.len())
        };
        ui.strong(count);
        if !view.source_label.is_empty() && !view.records.is_empty() {
            ui.label(
                egui::RichText::new(format!("from {}", view.source_label)).color(theme::MUTED),
            )
            .on_hover_text("What these records are: the action and entity that read them");
        }
        if let Some(sort) = &view.sort {
            let direction = match sort.direction {
                SortDirection::Ascending => "ascending",
                SortDirection::Descending => "descending",
            };
            ui.label(
                egui::RichText::new(format!("sorted by {} ({direction})", sort.column))
                    .color(theme::MUTED),
            );
        }
        ui.separator();
        for mode in ViewMode::ALL {
            let enabled = mode == ViewMode::Table || view.selected.is_some();
            let response = ui
                .add_enabled(
                    enabled,
                    egui::Button::selectable(view.mode == mode, mode.label()),
                )
                .on_disabled_hover_text("Select a row first");
            if response.clicked() {
                view.set_mode(mode);
            }
        }
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            let enabled = !view.records.is_empty();
            if ui
                .add_enabled(
                    enabled,
                    egui::Button::selectable(view.export.open, "Export…"),
                )
                .on_hover_text("Save the records shown, in this order, as CSV or JSON")
                .clicked()
            {
                view.export.open = !view.export.open;
            }
            // A box read left to right ("Find", then the field) in this right-to-left row.
            let size = egui::vec2(230.0, ui.spacing().interact_size.y);
            ui.allocate_ui_with_layout(
                size,
                egui::Layout::left_to_right(egui::Align::Center),
                |ui| find_ui(ui, view),
            );
        });
    });
}

/// The find box: filters the records as you type; Esc empties it.
fn find_ui(ui: &mut egui::Ui, view: &mut ResultsView) {
    let label = ui.label("Find");
    let mut text = view.find.clone();
    let response = ui
        .add_enabled(
            !view.records.is_empty(),
            egui::TextEdit::singleline(&mut text)
                .id(egui::Id::unique(FIND_ID))
                .hint_text("in results  Ctrl+F")
                .desired_width(180.0),
        )
        .labelled_by(label.id)
        .on_hover_text("Shows only the records with a cell containing this text (any case)");
    // The text edit gives up focus on Esc in the same frame.
    let focused = response.has_focus() || response.lost_focus();
    if focused && ui.input(|i| i.key_pressed(egui::Key::Escape)) {
        text.clear();
    }
    view.set_find(&text);
}

fn handle_keys(ui: &mut egui::Ui, view: &mut ResultsView) {
    if !view.records.is_empty()
        && ui.input_mut(|i| i.consume_key(egui::Modifiers::COMMAND, egui::Key::F))
    {
        ui.memory_mut(|m| m.request_focus(egui::Id::unique(FIND_ID)));
    }
    if ui.ctx().text_edit_focused() || view.records.is_empty() {
        return;
    }
    let (copy, up, down, enter, escape) = ui.input_mut(|i| {
        let copy_event = i.events.iter().any(|e| matches!(e, egui::Event::Copy));
        let copy_key = i.consume_key(egui::Modifiers::COMMAND, egui::Key::C);
        (
            copy_event || copy_key,
            i.key_pressed(egui::Key::ArrowUp),
            i.key_pressed(egui::Key::ArrowDown),
            i.key_pressed(egui::Key::Enter),
            i.key_pressed(egui::Key::Escape),
        )
    });
    match view.mode {
        ViewMode::Table => {
            if up {
                view.move_selection(-1);
            }
            if down {
                view.move_selection(1);
            }
            if enter && let Some(index) = view.selected {
                view.open_record(index);
            }
            if copy && let Some(record) = view.selected_record() {
                let text = pretty_json(record);
                view.copy(ui.ctx(), text);
            }
        }
        ViewMode::Record | ViewMode::Json => {
            if escape {
                view.set_mode(ViewMode::Table);
                view.scroll_to_selected = true;
            }
        }
    }
}
