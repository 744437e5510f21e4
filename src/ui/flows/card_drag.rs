//! Drag and drop of cards: the grip at the left of each step's card, and a card as the place
//! a dragged step lands (before it, in the same scope, through `flow::edit::move_before`).

use super::{CardKey, FlowsView};
use crate::flow::edit::{ScopePath, move_before};
use crate::ui::theme;

/// A card being dragged by its handle: where it sits and its name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DraggedCard {
    /// Where the step sits.
    pub scope: ScopePath,
    /// The step's name.
    pub name: String,
}

/// The grip at the left of a step's card: dragging it onto another card of the same scope
/// moves the step before that card. The trigger gets the same room, without a grip.
pub fn drag_handle_ui(ui: &mut egui::Ui, key: &CardKey, scope: Option<&ScopePath>) {
    let size = egui::vec2(12.0, ui.spacing().interact_size.y);
    let Some(scope) = scope.filter(|_| ui.is_enabled()) else {
        ui.allocate_exact_size(size, egui::Sense::hover());
        return;
    };
    let (rect, response) = ui.allocate_exact_size(size, egui::Sense::drag());
    let name = key.1.clone();
    response.widget_info(|| {
        egui::WidgetInfo::labeled(egui::Role::Button, true, format!("Drag {name}"))
    });
    let colour = if response.hovered() || response.dragged() {
        ui.visuals().strong_text_color()
    } else {
        theme::MUTED
    };
    for row in [-5.0, 0.0, 5.0] {
        for column in [-2.5, 2.5] {
            ui.painter()
                .circle_filled(rect.center() + egui::vec2(column, row), 1.4, colour);
        }
    }
    if response.dragged() {
        ui.ctx().set_cursor_icon(egui::CursorIcon::Grabbing);
        // The step's name follows the pointer while it is dragged.
        if let Some(pointer) = ui.ctx().pointer_interact_pos() {
            egui::Area::new(response.id.with("dragged"))
                .order(egui::Order::Tooltip)
                .fixed_pos(pointer + egui::vec2(14.0, 6.0))
                .interactable(false)
                .show(ui.ctx(), |ui| {
                    egui::Frame::popup(ui.style()).show(ui, |ui| {
                        ui.label(egui::RichText::new(&key.1).strong());
                    });
                });
        }
    }
    let response = response.on_hover_text("Drag onto another card to move this step before it");
    response.dnd_set_drag_payload(DraggedCard {
        scope: scope.clone(),
        name: key.1.clone(),
    });
}

/// A card dragged over the card `key` of `scope`: a line above it says where the step goes;
/// dropped, the step moves before it.
pub fn drop_on_card(
    ui: &egui::Ui,
    view: &mut FlowsView,
    card: &egui::Response,
    key: &CardKey,
    scope: Option<&ScopePath>,
) {
    let Some(scope) = scope else {
        return;
    };
    let fits = |dragged: &DraggedCard| dragged.scope == *scope && dragged.name != key.1;
    if card
        .dnd_hover_payload::<DraggedCard>()
        .is_some_and(|d| fits(&d))
    {
        let y = card.rect.top() - 1.0;
        ui.painter().hline(
            card.rect.x_range(),
            y,
            egui::Stroke::new(3.0, theme::ACCENT),
        );
    }
    if let Some(dragged) = card
        .dnd_release_payload::<DraggedCard>()
        .filter(|d| fits(d))
    {
        let target = key.1.clone();
        view.edit(|d| move_before(d, scope, &dragged.name, &target));
    }
}
