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

/// The largest `--data @FILE` read, in bytes (16 MiB, the demo instance's request limit).
pub const MAX_DATA_BYTES: u64 = 16 * 1024 * 1024;

/// Reads a `--data` file, at most [`MAX_DATA_BYTES`]: a longer one (or an endless one, like
/// a device) is invalid input naming the limit and the size, after reading at most the limit.
fn read_data_file(path: &str) -> anyhow::Result<String> {
    use std::io::Read as _;
    let file = std::fs::File::open(path).map_err(|e| usage(format!("cannot read {path}: {e}")))?;
    let mut bytes = Vec::new();
    file.take(MAX_DATA_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| usage(format!("cannot read {path}: {e}")))?;
    if bytes.len() as u64 > MAX_DATA_BYTES {
        let size = std::fs::metadata(path)
            .ok()
            .map(|m| m.len())
            .filter(|&len| len > MAX_DATA_BYTES)
            .map_or_else(
                || format!("more than {MAX_DATA_BYTES} bytes"),
                |len| format!("{len} bytes"),
            );
        return Err(invalid_input(format!(
            "{path} is larger than the --data limit of {MAX_DATA_BYTES} bytes (16 MiB): it holds {size}"
        )));
    }
    String::from_utf8(bytes).map_err(|e| {
        invalid_input(format!(
            "{path} is not UTF-8 text: invalid byte at offset {}",
            e.utf8_error().valid_up_to()
        ))
    })
}

/// Reads `--data`: inline JSON, or `@FILE` with JSON in a file (at most
/// [`MAX_DATA_BYTES`]). Text that is not JSON (or gives a property twice) is invalid input
/// (exit code 2), named with its line and column.
pub fn read_data(data: &str) -> anyhow::Result<Value> {
    let (text, origin) = match data.strip_prefix('@') {
        Some(path) => (read_data_file(path)?, path.to_owned()),
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
    fn data_file_over_the_limit_is_invalid_input_naming_limit_and_size() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.json");
        let file = std::fs::File::create(&path).unwrap();
        file.set_len(MAX_DATA_BYTES + 10).unwrap();
        let error = read_data(&format!("@{}", path.display())).unwrap_err();
        assert_eq!(super::super::failure::exit_code(&error), 2);
        assert!(
            error.to_string().contains(&format!(
                "is larger than the --data limit of 16777216 bytes (16 MiB): it holds {} bytes",
                MAX_DATA_BYTES + 10
            )),
            "{error}"
        );
        // An endless source is read up to the limit only.
        let error = read_data("@/dev/zero").unwrap_err();
        assert!(
            error
                .to_string()
                .contains("it holds more than 16777216 bytes"),
            "{error}"
        );
    }

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
