//! `flowbench serve FLOW`: a flow whose trigger is "When an HTTP request is received"
//! (`Request`) answers HTTP on loopback, as its endpoint does in the cloud, until Ctrl+C or
//! SIGTERM: call it from curl, Postman or a test; one line per run.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use clap::Args;
use tokio::sync::mpsc;

use super::connect::runtime;
use super::flow_input::parameter_values;
use super::flow_run::{Failure, check_against_instance, env_for, finish, load_flow, open_session};
use super::terminal::printable;
use crate::flow::history::RunHistory;
use crate::flow::triggers::http_request::{Endpoint, RequestSpec};
use crate::flow::triggers::watcher::WatchedFlow;

/// Arguments of `flowbench serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The flow file (its trigger: When an HTTP request is received).
    pub flow: PathBuf,
    /// The loopback port (0: a free one, printed).
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// The instance its connector steps use (saved name, URL or host).
    #[arg(long, value_name = "I", conflicts_with = "demo")]
    pub instance: Option<String>,
    /// Start the embedded demo instance for its connector steps.
    #[arg(long)]
    pub demo: bool,
    /// A definition parameter as `NAME=VALUE` (repeatable).
    #[arg(long = "param", value_name = "NAME=VALUE")]
    pub params: Vec<String>,
    /// Do not store the runs in the run history.
    #[arg(long)]
    pub no_history: bool,
}

/// Runs `flowbench serve`; the exit code is 0 after a clean stop.
pub fn run(args: &ServeArgs, token_env: Option<&str>) -> i32 {
    finish(serve(args, token_env))
}

fn serve(args: &ServeArgs, token_env: Option<&str>) -> Result<i32, Failure> {
    let loaded = load_flow(&args.flow)?;
    let spec = RequestSpec::of(loaded.flow.definition())
        .map_err(|e| Failure::Usage(format!("{}: {e}", loaded.file_name)))?;
    let parameters =
        parameter_values(loaded.flow.definition(), &args.params).map_err(Failure::Usage)?;
    let flow = WatchedFlow {
        name: loaded.name.clone(),
        definition: loaded.flow.definition().clone(),
        parameters,
        app_settings: crate::flow::app_settings::local_settings(&args.flow)
            .map_err(|e| Failure::Invalid(vec![e]))?,
    };
    let runtime = runtime()?;
    let session = open_session(args.demo, args.instance.as_deref(), &loaded.flow, token_env)?;
    let env = env_for(&runtime, session.as_ref())?;
    check_against_instance(&loaded.file_name, &loaded.text, &loaded.flow, &env)?;
    let history = if args.no_history {
        None
    } else {
        Some(Arc::new(Mutex::new(anyhow::Context::context(
            RunHistory::open_default(),
            super::flow_run::HISTORY_HINT,
        )?)))
    };
    let name = loaded.name.clone();
    runtime.block_on(async move {
        let (tx, mut runs) = mpsc::unbounded_channel();
        let endpoint = Endpoint::start(flow, env, args.port, history, tx)
            .await
            .map_err(Failure::Usage)?;
        let method = spec.method.as_deref().unwrap_or("any method");
        eprintln!(
            "{name}: listening on {} ({method}); Ctrl+C stops",
            endpoint.url(&spec)
        );
        let stop = super::flow_watch::stop_signal();
        tokio::pin!(stop);
        loop {
            tokio::select! {
                () = &mut stop => break,
                run = runs.recv() => match run {
                    Some(run) => {
                        let error = run
                            .error
                            .as_ref()
                            .map(|e| format!(": {}", printable(&e.message)))
                            .unwrap_or_default();
                        let answered = run
                            .response
                            .as_ref()
                            .and_then(|r| r.get("statusCode"))
                            .map(|s| format!(", answered {s}"))
                            .unwrap_or_default();
                        let _ = super::stdout::print_line(&format!(
                            "{name}: run {} {} in {} ms{answered}{error}",
                            run.id,
                            run.status.name(),
                            run.duration_ms
                        ));
                    }
                    None => break,
                },
            }
        }
        // Runs under way end after their current action and are stored.
        endpoint.stop(std::time::Duration::from_secs(30)).await;
        while let Ok(run) = runs.try_recv() {
            let _ = super::stdout::print_line(&format!(
                "{name}: run {} {} in {} ms",
                run.id,
                run.status.name(),
                run.duration_ms
            ));
        }
        eprintln!("{name}: stopped");
        Ok(super::exit::OK)
    })
}
