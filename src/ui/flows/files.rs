//! Flow files for the view: reading one (with its problems), its name, the examples.

use std::path::{Path, PathBuf};

use super::OpenFlow;
use crate::flow::file::FlowFile;

/// Reads and checks the flow at `path`; an unreadable file is an error, problems are not.
pub fn read_flow(path: &Path) -> Result<OpenFlow, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("Cannot read {}: {e}", path.display()))?;
    let file = FlowFile::parse(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut open = OpenFlow {
        path: path.to_path_buf(),
        file,
        relaxed_json: crate::flow::jsonc::is_relaxed(&text),
        text,
        problems: Vec::new(),
        warnings: Vec::new(),
    };
    open.check(None);
    Ok(open)
}

/// The open flow's name, as the run history knows it.
pub fn flow_name(open: &OpenFlow) -> String {
    open.file.name_for(&open.path)
}

/// The example flows shipped in `assets/flows/` (label, path), when present.
pub fn example_flows() -> Vec<(String, PathBuf)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/flows");
    let mut found = Vec::new();
    let mut stack = vec![dir.clone()];
    while let Some(next) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&next) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "json")
                && path.file_name().is_some_and(|n| n != "connections.json")
            {
                let label = path
                    .strip_prefix(&dir)
                    .unwrap_or(&path)
                    .display()
                    .to_string();
                found.push((label, path));
            }
        }
    }
    found.sort();
    found
}

/// Where the unsaved edits of the flow at `path` are kept between sessions.
fn autosave_path(path: &Path) -> Option<PathBuf> {
    use sha2::Digest as _;
    let dir = match std::env::var_os("FLOWBENCH_DATA_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => directories::ProjectDirs::from("", "", "flowbench")?
            .data_dir()
            .to_path_buf(),
    };
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let digest = sha2::Sha256::digest(absolute.display().to_string().as_bytes());
    let name: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
    Some(dir.join("autosave").join(format!("{name}.json")))
}

/// Keeps the unsaved `definition` of the flow at `path` (atomically).
pub fn autosave(
    path: &Path,
    definition: &serde_json::Map<String, serde_json::Value>,
) -> Result<(), String> {
    let target = autosave_path(path).ok_or("no data directory")?;
    let dir = target.parent().ok_or("no data directory")?;
    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    let file = FlowFile::from_document(serde_json::Value::Object(definition.clone()))
        .map_err(|e| e.to_string())?;
    file.save(&target).map_err(|e| e.to_string())
}

/// The unsaved definition kept for the flow at `path`, if any.
pub fn autosaved(path: &Path) -> Option<serde_json::Map<String, serde_json::Value>> {
    let text = std::fs::read_to_string(autosave_path(path)?).ok()?;
    match serde_json::from_str(&text).ok()? {
        serde_json::Value::Object(map) => Some(map),
        _ => None,
    }
}

/// Drops the unsaved edits kept for the flow at `path` (it was saved).
pub fn forget_autosave(path: &Path) {
    if let Some(target) = autosave_path(path) {
        let _ = std::fs::remove_file(target);
    }
}
