//! Background work of the explorer: one-shot requests and streamed listings, polled once per
//! frame so the UI never waits on the network.

use std::future::Future;
use std::ops::ControlFlow;
use std::sync::mpsc;

use poll_promise::Promise;
use serde_json::Value;
use url::Url;

pub use crate::connector::Outcome;
use crate::odata::client::{CancelToken, ListProgress, ODataClient, ODataError};

/// Something the explorer's background work reports.
#[derive(Debug)]
pub enum JobEvent {
    /// A page of records arrived (listings).
    Page(Vec<Value>),
    /// A one-shot request finished.
    Done(Result<Outcome, ODataError>),
    /// A listing finished (or failed, or was cancelled).
    ListingDone(Result<ListProgress, ODataError>),
}

/// A request or listing under way.
pub enum Job {
    /// One request.
    OneShot(Promise<Result<Outcome, ODataError>>),
    /// A listing streaming pages in.
    Listing(Listing),
}

/// A listing streaming in: pages arrive over a channel, progress is kept for the bar.
pub struct Listing {
    events: mpsc::Receiver<ListingEvent>,
    cancel: CancelToken,
    /// Progress so far.
    pub progress: ListProgress,
    /// Whether every page is read (else only the first).
    pub all_pages: bool,
}

enum ListingEvent {
    Page(Vec<Value>, ListProgress),
    Finished(Result<ListProgress, ODataError>),
}

impl Job {
    /// Starts a one-shot request on `runtime`.
    pub fn one_shot(
        runtime: &tokio::runtime::Handle,
        ctx: egui::Context,
        work: impl Future<Output = Result<Outcome, ODataError>> + Send + 'static,
    ) -> Self {
        let _guard = runtime.enter();
        Self::OneShot(Promise::spawn_async(async move {
            let result = work.await;
            ctx.request_repaint();
            result
        }))
    }

    /// Starts listing from `first`: the first page only, or every page when `all_pages`.
    pub fn listing(
        runtime: &tokio::runtime::Handle,
        ctx: egui::Context,
        client: ODataClient,
        first: Url,
        all_pages: bool,
    ) -> Self {
        let (sender, events) = mpsc::channel();
        let cancel = CancelToken::new();
        let token = cancel.clone();
        runtime.spawn(async move {
            let pages = sender.clone();
            let repaint = ctx.clone();
            // The first page only is one request: nothing is read ahead.
            let max_pages = if all_pages { u64::MAX } else { 1 };
            let result = client
                .list_at_most(first, max_pages, &token, move |page, progress| {
                    // A closed channel means the explorer moved on: stop reading.
                    if pages
                        .send(ListingEvent::Page(page.items, *progress))
                        .is_err()
                    {
                        return ControlFlow::Break(());
                    }
                    repaint.request_repaint();
                    ControlFlow::Continue(())
                })
                .await;
            let _ = sender.send(ListingEvent::Finished(result));
            ctx.request_repaint();
        });
        Self::Listing(Listing {
            events,
            cancel,
            progress: ListProgress::default(),
            all_pages,
        })
    }

    /// Asks a listing to stop after the page in flight (one-shot requests run to the end).
    pub fn cancel(&self) {
        if let Self::Listing(listing) = self {
            listing.cancel.cancel();
        }
    }

    /// Collects what arrived since the last frame; the last event of a finished job is
    /// `Done` or `ListingDone`.
    pub fn poll(&mut self) -> Vec<JobEvent> {
        match self {
            Self::OneShot(promise) => match promise.ready() {
                Some(_) => {
                    let finished =
                        std::mem::replace(promise, Promise::from_ready(Err(ODataError::Cancelled)));
                    match finished.try_take() {
                        Ok(result) => vec![JobEvent::Done(result)],
                        Err(_) => Vec::new(),
                    }
                }
                None => Vec::new(),
            },
            Self::Listing(listing) => {
                let mut events = Vec::new();
                while let Ok(event) = listing.events.try_recv() {
                    match event {
                        ListingEvent::Page(items, progress) => {
                            listing.progress = progress;
                            events.push(JobEvent::Page(items));
                        }
                        ListingEvent::Finished(result) => {
                            if let Ok(progress) = &result {
                                listing.progress = *progress;
                            }
                            events.push(JobEvent::ListingDone(result));
                        }
                    }
                }
                events
            }
        }
    }
}
