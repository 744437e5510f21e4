//! The `multipart/mixed` `$batch` format: parsing request bodies (with nested changesets) and
//! writing response bodies.

use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use bytes::Bytes;

/// One HTTP request inside a batch.
#[derive(Debug, Clone)]
pub struct PartRequest {
    /// The part's `Content-ID`, if any.
    pub content_id: Option<String>,
    /// HTTP method.
    pub method: Method,
    /// Request target as written (relative, absolute path, absolute URL or `$N/...`).
    pub target: String,
    /// Request headers.
    pub headers: HeaderMap,
    /// Request body.
    pub body: Bytes,
}

/// One top-level item of a batch.
#[derive(Debug, Clone)]
pub enum BatchItem {
    /// A request executed on its own.
    Single(PartRequest),
    /// Requests executed atomically, all or nothing.
    ChangeSet(Vec<PartRequest>),
}

/// Why a batch body could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid batch body: {0}")]
pub struct BatchFormatError(pub String);

fn bad(text: impl Into<String>) -> BatchFormatError {
    BatchFormatError(text.into())
}

/// The `boundary` parameter of a `multipart/mixed` content type.
pub fn boundary_of(content_type: &str) -> Option<String> {
    let (mime, params) = content_type.split_once(';')?;
    if !mime.trim().eq_ignore_ascii_case("multipart/mixed") {
        return None;
    }
    params.split(';').find_map(|param| {
        let (name, value) = param.split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("boundary")
            .then(|| value.trim().trim_matches('"').to_owned())
            .filter(|b| !b.is_empty())
    })
}

/// Where `needle` next occurs in `haystack` at or after `from`.
fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    memchr::memmem::find(haystack.get(from..)?, needle).map(|i| i + from)
}

/// Splits a multipart body into its parts (the bytes between delimiter lines).
fn split_parts<'a>(body: &'a [u8], boundary: &str) -> Result<Vec<&'a [u8]>, BatchFormatError> {
    let delimiter = format!("--{boundary}");
    let delimiter = delimiter.as_bytes();
    // Delimiters are recognised at the start of the body or of a line.
    let mut positions = Vec::new();
    let mut from = 0;
    while let Some(at) = find(body, delimiter, from) {
        if at == 0 || body[at - 1] == b'\n' {
            positions.push(at);
        }
        from = at + delimiter.len();
    }
    let Some(&first) = positions.first() else {
        return Err(bad(format!("no delimiter line --{boundary}")));
    };
    let mut parts = Vec::new();
    let mut cursor = first;
    for (i, &at) in positions.iter().enumerate() {
        if i > 0 {
            let content_end = if at >= 2 && &body[at - 2..at] == b"\r\n" {
                at - 2
            } else {
                at - 1
            };
            parts.push(body.get(cursor..content_end).unwrap_or_default());
        }
        let after = at + delimiter.len();
        if body[after..].starts_with(b"--") {
            return Ok(parts);
        }
        let line_end = find(body, b"\n", after).ok_or_else(|| {
            bad(format!(
                "the delimiter --{boundary} is not followed by a line"
            ))
        })?;
        if !body[after..line_end].iter().all(u8::is_ascii_whitespace) {
            return Err(bad(format!("unexpected text after --{boundary}")));
        }
        cursor = line_end + 1;
    }
    Err(bad(format!("missing close delimiter --{boundary}--")))
}

/// Splits `bytes` into header lines and the rest after the first empty line.
fn split_head(bytes: &[u8]) -> Result<(Vec<String>, &[u8]), BatchFormatError> {
    let mut lines = Vec::new();
    let mut cursor = 0;
    loop {
        let Some(end) = find(bytes, b"\n", cursor) else {
            return Err(bad("a part ends before its blank line after the headers"));
        };
        let line = String::from_utf8_lossy(&bytes[cursor..end])
            .trim_end_matches('\r')
            .to_owned();
        cursor = end + 1;
        if line.is_empty() {
            return Ok((lines, &bytes[cursor..]));
        }
        lines.push(line);
    }
}

fn parse_headers(lines: &[String]) -> Result<HeaderMap, BatchFormatError> {
    let mut headers = HeaderMap::new();
    for line in lines {
        let (name, value) = line
            .split_once(':')
            .ok_or_else(|| bad(format!("malformed header line {line:?}")))?;
        let name = HeaderName::from_bytes(name.trim().as_bytes())
            .map_err(|_| bad(format!("invalid header name in {line:?}")))?;
        let value = HeaderValue::from_str(value.trim())
            .map_err(|_| bad(format!("invalid header value in {line:?}")))?;
        headers.append(name, value);
    }
    Ok(headers)
}

fn header_text<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// Parses one `application/http` part into a request.
fn parse_http_part(part: &[u8]) -> Result<PartRequest, BatchFormatError> {
    let (mime_lines, http) = split_head(part)?;
    let mime = parse_headers(&mime_lines)?;
    let content_type = header_text(&mime, "content-type").unwrap_or_default();
    if !content_type
        .to_ascii_lowercase()
        .starts_with("application/http")
    {
        return Err(bad(format!(
            "a batch part must have Content-Type application/http, not {content_type:?}"
        )));
    }
    let content_id = header_text(&mime, "content-id").map(str::to_owned);
    let (lines, body) = split_head(http)?;
    let (request_line, header_lines) = lines
        .split_first()
        .ok_or_else(|| bad("a part has no request line"))?;
    let mut words = request_line.split_whitespace();
    let (Some(method), Some(target)) = (words.next(), words.next()) else {
        return Err(bad(format!("malformed request line {request_line:?}")));
    };
    let method = Method::from_bytes(method.as_bytes())
        .map_err(|_| bad(format!("invalid method in {request_line:?}")))?;
    let headers = parse_headers(header_lines)?;
    let body = match header_text(&headers, "content-length").and_then(|n| n.parse().ok()) {
        Some(length) if length <= body.len() => &body[..length],
        _ => body,
    };
    Ok(PartRequest {
        content_id,
        method,
        target: target.to_owned(),
        headers,
        body: Bytes::copy_from_slice(body),
    })
}

/// Parses a `multipart/mixed` batch body with the given boundary.
pub fn parse_batch(body: &[u8], boundary: &str) -> Result<Vec<BatchItem>, BatchFormatError> {
    let mut items = Vec::new();
    for part in split_parts(body, boundary)? {
        let (mime_lines, content) = split_head(part)?;
        let mime = parse_headers(&mime_lines)?;
        let content_type = header_text(&mime, "content-type").unwrap_or_default();
        if let Some(changeset_boundary) = boundary_of(content_type) {
            let requests = split_parts(content, &changeset_boundary)?
                .into_iter()
                .map(parse_http_part)
                .collect::<Result<Vec<_>, _>>()?;
            if requests.is_empty() {
                return Err(bad("empty changeset"));
            }
            items.push(BatchItem::ChangeSet(requests));
        } else {
            items.push(BatchItem::Single(parse_http_part(part)?));
        }
    }
    if items.is_empty() {
        return Err(bad("the batch has no parts"));
    }
    Ok(items)
}

/// A response to one batch part, ready to be written.
#[derive(Debug, Clone)]
pub struct PartResponse {
    /// The request's `Content-ID`, echoed back.
    pub content_id: Option<String>,
    /// HTTP status.
    pub status: StatusCode,
    /// Response headers.
    pub headers: HeaderMap,
    /// Response body.
    pub body: Vec<u8>,
}

/// The answer to one top-level batch item.
#[derive(Debug, Clone)]
pub enum ItemResponse {
    /// The response of a single request, or of the failing request of a changeset.
    Single(PartResponse),
    /// The responses of a committed changeset.
    ChangeSet(Vec<PartResponse>),
}

fn write_http_part(out: &mut Vec<u8>, part: &PartResponse) {
    out.extend_from_slice(
        b"Content-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n",
    );
    if let Some(id) = &part.content_id {
        out.extend_from_slice(b"Content-ID: ");
        out.extend_from_slice(id.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    let reason = part.status.canonical_reason().unwrap_or("");
    out.extend_from_slice(b"\r\nHTTP/1.1 ");
    out.extend_from_slice(part.status.as_str().as_bytes());
    out.push(b' ');
    out.extend_from_slice(reason.as_bytes());
    out.extend_from_slice(b"\r\n");
    for (name, value) in &part.headers {
        out.extend_from_slice(name.as_str().as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(&part.body);
    out.extend_from_slice(b"\r\n");
}

/// Bytes [`write_http_part`] writes for `part`, but for its boundary line (an upper bound
/// used to size the answer once).
fn http_part_size(part: &PartResponse) -> usize {
    let headers: usize = part
        .headers
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len() + 4)
        .sum();
    160 + part.content_id.as_ref().map_or(0, String::len) + headers + part.body.len()
}

/// Writes a `multipart/mixed` response body with `boundary` (changesets get their own).
pub fn write_batch(items: &[ItemResponse], boundary: &str) -> Vec<u8> {
    let boundary_line = boundary.len() + 64;
    let size: usize = items
        .iter()
        .map(|item| match item {
            ItemResponse::Single(part) => boundary_line + http_part_size(part),
            ItemResponse::ChangeSet(parts) => {
                3 * boundary_line
                    + parts
                        .iter()
                        .map(|part| boundary_line + http_part_size(part))
                        .sum::<usize>()
            }
        })
        .sum();
    let mut out = Vec::with_capacity(size + boundary_line);
    let line = |out: &mut Vec<u8>, dashes_before: &str, text: &str, after: &str| {
        out.extend_from_slice(dashes_before.as_bytes());
        out.extend_from_slice(text.as_bytes());
        out.extend_from_slice(after.as_bytes());
    };
    for (index, item) in items.iter().enumerate() {
        line(&mut out, "--", boundary, "\r\n");
        match item {
            ItemResponse::Single(part) => write_http_part(&mut out, part),
            ItemResponse::ChangeSet(parts) => {
                let changeset = format!("changesetresponse_{boundary}_{index}");
                line(
                    &mut out,
                    "Content-Type: multipart/mixed; boundary=",
                    &changeset,
                    "\r\n\r\n",
                );
                for part in parts {
                    line(&mut out, "--", &changeset, "\r\n");
                    write_http_part(&mut out, part);
                }
                line(&mut out, "--", &changeset, "--\r\n");
            }
        }
    }
    line(&mut out, "--", boundary, "--\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: &str = "--batch_1\r\n\
Content-Type: application/http\r\n\
Content-Transfer-Encoding: binary\r\n\
\r\n\
GET CustomersV3?$top=1 HTTP/1.1\r\n\
Accept: application/json\r\n\
\r\n\
\r\n\
--batch_1\r\n\
Content-Type: multipart/mixed; boundary=\"changeset_a\"\r\n\
\r\n\
--changeset_a\r\n\
Content-Type: application/http\r\n\
Content-Transfer-Encoding: binary\r\n\
Content-ID: 1\r\n\
\r\n\
POST CustomersV3 HTTP/1.1\r\n\
Content-Type: application/json\r\n\
\r\n\
{\"CustomerAccount\":\"X1\"}\r\n\
--changeset_a\r\n\
Content-Type: application/http\r\n\
Content-ID: 2\r\n\
\r\n\
PATCH $1 HTTP/1.1\r\n\
Content-Type: application/json\r\n\
\r\n\
{\"OrganizationName\":\"n\"}\r\n\
--changeset_a--\r\n\
--batch_1--\r\n";

    #[test]
    fn parses_gets_and_nested_changesets() {
        let items = parse_batch(BODY.as_bytes(), "batch_1").expect("valid batch");
        assert_eq!(items.len(), 2);
        let BatchItem::Single(get) = &items[0] else {
            panic!("first item must be a single request");
        };
        assert_eq!(get.method, Method::GET);
        assert_eq!(get.target, "CustomersV3?$top=1");
        assert_eq!(
            header_text(&get.headers, "accept"),
            Some("application/json")
        );
        assert!(get.body.is_empty());
        let BatchItem::ChangeSet(parts) = &items[1] else {
            panic!("second item must be a changeset");
        };
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].content_id.as_deref(), Some("1"));
        assert_eq!(parts[0].method, Method::POST);
        assert_eq!(&parts[0].body[..], b"{\"CustomerAccount\":\"X1\"}");
        assert_eq!(parts[1].target, "$1");
        assert_eq!(parts[1].method, Method::PATCH);
    }

    #[test]
    fn accepts_bare_lf_line_ends() {
        let lf = BODY.replace("\r\n", "\n");
        let items = parse_batch(lf.as_bytes(), "batch_1").expect("valid batch");
        assert_eq!(items.len(), 2);
    }

    #[test]
    fn rejects_malformed_bodies() {
        assert!(parse_batch(b"garbage", "batch_1").is_err());
        let unterminated = BODY.replace("--batch_1--\r\n", "");
        assert!(parse_batch(unterminated.as_bytes(), "batch_1").is_err());
        let no_request_line = "--b\r\nContent-Type: application/http\r\n\r\n\r\n\r\n--b--\r\n";
        assert!(parse_batch(no_request_line.as_bytes(), "b").is_err());
        let wrong_type = "--b\r\nContent-Type: text/plain\r\n\r\nGET X HTTP/1.1\r\n\r\n\r\n--b--";
        assert!(parse_batch(wrong_type.as_bytes(), "b").is_err());
        assert!(parse_batch(b"--b--\r\n", "b").is_err());
    }

    #[test]
    fn boundary_parameter_is_read_quoted_or_not() {
        assert_eq!(
            boundary_of("multipart/mixed; boundary=batch_x").as_deref(),
            Some("batch_x")
        );
        assert_eq!(
            boundary_of("Multipart/Mixed;boundary=\"b y\"").as_deref(),
            Some("b y")
        );
        assert_eq!(boundary_of("application/json"), None);
        assert_eq!(boundary_of("multipart/mixed"), None);
    }

    #[test]
    fn written_responses_parse_back() {
        let mut headers = HeaderMap::new();
        headers.insert("content-type", HeaderValue::from_static("application/json"));
        let part = |id: Option<&str>, status| PartResponse {
            content_id: id.map(str::to_owned),
            status,
            headers: headers.clone(),
            body: b"{\"a\":1}".to_vec(),
        };
        let items = vec![
            ItemResponse::Single(part(None, StatusCode::OK)),
            ItemResponse::ChangeSet(vec![
                part(Some("1"), StatusCode::CREATED),
                part(Some("2"), StatusCode::NO_CONTENT),
            ]),
        ];
        let text = String::from_utf8(write_batch(&items, "batchresponse_t")).expect("utf-8");
        assert!(text.starts_with("--batchresponse_t\r\nContent-Type: application/http\r\n"));
        assert!(text.contains("HTTP/1.1 201 Created\r\n"));
        assert!(text.contains("Content-ID: 2\r\n"));
        assert!(text.ends_with("--batchresponse_t--\r\n"));
        let outer = split_parts(text.as_bytes(), "batchresponse_t").expect("outer parts");
        assert_eq!(outer.len(), 2);
    }
}
