//! Drawing one field: label with `*`, the widget for its type, counter, help on hover,
//! the validation message in red and the red outline a server error sets.

use super::field::{FieldInput, WidgetKind};
use crate::ui::theme;

/// Width of text inputs.
const INPUT_WIDTH: f32 = 260.0;

/// Draws `fields` as a two-column grid (label, input); `id_salt` keeps several forms apart.
pub fn fields_grid_ui<'a>(
    ui: &mut egui::Ui,
    id_salt: impl egui::AsIdSalt,
    fields: impl IntoIterator<Item = &'a mut FieldInput>,
) {
    egui::Grid::new(id_salt)
        .num_columns(2)
        .spacing([12.0, 6.0])
        .show(ui, |ui| {
            for field in fields {
                field_row_ui(ui, field);
            }
        });
}

/// Draws one field as a grid row: the label cell, then the input cell (with its message),
/// then ends the row. Call inside an `egui::Grid` with two columns.
pub fn field_row_ui(ui: &mut egui::Ui, field: &mut FieldInput) -> egui::Response {
    let label = label_ui(ui, field);
    let response = ui
        .vertical(|ui| input_with_message_ui(ui, field, label.id))
        .inner;
    ui.end_row();
    response
}

/// Draws one field on its own: label, input and message side by side.
pub fn field_ui(ui: &mut egui::Ui, field: &mut FieldInput) -> egui::Response {
    ui.horizontal(|ui| {
        let label = label_ui(ui, field);
        ui.vertical(|ui| input_with_message_ui(ui, field, label.id))
            .inner
    })
    .inner
}

fn label_ui(ui: &mut egui::Ui, field: &FieldInput) -> egui::Response {
    ui.horizontal(|ui| {
        let mut text = egui::RichText::new(&field.spec.label);
        if field.spec.read_only {
            text = text.color(theme::MUTED);
        }
        let mut label = ui.label(text);
        if field.spec.required {
            ui.label(egui::RichText::new("*").color(theme::ERROR).strong())
                .on_hover_text("Required");
        }
        let hover = match (&field.spec.help, field.spec.label != field.spec.name) {
            (Some(help), true) => Some(format!("{}\n{help}", field.spec.name)),
            (Some(help), false) => Some(help.clone()),
            (None, true) => Some(field.spec.name.clone()),
            (None, false) => None,
        };
        if let Some(hover) = hover {
            label = label.on_hover_text(hover);
        }
        label
    })
    .inner
}

fn input_with_message_ui(
    ui: &mut egui::Ui,
    field: &mut FieldInput,
    label_id: egui::Id,
) -> egui::Response {
    let enabled = !field.spec.read_only;
    let response = ui
        .add_enabled_ui(enabled, |ui| {
            ui.horizontal(|ui| widget_ui(ui, field, label_id)).inner
        })
        .inner;
    let response = match &field.spec.help {
        Some(help) => response.on_hover_text(help),
        None => response,
    };
    if field.highlight || field.error.is_some() {
        ui.painter().rect_stroke(
            response.rect.expand(2.0),
            3.0,
            egui::Stroke::new(1.5, theme::ERROR),
            egui::StrokeKind::Outside,
        );
    }
    if let Some(error) = &field.error {
        ui.label(egui::RichText::new(error).color(theme::ERROR).small());
    }
    response
}

fn text_input(
    ui: &mut egui::Ui,
    text: &mut String,
    id: egui::Id,
    hint: &str,
    width: f32,
) -> egui::Response {
    ui.add(
        egui::TextEdit::singleline(text)
            .id(id)
            .hint_text(hint.to_owned())
            .desired_width(width),
    )
}

/// The widget for the field's type; returns the main input's response.
fn widget_ui(ui: &mut egui::Ui, field: &mut FieldInput, label_id: egui::Id) -> egui::Response {
    let id = ui.make_persistent_id(("field", &field.spec.name));
    let widget = field.spec.widget();
    let before = (field.text.clone(), field.time.clone());
    let response = match widget {
        WidgetKind::Boolean => {
            let mut checked = field.text.trim().eq_ignore_ascii_case("true");
            let response = ui
                .add(egui::Checkbox::without_text(&mut checked))
                .labelled_by(label_id);
            if response.changed() {
                field.text = checked.to_string();
            }
            if field.text.trim().is_empty() {
                ui.label(egui::RichText::new("not set").small().color(theme::MUTED));
            } else if !field.spec.required
                && ui
                    .small_button("Clear")
                    .on_hover_text("Leave it unset: it is not sent")
                    .clicked()
            {
                field.text.clear();
            }
            response
        }
        WidgetKind::Enum => enum_ui(ui, field, id, label_id),
        WidgetKind::Flags => flags_ui(ui, field, id, label_id),
        WidgetKind::Text => {
            let max = field.spec.facets.max_length.map(|m| m as usize);
            let mut edit = egui::TextEdit::singleline(&mut field.text)
                .id(id)
                .desired_width(INPUT_WIDTH);
            if let Some(max) = max {
                edit = edit.char_limit(max);
            }
            let response = ui.add(edit).labelled_by(label_id);
            if let Some(max) = max {
                let count = field.text.chars().count();
                ui.label(
                    egui::RichText::new(format!("{count}/{max}"))
                        .small()
                        .color(theme::MUTED),
                );
            }
            response
        }
        WidgetKind::Date => {
            let response =
                text_input(ui, &mut field.text, id, widget.hint(), 110.0).labelled_by(label_id);
            date_picker_ui(ui, &mut field.text, &field.spec.name);
            response
        }
        WidgetKind::DateTime => {
            let response =
                text_input(ui, &mut field.text, id, widget.hint(), 110.0).labelled_by(label_id);
            date_picker_ui(ui, &mut field.text, &field.spec.name);
            text_input(ui, &mut field.time, id.with("time"), "HH:MM:SS", 90.0)
                .accessible_name(format!("{} time", field.spec.label));
            response
        }
        WidgetKind::Guid => {
            let response =
                text_input(ui, &mut field.text, id, widget.hint(), 290.0).labelled_by(label_id);
            if ui
                .button("New GUID")
                .on_hover_text("Fill in a random GUID")
                .clicked()
            {
                field.text = uuid::Uuid::new_v4().hyphenated().to_string();
            }
            response
        }
        WidgetKind::Json => ui
            .add(
                egui::TextEdit::multiline(&mut field.text)
                    .id(id)
                    .hint_text(widget.hint())
                    .font(egui::TextStyle::Monospace)
                    .desired_rows(2)
                    .desired_width(INPUT_WIDTH),
            )
            .labelled_by(label_id),
        WidgetKind::Integer
        | WidgetKind::Decimal
        | WidgetKind::Float
        | WidgetKind::Duration
        | WidgetKind::Time => {
            text_input(ui, &mut field.text, id, widget.hint(), 180.0).labelled_by(label_id)
        }
    };
    if (field.text.clone(), field.time.clone()) != before {
        field.check_live();
        // The server's complaint was about the value that was there before.
        field.highlight = false;
    }
    response
}

fn enum_ui(
    ui: &mut egui::Ui,
    field: &mut FieldInput,
    id: egui::Id,
    label_id: egui::Id,
) -> egui::Response {
    let crate::odata::values::ValueKind::Enum(info) = &field.spec.kind else {
        return ui.label(&field.text);
    };
    let current = info
        .member(&field.text)
        .map(str::to_owned)
        .unwrap_or_else(|| field.text.clone());
    let shown = if current.is_empty() {
        "(none)".to_owned()
    } else {
        current.clone()
    };
    let mut picked = None;
    let response = egui::ComboBox::from_id_salt(id)
        .selected_text(shown)
        .width(180.0)
        .show_ui(ui, |ui| {
            if ui.selectable_label(current.is_empty(), "(none)").clicked() {
                picked = Some(String::new());
            }
            for (name, _) in &info.members {
                let mut entry = ui.selectable_label(&current == name, name);
                if let Some(label) = field.spec.member_label(name) {
                    entry = entry.on_hover_text(label);
                }
                if entry.clicked() {
                    picked = Some(name.clone());
                }
            }
        })
        .response
        .labelled_by(label_id);
    if let Some(picked) = picked {
        field.text = picked;
    }
    response
}

/// A flags enum: a dropdown with a checkbox per member, staying open while members are
/// ticked; the text lists the ticked members in declaration order (`Read,Write`).
fn flags_ui(
    ui: &mut egui::Ui,
    field: &mut FieldInput,
    id: egui::Id,
    label_id: egui::Id,
) -> egui::Response {
    let crate::odata::values::ValueKind::Enum(info) = &field.spec.kind else {
        return ui.label(&field.text);
    };
    let ticked: Vec<String> = field
        .text
        .split(',')
        .filter_map(|part| info.member(part.trim()).map(str::to_owned))
        .collect();
    let shown = if ticked.is_empty() {
        "(none)".to_owned()
    } else {
        ticked.join(", ")
    };
    let mut toggled = None;
    let response = egui::ComboBox::from_id_salt(id)
        .selected_text(shown)
        .width(180.0)
        .close_behavior(egui::PopupCloseBehavior::CloseOnClickOutside)
        .show_ui(ui, |ui| {
            for (name, _) in &info.members {
                let mut on = ticked.contains(name);
                let mut entry = ui.checkbox(&mut on, name);
                if let Some(label) = field.spec.member_label(name) {
                    entry = entry.on_hover_text(label);
                }
                if entry.changed() {
                    toggled = Some(name.clone());
                }
            }
        })
        .response
        .labelled_by(label_id);
    if let Some(name) = toggled {
        let selected: Vec<&str> = info
            .members
            .iter()
            .map(|(member, _)| member.as_str())
            .filter(|member| (*member == name) != ticked.iter().any(|t| t == member))
            .collect();
        field.text = selected.join(",");
        field.check_live();
    }
    response
}

/// A date picker button next to a date text; saving a date in it writes `YYYY-MM-DD` into
/// the text. The button shows the date the text holds, or "Pick a date" when it holds none:
/// it never shows a date that would not be sent.
fn date_picker_ui(ui: &mut egui::Ui, text: &mut String, name: &str) {
    let parsed = chrono::NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok();
    let start = parsed.unwrap_or_else(|| chrono::Local::now().date_naive());
    let Some(mut date) = to_jiff(start) else {
        return;
    };
    let salt = format!("date-picker-{name}");
    let format = if parsed.is_some() {
        "%Y-%m-%d"
    } else {
        "Pick a date"
    };
    let response = ui
        .add(
            egui_extras::DatePickerButton::new(&mut date)
                .id_salt(&salt)
                .format(format)
                .show_icon(false)
                .combo_boxes(false)
                .calendar_week(false),
        )
        .on_hover_text(format!("Pick a date for {name}"));
    // Changed: the user pressed Save in the picker, today's date included.
    if response.changed() {
        *text = date.strftime("%Y-%m-%d").to_string();
    }
}

fn to_jiff(date: chrono::NaiveDate) -> Option<jiff::civil::Date> {
    use chrono::Datelike;
    let year = i16::try_from(date.year()).ok()?;
    let month = i8::try_from(date.month()).ok()?;
    let day = i8::try_from(date.day()).ok()?;
    jiff::civil::Date::new(year, month, day).ok()
}
