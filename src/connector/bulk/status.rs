//! The documented execution statuses (`DMFExecutionSummaryStatus`).

use std::fmt;

/// The status of a data project execution, as `GetExecutionSummaryStatus` answers it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExecutionStatus {
    /// The status cannot be determined (e.g. an unknown execution id).
    Unknown,
    /// Created but not started.
    NotRun,
    /// Running.
    Executing,
    /// Ended without errors.
    Succeeded,
    /// Ended with some rows or entities in error.
    PartiallySucceeded,
    /// Ended in error.
    Failed,
    /// Stopped before the end.
    Canceled,
    /// A value the documentation does not list, kept as sent.
    Other(String),
}

impl ExecutionStatus {
    /// Reads the status text the API answers.
    pub fn parse(text: &str) -> Self {
        match text.trim() {
            "Unknown" => Self::Unknown,
            "NotRun" => Self::NotRun,
            "Executing" => Self::Executing,
            "Succeeded" => Self::Succeeded,
            "PartiallySucceeded" => Self::PartiallySucceeded,
            "Failed" => Self::Failed,
            "Canceled" | "Cancelled" => Self::Canceled,
            other => Self::Other(other.to_owned()),
        }
    }

    /// Whether the execution has ended (polling can stop).
    pub fn is_final(&self) -> bool {
        matches!(
            self,
            Self::Succeeded | Self::PartiallySucceeded | Self::Failed | Self::Canceled
        )
    }

    /// The API's word for it.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Unknown => "Unknown",
            Self::NotRun => "NotRun",
            Self::Executing => "Executing",
            Self::Succeeded => "Succeeded",
            Self::PartiallySucceeded => "PartiallySucceeded",
            Self::Failed => "Failed",
            Self::Canceled => "Canceled",
            Self::Other(text) => text,
        }
    }
}

impl fmt::Display for ExecutionStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_read_and_print_as_documented() {
        for text in [
            "Unknown",
            "NotRun",
            "Executing",
            "Succeeded",
            "PartiallySucceeded",
            "Failed",
            "Canceled",
        ] {
            assert_eq!(ExecutionStatus::parse(text).to_string(), text);
        }
        assert!(!ExecutionStatus::parse("Executing").is_final());
        assert!(ExecutionStatus::parse("PartiallySucceeded").is_final());
        assert_eq!(
            ExecutionStatus::parse("Queued"),
            ExecutionStatus::Other("Queued".into())
        );
    }
}
