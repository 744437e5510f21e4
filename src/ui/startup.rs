//! Time from process start to the first frame, reported when `FLOWBENCH_FIRST_FRAME_REPORT`
//! is set (the window then closes itself): how `benches/run_all.sh` measures cold start.

use std::sync::OnceLock;
use std::time::Instant;

/// The variable that asks for the report.
pub const REPORT_ENV: &str = "FLOWBENCH_FIRST_FRAME_REPORT";

static STARTED: OnceLock<Instant> = OnceLock::new();

/// Marks the process start; call first thing in `main`.
pub fn mark() {
    let _ = STARTED.set(Instant::now());
}

/// On the first frame: prints the time since [`mark`] and closes the window, when asked.
pub fn first_frame(ctx: &egui::Context, done: &mut bool) {
    if *done {
        return;
    }
    *done = true;
    if std::env::var_os(REPORT_ENV).is_none() {
        return;
    }
    let started = STARTED.get().copied().unwrap_or_else(Instant::now);
    eprintln!(
        "first frame after {:.1} ms",
        started.elapsed().as_secs_f64() * 1000.0
    );
    ctx.send_viewport_cmd(egui::ViewportCommand::Close);
}
