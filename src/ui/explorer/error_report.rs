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
        let Some(server) = error.server() else {
            let title = match error {
                ODataError::Network { .. } => "Network error",
                ODataError::Interrupted { .. } => "Connection dropped",
                ODataError::Cancelled => "Cancelled",
                ODataError::Token(_) => "Sign-in failed",
                _ => "Request failed",
            };
            return Self {
                title: title.to_owned(),
                status: None,
                message: error.to_string(),
                infolog: Vec::new(),
                details: Vec::new(),
                request: None,
                field: None,
            };
        };
        let mut infolog: Vec<String> = server
            .infolog
            .iter()
            .flat_map(|text| text.lines())
            .chain(server.internal_exceptions.iter().map(String::as_str))
            .map(str::trim)
            .filter(|line| !line.is_empty() && *line != server.message.trim())
            .map(str::to_owned)
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
            .chain(texts.filter_map(|t| field_named_in_text(t, fields)))
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

fn field_named_by_target(target: &str, fields: &[(String, String)]) -> Option<String> {
    fields
        .iter()
        .find(|(name, _)| name == target)
        .map(|(name, _)| name.clone())
}

/// A field whose name or label appears quoted in `text` (`Field 'Customer group'` or
/// `'CustomerGroupId'`), longest first so that `CustomerGroupId` wins over `CustomerGroup`.
fn field_named_in_text(text: &str, fields: &[(String, String)]) -> Option<String> {
    let mut candidates: Vec<(&str, &String)> = fields
        .iter()
        .flat_map(|(name, label)| [(name.as_str(), name), (label.as_str(), name)])
        .filter(|(text, _)| !text.is_empty())
        .collect();
    candidates.sort_by_key(|(text, _)| std::cmp::Reverse(text.len()));
    candidates
        .into_iter()
        .find(|(needle, _)| {
            ["'", "\"", "“"]
                .iter()
                .any(|q| text.contains(&format!("{q}{needle}")))
        })
        .map(|(_, name)| name.clone())
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
        assert_eq!(report.infolog.len(), 2);
        assert!(report.infolog[0].contains("Field 'Customer group' must be filled in"));
        assert_eq!(report.infolog[1], "Error: Update has been canceled.");
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
    }
}
