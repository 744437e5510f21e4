//! Fields that may hold an expression: monospace and coloured as the runner reads them
//! (`@` / `@{` `}`, functions, strings, numbers, property access); plain text stays plain.

use egui::text::{LayoutJob, TextFormat};

use crate::flow::expr::{TokenKind, highlight};
use crate::ui::theme;

/// The coloured layout of `text` as a field shows it.
pub fn expression_job(ui: &egui::Ui, text: &str) -> LayoutJob {
    let font = egui::TextStyle::Monospace.resolve(ui.style());
    let plain = ui
        .visuals()
        .override_text_color
        .unwrap_or_else(|| ui.visuals().widgets.inactive.text_color());
    let colours = theme::code_colours(ui.visuals().dark_mode);
    let mut job = LayoutJob::default();
    for span in highlight(text) {
        let colour = match span.kind {
            TokenKind::Text | TokenKind::Name | TokenKind::Punctuation => plain,
            TokenKind::Escape => theme::MUTED,
            TokenKind::Delimiter => colours.delimiter,
            TokenKind::Function => colours.function,
            TokenKind::String => colours.string,
            TokenKind::Number => colours.number,
            TokenKind::Access => colours.access,
            TokenKind::Invalid => theme::ERROR,
        };
        let piece = text.get(span.range).unwrap_or_default();
        job.append(piece, 0.0, TextFormat::simple(font.clone(), colour));
    }
    job
}

/// A one-line field for a value that may hold an expression, coloured while it is typed.
pub fn expression_edit(
    ui: &mut egui::Ui,
    text: &mut String,
    width: f32,
    hint: &str,
) -> egui::Response {
    // One line, as a plain single-line field: it scrolls sideways rather than wrapping.
    let mut layouter = |ui: &egui::Ui, buffer: &dyn egui::TextBuffer, _wrap_width: f32| {
        let job = expression_job(ui, buffer.as_str());
        ui.fonts_mut(|fonts| fonts.layout_job(job))
    };
    ui.add(
        egui::TextEdit::singleline(text)
            .font(egui::TextStyle::Monospace)
            .desired_width(width)
            .hint_text(hint)
            .layouter(&mut layouter),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The colour of each piece of `text` as laid out in a field of a fresh window.
    fn colours_of(text: &str, dark_mode: bool) -> Vec<(String, egui::Color32)> {
        let ctx = egui::Context::default();
        ctx.set_theme(if dark_mode {
            egui::Theme::Dark
        } else {
            egui::Theme::Light
        });
        let mut pieces = Vec::new();
        let mut output = ctx.run_ui(egui::RawInput::default(), |ui| {
            let job = expression_job(ui, text);
            pieces = job
                .sections
                .iter()
                .map(|s| {
                    (
                        job.text[s.byte_range.start.0..s.byte_range.end.0].to_owned(),
                        s.format.color,
                    )
                })
                .collect();
        });
        // The fonts' texture is not uploaded anywhere here.
        output.textures_delta.clear();
        pieces
    }

    #[test]
    fn expressions_are_coloured_by_piece_and_plain_text_is_not() {
        for dark_mode in [true, false] {
            let code = theme::code_colours(dark_mode);
            let pieces = colours_of("Hi @{concat('a', 1)}", dark_mode);
            let colour = |piece: &str| {
                pieces
                    .iter()
                    .find(|(p, _)| p == piece)
                    .map(|(_, c)| *c)
                    .unwrap_or_else(|| panic!("no piece {piece:?} in {pieces:?}"))
            };
            assert_eq!(colour("@{"), code.delimiter);
            assert_eq!(colour("concat"), code.function);
            assert_eq!(colour("'a'"), code.string);
            assert_eq!(colour("1"), code.number);
            assert_eq!(colour("}"), code.delimiter);
            let plain = colour("Hi ");
            assert!(
                ![code.delimiter, code.function, code.string, code.number].contains(&plain),
                "plain text keeps the field's colour"
            );
        }
        let access = colours_of("@body('A')?['b']", true);
        assert!(
            access
                .iter()
                .any(|(p, c)| p == "?[" && *c == theme::code_colours(true).access),
            "{access:?}"
        );
    }
}
