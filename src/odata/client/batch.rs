//! `$batch`: multipart/mixed with changesets (the F&O way) and JSON batch (`requests` with
//! `atomicityGroup`), request writing and response parsing.

use bytes::Bytes;
use reqwest::Method;
use serde_json::{Map, Value, json};
use url::Url;

use super::ODataClient;
use super::error::ODataError;
use super::transport::ODataRequest;
use crate::odata::dialect::BatchUrlStyle;

/// One request inside a batch.
#[derive(Debug, Clone, PartialEq)]
pub struct BatchItem {
    /// Request id (`Content-ID` in multipart, `id` in JSON); unique within the batch.
    pub id: String,
    /// HTTP method.
    pub method: Method,
    /// URL relative to the service root (e.g. `CustomersV3?$top=1`) or `$<id>` references.
    pub url: String,
    /// Extra headers (e.g. `If-Match`).
    pub headers: Vec<(String, String)>,
    /// JSON body.
    pub body: Option<Value>,
}

/// A top-level batch part: a lone request or an all-or-nothing changeset.
#[derive(Debug, Clone, PartialEq)]
pub enum BatchPart {
    /// A request outside any changeset.
    Request(BatchItem),
    /// Requests that succeed or fail together.
    ChangeSet(Vec<BatchItem>),
}

/// The wire format of a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BatchFormat {
    /// `multipart/mixed` (OData 4.0, F&O).
    Multipart,
    /// JSON batch (OData 4.01, `requests` with `atomicityGroup`).
    Json,
}

/// One response inside a batch response.
#[derive(Debug, Clone, PartialEq)]
pub struct BatchResponse {
    /// The request id echoed by the server (`Content-ID` / `id`), when present.
    pub id: Option<String>,
    /// HTTP status.
    pub status: u16,
    /// Headers (names lower-cased).
    pub headers: Vec<(String, String)>,
    /// The body when it is JSON.
    pub body: Option<Value>,
    /// The body as text.
    pub text: String,
    /// Index of the changeset (multipart) or the atomicity group (JSON) it belongs to.
    pub group: Option<String>,
}

impl BatchResponse {
    /// Whether the status is 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// Writes a multipart/mixed batch body with absolute URLs; returns `(content_type, body)`.
pub fn multipart_request(root: &Url, parts: &[BatchPart], boundary: &str) -> (String, String) {
    multipart_request_with(root, parts, boundary, BatchUrlStyle::Absolute)
}

/// Writes a multipart/mixed batch body with URLs in `style`; returns `(content_type, body)`.
pub fn multipart_request_with(
    root: &Url,
    parts: &[BatchPart],
    boundary: &str,
    style: BatchUrlStyle,
) -> (String, String) {
    let mut out = String::new();
    for (index, part) in parts.iter().enumerate() {
        out.push_str(&format!("--{boundary}\r\n"));
        match part {
            BatchPart::Request(item) => write_http_part(&mut out, root, item, style),
            BatchPart::ChangeSet(items) => {
                let changeset = format!("changeset_{boundary}_{index}");
                out.push_str(&format!(
                    "Content-Type: multipart/mixed; boundary={changeset}\r\n\r\n"
                ));
                for item in items {
                    out.push_str(&format!("--{changeset}\r\n"));
                    write_http_part(&mut out, root, item, style);
                }
                out.push_str(&format!("--{changeset}--\r\n"));
            }
        }
    }
    out.push_str(&format!("--{boundary}--\r\n"));
    (format!("multipart/mixed; boundary={boundary}"), out)
}

fn write_http_part(out: &mut String, root: &Url, item: &BatchItem, style: BatchUrlStyle) {
    out.push_str("Content-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n");
    out.push_str(&format!("Content-ID: {}\r\n\r\n", item.id));
    let url = match style {
        _ if item.url.starts_with('$') => item.url.clone(),
        BatchUrlStyle::Absolute => root
            .join(&item.url)
            .map(String::from)
            .unwrap_or_else(|_| item.url.clone()),
        BatchUrlStyle::RelativeToRoot => relative_to_root(root, &item.url),
    };
    out.push_str(&format!("{} {url} HTTP/1.1\r\n", item.method));
    out.push_str("Accept: application/json\r\n");
    for (name, value) in &item.headers {
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    match &item.body {
        Some(body) => {
            let text = body.to_string();
            out.push_str("Content-Type: application/json\r\n\r\n");
            out.push_str(&text);
            out.push_str("\r\n");
        }
        // The blank line ending the headers, then the CRLF that belongs to the next
        // delimiter (RFC 2046): without it, strict servers see a part cut off in its headers.
        None => out.push_str("\r\n\r\n"),
    }
}

/// `url` relative to the service root: absolute URLs under the root lose the root, other
/// relative URLs lose a leading `/`.
fn relative_to_root(root: &Url, url: &str) -> String {
    match url.strip_prefix(root.as_str()) {
        Some(rest) => rest.to_owned(),
        None => url.trim_start_matches('/').to_owned(),
    }
}

/// Whether each changeset of `parts` (in order; lone requests are skipped) was applied.
///
/// A changeset is all-or-nothing: it counts as applied only when every one of its requests
/// has a 2xx response (matched by id) and no response of it failed. Servers differ in how
/// they report a failed changeset — F&O and SAP CAP send one error response for the whole
/// multipart changeset, SAP CAP lists every request of a failed JSON atomicity group with
/// its own status (2xx for those it rolled back) — and all of these read as "not applied".
pub fn changesets_applied(parts: &[BatchPart], responses: &[BatchResponse]) -> Vec<bool> {
    let json_groups: Vec<&str> = responses
        .iter()
        .filter(|r| !r.is_success())
        .filter_map(|r| r.group.as_deref())
        .collect();
    parts
        .iter()
        .filter_map(|part| match part {
            BatchPart::ChangeSet(items) => Some(items),
            BatchPart::Request(_) => None,
        })
        .map(|items| {
            items.iter().all(|item| {
                responses
                    .iter()
                    .filter(|r| r.id.as_deref() == Some(item.id.as_str()))
                    .any(|r| {
                        r.is_success()
                            && r.group.as_deref().is_none_or(|g| !json_groups.contains(&g))
                    })
            }) && !responses.iter().any(|r| {
                !r.is_success()
                    && r.id
                        .as_deref()
                        .is_some_and(|id| items.iter().any(|i| i.id == id))
            })
        })
        .collect()
}

/// Writes a JSON batch body.
pub fn json_request(parts: &[BatchPart]) -> Value {
    let mut requests = Vec::new();
    for (index, part) in parts.iter().enumerate() {
        let (items, group) = match part {
            BatchPart::Request(item) => (std::slice::from_ref(item), None),
            BatchPart::ChangeSet(items) => (items.as_slice(), Some(format!("g{index}"))),
        };
        for item in items {
            let mut request = Map::new();
            request.insert("id".into(), json!(item.id));
            request.insert("method".into(), json!(item.method.as_str()));
            request.insert("url".into(), json!(item.url));
            if let Some(group) = &group {
                request.insert("atomicityGroup".into(), json!(group));
            }
            let mut headers: Map<String, Value> = item
                .headers
                .iter()
                .map(|(n, v)| (n.to_ascii_lowercase(), json!(v)))
                .collect();
            if let Some(body) = &item.body {
                headers.insert("content-type".into(), json!("application/json"));
                request.insert("body".into(), body.clone());
            }
            if !headers.is_empty() {
                request.insert("headers".into(), Value::Object(headers));
            }
            requests.push(Value::Object(request));
        }
    }
    json!({ "requests": requests })
}

/// Parses a JSON batch response (`responses` array).
pub fn parse_json_response(body: &Value) -> Result<Vec<BatchResponse>, ODataError> {
    let responses = body
        .get("responses")
        .and_then(Value::as_array)
        .ok_or_else(|| ODataError::Batch("no 'responses' array".into()))?;
    responses
        .iter()
        .map(|r| {
            let status = r
                .get("status")
                .and_then(Value::as_u64)
                .and_then(|s| u16::try_from(s).ok())
                .ok_or_else(|| ODataError::Batch("a response has no status".into()))?;
            let headers = r
                .get("headers")
                .and_then(Value::as_object)
                .map(|h| {
                    h.iter()
                        .map(|(n, v)| {
                            let v = v
                                .as_str()
                                .map(str::to_owned)
                                .unwrap_or_else(|| v.to_string());
                            (n.to_ascii_lowercase(), v)
                        })
                        .collect()
                })
                .unwrap_or_default();
            let body = r.get("body").cloned().filter(|b| !b.is_null());
            Ok(BatchResponse {
                id: r.get("id").and_then(Value::as_str).map(str::to_owned),
                status,
                headers,
                text: body.as_ref().map(Value::to_string).unwrap_or_default(),
                body,
                group: r
                    .get("atomicityGroup")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
            })
        })
        .collect()
}

/// The `boundary` parameter of a multipart content type.
pub fn boundary_of(content_type: &str) -> Option<String> {
    content_type.split(';').skip(1).find_map(|param| {
        let (name, value) = param.split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("boundary")
            .then(|| value.trim().trim_matches('"').to_owned())
    })
}

/// Parses a multipart/mixed batch response.
pub fn parse_multipart_response(
    content_type: &str,
    body: &[u8],
) -> Result<Vec<BatchResponse>, ODataError> {
    let boundary = boundary_of(content_type)
        .ok_or_else(|| ODataError::Batch(format!("no boundary in '{content_type}'")))?;
    let text = String::from_utf8_lossy(body);
    let mut responses = Vec::new();
    parse_parts(&text, &boundary, None, &mut responses, 0)?;
    Ok(responses)
}

/// The parts between `--boundary` delimiters.
fn split_parts<'a>(text: &'a str, boundary: &str) -> Vec<&'a str> {
    let delimiter = format!("--{boundary}");
    let mut parts = Vec::new();
    // Where each delimiter starts; the pieces between them are the parts.
    let starts: Vec<usize> = memchr::memmem::find_iter(text.as_bytes(), &delimiter).collect();
    let ends = starts
        .iter()
        .skip(1)
        .copied()
        .chain(std::iter::once(text.len()));
    for (start, end) in starts.iter().zip(ends) {
        let piece = &text[start + delimiter.len()..end];
        if piece.starts_with("--") {
            break;
        }
        let piece = piece
            .strip_prefix("\r\n")
            .or_else(|| piece.strip_prefix('\n'))
            .unwrap_or(piece);
        let piece = piece
            .strip_suffix("\r\n")
            .or_else(|| piece.strip_suffix('\n'))
            .unwrap_or(piece);
        parts.push(piece);
    }
    parts
}

/// Splits a MIME entity or HTTP message into (header lines, body).
fn split_head(text: &str) -> (Vec<(String, String)>, &str) {
    let (head, body) = match blank_line(text.as_bytes()) {
        Some((head_end, body_start)) => (&text[..head_end], &text[body_start..]),
        None => (text, ""),
    };
    let headers = head
        .lines()
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    (headers, body)
}

/// The first empty line (`\r\n\r\n` or `\n\n`): where the head ends and the body starts.
/// Only line breaks are looked at, so a long body after the head is never scanned.
fn blank_line(text: &[u8]) -> Option<(usize, usize)> {
    memchr::memchr_iter(b'\n', text).find_map(|at| match text.get(at + 1..) {
        Some([b'\n', ..]) => Some((at, at + 2)),
        Some([b'\r', b'\n', ..]) if at > 0 && text[at - 1] == b'\r' => Some((at - 1, at + 3)),
        _ => None,
    })
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

fn parse_parts(
    text: &str,
    boundary: &str,
    group: Option<String>,
    out: &mut Vec<BatchResponse>,
    depth: u32,
) -> Result<(), ODataError> {
    if depth > 2 {
        return Err(ODataError::Batch("changesets nested too deeply".into()));
    }
    for (index, part) in split_parts(text, boundary).into_iter().enumerate() {
        let (mime_headers, content) = split_head(part);
        let content_type = header(&mime_headers, "content-type").unwrap_or("");
        if content_type
            .to_ascii_lowercase()
            .starts_with("multipart/mixed")
        {
            let inner = boundary_of(content_type)
                .ok_or_else(|| ODataError::Batch("changeset without boundary".into()))?;
            parse_parts(content, &inner, Some(index.to_string()), out, depth + 1)?;
            continue;
        }
        let content = content.trim_start_matches(['\r', '\n']);
        let (status_line, rest) = content.split_once('\n').unwrap_or((content, ""));
        let status = status_line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse::<u16>().ok())
            .ok_or_else(|| {
                ODataError::Batch(format!("bad status line '{}'", status_line.trim()))
            })?;
        let (headers, body) = split_head(rest);
        let body_text = body.trim_end_matches(['\r', '\n']).to_owned();
        let id = header(&mime_headers, "content-id")
            .or_else(|| header(&headers, "content-id"))
            .map(str::to_owned);
        // A property given twice is refused, as in every other response; a body that is not
        // JSON at all (plain text, empty) is kept as text only.
        let body = match crate::odata::json_strict::from_slice(body_text.trim().as_bytes()) {
            Ok(value) => Some(value),
            Err(error) if error.is_data() => {
                return Err(ODataError::Batch(format!(
                    "answer {} of the $batch: {error}",
                    out.len() + 1
                )));
            }
            Err(_) => None,
        };
        out.push(BatchResponse {
            id,
            status,
            body,
            text: body_text,
            headers,
            group: group.clone(),
        });
    }
    Ok(())
}

impl ODataClient {
    /// Sends a `$batch` in `format` and returns the individual responses in order.
    pub async fn batch(
        &self,
        parts: &[BatchPart],
        format: BatchFormat,
    ) -> Result<Vec<BatchResponse>, ODataError> {
        let url = self.url("$batch")?;
        match format {
            BatchFormat::Multipart => {
                let boundary = format!("batch_{}", uuid::Uuid::new_v4());
                let style = self.config.service_kind.dialect().batch_urls;
                let (content_type, body) =
                    multipart_request_with(&self.root, parts, &boundary, style);
                let request = ODataRequest::new(Method::POST, url)
                    .header("Content-Type", content_type)
                    .header("Accept", "multipart/mixed")
                    .body(Bytes::from(body));
                let response = self.send(request).await?;
                let content_type = response.header("content-type").unwrap_or("").to_owned();
                parse_multipart_response(&content_type, &response.body)
            }
            BatchFormat::Json => {
                let request = ODataRequest::json(Method::POST, url, &json_request(parts));
                parse_json_response(&self.send(request).await?.json()?)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(id: &str, method: Method, url: &str, body: Option<Value>) -> BatchItem {
        BatchItem {
            id: id.into(),
            method,
            url: url.into(),
            headers: vec![],
            body,
        }
    }

    /// The head/body split as it was written first: two whole-text searches.
    fn split_by_search(text: &str) -> (&str, &str) {
        match (text.find("\r\n\r\n"), text.find("\n\n")) {
            (Some(i), Some(j)) if j < i => (&text[..j], &text[j + 2..]),
            (Some(i), _) => (&text[..i], &text[i + 4..]),
            (None, Some(j)) => (&text[..j], &text[j + 2..]),
            (None, None) => (text, ""),
        }
    }

    #[test]
    fn the_first_empty_line_splits_head_and_body_with_either_line_break() {
        let cases = [
            "Content-Type: application/http\r\n\r\nHTTP/1.1 200 OK\r\n\r\n{}",
            "A: 1\nB: 2\n\nbody\r\n\r\nmore",
            "A: 1\r\n\r\nbody\n\nmore",
            "\r\n\r\nbody",
            "\n\nbody",
            "A: 1\n\r\nnot an empty line\r\n",
            "A: 1\r\n\nB\n\n",
            "no break at all",
            "ends with a break\n",
            "ends with a CR\r\n\r",
            "",
        ];
        for text in cases {
            let (headers, body) = split_head(text);
            let (head, expected_body) = split_by_search(text);
            assert_eq!(body, expected_body, "body of {text:?}");
            let expected: Vec<(String, String)> = head
                .lines()
                .filter_map(|l| l.split_once(':'))
                .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
                .collect();
            assert_eq!(headers, expected, "headers of {text:?}");
        }
    }

    #[test]
    fn parts_are_the_text_between_delimiters_up_to_the_closing_one() {
        let text = "preamble\r\n--b\r\none\r\n--b\ntwo\n--b\r\n--bee\r\n--b--\r\nepilogue --b\r\nnot a part";
        assert_eq!(split_parts(text, "b"), ["one", "two", "", "ee"]);
        assert!(split_parts("no delimiter", "b").is_empty());
        assert_eq!(split_parts("--b\r\nunclosed", "b"), ["unclosed"]);
    }

    #[test]
    fn multipart_request_has_changeset_and_absolute_urls() {
        let root = Url::parse("https://fo.example/data/").unwrap();
        let parts = [
            BatchPart::ChangeSet(vec![item(
                "1",
                Method::POST,
                "Customers",
                Some(json!({"A": 1})),
            )]),
            BatchPart::Request(item("2", Method::GET, "Customers?$top=1", None)),
        ];
        let (ct, body) = multipart_request(&root, &parts, "b1");
        assert_eq!(ct, "multipart/mixed; boundary=b1");
        assert!(body.contains("Content-Type: multipart/mixed; boundary=changeset_b1_0\r\n"));
        assert!(body.contains("POST https://fo.example/data/Customers HTTP/1.1\r\n"));
        assert!(body.contains("GET https://fo.example/data/Customers?$top=1 HTTP/1.1\r\n"));
        assert!(body.contains("Content-ID: 1\r\n"));
        assert!(body.ends_with("--b1--\r\n"));
    }

    #[test]
    fn relative_batch_urls_drop_the_root() {
        let root = Url::parse("http://127.0.0.1:4004/odata/v4/erp/").unwrap();
        let parts = [BatchPart::ChangeSet(vec![
            item("1", Method::POST, "Customers", Some(json!({"A": 1}))),
            item("2", Method::PATCH, "/Customers('x')", Some(json!({"A": 2}))),
            item(
                "3",
                Method::DELETE,
                "http://127.0.0.1:4004/odata/v4/erp/Customers('y')",
                None,
            ),
            item("4", Method::PATCH, "$1", Some(json!({"A": 3}))),
        ])];
        let (_, body) = multipart_request_with(&root, &parts, "b", BatchUrlStyle::RelativeToRoot);
        assert!(body.contains("POST Customers HTTP/1.1\r\n"), "{body}");
        assert!(body.contains("PATCH Customers('x') HTTP/1.1\r\n"), "{body}");
        assert!(
            body.contains("DELETE Customers('y') HTTP/1.1\r\n"),
            "{body}"
        );
        assert!(body.contains("PATCH $1 HTTP/1.1\r\n"), "{body}");
        assert!(!body.contains("http://"), "{body}");
    }

    fn response(id: Option<&str>, status: u16, group: Option<&str>) -> BatchResponse {
        BatchResponse {
            id: id.map(str::to_owned),
            status,
            headers: vec![],
            body: None,
            text: String::new(),
            group: group.map(str::to_owned),
        }
    }

    #[test]
    fn changeset_outcomes_from_the_ways_servers_report_them() {
        let parts = [
            BatchPart::ChangeSet(vec![
                item("1", Method::POST, "C", None),
                item("2", Method::POST, "C", None),
            ]),
            BatchPart::Request(item("3", Method::GET, "C", None)),
            BatchPart::ChangeSet(vec![item("4", Method::POST, "C", None)]),
        ];
        // Every request answered with 2xx.
        let ok = [
            response(Some("1"), 201, Some("0")),
            response(Some("2"), 201, Some("0")),
            response(Some("3"), 200, None),
            response(Some("4"), 204, Some("2")),
        ];
        assert_eq!(changesets_applied(&parts, &ok), [true, true]);
        // One error response for the whole changeset (F&O, SAP CAP multipart).
        let one_error = [
            response(Some("2"), 500, None),
            response(Some("3"), 200, None),
            response(Some("4"), 201, Some("2")),
        ];
        assert_eq!(changesets_applied(&parts, &one_error), [false, true]);
        let anonymous_error = [response(None, 400, None), response(Some("3"), 200, None)];
        assert_eq!(changesets_applied(&parts, &anonymous_error), [false, false]);
        // SAP CAP JSON batch: the rolled-back request still reports 201.
        let json_group = [
            response(Some("1"), 201, Some("g0")),
            response(Some("2"), 500, Some("g0")),
            response(Some("3"), 200, None),
            response(Some("4"), 201, Some("g2")),
        ];
        assert_eq!(changesets_applied(&parts, &json_group), [false, true]);
    }

    #[test]
    fn a_multipart_answer_giving_a_property_twice_is_refused_and_plain_text_is_kept() {
        let body = "--b\r\nContent-Type: application/http\r\n\r\n\
HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nnot json\r\n\
--b\r\nContent-Type: application/http\r\n\r\n\
HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{\"Id\":\"1\",\"Id\":\"2\"}\r\n--b--\r\n";
        let error = parse_multipart_response("multipart/mixed; boundary=b", body.as_bytes())
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("answer 2 of the $batch: duplicate property 'Id' at line 1 column"),
            "{error}"
        );
        let text_only = body.replace(",\"Id\":\"2\"", "");
        let responses =
            parse_multipart_response("multipart/mixed; boundary=b", text_only.as_bytes()).unwrap();
        assert_eq!(responses[0].body, None);
        assert_eq!(responses[0].text, "not json");
        assert_eq!(responses[1].body, Some(json!({"Id": "1"})));
    }

    #[test]
    fn multipart_response_with_changeset_is_parsed() {
        let body = "--batchresponse_1\r\nContent-Type: multipart/mixed; boundary=changesetresponse_2\r\n\r\n\
--changesetresponse_2\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\nContent-ID: 1\r\n\r\n\
HTTP/1.1 201 Created\r\nContent-Type: application/json; odata.metadata=minimal\r\nLocation: https://x/data/C('1')\r\n\r\n\
{\"Id\":\"1\"}\r\n--changesetresponse_2--\r\n\
--batchresponse_1\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\n\
HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\n\r\n{\"error\":{\"code\":\"\",\"message\":\"nope\"}}\r\n\
--batchresponse_1--\r\n";
        let responses =
            parse_multipart_response("multipart/mixed; boundary=batchresponse_1", body.as_bytes())
                .unwrap();
        assert_eq!(responses.len(), 2);
        assert_eq!(responses[0].status, 201);
        assert_eq!(responses[0].id.as_deref(), Some("1"));
        assert_eq!(responses[0].group.as_deref(), Some("0"));
        assert_eq!(responses[0].body, Some(json!({"Id": "1"})));
        assert_eq!(
            header(&responses[0].headers, "location"),
            Some("https://x/data/C('1')")
        );
        assert_eq!(responses[1].status, 404);
        assert!(!responses[1].is_success());
        assert_eq!(responses[1].group, None);
    }

    #[test]
    fn json_batch_round_trip_with_real_response() {
        let parts = [BatchPart::ChangeSet(vec![
            item("r1", Method::POST, "salesOrders", Some(json!({"x": 1}))),
            item("r2", Method::PATCH, "salesOrders(1)", Some(json!({"y": 2}))),
        ])];
        let request = json_request(&parts);
        assert_eq!(request["requests"][0]["atomicityGroup"], json!("g0"));
        assert_eq!(request["requests"][1]["method"], json!("PATCH"));
        assert_eq!(
            request["requests"][1]["headers"]["content-type"],
            json!("application/json")
        );
        let real: Value = serde_json::from_str(include_str!(
            "../../../tests/fixtures/payloads/bc_batch.json"
        ))
        .unwrap();
        let responses = parse_json_response(&real).unwrap();
        assert!(!responses.is_empty());
        assert_eq!(responses[0].id.as_deref(), Some("r1"));
        assert_eq!(responses[0].status, 201);
        assert!(
            responses[0]
                .body
                .as_ref()
                .is_some_and(|b| b.get("id").is_some())
        );
    }
}
