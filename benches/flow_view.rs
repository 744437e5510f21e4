//! Frame time of the Flows view on a 200-step flow (layout + tessellation of a bare
//! `egui::Context`, no GPU): scrolling the cards, and editing (one edit per frame, as when
//! typing into a step's field: the definition is copied for undo and checked again).
//!
//! `cargo bench --bench flow_view`; `FLOWBENCH_BENCH_FRAMES` sets the number of timed frames
//! per scenario (default 300).

use std::time::Instant;

use flowbench::ui::flows::{FlowsContext, FlowsView, card_key, flows_ui};
use serde_json::{Map, Value, json};

const STEPS: usize = 200;
const SCREEN: egui::Vec2 = egui::vec2(1280.0, 800.0);

/// A flow of 200 steps: connector reads, composes, and a condition and a loop every 20
/// steps holding two steps each.
fn definition() -> Value {
    let mut actions = Map::new();
    let mut previous: Option<String> = None;
    for i in 0..STEPS {
        let name = format!("Step_{i:03}");
        let mut action = match i % 20 {
            0 => json!({"type": "If", "expression": {"and": [{"equals": ["@variables('n')", i]}]},
                "actions": {"Yes": {"type": "Compose", "inputs": "@body('Step_000')", "runAfter": {}}},
                "else": {"actions": {"No": {"type": "Compose", "inputs": i, "runAfter": {}}}}}),
            10 => json!({"type": "Foreach", "foreach": "@createArray(1, 2, 3)",
                "actions": {"Each": {"type": "Compose", "inputs": "@item()", "runAfter": {}}}}),
            n if n % 2 == 0 => json!({"type": "OpenApiConnection", "inputs": {
                "host": {"connectionName": "shared_dynamicsax", "operationId": "GetItem"},
                "parameters": {"dataset": "contoso.operations.dynamics.com", "table": "CustomersV3",
                    "id": format!("usmf,US-{i:03}")}}}),
            _ => json!({"type": "Compose", "inputs": format!("@concat('step ', string({i}))")}),
        };
        let after = match &previous {
            Some(p) => json!({p.clone(): ["Succeeded"]}),
            None => json!({}),
        };
        action["runAfter"] = after;
        // Names inside branches must be unique across the flow.
        if let Some(inner) = action.get_mut("actions").and_then(Value::as_object_mut) {
            let renamed: Map<String, Value> = inner
                .iter()
                .map(|(n, v)| (format!("{n}_{i}"), v.clone()))
                .collect();
            *inner = renamed;
        }
        if let Some(inner) = action
            .pointer_mut("/else/actions")
            .and_then(Value::as_object_mut)
        {
            let renamed: Map<String, Value> = inner
                .iter()
                .map(|(n, v)| (format!("{n}_{i}"), v.clone()))
                .collect();
            *inner = renamed;
        }
        actions.insert(name.clone(), action);
        previous = Some(name);
    }
    json!({"$schema": "https://schema.management.azure.com/providers/Microsoft.Logic/schemas/2016-06-01/workflowdefinition.json#",
        "contentVersion": "1.0.0.0", "parameters": {},
        "triggers": {"manual": {"type": "Request", "kind": "Button", "inputs": {"schema": {"type": "object", "properties": {}}}}},
        "actions": actions, "outputs": {}})
}

fn input(time: f64, events: Vec<egui::Event>) -> egui::RawInput {
    egui::RawInput {
        screen_rect: Some(egui::Rect::from_min_size(egui::Pos2::ZERO, SCREEN)),
        time: Some(time),
        predicted_dt: 1.0 / 60.0,
        events,
        ..Default::default()
    }
}

fn wheel(delta_y: f32) -> egui::Event {
    egui::Event::MouseWheel {
        unit: egui::MouseWheelUnit::Point,
        delta: egui::vec2(0.0, delta_y),
        phase: egui::TouchPhase::Move,
        source: egui::MouseWheelSource::Unknown,
        modifiers: egui::Modifiers::NONE,
    }
}

/// One frame; its time in milliseconds.
fn frame(ctx: &egui::Context, view: &mut FlowsView, raw: egui::RawInput) -> f64 {
    let start = Instant::now();
    let cx = FlowsContext {
        connected: None,
        metadata: None,
        runtime: None,
    };
    let mut output = ctx.run_ui(raw, |ui| flows_ui(ui, view, &cx));
    output.textures_delta.clear();
    let primitives = ctx.tessellate(output.shapes, output.pixels_per_point);
    std::hint::black_box(primitives);
    start.elapsed().as_secs_f64() * 1000.0
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

fn report(name: &str, mut times: Vec<f64>) {
    times.sort_by(f64::total_cmp);
    println!(
        "{name:<48} median {:>6.2} ms  p95 {:>6.2} ms  max {:>6.2} ms",
        percentile(&times, 0.5),
        percentile(&times, 0.95),
        times.last().copied().unwrap_or_default()
    );
}

fn main() {
    let frames: usize = std::env::var("FLOWBENCH_BENCH_FRAMES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300);
    let dir = std::env::temp_dir().join(format!("flowbench-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    // The run history and autosave go to the temporary folder (set before any thread starts).
    #[allow(unsafe_code)]
    // SAFETY: single-threaded at this point.
    unsafe {
        std::env::set_var("FLOWBENCH_DATA_DIR", &dir)
    };
    let path = dir.join("two-hundred.json");
    std::fs::write(
        &path,
        serde_json::to_string_pretty(&definition()).expect("json"),
    )
    .expect("flow");
    let mut view = FlowsView::default();
    view.open_path(path);
    assert!(view.open.is_some(), "{:?}", view.open_error);

    let ctx = egui::Context::default();
    let centre = egui::pos2(640.0, 400.0);
    let mut time = 0.0;
    for _ in 0..10 {
        time += 1.0 / 60.0;
        frame(
            &ctx,
            &mut view,
            input(time, vec![egui::Event::PointerMoved(centre)]),
        );
    }
    let scrolling: Vec<f64> = (0..frames)
        .map(|i| {
            time += 1.0 / 60.0;
            let delta = if (i / 100) % 2 == 0 { -120.0 } else { 120.0 };
            frame(
                &ctx,
                &mut view,
                input(time, vec![egui::Event::PointerMoved(centre), wheel(delta)]),
            )
        })
        .collect();
    report("200 steps, scrolling the cards", scrolling);

    view.selected = Some(card_key(&[], "Step_102"));
    view.selected_scope = Vec::new();
    let editing: Vec<f64> = (0..frames)
        .map(|i| {
            time += 1.0 / 60.0;
            let start = Instant::now();
            view.edit(|d| {
                d["actions"]["Step_102"]["inputs"]["parameters"]["id"] =
                    json!(format!("usmf,US-{i}"));
                Ok(())
            });
            let edit = start.elapsed().as_secs_f64() * 1000.0;
            edit + frame(
                &ctx,
                &mut view,
                input(time, vec![egui::Event::PointerMoved(centre)]),
            )
        })
        .collect();
    report("200 steps, one edit per frame (edit + frame)", editing);
    let _ = std::fs::remove_dir_all(&dir);
}
