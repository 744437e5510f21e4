//! Frame time of the results table while scrolling 100 000 rows (layout + tessellation of
//! a bare `egui::Context`, no GPU), and the time to sort and to find in 100 000 rows.
//!
//! `cargo bench --bench table_frame`; `FLOWBENCH_BENCH_FRAMES` sets the number of timed
//! frames per scenario (default 600).

use std::time::Instant;

use flowbench::ui::results::{ResultsView, SortState, results_ui};
use serde_json::{Value, json};

const ROWS: usize = 100_000;
const SCREEN: egui::Vec2 = egui::vec2(1280.0, 800.0);

fn records(rows: usize, extra_columns: usize) -> Vec<Value> {
    (0..rows)
        .map(|i| {
            let mut record = json!({
                "@odata.etag": format!("W/\"{i}\""),
                "dataAreaId": "usmf",
                "CustomerAccount": format!("US-{i:06}"),
                "Name": format!("Customer number {i} of the benchmark"),
                "CreditLimit": (i % 10_007) as f64 * 1.25,
                "Blocked": i % 7 == 0,
                "Phone": null,
            });
            if let Value::Object(map) = &mut record {
                for c in 0..extra_columns {
                    map.insert(
                        format!("Field{c:02}"),
                        json!(format!("value {c} / {}", i % 97)),
                    );
                }
            }
            record
        })
        .collect()
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

/// Runs one frame; returns its time in milliseconds (layout + tessellation).
fn frame(ctx: &egui::Context, view: &mut ResultsView, raw: egui::RawInput) -> f64 {
    let start = Instant::now();
    let mut output = ctx.run_ui(raw, |ui| {
        egui::CentralPanel::default().show(ui, |ui| results_ui(ui, view));
    });
    output.textures_delta.clear(); // no GPU: font atlas uploads are not measured
    let primitives = ctx.tessellate(output.shapes, output.pixels_per_point);
    std::hint::black_box(primitives);
    start.elapsed().as_secs_f64() * 1000.0
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

fn scenario(name: &str, view: &mut ResultsView, frames: usize, delta_y: f32) {
    let ctx = egui::Context::default();
    let mut time = 0.0;
    let centre = egui::pos2(SCREEN.x / 2.0, SCREEN.y / 2.0);
    for _ in 0..10 {
        frame(
            &ctx,
            view,
            input(time, vec![egui::Event::PointerMoved(centre)]),
        );
        time += 1.0 / 60.0;
    }
    let mut times = Vec::with_capacity(frames);
    for _ in 0..frames {
        times.push(frame(&ctx, view, input(time, vec![wheel(delta_y)])));
        time += 1.0 / 60.0;
    }
    times.sort_by(f64::total_cmp);
    println!(
        "{name}: {frames} frames  median {:.2} ms  p95 {:.2} ms  max {:.2} ms",
        percentile(&times, 0.5),
        percentile(&times, 0.95),
        times[times.len() - 1]
    );
}

fn main() {
    let frames: usize = std::env::var("FLOWBENCH_BENCH_FRAMES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(600)
        .max(1);
    println!(
        "results table, {ROWS} rows, {}x{} points",
        SCREEN.x, SCREEN.y
    );

    let mut view = ResultsView::new();
    for page in records(ROWS, 0).chunks(10_000) {
        view.push_page(page.to_vec());
    }
    scenario("7 columns, wheel 120 pt/frame", &mut view, frames, -120.0);
    scenario("7 columns, wheel 2000 pt/frame", &mut view, frames, -2000.0);

    let start = Instant::now();
    view.set_sort(Some(SortState::ascending("Name")));
    println!(
        "sort {ROWS} rows by a text column: {:.1} ms",
        start.elapsed().as_secs_f64() * 1000.0
    );
    let start = Instant::now();
    view.set_sort(Some(SortState::descending("CreditLimit")));
    println!(
        "sort {ROWS} rows by a number column: {:.1} ms",
        start.elapsed().as_secs_f64() * 1000.0
    );
    scenario(
        "7 columns sorted, wheel 120 pt/frame",
        &mut view,
        frames,
        -120.0,
    );

    // Find in results: the first keystroke builds the searchable text of every record.
    let start = Instant::now();
    view.set_find("n");
    println!(
        "find, first keystroke over {ROWS} rows (index built): {:.1} ms",
        start.elapsed().as_secs_f64() * 1000.0
    );
    let mut keystrokes = Vec::new();
    for query in [
        "nu",
        "num",
        "numb",
        "number",
        "number 4",
        "number 42",
        "number 421",
    ] {
        let start = Instant::now();
        view.set_find(query);
        keystrokes.push(start.elapsed().as_secs_f64() * 1000.0);
    }
    let shown = view.shown_len();
    keystrokes.sort_by(f64::total_cmp);
    println!(
        "find, next keystrokes over {ROWS} rows: median {:.1} ms  max {:.1} ms ({shown} shown at the end)",
        percentile(&keystrokes, 0.5),
        keystrokes[keystrokes.len() - 1]
    );
    view.set_find("number 4");
    scenario(
        "7 columns sorted, found, wheel 120 pt/frame",
        &mut view,
        frames,
        -120.0,
    );
    view.set_find("");

    let mut wide = ResultsView::new();
    for page in records(ROWS, 60).chunks(10_000) {
        wide.push_page(page.to_vec());
    }
    scenario("67 columns, wheel 120 pt/frame", &mut wide, frames, -120.0);
}
