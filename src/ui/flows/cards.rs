//! The flow as cards in a column, like Power Automate: the trigger, then each action in
//! run order with its kind, entity or action, and its status and duration after a run;
//! conditions, switches, loops and scopes hold their cards, indented, and fold.

use serde_json::{Map, Value};

use super::card_drag::{drag_handle_ui, drop_on_card};
use super::{CardKey, FlowsView};
use crate::flow::connector_step::{Operation, is_connector_action, read_step};
use crate::flow::edit::{Branch, ScopePath};
use crate::flow::run::engine::run_after;
use crate::flow::run::{Status, is_supported};
use crate::ui::theme;

/// The actions of a scope in run order: each after those it runs after, ties in file order.
pub fn run_order(actions: &Map<String, Value>) -> Vec<(&String, &Value)> {
    let mut placed: Vec<(&String, &Value)> = Vec::with_capacity(actions.len());
    let mut left: Vec<(&String, &Value)> = actions.iter().collect();
    while !left.is_empty() {
        let ready = left.iter().position(|(_, action)| {
            run_after(action)
                .iter()
                .all(|(dep, _)| !actions.contains_key(dep) || placed.iter().any(|(n, _)| *n == dep))
        });
        // A circle (reported by validation): the rest in file order.
        let index = ready.unwrap_or(0);
        placed.push(left.remove(index));
    }
    placed
}

/// An action's inputs with the expressions that need no run evaluated (the double
/// URL-encoding of Logic Apps paths, `concat` of literals), the connection left out.
fn constant_inputs(action: &Value) -> Value {
    let mut inputs = action.get("inputs").cloned().unwrap_or(Value::Null);
    let host = inputs
        .as_object_mut()
        .and_then(|map| map.shift_remove("host"));
    if let Some(map) = inputs.as_object_mut() {
        map.shift_remove("authentication");
    }
    let empty = crate::flow::expr::JsonScope::from_context(&Value::Object(Map::new()));
    let mut evaluated = match &inputs {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(key, value)| {
                    let value = crate::flow::expr::evaluate_value(value, &empty)
                        .unwrap_or_else(|_| value.clone());
                    (key.clone(), value)
                })
                .collect(),
        ),
        other => other.clone(),
    };
    if let (Some(map), Some(host)) = (evaluated.as_object_mut(), host) {
        map.insert("host".to_owned(), host);
    }
    evaluated
}

/// What a card says it is: `Create a record · CustomerGroups`, `Condition`, …
pub fn card_title(action: &Value) -> (String, Option<String>) {
    let kind = action.get("type").and_then(Value::as_str).unwrap_or("?");
    if is_connector_action(action) {
        let inputs = constant_inputs(action);
        if let Ok(step) = read_step(kind, &inputs) {
            let label = match step.operation {
                Some(Operation::GetItems) => "List items",
                Some(Operation::GetItem) => "Get a record",
                Some(Operation::PostItem) => "Create a record",
                Some(Operation::PatchItem) => "Update a record",
                Some(Operation::DeleteItem) => "Delete a record",
                Some(Operation::ExecuteProcedure) => "Execute action",
                Some(Operation::GetTables) => "Get list of entities",
                None => "Connector step",
            };
            return (label.to_owned(), step.table.or(step.procedure));
        }
    }
    if kind.eq_ignore_ascii_case("Expression")
        && let Some(date_time) = crate::flow::run::date_time::kind_of(action)
    {
        let label = match date_time {
            "CurrentTime" => "Current time",
            "AddToTime" => "Add to time",
            "SubtractFromTime" => "Subtract from time",
            "GetFutureTime" => "Get future time",
            "GetPastTime" => "Get past time",
            _ => "Convert time zone",
        };
        return (label.to_owned(), None);
    }
    if crate::flow::run::cloud_only(kind).is_some() {
        return (format!("{kind} (runs only in the cloud)"), None);
    }
    let label = match kind.to_ascii_lowercase().as_str() {
        "if" => "Condition",
        "foreach" => "Apply to each",
        "until" => "Do until",
        "initializevariable" => "Initialize variable",
        "setvariable" => "Set variable",
        "incrementvariable" => "Increment variable",
        "decrementvariable" => "Decrement variable",
        "appendtoarrayvariable" => "Append to array variable",
        "appendtostringvariable" => "Append to string variable",
        "parsejson" => "Parse JSON",
        "query" => "Filter array",
        "openapiconnection" | "apiconnection" => "Other connector (not run here)",
        _ => kind,
    };
    (label.to_owned(), None)
}

/// The small tag in front of a card's title, by kind of step: connector, control, variable,
/// data, test.
pub fn kind_tag(action: &Value) -> (&'static str, egui::Color32) {
    if is_connector_action(action) {
        return ("F&O", theme::ACCENT);
    }
    let kind = action
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_ascii_lowercase();
    match kind.as_str() {
        "if" | "switch" | "foreach" | "until" | "scope" | "terminate" => {
            ("Control", theme::WARNING)
        }
        k if k.ends_with("variable") => ("Variable", theme::MUTED),
        "assert" => ("Test", theme::SUCCESS),
        "http" | "openapiconnection" | "apiconnection" => ("HTTP", theme::MUTED),
        _ => ("Data", theme::MUTED),
    }
}

fn status_colour(status: Status) -> egui::Color32 {
    match status {
        Status::Succeeded => theme::SUCCESS,
        Status::Failed | Status::TimedOut => theme::ERROR,
        Status::Running | Status::Waiting => theme::ACCENT,
        Status::Skipped | Status::Cancelled => theme::MUTED,
    }
}

/// The badge text of a status.
pub fn status_badge(status: Status) -> &'static str {
    match status {
        Status::Succeeded => "Succeeded",
        Status::Failed => "Failed",
        Status::TimedOut => "Timed out",
        Status::Running => "Running",
        Status::Waiting => "Waiting",
        Status::Skipped => "Skipped",
        Status::Cancelled => "Cancelled",
    }
}

/// Draws the trigger card and every action card.
pub fn cards_ui(ui: &mut egui::Ui, view: &mut FlowsView) {
    let Some(open) = &view.open else {
        return;
    };
    let definition = open.file.definition().clone();
    if let Some((name, trigger)) = definition
        .get("triggers")
        .and_then(Value::as_object)
        .and_then(|t| t.iter().next())
    {
        let kind = trigger.get("type").and_then(Value::as_str).unwrap_or("?");
        let detail = trigger
            .get("kind")
            .and_then(Value::as_str)
            .map(str::to_owned);
        let status = view.shown_run.as_ref().map(|_| Status::Succeeded);
        let key: CardKey = (vec!["trigger".to_owned()], name.clone());
        let face = CardFace {
            icon: super::icons::TRIGGER,
            tag: Some(("Trigger", theme::ACCENT)),
            title: &format!("Trigger: {kind}"),
            detail: detail.as_deref(),
            status,
            duration: None,
        };
        card_ui(ui, view, &key, None, &face);
    }
    let empty = Map::new();
    let actions = definition
        .get("actions")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    if !actions.is_empty() {
        add_here_ui(ui, view, &Vec::new(), None);
    }
    scope_ui(ui, view, actions, &[], &Vec::new());
    let last = run_order(actions).last().map(|(name, _)| (*name).clone());
    if ui
        .button("Add a step")
        .on_hover_text("Adds a step at the end of the flow")
        .clicked()
    {
        view.adding = Some((Vec::new(), last));
        view.step_search.clear();
    }
}

/// The scope of a control action's inner branch, from the branch's path segments.
fn branch_of(segments: &[String]) -> Branch {
    match segments {
        [b] if b == "else" => Branch::Else,
        [d] if d == "default" => Branch::Default,
        [cases, case] if cases == "cases" => Branch::Case(case.clone()),
        _ => Branch::Actions,
    }
}

fn scope_ui(
    ui: &mut egui::Ui,
    view: &mut FlowsView,
    actions: &Map<String, Value>,
    path: &[String],
    scope: &ScopePath,
) {
    if actions.is_empty() && !scope.is_empty() {
        add_here_ui(ui, view, scope, None);
    }
    for (name, action) in run_order(actions) {
        let key: CardKey = (path.to_vec(), name.clone());
        let (title, mut detail) = card_title(action);
        let record = view.record_of(&key);
        // A loop says how many times it ran (an `Assert` has a `count` input of its own).
        let is_loop = action
            .get("type")
            .and_then(Value::as_str)
            .is_some_and(|t| t.eq_ignore_ascii_case("Foreach") || t.eq_ignore_ascii_case("Until"));
        if let Some(count) = record
            .filter(|_| is_loop)
            .and_then(|r| r.inputs.get("count").or_else(|| r.inputs.get("iterations")))
            .and_then(Value::as_u64)
        {
            let noun = if count == 1 {
                "iteration"
            } else {
                "iterations"
            };
            detail = Some(format!("{count} {noun}"));
        }
        let duration = record.map(|r| r.duration_ms);
        let status = view.status_of(&key);
        let title = if is_supported(action.get("type").and_then(Value::as_str).unwrap_or("")) {
            format!("{name} · {title}")
        } else {
            format!("{name} · {title} (not supported here)")
        };
        let face = CardFace {
            icon: super::icons::action_icon(action),
            tag: Some(kind_tag(action)),
            title: &title,
            detail: detail.as_deref(),
            status,
            duration,
        };
        if card_ui(ui, view, &key, Some(scope), &face) {
            view.selected_scope = scope.clone();
            view.name_field.clone_from(name);
        }
        let mut inner = crate::flow::validate::inner_scopes(action);
        // A switch's cases first, its default last, as the designers draw them.
        inner.sort_by_key(|(branch, _)| matches!(branch.as_slice(), [d] if d == "default"));
        if inner.is_empty() || view.collapsed.contains(&key) {
            add_here_ui(ui, view, scope, Some(name));
            continue;
        }
        let mut inner_path = path.to_vec();
        inner_path.push(name.clone());
        ui.indent(("card-inner", &key), |ui| {
            let branch_ui = |ui: &mut egui::Ui,
                             view: &mut FlowsView,
                             branch: &[String],
                             actions: &Map<String, Value>| {
                if let Some(label) = branch_label(action, branch) {
                    ui.label(egui::RichText::new(label).color(theme::MUTED).small());
                }
                let mut inner_scope = scope.clone();
                inner_scope.push((name.clone(), branch_of(branch)));
                scope_ui(ui, view, actions, &inner_path, &inner_scope);
            };
            if view.branches_side_by_side && inner.len() > 1 {
                // A condition's yes and no, a switch's cases and default: one column each.
                ui.columns(inner.len(), |columns| {
                    for (column, (branch, actions)) in columns.iter_mut().zip(&inner) {
                        branch_ui(column, view, branch, actions);
                    }
                });
            } else {
                for (branch, actions) in &inner {
                    branch_ui(ui, view, branch, actions);
                }
            }
        });
        add_here_ui(ui, view, scope, Some(name));
    }
}

/// The small "+" between cards: adds a step after `after` (first in `scope` when `None`).
fn add_here_ui(ui: &mut egui::Ui, view: &mut FlowsView, scope: &ScopePath, after: Option<&String>) {
    if view.is_running() {
        return;
    }
    let clicked = ui
        .vertical_centered(|ui| {
            ui.small_button("+")
                .on_hover_text("Add a step here")
                .clicked()
        })
        .inner;
    if clicked {
        view.adding = Some((scope.clone(), after.cloned()));
        view.step_search.clear();
    }
}

/// The heading of an inner scope: `If yes`, `If no`, `Case X`, `Default`.
fn branch_label(action: &Value, branch: &[String]) -> Option<String> {
    let kind = action
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_ascii_lowercase();
    match (kind.as_str(), branch) {
        ("if", []) => Some("If yes".to_owned()),
        ("if", [b]) if b == "else" => Some("If no".to_owned()),
        (_, [cases, case]) if cases == "cases" => Some(format!("Case {case}")),
        (_, [d]) if d == "default" => Some("Default".to_owned()),
        _ => None,
    }
}

/// What a card shows: its icon, kind tag, title, detail, and its status and duration after
/// a run.
struct CardFace<'a> {
    icon: &'a str,
    tag: Option<(&'a str, egui::Color32)>,
    title: &'a str,
    detail: Option<&'a str>,
    status: Option<Status>,
    duration: Option<u64>,
}

/// Draws one card (`scope` is where a step sits; `None` for the trigger); returns whether
/// it was clicked (selected).
fn card_ui(
    ui: &mut egui::Ui,
    view: &mut FlowsView,
    key: &CardKey,
    scope: Option<&ScopePath>,
    face: &CardFace<'_>,
) -> bool {
    let selected = view.selected.as_ref() == Some(key);
    let stroke = match (selected, face.status) {
        (true, _) => egui::Stroke::new(2.0, theme::ACCENT),
        (false, Some(status)) => egui::Stroke::new(1.0, status_colour(status)),
        (false, None) => ui.visuals().widgets.noninteractive.bg_stroke,
    };
    let response = ui
        .horizontal(|ui| {
            drag_handle_ui(ui, key, scope.filter(|_| !view.is_running()));
            // A vertical child, so that a long error under the title wraps inside the card.
            ui.vertical(|ui| card_frame_ui(ui, view, key, face, stroke))
                .inner
        })
        .inner;
    drop_on_card(ui, view, &response, key, scope);
    let clicked = response.clicked();
    if clicked {
        view.selected = Some(key.clone());
    }
    if response.double_clicked() {
        if view.collapsed.contains(key) {
            view.collapsed.remove(key);
        } else {
            view.collapsed.insert(key.clone());
        }
    }
    ui.add_space(2.0);
    clicked
}

/// The card itself: icon, tag, title and detail, status and duration, the error of a run.
fn card_frame_ui(
    ui: &mut egui::Ui,
    view: &FlowsView,
    key: &CardKey,
    face: &CardFace<'_>,
    stroke: egui::Stroke,
) -> egui::Response {
    let CardFace {
        icon,
        tag,
        title,
        detail,
        status,
        duration,
    } = *face;
    egui::Frame::group(ui.style())
        .stroke(stroke)
        .show(ui, |ui| {
            ui.set_min_width(ui.available_width().min(560.0));
            // Status and duration first, from the right; the title takes what is left.
            let row = egui::vec2(ui.available_width(), ui.spacing().interact_size.y);
            ui.allocate_ui_with_layout(
                row,
                egui::Layout::right_to_left(egui::Align::Center),
                |ui| {
                    if let Some(ms) = duration {
                        ui.label(
                            egui::RichText::new(format!("{ms} ms"))
                                .color(theme::MUTED)
                                .small(),
                        );
                    }
                    if let Some(status) = status {
                        ui.label(
                            egui::RichText::new(status_badge(status)).color(status_colour(status)),
                        );
                    }
                    ui.with_layout(egui::Layout::left_to_right(egui::Align::Center), |ui| {
                        let icon_colour = tag.map_or(theme::MUTED, |(_, colour)| colour);
                        super::icons::icon_ui(ui, icon, icon_colour);
                        if let Some((tag, colour)) = tag {
                            egui::Frame::new()
                                .stroke(egui::Stroke::new(1.0, colour))
                                .corner_radius(3.0)
                                .inner_margin(egui::Margin::symmetric(4, 0))
                                .show(ui, |ui| {
                                    ui.label(egui::RichText::new(tag).small().color(colour));
                                });
                        }
                        ui.add(egui::Label::new(egui::RichText::new(title).strong()).truncate());
                        if let Some(detail) = detail {
                            ui.add(
                                egui::Label::new(
                                    egui::RichText::new(detail).monospace().color(theme::MUTED),
                                )
                                .truncate(),
                            );
                        }
                    });
                },
            );
            if let Some(error) = view
                .record_of(key)
                .and_then(|r| r.error.as_ref())
                .filter(|_| matches!(status, Some(Status::Failed | Status::TimedOut)))
            {
                ui.label(
                    egui::RichText::new(&error.message)
                        .color(theme::ERROR)
                        .small(),
                );
            }
        })
        .response
        .interact(egui::Sense::click())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn date_time_and_cloud_only_steps_say_what_they_are() {
        let title = |action: Value| card_title(&action).0;
        assert_eq!(
            title(json!({"type": "Expression", "kind": "ConvertTimezone", "inputs": {}})),
            "Convert time zone"
        );
        assert_eq!(
            title(json!({"type": "Expression", "kind": "CurrentTime", "inputs": {}})),
            "Current time"
        );
        assert_eq!(
            title(json!({"type": "Workflow", "inputs": {}})),
            "Workflow (runs only in the cloud)"
        );
        assert_eq!(title(json!({"type": "Compose", "inputs": 1})), "Compose");
    }
}
