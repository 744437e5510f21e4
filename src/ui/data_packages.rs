//! The "Data packages" window: the data management package API of the connected instance.
//! Build a package from a CSV file of one entity, import a package into a data project of a
//! company and follow its execution (a progress line, then its status and errors), export a
//! data project and save its package. The work runs on the window's runtime through
//! `connector::bulk`; the window only polls.

use std::path::PathBuf;
use std::sync::mpsc::{Receiver, channel};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use poll_promise::Promise;

use crate::connector::bulk::{ExecutionStatus, WaitOptions, dmf, wait_for_execution};
use crate::connector::package::Package;
use crate::flow::package::write_atomically;
use crate::odata::client::ODataClient;
use crate::ui::theme;

/// How a package job ended.
#[derive(Debug, Clone, PartialEq)]
pub struct JobOutcome {
    /// One line: what was done, e.g. `Import 1b2c… ended Succeeded`.
    pub summary: String,
    /// The execution's final status, when there was an execution.
    pub status: Option<ExecutionStatus>,
    /// The execution's errors (one line each), when it did not succeed.
    pub errors: Vec<String>,
}

type Job = Promise<Result<JobOutcome, String>>;

/// State of the "Data packages" window.
#[derive(Default)]
pub struct DataPackagesWindow {
    /// Whether the window is shown.
    pub open: bool,
    /// The package file to import (also where "Build" writes).
    pub package_path: String,
    /// The data project (definition group) to import into or export.
    pub project: String,
    /// The company (legal entity).
    pub company: String,
    /// The entity a CSV file is built into a package for.
    pub entity: String,
    /// The CSV file of that entity.
    pub csv_path: String,
    /// Where an exported package is saved.
    pub export_path: String,
    /// The last job's outcome, or why it failed.
    pub last: Option<Result<JobOutcome, String>>,
    progress: Arc<Mutex<String>>,
    job: Option<Job>,
    browsing: Option<Receiver<Option<PathBuf>>>,
}

impl DataPackagesWindow {
    /// Whether an import or export is under way.
    pub fn is_busy(&self) -> bool {
        self.job.is_some()
    }

    /// The progress line of the job under way.
    pub fn progress(&self) -> String {
        self.progress
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Builds a package from the CSV file into `package_path` (quick: no server).
    pub fn build(&mut self) {
        self.last = Some(build_package(
            &self.entity,
            &self.csv_path,
            &self.package_path,
        ));
    }

    /// Uploads `package_path` and imports it into the project and company, waiting for
    /// the execution to end.
    pub fn start_import(
        &mut self,
        runtime: &tokio::runtime::Handle,
        ctx: &egui::Context,
        client: ODataClient,
    ) {
        let (path, project, company) = (
            self.package_path.trim().to_owned(),
            self.project.trim().to_owned(),
            self.company.trim().to_owned(),
        );
        let progress = self.reset_progress("Uploading the package…");
        self.spawn(runtime, ctx, async move {
            let bytes = std::fs::read(&path).map_err(|e| format!("cannot read {path}: {e}"))?;
            Package::from_zip(&bytes, &path).map_err(|e| e.to_string())?;
            let execution = dmf::upload_and_import(&client, bytes, &project, &company)
                .await
                .map_err(|e| e.to_string())?;
            let status = wait(&client, &execution, &progress, "Import").await?;
            outcome(&client, "Import", &execution, status).await
        });
    }

    /// Exports the project of the company and saves the package at `export_path`.
    pub fn start_export(
        &mut self,
        runtime: &tokio::runtime::Handle,
        ctx: &egui::Context,
        client: ODataClient,
    ) {
        let (path, project, company) = (
            self.export_path.trim().to_owned(),
            self.project.trim().to_owned(),
            self.company.trim().to_owned(),
        );
        let progress = self.reset_progress("Starting the export…");
        self.spawn(runtime, ctx, async move {
            let name = std::path::Path::new(&path).file_name().map_or_else(
                || "package.zip".to_owned(),
                |n| n.to_string_lossy().into_owned(),
            );
            let execution = dmf::export_to_package(&client, &project, &name, &company)
                .await
                .map_err(|e| e.to_string())?;
            let status = wait(&client, &execution, &progress, "Export").await?;
            if status != ExecutionStatus::Succeeded {
                return outcome(&client, "Export", &execution, status).await;
            }
            let url = dmf::exported_package_url(&client, &execution)
                .await
                .map_err(|e| e.to_string())?;
            if url.is_empty() {
                return Err(format!(
                    "export {execution} succeeded but GetExportedPackageUrl gave no URL"
                ));
            }
            let bytes = dmf::download(&client, &url)
                .await
                .map_err(|e| e.to_string())?;
            save(&path, &bytes)?;
            Ok(JobOutcome {
                summary: format!(
                    "Export {execution} ended Succeeded; saved {path} ({} bytes)",
                    bytes.len()
                ),
                status: Some(status),
                errors: Vec::new(),
            })
        });
    }

    fn reset_progress(&mut self, text: &str) -> Arc<Mutex<String>> {
        self.last = None;
        text.clone_into(&mut self.progress.lock().unwrap_or_else(PoisonError::into_inner));
        Arc::clone(&self.progress)
    }

    fn spawn(
        &mut self,
        runtime: &tokio::runtime::Handle,
        ctx: &egui::Context,
        work: impl std::future::Future<Output = Result<JobOutcome, String>> + Send + 'static,
    ) {
        let ctx = ctx.clone();
        let _guard = runtime.enter();
        self.job = Some(Promise::spawn_async(async move {
            let result = work.await;
            ctx.request_repaint();
            result
        }));
    }

    fn poll(&mut self) {
        if let Some(job) = self.job.take() {
            match job.try_take() {
                Ok(result) => self.last = Some(result),
                Err(job) => self.job = Some(job),
            }
        }
        if let Some(receiver) = &self.browsing
            && let Ok(picked) = receiver.try_recv()
        {
            self.browsing = None;
            if let Some(path) = picked {
                self.package_path = path.display().to_string();
            }
        }
    }
}

/// Polls `execution` until it ends (at most ten minutes), writing each status to `progress`.
async fn wait(
    client: &ODataClient,
    execution: &str,
    progress: &Arc<Mutex<String>>,
    what: &str,
) -> Result<ExecutionStatus, String> {
    let options = WaitOptions {
        timeout: Duration::from_secs(600),
        interval: Duration::from_millis(250),
        max_interval: Duration::from_secs(5),
    };
    wait_for_execution(client, execution, options, |status, waited| {
        *progress.lock().unwrap_or_else(PoisonError::into_inner) = format!(
            "{what} {execution}: {} after {:.0} s",
            status.as_str(),
            waited.as_secs_f64()
        );
    })
    .await
    .map_err(|e| e.to_string())
}

/// The outcome of an execution that ended: its errors unless it succeeded.
async fn outcome(
    client: &ODataClient,
    what: &str,
    execution: &str,
    status: ExecutionStatus,
) -> Result<JobOutcome, String> {
    let errors = if status == ExecutionStatus::Succeeded {
        Vec::new()
    } else {
        dmf::execution_errors(client, execution)
            .await
            .map_err(|e| e.to_string())?
            .iter()
            .map(|error| match error {
                serde_json::Value::String(text) => text.clone(),
                other => other.to_string(),
            })
            .collect()
    };
    Ok(JobOutcome {
        summary: format!("{what} {execution} ended {}", status.as_str()),
        status: Some(status),
        errors,
    })
}

/// Writes `bytes` to `path` whole or not at all.
fn save(path: &str, bytes: &[u8]) -> Result<(), String> {
    write_atomically(std::path::Path::new(path), bytes).map_err(|e| e.to_string())
}

/// Builds a package of `entity` from the CSV file at `csv` and writes it to `output`.
fn build_package(entity: &str, csv: &str, output: &str) -> Result<JobOutcome, String> {
    let (entity, csv, output) = (entity.trim(), csv.trim(), output.trim());
    if entity.is_empty() || csv.is_empty() || output.is_empty() {
        return Err("Build needs an entity, a CSV file and the package file to write".to_owned());
    }
    let bytes = std::fs::read(csv).map_err(|e| format!("cannot read {csv}: {e}"))?;
    let package = Package::from_csv(entity, &bytes, csv).map_err(|e| e.to_string())?;
    let rows = package.entities.first().map_or(0, |data| data.rows.len());
    let zip = package.to_zip().map_err(|e| e.to_string())?;
    save(output, &zip)?;
    Ok(JobOutcome {
        summary: format!("Built {output}: {rows} rows of {entity}"),
        status: None,
        errors: Vec::new(),
    })
}

/// The system's open dialog on its own thread (it blocks); the answer comes over a channel.
fn browse(ctx: egui::Context) -> Receiver<Option<PathBuf>> {
    let (sender, receiver) = channel();
    let fallback = sender.clone();
    let spawned = std::thread::Builder::new()
        .name("package-open-dialog".to_owned())
        .spawn(move || {
            let picked = rfd::FileDialog::new()
                .add_filter("Data package", &["zip"])
                .pick_file();
            let _ = sender.send(picked);
            ctx.request_repaint();
        });
    if spawned.is_err() {
        let _ = fallback.send(None);
    }
    receiver
}

/// What the window asked for this frame (the caller has the connected client).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct PackageRequests {
    /// "Import" was pressed.
    pub import: bool,
    /// "Export" was pressed.
    pub export: bool,
}

/// Draws the window while open; `connected` says whether an instance is connected.
pub fn data_packages_ui(
    ctx: &egui::Context,
    state: &mut DataPackagesWindow,
    connected: bool,
) -> PackageRequests {
    state.poll();
    let mut requests = PackageRequests::default();
    let mut open = state.open;
    egui::Window::new("Data packages")
        .open(&mut open)
        .collapsible(false)
        .default_size(egui::vec2(600.0, 460.0))
        .default_pos(egui::pos2(300.0, 80.0))
        .show(ctx, |ui| {
            ui.label(
                egui::RichText::new(
                    "The data management package API: DataManagementDefinitionGroups actions of the connected instance.",
                )
                .color(theme::MUTED)
                .small(),
            );
            let busy = state.is_busy();
            egui::Grid::new("package_fields")
                .num_columns(2)
                .spacing([8.0, 6.0])
                .show(ui, |ui| {
                    ui.label("Data project");
                    ui.add(egui::TextEdit::singleline(&mut state.project).hint_text("the data project (definition group)"));
                    ui.end_row();
                    ui.label("Company");
                    ui.add(egui::TextEdit::singleline(&mut state.company).hint_text("e.g. usmf"));
                    ui.end_row();
                    ui.label("Package file");
                    ui.horizontal(|ui| {
                        ui.add(egui::TextEdit::singleline(&mut state.package_path).hint_text("the package .zip"));
                        if ui.button("Browse…").clicked() && state.browsing.is_none() {
                            state.browsing = Some(browse(ui.ctx().clone()));
                        }
                    });
                    ui.end_row();
                });
            let ready = connected && !busy;
            let has_target = !state.project.trim().is_empty() && !state.company.trim().is_empty();
            ui.horizontal(|ui| {
                requests.import = ui
                    .add_enabled(
                        ready && has_target && !state.package_path.trim().is_empty(),
                        egui::Button::new("Import"),
                    )
                    .on_hover_text("Upload the package and import it into the data project, then wait for its status")
                    .clicked();
            });
            ui.separator();
            ui.label(egui::RichText::new("Export a data project").strong());
            ui.horizontal(|ui| {
                ui.label("Save as");
                ui.add(egui::TextEdit::singleline(&mut state.export_path).hint_text("the .zip to write"));
                requests.export = ui
                    .add_enabled(
                        ready && has_target && !state.export_path.trim().is_empty(),
                        egui::Button::new("Export"),
                    )
                    .on_hover_text("Export the data project of the company and save its package")
                    .clicked();
            });
            ui.separator();
            ui.label(egui::RichText::new("Build a package from a CSV file").strong());
            ui.horizontal(|ui| {
                ui.label("Entity");
                ui.add(egui::TextEdit::singleline(&mut state.entity).desired_width(140.0).hint_text("e.g. CustomerGroups"));
                ui.label("CSV file");
                ui.add(egui::TextEdit::singleline(&mut state.csv_path).hint_text("its rows, with a header"));
                if ui
                    .add_enabled(!busy, egui::Button::new("Build"))
                    .on_hover_text("Write the package file above from this CSV file")
                    .clicked()
                {
                    state.build();
                }
            });
            ui.separator();
            if !connected {
                ui.label(egui::RichText::new("Connect to an instance to import or export.").color(theme::MUTED));
            }
            if busy {
                ui.horizontal(|ui| {
                    ui.spinner();
                    ui.label(state.progress());
                });
            }
            match &state.last {
                None => {}
                Some(Err(message)) => {
                    ui.label(egui::RichText::new(message).color(theme::ERROR));
                }
                Some(Ok(done)) => {
                    let colour = match done.status {
                        None | Some(ExecutionStatus::Succeeded) => theme::SUCCESS,
                        Some(_) => theme::ERROR,
                    };
                    ui.label(egui::RichText::new(&done.summary).color(colour));
                    egui::ScrollArea::vertical().max_height(180.0).show(ui, |ui| {
                        for error in &done.errors {
                            ui.label(error);
                        }
                    });
                }
            }
        });
    state.open = open;
    requests
}
