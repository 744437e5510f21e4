//! What a run did, as data: the status of the run and of each action, with resolved inputs
//! and outputs (secure data redacted), timings, retries and errors. The run history stores
//! it and the window shows it.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The status of an action (or of the run).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Status {
    /// Not started yet.
    Waiting,
    /// Under way.
    Running,
    /// Done.
    Succeeded,
    /// Failed (its error says why).
    Failed,
    /// Not run: its `runAfter` conditions were not met, or its branch was not taken.
    Skipped,
    /// Ran past its time limit.
    TimedOut,
    /// Stopped by the user or a `Terminate`.
    Cancelled,
}

impl Status {
    /// The name WDL uses (`runAfter`, `result()`).
    pub fn name(self) -> &'static str {
        match self {
            Self::Waiting => "Waiting",
            Self::Running => "Running",
            Self::Succeeded => "Succeeded",
            Self::Failed => "Failed",
            Self::Skipped => "Skipped",
            Self::TimedOut => "TimedOut",
            Self::Cancelled => "Cancelled",
        }
    }

    /// The status named `text` (case-insensitive), as `runAfter` lists them.
    pub fn parse(text: &str) -> Option<Self> {
        [
            Self::Waiting,
            Self::Running,
            Self::Succeeded,
            Self::Failed,
            Self::Skipped,
            Self::TimedOut,
            Self::Cancelled,
        ]
        .into_iter()
        .find(|s| s.name().eq_ignore_ascii_case(text))
    }

    /// Whether the action has ended (any way).
    pub fn is_final(self) -> bool {
        !matches!(self, Self::Waiting | Self::Running)
    }
}

/// Why an action failed: a code (`ActionFailed`, `BadRequest`, `AssertionFailed`, …) and
/// a message naming the action, the field and the expression where it can.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActionError {
    /// Short code, as the cloud reports it.
    pub code: String,
    /// What went wrong.
    pub message: String,
}

/// One run of one action (one per loop iteration).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActionRecord {
    /// The action's name.
    pub name: String,
    /// Where it sits: enclosing actions, e.g. `["For_each", "Condition"]`.
    pub path: Vec<String>,
    /// Its `type`.
    pub kind: String,
    /// The loop iteration it ran in (innermost loop), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iteration: Option<usize>,
    /// How it ended.
    pub status: Status,
    /// Its inputs after evaluation (redacted when secure).
    pub inputs: Value,
    /// What it produced (redacted when secure).
    pub outputs: Value,
    /// Why it failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<ActionError>,
    /// Start, ISO 8601 UTC.
    pub start_time: String,
    /// End, ISO 8601 UTC.
    pub end_time: String,
    /// Wall time in milliseconds.
    pub duration_ms: u64,
    /// Retries made (attempts after the first), with their waits.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub retries: Vec<String>,
    /// Its `trackedProperties`, evaluated when it ended (`action()` is this action).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracked_properties: Option<Value>,
}

/// One run of a flow.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RunRecord {
    /// Unique id of the run.
    pub id: String,
    /// The flow's name (its file name without extension, or its display name).
    pub flow: String,
    /// The instance connector steps ran against, by name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
    /// How the run ended.
    pub status: Status,
    /// Why it failed (the first failure, or `Terminate`'s error).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<ActionError>,
    /// What the trigger delivered (`body`, `headers`…).
    pub trigger: Value,
    /// Every action run, in the order they ended.
    pub actions: Vec<ActionRecord>,
    /// The definition's `outputs`, evaluated.
    pub outputs: Value,
    /// A `Response` action's answer, if one ran.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response: Option<Value>,
    /// Start, ISO 8601 UTC.
    pub start_time: String,
    /// End, ISO 8601 UTC.
    pub end_time: String,
    /// Wall time in milliseconds.
    pub duration_ms: u64,
    /// The run this one re-ran from a failed action, reusing its earlier outputs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rerun_of: Option<String>,
}

impl RunRecord {
    /// The failed assertions of the run (their action records).
    pub fn failed_assertions(&self) -> Vec<&ActionRecord> {
        self.actions
            .iter()
            .filter(|a| a.status == Status::Failed)
            .filter(|a| a.error.as_ref().is_some_and(|e| e.code == ASSERTION_FAILED))
            .collect()
    }
}

/// The error code of a failed `Assert`.
pub const ASSERTION_FAILED: &str = "AssertionFailed";

/// ISO 8601 with seven fractional digits, as the cloud writes times.
pub fn timestamp(at: chrono::DateTime<chrono::Utc>) -> String {
    use chrono::{Datelike as _, Timelike as _};
    use std::fmt::Write as _;
    // Every action writes two of these: the fields are written directly rather than through
    // a `strftime` pattern parsed on each call (same text).
    let year = at.year();
    if !(0..=9999).contains(&year) {
        return format!("{}0Z", at.format("%Y-%m-%dT%H:%M:%S%.6f"));
    }
    let mut text = String::with_capacity(28);
    let _ = write!(
        text,
        "{year:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}0Z",
        at.month(),
        at.day(),
        at.hour(),
        at.minute(),
        at.second(),
        at.nanosecond() % 1_000_000_000 / 1_000
    );
    text
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone as _;

    #[test]
    fn timestamps_read_as_the_cloud_writes_them() {
        let at = chrono::Utc
            .with_ymd_and_hms(2026, 3, 4, 5, 6, 7)
            .single()
            .unwrap()
            + chrono::Duration::nanoseconds(123_456_789);
        assert_eq!(super::timestamp(at), "2026-03-04T05:06:07.1234560Z");
        assert_eq!(
            super::timestamp(at),
            format!("{}0Z", at.format("%Y-%m-%dT%H:%M:%S%.6f"))
        );
        let leap = chrono::Utc
            .with_ymd_and_hms(2016, 12, 31, 23, 59, 59)
            .single()
            .unwrap()
            + chrono::Duration::nanoseconds(5_000);
        assert_eq!(
            super::timestamp(leap),
            format!("{}0Z", leap.format("%Y-%m-%dT%H:%M:%S%.6f"))
        );
    }
}
