//! The sign-in card: the instance, why a sign-in is needed, the buttons (or the client secret
//! field), then the running sign-in's link or device code with Cancel.

use std::time::Duration;

use super::{Phase, SignInFlow, SignInOutcome, Waiting};
use crate::auth::{AuthMethod, Secret, SignInPrompt};
use crate::ui::theme;

/// Draws the sign-in screen; returns `SignedIn` once the tokens are stored.
pub fn sign_in_ui(
    ui: &mut egui::Ui,
    flow: &mut SignInFlow,
    runtime: Option<&tokio::runtime::Handle>,
    open_browser: bool,
) -> SignInOutcome {
    let outcome = flow.poll();
    let method = flow.needed.auth.profile().auth;
    let mut start = None;
    let mut submit_secret = false;
    let mut cancel = false;
    ui.add_space(48.0);
    ui.vertical_centered(|ui| {
        egui::Frame::group(ui.style())
            .inner_margin(24.0)
            .corner_radius(8.0)
            .show(ui, |ui| {
                ui.set_width(520.0);
                ui.with_layout(egui::Layout::top_down(egui::Align::Min), |ui| {
                    ui.heading(format!("Sign in to {}", flow.needed.instance));
                    ui.label(egui::RichText::new(&flow.needed.service_root).color(theme::MUTED));
                    ui.add_space(16.0);
                    match &flow.phase {
                        Phase::Ready { problem } => {
                            ui.label(&flow.needed.reason);
                            if let Some(problem) = problem {
                                ui.add_space(8.0);
                                ui.label(egui::RichText::new(problem).color(theme::ERROR));
                            }
                            ui.add_space(16.0);
                            if method == AuthMethod::ClientSecret {
                                submit_secret = client_secret_ui(ui, &mut flow.secret_input);
                            } else {
                                start = choice_buttons_ui(ui, method);
                            }
                        }
                        Phase::Waiting(waiting) => {
                            cancel = waiting_ui(ui, waiting);
                        }
                    }
                    ui.add_space(12.0);
                    ui.label(
                        egui::RichText::new(format!(
                            "Tokens are kept in the keyring: {}",
                            flow.keyring
                        ))
                        .small()
                        .color(theme::MUTED),
                    );
                });
            });
    });
    if submit_secret && let Some(runtime) = runtime {
        let secret = Secret::new(std::mem::take(&mut flow.secret_input).trim());
        flow.start_with_secret(runtime, ui.ctx(), secret);
    }
    if let Some(device_code) = start {
        match runtime {
            Some(runtime) => flow.start(runtime, ui.ctx(), device_code, open_browser),
            None => {
                flow.phase = Phase::Ready {
                    problem: Some("no background runtime to sign in with".to_owned()),
                }
            }
        }
    }
    if cancel || (flow.is_waiting() && ui.input(|i| i.key_pressed(egui::Key::Escape))) {
        flow.cancel();
    }
    outcome
}

/// The buttons that start a sign-in; `Some(device_code)` when one was clicked (Enter starts
/// the profile's own method).
fn choice_buttons_ui(ui: &mut egui::Ui, method: AuthMethod) -> Option<bool> {
    let profile_uses_device_code = method == AuthMethod::DeviceCode;
    let primary = if profile_uses_device_code {
        "Get a device code"
    } else {
        "Sign in with browser"
    };
    let mut start = None;
    ui.label(
        egui::RichText::new(match method {
            AuthMethod::DeviceCode => {
                "You get a short code to enter on any device's browser, where you sign in."
            }
            _ => "Your browser opens the sign-in page; Flowbench gets the result on this computer.",
        })
        .color(theme::MUTED),
    );
    ui.add_space(8.0);
    let primary_button = egui::Button::new(
        egui::RichText::new(primary)
            .strong()
            .color(egui::Color32::WHITE),
    )
    .fill(theme::ACCENT)
    .min_size(egui::vec2(200.0, 32.0));
    if ui.add(primary_button).on_hover_text("Enter").clicked()
        || (ui.memory(|m| m.focused().is_none()) && ui.input(|i| i.key_pressed(egui::Key::Enter)))
    {
        start = Some(profile_uses_device_code);
    }
    if !profile_uses_device_code
        && ui
            .link("Use a device code instead")
            .on_hover_text("Sign in on another device's browser with a short code")
            .clicked()
    {
        start = Some(true);
    }
    start
}

/// A masked field for a service principal's client secret; returns whether it was submitted.
fn client_secret_ui(ui: &mut egui::Ui, secret: &mut String) -> bool {
    ui.label(
        egui::RichText::new(
            "Paste the secret's Value (not its ID) from the app registration's Certificates & \
             secrets. It is kept in the OS keyring once the identity provider accepts it.",
        )
        .color(theme::MUTED),
    );
    ui.add_space(8.0);
    let label = ui.label("Client secret");
    let field = ui
        .add(
            egui::TextEdit::singleline(secret)
                .password(true)
                .desired_width(360.0),
        )
        .labelled_by(label.id);
    let entered = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
    ui.add_space(8.0);
    let button = egui::Button::new(
        egui::RichText::new("Save and sign in")
            .strong()
            .color(egui::Color32::WHITE),
    )
    .fill(theme::ACCENT)
    .min_size(egui::vec2(200.0, 32.0));
    let clicked = ui.add_enabled(!secret.trim().is_empty(), button).clicked();
    (clicked || entered) && !secret.trim().is_empty()
}

/// The prompt of a running sign-in; returns whether Cancel was clicked.
fn waiting_ui(ui: &mut egui::Ui, waiting: &Waiting) -> bool {
    match &waiting.prompt {
        None => {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label(waiting.starting);
            });
        }
        Some((SignInPrompt::OpenBrowser { url, opened }, _)) => {
            ui.label(if *opened {
                "Your browser opened the sign-in page. Finish signing in there."
            } else {
                "Open this link in your browser to sign in:"
            });
            ui.add_space(6.0);
            ui.add(
                egui::Label::new(egui::RichText::new(url.as_str()).monospace()).selectable(true),
            );
            ui.horizontal(|ui| {
                if ui.button("Copy link").clicked() {
                    ui.ctx().copy_text(url.to_string());
                }
                if *opened {
                    ui.hyperlink_to("Open it again", url.as_str());
                }
            });
            ui.add_space(8.0);
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label("Waiting for the browser…");
            });
        }
        Some((
            SignInPrompt::DeviceCode {
                user_code,
                verification_uri,
                verification_uri_complete,
                expires_in,
            },
            shown_at,
        )) => {
            ui.label("On any device, open this page and enter the code:");
            ui.add_space(4.0);
            ui.hyperlink_to(verification_uri, verification_uri);
            ui.add_space(8.0);
            ui.add(
                egui::Label::new(
                    egui::RichText::new(user_code)
                        .monospace()
                        .size(28.0)
                        .strong(),
                )
                .selectable(true),
            )
            .on_hover_text("Device code");
            ui.horizontal(|ui| {
                if ui.button("Copy code").clicked() {
                    ui.ctx().copy_text(user_code.clone());
                }
                if let Some(complete) = verification_uri_complete {
                    ui.hyperlink_to("Open with the code filled in", complete);
                }
            });
            let left = expires_in.saturating_sub(shown_at.elapsed());
            ui.add_space(8.0);
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label(format!(
                    "Waiting for approval · the code expires in {}",
                    minutes_seconds(left)
                ));
            });
            ui.ctx().request_repaint_after(Duration::from_secs(1));
        }
    }
    ui.add_space(8.0);
    ui.button("Cancel").on_hover_text("Escape").clicked()
}

fn minutes_seconds(duration: Duration) -> String {
    let secs = duration.as_secs();
    format!("{}:{:02}", secs / 60, secs % 60)
}
