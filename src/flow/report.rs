//! Reports of runs for CI: JUnit XML (a test case per run, a failed assertion as a
//! `failure`, a failed action as an `error`) and JSON (the run records).

use super::run::{RunRecord, Status, record::ASSERTION_FAILED};

/// One run with the name its test case gets (the flow, and the data row when data-driven).
pub struct NamedRun<'a> {
    /// The test case's name.
    pub name: String,
    /// The run.
    pub run: &'a RunRecord,
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 cannot hold.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => out.push('?'),
            c => out.push(c),
        }
    }
    out
}

/// The runs as a JUnit XML document.
pub fn junit(suite: &str, runs: &[NamedRun<'_>]) -> String {
    let failures = runs
        .iter()
        .filter(|r| !r.run.failed_assertions().is_empty())
        .count();
    let errors = runs
        .iter()
        .filter(|r| r.run.status != Status::Succeeded && r.run.failed_assertions().is_empty())
        .count();
    let seconds = |ms: u64| format!("{:.3}", ms as f64 / 1000.0);
    let total: u64 = runs.iter().map(|r| r.run.duration_ms).sum();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!(
        "<testsuites name=\"{}\" tests=\"{}\" failures=\"{failures}\" errors=\"{errors}\" time=\"{}\">\n",
        escape(suite),
        runs.len(),
        seconds(total)
    ));
    out.push_str(&format!(
        "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failures}\" errors=\"{errors}\" time=\"{}\">\n",
        escape(suite),
        runs.len(),
        seconds(total)
    ));
    for named in runs {
        let run = named.run;
        out.push_str(&format!(
            "    <testcase name=\"{}\" classname=\"{}\" time=\"{}\">\n",
            escape(&named.name),
            escape(&run.flow),
            seconds(run.duration_ms)
        ));
        let assertions = run.failed_assertions();
        if !assertions.is_empty() {
            for action in assertions {
                let message = action.error.as_ref().map_or("", |e| e.message.as_str());
                out.push_str(&format!(
                    "      <failure type=\"{ASSERTION_FAILED}\" message=\"{}\">{}</failure>\n",
                    escape(message),
                    escape(&format!("action {}: {message}", action.name))
                ));
            }
        } else if run.status != Status::Succeeded {
            let (code, message) = run
                .error
                .as_ref()
                .map_or(("Failed", ""), |e| (e.code.as_str(), e.message.as_str()));
            let failed: Vec<String> = run
                .actions
                .iter()
                .filter(|a| matches!(a.status, Status::Failed | Status::TimedOut))
                .map(|a| {
                    format!(
                        "action {} ({}): {}",
                        a.name,
                        a.status.name(),
                        a.error.as_ref().map_or("", |e| e.message.as_str())
                    )
                })
                .collect();
            out.push_str(&format!(
                "      <error type=\"{}\" message=\"{}\">{}</error>\n",
                escape(code),
                escape(message),
                escape(&failed.join("\n"))
            ));
        }
        out.push_str(&format!(
            "      <system-out>run {} · {} · {} actions</system-out>\n",
            escape(&run.id),
            run.status.name(),
            run.actions.len()
        ));
        out.push_str("    </testcase>\n");
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

/// The runs as a JSON array of run records.
pub fn json(runs: &[NamedRun<'_>]) -> String {
    let list: Vec<serde_json::Value> = runs
        .iter()
        .map(|r| {
            let mut value = serde_json::to_value(r.run).unwrap_or_default();
            if let Some(map) = value.as_object_mut() {
                map.insert("testName".into(), serde_json::Value::String(r.name.clone()));
            }
            value
        })
        .collect();
    serde_json::to_string_pretty(&list).unwrap_or_default()
}
