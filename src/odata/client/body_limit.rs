//! Response bodies read in a bounded way: a body longer than its limit (announced by
//! `Content-Length` or found while reading) is refused with an error naming the limit and
//! the size, after holding at most the limit in memory.

use bytes::{Bytes, BytesMut};

/// The largest response body read by default, in bytes (128 MiB): one page of records, a
/// record, an operation's answer, a `$batch` answer.
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 128 * 1024 * 1024;

/// The largest `$metadata` document read by default, in bytes (256 MiB; F&O's own is tens
/// of MiB).
pub const DEFAULT_MAX_METADATA_BYTES: u64 = 256 * 1024 * 1024;

/// Why a body was not read whole.
#[derive(Debug)]
pub enum BodyFailure {
    /// Longer than the limit: `size` is the announced length, or what was read when the
    /// limit was passed.
    TooLarge {
        /// The limit in bytes.
        limit: u64,
        /// The announced length, or at least this many bytes were sent.
        size: u64,
        /// Whether `size` is the announced `Content-Length` (else: a lower bound).
        announced: bool,
    },
    /// The transport failed while reading.
    Transport(reqwest::Error),
}

/// Reads `response`'s body, at most `limit` bytes.
pub async fn read_limited(
    mut response: reqwest::Response,
    limit: u64,
) -> Result<Bytes, BodyFailure> {
    if let Some(length) = response.content_length().filter(|&length| length > limit) {
        return Err(BodyFailure::TooLarge {
            limit,
            size: length,
            announced: true,
        });
    }
    let capacity = response.content_length().unwrap_or(0).min(limit);
    let mut body = BytesMut::with_capacity(usize::try_from(capacity).unwrap_or(0));
    while let Some(chunk) = response.chunk().await.map_err(BodyFailure::Transport)? {
        let size = (body.len() + chunk.len()) as u64;
        if size > limit {
            return Err(BodyFailure::TooLarge {
                limit,
                size,
                announced: false,
            });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// A size in bytes with MiB for people: `134217728 bytes (128 MiB)`.
pub fn bytes_text(size: u64) -> String {
    const MIB: u64 = 1024 * 1024;
    if size >= MIB {
        format!("{size} bytes ({:.0} MiB)", size as f64 / MIB as f64)
    } else {
        format!("{size} bytes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_for_people() {
        assert_eq!(bytes_text(512), "512 bytes");
        assert_eq!(bytes_text(128 * 1024 * 1024), "134217728 bytes (128 MiB)");
    }
}
