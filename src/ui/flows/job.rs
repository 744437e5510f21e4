//! A flow run in the background on the window's runtime: events come over a channel each
//! frame (live status on the cards), the record at the end (stored in the run history).

use std::sync::Arc;
use std::sync::mpsc::{Receiver, channel};

use serde_json::{Map, Value};

use crate::flow::history::RunHistory;
use crate::flow::run::{Env, RunEvent, RunInputs, RunRecord, run_flow};
use crate::odata::client::{CancelToken, ODataClient};
use crate::odata::metadata::Model;

/// What the background run reports.
enum JobMessage {
    Event(RunEvent),
    Finished(Box<RunRecord>),
}

/// A run under way.
pub struct FlowJob {
    messages: Receiver<JobMessage>,
    cancel: CancelToken,
}

/// What a frame learns from the run.
pub enum JobNews {
    /// An action started or ended.
    Event(RunEvent),
    /// The run ended.
    Finished(Box<RunRecord>),
}

impl FlowJob {
    /// Starts `definition` on `runtime` against `client` (none: connector steps fail with
    /// a clear message), with `body` from the trigger.
    pub fn start(
        runtime: &tokio::runtime::Handle,
        ctx: egui::Context,
        definition: Map<String, Value>,
        inputs: RunInputs,
        target: Option<(ODataClient, Arc<Model>, String)>,
    ) -> Self {
        let (sender, messages) = channel();
        let cancel = CancelToken::new();
        let events = sender.clone();
        let repaint = ctx.clone();
        let (client, model, instance) = match target {
            Some((client, model, instance)) => (Some(client), Some(model), Some(instance)),
            None => (None, None, None),
        };
        let env = Env {
            client,
            model,
            instance,
            cancel: cancel.clone(),
            observer: Some(Arc::new(move |event: &RunEvent| {
                let _ = events.send(JobMessage::Event(event.clone()));
                repaint.request_repaint();
            })),
        };
        let mut inputs = inputs;
        let id = inputs
            .id
            .get_or_insert_with(|| uuid::Uuid::new_v4().to_string())
            .clone();
        runtime.spawn(async move {
            // The history keeps every run, as the command line's runs do: written as Running
            // first, so a run whose window is killed shows as Interrupted.
            let history = RunHistory::open_default().ok();
            if let Some(history) = &history {
                let started = crate::flow::run::timestamp(chrono::Utc::now());
                if let Err(e) = history.start(&id, &inputs.flow, &started) {
                    tracing::warn!(error = %e, "could not store the run");
                }
            }
            let record = run_flow(&definition, inputs, &env).await;
            if let Some(history) = &history
                && let Err(e) = history.save(&record)
            {
                tracing::warn!(error = %e, "could not store the run");
            }
            let _ = sender.send(JobMessage::Finished(Box::new(record)));
            ctx.request_repaint();
        });
        Self { messages, cancel }
    }

    /// Asks the run to stop after the action under way.
    pub fn cancel(&self) {
        self.cancel.cancel();
    }

    /// Whether a cancel was asked for.
    pub fn is_cancelling(&self) -> bool {
        self.cancel.is_cancelled()
    }

    /// What arrived since the last frame.
    pub fn poll(&self) -> Vec<JobNews> {
        let mut news = Vec::new();
        while let Ok(message) = self.messages.try_recv() {
            news.push(match message {
                JobMessage::Event(event) => JobNews::Event(event),
                JobMessage::Finished(record) => JobNews::Finished(record),
            });
        }
        news
    }
}
