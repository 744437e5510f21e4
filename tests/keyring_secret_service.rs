//! The real Secret Service keyring backend (GNOME Keyring on desktop Linux): secrets written by
//! Flowbench are read back through `secret-tool` (libsecret), an independent client, and the
//! other way round. Needs a D-Bus session with an unlocked keyring, which `.ci/test` provides
//! with `dbus-run-session` and `gnome-keyring-daemon`; run alone it is ignored. One test per
//! process: it selects the backend through the environment.
#![cfg(target_os = "linux")]

use std::process::{Command, Stdio};

use flowbench::auth::{
    KEYRING_BACKEND_ENV, KEYRING_SERVICE, Secret, SecretKind, SecretStore, StoredTokens,
    os_secret_store,
};

#[test]
#[ignore = "needs a Secret Service session: .ci/test runs it under dbus-run-session with gnome-keyring"]
fn secrets_live_in_the_secret_service_per_instance_and_kind() {
    choose_secret_service();
    let store = os_secret_store().expect("a Secret Service is reachable on the session bus");
    assert!(
        store.describe().contains("Secret Service"),
        "{}",
        store.describe()
    );

    let first = format!("test-{}", uuid::Uuid::new_v4());
    let second = format!("test-{}", uuid::Uuid::new_v4());
    let secret = |value: &str| Secret::new(value);

    // Client secret: set, replace, isolated per instance and kind, visible to libsecret.
    assert!(get(&*store, &first, SecretKind::ClientSecret).is_none());
    store
        .set(&first, SecretKind::ClientSecret, &secret("cs-one"))
        .unwrap();
    store
        .set(&first, SecretKind::ClientSecret, &secret("cs-two"))
        .unwrap();
    assert_eq!(
        get(&*store, &first, SecretKind::ClientSecret).as_deref(),
        Some("cs-two")
    );
    assert_eq!(
        secret_tool_lookup(&first, SecretKind::ClientSecret).as_deref(),
        Some("cs-two"),
        "the replaced secret is the one item in the Secret Service"
    );
    assert!(get(&*store, &first, SecretKind::Tokens).is_none());
    assert!(get(&*store, &second, SecretKind::ClientSecret).is_none());

    // Written by libsecret, read by Flowbench.
    secret_tool_store(&second, SecretKind::ClientSecret, "cs-from-libsecret");
    assert_eq!(
        get(&*store, &second, SecretKind::ClientSecret).as_deref(),
        Some("cs-from-libsecret")
    );

    // Token set: saved as JSON under the instance's tokens entry.
    let tokens = StoredTokens {
        access_token: secret("at-value"),
        refresh_token: Some(secret("rt-value")),
        expires_at: Some(1_900_000_000),
    };
    tokens.save(&*store, &first).unwrap();
    let back = StoredTokens::load(&*store, &first).unwrap().unwrap();
    assert_eq!(back.access_token.expose(), "at-value");
    assert_eq!(back.refresh_token.unwrap().expose(), "rt-value");
    assert_eq!(back.expires_at, Some(1_900_000_000));
    let json = secret_tool_lookup(&first, SecretKind::Tokens).expect("token set in the keyring");
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(json["access_token"], "at-value");
    assert!(StoredTokens::load(&*store, &second).unwrap().is_none());

    // Delete removes one entry only; deleting a missing one is not an error.
    store.delete(&first, SecretKind::ClientSecret).unwrap();
    assert!(get(&*store, &first, SecretKind::ClientSecret).is_none());
    assert!(secret_tool_lookup(&first, SecretKind::ClientSecret).is_none());
    store.delete(&first, SecretKind::ClientSecret).unwrap();
    assert!(StoredTokens::load(&*store, &first).unwrap().is_some());
    assert_eq!(
        get(&*store, &second, SecretKind::ClientSecret).as_deref(),
        Some("cs-from-libsecret")
    );

    store.delete(&first, SecretKind::Tokens).unwrap();
    store.delete(&second, SecretKind::ClientSecret).unwrap();
    assert!(secret_tool_lookup(&first, SecretKind::Tokens).is_none());
    assert!(secret_tool_lookup(&second, SecretKind::ClientSecret).is_none());
}

/// Forces the Secret Service backend (no silent fallback to keyutils).
#[allow(unsafe_code)] // set_var: this binary holds one test and no other thread runs yet
fn choose_secret_service() {
    unsafe { std::env::set_var(KEYRING_BACKEND_ENV, "secret-service") };
}

fn get(store: &dyn SecretStore, instance: &str, kind: SecretKind) -> Option<String> {
    store
        .get(instance, kind)
        .expect("keyring read")
        .map(|secret| secret.expose().to_owned())
}

/// The keyring account of an entry, as Flowbench names it.
fn account(instance: &str, kind: SecretKind) -> String {
    let suffix = match kind {
        SecretKind::Tokens => "tokens",
        SecretKind::ClientSecret => "client-secret",
        SecretKind::FlowParameter => "flow-parameter",
    };
    format!("{instance}/{suffix}")
}

/// The secret libsecret finds for the entry (`None` when there is none).
fn secret_tool_lookup(instance: &str, kind: SecretKind) -> Option<String> {
    let output = Command::new("secret-tool")
        .args(["lookup", "service", KEYRING_SERVICE, "username"])
        .arg(account(instance, kind))
        .stdin(Stdio::null())
        .output()
        .expect("secret-tool (libsecret-tools) is installed");
    let value = String::from_utf8(output.stdout).expect("UTF-8 secret");
    // `secret-tool lookup` exits 1 with no output when nothing matches.
    (output.status.success() && !value.is_empty()).then_some(value)
}

/// Stores a secret through libsecret with the attributes Flowbench searches by.
fn secret_tool_store(instance: &str, kind: SecretKind, value: &str) {
    use std::io::Write;
    let mut child = Command::new("secret-tool")
        .args([
            "store",
            "--label=flowbench test",
            "service",
            KEYRING_SERVICE,
        ])
        .arg("username")
        .arg(account(instance, kind))
        .stdin(Stdio::piped())
        .spawn()
        .expect("secret-tool (libsecret-tools) is installed");
    child
        .stdin
        .take()
        .expect("piped stdin")
        .write_all(value.as_bytes())
        .expect("secret to secret-tool");
    assert!(child.wait().expect("secret-tool ends").success());
}
