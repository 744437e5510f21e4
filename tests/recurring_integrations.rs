//! Recurring integrations against the embedded demo instance: a file enqueued for an import
//! job is processed, an export job's package is dequeued and acknowledged, and the queues
//! survive a restart of the demo instance on the same database file.
#![allow(clippy::unwrap_used)] // helpers outside #[test] fns panic as test failures

use std::path::Path;

use flowbench::connector::Session;
use flowbench::connector::bulk::{dmf, queue};
use flowbench::connector::package::Package;
use flowbench::demo::bulk::RECURRING_JOBS;
use flowbench::demo::{DemoConfig, DemoThread};
use serde_json::Value;

fn start(db: &Path) -> (DemoThread, Session) {
    let demo = DemoThread::start(DemoConfig {
        rows: 20,
        db_path: Some(db.to_path_buf()),
        ..DemoConfig::default()
    })
    .unwrap();
    let session = Session::open(demo.service_root(), None).unwrap();
    (demo, session)
}

fn block_on<T>(future: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(future)
}

fn activity(direction: &str) -> &'static str {
    RECURRING_JOBS.iter().find(|j| j.1 == direction).unwrap().0
}

/// Polls the job status until it leaves `Processing` (bounded).
async fn processed(session: &Session, job: &str) -> Value {
    for _ in 0..400 {
        let status = queue::job_status(&session.client, activity("Import"), job)
            .await
            .unwrap();
        if queue::job_state(&status) != Some("Processing") {
            return status;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!("job {job} never left Processing");
}

const ROWS: &str =
    "CustomerGroupId,Description\nRI-1,Came through the queue\nRI-2,So did this one\n";

#[test]
fn enqueue_dequeue_and_ack_survive_a_restart_of_the_demo_instance() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.sqlite");

    let (demo, session) = start(&db);
    let (job, first) = block_on(async {
        let job = queue::enqueue(
            &session.client,
            activity("Import"),
            Some("CustomerGroups"),
            Some("usrt"),
            ROWS.as_bytes().to_vec(),
        )
        .await
        .unwrap();
        let status = processed(&session, &job).await;
        assert_eq!(queue::job_state(&status), Some("Processed"), "{status:#}");
        let first = queue::dequeue(&session.client, activity("Export"))
            .await
            .unwrap()
            .unwrap();
        // The package is downloadable and holds the export job's entity.
        let bytes = dmf::download(&session.client, &first.download_location)
            .await
            .unwrap();
        let package = Package::from_zip(&bytes, "dequeued.zip").unwrap();
        assert!(package.entity("CustomerGroups").is_some());
        (job, first)
    });
    drop(session);
    demo.shutdown();

    let (_demo, session) = start(&db);
    block_on(async {
        // The import's message and its data outlived the restart.
        let status = queue::job_status(&session.client, activity("Import"), &job)
            .await
            .unwrap();
        assert_eq!(queue::job_state(&status), Some("Processed"));
        assert_eq!(status["ExecutionSummary"][0]["SucceededRecords"], 2);
        let record = session
            .client
            .cross_company(true)
            .get_record(
                "CustomerGroups",
                "dataAreaId='usrt',CustomerGroupId='RI-2'",
                "",
            )
            .await
            .unwrap();
        assert_eq!(record["Description"], "So did this one");

        // The message dequeued before the restart is still hidden: the next dequeue is another.
        let second = queue::dequeue(&session.client, activity("Export"))
            .await
            .unwrap()
            .unwrap();
        assert_ne!(second.correlation_id, first.correlation_id);

        // Its pop receipt from before the restart still acknowledges it, once.
        queue::ack(&session.client, activity("Export"), &first.raw)
            .await
            .unwrap();
        let again = queue::ack(&session.client, activity("Export"), &first.raw)
            .await
            .unwrap_err();
        assert!(
            again.to_string().contains("already acknowledged"),
            "{again}"
        );

        // Another message's receipt does not acknowledge this one.
        let mut forged = second.raw.clone();
        forged["PopReceipt"] = first.raw["PopReceipt"].clone();
        let err = queue::ack(&session.client, activity("Export"), &forged)
            .await
            .unwrap_err();
        assert!(err.to_string().contains("not the latest"), "{err}");
        queue::ack(&session.client, activity("Export"), &second.raw)
            .await
            .unwrap();
    });
}

#[test]
fn the_queue_refuses_what_its_jobs_cannot_take() {
    let dir = tempfile::tempdir().unwrap();
    let (_demo, session) = start(&dir.path().join("demo.sqlite"));
    block_on(async {
        let client = &session.client;
        let err = queue::enqueue(
            client,
            "00000000-0000-0000-0000-000000000000",
            Some("CustomerGroups"),
            None,
            ROWS.into(),
        )
        .await
        .unwrap_err();
        assert!(err.to_string().contains("No recurring data job"), "{err}");
        let err = queue::enqueue(client, activity("Import"), None, None, ROWS.into())
            .await
            .unwrap_err();
        assert!(err.to_string().contains("?entity=NAME"), "{err}");
        let err = queue::dequeue(client, activity("Import"))
            .await
            .unwrap_err();
        assert!(err.to_string().contains("needs an export job"), "{err}");

        // A file with a bad row ends ProcessedWithErrors, its error listed.
        let rows = "CustomerGroupId,Description\nRI-OK,Fine\nRI-WAY-TOO-LONG,Key too long\n";
        let job = queue::enqueue(
            client,
            activity("Import"),
            Some("CustomerGroups"),
            None,
            rows.into(),
        )
        .await
        .unwrap();
        let status = processed(&session, &job).await;
        assert_eq!(queue::job_state(&status), Some("ProcessedWithErrors"));
        assert_eq!(status["ExecutionErrors"][0]["LineNumber"], 3);
    });
}
