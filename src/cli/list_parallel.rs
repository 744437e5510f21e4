//! `flowbench list --all --parallel N`: the plan of a parallel listing — the collection's
//! query without paging options, ordered by the caller's `$orderby` then the entity's key
//! (from `$metadata`), so that `$skip`/`$top` pages are stable.

use crate::connector::Session;
use crate::odata::client::{MAX_CONCURRENCY, ParallelListing};
use crate::odata::query::QueryOptions;

use super::failure::usage;
use super::list::ListArgs;

/// The parallel listing `args` ask for; `first` is the sequential listing's first URL.
pub fn plan(
    session: &Session,
    runtime: &tokio::runtime::Runtime,
    args: &ListArgs,
    query: &QueryOptions,
    first: &url::Url,
    concurrency: usize,
) -> anyhow::Result<ParallelListing> {
    if concurrency == 0 || concurrency > MAX_CONCURRENCY {
        return Err(usage(format!(
            "--parallel: expected 1 to {MAX_CONCURRENCY} pages in flight (Finance & Operations limits concurrent requests per user), found {concurrency}"
        )));
    }
    if query.top.is_some() || query.skip.is_some() {
        return Err(usage(
            "--parallel reads every record: it cannot be combined with --top or --skip",
        ));
    }
    let model = runtime.block_on(session.metadata())?;
    let entity_set = args.entity_set();
    let key: Vec<String> = model
        .entity_set(entity_set)
        .and_then(|set| model.entity_type(&set.entity_type))
        .map(|entity| model.key_of(entity).to_vec())
        .unwrap_or_default();
    if key.is_empty() {
        return Err(usage(format!(
            "--parallel: the service's $metadata gives no key for '{entity_set}', so pages cannot be ordered stably; list without --parallel"
        )));
    }
    let mut order: Vec<String> = args
        .orderby()
        .map(|o| o.split(',').map(|p| p.trim().to_owned()).collect())
        .unwrap_or_default();
    for field in key {
        let named = order
            .iter()
            .any(|o| o.split_whitespace().next() == Some(field.as_str()));
        if !named {
            order.push(field);
        }
    }
    Ok(ParallelListing {
        base: first.clone(),
        order_by: order.join(","),
        page_size: args.page_size(),
        concurrency,
    })
}

/// The runtime a listing runs on: two worker threads, so the next page is fetched and
/// decoded while the current one is written.
pub fn listing_runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    use anyhow::Context;
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("could not start the async runtime")
}
