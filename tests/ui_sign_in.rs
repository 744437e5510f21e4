//! Signing in from the window against a real OpenID provider (oidc-provider) and a demo
//! instance that only accepts its JWTs: the sign-in screen, browser (the test plays the
//! browser with the link shown in the window), the signed-in identity in the instance
//! dropdown, sign-out, device code, and cancel. One test per process: it points the config
//! and cache directories at temporary ones through the environment.

mod oidc_peer;
mod ui_sign_in_support;
mod ui_support;

use std::time::{Duration, Instant};

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use flowbench::auth::{
    AuthMethod, InstanceProfile, Instances, Secret, SecretKind, SignInPrompt, StoredTokens,
};
use flowbench::odata::service_root::ServiceKind;
use flowbench::ui::FlowbenchApp;
use flowbench::ui::connection::{Connection, InstanceChoice};
use oidc_peer::{NATIVE_CLIENT, OidcPeer, SERVICE_CLIENT};
use ui_sign_in_support::{
    choose_instance, open_instance_dropdown, play_browser, point_dirs_at, protected_demo,
    shown_link, step_until, wait_connected, window_with_mock_keyring,
};
use ui_support::{pick_entity, type_into};
use url::Url;

const INSTANCE: &str = "protected-erp";

#[test]
fn signing_in_from_the_window_with_browser_and_device_code() {
    let dirs = tempfile::tempdir().unwrap();
    point_dirs_at(&dirs);

    let peer = OidcPeer::start();
    let demo = protected_demo(&peer);
    let mut instances = Instances::load_default().unwrap();
    instances.upsert(
        InstanceProfile::new(
            INSTANCE,
            ServiceKind::FinanceOperations,
            demo.service_root(),
            Some(peer.issuer.clone()),
            None,
            Some(NATIVE_CLIENT.to_owned()),
            AuthMethod::Browser,
            vec!["api".to_owned()],
        )
        .unwrap(),
    );
    instances.upsert(
        InstanceProfile::new(
            "wrong-app",
            ServiceKind::FinanceOperations,
            demo.service_root(),
            Some(peer.issuer.clone()),
            None,
            Some("not-registered".to_owned()),
            AuthMethod::DeviceCode,
            vec!["api".to_owned()],
        )
        .unwrap(),
    );
    instances.save().unwrap();

    let (mut harness, store) = window_with_mock_keyring();

    // Picking the instance without tokens leads to the sign-in screen.
    choose_instance(&mut harness, INSTANCE);
    step_until(&mut harness, "the sign-in screen", |app| {
        matches!(app.connection(), Connection::SignIn(_))
    });
    harness.get_by_label(&format!("Sign in to {INSTANCE}"));
    harness.get_by_label("You are not signed in to this instance yet.");
    harness.get_by_label(
        "Tokens are kept in the keyring: mock (secrets are NOT kept after this process ends)",
    );

    // Browser: the link is shown in the window; the test plays the browser with it.
    harness.get_by_label("Sign in with browser").click();
    let url = shown_link(&mut harness);
    assert_eq!(url.path(), "/auth");
    let browser_page = play_browser(&url, "alice");
    assert!(
        browser_page.contains("Flowbench is signed in"),
        "{browser_page}"
    );
    wait_connected(&mut harness);
    let stored = store.get(INSTANCE, SecretKind::Tokens).unwrap();
    assert!(stored.is_some(), "the tokens are in the keyring");
    // The identity shows next to the instance dropdown and in the status text.
    harness.get_by_label("alice");
    assert!(
        harness
            .state()
            .connection()
            .status_text(1)
            .contains("as alice")
    );
    // The token works against the protected instance: its metadata loaded; entities are searchable.
    pick_entity(&mut harness, "custv3", "CustomersV3");

    // The dropdown says who is signed in and signs out.
    open_instance_dropdown(&mut harness);
    harness.get_by_label("Signed in as alice");
    harness.get_by_label("Sign out").click();
    harness.run_steps(2);
    assert!(matches!(
        harness.state().connection(),
        Connection::SignIn(_)
    ));
    harness.get_by_label("You signed out. Sign in to use this instance again.");
    assert!(
        store.get(INSTANCE, SecretKind::Tokens).unwrap().is_none(),
        "signing out removes the tokens"
    );

    // Cancel: the browser sign-in stops and says so; its loopback listener closes.
    harness.get_by_label("Sign in with browser").click();
    let url = shown_link(&mut harness);
    let redirect = url
        .query_pairs()
        .find(|(k, _)| k == "redirect_uri")
        .map(|(_, v)| Url::parse(&v).unwrap())
        .expect("a redirect URI");
    harness.get_by_label("Cancel").click();
    step_until(
        &mut harness,
        "the cancellation",
        |app| matches!(app.connection(), Connection::SignIn(flow) if flow.problem().is_some()),
    );
    harness.get_by_label("The sign-in was cancelled.");
    let port = redirect.port().expect("a loopback port");
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
        assert!(
            Instant::now() < deadline,
            "the loopback listener stays open"
        );
        std::thread::sleep(Duration::from_millis(50));
    }

    // Device code: the code is shown in the window; another "device" approves it.
    harness.get_by_label("Use a device code instead").click();
    step_until(&mut harness, "the device code", |app| {
        matches!(app.connection(), Connection::SignIn(flow)
            if matches!(flow.prompt(), Some(SignInPrompt::DeviceCode { .. })))
    });
    harness.step();
    let Connection::SignIn(flow) = harness.state().connection() else {
        unreachable!("checked above");
    };
    let Some(SignInPrompt::DeviceCode {
        user_code,
        verification_uri,
        verification_uri_complete,
        ..
    }) = flow.prompt().cloned()
    else {
        unreachable!("checked above");
    };
    harness.get_by_label(&user_code);
    harness.get_by_label(&verification_uri);
    harness.get_by_label("Copy code");
    let complete = Url::parse(&verification_uri_complete.expect("a complete URI")).unwrap();
    let approval = play_browser(&complete, "bob");
    assert!(approval.contains("Sign-in Success"), "{approval}");
    wait_connected(&mut harness);
    harness.get_by_label("bob");

    // A service principal added in the window: its secret goes to the keyring (never to
    // the instances file) and it connects silently, as the app.
    open_instance_dropdown(&mut harness);
    harness.get_by_label("Add instance…").click();
    harness.run_steps(3);
    type_into(&mut harness, "Name", "erp-service");
    type_into(&mut harness, "URL", demo.service_root());
    harness
        .get_by_role_and_label(Role::ComboBox, "Sign-in")
        .click();
    harness.run_steps(3);
    harness.get_by_label("Client secret").click();
    harness.run_steps(2);
    type_into(&mut harness, "Client ID", SERVICE_CLIENT);
    type_into(&mut harness, "Authority", &peer.issuer);
    type_into(&mut harness, "Scopes", "api");
    // Saving without the secret is refused, and nothing is saved.
    harness.get_by_label("Save and connect").click();
    harness.run_steps(2);
    harness.get_by_label("a client secret is needed for this sign-in method");
    assert!(
        Instances::load_default()
            .unwrap()
            .get("erp-service")
            .is_none()
    );
    harness
        .get_by_role_and_label(Role::PasswordInput, "Client secret")
        .focus();
    harness.step();
    harness
        .get_by_role_and_label(Role::PasswordInput, "Client secret")
        .type_text(&peer.service_secret);
    harness.step();
    assert!(
        harness
            .query_all_by(|node| node
                .value()
                .is_some_and(|v| v.contains(&peer.service_secret)))
            .next()
            .is_none(),
        "the secret is masked on screen"
    );
    harness.get_by_label("Save and connect").click();
    harness.run_steps(2);
    wait_connected(&mut harness);
    harness.get_by_label(&format!("app {SERVICE_CLIENT}"));
    let file = std::fs::read_to_string(dirs.path().join("config/instances.json")).unwrap();
    assert!(file.contains("erp-service"), "{file}");
    assert!(
        !file.contains(&peer.service_secret),
        "no secret in the file"
    );
    assert_eq!(
        store
            .get("erp-service", SecretKind::ClientSecret)
            .unwrap()
            .map(|s| s.expose().to_owned()),
        Some(peer.service_secret.clone())
    );

    // The provider's refusal is shown on the card verbatim, and the card stays usable.
    choose_instance(&mut harness, "wrong-app");
    step_until(&mut harness, "the sign-in screen", |app| {
        matches!(app.connection(), Connection::SignIn(_))
    });
    harness.get_by_label("Get a device code").click();
    step_until(
        &mut harness,
        "the provider's answer",
        |app| matches!(app.connection(), Connection::SignIn(flow) if flow.problem().is_some()),
    );
    let Connection::SignIn(flow) = harness.state().connection() else {
        unreachable!("checked above");
    };
    let problem = flow.problem().unwrap_or_default().to_owned();
    assert!(problem.contains("invalid_client"), "{problem}");
    harness.get_by_label(&problem);
    harness.get_by_label("Get a device code");

    // A dead refresh token (expired or revoked) leads back to the card, saying so.
    StoredTokens {
        access_token: Secret::new("expired-access-token"),
        refresh_token: Some(Secret::new("revoked-refresh-token")),
        expires_at: Some(0),
    }
    .save(store.as_ref(), INSTANCE)
    .unwrap();
    choose_instance(&mut harness, INSTANCE);
    step_until(
        &mut harness,
        "the sign-in screen",
        |app| matches!(app.connection(), Connection::SignIn(flow) if flow.instance() == INSTANCE),
    );
    let expired = harness
        .query_all_by(|node| {
            node.value().is_some_and(|text| {
                text.starts_with("Your sign-in has expired.") && text.contains("invalid_grant")
            })
        })
        .count();
    assert!(expired >= 1, "the card says the sign-in expired");
    assert!(
        store.get(INSTANCE, SecretKind::Tokens).unwrap().is_none(),
        "the dead tokens are forgotten"
    );

    // A service principal without its secret (lost, or expired and removed): the card asks
    // for one; a refused secret is not kept; an accepted one signs in and is kept.
    store
        .delete("erp-service", SecretKind::ClientSecret)
        .unwrap();
    store.delete("erp-service", SecretKind::Tokens).unwrap();
    choose_instance(&mut harness, "erp-service");
    step_until(
        &mut harness,
        "the client secret card",
        |app| matches!(app.connection(), Connection::SignIn(flow) if flow.instance() == "erp-service"),
    );
    harness.get_by_label("No client secret is stored for this instance.");
    let type_secret = |harness: &mut Harness<'_, FlowbenchApp>, secret: &str| {
        harness
            .get_by_role_and_label(Role::PasswordInput, "Client secret")
            .focus();
        harness.step();
        harness
            .get_by_role_and_label(Role::PasswordInput, "Client secret")
            .type_text(secret);
        harness.step();
        harness.get_by_label("Save and sign in").click();
        harness.step();
    };
    type_secret(&mut harness, "not-the-secret");
    step_until(
        &mut harness,
        "the refusal",
        |app| matches!(app.connection(), Connection::SignIn(flow) if flow.problem().is_some()),
    );
    let Connection::SignIn(flow) = harness.state().connection() else {
        unreachable!("checked above");
    };
    assert!(
        flow.problem()
            .unwrap_or_default()
            .contains("invalid_client"),
        "{:?}",
        flow.problem()
    );
    assert!(
        store
            .get("erp-service", SecretKind::ClientSecret)
            .unwrap()
            .is_none(),
        "a refused secret is not kept"
    );
    type_secret(&mut harness, &peer.service_secret);
    wait_connected(&mut harness);
    harness.get_by_label(&format!("app {SERVICE_CLIENT}"));
    assert_eq!(
        store
            .get("erp-service", SecretKind::ClientSecret)
            .unwrap()
            .map(|s| s.expose().to_owned()),
        Some(peer.service_secret.clone())
    );

    // Removing the service principal's instance deletes its profile and its secret, after
    // a confirmation, and goes back to the demo instance.
    open_instance_dropdown(&mut harness);
    harness.get_by_label(&format!("Signed in as app {SERVICE_CLIENT}"));
    assert_eq!(
        harness.query_all_by_label("Sign out").count(),
        0,
        "a service principal has no sign-out (it signs in again silently)"
    );
    harness.get_by_label("Remove instance…").click();
    harness.run_steps(3);
    harness.get_by_label("Remove erp-service?");
    harness.get_by_label("Remove").click();
    harness.run_steps(2);
    assert!(
        Instances::load_default()
            .unwrap()
            .get("erp-service")
            .is_none()
    );
    assert!(
        store
            .get("erp-service", SecretKind::ClientSecret)
            .unwrap()
            .is_none(),
        "its client secret left the keyring"
    );
    assert!(
        !harness
            .state()
            .saved_instances()
            .contains(&"erp-service".to_owned())
    );
    assert_eq!(harness.state().state.instance, InstanceChoice::Demo);
    drop(demo);
}
