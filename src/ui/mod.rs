//! Everything egui: the app state, panels, widgets and theme of the desktop window.

/// Opens the Flowbench window and blocks until it is closed.
pub fn run() -> anyhow::Result<()> {
    anyhow::bail!("the window is not built yet")
}
