//! Helpers shared by the metadata integration tests: fixture paths and an independent
//! tag counter that scans the XML text without any XML library.

#![allow(dead_code)] // each test binary uses a different subset of these helpers

use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The folder holding the copied `$metadata` fixtures.
pub fn metadata_fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/metadata")
}

/// Every `.xml` fixture under `tests/fixtures/metadata`, sorted.
pub fn metadata_fixtures() -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut dirs = vec![metadata_fixture_dir()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("fixture dir readable") {
            let path = entry.expect("dir entry").path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "xml") {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

/// One fixture by its path relative to `tests/fixtures/metadata`.
pub fn fixture(relative: &str) -> Vec<u8> {
    std::fs::read(metadata_fixture_dir().join(relative)).expect("fixture readable")
}

/// Counts start tags (`<Name …>` and `<Name …/>`) by local name with a plain text scan:
/// comments, CDATA sections, processing instructions, declarations and end tags are
/// stepped over; a `prefix:` before the name is dropped.
pub fn count_start_tags(xml: &str) -> HashMap<String, usize> {
    let mut counts = HashMap::new();
    let mut rest = xml;
    while let Some(lt) = rest.find('<') {
        rest = &rest[lt..];
        let skip_to = |rest: &str, end: &str| rest.find(end).map_or(rest.len(), |i| i + end.len());
        if rest.starts_with("<!--") {
            rest = &rest[skip_to(rest, "-->")..];
        } else if rest.starts_with("<![CDATA[") {
            rest = &rest[skip_to(rest, "]]>")..];
        } else if rest.starts_with("<?") {
            rest = &rest[skip_to(rest, "?>")..];
        } else if rest.starts_with("<!") || rest.starts_with("</") {
            rest = &rest[skip_to(rest, ">")..];
        } else {
            let name_end = rest[1..]
                .find(|c: char| c.is_whitespace() || c == '/' || c == '>')
                .map_or(rest.len(), |i| i + 1);
            let name = &rest[1..name_end];
            let local = name.rsplit(':').next().unwrap_or(name);
            *counts.entry(local.to_owned()).or_insert(0) += 1;
            rest = &rest[name_end..];
        }
    }
    counts
}

/// The count of start tags with local name `name` (0 when absent).
pub fn tags(counts: &HashMap<String, usize>, name: &str) -> usize {
    counts.get(name).copied().unwrap_or(0)
}
