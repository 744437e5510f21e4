//! The central area: the explorer, or the flows view.

use super::explorer::{Explorer, ExplorerContext, explorer_ui};
use super::flows::{FlowsContext, FlowsView, flows_background, flows_ui};
use super::state::View;

/// Draws the central area for the current view; flow runs (and scheduled flows) go on
/// whichever view is shown.
pub fn central_panel_ui(
    ui: &mut egui::Ui,
    explorer: &mut Explorer,
    flows: &mut FlowsView,
    cx: ExplorerContext<'_>,
) {
    if let Some(record) = cx.state.flow_record.take() {
        flows.record_input = Some(record);
    }
    let flows_cx = FlowsContext {
        connected: cx.connected,
        metadata: cx.metadata,
        runtime: cx.runtime,
    };
    flows_background(ui.ctx(), flows, &flows_cx);
    match cx.state.view {
        View::Explorer => explorer_ui(ui, explorer, cx),
        View::Flows => {
            flows.recent.clone_from(&cx.state.recent_flows);
            flows_ui(ui, flows, &flows_cx);
            if flows.recent != cx.state.recent_flows {
                cx.state.recent_flows = flows.recent.clone();
            }
        }
    }
}
