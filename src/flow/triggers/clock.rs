//! The clock schedules wait on: the real one, or a manual one tests move forward (so that
//! recurrence is tested without sleeping).

use std::sync::Arc;

use chrono::{DateTime, Utc};
use tokio::sync::watch;

/// A clock to read and to wait on.
#[derive(Clone, Debug, Default)]
pub enum Clock {
    /// The system clock.
    #[default]
    System,
    /// A clock that moves only when told to.
    Manual(ManualClock),
}

impl Clock {
    /// The current time.
    pub fn now(&self) -> DateTime<Utc> {
        match self {
            Self::System => Utc::now(),
            Self::Manual(manual) => manual.now(),
        }
    }

    /// Waits until `when` (returns at once when it has passed).
    pub async fn sleep_until(&self, when: DateTime<Utc>) {
        match self {
            Self::System => {
                let wait = (when - Utc::now()).to_std().unwrap_or_default();
                tokio::time::sleep(wait).await;
            }
            Self::Manual(manual) => manual.wait_for(when).await,
        }
    }
}

/// A clock set by hand; waiters wake when it is moved past their time.
#[derive(Clone, Debug)]
pub struct ManualClock {
    time: Arc<watch::Sender<DateTime<Utc>>>,
}

impl ManualClock {
    /// A clock showing `start`.
    pub fn new(start: DateTime<Utc>) -> Self {
        Self {
            time: Arc::new(watch::Sender::new(start)),
        }
    }

    /// The time it shows.
    pub fn now(&self) -> DateTime<Utc> {
        *self.time.borrow()
    }

    /// Sets the time (never backwards).
    pub fn set(&self, time: DateTime<Utc>) {
        self.time.send_if_modified(|current| {
            if time > *current {
                *current = time;
                true
            } else {
                false
            }
        });
    }

    async fn wait_for(&self, when: DateTime<Utc>) {
        let mut receiver = self.time.subscribe();
        // The sender lives as long as `self`: the wait ends when the time comes.
        let _ = receiver.wait_for(|now| *now >= when).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_manual_clock_wakes_waiters_when_moved_past_their_time() {
        let start = Utc::now();
        let manual = ManualClock::new(start);
        let clock = Clock::Manual(manual.clone());
        let later = start + chrono::Duration::hours(1);
        let waiter = tokio::spawn({
            let clock = clock.clone();
            async move { clock.sleep_until(later).await }
        });
        tokio::task::yield_now().await;
        manual.set(start + chrono::Duration::minutes(30));
        tokio::task::yield_now().await;
        assert!(!waiter.is_finished());
        manual.set(later);
        tokio::time::timeout(std::time::Duration::from_secs(5), waiter)
            .await
            .expect("woken")
            .expect("joined");
        manual.set(start);
        assert_eq!(clock.now(), later, "the clock never goes back");
    }
}
