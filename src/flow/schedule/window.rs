//! The windows of a `SlidingWindow` trigger: contiguous, non-overlapping intervals from
//! one time of its recurrence to the next. A window runs once it has ended (plus the
//! trigger's `delay`), and windows missed while nothing watched are run when watching
//! starts again, oldest first, as the cloud catches them up.

use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};

use super::{Frequency, Recurrence};
use crate::flow::run::timestamp;

/// Missed windows run when watching starts again, at most (the most recent ones).
pub const MAX_CAUGHT_UP: usize = 10_000;

/// One window of a sliding window trigger.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// Where it starts (included).
    pub start: DateTime<Utc>,
    /// Where it ends (excluded), the time its run is scheduled for before the delay.
    pub end: DateTime<Utc>,
}

impl Window {
    /// The window as a run's trigger receives it: `windowStartTime`, `windowEndTime` and the
    /// `scheduledTime` of the run.
    pub fn body(&self) -> Value {
        json!({
            "windowStartTime": timestamp(self.start),
            "windowEndTime": timestamp(self.end),
            "scheduledTime": timestamp(self.end),
        })
    }
}

/// The window that starts at `start`: it ends at the recurrence's next time after it.
pub fn starting_at(recurrence: &Recurrence, start: DateTime<Utc>) -> Option<Window> {
    let end = recurrence
        .next_runs(start + Duration::seconds(1), 1)
        .first()?
        .to_utc();
    Some(Window { start, end })
}

/// The window that ends at `end`, one period of the recurrence long (a run started by hand,
/// outside any schedule, covers the period just before it).
pub fn ending_at(recurrence: &Recurrence, end: DateTime<Utc>) -> Window {
    let n = i64::from(recurrence.interval);
    let start = match recurrence.frequency {
        Frequency::Second => end.checked_sub_signed(Duration::seconds(n)),
        Frequency::Minute => end.checked_sub_signed(Duration::minutes(n)),
        Frequency::Hour => end.checked_sub_signed(Duration::hours(n)),
        Frequency::Day => end.checked_sub_signed(Duration::days(n)),
        Frequency::Week => end.checked_sub_signed(Duration::weeks(n)),
        Frequency::Month => end.checked_sub_months(chrono::Months::new(recurrence.interval)),
    };
    Window {
        start: start.unwrap_or(end),
        end,
    }
}

/// Where catching up starts when windows from `start` on have been missed: at `start`, or,
/// when more than [`MAX_CAUGHT_UP`] windows have ended (with `delay`) by `now`, at the start
/// of the oldest of the most recent ones; with how many windows are left out.
pub fn catch_up_from(
    recurrence: &Recurrence,
    delay: Duration,
    start: DateTime<Utc>,
    now: DateTime<Utc>,
) -> (DateTime<Utc>, u64) {
    let mut starts = std::collections::VecDeque::with_capacity(MAX_CAUGHT_UP + 1);
    let mut left_out = 0u64;
    let mut at = start;
    while let Some(window) = starting_at(recurrence, at) {
        if window.end + delay > now {
            break;
        }
        starts.push_back(window.start);
        if starts.len() > MAX_CAUGHT_UP {
            starts.pop_front();
            left_out += 1;
        }
        at = window.end;
    }
    (starts.front().copied().unwrap_or(at), left_out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hourly(start: &str) -> Recurrence {
        Recurrence::from_trigger(
            &json!({"recurrence": {"frequency": "Hour", "interval": 1, "startTime": start}}),
        )
        .expect("recurrence")
    }

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).expect("time").to_utc()
    }

    #[test]
    fn windows_are_contiguous_periods_of_the_recurrence() {
        let recurrence = hourly("2026-01-01T10:00:00Z");
        let first = starting_at(&recurrence, at("2026-01-01T10:00:00Z")).expect("window");
        assert_eq!(first.end, at("2026-01-01T11:00:00Z"));
        let second = starting_at(&recurrence, first.end).expect("window");
        assert_eq!(
            (second.start, second.end),
            (at("2026-01-01T11:00:00Z"), at("2026-01-01T12:00:00Z"))
        );
        let body = second.body();
        assert_eq!(body["windowStartTime"], timestamp(second.start));
        assert_eq!(body["windowEndTime"], timestamp(second.end));
    }

    #[test]
    fn a_window_run_by_hand_covers_the_period_before_it() {
        let monthly =
            Recurrence::from_trigger(&json!({"recurrence": {"frequency": "Month", "interval": 1}}))
                .expect("recurrence");
        let window = ending_at(&monthly, at("2026-03-31T00:00:00Z"));
        assert_eq!(window.start, at("2026-02-28T00:00:00Z"));
        let window = ending_at(&hourly("2026-01-01T00:00:00Z"), at("2026-03-31T00:00:00Z"));
        assert_eq!(window.start, at("2026-03-30T23:00:00Z"));
    }

    #[test]
    fn catching_up_keeps_the_most_recent_windows() {
        let recurrence = hourly("2026-01-01T00:00:00Z");
        let start = at("2026-01-01T00:00:00Z");
        // Three windows have ended by 03:30; none is left out.
        assert_eq!(
            catch_up_from(
                &recurrence,
                Duration::zero(),
                start,
                at("2026-01-01T03:30:00Z")
            ),
            (start, 0)
        );
        // With a 45-minute delay only two have.
        let (from, left_out) = catch_up_from(
            &recurrence,
            Duration::minutes(45),
            start,
            at("2026-01-01T03:30:00Z"),
        );
        assert_eq!((from, left_out), (start, 0));
        // Two years of hourly windows: the last MAX_CAUGHT_UP run, the rest are counted.
        let now = at("2028-01-01T00:30:00Z");
        let (from, left_out) = catch_up_from(&recurrence, Duration::zero(), start, now);
        let total = (at("2028-01-01T00:00:00Z") - start).num_hours() as u64;
        assert_eq!(left_out, total - MAX_CAUGHT_UP as u64);
        assert_eq!(
            from,
            at("2028-01-01T00:00:00Z") - Duration::hours(MAX_CAUGHT_UP as i64)
        );
    }
}
