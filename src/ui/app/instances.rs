//! The window's instance: connecting (demo or saved), polling the connection, metadata
//! refreshes, sign-out and the tenant's discovered environments.

use poll_promise::Promise;

use super::FlowbenchApp;
use crate::ui::connection::{self, ConnectError, Connection, InstanceChoice};
use crate::ui::environments::{EnvironmentDiscovery, save_discovered};
use crate::ui::explorer::{Explorer, link_news_of};
use crate::ui::sign_in::{SignInFlow, SignInNeeded};
use crate::ui::trace_panel::TracePanel;

impl FlowbenchApp {
    /// Re-reads the saved instances listed in the instance dropdown.
    /// An invalid instances file is kept as it is and named in a strip above the status
    /// bar ([`Self::settings_problem`]); the window works with the demo instance.
    pub fn reload_saved_instances(&mut self) {
        match connection::saved_instances() {
            Ok((names, roots)) => {
                (self.saved_instances, self.saved_roots) = (names, roots);
                self.settings_problem = None;
            }
            Err(problem) => {
                (self.saved_instances, self.saved_roots) = (Vec::new(), Vec::new());
                self.settings_problem = Some(problem);
            }
        }
    }

    /// Why the saved instances could not be read (the file, line and column), if they could
    /// not.
    pub fn settings_problem(&self) -> Option<&str> {
        self.settings_problem.as_deref()
    }

    /// Notes that eframe's settings file could not be used (named in the strip above the
    /// status bar; the file was left as it is).
    pub fn note_window_settings_problem(&mut self, problem: String) {
        self.window_settings_problem = Some(problem);
    }

    /// Why eframe's settings file was not used, if it was not.
    pub fn window_settings_problem(&self) -> Option<&str> {
        self.window_settings_problem.as_deref()
    }

    /// Environments discovered in the connected instance's tenant.
    pub fn discovery(&self) -> &EnvironmentDiscovery {
        &self.discovery
    }

    /// The saved instances listed in the instance dropdown.
    pub fn saved_instances(&self) -> &[String] {
        &self.saved_instances
    }

    /// Connects to `choice` in the background, dropping the current instance's metadata,
    /// forms, results and trace.
    pub fn connect(&mut self, ctx: &egui::Context, choice: InstanceChoice) {
        self.metadata = None;
        self.metadata_problem = None;
        self.metadata_refresh = None;
        self.link_check = None;
        self.explorer = Explorer::default();
        self.trace_panel = None;
        self.discovery = EnvironmentDiscovery::Unavailable;
        self.entity_picker.invalidate();
        self.state.instance = choice.clone();
        self.cached_index = match &choice {
            InstanceChoice::Saved(name) => self.cached_entity_sets(name),
            InstanceChoice::Demo => None,
        };
        match choice {
            InstanceChoice::Demo => {
                let config = self
                    .demo_config
                    .clone()
                    .unwrap_or_else(|| crate::demo::DemoConfig {
                        db_path: connection::default_demo_db(),
                        ..crate::demo::DemoConfig::default()
                    });
                self.connect_demo(ctx, config);
            }
            InstanceChoice::Saved(name) => {
                let secrets = self.sign_in_settings.secrets.clone();
                let Some(runtime) = self.ensure_runtime() else {
                    return;
                };
                let status = format!("Connecting to {name}…");
                let promise = connection::connect_saved(runtime, ctx.clone(), name, secrets);
                self.connection = Connection::Connecting(Box::new(promise), status);
            }
        }
    }

    /// The entity sets of saved instance `name` from the metadata cache (milliseconds even
    /// at F&O scale), so the entity search works while the metadata is revalidated.
    fn cached_entity_sets(&self, name: &str) -> Option<crate::odata::entity_index::EntityIndex> {
        let at = self.saved_instances.iter().position(|n| n == name)?;
        let root = self.saved_roots.get(at)?;
        let cache = crate::odata::metadata::cache::MetadataCache::in_user_cache_dir()?;
        let entries = cache.load_index(root.as_str())?;
        Some(crate::odata::entity_index::EntityIndex::new(entries))
    }

    /// Starts the embedded demo instance with `config` and connects to it in the background.
    pub fn connect_demo(&mut self, ctx: &egui::Context, config: crate::demo::DemoConfig) {
        self.state.instance = InstanceChoice::Demo;
        self.demo_config = Some(config.clone());
        let Some(runtime) = self.ensure_runtime() else {
            return;
        };
        let promise = connection::connect_demo(runtime, ctx.clone(), config);
        self.connection = Connection::Connecting(
            Box::new(promise),
            "Starting the demo instance and loading its metadata…".to_owned(),
        );
    }

    /// The runtime requests run on, created on first use (`None` and a failed connection
    /// when the OS refuses the threads).
    pub(super) fn ensure_runtime(&mut self) -> Option<&tokio::runtime::Runtime> {
        if self.runtime.is_none() {
            match tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .thread_name("flowbench-ui-io")
                .enable_all()
                .build()
            {
                Ok(runtime) => self.runtime = Some(runtime),
                Err(e) => {
                    self.connection = Connection::Failed(format!("no async runtime: {e}"));
                    return None;
                }
            }
        }
        self.runtime.as_ref()
    }

    /// The connection to the current instance.
    pub fn connection(&self) -> &Connection {
        &self.connection
    }

    pub(super) fn poll_connection(&mut self, ctx: &egui::Context) {
        self.discovery.poll();
        if !self.connection.is_connecting() {
            return;
        }
        let Connection::Connecting(promise, status) =
            std::mem::replace(&mut self.connection, Connection::Idle)
        else {
            return;
        };
        self.connection = match (*promise).try_take() {
            Ok(Ok((connected, model))) => {
                self.set_metadata(model);
                self.trace_panel = Some(TracePanel::new(connected.client.trace().clone()));
                if let (Some(auth), Some(runtime)) = (&connected.auth, &self.runtime) {
                    self.discovery =
                        EnvironmentDiscovery::start(runtime.handle(), ctx, auth.clone());
                }
                Connection::Connected(Box::new(connected))
            }
            Ok(Err(ConnectError::SignIn(needed))) => {
                Connection::SignIn(Box::new(SignInFlow::new(*needed)))
            }
            Ok(Err(ConnectError::Failed(message))) => Connection::Failed(message),
            Err(promise) => Connection::Connecting(Box::new(promise), status),
        };
    }

    /// Reloads the connected instance's `$metadata` in the background.
    pub fn refresh_metadata(&mut self, ctx: &egui::Context) {
        let (Connection::Connected(connected), Some(runtime)) = (&self.connection, &self.runtime)
        else {
            return;
        };
        let client = connected.client.clone();
        // Saved instances revalidate their cached copy (and update it); the demo has none.
        let cached = connected.uses_metadata_cache();
        let ctx = ctx.clone();
        let _guard = runtime.enter();
        self.metadata_refresh = Some(Promise::spawn_async(async move {
            let result = connection::load_metadata(&client, cached)
                .await
                .map_err(|e| e.to_string());
            ctx.request_repaint();
            result
        }));
        self.metadata_problem = None;
    }

    /// Whether a metadata refresh is under way.
    pub fn is_refreshing_metadata(&self) -> bool {
        self.metadata_refresh.is_some()
    }

    /// Why the last metadata refresh failed, if it did.
    pub fn metadata_problem(&self) -> Option<&str> {
        self.metadata_problem.as_deref()
    }

    pub(super) fn poll_metadata_refresh(&mut self) {
        let Some(promise) = self.metadata_refresh.take() else {
            return;
        };
        match promise.try_take() {
            Ok(Ok(model)) => {
                self.set_metadata(model);
                self.explorer.forget_forms();
            }
            Ok(Err(problem)) => self.metadata_problem = Some(problem),
            Err(promise) => self.metadata_refresh = Some(promise),
        }
    }

    /// Signs out of the connected saved instance (its tokens leave the keyring) and shows
    /// the sign-in screen.
    pub fn sign_out(&mut self) {
        let Connection::Connected(connected) = &self.connection else {
            return;
        };
        let Some(auth) = connected.auth.clone() else {
            return;
        };
        let needed = SignInNeeded {
            instance: connected.name.clone(),
            service_root: connected.service_root.clone(),
            reason: match auth.sign_out() {
                Ok(()) => "You signed out. Sign in to use this instance again.".to_owned(),
                Err(e) => format!("Signing out failed: {e}"),
            },
            auth,
        };
        self.metadata = None;
        self.cached_index = None;
        self.explorer = Explorer::default();
        self.trace_panel = None;
        self.entity_picker.invalidate();
        self.connection = Connection::SignIn(Box::new(SignInFlow::new(needed)));
    }

    /// Saves a discovered environment as an instance (signing in like the connected one)
    /// and connects to it.
    pub fn open_discovered(
        &mut self,
        ctx: &egui::Context,
        env: &crate::auth::DiscoveredEnvironment,
    ) {
        let Connection::Connected(connected) = &self.connection else {
            return;
        };
        let Some(base) = connected.auth.as_ref().map(|a| a.profile().clone()) else {
            return;
        };
        match save_discovered(&base, env, self.sign_in_settings.secrets.as_ref()) {
            Ok(name) => {
                self.reload_saved_instances();
                self.connect(ctx, InstanceChoice::Saved(name));
            }
            Err(message) => {
                self.discovery =
                    EnvironmentDiscovery::Failed(format!("could not save {}: {message}", env.name));
            }
        }
    }

    /// Retries after a failure: a failed connection connects again; a connected instance
    /// whose latest request got no answer is asked again (a light `GET` of the service
    /// root), keeping its forms and results.
    pub(super) fn retry_connection(&mut self, ctx: &egui::Context) {
        if let (Connection::Connected(connected), Some(runtime)) = (&self.connection, &self.runtime)
            && connected.unreachable.is_some()
        {
            let client = connected.client.clone();
            let ctx = ctx.clone();
            let _guard = runtime.enter();
            self.link_check = Some(Promise::spawn_async(async move {
                let news = client
                    .entity_sets()
                    .await
                    .err()
                    .and_then(|error| link_news_of(&error));
                ctx.request_repaint();
                news
            }));
            return;
        }
        let choice = self.state.instance.clone();
        self.connect(ctx, choice);
    }

    /// Applies what the latest request (or link check) said about the link to the instance.
    pub(super) fn poll_link(&mut self) {
        if let Some(news) = self.explorer.take_link_news() {
            self.connection.note_link(news.unreachable());
        }
        let Some(check) = self.link_check.take() else {
            return;
        };
        match check.try_take() {
            Ok(news) => self
                .connection
                .note_link(news.and_then(|news| news.unreachable())),
            Err(check) => self.link_check = Some(check),
        }
    }
}
