//! "Remove instance…": after confirmation, the saved profile leaves the instances file and its
//! tokens and client secret leave the keyring.

use std::sync::Arc;

use crate::auth::{AuthMethod, Instances, SecretStore, forget_instance, os_secret_store};

use super::theme;

/// The instance waiting for confirmation, and why the last removal failed.
#[derive(Debug, Default)]
pub struct RemoveInstanceDialog {
    /// The instance to remove; the dialog is open while set.
    pub instance: Option<String>,
    /// Why the last attempt failed.
    pub error: Option<String>,
}

/// Removes the saved instance `name` and its secrets (in `secrets`, else the OS keyring).
pub fn remove_saved_instance(
    name: &str,
    secrets: Option<&Arc<dyn SecretStore>>,
) -> Result<(), String> {
    let mut instances = Instances::load_default().map_err(|e| e.to_string())?;
    let profile = instances
        .remove(name)
        .ok_or_else(|| format!("no saved instance named '{name}'"))?;
    if profile.auth != AuthMethod::None {
        let store = match secrets {
            Some(store) => store.clone(),
            None => os_secret_store().map_err(|e| e.to_string())?,
        };
        forget_instance(store.as_ref(), name)
            .map_err(|e| format!("its secrets could not be removed from the keyring: {e}"))?;
    }
    instances.save().map_err(|e| e.to_string())
}

/// Draws the confirmation when open; returns the name of the instance removed this frame.
pub fn remove_instance_ui(
    ctx: &egui::Context,
    dialog: &mut RemoveInstanceDialog,
    secrets: Option<&Arc<dyn SecretStore>>,
) -> Option<String> {
    let name = dialog.instance.clone()?;
    let mut removed = None;
    let mut close = false;
    let modal = egui::Modal::new(egui::Id::unique("remove_instance")).show(ctx, |ui| {
        ui.set_max_width(420.0);
        ui.heading(format!("Remove {name}?"));
        ui.label(
            "Its profile is deleted from the saved instances, and its tokens and client secret \
             from the keyring. Its data on the service is not touched.",
        );
        if let Some(error) = &dialog.error {
            ui.colored_label(theme::ERROR, error);
        }
        ui.add_space(8.0);
        ui.horizontal(|ui| {
            let remove =
                egui::Button::new(egui::RichText::new("Remove").color(egui::Color32::WHITE))
                    .fill(theme::ERROR);
            if ui.add(remove).clicked() {
                match remove_saved_instance(&name, secrets) {
                    Ok(()) => {
                        removed = Some(name.clone());
                        close = true;
                    }
                    Err(error) => dialog.error = Some(error),
                }
            }
            if ui.button("Cancel").clicked() {
                close = true;
            }
        });
    });
    if close || modal.should_close() {
        *dialog = RemoveInstanceDialog::default();
    }
    removed
}
