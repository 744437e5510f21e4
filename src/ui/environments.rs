//! Environment discovery for the instance dropdown: once a Dataverse or Business Central
//! instance is connected, the other environments of its tenant are listed in the background,
//! and picking one saves it as an instance that signs in like the first.

use std::sync::Arc;

use poll_promise::Promise;

use super::theme;
use crate::auth::{
    DiscoveredEnvironment, DiscoverySource, InstanceAuth, InstanceProfile, Instances, SecretStore,
    add_discovered, discover_environments, os_secret_store,
};

/// The environments found in the connected instance's tenant.
pub enum EnvironmentDiscovery {
    /// The instance's kind has no documented discovery API (or nothing was asked).
    Unavailable,
    /// Asking the discovery API.
    Running(Box<Promise<Result<Vec<DiscoveredEnvironment>, String>>>),
    /// The tenant's environments.
    Found(Vec<DiscoveredEnvironment>),
    /// Discovery failed; the message says why.
    Failed(String),
}

impl EnvironmentDiscovery {
    /// Starts discovery for `auth`'s instance when its kind has a documented API.
    pub fn start(
        runtime: &tokio::runtime::Handle,
        ctx: &egui::Context,
        auth: Arc<InstanceAuth>,
    ) -> Self {
        if DiscoverySource::for_kind(auth.profile().kind).is_none() {
            return Self::Unavailable;
        }
        let ctx = ctx.clone();
        let _guard = runtime.enter();
        Self::Running(Box::new(Promise::spawn_async(async move {
            let result = discover_environments(&auth)
                .await
                .map_err(|e| e.to_string());
            ctx.request_repaint();
            result
        })))
    }

    /// Takes the result when discovery has finished.
    pub fn poll(&mut self) {
        let Self::Running(promise) = self else {
            return;
        };
        if let Some(result) = promise.ready() {
            *self = match result {
                Ok(found) => Self::Found(found.clone()),
                Err(message) => Self::Failed(message.clone()),
            };
        }
    }

    /// The environments found, if discovery has finished.
    pub fn found(&self) -> &[DiscoveredEnvironment] {
        match self {
            Self::Found(found) => found,
            _ => &[],
        }
    }
}

/// The discovery section of the instance dropdown: environments not saved yet (compared by
/// service root with `saved_roots`); returns the one clicked.
pub fn discovered_environments_ui(
    ui: &mut egui::Ui,
    discovery: &EnvironmentDiscovery,
    saved_roots: &[url::Url],
) -> Option<DiscoveredEnvironment> {
    let mut picked = None;
    match discovery {
        EnvironmentDiscovery::Unavailable => {}
        EnvironmentDiscovery::Running(_) => {
            ui.separator();
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label(
                    egui::RichText::new("Finding the tenant's environments…").color(theme::MUTED),
                );
            });
        }
        EnvironmentDiscovery::Failed(message) => {
            ui.separator();
            ui.label(egui::RichText::new("Environment discovery failed").color(theme::MUTED))
                .on_hover_text(message);
        }
        EnvironmentDiscovery::Found(found) => {
            let new: Vec<_> = found
                .iter()
                .filter(|env| !saved_roots.contains(&env.url))
                .collect();
            if new.is_empty() {
                return None;
            }
            ui.separator();
            ui.label(
                egui::RichText::new("In this tenant")
                    .color(theme::MUTED)
                    .small(),
            );
            for env in new {
                if ui
                    .selectable_label(false, &env.name)
                    .on_hover_text(format!("{}\n{}", env.url, env.detail))
                    .clicked()
                {
                    picked = Some(env.clone());
                }
            }
        }
    }
    picked
}

/// Saves `env` as an instance signing in like `base` (a client secret is copied in the
/// keyring: `secrets`, else the OS keyring); returns its name (an existing one's when the
/// environment was saved already).
pub fn save_discovered(
    base: &InstanceProfile,
    env: &DiscoveredEnvironment,
    secrets: Option<&Arc<dyn SecretStore>>,
) -> Result<String, String> {
    let store = match secrets {
        Some(store) => store.clone(),
        None => os_secret_store().map_err(|e| e.to_string())?,
    };
    let mut instances = Instances::load_default().map_err(|e| e.to_string())?;
    if let Some(existing) = instances.list().iter().find(|p| p.url == env.url) {
        return Ok(existing.name.clone());
    }
    let added = add_discovered(
        &mut instances,
        base,
        std::slice::from_ref(env),
        store.as_ref(),
    )
    .map_err(|e| e.to_string())?;
    let name = added
        .first()
        .map(|p| p.name.clone())
        .ok_or_else(|| format!("an instance named like '{}' exists already", env.id))?;
    instances.save().map_err(|e| e.to_string())?;
    Ok(name)
}
