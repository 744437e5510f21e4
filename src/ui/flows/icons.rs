//! The small glyph at the front of each card, by kind of step, so a flow reads at a glance:
//! trigger, Finance & Operations step, condition, switch, loops, scope, variable, data,
//! assert, HTTP, other connector, terminate, wait. Glyphs the default fonts have (monospace).

use serde_json::Value;

use crate::flow::connector_step::is_connector_action;

/// The trigger's glyph.
pub const TRIGGER: &str = "▶";

/// The glyph of an action, by its kind.
pub fn action_icon(action: &Value) -> &'static str {
    if is_connector_action(action) {
        return "▦";
    }
    let kind = action
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_ascii_lowercase();
    match kind.as_str() {
        "if" => "◇",
        "switch" => "⇶",
        "foreach" => "↻",
        "until" => "↺",
        "scope" => "□",
        "terminate" => "■",
        "assert" => "√",
        "http" => "⇄",
        "response" => "↩",
        "openapiconnection" | "apiconnection" => "⊕",
        "wait" | "expression" => "◔",
        k if k.ends_with("variable") => "χ",
        _ => "≡",
    }
}

/// Draws `icon` in a fixed-width cell, in `colour`.
pub fn icon_ui(ui: &mut egui::Ui, icon: &str, colour: egui::Color32) {
    let mut font = egui::TextStyle::Monospace.resolve(ui.style());
    font.size *= 1.25;
    let (rect, _) = ui.allocate_exact_size(
        egui::vec2(font.size + 2.0, ui.spacing().interact_size.y),
        egui::Sense::hover(),
    );
    ui.painter().text(
        rect.center(),
        egui::Align2::CENTER_CENTER,
        icon,
        font,
        colour,
    );
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// Every glyph a card can show is in the fonts egui ships (no missing-glyph box).
    #[test]
    fn every_icon_is_in_the_default_monospace_font() {
        let kinds = [
            "If",
            "Switch",
            "Foreach",
            "Until",
            "Scope",
            "Terminate",
            "Assert",
            "Http",
            "Response",
            "ApiConnection",
            "Wait",
            "SetVariable",
            "Compose",
        ];
        let mut icons: Vec<&str> = kinds
            .iter()
            .map(|kind| action_icon(&json!({ "type": kind })))
            .collect();
        icons.push(TRIGGER);
        icons.push(action_icon(
            &json!({"type": "OpenApiConnection", "inputs": {
            "host": {"apiId": "/providers/Microsoft.PowerApps/apis/shared_dynamicsax",
                     "operationId": "GetItems"},
            "parameters": {"dataset": "d", "table": "T"}}}),
        ));
        let ctx = egui::Context::default();
        let mut output = ctx.run_ui(egui::RawInput::default(), |_| {});
        // The fonts' texture is not uploaded anywhere here.
        output.textures_delta.clear();
        let font = egui::FontId::monospace(13.0);
        for icon in &icons {
            assert!(
                ctx.fonts_mut(|f| f.has_glyphs(&font, icon)),
                "{icon:?} is not in the default fonts"
            );
        }
        // Kinds are told apart.
        let mut distinct = icons.clone();
        distinct.sort_unstable();
        distinct.dedup();
        assert_eq!(distinct.len(), icons.len(), "{icons:?}");
    }
}
