//! The parts of the window drawn each frame: the panels around the central area, the
//! central area (sign-in, connection failure or explorer), the top bar's requests and the
//! dialogs.

use super::FlowbenchApp;
use crate::ui::add_instance::add_instance_ui;
use crate::ui::connection::{Connection, InstanceChoice};
use crate::ui::connection_failed::{FailedChoice, connection_failed_ui};
use crate::ui::explorer::ExplorerContext;
use crate::ui::remove_instance::remove_instance_ui;
use crate::ui::shortcuts::shortcuts_window_ui;
use crate::ui::sign_in::{SignInFlow, SignInOutcome, sign_in_ui};
use crate::ui::top_bar::{self, TopBarEvents};
use crate::ui::trace_panel::{TracePanel, trace_panel_ui};
use crate::ui::{central_panel, side_panel, status_bar, theme};

impl FlowbenchApp {
    /// Installs the theme (and the saved dark mode) on the first frame.
    pub(super) fn ensure_theme(&mut self, ctx: &egui::Context) {
        if !self.theme_installed {
            theme::install(ctx);
            theme::set_dark_mode(ctx, self.state.dark_mode);
            self.theme_installed = true;
        }
    }

    /// The top bar; selects the entity picked there and returns its other requests.
    pub(super) fn top_bar_panel(&mut self, ui: &mut egui::Ui) -> TopBarEvents {
        let index = self
            .metadata
            .as_ref()
            .map(|m| &m.index)
            .or(self.cached_index.as_ref());
        let mut events = egui::Panel::top("top_bar")
            .show(ui, |ui| {
                top_bar::top_bar_ui(
                    ui,
                    &mut self.state,
                    &mut self.entity_picker,
                    &self.connection,
                    top_bar::InstanceList {
                        saved: &self.saved_instances,
                        saved_roots: &self.saved_roots,
                        discovery: &self.discovery,
                    },
                    index,
                )
            })
            .inner;
        if let Some(name) = events.picked.take() {
            self.state.selected_entity = Some(name);
        }
        events
    }

    /// The status bar; connects again when its Retry is clicked.
    pub(super) fn status_bar_panel(&mut self, ui: &mut egui::Ui) {
        let entity_count = self.metadata.as_ref().map_or(0, |m| m.index.len());
        let trace_label = self
            .trace_panel
            .as_ref()
            .map_or_else(|| "HTTP trace (0)".to_owned(), TracePanel::label);
        let metadata_note = match (&self.metadata_refresh, &self.metadata_problem) {
            (Some(_), _) => status_bar::MetadataNote::Refreshing,
            (None, Some(problem)) => status_bar::MetadataNote::Failed(problem),
            (None, None) => status_bar::MetadataNote::None,
        };
        let retry = egui::Panel::bottom("status_bar")
            .show(ui, |ui| {
                status_bar::status_bar_ui(
                    ui,
                    &mut self.state,
                    &self.connection,
                    entity_count,
                    &trace_label,
                    metadata_note,
                )
            })
            .inner;
        if retry {
            self.retry_connection(ui.ctx());
        }
        if self.settings_problem.is_some() || self.window_settings_problem.is_some() {
            egui::Panel::bottom("settings_problem").show(ui, |ui| {
                if let Some(problem) = &self.settings_problem {
                    settings_problem_ui(ui, problem);
                }
                if let Some(problem) = &self.window_settings_problem {
                    window_settings_problem_ui(ui, problem);
                }
            });
        }
    }

    /// The HTTP trace panel above the status bar.
    pub(super) fn trace_panel_area(&mut self, ui: &mut egui::Ui) {
        egui::Panel::bottom("trace_panel")
            .resizable(true)
            .default_size(220.0)
            .show(ui, |ui| match &mut self.trace_panel {
                Some(panel) => trace_panel_ui(ui, panel),
                None => {
                    ui.label(egui::RichText::new("No requests yet.").color(theme::MUTED));
                }
            });
    }

    /// The side panel with the selected entity's summary.
    pub(super) fn side_panel_area(&mut self, ui: &mut egui::Ui) {
        egui::Panel::left("side_panel")
            .resizable(true)
            .default_size(240.0)
            .show(ui, |ui| {
                side_panel::side_panel_ui(ui, &mut self.state, self.metadata.as_ref())
            });
    }

    /// The central area: the sign-in card, the connection failure or the explorer.
    pub(super) fn central_area(&mut self, ui: &mut egui::Ui) {
        if let Connection::SignIn(flow) = &mut self.connection {
            let runtime = self.runtime.as_ref().map(|r| r.handle());
            let open_browser = self.sign_in_settings.open_browser;
            if let Some(name) = sign_in_area(ui, flow, runtime, open_browser) {
                self.connect(ui.ctx(), InstanceChoice::Saved(name));
            }
        } else if let Connection::Failed(message) = &self.connection {
            let is_demo = self.state.instance == InstanceChoice::Demo;
            let instance = self.state.instance.label().to_owned();
            let choice = egui::CentralPanel::default()
                .show(ui, |ui| {
                    connection_failed_ui(ui, &instance, is_demo, message)
                })
                .inner;
            self.apply_failed_choice(ui.ctx(), choice);
        } else {
            self.explorer_area(ui);
        }
    }

    /// Acts on the choice made on the connection failure page.
    fn apply_failed_choice(&mut self, ctx: &egui::Context, choice: FailedChoice) {
        match choice {
            FailedChoice::Retry => self.retry_connection(ctx),
            FailedChoice::UseDemo => self.connect(ctx, InstanceChoice::Demo),
            FailedChoice::CheckSetup => {
                if let InstanceChoice::Saved(name) = &self.state.instance {
                    let name = name.clone();
                    self.start_setup_check(ctx, name);
                }
            }
            FailedChoice::None => {}
        }
    }

    /// The explorer (or the flows view) in the central area; opens the HTTP trace on the
    /// request an error panel asked to show.
    fn explorer_area(&mut self, ui: &mut egui::Ui) {
        let waiting = match &self.connection {
            Connection::Connecting(_, status) => Some(status.clone()),
            _ => None,
        };
        let cx = ExplorerContext {
            state: &mut self.state,
            connected: match &self.connection {
                Connection::Connected(connected) => Some(connected),
                _ => None,
            },
            metadata: self.metadata.as_ref(),
            runtime: self.runtime.as_ref().map(|r| r.handle()),
            waiting,
        };
        let explorer = &mut self.explorer;
        let flows = &mut self.flows;
        egui::CentralPanel::default().show(ui, |ui| {
            central_panel::central_panel_ui(ui, explorer, flows, cx)
        });
        if let Some(shown) = self.explorer.request_to_show.take() {
            self.show_request_in_trace(ui.ctx(), &shown);
        }
    }

    /// Acts on what the top bar asked for this frame (other than the picked entity).
    pub(super) fn apply_top_bar_events(&mut self, ctx: &egui::Context, events: TopBarEvents) {
        if events.sign_out {
            self.sign_out();
        }
        if let Some(env) = events.discovered {
            self.open_discovered(ctx, &env);
        }
        if events.refresh_metadata {
            self.refresh_metadata(ctx);
        }
        if let Some(choice) = events.switch_to {
            self.connect(ctx, choice);
        }
        if events.add_instance {
            self.add_instance.open = true;
        }
        if events.compare {
            self.compare.open = true;
        }
        if events.data_packages {
            self.data_packages.open = true;
        }
        if events.check_setup
            && let InstanceChoice::Saved(name) = &self.state.instance
        {
            let name = name.clone();
            self.start_setup_check(ctx, name);
        }
        if events.remove_instance
            && let InstanceChoice::Saved(name) = &self.state.instance
        {
            self.remove_instance.instance = Some(name.clone());
        }
    }

    /// The shortcuts window and the add and remove instance dialogs; connects to the
    /// added instance, or to the demo once an instance is removed.
    pub(super) fn dialogs_ui(&mut self, ctx: &egui::Context) {
        shortcuts_window_ui(ctx, &mut self.state.shortcuts_open);
        self.compare_window(ctx);
        self.data_packages_window(ctx);
        if self.setup_check.open
            && crate::ui::setup_check::setup_check_ui(ctx, &mut self.setup_check)
            && let Some(name) = self.setup_check.instance.clone()
        {
            self.start_setup_check(ctx, name);
        }
        let secrets = self.sign_in_settings.secrets.as_ref();
        if let Some(name) = add_instance_ui(ctx, &mut self.add_instance, secrets) {
            self.reload_saved_instances();
            self.connect(ctx, InstanceChoice::Saved(name));
        }
        let secrets = self.sign_in_settings.secrets.as_ref();
        if remove_instance_ui(ctx, &mut self.remove_instance, secrets).is_some() {
            self.reload_saved_instances();
            self.connect(ctx, InstanceChoice::Demo);
        }
        crate::ui::flows::unsaved_on_close_ui(ctx, &mut self.flows);
    }

    /// Opens the "Set-up check" window and checks the saved instance `name` on the window's
    /// runtime.
    pub fn start_setup_check(&mut self, ctx: &egui::Context, name: String) {
        let secrets = self.sign_in_settings.secrets.clone();
        let Some(runtime) = self.ensure_runtime() else {
            return;
        };
        let handle = runtime.handle().clone();
        self.setup_check.start(&handle, ctx, name, secrets);
    }

    /// The "Data packages" window; its import and export run against the connected
    /// instance's client on the window's runtime.
    fn data_packages_window(&mut self, ctx: &egui::Context) {
        if !self.data_packages.open {
            return;
        }
        let connected = matches!(self.connection, Connection::Connected(_));
        let requests =
            crate::ui::data_packages::data_packages_ui(ctx, &mut self.data_packages, connected);
        if !(requests.import || requests.export) {
            return;
        }
        let Connection::Connected(connected) = &self.connection else {
            return;
        };
        let client = connected.client.clone();
        let Some(runtime) = self.ensure_runtime() else {
            return;
        };
        let handle = runtime.handle().clone();
        if requests.import {
            self.data_packages.start_import(&handle, ctx, client);
        } else {
            self.data_packages.start_export(&handle, ctx, client);
        }
    }

    /// The "Compare instances" window: the connected instance against a saved one's cached
    /// metadata or a file.
    fn compare_window(&mut self, ctx: &egui::Context) {
        if !self.compare.open {
            return;
        }
        let name = self.state.instance.label().to_owned();
        let connected = self.metadata.as_ref().map(|m| (name.as_str(), &m.model));
        let saved: Vec<(String, String)> = self
            .saved_instances
            .iter()
            .cloned()
            .zip(self.saved_roots.iter().map(ToString::to_string))
            .collect();
        crate::ui::compare_instances::compare_instances_ui(
            ctx,
            &mut self.compare,
            connected,
            &saved,
        );
    }
}

/// The sign-in card in the central area; returns the instance once it is signed in.
fn sign_in_area(
    ui: &mut egui::Ui,
    flow: &mut SignInFlow,
    runtime: Option<&tokio::runtime::Handle>,
    open_browser: bool,
) -> Option<String> {
    let outcome = egui::CentralPanel::default()
        .show(ui, |ui| sign_in_ui(ui, flow, runtime, open_browser))
        .inner;
    (outcome == SignInOutcome::SignedIn).then(|| flow.instance().to_owned())
}

/// The strip that names a settings file that could not be read, left as it is.
fn window_settings_problem_ui(ui: &mut egui::Ui, problem: &str) {
    ui.horizontal_wrapped(|ui| {
        ui.label(
            egui::RichText::new(format!(
                "Window settings not loaded: {problem}. The file was left as it is: this session's layout is not saved; fix or remove the file, then reopen Flowbench."
            ))
            .color(theme::WARNING),
        );
    });
}

fn settings_problem_ui(ui: &mut egui::Ui, problem: &str) {
    ui.horizontal_wrapped(|ui| {
        ui.label(
            egui::RichText::new(format!(
                "Saved instances not loaded: {problem}. The file was left as it is: fix or remove it, then reopen Flowbench."
            ))
            .color(theme::WARNING),
        );
    });
}
