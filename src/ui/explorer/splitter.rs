//! The drag handle between the form and the results: drag it (or focus it and press Up /
//! Down) to give the form more or less height; double-click it, press Home or use its menu's
//! *Automatic height* to return to the automatic height.

/// What the handle is called (tooltip and accessibility label).
pub const SPLITTER_LABEL: &str = "Resize the form";
/// How far one Up or Down key press moves the handle, in points.
const KEY_STEP: f32 = 24.0;

/// The form's height limit: the one the user dragged to, else half the room (at least 160
/// points); always within `80..=room - 120` so that the results keep a few rows.
pub fn form_max_height(chosen: Option<f32>, room: f32) -> f32 {
    let upper = (room - 120.0).max(80.0);
    chosen.unwrap_or((room * 0.5).max(160.0)).clamp(80.0, upper)
}

/// Draws the handle under a form whose top is at `form_top`; while dragged, `chosen` follows
/// the pointer (within what [`form_max_height`] allows in `room`); a double-click resets it.
pub fn form_splitter_ui(ui: &mut egui::Ui, chosen: &mut Option<f32>, form_top: f32, room: f32) {
    let size = egui::vec2(ui.available_width(), 8.0);
    let (rect, response) = ui.allocate_exact_size(size, egui::Sense::click_and_drag());
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Splitter, true, SPLITTER_LABEL));
    let response = response
        .on_hover_cursor(egui::CursorIcon::ResizeVertical)
        .on_hover_text(
            "Drag (or Tab to it, then Up / Down) to resize the form; double-click, Home or \
             right-click for the automatic height",
        );
    let mut reset = response.double_clicked();
    response.context_menu(|ui| {
        if ui
            .add_enabled(chosen.is_some(), egui::Button::new("Automatic height"))
            .clicked()
        {
            reset = true;
            ui.close();
        }
    });
    // Keyboard: Tab to the handle, then Up / Down move it (Home: automatic height).
    let current = rect.top() - ui.spacing().item_spacing.y - form_top;
    if response.has_focus() {
        // Keep the focus on the handle when Up / Down are pressed (egui moves it otherwise).
        let filter = egui::EventFilter {
            vertical_arrows: true,
            ..Default::default()
        };
        ui.memory_mut(|m| m.set_focus_lock_filter(response.id, filter));
        let (up, down, home) = ui.input_mut(|i| {
            (
                i.consume_key(egui::Modifiers::NONE, egui::Key::ArrowUp),
                i.consume_key(egui::Modifiers::NONE, egui::Key::ArrowDown),
                i.consume_key(egui::Modifiers::NONE, egui::Key::Home),
            )
        });
        reset |= home;
        let step = match (up, down) {
            (true, false) => -KEY_STEP,
            (false, true) => KEY_STEP,
            _ => 0.0,
        };
        if step != 0.0 {
            *chosen = Some(form_max_height(Some(current + step), room));
        }
    }
    if reset {
        *chosen = None;
    } else if response.dragged()
        && let Some(pointer) = response.interact_pointer_pos()
    {
        // The handle's centre follows the pointer (it sits one item spacing under the form).
        let height = pointer.y - form_top - rect.height() / 2.0 - ui.spacing().item_spacing.y;
        *chosen = Some(form_max_height(Some(height), room));
    }
    let stroke = if response.hovered() || response.dragged() {
        ui.visuals().widgets.hovered.fg_stroke
    } else {
        ui.visuals().widgets.noninteractive.bg_stroke
    };
    let y = rect.center().y;
    ui.painter()
        .hline(rect.x_range().shrink(rect.width() * 0.45), y - 1.5, stroke);
    ui.painter()
        .hline(rect.x_range().shrink(rect.width() * 0.45), y + 1.5, stroke);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn automatic_height_is_half_the_room_within_limits() {
        assert_eq!(form_max_height(None, 600.0), 300.0);
        assert_eq!(form_max_height(None, 250.0), 130.0);
        assert_eq!(form_max_height(Some(500.0), 600.0), 480.0);
        assert_eq!(form_max_height(Some(10.0), 600.0), 80.0);
        assert_eq!(form_max_height(Some(40.0), 100.0), 80.0);
    }
}
