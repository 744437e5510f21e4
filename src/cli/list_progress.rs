//! The progress line of `flowbench list --all` on stderr (`R records, P pages, X records/s`):
//! rewritten in place on a terminal; into a log or a CI job, whole lines — the first page,
//! then at most one line every few seconds, and always the final count.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

use crate::odata::client::ListProgress;

/// How often a listing whose stderr is not a terminal writes a progress line.
const LOG_INTERVAL: Duration = Duration::from_secs(5);

/// The progress line of one listing.
pub struct ProgressLine {
    shown: bool,
    terminal: bool,
    /// Terminal: a line was written and not yet ended.
    open: bool,
    /// Log: when the last line was written.
    last_line: Option<Instant>,
    /// Log: the newest line not written yet.
    pending: Option<String>,
}

impl ProgressLine {
    /// A line on this process's stderr, when `shown`.
    pub fn new(shown: bool) -> Self {
        Self::with_terminal(shown, std::io::stderr().is_terminal())
    }

    fn with_terminal(shown: bool, terminal: bool) -> Self {
        Self {
            shown,
            terminal,
            open: false,
            last_line: None,
            pending: None,
        }
    }

    /// Shows `progress` after a page.
    pub fn update(&mut self, progress: &ListProgress) {
        self.update_on(progress, Instant::now(), &mut std::io::stderr().lock());
    }

    /// Ends the line: on a terminal the cursor moves on; in a log the final count is written
    /// when it was not yet.
    pub fn finish(&mut self) {
        self.finish_on(&mut std::io::stderr().lock());
    }

    fn update_on(&mut self, progress: &ListProgress, now: Instant, out: &mut dyn Write) {
        if !self.shown {
            return;
        }
        let text = line(progress);
        // Progress is advice: a stderr that cannot be written to stops nothing.
        if self.terminal {
            let _ = write!(out, "\r{text}").and_then(|()| out.flush());
            self.open = true;
        } else if self
            .last_line
            .is_none_or(|last| now.duration_since(last) >= LOG_INTERVAL)
        {
            let _ = writeln!(out, "{text}");
            self.last_line = Some(now);
            self.pending = None;
        } else {
            self.pending = Some(text);
        }
    }

    fn finish_on(&mut self, out: &mut dyn Write) {
        if self.open {
            let _ = writeln!(out);
            self.open = false;
        }
        if let Some(text) = self.pending.take() {
            let _ = writeln!(out, "{text}");
        }
    }
}

fn line(progress: &ListProgress) -> String {
    format!(
        "{} records, {} page{}, {:.0} records/s",
        progress.records,
        progress.pages,
        if progress.pages == 1 { "" } else { "s" },
        progress.rate()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn after(pages: u64) -> ListProgress {
        ListProgress {
            records: pages * 100,
            pages,
            elapsed: Duration::from_secs(pages),
            total: None,
            stopped_early: false,
        }
    }

    /// Updates after pages 1..=`pages`, one second apart, then the end: what stderr holds.
    fn written(terminal: bool, pages: u64) -> String {
        let mut line = ProgressLine::with_terminal(true, terminal);
        let mut out = Vec::new();
        let start = Instant::now();
        for page in 1..=pages {
            line.update_on(&after(page), start + Duration::from_secs(page), &mut out);
        }
        line.finish_on(&mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn a_terminal_sees_one_line_rewritten_in_place() {
        assert_eq!(
            written(true, 2),
            "\r100 records, 1 page, 100 records/s\r200 records, 2 pages, 100 records/s\n"
        );
    }

    #[test]
    fn a_log_gets_whole_lines_every_few_seconds_and_always_the_final_count() {
        let log = written(false, 12);
        assert!(!log.contains('\r'), "{log:?}");
        let lines: Vec<&str> = log.lines().collect();
        assert_eq!(
            lines,
            [
                "100 records, 1 page, 100 records/s",
                "600 records, 6 pages, 100 records/s",
                "1100 records, 11 pages, 100 records/s",
                "1200 records, 12 pages, 100 records/s",
            ]
        );
        // The final count is not written twice when it was the last line written.
        assert_eq!(written(false, 1), "100 records, 1 page, 100 records/s\n");
    }

    #[test]
    fn nothing_is_written_when_progress_is_not_shown() {
        let mut line = ProgressLine::with_terminal(false, false);
        let mut out = Vec::new();
        line.update_on(&after(1), Instant::now(), &mut out);
        line.finish_on(&mut out);
        assert!(out.is_empty());
    }
}
