//! A `Recurrence` trigger's next runs in its time zone, and the switch that runs the flow
//! on its schedule while the window is open.

use serde_json::Value;

use crate::ui::flows::{CardKey, FlowsView};
use crate::ui::theme;

/// For a `Recurrence` trigger: the next runs, in its time zone, and the switch that runs the
/// flow on its schedule while the window is open.
pub fn recurrence_ui(ui: &mut egui::Ui, view: &mut FlowsView, key: &CardKey) {
    if key.0.first().is_none_or(|p| p != "trigger") {
        return;
    }
    let Some(trigger) = view
        .open
        .as_ref()
        .and_then(|open| open.file.definition().get("triggers")?.get(&key.1).cloned())
    else {
        return;
    };
    let is_recurrence = trigger
        .get("type")
        .and_then(Value::as_str)
        .is_some_and(|t| t.eq_ignore_ascii_case("Recurrence"))
        || trigger.get("recurrence").is_some();
    if !is_recurrence {
        return;
    }
    // A sliding window is turned on from the trigger strip (its windows are kept).
    let sliding = trigger
        .get("type")
        .and_then(Value::as_str)
        .is_some_and(|t| t.eq_ignore_ascii_case("SlidingWindow"));
    if !sliding {
        let mut on = view.schedule_next.is_some();
        if ui
            .checkbox(&mut on, "Run on this schedule while the window is open")
            .changed()
        {
            view.set_schedule(on);
        }
    }
    if view.schedule_next.is_some() {
        ui.label(
            egui::RichText::new(format!("On: {} scheduled runs so far", view.scheduled_runs))
                .color(theme::SUCCESS),
        );
    }
    ui.label(
        egui::RichText::new(if sliding {
            "Next windows end"
        } else {
            "Next runs"
        })
        .strong(),
    );
    match crate::flow::schedule::Recurrence::from_trigger(&trigger) {
        Ok(recurrence) => {
            let runs = recurrence.next_runs(chrono::Utc::now(), 5);
            if runs.is_empty() {
                ui.label(egui::RichText::new("No run in the next ten years.").color(theme::MUTED));
            }
            for at in runs {
                ui.label(
                    egui::RichText::new(format!(
                        "{} ({})",
                        at.format("%a %Y-%m-%d %H:%M %Z"),
                        at.with_timezone(&chrono::Utc).format("%H:%M UTC")
                    ))
                    .monospace(),
                );
            }
        }
        Err(problem) => {
            ui.label(egui::RichText::new(problem).color(theme::ERROR));
        }
    }
}
