//! Cost of the flow runner and of the expression evaluator.
//!
//! 1. A definition with `InitializeVariable` and a `Foreach` over `@range(0, 10000)` whose
//!    body holds a `Compose` (`concat` of `string`s) and a `SetVariable` (`add`), run
//!    through `flow::run::run_flow` as the CLI and the window run it (no instance): the
//!    per-action cost is the run's wall time over the 20 000 body actions. Scenarios: the
//!    loop marked sequential, the loop with its default options (the runner still runs it
//!    one iteration at a time because the body sets a variable), and a parallel loop
//!    (default concurrency 20) whose body is two `Compose`s.
//! 2. Expressions: parse + evaluate, evaluate of an already parsed expression, and the
//!    runner's path (`evaluate_value` on the definition string), in nanoseconds per
//!    evaluation.
//!
//! `cargo bench --bench flow_runner`; `FLOWBENCH_BENCH_ITERATIONS` sets the number of timed
//! runs per figure (default 5), `FLOWBENCH_BENCH_EVALS` the evaluations per timed run of an
//! expression (default 100 000). Every figure is one line on stdout:
//! `name<TAB>median<TAB>min<TAB>max<TAB>unit`; notes go to stderr. `per_action_cpu` counts
//! the CPU time of the thread that runs the flow only (`/proc/thread-self/schedstat`, updated
//! every scheduler tick: good for runs of 100 ms, not for one expression), apart from the
//! time other processes take on the shared cores.

use std::hint::black_box;
use std::time::Instant;

use flowbench::flow::expr::{evaluate, evaluate_value, parse};
use flowbench::flow::run::state::{LoopFrame, RunState};
use flowbench::flow::run::{Env, RunInputs, RunRecord, Status, run_flow};
use flowbench::odata::client::CancelToken;
use serde_json::{Map, Value, json};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Iterations of the loop.
const ITEMS: usize = 10_000;
/// Actions run per iteration.
const BODY_ACTIONS: usize = 2;

const COMPOSE: &str = "@concat('row ', string(items('Loop')), ': ', string(mul(items('Loop'), 2)))";
const SET_VARIABLE: &str = "@add(variables('total'), items('Loop'))";

/// How a loop is configured in a scenario.
#[derive(Clone, Copy)]
enum Loop {
    /// `operationOptions: Sequential`, Compose + SetVariable.
    Sequential,
    /// No options, Compose + SetVariable (the runner makes it sequential: the body sets a
    /// variable).
    Default,
    /// No options, two Composes (runs 20 iterations side by side).
    Parallel,
}

fn definition(kind: Loop) -> Map<String, Value> {
    let body = match kind {
        Loop::Sequential | Loop::Default => json!({
            "Row": {"type": "Compose", "inputs": COMPOSE, "runAfter": {}},
            "Add": {"type": "SetVariable", "inputs": {"name": "total", "value": SET_VARIABLE},
                "runAfter": {"Row": ["Succeeded"]}}
        }),
        Loop::Parallel => json!({
            "Row": {"type": "Compose", "inputs": COMPOSE, "runAfter": {}},
            "Size": {"type": "Compose", "inputs": "@add(length(outputs('Row')), items('Loop'))",
                "runAfter": {"Row": ["Succeeded"]}}
        }),
    };
    let mut foreach = json!({
        "type": "Foreach",
        "foreach": format!("@range(0, {ITEMS})"),
        "actions": body,
        "runAfter": {"Init": ["Succeeded"]}
    });
    if matches!(kind, Loop::Sequential) {
        foreach["operationOptions"] = json!("Sequential");
    }
    let definition = json!({
        "$schema": "https://schema.management.azure.com/providers/Microsoft.Logic/schemas/2016-06-01/workflowdefinition.json#",
        "contentVersion": "1.0.0.0",
        "triggers": {"manual": {"type": "Request", "kind": "Button", "inputs": {}}},
        "actions": {
            "Init": {"type": "InitializeVariable", "inputs": {"variables": [
                {"name": "total", "type": "integer", "value": 0}]}, "runAfter": {}},
            "Loop": foreach
        },
        "outputs": {}
    });
    match definition {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

fn env() -> Env {
    Env {
        client: None,
        model: None,
        instance: None,
        cancel: CancelToken::new(),
        observer: None,
    }
}

/// Checks that the run did what the scenario says (so the figure is of a real run).
fn check(kind: Loop, run: &RunRecord) {
    assert_eq!(run.status, Status::Succeeded, "{:?}", run.error);
    assert_eq!(run.actions.len(), ITEMS * BODY_ACTIONS + 2);
    if let Loop::Sequential | Loop::Default = kind {
        let last = run
            .actions
            .iter()
            .rev()
            .find(|a| a.name == "Add")
            .map(|a| a.outputs.clone());
        let sum = (0..ITEMS as i64).sum::<i64>();
        assert_eq!(last, Some(json!({"body": {"name": "total", "value": sum}})));
    }
}

/// CPU time of this thread in nanoseconds (`/proc/thread-self/schedstat`), so that a figure
/// can be read apart from the time other processes take the shared cores; `None` elsewhere.
fn thread_cpu_ns() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    text.split_whitespace().next()?.parse().ok()
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    }
}

/// Prints `name<TAB>median<TAB>min<TAB>max<TAB>unit`.
fn report(name: &str, values: &mut [f64], unit: &str) {
    let mid = median(values);
    let min = values.first().copied().unwrap_or(f64::NAN);
    let max = values.last().copied().unwrap_or(f64::NAN);
    println!("{name}\t{mid:.3}\t{min:.3}\t{max:.3}\t{unit}");
}

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&n| n > 0)
        .unwrap_or(default)
}

fn bench_runner(iterations: usize) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let env = env();
    for (label, kind) in [
        ("sequential", Loop::Sequential),
        ("default", Loop::Default),
        ("parallel", Loop::Parallel),
    ] {
        let definition = definition(kind);
        let inputs = || RunInputs {
            flow: "bench".into(),
            ..RunInputs::default()
        };
        // One run to warm up (allocator, caches), checked.
        let run = runtime.block_on(run_flow(&definition, inputs(), &env));
        check(kind, &run);
        drop(run);
        let mut per_action = Vec::with_capacity(iterations);
        let mut per_action_cpu = Vec::with_capacity(iterations);
        let mut totals = Vec::with_capacity(iterations);
        for _ in 0..iterations {
            let cpu = thread_cpu_ns();
            let started = Instant::now();
            let run = runtime.block_on(run_flow(&definition, inputs(), &env));
            let elapsed = started.elapsed();
            if let (Some(before), Some(after)) = (cpu, thread_cpu_ns()) {
                per_action_cpu.push((after - before) as f64 / 1e3 / (ITEMS * BODY_ACTIONS) as f64);
            }
            check(kind, &run);
            // Dropping the record is part of what a run costs, but keep it out of the time:
            // the CLI stores it first.
            drop(black_box(run));
            totals.push(elapsed.as_secs_f64() * 1e3);
            per_action.push(elapsed.as_secs_f64() * 1e6 / (ITEMS * BODY_ACTIONS) as f64);
        }
        report(
            &format!("runner/foreach_{label}/per_action"),
            &mut per_action,
            "us",
        );
        if !per_action_cpu.is_empty() {
            report(
                &format!("runner/foreach_{label}/per_action_cpu"),
                &mut per_action_cpu,
                "us",
            );
        }
        report(&format!("runner/foreach_{label}/total"), &mut totals, "ms");
    }
}

/// The scope the expressions read: variables `x` and `total`, the loop `Loop` on an
/// object item, a trigger body `{"a": "b"}`.
fn scope() -> RunState {
    let mut state = RunState::default();
    state.variables.insert("x".into(), json!(1));
    state.variables.insert("total".into(), json!(41));
    state.trigger = json!({"name": "manual", "outputs": {"headers": {}, "body": {"a": "b"}}});
    state.loops.push(LoopFrame {
        name: "Loop".into(),
        item: json!({"Name": "Contoso", "Id": 7}),
        index: 0,
    });
    state
}

fn bench_expressions(iterations: usize, evals: usize) {
    let state = scope();
    let cases = [
        ("add", "add(1, 2)"),
        ("variables", "variables('x')"),
        ("items_member", "items('Loop')?['Name']"),
        ("equals_trigger", "equals(triggerBody()?['a'], 'b')"),
        (
            "concat_string",
            "concat('row ', string(items('Loop')?['Id']), ': ', string(mul(items('Loop')?['Id'], 2)))",
        ),
        (
            "add_variable",
            "add(variables('total'), items('Loop')?['Id'])",
        ),
    ];
    for (label, text) in cases {
        let expr = parse(text).expect("the expression parses");
        let template = Value::String(format!("@{text}"));
        // Warm up and check that each evaluates.
        evaluate(&expr, &state).expect("the expression evaluates");
        evaluate_value(&template, &state).expect("the template evaluates");
        let mut parse_eval = Vec::with_capacity(iterations);
        let mut eval = Vec::with_capacity(iterations);
        let mut runner_path = Vec::with_capacity(iterations);
        for _ in 0..iterations {
            let started = Instant::now();
            for _ in 0..evals {
                let parsed = parse(black_box(text));
                if let Ok(parsed) = parsed {
                    let _ = black_box(evaluate(&parsed, &state));
                }
            }
            parse_eval.push(started.elapsed().as_secs_f64() * 1e9 / evals as f64);

            let started = Instant::now();
            for _ in 0..evals {
                let _ = black_box(evaluate(black_box(&expr), &state));
            }
            eval.push(started.elapsed().as_secs_f64() * 1e9 / evals as f64);

            let started = Instant::now();
            for _ in 0..evals {
                let _ = black_box(evaluate_value(black_box(&template), &state));
            }
            runner_path.push(started.elapsed().as_secs_f64() * 1e9 / evals as f64);
        }
        report(&format!("expr/{label}/parse_eval"), &mut parse_eval, "ns");
        report(&format!("expr/{label}/eval"), &mut eval, "ns");
        report(
            &format!("expr/{label}/evaluate_value"),
            &mut runner_path,
            "ns",
        );
    }
}

fn main() {
    let iterations = env_usize("FLOWBENCH_BENCH_ITERATIONS", 5);
    let evals = env_usize("FLOWBENCH_BENCH_EVALS", 100_000);
    let only = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    eprintln!(
        "flow_runner: {iterations} timed runs per figure, {ITEMS} iterations x {BODY_ACTIONS} actions, {evals} evaluations per expression run"
    );
    if only.as_deref().is_none_or(|o| o == "runner") {
        bench_runner(iterations);
    }
    if only.as_deref().is_none_or(|o| o == "expr") {
        bench_expressions(iterations, evals);
    }
}
