//! A traced exchange as a `curl` command, to replay it in a terminal or paste it in a bug
//! report. Secrets stay out: a redacted header becomes a shell variable (`$TOKEN`) the user
//! sets, never the value.

use super::trace::TraceEntry;

/// What the trace puts in place of a secret header value.
const REDACTED: &str = "[redacted]";
/// What the trace appends to a body cut at its size limit.
const TRUNCATED_MARK: &str = "… [truncated, ";
/// Headers curl computes itself.
const SKIPPED_HEADERS: [&str; 3] = ["content-length", "host", "connection"];

/// The `curl` command for `entry`, one option per line. A redacted `Authorization` value
/// becomes `$TOKEN` (its scheme kept), other redacted headers `$SECRET`; a body that the
/// trace truncated is flagged in a leading comment.
pub fn curl_command(entry: &TraceEntry) -> String {
    let mut lines = vec![format!(
        "curl --request {} {}",
        entry.method,
        single_quoted(&entry.url)
    )];
    for (name, value) in &entry.request_headers {
        if SKIPPED_HEADERS.contains(&name.to_ascii_lowercase().as_str()) {
            continue;
        }
        let line = if value.contains(REDACTED) {
            let variable = if name.eq_ignore_ascii_case("authorization") {
                "$TOKEN"
            } else {
                "$SECRET"
            };
            // Double quotes so that the shell expands the variable; the rest is a header
            // name and an auth scheme, which hold no quote, backslash, `$` or backtick.
            let header = format!("{name}: {}", value.replace(REDACTED, variable));
            format!("--header \"{}\"", header.replace(['"', '\\', '`'], ""))
        } else {
            format!("--header {}", single_quoted(&format!("{name}: {value}")))
        };
        lines.push(line);
    }
    let mut comment = String::new();
    if let Some(body) = &entry.request_body {
        if body.contains(TRUNCATED_MARK) {
            comment.push_str("# The request body was truncated in the trace: complete it below.\n");
        }
        lines.push(format!("--data-raw {}", single_quoted(body)));
    }
    format!("{comment}{}", lines.join(" \\\n  "))
}

/// `text` in single quotes for a POSIX shell (`'` becomes `'\''`).
fn single_quoted(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn entry(headers: &[(&str, &str)], body: Option<&str>) -> TraceEntry {
        TraceEntry {
            id: 1,
            started_at: chrono::Utc::now(),
            attempt: 1,
            method: "PATCH".into(),
            url: "http://127.0.0.1:9/data/CustomersV3(dataAreaId='usmf',CustomerAccount='US-001')"
                .into(),
            request_headers: headers
                .iter()
                .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
                .collect(),
            request_body: body.map(str::to_owned),
            status: Some(204),
            response_headers: Vec::new(),
            response_body: None,
            response_size: 0,
            duration: Duration::from_millis(5),
            error: None,
        }
    }

    #[test]
    fn method_url_headers_and_body_are_quoted_for_the_shell() {
        let command = curl_command(&entry(
            &[
                ("Content-Type", "application/json"),
                ("If-Match", "W/\"JzEsNTYzNzE0NDU3NjsxJw==\""),
                ("Content-Length", "27"),
            ],
            Some(r#"{"OrganizationName":"O'Brien & Co"}"#),
        ));
        assert_eq!(
            command,
            "curl --request PATCH \
             'http://127.0.0.1:9/data/CustomersV3(dataAreaId='\\''usmf'\\'',CustomerAccount='\\''US-001'\\'')' \\\n  \
             --header 'Content-Type: application/json' \\\n  \
             --header 'If-Match: W/\"JzEsNTYzNzE0NDU3NjsxJw==\"' \\\n  \
             --data-raw '{\"OrganizationName\":\"O'\\''Brien & Co\"}'"
        );
    }

    #[test]
    fn redacted_secrets_become_shell_variables() {
        let command = curl_command(&entry(
            &[
                ("Authorization", "Bearer [redacted]"),
                ("Ocp-Apim-Subscription-Key", "[redacted]"),
            ],
            None,
        ));
        assert!(command.contains("--header \"Authorization: Bearer $TOKEN\""));
        assert!(command.contains("--header \"Ocp-Apim-Subscription-Key: $SECRET\""));
        assert!(!command.contains("redacted"));
        assert!(!command.contains("--data-raw"));
    }

    #[test]
    fn a_truncated_body_is_flagged() {
        let command = curl_command(&entry(&[], Some("{\"a\":\"xxxx… [truncated, 90000 bytes]")));
        assert!(command.starts_with("# The request body was truncated in the trace"));
        assert!(command.contains("\ncurl --request PATCH"));
        let untruncated = curl_command(&entry(&[], Some("{}")));
        assert!(untruncated.starts_with("curl "));
    }
}
