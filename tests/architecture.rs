//! Module boundaries of the design card: only `src/ui/` may use egui/eframe, and `demo/` and
//! `odata/` (the two sides of the wire) never import each other.

use std::path::{Path, PathBuf};

/// Crates that only `src/ui/` may name.
const GUI_CRATES: [&str; 4] = ["egui", "eframe", "egui_extras", "egui_kittest"];

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("source folder is readable") {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// Lines of `source` (1-based numbers) that use `crate_name` as a path root
/// (`use egui::…`, `egui::Ui`, `extern crate egui`), ignoring comment lines.
fn uses_of(source: &str, crate_name: &str) -> Vec<usize> {
    source
        .lines()
        .enumerate()
        .filter(|(_, line)| !line.trim_start().starts_with("//"))
        .filter(|(_, line)| names_path_root(line, crate_name))
        .map(|(i, _)| i + 1)
        .collect()
}

fn names_path_root(line: &str, name: &str) -> bool {
    let is_ident = |c: char| c.is_alphanumeric() || c == '_';
    let mut from = 0;
    while let Some(pos) = line[from..].find(name) {
        let start = from + pos;
        let end = start + name.len();
        let before_ok = !line[..start].ends_with(is_ident) && !line[..start].ends_with("::");
        let rest = &line[end..];
        let after_ok = rest.starts_with("::")
            || ((line.trim_start().starts_with("use ") || line.contains("extern crate"))
                && !rest.starts_with(is_ident));
        if before_ok && after_ok {
            return true;
        }
        from = end;
    }
    false
}

fn violations(dir: &Path, forbidden: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    for file in rust_files(dir) {
        let source = std::fs::read_to_string(&file).expect("source file is UTF-8");
        for name in forbidden {
            for line in uses_of(&source, name) {
                found.push(format!("{}:{line} uses `{name}`", file.display()));
            }
        }
    }
    found
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

#[test]
fn the_scanner_sees_gui_imports_and_ignores_comments() {
    assert_eq!(uses_of("use egui::Ui;", "egui"), vec![1]);
    assert_eq!(uses_of("fn f(ui: &mut egui::Ui) {}", "egui"), vec![1]);
    assert_eq!(
        uses_of(
            "use {eframe};\nlet x = 1;\n  eframe::run_native()",
            "eframe"
        ),
        vec![1, 3]
    );
    assert_eq!(uses_of("extern crate egui;", "egui"), vec![1]);
    assert_eq!(uses_of("use crate::odata::metadata;", "odata"), vec![]);
    assert_eq!(
        uses_of("use crate::odata::metadata;", "crate::odata"),
        vec![1]
    );
    assert!(uses_of("//! no egui here, no egui::Ui", "egui").is_empty());
    assert!(uses_of("let regui = my_egui_thing::x;", "egui").is_empty());
    assert!(uses_of("use egui_extras::TableBuilder;", "egui").is_empty());
}

#[test]
fn only_the_ui_module_uses_egui_or_eframe() {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(src()).unwrap() {
        let path = entry.unwrap().path();
        if path.file_name().is_some_and(|n| n == "ui") {
            continue;
        }
        if path.is_dir() {
            found.extend(violations(&path, &GUI_CRATES));
        } else if path.extension().is_some_and(|e| e == "rs") {
            let source = std::fs::read_to_string(&path).unwrap();
            for name in GUI_CRATES {
                for line in uses_of(&source, name) {
                    found.push(format!("{}:{line} uses `{name}`", path.display()));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "egui/eframe used outside src/ui/:\n{}",
        found.join("\n")
    );
}

#[test]
fn demo_and_odata_never_import_each_other() {
    let demo = violations(
        &src().join("demo"),
        &[
            "crate::odata",
            "flowbench::odata",
            "super::odata",
            "super::super::odata",
        ],
    );
    let odata = violations(
        &src().join("odata"),
        &[
            "crate::demo",
            "flowbench::demo",
            "super::demo",
            "super::super::demo",
        ],
    );
    assert!(
        demo.is_empty(),
        "demo/ imports odata/:\n{}",
        demo.join("\n")
    );
    assert!(
        odata.is_empty(),
        "odata/ imports demo/:\n{}",
        odata.join("\n")
    );
}
