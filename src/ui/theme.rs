//! The one theme of the window: named colours and spacing, defined in one place.

use egui::{Color32, CornerRadius, FontFamily, FontId, TextStyle, Visuals};

/// Success: a request or a step that went well.
pub const SUCCESS: Color32 = Color32::from_rgb(0x3f, 0xb9, 0x50);
/// Warning: something to look at, not a failure.
pub const WARNING: Color32 = Color32::from_rgb(0xd2, 0x99, 0x22);
/// Error: a failed request, a validation message.
pub const ERROR: Color32 = Color32::from_rgb(0xf8, 0x51, 0x49);
/// Muted text: hints, placeholders, secondary facts.
pub const MUTED: Color32 = Color32::from_rgb(0x8b, 0x94, 0x9e);
/// Accent: selection and the primary button.
pub const ACCENT: Color32 = Color32::from_rgb(0x2f, 0x81, 0xf7);

/// The colours of expressions in fields, for one mode (see [`code_colours`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodeColours {
    /// `@`, `@{` and `}` around an expression.
    pub delimiter: Color32,
    /// Function names.
    pub function: Color32,
    /// String literals.
    pub string: Color32,
    /// Numbers.
    pub number: Color32,
    /// `?`, `[`, `]`, `.`.
    pub access: Color32,
}

/// The colours of expressions in fields, readable on the dark or the light background.
pub fn code_colours(dark_mode: bool) -> CodeColours {
    if dark_mode {
        CodeColours {
            delimiter: Color32::from_rgb(0xff, 0x7b, 0x72),
            function: Color32::from_rgb(0xd2, 0xa8, 0xff),
            string: Color32::from_rgb(0xa5, 0xd6, 0xff),
            number: Color32::from_rgb(0x79, 0xc0, 0xff),
            access: Color32::from_rgb(0xff, 0xa6, 0x57),
        }
    } else {
        CodeColours {
            delimiter: Color32::from_rgb(0xcf, 0x22, 0x2e),
            function: Color32::from_rgb(0x82, 0x50, 0xdf),
            string: Color32::from_rgb(0x0a, 0x30, 0x69),
            number: Color32::from_rgb(0x05, 0x50, 0xae),
            access: Color32::from_rgb(0x95, 0x38, 0x00),
        }
    }
}

/// Installs the Flowbench look for both dark and light mode on `ctx`; call once at start.
pub fn install(ctx: &egui::Context) {
    for theme in [egui::Theme::Dark, egui::Theme::Light] {
        ctx.set_visuals_of(theme, visuals(theme));
    }
    ctx.all_styles_mut(|style| {
        style.spacing.item_spacing = egui::vec2(8.0, 6.0);
        style.spacing.button_padding = egui::vec2(8.0, 4.0);
        style.text_styles.insert(
            TextStyle::Heading,
            FontId::new(18.0, FontFamily::Proportional),
        );
        style.text_styles.insert(
            TextStyle::Monospace,
            FontId::new(13.0, FontFamily::Monospace),
        );
    });
}

/// Switches between the dark and the light variant.
pub fn set_dark_mode(ctx: &egui::Context, dark_mode: bool) {
    ctx.set_theme(if dark_mode {
        egui::Theme::Dark
    } else {
        egui::Theme::Light
    });
}

fn visuals(theme: egui::Theme) -> Visuals {
    let mut visuals = match theme {
        egui::Theme::Dark => Visuals::dark(),
        egui::Theme::Light => Visuals::light(),
    };
    visuals.selection.bg_fill = ACCENT.linear_multiply(0.6);
    visuals.hyperlink_color = ACCENT;
    visuals.error_fg_color = ERROR;
    visuals.warn_fg_color = WARNING;
    visuals.window_corner_radius = CornerRadius::same(6);
    for widgets in [
        &mut visuals.widgets.inactive,
        &mut visuals.widgets.hovered,
        &mut visuals.widgets.active,
    ] {
        widgets.corner_radius = CornerRadius::same(4);
    }
    visuals
}
