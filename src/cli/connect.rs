//! Shared plumbing of the request commands: instance and token options, the client, the
//! `$metadata` lookups for keys, and `--data` input.

use std::sync::Arc;

use anyhow::Context;
use clap::Args;
use serde_json::Value;

use super::failure::usage;
use crate::auth::{
    BearerToken, Instances, ResolvedInstance, StaticTokenProvider, os_secret_store,
    resolve_instance_with,
};
use crate::odata::client::{ClientConfig, ODataClient, ODataError, Trace};
use crate::odata::keys::KeyPredicate;
use crate::odata::metadata::cache::MetadataCache;
use crate::odata::metadata::{EntityType, Model};
use crate::odata::service_root::{ServiceKind, normalize_service_root};

/// The `--instance` option every request command takes.
#[derive(Debug, Clone, Args)]
pub struct InstanceArgs {
    /// A saved instance name (`flowbench instance list`), a service root URL
    /// (`https://host/data/`) or an F&O host name without `https://`.
    #[arg(long, value_name = "I")]
    pub instance: String,
}

/// The service root for an `--instance` value: URLs are kept, bare F&O hosts become
/// `https://{host}/data/` (the service-root rules of [`normalize_service_root`]).
pub fn service_root_of(instance: &str) -> anyhow::Result<String> {
    normalize_service_root(ServiceKind::FinanceOperations, instance)
        .map(String::from)
        .map_err(|e| usage(format!("--instance: {e}")))
}

/// A saved instance named `instance` (see `flowbench instance add`), resolved to its service
/// root and a token provider that signs in silently (stored or refreshed tokens, client
/// secret); `None` when no instance has that name.
fn saved_instance(instance: &str) -> anyhow::Result<Option<ResolvedInstance>> {
    let instances = match Instances::load_default() {
        Ok(instances) => instances,
        // A broken instances file does not block plain URLs.
        Err(_) if service_root_of(instance).is_ok() => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    if instances.get(instance).is_none() {
        return Ok(None);
    }
    Ok(Some(resolve_instance_with(
        &instances,
        instance,
        os_secret_store,
    )?))
}

/// A client for one command, with the on-disk `$metadata` cache for saved instances.
pub struct Connection {
    /// The OData client.
    pub client: ODataClient,
    /// The cache shared with the window (saved instances only: ad-hoc URLs, such as a
    /// demo instance on a random port, would leave a file per port behind).
    metadata_cache: Option<MetadataCache>,
}

impl Connection {
    /// The service's `$metadata`: revalidated against the on-disk cache (a 304 or an
    /// unchanged document skips the parse) for saved instances, downloaded otherwise.
    pub async fn metadata(&self) -> Result<Model, ODataError> {
        match &self.metadata_cache {
            Some(cache) => self.client.metadata_cached(cache).await,
            None => self.client.metadata().await,
        }
    }

    /// Reads `$metadata` and builds the key predicate for `keys`.
    pub async fn key_for(&self, entity_set: &str, keys: &str) -> anyhow::Result<String> {
        let model = self
            .metadata()
            .await
            .context("reading $metadata for the key types")?;
        key_predicate(&model, entity_set, keys)
    }
}

/// Builds the client for `instance`: a saved instance name (silent sign-in), or a URL with
/// the bearer token from `token_env` when given.
pub fn connect(instance: &str, token_env: Option<&str>) -> anyhow::Result<Connection> {
    if token_env.is_none()
        && let Some(saved) = saved_instance(instance)?
    {
        // The profile's kind decides the dialect (e.g. URLs inside `$batch`).
        let config = ClientConfig {
            service_kind: saved.profile.as_ref().map(|p| p.kind).unwrap_or_default(),
            ..ClientConfig::default()
        };
        let client = ODataClient::with_config(
            saved.service_root.as_str(),
            saved.tokens,
            config,
            Trace::default(),
        )?;
        return Ok(Connection {
            client,
            metadata_cache: MetadataCache::in_user_cache_dir(),
        });
    }
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
    let root = service_root_of(instance)?;
    let client = ODataClient::new(&root, Arc::new(StaticTokenProvider::new(token)))?;
    Ok(Connection {
        client,
        metadata_cache: None,
    })
}

/// A small runtime for one command.
pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("could not start the async runtime")
}

/// The entity type behind `entity_set` in `model`.
pub fn entity_type_of<'m>(model: &'m Model, entity_set: &str) -> anyhow::Result<&'m EntityType> {
    let set = model.entity_set(entity_set).ok_or_else(|| {
        usage(format!(
            "entity set '{entity_set}' is not in the service's $metadata"
        ))
    })?;
    model.entity_type(&set.entity_type).ok_or_else(|| {
        usage(format!(
            "entity type '{}' of '{entity_set}' is not declared",
            set.entity_type
        ))
    })
}

/// The key predicate for `keys` (connector form `usmf,US-001` or an OData predicate),
/// typed with the key types from `model`.
pub fn key_predicate(model: &Model, entity_set: &str, keys: &str) -> anyhow::Result<String> {
    let entity = entity_type_of(model, entity_set)?;
    let key = KeyPredicate::parse(model, entity, keys)
        .map_err(|e| usage(format!("bad key '{keys}' for {entity_set}: {e}")))?;
    Ok(key.to_literal())
}

/// Reads `--data`: inline JSON, or `@FILE` with JSON in a file.
pub fn read_data(data: &str) -> anyhow::Result<Value> {
    let (text, origin) = match data.strip_prefix('@') {
        Some(path) => (
            std::fs::read_to_string(path).map_err(|e| usage(format!("cannot read {path}: {e}")))?,
            path.to_owned(),
        ),
        None => (data.to_owned(), "--data".to_owned()),
    };
    serde_json::from_str(text.trim_start_matches('\u{feff}'))
        .map_err(|e| usage(format!("{origin} is not valid JSON: {e}")))
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
    fn instance_forms() {
        let root = |i: &str| service_root_of(i).unwrap();
        assert_eq!(
            root("contoso.operations.dynamics.com"),
            "https://contoso.operations.dynamics.com/data/"
        );
        assert_eq!(
            root("contoso.sandbox.operations.dynamics.com/"),
            "https://contoso.sandbox.operations.dynamics.com/data/"
        );
        assert_eq!(root("http://127.0.0.1:9/data/"), "http://127.0.0.1:9/data/");
        assert_eq!(
            root("host.example/odata/v4"),
            "https://host.example/odata/v4/"
        );
        assert!(service_root_of("http://contoso.operations.dynamics.com").is_err());
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
        assert!(read_data("{nope").is_err());
    }
}
