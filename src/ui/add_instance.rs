//! The "Add instance…" dialog: a profile (name, kind, URL, tenant, client ID, sign-in
//! method) saved to the instances file, then connected to; a client secret goes to the
//! keyring only, typed in a masked field.

use std::sync::Arc;

use crate::auth::{
    AuthMethod, InstanceProfile, Instances, Secret, SecretKind, SecretStore, os_secret_store,
};
use crate::odata::service_root::ServiceKind;

use super::theme;

/// State of the dialog.
#[derive(Default)]
pub struct AddInstanceDialog {
    /// Whether the dialog is shown.
    pub open: bool,
    /// Instance name (letters, digits, `-`, `_`, `.`).
    pub name: String,
    /// Kind of service (decides the service-root rule and the default scope).
    pub kind: ServiceKind,
    /// URL or F&O host.
    pub url: String,
    /// Entra tenant (ID or domain).
    pub tenant: String,
    /// App registration's client ID.
    pub client_id: String,
    /// OpenID issuer replacing Entra ID, optional.
    pub authority: String,
    /// How to sign in.
    pub auth: AuthMethod,
    /// Scopes separated by spaces; empty means the kind's default (`https://HOST/.default`).
    pub scopes: String,
    /// The client secret typed (masked; never saved to a file, only to the keyring).
    pub client_secret: String,
    /// Why the last save failed.
    pub error: Option<String>,
}

impl std::fmt::Debug for AddInstanceDialog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AddInstanceDialog")
            .field("open", &self.open)
            .field("name", &self.name)
            .field("kind", &self.kind)
            .field("url", &self.url)
            .field("auth", &self.auth)
            .field("client_secret", &"[redacted]")
            .finish_non_exhaustive()
    }
}

/// Methods offered in the dialog.
const METHODS: [AuthMethod; 4] = [
    AuthMethod::Browser,
    AuthMethod::DeviceCode,
    AuthMethod::ClientSecret,
    AuthMethod::None,
];

impl AddInstanceDialog {
    /// The profile the fields describe, checked.
    pub fn profile(&self) -> Result<InstanceProfile, String> {
        let optional = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        InstanceProfile::new(
            self.name.trim(),
            self.kind,
            self.url.trim(),
            optional(&self.authority),
            optional(&self.tenant),
            optional(&self.client_id),
            self.auth,
            self.scopes.split_whitespace().map(str::to_owned).collect(),
        )
        .map_err(|e| e.to_string().replace("--", ""))
    }

    /// Saves the profile into the instances file (atomically) and a client secret into the
    /// keyring (`secrets`, else the OS keyring); returns the instance's name. Nothing is saved
    /// when the keyring refuses the secret.
    pub fn save(&mut self, secrets: Option<&Arc<dyn SecretStore>>) -> Result<String, String> {
        let profile = self.profile()?;
        let mut instances = Instances::load_default().map_err(|e| e.to_string())?;
        if instances.get(&profile.name).is_some() {
            return Err(format!(
                "an instance named '{}' exists already",
                profile.name
            ));
        }
        if profile.auth == AuthMethod::ClientSecret {
            if self.client_secret.trim().is_empty() {
                return Err("a client secret is needed for this sign-in method".to_owned());
            }
            let store = match secrets {
                Some(store) => store.clone(),
                None => os_secret_store().map_err(|e| e.to_string())?,
            };
            let secret = Secret::new(self.client_secret.trim());
            store
                .set(&profile.name, SecretKind::ClientSecret, &secret)
                .map_err(|e| format!("the client secret could not be kept: {e}"))?;
        }
        let name = profile.name.clone();
        instances.upsert(profile);
        instances.save().map_err(|e| e.to_string())?;
        Ok(name)
    }
}

/// Draws the dialog when open; returns the name of the instance saved this frame.
pub fn add_instance_ui(
    ctx: &egui::Context,
    dialog: &mut AddInstanceDialog,
    secrets: Option<&Arc<dyn SecretStore>>,
) -> Option<String> {
    if !dialog.open {
        return None;
    }
    let mut saved = None;
    let mut close = false;
    let modal = egui::Modal::new(egui::Id::unique("add_instance")).show(ctx, |ui| {
        // Wide enough for the 300 px fields next to their labels.
        ui.set_width(420.0);
        ui.heading("Add instance");
        egui::Grid::new("add_instance_fields").num_columns(2).show(ui, |ui| {
            text_row(ui, "Name", &mut dialog.name, "contoso-uat");
            let label = ui.label("Kind");
            egui::ComboBox::from_id_salt("add_instance_kind")
                .selected_text(dialog.kind.label())
                .show_ui(ui, |ui| {
                    for kind in ServiceKind::ALL {
                        ui.selectable_value(&mut dialog.kind, kind, kind.label());
                    }
                })
                .response
                .labelled_by(label.id);
            ui.end_row();
            text_row(ui, "URL", &mut dialog.url, "contoso.operations.dynamics.com");
            let label = ui.label("Sign-in");
            egui::ComboBox::from_id_salt("add_instance_auth")
                .selected_text(method_label(dialog.auth))
                .show_ui(ui, |ui| {
                    for method in METHODS {
                        ui.selectable_value(&mut dialog.auth, method, method_label(method));
                    }
                })
                .response
                .labelled_by(label.id);
            ui.end_row();
            if dialog.auth != AuthMethod::None {
                text_row(ui, "Tenant", &mut dialog.tenant, "contoso.onmicrosoft.com");
                text_row(ui, "Client ID", &mut dialog.client_id, "app registration ID");
                text_row(ui, "Authority", &mut dialog.authority, "optional OpenID issuer");
                text_row(ui, "Scopes", &mut dialog.scopes, "default: https://HOST/.default");
            }
            if dialog.auth == AuthMethod::ClientSecret {
                let label = ui.label("Client secret");
                ui.add(
                    egui::TextEdit::singleline(&mut dialog.client_secret)
                        .password(true)
                        .hint_text("kept in the OS keyring only")
                        .desired_width(300.0),
                )
                .labelled_by(label.id);
                ui.end_row();
            }
        });
        if dialog.auth == AuthMethod::ClientSecret {
            ui.label(
                egui::RichText::new(
                    "The secret's Value (not its ID) from Certificates & secrets; it is never written to a file.",
                )
                .small()
                .color(theme::MUTED),
            );
        }
        if let Some(error) = &dialog.error {
            ui.colored_label(theme::ERROR, error);
        }
        ui.horizontal(|ui| {
            if ui.button("Save and connect").clicked() {
                match dialog.save(secrets) {
                    Ok(name) => {
                        saved = Some(name);
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
        *dialog = AddInstanceDialog::default();
    }
    saved
}

fn text_row(ui: &mut egui::Ui, label: &str, text: &mut String, hint: &str) {
    let label = ui.label(label);
    ui.add(
        egui::TextEdit::singleline(text)
            .hint_text(hint)
            .desired_width(300.0),
    )
    .labelled_by(label.id);
    ui.end_row();
}

fn method_label(method: AuthMethod) -> &'static str {
    match method {
        AuthMethod::Browser => "Browser (PKCE)",
        AuthMethod::DeviceCode => "Device code",
        AuthMethod::ClientSecret => "Client secret",
        AuthMethod::None => "None",
    }
}
