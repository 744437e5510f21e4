//! The "Add instance…" dialog: a profile (name, kind, URL, tenant, client ID, sign-in
//! method) saved to the instances file, then connected to. Client secrets are not typed
//! here: they go to the keyring with `flowbench instance add --client-secret-env`.

use crate::auth::{AuthMethod, InstanceProfile, Instances};
use crate::odata::service_root::ServiceKind;

use super::theme;

/// State of the dialog.
#[derive(Debug, Default)]
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
    /// Why the last save failed.
    pub error: Option<String>,
}

/// Methods offered in the dialog (a client secret needs the command line).
const METHODS: [AuthMethod; 3] = [
    AuthMethod::Browser,
    AuthMethod::DeviceCode,
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
            Vec::new(),
        )
        .map_err(|e| e.to_string().replace("--", ""))
    }

    /// Saves the profile into the instances file (atomically); returns its name.
    pub fn save(&mut self) -> Result<String, String> {
        let profile = self.profile()?;
        let mut instances = Instances::load_default().map_err(|e| e.to_string())?;
        if instances.get(&profile.name).is_some() {
            return Err(format!(
                "an instance named '{}' exists already",
                profile.name
            ));
        }
        let name = profile.name.clone();
        instances.upsert(profile);
        instances.save().map_err(|e| e.to_string())?;
        Ok(name)
    }
}

/// Draws the dialog when open; returns the name of the instance saved this frame.
pub fn add_instance_ui(ctx: &egui::Context, dialog: &mut AddInstanceDialog) -> Option<String> {
    if !dialog.open {
        return None;
    }
    let mut saved = None;
    let mut close = false;
    let modal = egui::Modal::new(egui::Id::unique("add_instance")).show(ctx, |ui| {
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
            }
        });
        ui.label(
            egui::RichText::new(
                "Service principals with a client secret: flowbench instance add --client-secret-env VAR",
            )
            .small()
            .color(theme::MUTED),
        );
        if let Some(error) = &dialog.error {
            ui.colored_label(theme::ERROR, error);
        }
        ui.horizontal(|ui| {
            if ui.button("Save and connect").clicked() {
                match dialog.save() {
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
