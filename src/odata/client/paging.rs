//! Reading collections: one page, or every page by following `@odata.nextLink` (absolute, or
//! relative to the service root), with progress and cancellation, holding one page at a time.
//! Which links are followed is decided in [`super::next_link`].

use std::ops::ControlFlow;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use futures_util::Stream;
use reqwest::Method;
use serde_json::Value;
use url::Url;

use super::ODataClient;
use super::error::ODataError;
use super::next_link::FollowedLinks;
use super::read_ahead::{Fetched, Fetches};
use super::transport::{ODataRequest, ODataResponse};

/// Cancels a running listing (or anything else waiting on it); cheap to clone.
pub type CancelToken = tokio_util::sync::CancellationToken;

/// One page of a collection.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    /// The URL this page was read from.
    pub url: Url,
    /// The records (`value`).
    pub items: Vec<Value>,
    /// The next page, resolved against [`Page::url`].
    pub next_link: Option<Url>,
    /// `@odata.count`, when requested.
    pub count: Option<u64>,
}

impl Page {
    /// Reads a collection response body; `url` is the request URL, against which a relative
    /// nextLink is resolved (see [`Page::from_json_in`]).
    pub fn from_json(url: Url, json: Value) -> Result<Self, ODataError> {
        let base = url.clone();
        Self::from_json_in(url, &base, json)
    }

    /// Reads a collection response body read from `url`; a relative nextLink is resolved
    /// against `base` (the service root, as OData resolves relative URLs in payloads
    /// against the context URL `…/$metadata`).
    pub fn from_json_in(url: Url, base: &Url, json: Value) -> Result<Self, ODataError> {
        let Value::Object(mut map) = json else {
            return Err(not_a_collection(&url, "the body is not a JSON object"));
        };
        let items = match map.remove("value") {
            Some(Value::Array(items)) => items,
            _ => return Err(not_a_collection(&url, "the body has no 'value' array")),
        };
        let next_link = match map
            .get("@odata.nextLink")
            .or_else(|| map.get("odata.nextLink"))
        {
            Some(Value::String(link)) => Some(base.join(link).map_err(|e| {
                ODataError::InvalidUrl(format!("bad @odata.nextLink '{link}': {e}"))
            })?),
            _ => None,
        };
        let count = map.get("@odata.count").and_then(|c| match c {
            Value::Number(n) => n.as_u64(),
            Value::String(s) => s.parse().ok(),
            _ => None,
        });
        Ok(Self {
            url,
            items,
            next_link,
            count,
        })
    }
}

fn not_a_collection(url: &Url, why: &str) -> ODataError {
    ODataError::InvalidJson {
        url: url.to_string(),
        message: format!("not an OData collection: {why}"),
        body: String::new(),
    }
}

/// Progress of a multi-page listing.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ListProgress {
    /// Records received so far.
    pub records: u64,
    /// Pages received so far.
    pub pages: u64,
    /// Time since the first request.
    pub elapsed: Duration,
    /// `@odata.count` of the first page, when requested.
    pub total: Option<u64>,
    /// Whether the listing stopped before the last page (cancelled or stopped by the caller).
    pub stopped_early: bool,
}

impl ListProgress {
    /// Records per second so far.
    pub fn rate(&self) -> f64 {
        let secs = self.elapsed.as_secs_f64();
        if secs > 0.0 {
            self.records as f64 / secs
        } else {
            0.0
        }
    }
}

/// A page as a listing reads it: decoded from its response, with its nextLink and count.
pub trait ListedPage: Sized + Send + 'static {
    /// Decodes the response to a request for `url`; a relative nextLink is resolved
    /// against `base` (the service root).
    fn decode(url: Url, base: &Url, response: ODataResponse) -> Result<Self, ODataError>;
    /// The next page, when the server sent one.
    fn next_link(&self) -> Option<&Url>;
    /// `@odata.count`, when sent.
    fn count(&self) -> Option<u64>;
    /// Number of records on the page.
    fn records(&self) -> usize;
    /// The nextLink guessed from the end of the body before it is decoded (see
    /// [`super::raw_page::trailing_next_link`]), so the next request can start at once.
    fn early_next_link(body: &[u8]) -> Option<String> {
        super::raw_page::trailing_next_link(body)
    }
}

impl ListedPage for Page {
    fn decode(url: Url, base: &Url, response: ODataResponse) -> Result<Self, ODataError> {
        Page::from_json_in(url, base, response.json()?).map_err(|e| match e {
            ODataError::InvalidJson { url, message, body } if body.is_empty() => {
                ODataError::InvalidJson {
                    url,
                    message,
                    body: String::from_utf8_lossy(&response.body).into_owned(),
                }
            }
            other => other,
        })
    }

    fn next_link(&self) -> Option<&Url> {
        self.next_link.as_ref()
    }

    fn count(&self) -> Option<u64> {
        self.count
    }

    fn records(&self) -> usize {
        self.items.len()
    }
}

impl ListedPage for super::RawPage {
    fn decode(url: Url, base: &Url, response: ODataResponse) -> Result<Self, ODataError> {
        Self::from_body(url, base, response.body)
    }

    fn next_link(&self) -> Option<&Url> {
        self.next_link.as_ref()
    }

    fn count(&self) -> Option<u64> {
        self.count
    }

    fn records(&self) -> usize {
        self.len()
    }
}

/// What a listing does next.
enum Step {
    /// Read this page.
    Fetch(Url),
    /// Report why the previous page's nextLink was not followed.
    Fail(ODataError),
    /// Stop.
    Done,
}

impl ODataClient {
    /// Reads one page from `url`.
    pub async fn fetch_page(&self, url: Url) -> Result<Page, ODataError> {
        self.fetch_as(url).await
    }

    /// Reads one page from `url`, decoded as `P`.
    pub async fn fetch_as<P: ListedPage>(&self, url: Url) -> Result<P, ODataError> {
        let response = self
            .send(ODataRequest::new(Method::GET, url.clone()))
            .await?;
        P::decode(url, &self.root, response)
    }

    /// Reads the first page of `entity_set` with a query string (without `?`, may be empty).
    pub async fn list_page(&self, entity_set: &str, query: &str) -> Result<Page, ODataError> {
        self.fetch_page(self.collection_url(entity_set, query)?)
            .await
    }

    /// The URL of `entity_set` with a query string (without `?`, may be empty).
    pub fn collection_url(&self, entity_set: &str, query: &str) -> Result<Url, ODataError> {
        let path = super::actions::segment(entity_set);
        if query.is_empty() {
            self.url(&path)
        } else {
            self.url(&format!("{path}?{query}"))
        }
    }

    /// Every page starting at `first`, as a stream: stops after the last page, on the first
    /// error, or when `cancel` fires (yielding [`ODataError::Cancelled`]). A nextLink to
    /// another scheme, host or port than the service root, back to a page already read, or
    /// past [`ClientConfig::max_pages`](super::ClientConfig::max_pages) ends the stream with
    /// [`ODataError::NextLink`] after the page that held it; nothing is sent to it.
    pub fn pages(
        &self,
        first: Url,
        cancel: CancelToken,
    ) -> impl Stream<Item = Result<Page, ODataError>> + Send + '_ {
        self.pages_as(first, cancel)
    }

    /// [`ODataClient::pages`] with pages decoded as `P`.
    pub fn pages_as<P: ListedPage>(
        &self,
        first: Url,
        cancel: CancelToken,
    ) -> impl Stream<Item = Result<P, ODataError>> + Send + '_ {
        let followed = FollowedLinks::new(&self.root, self.config.max_pages);
        futures_util::stream::unfold(
            (Step::Fetch(first), followed),
            move |(step, mut followed)| {
                let cancel = cancel.clone();
                async move {
                    let url = match step {
                        Step::Fetch(url) => url,
                        Step::Fail(error) => return Some((Err(error), (Step::Done, followed))),
                        Step::Done => return None,
                    };
                    if cancel.is_cancelled() {
                        return Some((Err(ODataError::Cancelled), (Step::Done, followed)));
                    }
                    let page = tokio::select! {
                        page = self.fetch_as::<P>(url.clone()) => page,
                        () = cancel.cancelled() => Err(ODataError::Cancelled),
                    };
                    match page {
                        Ok(page) => {
                            followed.read(&url);
                            let step = match page.next_link() {
                                None => Step::Done,
                                Some(next) => match followed.check(&url, next) {
                                    Ok(()) => Step::Fetch(next.clone()),
                                    Err(refused) => Step::Fail(refused.into()),
                                },
                            };
                            Some((Ok(page), (step, followed)))
                        }
                        Err(e) => Some((Err(e), (Step::Done, followed))),
                    }
                }
            },
        )
    }

    /// Reads every page from `first`, handing each to `on_page` (which may stop the listing
    /// with `ControlFlow::Break`). While a page is decoded and `on_page` works on it, the next
    /// is already being fetched (requested as soon as the page's body ends, on a worker
    /// thread of a multi-threaded runtime; one page ahead at most), so writing the output
    /// overlaps with the network and the server. Returns the final
    /// progress; a cancelled listing returns [`ODataError::Cancelled`]. NextLinks are checked
    /// as [`ODataClient::pages`] checks them.
    pub async fn list_all<F>(
        &self,
        first: Url,
        cancel: &CancelToken,
        on_page: F,
    ) -> Result<ListProgress, ODataError>
    where
        F: FnMut(Page, &ListProgress) -> ControlFlow<()>,
    {
        self.list_all_as(first, cancel, on_page).await
    }

    /// [`ODataClient::list_all`] with pages decoded as `P` (e.g. [`super::RawPage`], whose
    /// records stay JSON text).
    pub async fn list_all_as<P, F>(
        &self,
        first: Url,
        cancel: &CancelToken,
        on_page: F,
    ) -> Result<ListProgress, ODataError>
    where
        P: ListedPage,
        F: FnMut(P, &ListProgress) -> ControlFlow<()>,
    {
        self.list_pages_as(first, None, cancel, on_page).await
    }

    /// [`ODataClient::list_all`] reading at most `max_pages` pages (at least one): no page
    /// past them is requested, not even ahead of time, so reading the first page only costs
    /// one request. `stopped_early` tells whether the server had more.
    pub async fn list_at_most<F>(
        &self,
        first: Url,
        max_pages: u64,
        cancel: &CancelToken,
        on_page: F,
    ) -> Result<ListProgress, ODataError>
    where
        F: FnMut(Page, &ListProgress) -> ControlFlow<()>,
    {
        self.list_pages_as(first, Some(max_pages.max(1)), cancel, on_page)
            .await
    }

    async fn list_pages_as<P, F>(
        &self,
        first: Url,
        max_pages: Option<u64>,
        cancel: &CancelToken,
        mut on_page: F,
    ) -> Result<ListProgress, ODataError>
    where
        P: ListedPage,
        F: FnMut(P, &ListProgress) -> ControlFlow<()>,
    {
        let started = Instant::now();
        let mut progress = ListProgress::default();
        let followed = Arc::new(Mutex::new(FollowedLinks::new(
            &self.root,
            self.config.max_pages,
        )));
        let fetches = Fetches::new(
            self,
            cancel,
            Arc::clone(&followed),
            P::early_next_link,
            max_pages,
        );
        let mut url = first;
        let mut pending = fetches.start(url.clone());
        loop {
            let Fetched { response, next } = pending.page().await?;
            if cancel.is_cancelled() {
                // A page that arrived before the cancel is not handed on.
                if let Some((_, fetch)) = next {
                    fetch.abort();
                }
                return Err(ODataError::Cancelled);
            }
            lock(&followed).read(&url);
            // The next page is requested before this one is decoded when the end of the
            // body names it (by the fetch itself when the listing was already waiting); the
            // guess is only ever a link that may be followed, and it is compared with the
            // decoded page's link below.
            let mut early = next.or_else(|| fetches.start_guessed(&url, &response));
            let page = match P::decode(url.clone(), &self.root, response) {
                Ok(page) => page,
                Err(error) => {
                    if let Some((_, fetch)) = early.take() {
                        fetch.abort();
                    }
                    return Err(error);
                }
            };
            let next = match page.next_link() {
                None => Ok(None),
                Some(next) => lock(&followed)
                    .check(&url, next)
                    .map(|()| Some(next.clone())),
            };
            let prefetch = match (&next, early) {
                (Ok(Some(next)), Some((guess, fetch))) if *next == guess => Some(fetch),
                (next, early) => {
                    if let Some((_, fetch)) = early {
                        fetch.abort();
                    }
                    match next {
                        Ok(Some(next)) if fetches.may_read_past(progress.pages + 1) => {
                            Some(fetches.start(next.clone()))
                        }
                        _ => None,
                    }
                }
            };
            progress.pages += 1;
            progress.records += page.records() as u64;
            progress.elapsed = started.elapsed();
            if progress.pages == 1 {
                progress.total = page.count();
            }
            let has_next = page.next_link().is_some();
            let last_wanted = !fetches.may_read_past(progress.pages);
            if on_page(page, &progress).is_break() || (last_wanted && has_next) {
                if let Some(prefetch) = prefetch {
                    prefetch.abort();
                }
                progress.stopped_early = has_next;
                return Ok(progress);
            }
            match (next, prefetch) {
                (Err(refused), _) => return Err(refused.into()),
                (Ok(Some(next)), Some(prefetch)) => {
                    url = next;
                    pending = prefetch;
                }
                _ => return Ok(progress),
            }
        }
    }
}

/// The links of a listing, shared with its fetches (a panic elsewhere does not lose them).
pub(super) fn lock(followed: &Mutex<FollowedLinks>) -> MutexGuard<'_, FollowedLinks> {
    followed
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn page_resolves_relative_and_absolute_next_links() {
        let url = Url::parse("http://127.0.0.1:1/data/Customers?$top=2").unwrap();
        let page = Page::from_json(
            url.clone(),
            json!({"value": [{"a": 1}], "@odata.nextLink": "Customers?$skiptoken=2", "@odata.count": 7}),
        )
        .unwrap();
        assert_eq!(page.items.len(), 1);
        assert_eq!(page.count, Some(7));
        assert_eq!(
            page.next_link.unwrap().as_str(),
            "http://127.0.0.1:1/data/Customers?$skiptoken=2"
        );
        let page = Page::from_json(
            url.clone(),
            json!({"value": [], "@odata.nextLink": "https://other.example/data/X?$skip=4"}),
        )
        .unwrap();
        assert_eq!(
            page.next_link.unwrap().as_str(),
            "https://other.example/data/X?$skip=4"
        );
        assert!(Page::from_json(url, json!({"id": 1})).is_err());
    }

    #[test]
    fn relative_next_links_resolve_against_the_base_given() {
        let root = Url::parse("http://127.0.0.1:1/data/").unwrap();
        let url = Url::parse("http://127.0.0.1:1/data/Customers(1)/Orders").unwrap();
        let body = json!({"value": [], "@odata.nextLink": "Orders?$skiptoken=2"});
        let page = Page::from_json_in(url.clone(), &root, body.clone()).unwrap();
        assert_eq!(
            page.next_link.unwrap().as_str(),
            "http://127.0.0.1:1/data/Orders?$skiptoken=2"
        );
        let page = Page::from_json(url, body).unwrap();
        assert_eq!(
            page.next_link.unwrap().as_str(),
            "http://127.0.0.1:1/data/Customers(1)/Orders?$skiptoken=2"
        );
    }

    #[test]
    fn real_business_central_last_page_has_no_next_link() {
        let body = include_str!("../../../tests/fixtures/payloads/bc_customers.json");
        let url = Url::parse("https://api.businesscentral.dynamics.com/v2.0/x/customers").unwrap();
        let page = Page::from_json(url, serde_json::from_str(body).unwrap()).unwrap();
        assert_eq!(page.items[0]["no"], json!("TEST"));
        assert!(page.next_link.is_none());
    }

    #[test]
    fn real_business_central_page_has_next_link() {
        let body = include_str!(
            "../../../tests/fixtures/payloads/bc_customers_page1_nextLink_amplabs.json"
        );
        let url = Url::parse("https://api.businesscentral.dynamics.com/v2.0/x/customers").unwrap();
        let page = Page::from_json(url, serde_json::from_str(body).unwrap()).unwrap();
        assert!(!page.items.is_empty());
        assert!(page.next_link.is_some());
    }
}
