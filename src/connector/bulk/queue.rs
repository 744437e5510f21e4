//! Recurring integrations: `/api/connector/enqueue/{activityId}` (a file or package for an
//! import job), `dequeue` (the next package of an export job), `ack` (the dequeue answer sent
//! back) and `jobstatus` (a message's state). These are not OData: they sit beside the
//! service root (`https://host/api/connector/…`) and take the same bearer token.

use bytes::Bytes;
use reqwest::Method;
use serde_json::Value;
use url::Url;

use super::BulkError;
use crate::odata::client::{ODataClient, ODataRequest};

/// What a dequeue answered: the message to download and acknowledge.
#[derive(Debug, Clone, PartialEq)]
pub struct DequeuedMessage {
    /// `CorrelationId`: the message id.
    pub correlation_id: String,
    /// `PopReceipt`: proves this dequeue when acknowledging.
    pub pop_receipt: String,
    /// `DownloadLocation`: where the package is.
    pub download_location: String,
    /// The whole answer, sent back as is by [`ack`].
    pub raw: Value,
}

/// The URL of `/api/connector/{verb}/{activity}` on the instance of `client`.
pub fn connector_url(client: &ODataClient, verb: &str, activity: &str) -> Result<Url, BulkError> {
    let path = format!(
        "/api/connector/{verb}/{}",
        crate::odata::client::actions::segment(activity)
    );
    Ok(client.resolve(&path)?)
}

/// Enqueues `content` (a data package, or a data file of `entity`) for the import job
/// `activity`; the message id.
pub async fn enqueue(
    client: &ODataClient,
    activity: &str,
    entity: Option<&str>,
    company: Option<&str>,
    content: Vec<u8>,
) -> Result<String, BulkError> {
    let mut url = connector_url(client, "enqueue", activity)?;
    {
        let mut query = url.query_pairs_mut();
        if let Some(entity) = entity {
            query.append_pair("entity", entity);
        }
        if let Some(company) = company {
            query.append_pair("company", company);
        }
    }
    if url.query() == Some("") {
        url.set_query(None);
    }
    let request = ODataRequest::new(Method::POST, url)
        .header("Content-Type", "application/octet-stream")
        .body(Bytes::from(content));
    let response = client.send(request).await?;
    let text = String::from_utf8_lossy(&response.body);
    let id = match serde_json::from_str::<Value>(text.trim()) {
        Ok(Value::String(s)) => s,
        _ => text.trim().trim_matches('"').to_owned(),
    };
    if id.is_empty() {
        return Err(BulkError::Unexpected {
            call: "enqueue".into(),
            expected: "the message id".into(),
            found: "an empty answer".into(),
        });
    }
    Ok(id)
}

/// Dequeues the next message of the export job `activity`; `None` when nothing waits.
pub async fn dequeue(
    client: &ODataClient,
    activity: &str,
) -> Result<Option<DequeuedMessage>, BulkError> {
    let url = connector_url(client, "dequeue", activity)?;
    let response = client.send(ODataRequest::new(Method::GET, url)).await?;
    let Some(raw) = response.json_opt()? else {
        return Ok(None);
    };
    let field = |name: &str| raw.get(name).and_then(Value::as_str).map(str::to_owned);
    match (field("CorrelationId"), field("PopReceipt")) {
        (Some(correlation_id), Some(pop_receipt)) => Ok(Some(DequeuedMessage {
            correlation_id,
            pop_receipt,
            download_location: field("DownloadLocation").unwrap_or_default(),
            raw,
        })),
        _ => Err(BulkError::Unexpected {
            call: "dequeue".into(),
            expected: "CorrelationId and PopReceipt".into(),
            found: raw.to_string(),
        }),
    }
}

/// Acknowledges a dequeued message (its dequeue answer is sent back).
pub async fn ack(client: &ODataClient, activity: &str, message: &Value) -> Result<(), BulkError> {
    let url = connector_url(client, "ack", activity)?;
    client
        .send(ODataRequest::json(Method::POST, url, message))
        .await?;
    Ok(())
}

/// The status of message `job_id` of `activity` (`DataJobStatus.DataJobState` and details).
pub async fn job_status(
    client: &ODataClient,
    activity: &str,
    job_id: &str,
) -> Result<Value, BulkError> {
    let mut url = connector_url(client, "jobstatus", activity)?;
    url.query_pairs_mut().append_pair("jobId", job_id);
    let response = client.send(ODataRequest::new(Method::GET, url)).await?;
    Ok(response.json()?)
}

/// The state in a job status answer (`DataJobStatus.DataJobState`).
pub fn job_state(status: &Value) -> Option<&str> {
    status
        .pointer("/DataJobStatus/DataJobState")
        .and_then(Value::as_str)
}
