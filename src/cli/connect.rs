//! Shared plumbing of the request commands: the `--instance` option, the session it opens
//! (through the connector layer), and `--data` input.

use anyhow::Context;
use clap::Args;
use serde_json::Value;

use super::failure::{invalid_input, usage};
use crate::connector::Session;
use crate::odata::client::BearerToken;

/// The `--instance` option every request command takes.
#[derive(Debug, Clone, Args)]
pub struct InstanceOption {
    /// A saved instance name (`flowbench instance list`), a service root URL
    /// (`https://host/data/`) or an F&O host name without `https://`.
    #[arg(long, value_name = "I")]
    pub instance: String,
}

/// Opens `instance`: a saved instance name (silent sign-in), or a URL with the bearer token
/// from the environment variable `token_env` when given.
pub fn connect(instance: &str, token_env: Option<&str>) -> anyhow::Result<Session> {
    let token = match token_env {
        Some(var) => {
            let value = std::env::var(var)
                .map_err(|_| usage(format!("environment variable {var} is not set")))?;
            let value = value.trim();
            let value = value.strip_prefix("Bearer ").unwrap_or(value);
            if value.is_empty() {
                return Err(usage(format!("environment variable {var} is empty")));
            }
            Some(BearerToken::new(value))
        }
        None => None,
    };
    Ok(Session::open(instance, token)?)
}

/// Reads `$metadata` of the session, saying why it is needed when it fails.
pub async fn metadata_for(
    session: &Session,
    why: &'static str,
) -> anyhow::Result<crate::odata::metadata::Model> {
    session
        .metadata()
        .await
        .with_context(|| format!("reading $metadata for {why}"))
}

/// A small runtime for one command.
pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("could not start the async runtime")
}

/// Reads `--data`: inline JSON, or `@FILE` with JSON in a file. Text that is not JSON (or
/// gives a property twice) is invalid input (exit code 2), named with its line and column.
pub fn read_data(data: &str) -> anyhow::Result<Value> {
    let (text, origin) = match data.strip_prefix('@') {
        Some(path) => (
            std::fs::read_to_string(path).map_err(|e| usage(format!("cannot read {path}: {e}")))?,
            path.to_owned(),
        ),
        None => (data.to_owned(), "--data".to_owned()),
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    crate::odata::json_strict::from_slice(text.as_bytes())
        .map_err(|e| invalid_input(format!("{origin} is not valid JSON: {e}")))
}

/// Prints a JSON value pretty-printed on stdout.
pub fn print_json(value: &Value) -> anyhow::Result<()> {
    super::stdout::print_line(&serde_json::to_string_pretty(value)?)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_inline_and_from_file() {
        assert_eq!(
            read_data(r#"{"a": 1.50}"#).unwrap()["a"].to_string(),
            "1.50"
        );
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("d.json");
        std::fs::write(&path, "\u{feff}{\"b\": true}").unwrap();
        assert_eq!(
            read_data(&format!("@{}", path.display())).unwrap()["b"],
            Value::Bool(true)
        );
        let error = read_data("{nope").unwrap_err();
        assert_eq!(super::super::failure::exit_code(&error), 2);
        assert_eq!(
            error.to_string(),
            "--data is not valid JSON: key must be a string at line 1 column 2"
        );
        let error = read_data("{\"a\": 1,\n \"a\": 2}").unwrap_err();
        assert_eq!(
            error.to_string(),
            "--data is not valid JSON: duplicate property 'a' at line 2 column 4"
        );
    }
}
