//! The "Set-up check" window: the app-registration checklist of the selected saved instance
//! (Entra ID app registration, F&O's Microsoft Entra ID applications, least privilege), each
//! item with its status, what was checked and what to fix where. Runs on the window's
//! runtime; the window only polls.

use std::sync::Arc;

use poll_promise::Promise;

use crate::auth::{Instances, SecretStore, os_secret_store};
use crate::connector::setup_check::{CheckStatus, Checklist, check_instance};
use crate::ui::theme;

type Pending = Promise<Result<Checklist, String>>;

/// State of the "Set-up check" window.
#[derive(Default)]
pub struct SetupCheckWindow {
    /// Whether the window is shown.
    pub open: bool,
    /// The saved instance checked.
    pub instance: Option<String>,
    /// The last checklist, or why it could not run.
    pub result: Option<Result<Checklist, String>>,
    pending: Option<Pending>,
}

impl SetupCheckWindow {
    /// Whether a check is running.
    pub fn is_running(&self) -> bool {
        self.pending.is_some()
    }

    /// Opens the window and starts checking `instance` on `runtime`, reading secrets from
    /// `secrets` (`None`: the OS keyring).
    pub fn start(
        &mut self,
        runtime: &tokio::runtime::Handle,
        ctx: &egui::Context,
        instance: String,
        secrets: Option<Arc<dyn SecretStore>>,
    ) {
        self.open = true;
        self.result = None;
        self.instance = Some(instance.clone());
        let ctx = ctx.clone();
        let _guard = runtime.enter();
        self.pending = Some(Promise::spawn_async(async move {
            let result = run(instance, secrets).await;
            ctx.request_repaint();
            result
        }));
    }

    fn poll(&mut self) {
        if let Some(pending) = self.pending.take() {
            match pending.try_take() {
                Ok(result) => self.result = Some(result),
                Err(pending) => self.pending = Some(pending),
            }
        }
    }
}

async fn run(instance: String, secrets: Option<Arc<dyn SecretStore>>) -> Result<Checklist, String> {
    let name = instance.clone();
    let (profile, secrets) = tokio::task::spawn_blocking(move || {
        let instances = Instances::load_default().map_err(|e| e.to_string())?;
        let profile = instances
            .get(&name)
            .cloned()
            .ok_or_else(|| format!("the instance '{name}' is no longer saved"))?;
        let secrets = match secrets {
            Some(secrets) => secrets,
            None => os_secret_store().map_err(|e| e.to_string())?,
        };
        Ok::<_, String>((profile, secrets))
    })
    .await
    .map_err(|e| format!("could not read the instance '{instance}': {e}"))??;
    Ok(check_instance(&profile, secrets).await)
}

/// Draws the window while open; returns whether "Check again" was pressed.
pub fn setup_check_ui(ctx: &egui::Context, state: &mut SetupCheckWindow) -> bool {
    state.poll();
    let mut again = false;
    let mut open = state.open;
    egui::Window::new("Set-up check")
        .open(&mut open)
        .collapsible(false)
        .default_size(egui::vec2(620.0, 520.0))
        .default_pos(egui::pos2(280.0, 70.0))
        .show(ctx, |ui| {
            ui.horizontal(|ui| {
                ui.label(format!(
                    "Instance: {}",
                    state.instance.as_deref().unwrap_or("(none)")
                ));
                let busy = state.is_running();
                if ui
                    .add_enabled(!busy, egui::Button::new("Check again"))
                    .on_hover_text("Run every item of the checklist again")
                    .clicked()
                {
                    again = true;
                }
                if busy {
                    ui.spinner();
                    ui.label("Checking…");
                }
            });
            ui.label(
                egui::RichText::new(
                    "The app registration in Entra ID, the client ID in F&O's Microsoft Entra ID applications, and the service user's roles.",
                )
                .color(theme::MUTED)
                .small(),
            );
            ui.separator();
            egui::ScrollArea::vertical().show(ui, |ui| match &state.result {
                None => {}
                Some(Err(message)) => {
                    ui.label(
                        egui::RichText::new(format!("The check could not run: {message}"))
                            .color(theme::ERROR),
                    );
                }
                Some(Ok(checklist)) => checklist_ui(ui, checklist),
            });
        });
    state.open = open;
    again
}

fn checklist_ui(ui: &mut egui::Ui, checklist: &Checklist) {
    let failed = checklist
        .results
        .iter()
        .filter(|r| r.status == CheckStatus::Failed)
        .count();
    let summary = if failed == 0 {
        egui::RichText::new("Every item passed or needs no change.").color(theme::SUCCESS)
    } else {
        egui::RichText::new(format!("{failed} item(s) failed.")).color(theme::ERROR)
    };
    ui.label(summary);
    for result in &checklist.results {
        let (word, colour) = match result.status {
            CheckStatus::Passed => ("Passed", theme::SUCCESS),
            CheckStatus::Warning => ("Warning", theme::WARNING),
            CheckStatus::Failed => ("Failed", theme::ERROR),
            CheckStatus::Skipped => ("Skipped", theme::MUTED),
        };
        ui.add_space(6.0);
        ui.horizontal(|ui| {
            ui.label(egui::RichText::new(word).color(colour).strong());
            ui.label(egui::RichText::new(result.title).strong());
        });
        ui.label(egui::RichText::new(format!("Checked: {}", result.checked)).color(theme::MUTED));
        if let Some(fix) = &result.fix {
            let label = match result.status {
                CheckStatus::Failed | CheckStatus::Warning => "Fix",
                _ => "Note",
            };
            ui.label(format!("{label}: {fix}"));
        }
    }
}
