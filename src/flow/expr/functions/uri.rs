//! URI parsing functions: host, path, path and query, port, query, scheme.

use serde_json::Value;
use url::Url;

use super::{Call, Function};

pub(super) const FUNCTIONS: &[Function] = &[
    function!(
        "uriHost",
        "uriHost(uri)",
        "The host of a URI.",
        1,
        1,
        uri_host
    ),
    function!(
        "uriPath",
        "uriPath(uri)",
        "The path of a URI ('/' when empty).",
        1,
        1,
        uri_path
    ),
    function!(
        "uriPathAndQuery",
        "uriPathAndQuery(uri)",
        "The path and query of a URI.",
        1,
        1,
        uri_path_and_query
    ),
    function!(
        "uriPort",
        "uriPort(uri)",
        "The port of a URI (the scheme's default when absent).",
        1,
        1,
        uri_port
    ),
    function!(
        "uriQuery",
        "uriQuery(uri)",
        "The query of a URI, with its '?'.",
        1,
        1,
        uri_query
    ),
    function!(
        "uriScheme",
        "uriScheme(uri)",
        "The scheme of a URI.",
        1,
        1,
        uri_scheme
    ),
];

fn parsed(call: &Call) -> Result<Url, String> {
    let text = call.string(0)?;
    Url::parse(text.trim()).map_err(|e| call.fail(format!("'{text}' is not an absolute URI: {e}")))
}

fn uri_host(call: &Call) -> Result<Value, String> {
    Ok(Value::String(
        parsed(call)?.host_str().unwrap_or("").to_string(),
    ))
}

fn path(url: &Url) -> String {
    let path = url.path();
    if path.is_empty() {
        "/".into()
    } else {
        path.to_string()
    }
}

fn query(url: &Url) -> String {
    url.query().map(|q| format!("?{q}")).unwrap_or_default()
}

fn uri_path(call: &Call) -> Result<Value, String> {
    Ok(Value::String(path(&parsed(call)?)))
}

fn uri_path_and_query(call: &Call) -> Result<Value, String> {
    let url = parsed(call)?;
    Ok(Value::String(format!("{}{}", path(&url), query(&url))))
}

fn uri_port(call: &Call) -> Result<Value, String> {
    let url = parsed(call)?;
    url.port_or_known_default().map(Value::from).ok_or_else(|| {
        call.fail(format!(
            "the URI has no port and '{}' has no default port",
            url.scheme()
        ))
    })
}

fn uri_query(call: &Call) -> Result<Value, String> {
    Ok(Value::String(query(&parsed(call)?)))
}

fn uri_scheme(call: &Call) -> Result<Value, String> {
    Ok(Value::String(parsed(call)?.scheme().to_string()))
}
