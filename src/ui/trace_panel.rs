//! The HTTP trace panel: every recorded exchange newest first (status coloured by class,
//! method, URL, time, size); the selected one with its redacted headers and bodies.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use egui::RichText;
use egui::text::{LayoutJob, TextFormat};

use super::theme;
use crate::odata::client::{Trace, TraceEntry, curl_command};

/// State of the trace panel: the shared trace, a snapshot of its entries and the selection.
#[derive(Debug)]
pub struct TracePanel {
    trace: Trace,
    changes: Arc<AtomicU64>,
    seen_changes: Option<u64>,
    subscribed: bool,
    entries: Vec<TraceEntry>,
    selected: Option<u64>,
    /// The list scrolls to the selected entry on the next frame.
    scroll_to_selected: bool,
    /// Only failed exchanges are listed.
    pub errors_only: bool,
    /// The text of the last copy (URL, cURL command or body), for tests and the status line.
    last_copied: Option<String>,
    pretty_bodies: Option<(u64, Option<String>, Option<String>)>,
}

impl TracePanel {
    /// A panel showing `trace` (the client's shared trace handle).
    pub fn new(trace: Trace) -> Self {
        Self {
            trace,
            changes: Arc::new(AtomicU64::new(0)),
            seen_changes: None,
            subscribed: false,
            entries: Vec::new(),
            selected: None,
            scroll_to_selected: false,
            errors_only: false,
            last_copied: None,
            pretty_bodies: None,
        }
    }

    /// The trace shown.
    pub fn trace(&self) -> &Trace {
        &self.trace
    }

    /// The number of recorded exchanges.
    pub fn count(&self) -> usize {
        self.trace.len()
    }

    /// The status bar toggle label, e.g. "HTTP trace (12)".
    pub fn label(&self) -> String {
        format!("HTTP trace ({})", self.count())
    }

    /// The selected entry's id.
    pub fn selected_id(&self) -> Option<u64> {
        self.selected
    }

    /// Selects an entry by id.
    pub fn select(&mut self, id: Option<u64>) {
        self.selected = id;
    }

    /// The selected entry (from the last snapshot).
    pub fn selected(&self) -> Option<&TraceEntry> {
        let id = self.selected?;
        self.entries.iter().find(|e| e.id == id)
    }

    /// The newest entry (from the last snapshot), e.g. for the status bar.
    pub fn latest(&self) -> Option<&TraceEntry> {
        self.entries.first()
    }

    /// Positions (in [`Self::entries`]) of the listed entries: all, or the failed ones.
    pub fn listed(&self) -> Vec<usize> {
        (0..self.entries.len())
            .filter(|&i| !self.errors_only || is_failure(&self.entries[i]))
            .collect()
    }

    /// Entries newest first, as last drawn.
    pub fn entries(&self) -> &[TraceEntry] {
        &self.entries
    }

    /// Selects the newest exchange that was `request` (`METHOD URL`) and got `status` (either
    /// left out when unknown); returns whether one was found.
    pub fn select_request(&mut self, request: Option<&str>, status: Option<u16>) -> bool {
        let found = self.entries.iter().find(|entry| {
            request.is_none_or(|r| r == format!("{} {}", entry.method, entry.url))
                && status.is_none_or(|s| entry.status == Some(s))
        });
        self.selected = found.map(|entry| entry.id);
        self.scroll_to_selected = self.selected.is_some();
        self.selected.is_some()
    }

    /// What the last *Copy…* button put on the clipboard.
    pub fn last_copied(&self) -> Option<&str> {
        self.last_copied.as_deref()
    }

    /// Forgets all recorded exchanges.
    pub fn clear(&mut self) {
        self.trace.clear();
        self.entries.clear();
        self.selected = None;
        self.pretty_bodies = None;
    }

    /// Re-reads the trace when something was recorded (or cleared) since the last snapshot.
    pub fn refresh(&mut self, ctx: &egui::Context) {
        if !self.subscribed {
            let changes = Arc::clone(&self.changes);
            let ctx = ctx.clone();
            self.trace.subscribe(move |_| {
                changes.fetch_add(1, Ordering::Relaxed);
                ctx.request_repaint();
            });
            self.subscribed = true;
        }
        let changes = self.changes.load(Ordering::Relaxed);
        if self.seen_changes != Some(changes) || self.entries.len() != self.trace.len() {
            self.entries = self.trace.entries();
            self.entries.reverse();
            self.seen_changes = Some(changes);
            if self.selected().is_none() {
                self.selected = None;
            }
        }
    }

    /// Prepares the pretty bodies of the selected entry (once per selection).
    fn prepare_bodies(&mut self) {
        let Some(entry) = self.selected() else {
            self.pretty_bodies = None;
            return;
        };
        let id = entry.id;
        if self.pretty_bodies.as_ref().map(|(i, _, _)| *i) != Some(id) {
            let request = entry.request_body.as_deref().map(pretty_body);
            let response = entry.response_body.as_deref().map(pretty_body);
            self.pretty_bodies = Some((id, request, response));
        }
    }
}

/// A body as pretty JSON when it parses as JSON, otherwise as it is.
pub fn pretty_body(body: &str) -> String {
    serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| serde_json::to_string_pretty(&v).ok())
        .unwrap_or_else(|| body.to_owned())
}

/// The colour of a status: success 2xx, muted 1xx/3xx, warning 4xx, error 5xx or none.
pub fn status_colour(status: Option<u16>) -> egui::Color32 {
    match status {
        Some(200..=299) => theme::SUCCESS,
        Some(400..=499) => theme::WARNING,
        Some(100..=399) => theme::MUTED,
        _ => theme::ERROR,
    }
}

/// A size in bytes as "512 B", "48 KB", "1.2 MB".
pub fn size_text(bytes: u64) -> String {
    if bytes < 1024 {
        format!("{bytes} B")
    } else if bytes < 1024 * 1024 {
        format!("{} KB", bytes.div_ceil(1024))
    } else {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
    }
}

/// One line for an entry: "200 GET <url> 143 ms 48 KB" (or "ERR" without a status).
pub fn entry_summary(entry: &TraceEntry) -> String {
    format!(
        "{} {} {} {} ms {}",
        status_text(entry),
        entry.method,
        entry.url,
        entry.duration.as_millis(),
        size_text(entry.response_size)
    )
}

fn status_text(entry: &TraceEntry) -> String {
    entry
        .status
        .map_or_else(|| "ERR".to_owned(), |s| s.to_string())
}

fn entry_job(ui: &egui::Ui, entry: &TraceEntry) -> LayoutJob {
    let mono = egui::TextStyle::Monospace.resolve(ui.style());
    let text = ui.visuals().text_color();
    let mut job = LayoutJob::default();
    let mut push = |s: &str, color: egui::Color32| {
        job.append(s, 0.0, TextFormat::simple(mono.clone(), color));
    };
    push(
        &format!("{:<4}", status_text(entry)),
        status_colour(entry.status),
    );
    push(&format!("{:<6} ", entry.method), text);
    push(&entry.url, text);
    push(
        &format!(
            "  {} ms  {}",
            entry.duration.as_millis(),
            size_text(entry.response_size)
        ),
        theme::MUTED,
    );
    job
}

/// Whether an exchange failed: an HTTP error status, or no answer at all.
pub fn is_failure(entry: &TraceEntry) -> bool {
    entry.status.is_none_or(|status| status >= 400)
}

/// Draws the panel: a toolbar (count, Clear), the list newest first and the selected entry.
pub fn trace_panel_ui(ui: &mut egui::Ui, panel: &mut TracePanel) {
    panel.refresh(ui.ctx());
    ui.horizontal(|ui| {
        ui.strong(panel.label());
        if ui
            .add_enabled(!panel.entries.is_empty(), egui::Button::new("Clear"))
            .clicked()
        {
            panel.clear();
        }
        let failures = panel.entries.iter().filter(|e| is_failure(e)).count();
        ui.checkbox(&mut panel.errors_only, format!("Errors only ({failures})"))
            .on_hover_text("List only the requests that got an error status or no answer");
    });
    if panel.entries.is_empty() {
        ui.label(RichText::new("No requests yet.").color(theme::MUTED));
        return;
    }
    egui::Panel::left("trace_list")
        .resizable(true)
        .default_size(ui.available_width() * 0.5)
        .show(ui, |ui| list_ui(ui, panel));
    egui::ScrollArea::vertical()
        .id_salt("trace_detail")
        .auto_shrink([false, false])
        .show(ui, |ui| detail_ui(ui, panel));
}

fn list_ui(ui: &mut egui::Ui, panel: &mut TracePanel) {
    let row_height = ui.text_style_height(&egui::TextStyle::Monospace) + 4.0;
    let mut clicked = None;
    let mut scroll = egui::ScrollArea::vertical()
        .id_salt("trace_list_scroll")
        .auto_shrink([false, false]);
    let listed = panel.listed();
    if std::mem::take(&mut panel.scroll_to_selected)
        && let Some(index) = listed
            .iter()
            .position(|&i| Some(panel.entries[i].id) == panel.selected)
    {
        // Rows are virtualised: scroll by offset, with one row above it in view.
        let row_pitch = row_height + ui.spacing().item_spacing.y;
        scroll = scroll.vertical_scroll_offset((index.saturating_sub(1)) as f32 * row_pitch);
    }
    scroll.show_rows(ui, row_height, listed.len(), |ui, range| {
        for entry in listed[range].iter().map(|&i| &panel.entries[i]) {
            let job = entry_job(ui, entry);
            let selected = panel.selected == Some(entry.id);
            let response = ui
                .add(egui::Button::selectable(selected, job).truncate())
                .on_hover_text(entry.url.as_str());
            if response.clicked() {
                clicked = Some(entry.id);
            }
        }
    });
    if let Some(id) = clicked {
        panel.select(Some(id));
    }
}

fn detail_ui(ui: &mut egui::Ui, panel: &mut TracePanel) {
    panel.prepare_bodies();
    let selected = panel.selected;
    let entry = panel.entries.iter().find(|e| Some(e.id) == selected);
    let (Some(entry), Some((_, request_body, response_body))) = (entry, &panel.pretty_bodies)
    else {
        ui.label(
            RichText::new("Select a request to see its headers and bodies.").color(theme::MUTED),
        );
        return;
    };
    ui.add(
        egui::Label::new(RichText::new(format!("{} {}", entry.method, entry.url)).monospace())
            .wrap(),
    );
    ui.horizontal(|ui| {
        ui.label(
            RichText::new(status_text(entry))
                .strong()
                .color(status_colour(entry.status)),
        );
        ui.label(format!(
            "{} ms · {} · attempt {} · {}",
            entry.duration.as_millis(),
            size_text(entry.response_size),
            entry.attempt,
            entry.started_at.format("%H:%M:%S%.3f UTC")
        ));
    });
    if let Some(error) = &entry.error {
        ui.label(RichText::new(error).color(theme::ERROR));
    }
    let mut copied = None;
    ui.horizontal(|ui| {
        if ui.button("Copy URL").clicked() {
            copied = Some(entry.url.clone());
        }
        if ui
            .button("Copy as cURL")
            .on_hover_text("Secrets are not copied: set $TOKEN before running it")
            .clicked()
        {
            copied = Some(curl_command(entry));
        }
        if let Some(body) = &entry.response_body
            && ui.button("Copy response body").clicked()
        {
            copied = Some(body.clone());
        }
    });
    headers_ui(ui, "Request headers", entry.id, &entry.request_headers);
    body_ui(ui, "Request body", entry.id, request_body.as_deref());
    headers_ui(ui, "Response headers", entry.id, &entry.response_headers);
    body_ui(ui, "Response body", entry.id, response_body.as_deref());
    if let Some(text) = copied {
        ui.ctx().copy_text(text.clone());
        panel.last_copied = Some(text);
    }
}

fn headers_ui(ui: &mut egui::Ui, title: &str, id: u64, headers: &[(String, String)]) {
    egui::CollapsingHeader::new(title)
        .id_salt((title, id))
        .default_open(true)
        .show(ui, |ui| {
            if headers.is_empty() {
                ui.label(RichText::new("none").color(theme::MUTED));
                return;
            }
            egui::Grid::new((title, id, "grid"))
                .num_columns(2)
                .striped(true)
                .show(ui, |ui| {
                    for (name, value) in headers {
                        ui.label(RichText::new(name).monospace().color(theme::MUTED));
                        ui.add(egui::Label::new(RichText::new(value).monospace()).wrap());
                        ui.end_row();
                    }
                });
        });
}

fn body_ui(ui: &mut egui::Ui, title: &str, id: u64, body: Option<&str>) {
    egui::CollapsingHeader::new(title)
        .id_salt((title, id))
        .default_open(true)
        .show(ui, |ui| match body {
            None => {
                ui.label(RichText::new("none").color(theme::MUTED));
            }
            Some(body) => {
                let label = ui.label(RichText::new(title).small().color(theme::MUTED));
                egui::ScrollArea::both()
                    .id_salt((title, id, "scroll"))
                    .max_height(320.0)
                    .show(ui, |ui| {
                        let mut shown = body;
                        ui.add(
                            egui::TextEdit::multiline(&mut shown)
                                .code_editor()
                                .desired_width(f32::INFINITY),
                        )
                        .labelled_by(label.id);
                    });
            }
        });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_statuses_and_bodies_are_formatted() {
        assert_eq!(size_text(512), "512 B");
        assert_eq!(size_text(48 * 1024), "48 KB");
        assert_eq!(size_text(1024 * 1024 * 3 / 2), "1.5 MB");
        assert_eq!(status_colour(Some(204)), theme::SUCCESS);
        assert_eq!(status_colour(Some(304)), theme::MUTED);
        assert_eq!(status_colour(Some(412)), theme::WARNING);
        assert_eq!(status_colour(Some(503)), theme::ERROR);
        assert_eq!(status_colour(None), theme::ERROR);
        assert_eq!(pretty_body(r#"{"a":[1]}"#), "{\n  \"a\": [\n    1\n  ]\n}");
        assert_eq!(pretty_body("<html>"), "<html>");
    }
}
