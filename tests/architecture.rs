//! Module boundaries (see `ARCHITECTURE.md`): only `src/ui/` uses egui/eframe; the window
//! and the command line never import each other; the layers under them (connector, flow,
//! odata, auth) import neither; `odata/` does not import `auth/`; `demo/` and `odata/` (the
//! two sides of the wire) never import each other; the top-level modules form no circle.
//! Every failure names the offending file and line.

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

/// The ways a file can name the top-level module `module`.
fn paths_to(module: &str) -> Vec<String> {
    [
        "crate::",
        "flowbench::",
        "super::",
        "super::super::",
        "super::super::super::",
    ]
    .iter()
    .map(|prefix| format!("{prefix}{module}"))
    .collect()
}

/// Files of `src/{from}/` that name any module in `forbidden`.
fn imports_of(from: &str, forbidden: &[&str]) -> Vec<String> {
    let dir = src().join(from);
    let names: Vec<String> = forbidden.iter().flat_map(|m| paths_to(m)).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    violations(&dir, &names)
}

fn assert_no_imports(from: &str, forbidden: &[&str]) {
    let found = imports_of(from, forbidden);
    assert!(
        found.is_empty(),
        "{from}/ must not import {}:\n{}",
        forbidden.join(" or "),
        found.join("\n")
    );
}

#[test]
fn the_window_and_the_command_line_never_import_each_other() {
    assert_no_imports("ui", &["cli"]);
    assert_no_imports("cli", &["ui"]);
}

#[test]
fn the_layers_under_the_front_ends_import_neither_front_end() {
    for layer in ["connector", "odata", "auth", "flow", "demo"] {
        assert_no_imports(layer, &["ui", "cli"]);
    }
}

#[test]
fn the_odata_engine_does_not_import_sign_in() {
    assert_no_imports("odata", &["auth", "connector", "flow"]);
}

#[test]
fn flows_run_connector_steps_through_the_connector_layer() {
    // The flow runner may use the connector layer (and the OData types it exposes), never
    // the window or the command line.
    assert_no_imports("flow", &["ui", "cli", "demo"]);
}

#[test]
fn the_scanner_sees_every_form_of_a_module_path() {
    let source = "use crate::cli::output;\nuse super::super::ui::theme;\n// crate::ui in a comment";
    let names = paths_to("ui");
    let hits: Vec<usize> = names.iter().flat_map(|n| uses_of(source, n)).collect();
    assert_eq!(hits, vec![2]);
    assert_eq!(uses_of(source, "crate::cli"), vec![1]);
}

/// The top-level modules each module imports (`crate::x`, `flowbench::x`), with one
/// file and line where it does.
fn module_edges() -> Vec<(String, String, String)> {
    let modules: Vec<String> = std::fs::read_dir(src())
        .expect("src/ is readable")
        .filter_map(|e| {
            let path = e.expect("directory entry").path();
            let name = path.file_name()?.to_string_lossy().into_owned();
            path.is_dir().then_some(name)
        })
        .collect();
    let mut edges = Vec::new();
    for from in &modules {
        for to in modules.iter().filter(|to| *to != from) {
            let names = [format!("crate::{to}"), format!("flowbench::{to}")];
            let names: Vec<&str> = names.iter().map(String::as_str).collect();
            if let Some(first) = violations(&src().join(from), &names).into_iter().next() {
                edges.push((from.clone(), to.clone(), first));
            }
        }
    }
    edges
}

#[test]
fn the_top_level_modules_form_no_circle() {
    let edges = module_edges();
    // Depth-first search for a path back to the start, for each module.
    fn path_back(
        edges: &[(String, String, String)],
        start: &str,
        at: &str,
        seen: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        for (from, to, site) in edges.iter().filter(|(from, _, _)| from == at) {
            let step = format!("{from} -> {to} ({site})");
            if to == start {
                return Some(vec![step]);
            }
            if !seen.contains(to) {
                seen.push(to.clone());
                if let Some(mut rest) = path_back(edges, start, to, seen) {
                    rest.insert(0, step);
                    return Some(rest);
                }
            }
        }
        None
    }
    for (module, _, _) in &edges {
        if let Some(circle) = path_back(&edges, module, module, &mut Vec::new()) {
            panic!(
                "modules import each other in a circle:\n{}",
                circle.join("\n")
            );
        }
    }
}

/// The "may import" column of the module table in `ARCHITECTURE.md`, by module name.
fn documented_imports() -> Vec<(String, Vec<String>)> {
    let doc =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("ARCHITECTURE.md"))
            .expect("ARCHITECTURE.md is readable");
    doc.lines()
        .filter_map(|line| {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            // | `src/x/` | owns | may import |
            let module = cells.get(1)?.strip_prefix("`src/")?.strip_suffix("/`")?;
            let allowed = cells.get(3)?;
            let names = allowed
                .split('`')
                .skip(1)
                .step_by(2)
                .map(str::to_owned)
                .collect();
            Some((module.to_owned(), names))
        })
        .collect()
}

#[test]
fn every_module_imports_only_what_architecture_md_says_it_may() {
    let documented = documented_imports();
    let edges = module_edges();
    let mut undocumented = Vec::new();
    for (from, to, site) in &edges {
        match documented.iter().find(|(module, _)| module == from) {
            None => undocumented.push(format!("{from}/ has no row in ARCHITECTURE.md")),
            Some((_, allowed)) if !allowed.contains(to) => {
                undocumented.push(format!("{from} -> {to} ({site}) is not in its row"));
            }
            Some(_) => {}
        }
    }
    undocumented.dedup();
    assert!(
        undocumented.is_empty(),
        "imports ARCHITECTURE.md does not allow:\n{}",
        undocumented.join("\n")
    );
    // And every top-level module has its row.
    for (module, _, _) in &edges {
        assert!(
            documented.iter().any(|(m, _)| m == module),
            "{module}/ has no row"
        );
    }
    assert!(
        documented.len() >= 7,
        "the module table was not found: {documented:?}"
    );
}
