//! Which process a run under way belongs to, so that a run whose process died (killed,
//! crashed, the machine stopped) is told apart from one still running: the process id and
//! its start time (Linux `/proc/PID/stat`, field 22), compared when the history is read.

/// The process that writes a run: its id and, where known, its start time in clock ticks
/// since boot (which tells a reused process id apart).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunOwner {
    /// The process id.
    pub pid: u32,
    /// The process's start time (`/proc/PID/stat` field 22), when the system tells it.
    pub started: Option<u64>,
}

impl RunOwner {
    /// This process.
    pub fn current() -> Self {
        let pid = std::process::id();
        Self {
            pid,
            started: start_time(pid),
        }
    }

    /// Whether the owner is gone: no process with this id, or one that started at another
    /// time (the id was reused). Where the system cannot tell (no `/proc`), `false`: the run
    /// is left as it is.
    pub fn is_gone(&self) -> bool {
        if !std::path::Path::new("/proc/self/stat").exists() {
            return false;
        }
        match (start_time(self.pid), self.started) {
            (None, _) => true,
            (Some(now), Some(then)) => now != then,
            (Some(_), None) => false,
        }
    }
}

/// Field 22 (`starttime`) of `/proc/PID/stat`; the command name (field 2) is in parentheses
/// and may hold spaces, so fields are counted after its closing parenthesis.
fn start_time(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after_name = &stat[stat.rfind(')')? + 1..];
    // After the name come field 3 (state) … ; starttime is field 22, the 20th of these.
    after_name.split_whitespace().nth(19)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_is_alive_and_an_unused_pid_is_gone() {
        let me = RunOwner::current();
        assert!(!me.is_gone());
        if std::path::Path::new("/proc/self/stat").exists() {
            assert!(me.started.is_some());
            // Same pid, another start time: a reused id.
            let reused = RunOwner {
                started: me.started.map(|t| t + 1),
                ..me
            };
            assert!(reused.is_gone());
            // Linux pids stay below 2^22.
            let unused = RunOwner {
                pid: 4_194_305,
                started: Some(1),
            };
            assert!(unused.is_gone());
        }
    }
}
