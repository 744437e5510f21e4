//! What the user sees of a failed request: the OData message, F&O's Infolog lines, the status,
//! and the field the message names (so its input can be outlined in red).

use crate::odata::client::ODataError;

/// A failed request, prepared for display.
#[derive(Debug, Clone, PartialEq)]
pub struct ErrorReport {
    /// First line: status and reason, or the failure class (`Network error`).
    pub title: String,
    /// The HTTP status, when the server answered.
    pub status: Option<u16>,
    /// The OData `error.message` (or the client's description).
    pub message: String,
    /// Lines of F&O's Infolog (`innererror.message`) and inner exceptions.
    pub infolog: Vec<String>,
    /// `details[]` messages, with their targets.
    pub details: Vec<String>,
    /// The request that failed (`METHOD URL`), for "show request".
    pub request: Option<String>,
    /// The field named by `target` or by the message, when it is one of the entity's fields.
    pub field: Option<String>,
}

impl ErrorReport {
    /// Prepares `error` for display; `fields` are the current entity's property names and
    /// labels (`(name, label)`), used to find the field the message names.
    pub fn new(error: &ODataError, fields: &[(String, String)]) -> Self {
        Self::with_sent_values(error, fields, &serde_json::Map::new())
    }

    /// Like [`Self::new`]; `sent` (the request body) tells apart fields whose names both
    /// match a label: F&O quotes the offending value next to the field label.
    pub fn with_sent_values(
        error: &ODataError,
        fields: &[(String, String)],
        sent: &serde_json::Map<String, serde_json::Value>,
    ) -> Self {
        let Some(server) = error.server() else {
            let title = match error {
                ODataError::Network { .. } => "Network error",
                ODataError::Interrupted { .. } => "Connection dropped",
                ODataError::Cancelled => "Cancelled",
                ODataError::Token(_) => "Sign-in failed",
                _ => "Request failed",
            };
            // A request that got no answer is still in the trace (with its network error).
            let request = match error {
                ODataError::Network { method, url, .. }
                | ODataError::Interrupted { method, url, .. } => Some(format!("{method} {url}")),
                _ => None,
            };
            return Self {
                title: title.to_owned(),
                status: None,
                message: error.to_string(),
                infolog: Vec::new(),
                details: Vec::new(),
                request,
                field: None,
            };
        };
        let mut infolog: Vec<String> = server
            .infolog
            .iter()
            .flat_map(|text| infolog_lines(text))
            .chain(
                server
                    .internal_exceptions
                    .iter()
                    .map(|e| e.trim().to_owned()),
            )
            .filter(|line| !line.is_empty() && line.as_str() != server.message.trim())
            .collect();
        infolog.dedup();
        let details = server
            .details
            .iter()
            .map(|d| match &d.target {
                Some(target) => format!("{target}: {}", d.message),
                None => d.message.clone(),
            })
            .collect();
        let targets = server
            .target
            .iter()
            .chain(server.details.iter().filter_map(|d| d.target.as_ref()));
        let texts = std::iter::once(server.message.as_str())
            .chain(server.infolog.as_deref())
            .chain(server.details.iter().map(|d| d.message.as_str()));
        let field = targets
            .filter_map(|t| field_named_by_target(t, fields))
            .chain(texts.filter_map(|t| field_named_in_text(t, fields, sent)))
            .next();
        let reason = if server.reason.is_empty() {
            String::new()
        } else {
            format!(" {}", server.reason)
        };
        Self {
            title: format!("HTTP {}{reason}", server.status),
            status: Some(server.status),
            message: server.message.clone(),
            infolog,
            details,
            request: Some(format!("{} {}", server.method, server.url)),
            field,
        }
    }
}

/// The entries of an F&O Infolog text: the header before `Infolog:` and each
/// `Warning:`/`Error:`/`Info:` entry (entries are separated by `; ` or new lines).
fn infolog_lines(text: &str) -> Vec<String> {
    let mut lines = Vec::new();
    for line in text.lines() {
        let (header, entries) = match line.split_once("Infolog:") {
            Some((header, entries)) => (header.trim(), entries),
            None => ("", line),
        };
        if !header.is_empty() {
            lines.push(header.to_owned());
        }
        let mut current = String::new();
        for part in entries.split("; ") {
            let starts_entry = ["Warning:", "Error:", "Info:"]
                .iter()
                .any(|p| part.trim_start().starts_with(p));
            if starts_entry && !current.trim().is_empty() {
                lines.push(current.trim().to_owned());
                current.clear();
            } else if !current.is_empty() {
                current.push_str("; ");
            }
            current.push_str(part);
        }
        if !current.trim().is_empty() {
            lines.push(current.trim().to_owned());
        }
    }
    lines
}

fn field_named_by_target(target: &str, fields: &[(String, String)]) -> Option<String> {
    fields
        .iter()
        .find(|(name, _)| name == target)
        .map(|(name, _)| name.clone())
}

/// The field a message names in quotes: by its name or label (`'CustomerGroupId'`,
/// `Field 'Customer group'`), else by a quoted label that, without spaces, is part of
/// exactly one field name (`'Customer account'` → `OrderingCustomerAccountNumber`); when
/// several names contain it, the one whose sent value is also quoted in the message wins.
fn field_named_in_text(
    text: &str,
    fields: &[(String, String)],
    sent: &serde_json::Map<String, serde_json::Value>,
) -> Option<String> {
    let quoted = quoted_parts(text);
    let normalize = |s: &str| {
        s.chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_lowercase()
    };
    for part in &quoted {
        let wanted = normalize(part);
        if wanted.is_empty() {
            continue;
        }
        if let Some((name, _)) = fields.iter().find(|(name, label)| {
            normalize(name) == wanted || (!label.is_empty() && normalize(label) == wanted)
        }) {
            return Some(name.clone());
        }
        let candidates: Vec<&String> = fields
            .iter()
            .map(|(name, _)| name)
            .filter(|name| normalize(name).contains(&wanted))
            .collect();
        match candidates.as_slice() {
            [only] => return Some((*only).clone()),
            [] => {}
            several => {
                let by_value = several.iter().find(|name| {
                    sent.get(name.as_str())
                        .and_then(|v| v.as_str())
                        .is_some_and(|v| quoted.iter().any(|q| q == v))
                });
                if let Some(name) = by_value {
                    return Some((*name).clone());
                }
            }
        }
    }
    None
}

/// The texts between single, double or curly quotes in `text`.
fn quoted_parts(text: &str) -> Vec<String> {
    let mut parts = Vec::new();
    for (open, close) in [('\'', '\''), ('"', '"'), ('“', '”')] {
        let mut rest = text;
        while let Some(start) = rest.find(open) {
            let after = &rest[start + open.len_utf8()..];
            let Some(end) = after.find(close) else { break };
            parts.push(after[..end].to_owned());
            rest = &after[end + close.len_utf8()..];
        }
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::odata::client::ServerError;

    fn fields() -> Vec<(String, String)> {
        vec![
            ("CustomerGroupId".into(), "Customer group".into()),
            ("CustomerAccount".into(), "Customer account".into()),
        ]
    }

    fn fno_error() -> ODataError {
        let body = br#"{"error":{"code":"","message":"An error has occurred.","innererror":{"message":"Write validation failed for table row of type 'CustomersV3Entity'. Infolog: Warning: Field 'Customer group' must be filled in.\nError: Update has been canceled.","type":"Microsoft.Dynamics.Platform.Integration.Services.OData.AxODataWriteException","stacktrace":""}}}"#;
        ODataError::Server(Box::new(ServerError::from_response(
            "POST",
            "http://127.0.0.1:1/data/CustomersV3",
            400,
            "Bad Request",
            body,
        )))
    }

    #[test]
    fn fno_infolog_lines_and_named_field_are_extracted() {
        let report = ErrorReport::new(&fno_error(), &fields());
        assert_eq!(report.title, "HTTP 400 Bad Request");
        assert_eq!(report.message, "An error has occurred.");
        assert_eq!(
            report.infolog,
            vec![
                "Write validation failed for table row of type 'CustomersV3Entity'.",
                "Warning: Field 'Customer group' must be filled in.",
                "Error: Update has been canceled.",
            ]
        );
        assert_eq!(report.field.as_deref(), Some("CustomerGroupId"));
        assert_eq!(
            report.request.as_deref(),
            Some("POST http://127.0.0.1:1/data/CustomersV3")
        );
    }

    #[test]
    fn target_names_the_field_first() {
        let body = br#"{"error":{"code":"400","message":"Value is required","target":"CustomerAccount","details":[{"code":"x","message":"too long","target":"CustomerGroupId"}]}}"#;
        let error = ODataError::Server(Box::new(ServerError::from_response(
            "PATCH", "u", 400, "", body,
        )));
        let report = ErrorReport::new(&error, &fields());
        assert_eq!(report.field.as_deref(), Some("CustomerAccount"));
        assert_eq!(report.details, vec!["CustomerGroupId: too long".to_owned()]);
        assert_eq!(report.title, "HTTP 400");
    }

    #[test]
    fn network_errors_have_no_field() {
        let error = ODataError::Cancelled;
        let report = ErrorReport::new(&error, &fields());
        assert_eq!(report.title, "Cancelled");
        assert_eq!(report.field, None);
        assert_eq!(report.request, None);

        let refused = ODataError::Network {
            method: "GET".into(),
            url: "http://127.0.0.1:9/data/CustomersV3".into(),
            kind: crate::odata::client::NetworkErrorKind::Connect,
            message: "connection refused".into(),
        };
        let report = ErrorReport::new(&refused, &fields());
        assert_eq!(report.title, "Network error");
        assert_eq!(report.status, None);
        assert_eq!(
            report.request.as_deref(),
            Some("GET http://127.0.0.1:9/data/CustomersV3"),
            "Show request finds it in the trace"
        );
        assert_eq!(report.field, None);
    }

    #[test]
    fn a_label_names_the_field_and_the_sent_value_breaks_ties() {
        let fields = vec![
            ("OrderingCustomerAccountNumber".to_owned(), String::new()),
            ("InvoiceCustomerAccountNumber".to_owned(), String::new()),
            ("CurrencyCode".to_owned(), String::new()),
        ];
        let body = br#"{"error":{"code":"","message":"Write validation failed.","innererror":{"message":"Write validation failed for table row of type 'SalesOrderHeaderV2Entity'. Infolog: Warning: The value 'NOPE-1' in field 'Customer account' is not found in the related table 'Customers (CustTable)'."}}}"#;
        let error = ODataError::Server(Box::new(ServerError::from_response(
            "POST", "u", 400, "", body,
        )));
        let mut sent = serde_json::Map::new();
        sent.insert("OrderingCustomerAccountNumber".into(), "NOPE-1".into());
        sent.insert("InvoiceCustomerAccountNumber".into(), "US-001".into());
        let report = ErrorReport::with_sent_values(&error, &fields, &sent);
        assert_eq!(
            report.field.as_deref(),
            Some("OrderingCustomerAccountNumber")
        );
        // Without the sent values the label is ambiguous: no guess.
        assert_eq!(ErrorReport::new(&error, &fields).field, None);

        let body = br#"{"error":{"message":"x","innererror":{"message":"Infolog: Warning: Field 'Currency' must be filled in."}}}"#;
        let error = ODataError::Server(Box::new(ServerError::from_response(
            "POST", "u", 400, "", body,
        )));
        assert_eq!(
            ErrorReport::new(&error, &fields).field.as_deref(),
            Some("CurrencyCode")
        );
    }

    #[test]
    fn infolog_entries_separated_by_semicolons_become_lines() {
        let lines = infolog_lines(
            "Write failed. Infolog: Warning: The value 'A; B' is bad.; Error: validateWrite failed.",
        );
        assert_eq!(
            lines,
            vec![
                "Write failed.",
                "Warning: The value 'A; B' is bad.",
                "Error: validateWrite failed."
            ]
        );
        assert_eq!(infolog_lines("plain text"), vec!["plain text"]);
    }
}
