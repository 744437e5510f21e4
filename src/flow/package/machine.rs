//! What must not leave this machine in an exported package: addresses of this machine
//! (loopback, `localhost`), paths of its file system (the user's home, temporary folders,
//! Flowbench's own folders, drive letters) and credentials (bearer tokens, JWTs, client
//! secrets in URLs).

use std::sync::OnceLock;

use regex::Regex;
use serde_json::{Map, Value};

use super::Note;

struct Patterns {
    loopback: Regex,
    path: Regex,
    token: Regex,
}

fn patterns() -> Option<&'static Patterns> {
    static PATTERNS: OnceLock<Option<Patterns>> = OnceLock::new();
    PATTERNS
        .get_or_init(|| {
            Some(Patterns {
                loopback: Regex::new(
                    r"(?i)(?:^|[^A-Za-z0-9.-])((?:127\.\d{1,3}\.\d{1,3}\.\d{1,3}|localhost|\[::1\]|0\.0\.0\.0)(?::\d+)?)(?:$|[^A-Za-z0-9.-])",
                )
                .ok()?,
                path: Regex::new(
                    r#"(?:^|[\s'"(=,])((?:/(?:home|Users|tmp|root|var/folders|var/tmp|mnt|media|private)/[^\s'"]*)|(?:[A-Za-z]:\\[^\s'"]*)|(?:\\\\[A-Za-z0-9._-]+\\[^\s'"]*)|(?:file://[^\s'"]*))"#,
                )
                .ok()?,
                token: Regex::new(
                    r"(?i)(eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*|bearer\s+[A-Za-z0-9._~+/=-]{16,}|client_secret=[^&\s]+|(?:access|refresh)_token=[^&\s]+)",
                )
                .ok()?,
            })
        })
        .as_ref()
}

/// Every string of the definition that holds something of this machine, with where.
pub fn scan(definition: &Map<String, Value>) -> Vec<Note> {
    let mut found = Vec::new();
    for (key, value) in definition {
        walk(key, value, &mut found);
    }
    found
}

/// The same for one value found at `at`.
pub fn scan_value(at: &str, value: &Value) -> Vec<Note> {
    let mut found = Vec::new();
    walk(at, value, &mut found);
    found
}

fn walk(at: &str, value: &Value, found: &mut Vec<Note>) {
    match value {
        Value::String(text) => {
            if let Some(what) = what_of_this_machine(text) {
                found.push(Note {
                    at: at.to_owned(),
                    message: what,
                });
            }
        }
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                walk(&format!("{at}[{index}]"), item, found);
            }
        }
        Value::Object(map) => {
            for (key, item) in map {
                walk(&format!("{at}.{key}"), item, found);
            }
        }
        _ => {}
    }
}

/// What in `text` belongs to this machine, described, or `None`.
pub fn what_of_this_machine(text: &str) -> Option<String> {
    let patterns = patterns()?;
    if let Some(m) = patterns.token.find(text) {
        let shown: String = m.as_str().chars().take(12).collect();
        return Some(format!(
            "a credential ({shown}…): remove it; the cloud signs in through the connection"
        ));
    }
    if let Some(m) = patterns.loopback.captures(text).and_then(|c| c.get(1)) {
        return Some(format!(
            "an address of this machine ({}): the cloud cannot reach it; make it a parameter or use the instance's own address",
            m.as_str()
        ));
    }
    if let Some(m) = patterns.path.captures(text).and_then(|c| c.get(1)) {
        return Some(format!(
            "a path on this machine ({}): the cloud has no such file; make it a parameter",
            m.as_str()
        ));
    }
    for dir in own_folders() {
        if text == dir.as_str() || text.contains(&format!("{dir}/")) {
            return Some(format!(
                "a path on this machine ({dir}): the cloud has no such file; make it a parameter"
            ));
        }
    }
    None
}

fn own_folders() -> &'static [String] {
    static FOLDERS: OnceLock<Vec<String>> = OnceLock::new();
    FOLDERS.get_or_init(|| {
        let mut folders = Vec::new();
        if let Some(home) = directories::BaseDirs::new() {
            let home = home.home_dir().to_string_lossy().into_owned();
            if home.len() > 1 {
                folders.push(home);
            }
        }
        folders.push(std::env::temp_dir().to_string_lossy().into_owned());
        folders.retain(|f| f.len() > 4);
        folders
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn addresses_paths_and_tokens_of_this_machine_are_found() {
        let definition = json!({
            "actions": {
                "Call_demo": {"type": "Http", "inputs": {"uri": "http://127.0.0.1:8080/data/CustomersV3"}},
                "Local": {"type": "Compose", "inputs": "https://localhost/x"},
                "Read": {"type": "Compose", "inputs": "/home/ana/rows.csv"},
                "Win": {"type": "Compose", "inputs": "C:\\Users\\ana\\rows.csv"},
                "Auth": {"type": "Http", "inputs": {"headers": {"Authorization": "Bearer abcdefghijklmnopqrstuvwxyz0123"}}},
                "Jwt": {"type": "Compose", "inputs": "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjM0NSJ9.c2lnbmF0dXJl"},
                "Fine": {"type": "Compose", "inputs": "https://contoso.operations.dynamics.com/data/CustomersV3 and 127 items, localhostname.example"}
            }
        });
        let found = scan(definition.as_object().unwrap());
        let places: Vec<&str> = found.iter().map(|n| n.at.as_str()).collect();
        assert_eq!(
            places,
            [
                "actions.Call_demo.inputs.uri",
                "actions.Local.inputs",
                "actions.Read.inputs",
                "actions.Win.inputs",
                "actions.Auth.inputs.headers.Authorization",
                "actions.Jwt.inputs"
            ]
        );
        assert!(
            found[0].message.contains("127.0.0.1:8080"),
            "{}",
            found[0].message
        );
        assert!(
            !found[4].message.contains("abcdefghijklmnop"),
            "{}",
            found[4].message
        );
    }
}
