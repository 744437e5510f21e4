//! The "Set-up check" window against a real OpenID provider (oidc-provider) and a demo
//! instance whose F&O applications register the service client with a user without roles:
//! "Check set-up…" in the instance dropdown lists every item, the test read fails with the
//! fix, and the other items pass. One test per process (it points the config directory at a
//! temporary one through the environment).

mod oidc_peer;
mod ui_sign_in_support;
mod ui_support;

use egui_kittest::kittest::Queryable;
use flowbench::auth::{AuthMethod, InstanceProfile, Instances, Secret, SecretKind};
use flowbench::connector::setup_check::{CheckItem, CheckStatus};
use flowbench::demo::aad_apps::AadApplications;
use flowbench::demo::auth::{AuthMode, BearerConfig};
use flowbench::demo::{DemoConfig, DemoThread};
use flowbench::odata::service_root::ServiceKind;
use flowbench::ui::connection::Connection;
use oidc_peer::{AUDIENCE, OidcPeer, SERVICE_CLIENT};
use ui_sign_in_support::{
    choose_instance, open_instance_dropdown, point_dirs_at, step_until, window_with_mock_keyring,
};

const INSTANCE: &str = "erp-no-roles";
const UNREGISTERED: &str = "erp-unregistered";

#[test]
fn the_checklist_of_a_saved_instance_shows_each_item_and_the_fix() {
    let dirs = tempfile::tempdir().unwrap();
    point_dirs_at(&dirs);
    let peer = OidcPeer::start();
    let demo = DemoThread::start(DemoConfig {
        rows: 5,
        auth: AuthMode::Bearer(BearerConfig {
            issuer: peer.issuer.clone(),
            audience: AUDIENCE.to_owned(),
        }),
        applications: AadApplications(vec![
            format!("{SERVICE_CLIENT}=IntegrationUser").parse().unwrap(),
        ]),
        ..DemoConfig::default()
    })
    .expect("the demo instance starts");
    let mut instances = Instances::load_default().unwrap();
    instances.upsert(
        InstanceProfile::new(
            INSTANCE,
            ServiceKind::FinanceOperations,
            demo.service_root(),
            Some(peer.issuer.clone()),
            None,
            Some(SERVICE_CLIENT.to_owned()),
            AuthMethod::ClientSecret,
            vec!["api".to_owned()],
        )
        .unwrap(),
    );
    // A second instance whose client is not in the F&O applications of its demo.
    let unregistered_demo = DemoThread::start(DemoConfig {
        rows: 5,
        auth: AuthMode::Bearer(BearerConfig {
            issuer: peer.issuer.clone(),
            audience: AUDIENCE.to_owned(),
        }),
        applications: AadApplications(vec!["some-other-app=Someone:SystemUser".parse().unwrap()]),
        ..DemoConfig::default()
    })
    .expect("the second demo instance starts");
    instances.upsert(
        InstanceProfile::new(
            UNREGISTERED,
            ServiceKind::FinanceOperations,
            unregistered_demo.service_root(),
            Some(peer.issuer.clone()),
            None,
            Some(SERVICE_CLIENT.to_owned()),
            AuthMethod::ClientSecret,
            vec!["api".to_owned()],
        )
        .unwrap(),
    );
    instances.save().unwrap();

    let (mut harness, store) = window_with_mock_keyring();
    store
        .set(
            INSTANCE,
            SecretKind::ClientSecret,
            &Secret::new(&peer.service_secret),
        )
        .unwrap();
    store
        .set(
            UNREGISTERED,
            SecretKind::ClientSecret,
            &Secret::new(&peer.service_secret),
        )
        .unwrap();
    choose_instance(&mut harness, INSTANCE);
    open_instance_dropdown(&mut harness);
    harness.get_by_label("Check set-up…").click();
    harness.step();
    assert!(harness.state().setup_check.open);
    step_until(&mut harness, "the checklist", |app| {
        app.setup_check.result.is_some()
    });
    harness.step();

    let checklist = match &harness.state().setup_check.result {
        Some(Ok(checklist)) => checklist.clone(),
        other => panic!(
            "expected a checklist, got {:?}",
            other.as_ref().map(|r| r.as_ref().err())
        ),
    };
    assert_eq!(checklist.instance, INSTANCE);
    let status = |item| checklist.result(item).unwrap().status;
    assert_eq!(status(CheckItem::Token), CheckStatus::Passed);
    assert_eq!(status(CheckItem::Audience), CheckStatus::Passed);
    assert_eq!(status(CheckItem::Metadata), CheckStatus::Passed);
    assert_eq!(status(CheckItem::TestRead), CheckStatus::Failed);

    // On screen: the summary, every title, and the test read's fix.
    harness.get_by_label("1 item(s) failed.");
    for item in CheckItem::ALL {
        assert!(
            harness.query_by_label(item.title()).is_some(),
            "{} is shown",
            item.title()
        );
    }
    assert!(
        harness
            .query_by_label_contains("Fix: the service user has no security role")
            .is_some()
    );
    assert!(
        harness
            .query_by_label_contains("has no security roles")
            .is_some()
    );
    assert!(
        harness
            .query_all_by(|node| node
                .label()
                .is_some_and(|l| l.contains(&peer.service_secret)))
            .next()
            .is_none(),
        "no secret on screen"
    );

    // "Check again" runs it once more.
    harness.get_by_label("Check again").click();
    harness.step();
    assert!(
        harness.state().setup_check.is_running() || harness.state().setup_check.result.is_some()
    );
    step_until(&mut harness, "the second checklist", |app| {
        !app.setup_check.is_running() && app.setup_check.result.is_some()
    });

    // An instance that cannot connect (its client is not registered in F&O): the failure
    // panel offers the check, which names the step. (The window is closed first: it would
    // cover the panel's button.)
    harness.state_mut().setup_check.open = false;
    choose_instance(&mut harness, UNREGISTERED);
    step_until(&mut harness, "the connection failure", |app| {
        matches!(app.connection(), Connection::Failed(_))
    });
    harness.get_by_label("Check set-up…").click();
    harness.step();
    step_until(
        &mut harness,
        "the unregistered instance's checklist",
        |app| {
            !app.setup_check.is_running()
                && app
                    .setup_check
                    .result
                    .as_ref()
                    .is_some_and(|r| r.as_ref().is_ok_and(|c| c.instance == UNREGISTERED))
        },
    );
    let Some(Ok(checklist)) = &harness.state().setup_check.result else {
        unreachable!("checked above")
    };
    assert_eq!(
        checklist.result(CheckItem::Metadata).unwrap().status,
        CheckStatus::Failed
    );
    harness.step();
    assert!(
        harness
            .query_by_label_contains(
                "System administration > Setup > Microsoft Entra ID applications"
            )
            .is_some()
    );
}
