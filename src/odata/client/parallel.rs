//! Reading a large collection with several pages in flight: the records are counted first
//! (`$count=true&$top=0`), then read as pages `$skip=k·size&$top=size` ordered by the key
//! (so pages neither overlap nor miss a record), at most `concurrency` at a time, and handed
//! on in order — the same records in the same order as following `@odata.nextLink` page by
//! page. Every request goes through the client's retries (429 with `Retry-After`), so a
//! throttled instance slows the listing down rather than failing it.

use std::ops::ControlFlow;
use std::time::Instant;

use futures_util::StreamExt;
use url::Url;

use super::ODataClient;
use super::error::ODataError;
use super::paging::{CancelToken, ListProgress, ListedPage, Page};
use crate::odata::query::encode_query_component;

/// The most pages in flight at once: Finance & Operations' service protection limits count
/// concurrent requests per user, and a handful already hides the latency.
pub const MAX_CONCURRENCY: usize = 16;

/// How a parallel listing reads its collection.
#[derive(Debug, Clone)]
pub struct ParallelListing {
    /// The collection URL with the caller's query (`$filter`, `$select`, `cross-company`, …)
    /// but no `$top`, `$skip` or `$skiptoken`.
    pub base: Url,
    /// The `$orderby` that makes pages stable: the caller's order, then the key fields.
    pub order_by: String,
    /// Records per request (at most the server's page size).
    pub page_size: u64,
    /// Requests in flight at most (1 ..= [`MAX_CONCURRENCY`]).
    pub concurrency: usize,
}

/// The URL of `base` with `pairs` added to its query (replacing those names); values are
/// percent-encoded as the rest of the client encodes them (`%20`, never `+`).
fn with_query(base: &Url, pairs: &[(&str, String)]) -> Url {
    let mut parts: Vec<String> = base
        .query()
        .unwrap_or("")
        .split('&')
        .filter(|part| !part.is_empty())
        .filter(|part| {
            let name = part.split('=').next().unwrap_or("");
            let decoded = percent_encoding::percent_decode_str(name).decode_utf8_lossy();
            !pairs.iter().any(|(n, _)| *n == decoded)
        })
        .map(str::to_owned)
        .collect();
    for (name, value) in pairs {
        parts.push(format!("{name}={}", encode_query_component(value)));
    }
    let mut url = base.clone();
    url.set_query(Some(&parts.join("&")));
    url
}

impl ODataClient {
    /// Reads every record of `listing.base` with up to `listing.concurrency` pages in
    /// flight, handing the pages to `on_page` in order (which may stop the listing).
    pub async fn list_all_parallel<F>(
        &self,
        listing: &ParallelListing,
        cancel: &CancelToken,
        on_page: F,
    ) -> Result<ListProgress, ODataError>
    where
        F: FnMut(Page, &ListProgress) -> ControlFlow<()>,
    {
        self.list_all_parallel_as(listing, cancel, on_page).await
    }

    /// [`ODataClient::list_all_parallel`] with pages decoded as `P` (e.g.
    /// [`super::RawPage`]). A partition the server splits reaches `on_page` as its pages,
    /// in order.
    pub async fn list_all_parallel_as<P, F>(
        &self,
        listing: &ParallelListing,
        cancel: &CancelToken,
        mut on_page: F,
    ) -> Result<ListProgress, ODataError>
    where
        P: ListedPage,
        F: FnMut(P, &ListProgress) -> ControlFlow<()>,
    {
        let started = Instant::now();
        let counted = self
            .fetch_page(with_query(
                &listing.base,
                &[("$count", "true".to_owned()), ("$top", "0".to_owned())],
            ))
            .await?;
        let total = counted.count.ok_or_else(|| {
            ODataError::InvalidRequest(format!(
                "{}: the server gave no @odata.count; list without --parallel",
                listing.base
            ))
        })?;
        let size = listing.page_size.max(1);
        let pages = total.div_ceil(size);
        let urls: Vec<Url> = (0..pages)
            .map(|k| {
                with_query(
                    &listing.base,
                    &[
                        ("$orderby", listing.order_by.clone()),
                        ("$skip", (k * size).to_string()),
                        ("$top", size.to_string()),
                    ],
                )
            })
            .collect();
        let concurrency = listing.concurrency.clamp(1, MAX_CONCURRENCY);
        let fetches = futures_util::stream::iter(urls)
            .map(|url| self.read_partition::<P>(url, cancel.clone()))
            .buffered(concurrency);
        let mut fetches = std::pin::pin!(fetches);
        let mut progress = ListProgress {
            total: Some(total),
            ..ListProgress::default()
        };
        let mut partitions = 0;
        while let Some(partition) = fetches.next().await {
            partitions += 1;
            let mut partition = partition?.into_iter().peekable();
            while let Some(page) = partition.next() {
                if cancel.is_cancelled() {
                    // A partition read before the cancel is not handed on after it.
                    return Err(ODataError::Cancelled);
                }
                progress.pages += 1;
                progress.records += page.records() as u64;
                progress.elapsed = started.elapsed();
                if on_page(page, &progress).is_break() {
                    progress.stopped_early = partitions < pages || partition.peek().is_some();
                    return Ok(progress);
                }
            }
        }
        Ok(progress)
    }

    /// One partition: its page, and the pages the server splits it into when its own page
    /// size is smaller than the partition (followed like any listing, with its checks).
    async fn read_partition<P: ListedPage>(
        &self,
        url: Url,
        cancel: CancelToken,
    ) -> Result<Vec<P>, ODataError> {
        if cancel.is_cancelled() {
            return Err(ODataError::Cancelled);
        }
        let first: P = tokio::select! {
            page = self.fetch_as(url) => page?,
            () = cancel.cancelled() => return Err(ODataError::Cancelled),
        };
        let next = first.next_link().cloned();
        let mut pages = vec![first];
        if let Some(next) = next {
            let rest = self.pages_as::<P>(next, cancel);
            let mut rest = std::pin::pin!(rest);
            while let Some(more) = rest.next().await {
                pages.push(more?);
            }
        }
        Ok(pages)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partition_urls_keep_the_query_and_replace_paging() {
        let base = Url::parse(
            "http://127.0.0.1:1/data/CustomersV3?$filter=A%20eq%201&cross-company=true&%24top=5",
        )
        .unwrap();
        let url = with_query(
            &base,
            &[
                ("$orderby", "dataAreaId,CustomerAccount desc".into()),
                ("$top", "10".into()),
            ],
        );
        assert_eq!(
            url.query(),
            Some(
                "$filter=A%20eq%201&cross-company=true&$orderby=dataAreaId,CustomerAccount%20desc&$top=10"
            )
        );
    }
}
