//! The request commands keep a saved instance's `$metadata` in the on-disk cache (shared
//! with the window) and revalidate it with the demo instance's `ETag`: a 304 reuses the
//! cached model, a changed document replaces it; ad-hoc URLs leave no cache behind.
#![allow(clippy::unwrap_used)] // helpers outside #[test] fns panic as test failures

use std::path::Path;
use std::process::Output;

use assert_cmd::Command;
use flowbench::demo::{DemoConfig, DemoThread};
use flowbench::odata::metadata::cache::MetadataCache;
use serde_json::Value;

/// The binary with its config and cache in `home`.
fn flowbench(home: &Path, args: &[&str]) -> Output {
    let mut cmd = match std::env::var_os("FLOWBENCH_BIN") {
        Some(path) => Command::new(path),
        None => Command::cargo_bin("flowbench").unwrap(),
    };
    cmd.env("FLOWBENCH_CONFIG_DIR", home.join("config"))
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env("HOME", home)
        .args(args)
        .timeout(std::time::Duration::from_secs(120))
        .output()
        .unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The key of the demo's first customer, in the connector's comma-separated form.
fn first_customer_key(root: &str) -> String {
    let body: Value = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            reqwest::get(format!("{root}CustomersV3?$top=1"))
                .await
                .unwrap()
                .json()
                .await
                .unwrap()
        });
    let customer = &body["value"][0];
    format!(
        "{},{}",
        customer["dataAreaId"].as_str().unwrap(),
        customer["CustomerAccount"].as_str().unwrap()
    )
}

fn without_customers(cache: &MetadataCache, root: &str, etag: Option<&str>) {
    let mut entry = cache.load(root).unwrap();
    for schema in &mut entry.model.schemas {
        if let Some(container) = &mut schema.entity_container {
            container
                .entity_sets
                .retain(|set| set.name != "CustomersV3");
        }
    }
    if let Some(etag) = etag {
        // As if the cached copy came from an older document.
        entry.etag = Some(etag.to_owned());
        entry.source_sha256 = [0; 32];
    }
    cache.store(root, &entry).unwrap();
}

fn has_customers(cache: &MetadataCache, root: &str) -> bool {
    cache
        .load(root)
        .unwrap()
        .model
        .entity_set("CustomersV3")
        .is_some()
}

/// A small demo instance, its service root and an empty home for the binary.
fn demo_and_home() -> (DemoThread, String, tempfile::TempDir) {
    let demo = DemoThread::start(DemoConfig {
        rows: 5,
        ..DemoConfig::default()
    })
    .unwrap();
    let root = demo.service_root().to_owned();
    (demo, root, tempfile::tempdir().unwrap())
}

#[test]
fn saved_instances_revalidate_the_cached_metadata_with_its_etag() {
    let (demo, root, home) = demo_and_home();
    let cache = MetadataCache::new(home.path().join("cache/flowbench/metadata"));
    let key = first_customer_key(&root);
    let get = || {
        flowbench(
            home.path(),
            &["get", "--instance", "local", "CustomersV3", &key],
        )
    };

    let add = flowbench(
        home.path(),
        &[
            "instance", "add", "local", "--url", &root, "--kind", "odata", "--auth", "none",
        ],
    );
    assert!(add.status.success(), "{}", stderr(&add));

    // First call: downloaded, parsed and cached with the server's ETag.
    let first = get();
    assert!(first.status.success(), "{}", stderr(&first));
    let record: Value = serde_json::from_slice(&first.stdout).unwrap();
    assert_eq!(record["CustomerAccount"], key.split(',').nth(1).unwrap());
    let entry = cache.load(&root).expect("the metadata is cached");
    let etag = entry.etag.clone().expect("the demo sends an ETag");
    assert!(has_customers(&cache, &root));

    // The server answers 304 to that ETag, so the command works from the cached model:
    // a cached model without the entity set proves the document was not read again.
    without_customers(&cache, &root, None);
    let revalidated = get();
    assert!(!revalidated.status.success());
    assert!(
        stderr(&revalidated).contains("'CustomersV3' is not in the service's $metadata"),
        "{}",
        stderr(&revalidated)
    );

    // A stale ETag (an older document) gets the full document, which replaces the entry.
    without_customers(&cache, &root, Some("\"stale\""));
    let refreshed = get();
    assert!(refreshed.status.success(), "{}", stderr(&refreshed));
    assert!(has_customers(&cache, &root));
    assert_eq!(
        cache.load(&root).unwrap().etag.as_deref(),
        Some(etag.as_str())
    );
    demo.shutdown();
}

#[test]
fn service_root_urls_are_not_cached() {
    let (demo, root, home) = demo_and_home();
    let key = first_customer_key(&root);
    let output = flowbench(
        home.path(),
        &["get", "--instance", &root, "CustomersV3", &key],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        MetadataCache::new(home.path().join("cache/flowbench/metadata"))
            .load(&root)
            .is_none()
    );
    assert!(!home.path().join("cache/flowbench/metadata").exists());
    demo.shutdown();
}
