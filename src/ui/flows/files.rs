//! Flow files for the view: reading one (with its problems), its name, the examples.

use std::path::{Path, PathBuf};

use super::OpenFlow;
use crate::flow::file::FlowFile;
use crate::flow::validate::validate;

/// Reads and checks the flow at `path`; an unreadable file is an error, problems are not.
pub fn read_flow(path: &Path) -> Result<OpenFlow, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("Cannot read {}: {e}", path.display()))?;
    let file = FlowFile::parse(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let problems = validate(file.definition(), None, Some(&text))
        .iter()
        .map(ToString::to_string)
        .collect();
    Ok(OpenFlow {
        path: path.to_path_buf(),
        file,
        text,
        problems,
    })
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
