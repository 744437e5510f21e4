//! Running a connector action through the OData client.

use std::ops::ControlFlow;
use std::time::Instant;

use serde_json::Value;
use url::Url;

use super::outcome::{Completed, Outcome};
use super::request::ActionRequest;
use crate::odata::client::{CancelToken, ODataClient, ODataError};
use crate::odata::metadata::Model;

/// Runs `request` to its end and says what it produced. `model` lets an action bound to a
/// record read the record's ETag first when its entity set needs one (see
/// [`ODataClient::execute_guarded`]); listings collect their records in memory (use
/// [`listing_url`] and [`ODataClient::list_all`] to stream them instead).
pub async fn run(
    client: &ODataClient,
    model: Option<&Model>,
    request: &ActionRequest,
) -> Result<Completed, ODataError> {
    let started = Instant::now();
    let outcome = match request {
        ActionRequest::ListItems { all_pages, .. } => {
            let first = listing_url(client, request)?;
            let mut records = Vec::new();
            // Without `all_pages`, one request: no page is read ahead.
            let max_pages = if *all_pages { u64::MAX } else { 1 };
            let progress = client
                .list_at_most(first, max_pages, &CancelToken::new(), |page, _| {
                    records.extend(page.items);
                    ControlFlow::Continue(())
                })
                .await?;
            Outcome::Records(records, progress)
        }
        ActionRequest::GetRecord { record, query } => Outcome::Record(
            client
                .cross_company(record.cross_company)
                .get_record(&record.entity_set, &record.key, query)
                .await?,
        ),
        ActionRequest::CreateRecord { entity_set, body } => Outcome::Created(
            client
                .create_record(entity_set, &Value::Object(body.clone()))
                .await?,
        ),
        ActionRequest::UpdateRecord {
            record,
            changes,
            if_match,
            read_back,
        } => {
            let scoped = client.cross_company(record.cross_company);
            let answer = scoped
                .update_record(
                    &record.entity_set,
                    &record.key,
                    changes,
                    if_match.as_deref(),
                )
                .await?;
            let state = match (answer, read_back) {
                (_, true) => {
                    scoped
                        .get_record(&record.entity_set, &record.key, "")
                        .await?
                }
                (Some(state), false) => state,
                (None, false) => Value::Null,
            };
            Outcome::Updated(record.path(), state)
        }
        ActionRequest::DeleteRecord { record, if_match } => {
            client
                .cross_company(record.cross_company)
                .delete_record(&record.entity_set, &record.key, if_match.as_deref())
                .await?;
            Outcome::Deleted(record.path())
        }
        ActionRequest::ExecuteAction {
            call,
            cross_company,
            if_match,
        } => {
            let scoped = client.cross_company(*cross_company);
            let result = match (model, if_match) {
                (Some(model), if_match) => {
                    scoped
                        .execute_guarded(model, call, if_match.as_deref())
                        .await?
                }
                (None, if_match) => scoped.execute_if_match(call, if_match.as_deref()).await?,
            };
            Outcome::ActionResult(result)
        }
        ActionRequest::ListEntities => Outcome::Entities(client.entity_sets().await?),
    };
    Ok(Completed {
        outcome,
        elapsed: started.elapsed(),
    })
}

/// The URL of a listing's first page (`ListItems`); other requests have none.
pub fn listing_url(client: &ODataClient, request: &ActionRequest) -> Result<Url, ODataError> {
    match request {
        ActionRequest::ListItems {
            entity_set, query, ..
        } => {
            // A filter typed into a form or a flow is checked here, before anything is sent.
            if let Some(filter) = &query.filter {
                crate::odata::filter::check_filter_limits(filter)
                    .map_err(|e| ODataError::InvalidRequest(e.to_string()))?;
            }
            client.collection_url(entity_set, &query.to_query_string())
        }
        other => Err(ODataError::InvalidRequest(format!(
            "{} has no listing URL",
            other.action().label()
        ))),
    }
}
