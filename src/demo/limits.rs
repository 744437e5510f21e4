//! Size limits of the demo instance: request bodies, parts per `$batch` and the total size of
//! a `$batch` answer, so that no request can make the server hold unbounded memory.

use axum::body::{Body, Bytes};
use axum::http::StatusCode;

use super::error::{ErrorAnswer, ODATA_EXCEPTION};

/// The largest request body read, in bytes (16 MiB). A longer body is refused with 413
/// before more of it is buffered.
pub const MAX_REQUEST_BODY_BYTES: usize = 16 * 1024 * 1024;

/// The most requests one `$batch` may hold, counting each request inside a changeset: the
/// limit Dynamics 365 documents for its Web API (1 000).
pub const MAX_BATCH_REQUESTS: usize = 1000;

/// The largest `$batch` answer built, in bytes of part bodies (32 MiB). Once the answers
/// reach it, the remaining items are not run and each is answered with an error naming the
/// limit; a read whose answer passes it is answered the same way.
pub const MAX_BATCH_ANSWER_BYTES: usize = 32 * 1024 * 1024;

/// Reads a request body, at most [`MAX_REQUEST_BODY_BYTES`]; a longer one is a 413 naming
/// the limit (the rest is never buffered).
pub async fn read_body(body: Body) -> Result<Bytes, ErrorAnswer> {
    axum::body::to_bytes(body, MAX_REQUEST_BODY_BYTES)
        .await
        .map_err(|err| {
            // axum wraps http-body-util's `LengthLimitError`, whose text is the only public
            // mark of it.
            let mut source: Option<&dyn std::error::Error> = Some(&err);
            let mut too_long = false;
            while let Some(error) = source {
                too_long |= error.to_string().contains("length limit exceeded");
                source = error.source();
            }
            if too_long {
                body_too_large()
            } else {
                ErrorAnswer::bad_request(format!("The request body could not be read: {err}"))
            }
        })
}

/// The 413 answer of a body longer than [`MAX_REQUEST_BODY_BYTES`].
pub fn body_too_large() -> ErrorAnswer {
    ErrorAnswer::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        format!(
            "The request body is larger than the limit of {} bytes ({} MiB).",
            MAX_REQUEST_BODY_BYTES,
            MAX_REQUEST_BODY_BYTES / (1024 * 1024)
        ),
        ODATA_EXCEPTION,
    )
}

/// The 400 answer of a `$batch` with more than [`MAX_BATCH_REQUESTS`] requests.
pub fn too_many_requests(count: usize) -> ErrorAnswer {
    ErrorAnswer::bad_request(format!(
        "The $batch holds {count} requests, more than the limit of {MAX_BATCH_REQUESTS}; split it into smaller batches."
    ))
}

/// The answer of a `$batch` item that was not run (or whose read answer was dropped)
/// because the batch's answers reached [`MAX_BATCH_ANSWER_BYTES`].
pub fn answer_too_large(item: usize) -> ErrorAnswer {
    ErrorAnswer::bad_request(format!(
        "Request {item} of the $batch was not answered: the answers reached the limit of {MAX_BATCH_ANSWER_BYTES} bytes ({} MiB) of one $batch; split it into smaller batches.",
        MAX_BATCH_ANSWER_BYTES / (1024 * 1024)
    ))
}
