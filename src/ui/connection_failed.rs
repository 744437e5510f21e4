//! The main area when the instance could not be reached: the whole failure where the user
//! looks, with Retry and a way to switch to the embedded demo instance.

use super::theme;

/// What the user chose on the failure panel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailedChoice {
    /// Nothing yet.
    None,
    /// Connect to the same instance again.
    Retry,
    /// Switch to the embedded demo instance.
    UseDemo,
    /// Run the saved instance's set-up check.
    CheckSetup,
}

/// Draws why connecting to `instance` failed (`message`, in full and selectable) with
/// *Retry* and, unless it is the demo instance, *Check set-up…* and *Use the demo instance*.
pub fn connection_failed_ui(
    ui: &mut egui::Ui,
    instance: &str,
    is_demo: bool,
    message: &str,
) -> FailedChoice {
    let mut choice = FailedChoice::None;
    ui.add_space(24.0);
    egui::Frame::group(ui.style())
        .stroke(egui::Stroke::new(1.0, theme::ERROR))
        .inner_margin(16.0)
        .show(ui, |ui| {
            ui.set_max_width(720.0);
            ui.colored_label(
                theme::ERROR,
                egui::RichText::new(format!("Could not connect to {instance}"))
                    .heading()
                    .strong(),
            );
            ui.add_space(6.0);
            ui.add(egui::Label::new(egui::RichText::new(message).monospace()).selectable(true));
            ui.add_space(6.0);
            ui.label(egui::RichText::new(hint(message)).color(theme::MUTED));
            ui.add_space(10.0);
            ui.horizontal(|ui| {
                if ui
                    .button("Retry")
                    .on_hover_text(format!("Connect to {instance} again"))
                    .clicked()
                {
                    choice = FailedChoice::Retry;
                }
                if !is_demo
                    && ui
                        .button("Use the demo instance")
                        .on_hover_text(
                            "Switch to the embedded demo instance, which needs no network",
                        )
                        .clicked()
                {
                    choice = FailedChoice::UseDemo;
                }
                if !is_demo
                    && ui
                        .button("Check set-up…")
                        .on_hover_text(
                            "Test the app registration, the F&O registration and the roles, item by item",
                        )
                        .clicked()
                {
                    choice = FailedChoice::CheckSetup;
                }
            });
        });
    choice
}

/// A next step for the usual causes, read from the message.
fn hint(message: &str) -> &'static str {
    let lower = message.to_lowercase();
    if lower.contains("connect") || lower.contains("dns") || lower.contains("timed out") {
        "The instance did not answer. Check that it is running and that its URL is right \
         (flowbench instance list), then retry."
    } else if lower.contains("401") || lower.contains("403") || lower.contains("sign") {
        "The instance refused the sign-in. Sign in again, or use Check set-up… to find the step \
         of the app registration that is missing."
    } else {
        "Check the instance's URL and your network, then retry."
    }
}
