//! Automatic triggers against the demo instance on 127.0.0.1: a business event flow
//! registers its webhook, runs once per delivered event and unregisters; a stale
//! registration is removed at start; polling starts one run per created or changed record,
//! also across a stop and a start; recurrence fires at its computed times on a test clock;
//! a sliding window runs each ended window once, catching up missed ones after a restart.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use flowbench::auth::StaticTokenProvider;
use flowbench::demo::{DemoConfig, DemoServer, RunningDemo};
use flowbench::flow::history::RunHistory;
use flowbench::flow::run::{Env, Status};
use flowbench::flow::triggers::clock::{Clock, ManualClock};
use flowbench::flow::triggers::state::TriggerState;
use flowbench::flow::triggers::watcher::{WatchEvent, WatchOptions, WatchedFlow, Watcher};
use flowbench::flow::triggers::webhook::{hook_for, registrations};
use flowbench::odata::client::{CancelToken, ODataClient};
use serde_json::{Map, Value, json};
use tokio::sync::mpsc;

/// Upper bound for one expected watch event.
const WAIT: Duration = Duration::from_secs(30);

struct Fixture {
    demo: RunningDemo,
    client: ODataClient,
    env: Env,
    dir: tempfile::TempDir,
}

async fn fixture() -> Fixture {
    let demo = DemoServer::start(DemoConfig {
        rows: 3,
        ..DemoConfig::default()
    })
    .await
    .expect("demo starts");
    let client = ODataClient::new(
        demo.service_root(),
        Arc::new(StaticTokenProvider::default()),
    )
    .expect("client");
    let model = client.metadata().await.expect("metadata");
    let env = Env {
        client: Some(client.clone()),
        model: Some(Arc::new(model)),
        instance: Some("demo".to_owned()),
        cancel: CancelToken::new(),
        observer: None,
    };
    Fixture {
        demo,
        client,
        env,
        dir: tempfile::tempdir().expect("temp dir"),
    }
}

impl Fixture {
    fn options(&self, clock: Clock) -> WatchOptions {
        WatchOptions {
            clock,
            state: Arc::new(Mutex::new(
                TriggerState::open(&self.dir.path().join("triggers.sqlite")).expect("state"),
            )),
            history: Some(Arc::new(Mutex::new(self.history()))),
        }
    }

    fn history(&self) -> RunHistory {
        RunHistory::open(&self.dir.path().join("runs.sqlite")).expect("history")
    }

    async fn create_customer(&self, account: &str, group: &str) {
        self.client
            .create_record(
                "CustomersV3",
                &json!({"dataAreaId": "usmf", "CustomerAccount": account, "OrganizationName": format!("Org {account}"), "CustomerGroupId": group, "SalesCurrencyCode": "USD"}),
            )
            .await
            .expect("customer created");
    }
}

fn flow(name: &str, definition: Value) -> WatchedFlow {
    WatchedFlow {
        name: name.to_owned(),
        definition: definition.as_object().cloned().expect("object"),
        parameters: Map::new(),
        app_settings: Map::new(),
    }
}

async fn next_event(
    events: &mut mpsc::UnboundedReceiver<WatchEvent>,
    wanted: impl Fn(&WatchEvent) -> bool,
) -> WatchEvent {
    loop {
        let event = tokio::time::timeout(WAIT, events.recv())
            .await
            .expect("the watch event came in time")
            .expect("the watch is alive");
        if let WatchEvent::Problem { message, .. } = &event {
            panic!("the watch reported a problem: {message}");
        }
        eprintln!("{event:?}");
        if wanted(&event) {
            return event;
        }
    }
}

/// Waits for `count` finished runs; returns their ids.
async fn finished_runs(
    events: &mut mpsc::UnboundedReceiver<WatchEvent>,
    count: usize,
) -> Vec<String> {
    let mut ids = Vec::new();
    while ids.len() < count {
        if let WatchEvent::RunFinished {
            run_id,
            status,
            error,
            ..
        } = next_event(events, |e| matches!(e, WatchEvent::RunFinished { .. })).await
        {
            assert_eq!(status, Status::Succeeded, "run failed: {error:?}");
            ids.push(run_id);
        }
    }
    ids
}

fn business_event_flow() -> Value {
    json!({
        "triggers": {
            "When_a_Business_Event_occurs": {
                "type": "ApiConnectionWebhook",
                "inputs": {
                    "host": {"connection": {"name": "@parameters('$connections')['dynamicsax']['connectionId']"}},
                    "body": {"NotificationUrl": "@{listCallbackUrl()}"},
                    "path": "/datasets/@{encodeURIComponent(encodeURIComponent('demo'))}/subscribebusinessevent/@{encodeURIComponent(encodeURIComponent('CustomerCreatedBusinessEvent'))}",
                    "queries": {"businesseventcategory": "Accounts receivable", "legalEntity": "usmf"}
                }
            }
        },
        "actions": {
            "From_data": {"type": "Compose", "inputs": "@json(triggerBody()?['data'])?['CustomerAccount']", "runAfter": {}},
            "From_fields": {"type": "Compose", "inputs": "@triggerBody()?['CustomerAccount']", "runAfter": {"From_data": ["Succeeded"]}}
        }
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_business_event_flow_registers_runs_per_event_and_unregisters() {
    let fx = fixture().await;
    let hook = hook_for("New customer");
    // A registration a crashed session left behind.
    fx.client
        .create_record(
            "BusinessEventsEndpoints",
            &json!({"BusinessEventId": "CustomerCreatedBusinessEvent", "EndpointUrl": format!("http://127.0.0.1:9/flowbench/hooks/{hook}")}),
        )
        .await
        .expect("stale registration made");
    assert_eq!(
        registrations(&fx.client, &hook)
            .await
            .expect("listed")
            .len(),
        1
    );

    let (tx, mut events) = mpsc::unbounded_channel();
    let watcher = Watcher::start(
        vec![flow("New customer", business_event_flow())],
        fx.env.clone(),
        fx.options(Clock::System),
        tx,
    )
    .await
    .expect("the flow is turned on");
    let cleaned = next_event(&mut events, |e| matches!(e, WatchEvent::Cleaned { .. })).await;
    assert_eq!(
        cleaned,
        WatchEvent::Cleaned {
            flow: "New customer".into(),
            removed: 1
        }
    );
    let on = next_event(&mut events, |e| matches!(e, WatchEvent::On { .. })).await;
    let live = registrations(&fx.client, &hook).await.expect("listed");
    assert_eq!(live.len(), 1, "the stale one is gone, the new one is there");
    assert!(live[0].url.starts_with("http://127.0.0.1:") && !live[0].url.contains(":9/"));
    assert!(matches!(&on, WatchEvent::On { detail, .. } if detail.contains(&live[0].url)));

    fx.create_customer("TRG-001", "10").await;
    let runs = finished_runs(&mut events, 1).await;
    let run = fx.history().get(&runs[0]).expect("read").expect("stored");
    let output = |name: &str| {
        run.actions
            .iter()
            .find(|a| a.name == name)
            .map(|a| a.outputs.clone())
            .expect("action ran")
    };
    assert_eq!(output("From_data"), json!("TRG-001"));
    assert_eq!(output("From_fields"), json!("TRG-001"));
    assert_eq!(
        run.trigger.pointer("/outputs/body/BusinessEventId"),
        Some(&json!("CustomerCreatedBusinessEvent"))
    );

    watcher.stop().await;
    assert!(
        registrations(&fx.client, &hook)
            .await
            .expect("listed")
            .is_empty(),
        "turning the flow off removes its registration"
    );
    fx.demo.shutdown().await.expect("demo stops");
}

fn polling_flow() -> Value {
    json!({
        "triggers": {
            "When_a_customer_is_created_or_changed": {
                "type": "OpenApiConnection",
                "recurrence": {"frequency": "Minute", "interval": 1},
                "splitOn": "@triggerOutputs()?['body/value']",
                "conditions": [{"expression": "@equals(triggerBody()?['CustomerGroupId'], '10')"}],
                "inputs": {
                    "host": {"apiId": "/providers/Microsoft.PowerApps/apis/shared_dynamicsax", "connectionName": "shared_dynamicsax", "operationId": "GetOnUpdatedItems"},
                    "parameters": {"dataset": "demo", "table": "CustomersV3", "watermarkField": "ModifiedDateTime"}
                }
            }
        },
        "actions": {
            "Account": {"type": "Compose", "inputs": "@{triggerBody()?['CustomerAccount']} @{triggerBody()?['OrganizationName']}", "runAfter": {}}
        }
    })
}

/// The `Account` output of every stored run, sorted.
fn accounts_run(fx: &Fixture) -> Vec<String> {
    let history = fx.history();
    let mut out: Vec<String> = history
        .list(100)
        .expect("listed")
        .iter()
        .map(|summary| history.get(&summary.id).expect("read").expect("stored"))
        .filter_map(|run| {
            run.actions
                .iter()
                .find(|a| a.name == "Account")
                .and_then(|a| a.outputs.as_str().map(str::to_owned))
        })
        .collect();
    out.sort();
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn polling_starts_one_run_per_change_also_across_a_restart() {
    let fx = fixture().await;
    let start: DateTime<Utc> = Utc::now();
    let clock = ManualClock::new(start);
    let flows = || vec![flow("Customer changes", polling_flow())];

    let (tx, mut events) = mpsc::unbounded_channel();
    let watcher = Watcher::start(
        flows(),
        fx.env.clone(),
        fx.options(Clock::Manual(clock.clone())),
        tx,
    )
    .await
    .expect("on");
    let baseline = next_event(&mut events, |e| matches!(e, WatchEvent::Polled { .. })).await;
    assert!(
        matches!(baseline, WatchEvent::Polled { changes: 0, next: Some(next), .. } if next == start + chrono::Duration::minutes(1)),
        "the first poll is the baseline"
    );

    fx.create_customer("POLL-1", "10").await;
    fx.create_customer("POLL-2", "20").await; // fails the trigger condition
    // The demo stamps whole seconds: let the next change fall in a later second.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    clock.set(start + chrono::Duration::minutes(1));
    let polled = next_event(&mut events, |e| matches!(e, WatchEvent::Polled { .. })).await;
    assert!(
        matches!(polled, WatchEvent::Polled { changes: 2, .. }),
        "{polled:?}"
    );
    finished_runs(&mut events, 1).await;
    // A poll with nothing new starts nothing.
    clock.set(start + chrono::Duration::minutes(2));
    let quiet = next_event(&mut events, |e| matches!(e, WatchEvent::Polled { .. })).await;
    assert!(
        matches!(quiet, WatchEvent::Polled { changes: 0, .. }),
        "{quiet:?}"
    );
    watcher.stop().await;

    // Changes while the watcher is stopped are found by the first poll after the restart.
    fx.client
        .update_record(
            "CustomersV3",
            "dataAreaId='usmf',CustomerAccount='POLL-1'",
            json!({"OrganizationName": "Renamed"})
                .as_object()
                .expect("object"),
            None,
        )
        .await
        .expect("updated");
    fx.create_customer("POLL-3", "10").await;
    let (tx, mut events) = mpsc::unbounded_channel();
    let watcher = Watcher::start(
        flows(),
        fx.env.clone(),
        fx.options(Clock::Manual(clock.clone())),
        tx,
    )
    .await
    .expect("on again");
    let polled = next_event(&mut events, |e| matches!(e, WatchEvent::Polled { .. })).await;
    assert!(
        matches!(polled, WatchEvent::Polled { changes: 2, .. }),
        "{polled:?}"
    );
    finished_runs(&mut events, 2).await;
    clock.set(start + chrono::Duration::minutes(3));
    let quiet = next_event(&mut events, |e| matches!(e, WatchEvent::Polled { .. })).await;
    assert!(matches!(quiet, WatchEvent::Polled { changes: 0, .. }));
    watcher.stop().await;

    assert_eq!(
        accounts_run(&fx),
        vec!["POLL-1 Org POLL-1", "POLL-1 Renamed", "POLL-3 Org POLL-3"],
        "one run per change of a group-10 customer, none twice"
    );
    fx.demo.shutdown().await.expect("demo stops");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recurrence_fires_at_its_computed_times_on_a_test_clock() {
    let fx = fixture().await;
    let start: DateTime<Utc> = "2026-03-02T08:50:00Z".parse().expect("time");
    let clock = ManualClock::new(start);
    // Every day at 09:00 and 17:30 Pacific time (UTC-8 in March before the DST change).
    let definition = json!({
        "triggers": {"Recurrence": {"type": "Recurrence", "recurrence": {
            "frequency": "Day", "interval": 1, "timeZone": "Pacific Standard Time",
            "startTime": "2026-03-01T00:00:00",
            "schedule": {"hours": ["9", "17"], "minutes": [0, 30]}
        }}},
        "actions": {"At": {"type": "Compose", "inputs": "@trigger()?['scheduledTime']", "runAfter": {}},
            "Where": {"type": "Compose", "inputs": "@appsetting('Region')", "runAfter": {"At": ["Succeeded"]}}}
    });
    let (tx, mut events) = mpsc::unbounded_channel();
    // A Standard project's settings reach the runs the watcher starts.
    let mut twice = flow("Twice a day", definition);
    twice.app_settings.insert("Region".to_owned(), json!("eu"));
    let watcher = Watcher::start(
        vec![twice],
        fx.env.clone(),
        fx.options(Clock::Manual(clock.clone())),
        tx,
    )
    .await
    .expect("on");
    next_event(&mut events, |e| matches!(e, WatchEvent::On { .. })).await;
    // A day and a half later: 09:00, 09:30, 17:00, 17:30 of 2 March (PST) have passed.
    clock.set("2026-03-03T04:00:00Z".parse().expect("time"));
    let ids = finished_runs(&mut events, 4).await;
    watcher.stop().await;
    let history = fx.history();
    let mut fired: Vec<String> = ids
        .iter()
        .map(|id| history.get(id).expect("read").expect("stored"))
        .map(|run| {
            let output = |name: &str| {
                run.actions
                    .iter()
                    .find(|a| a.name == name)
                    .and_then(|a| a.outputs.as_str())
                    .unwrap_or_default()
                    .to_owned()
            };
            assert_eq!(output("Where"), "eu");
            output("At")
        })
        .collect();
    fired.sort();
    assert_eq!(
        fired,
        vec![
            "2026-03-02T17:00:00.0000000Z",
            "2026-03-02T17:30:00.0000000Z",
            "2026-03-03T01:00:00.0000000Z",
            "2026-03-03T01:30:00.0000000Z",
        ]
    );
    fx.demo.shutdown().await.expect("demo stops");
}

/// The `Window` outputs of the runs `ids`, in window order.
fn windows_run(fx: &Fixture, ids: &[String]) -> Vec<String> {
    let history = fx.history();
    let mut windows: Vec<String> = ids
        .iter()
        .map(|id| history.get(id).expect("read").expect("stored"))
        .map(|run| {
            run.actions
                .iter()
                .find(|a| a.name == "Window")
                .and_then(|a| a.outputs.as_str())
                .unwrap_or_default()
                .to_owned()
        })
        .collect();
    windows.sort();
    windows
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sliding_window_runs_each_ended_window_once_catching_up_after_a_restart() {
    let fx = fixture().await;
    // Hourly windows from 09:00, each run five minutes after it ends.
    let definition = json!({
        "triggers": {"Sliding_Window": {"type": "SlidingWindow",
            "recurrence": {"frequency": "Hour", "interval": 1, "startTime": "2026-03-02T09:00:00Z"},
            "inputs": {"delay": "PT5M"}}},
        "actions": {"Window": {"type": "Compose", "runAfter": {},
            "inputs": "@{formatDateTime(triggerOutputs()?['windowStartTime'], 'HH:mm')}-@{formatDateTime(triggerOutputs()?['windowEndTime'], 'HH:mm')}"}}
    });
    // 12:03: the windows ending at 10:00 and 11:00 are due; the one ending at 12:00 is not
    // (its delay runs to 12:05).
    let clock = ManualClock::new("2026-03-02T12:03:00Z".parse().expect("time"));
    let options = fx.options(Clock::Manual(clock.clone()));
    let (tx, mut events) = mpsc::unbounded_channel();
    let watcher = Watcher::start(
        vec![flow("Hourly", definition.clone())],
        fx.env.clone(),
        options.clone(),
        tx,
    )
    .await
    .expect("on");
    let first = finished_runs(&mut events, 2).await;
    watcher.stop().await;
    assert_eq!(windows_run(&fx, &first), vec!["09:00-10:00", "10:00-11:00"]);
    // Nothing watches until 14:30: the three windows that ended meanwhile run when watching
    // starts again, and the two already run do not run again.
    clock.set("2026-03-02T14:30:00Z".parse().expect("time"));
    let (tx, mut events) = mpsc::unbounded_channel();
    let watcher = Watcher::start(
        vec![flow("Hourly", definition)],
        fx.env.clone(),
        options,
        tx,
    )
    .await
    .expect("on again");
    let second = finished_runs(&mut events, 3).await;
    assert_eq!(
        windows_run(&fx, &second),
        vec!["11:00-12:00", "12:00-13:00", "13:00-14:00"]
    );
    // The next window runs when its delay has passed.
    clock.set("2026-03-02T15:06:00Z".parse().expect("time"));
    let third = finished_runs(&mut events, 1).await;
    watcher.stop().await;
    assert_eq!(windows_run(&fx, &third), vec!["14:00-15:00"]);
    let all = fx.history().list(100).expect("history").len();
    assert_eq!(all, 6, "each window ran once");
    fx.demo.shutdown().await.expect("demo stops");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn runs_beyond_the_concurrency_limit_wait_in_the_queue_in_order() {
    let fx = fixture().await;
    let start: DateTime<Utc> = Utc::now();
    let clock = ManualClock::new(start);
    let mut definition = polling_flow();
    let trigger = &mut definition["triggers"]["When_a_customer_is_created_or_changed"];
    trigger["runtimeConfiguration"] = json!({"concurrency": {"runs": 1}});
    trigger["conditions"] = json!([]);
    definition["actions"]["Pause"] = json!({"type": "Wait", "inputs": {"interval": {"count": 0.3, "unit": "Second"}}, "runAfter": {"Account": ["Succeeded"]}});
    let (tx, mut events) = mpsc::unbounded_channel();
    let watcher = Watcher::start(
        vec![flow("One at a time", definition)],
        fx.env.clone(),
        fx.options(Clock::Manual(clock.clone())),
        tx,
    )
    .await
    .expect("on");
    next_event(&mut events, |e| matches!(e, WatchEvent::Polled { .. })).await;
    for account in ["ONE-1", "ONE-2", "ONE-3"] {
        fx.create_customer(account, "10").await;
    }
    clock.set(start + chrono::Duration::minutes(1));
    // Started and finished strictly alternate: never two runs at once.
    let mut sequence = Vec::new();
    while sequence.iter().filter(|s| **s == "finished").count() < 3 {
        match next_event(&mut events, |e| {
            matches!(
                e,
                WatchEvent::RunStarted { .. } | WatchEvent::RunFinished { .. }
            )
        })
        .await
        {
            WatchEvent::RunStarted { .. } => sequence.push("started"),
            _ => sequence.push("finished"),
        }
    }
    watcher.stop().await;
    assert_eq!(
        sequence,
        [
            "started", "finished", "started", "finished", "started", "finished"
        ]
    );
    let mut history = accounts_run(&fx);
    history.sort();
    assert_eq!(
        history,
        vec!["ONE-1 Org ONE-1", "ONE-2 Org ONE-2", "ONE-3 Org ONE-3"]
    );
    fx.demo.shutdown().await.expect("demo stops");
}
