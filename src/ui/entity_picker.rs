//! The entity dropdown with search: type to filter thousands of entity sets, arrows + Enter
//! to pick, Esc to close, Ctrl+K to focus.

use egui::text::{LayoutJob, TextFormat};

use super::theme;
use crate::odata::entity_index::{EntityIndex, EntityMatch};

/// Id of the entity search box, so that Ctrl+K can focus it.
pub const ENTITY_SEARCH_ID: &str = "entity_search";

/// How many matches the popup lists at most.
const MAX_RESULTS: usize = 50;

/// Transient state of the picker: popup open, highlighted row, cached results.
#[derive(Debug, Default)]
pub struct EntityPicker {
    open: bool,
    highlighted: usize,
    results: Vec<EntityMatch>,
    results_for: Option<String>,
}

impl EntityPicker {
    fn refresh(&mut self, query: &str, index: &EntityIndex) {
        if self.results_for.as_deref() != Some(query) {
            self.results = index.search(query, MAX_RESULTS);
            self.results_for = Some(query.to_owned());
            self.highlighted = 0;
        }
    }

    /// Forgets cached results (call when the index changes).
    pub fn invalidate(&mut self) {
        self.results_for = None;
    }
}

/// Draws the search box and its popup; returns the entity set the user picked, if any.
pub fn entity_picker_ui(
    ui: &mut egui::Ui,
    picker: &mut EntityPicker,
    query: &mut String,
    index: Option<&EntityIndex>,
) -> Option<String> {
    let id = egui::Id::unique(ENTITY_SEARCH_ID);
    let mut chosen = None;
    if let Some(index) = index {
        picker.refresh(query, index);
        if picker.open && ui.memory(|m| m.has_focus(id)) {
            chosen = handle_keys(ui, picker, index);
        }
    }

    let label = ui.label("Entity");
    let hint = match index {
        Some(index) => format!("Search {} entities…  Ctrl+K", index.len()),
        None => "Connect an instance to search…".to_owned(),
    };
    let response = ui
        .add_enabled(
            index.is_some(),
            egui::TextEdit::singleline(query)
                .id(id)
                .hint_text(hint)
                .desired_width(280.0),
        )
        .labelled_by(label.id);
    if response.gained_focus() {
        // Ctrl+K, Tab or a click: the old text is selected, so typing replaces it.
        select_all(ui.ctx(), id, query);
    }
    if response.changed() || response.gained_focus() {
        picker.open = true;
    }
    let index = index?;
    picker.refresh(query, index);

    if picker.open {
        let popup = egui::Popup::from_response(&response)
            .open_bool(&mut picker.open)
            .close_behavior(egui::PopupCloseBehavior::CloseOnClickOutside)
            .width(440.0);
        let results = &picker.results;
        let highlighted = picker.highlighted;
        let clicked = popup
            .show(|ui| results_ui(ui, results, highlighted, index, query))
            .and_then(|r| r.inner);
        chosen = chosen.or(clicked);
    }

    if let Some(name) = &chosen {
        *query = name.clone();
        picker.open = false;
        picker.results_for = None;
        ui.memory_mut(|m| m.surrender_focus(id));
    }
    chosen
}

/// Selects the whole text of the text edit `id` (taking effect on the next frame).
fn select_all(ctx: &egui::Context, id: egui::Id, text: &str) {
    let mut state = egui::TextEdit::load_state(ctx, id).unwrap_or_default();
    state
        .cursor
        .set_char_range(Some(egui::text::CCursorRange::select_all_str(text)));
    egui::TextEdit::store_state(ctx, id, state);
}

fn handle_keys(
    ui: &mut egui::Ui,
    picker: &mut EntityPicker,
    index: &EntityIndex,
) -> Option<String> {
    use egui::{Key, Modifiers};
    let (down, up, enter, escape) = ui.input_mut(|i| {
        (
            i.consume_key(Modifiers::NONE, Key::ArrowDown),
            i.consume_key(Modifiers::NONE, Key::ArrowUp),
            i.consume_key(Modifiers::NONE, Key::Enter),
            i.consume_key(Modifiers::NONE, Key::Escape),
        )
    });
    let last = picker.results.len().saturating_sub(1);
    if down {
        picker.highlighted = (picker.highlighted + 1).min(last);
    }
    if up {
        picker.highlighted = picker.highlighted.saturating_sub(1);
    }
    if escape {
        picker.open = false;
    }
    if enter {
        return picker
            .results
            .get(picker.highlighted)
            .map(|m| index.entries()[m.index].name.clone());
    }
    None
}

fn results_ui(
    ui: &mut egui::Ui,
    results: &[EntityMatch],
    highlighted: usize,
    index: &EntityIndex,
    query: &str,
) -> Option<String> {
    if results.is_empty() {
        ui.label(egui::RichText::new(format!("No entity matches “{query}”")).color(theme::MUTED));
        return None;
    }
    let mut chosen = None;
    egui::ScrollArea::vertical()
        .max_height(380.0)
        .show(ui, |ui| {
            for (row, hit) in results.iter().enumerate() {
                let entry = &index.entries()[hit.index];
                let job = marked_matches(ui, &entry.name, &hit.positions, false);
                let response = ui.selectable_label(row == highlighted, job);
                if row == highlighted {
                    response.scroll_to_me(None);
                }
                if response.clicked() {
                    chosen = Some(entry.name.clone());
                }
                let keys = if entry.keys.is_empty() {
                    "no key".to_owned()
                } else {
                    entry.keys.join(", ")
                };
                let mut detail = marked_matches(ui, &entry.label, &hit.label_positions, true);
                detail.append(
                    &format!(" · keys: {keys}"),
                    0.0,
                    TextFormat::simple(egui::TextStyle::Small.resolve(ui.style()), theme::MUTED),
                );
                ui.label(detail);
            }
        });
    chosen
}

/// `text` with the matched characters in the accent colour, underlined; `small` draws it
/// muted in the small style (the label line under the name).
fn marked_matches(ui: &egui::Ui, text: &str, positions: &[usize], small: bool) -> LayoutJob {
    let (font, colour) = if small {
        (egui::TextStyle::Small.resolve(ui.style()), theme::MUTED)
    } else {
        (
            egui::TextStyle::Body.resolve(ui.style()),
            ui.visuals().text_color(),
        )
    };
    let normal = TextFormat::simple(font.clone(), colour);
    let matched = TextFormat {
        color: ui.visuals().strong_text_color(),
        underline: egui::Stroke::new(1.5, theme::ACCENT),
        ..TextFormat::simple(font, theme::ACCENT)
    };
    let mut job = LayoutJob::default();
    let mut buf = [0u8; 4];
    for (i, c) in text.chars().enumerate() {
        let format = if positions.contains(&i) {
            matched.clone()
        } else {
            normal.clone()
        };
        job.append(c.encode_utf8(&mut buf), 0.0, format);
    }
    job
}
