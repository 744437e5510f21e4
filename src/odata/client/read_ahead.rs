//! The fetches of a page-by-page listing. A fetch that the listing is already waiting for
//! requests the next page itself, on the runtime worker that read the body, as soon as the
//! body's end names it (see [`super::raw_page::trailing_next_link`]), and before the
//! listing's thread is woken with the page. At most one page is read ahead of the one the
//! listing holds, as when the listing requests it.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use reqwest::Method;
use tokio::task::JoinHandle;
use url::Url;

use super::ODataClient;
use super::error::ODataError;
use super::next_link::FollowedLinks;
use super::paging::CancelToken;
use super::transport::{ODataRequest, ODataResponse};

/// One page being fetched.
pub(super) struct Fetch {
    url: Url,
    handle: JoinHandle<Result<Fetched, ODataError>>,
    /// Set when the listing starts waiting for this page: only then may the fetch request
    /// the page after it.
    awaited: Arc<AtomicBool>,
}

/// A fetched page, and the fetch of the next one when its body's end named it.
pub(super) struct Fetched {
    pub response: ODataResponse,
    pub next: Option<(Url, Fetch)>,
}

impl Fetch {
    /// Waits for the page; from now on the fetch may request the next one.
    pub(super) async fn page(self) -> Result<Fetched, ODataError> {
        self.awaited.store(true, Ordering::Release);
        match self.handle.await {
            Ok(fetched) => fetched,
            Err(join) if join.is_cancelled() => Err(ODataError::Cancelled),
            Err(join) => Err(ODataError::InvalidRequest(format!(
                "reading {} stopped: {join}",
                self.url
            ))),
        }
    }

    /// Stops the fetch (a page that will not be used).
    pub(super) fn abort(&self) {
        self.handle.abort();
    }
}

/// What the fetches of one listing share.
pub(super) struct Fetches {
    client: ODataClient,
    cancel: CancelToken,
    /// The links the listing has read or may follow; a guessed link is checked here.
    followed: Arc<Mutex<FollowedLinks>>,
    /// Where a body's end names the next page (the page type's guess).
    guess: fn(&[u8]) -> Option<String>,
    /// The most pages the listing reads; no page past them is requested ahead of time.
    max_pages: Option<u64>,
    /// Pages requested so far (guessed ones included).
    started: AtomicU64,
}

impl Fetches {
    pub(super) fn new(
        client: &ODataClient,
        cancel: &CancelToken,
        followed: Arc<Mutex<FollowedLinks>>,
        guess: fn(&[u8]) -> Option<String>,
        max_pages: Option<u64>,
    ) -> Arc<Self> {
        Arc::new(Self {
            client: client.clone(),
            cancel: cancel.clone(),
            followed,
            guess,
            max_pages,
            started: AtomicU64::new(0),
        })
    }

    /// Whether the listing may read a page after its first `pages` pages.
    pub(super) fn may_read_past(&self, pages: u64) -> bool {
        self.max_pages.is_none_or(|max| pages < max)
    }

    /// Starts fetching `url` as its own task.
    pub(super) fn start(self: &Arc<Self>, url: Url) -> Fetch {
        self.started.fetch_add(1, Ordering::AcqRel);
        let awaited = Arc::new(AtomicBool::new(false));
        let fetches = Arc::clone(self);
        let waiting = Arc::clone(&awaited);
        let page = url.clone();
        let handle = tokio::spawn(async move {
            if fetches.cancel.is_cancelled() {
                return Err(ODataError::Cancelled);
            }
            let request = ODataRequest::new(Method::GET, page.clone());
            let response = tokio::select! {
                response = fetches.client.send(request) => response?,
                () = fetches.cancel.cancelled() => return Err(ODataError::Cancelled),
            };
            let next = if waiting.load(Ordering::Acquire) {
                fetches.start_guessed(&page, &response)
            } else {
                None
            };
            if next.is_some() {
                // Lets the next page's request go out on this worker before the listing's
                // thread is woken: woken first, it can take this worker's core and hold the
                // request back by a millisecond or more.
                tokio::task::yield_now().await;
            }
            Ok(Fetched { response, next })
        });
        Fetch {
            url,
            handle,
            awaited,
        }
    }

    /// Starts fetching the page the end of `response` (the answer for `url`) names, when
    /// that link may be followed. The listing compares the guess with the decoded page's
    /// link before using the answer.
    pub(super) fn start_guessed(
        self: &Arc<Self>,
        url: &Url,
        response: &ODataResponse,
    ) -> Option<(Url, Fetch)> {
        if !self.may_read_past(self.started.load(Ordering::Acquire)) {
            return None;
        }
        let link = (self.guess)(&response.body)?;
        let link = self.client.root.join(&link).ok()?;
        {
            let mut followed = super::paging::lock(&self.followed);
            followed.read(url);
            followed.check(url, &link).ok()?;
        }
        let fetch = self.start(link.clone());
        Some((link, fetch))
    }
}
