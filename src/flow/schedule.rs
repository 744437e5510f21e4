//! When a `Recurrence` trigger fires, as Logic Apps and Power Automate schedule it:
//! `frequency` (Second … Month) and `interval`, an optional `startTime` (local to `timeZone`
//! when it has no offset), and for days, weeks and months an optional `schedule` of
//! `hours`, `minutes`, `weekDays` and `monthDays`.

use chrono::{
    DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, TimeZone, Timelike, Utc, Weekday,
};
use chrono_tz::Tz;
use serde_json::Value;

pub mod window;

/// How often a recurrence repeats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Frequency {
    /// Every `interval` seconds.
    Second,
    /// Every `interval` minutes.
    Minute,
    /// Every `interval` hours.
    Hour,
    /// Every `interval` days.
    Day,
    /// Every `interval` weeks.
    Week,
    /// Every `interval` months.
    Month,
}

/// A recurrence read from a trigger.
#[derive(Debug, Clone, PartialEq)]
pub struct Recurrence {
    /// The unit.
    pub frequency: Frequency,
    /// How many units between runs (1 or more).
    pub interval: u32,
    /// The first run (in `zone`), when given.
    pub start: Option<DateTime<Tz>>,
    /// The zone of the schedule.
    pub zone: Tz,
    /// `schedule.hours` (0–23).
    pub hours: Vec<u32>,
    /// `schedule.minutes` (0–59).
    pub minutes: Vec<u32>,
    /// `schedule.weekDays`.
    pub week_days: Vec<Weekday>,
    /// `schedule.monthDays` (1–31).
    pub month_days: Vec<u32>,
}

fn numbers(value: Option<&Value>, at: &str, max: u32) -> Result<Vec<u32>, String> {
    let Some(value) = value else {
        return Ok(Vec::new());
    };
    let list = value
        .as_array()
        .ok_or_else(|| format!("{at}: expected an array of numbers"))?;
    let mut out = Vec::new();
    for item in list {
        let n = item
            .as_u64()
            .or_else(|| item.as_str().and_then(|s| s.trim().parse().ok()))
            .and_then(|n| u32::try_from(n).ok())
            .filter(|n| *n <= max)
            .ok_or_else(|| format!("{at}: expected numbers from 0 to {max}, found {item}"))?;
        out.push(n);
    }
    out.sort_unstable();
    out.dedup();
    Ok(out)
}

impl Recurrence {
    /// Reads the `recurrence` of a trigger (the trigger itself, or its `recurrence` object).
    pub fn from_trigger(trigger: &Value) -> Result<Self, String> {
        let recurrence = trigger.get("recurrence").unwrap_or(trigger);
        let frequency = match recurrence
            .get("frequency")
            .and_then(Value::as_str)
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("second") => Frequency::Second,
            Some("minute") => Frequency::Minute,
            Some("hour") => Frequency::Hour,
            Some("day") => Frequency::Day,
            Some("week") => Frequency::Week,
            Some("month") => Frequency::Month,
            other => {
                return Err(format!(
                    "recurrence.frequency: expected Second, Minute, Hour, Day, Week or Month, found {}",
                    other.unwrap_or("nothing")
                ));
            }
        };
        let interval = recurrence
            .get("interval")
            .and_then(|i| {
                i.as_u64()
                    .or_else(|| i.as_str().and_then(|s| s.parse().ok()))
            })
            .and_then(|i| u32::try_from(i).ok())
            .filter(|i| *i >= 1)
            .ok_or("recurrence.interval: expected a whole number of 1 or more")?;
        // The reference's ranges (Recurrence trigger): at most 16 months, 71 weeks, 500
        // days, 12 000 hours, 72 000 minutes or 9 999 999 seconds.
        let (most, unit) = match frequency {
            Frequency::Month => (16, "months"),
            Frequency::Week => (71, "weeks"),
            Frequency::Day => (500, "days"),
            Frequency::Hour => (12_000, "hours"),
            Frequency::Minute => (72_000, "minutes"),
            Frequency::Second => (9_999_999, "seconds"),
        };
        if interval > most {
            return Err(format!(
                "recurrence.interval: expected at most {most} {unit}, found {interval}"
            ));
        }
        let zone = match recurrence.get("timeZone").and_then(Value::as_str) {
            Some(name) => crate::flow::expr::time_zone(name)
                .map_err(|e| format!("recurrence.timeZone: {e}"))?,
            None => Tz::UTC,
        };
        let start = match recurrence.get("startTime").and_then(Value::as_str) {
            None => None,
            Some(text) => Some(parse_start(text, zone)?),
        };
        let schedule = recurrence.get("schedule");
        let week_days = match schedule.and_then(|s| s.get("weekDays")) {
            None => Vec::new(),
            Some(days) => days
                .as_array()
                .ok_or("recurrence.schedule.weekDays: expected an array of day names")?
                .iter()
                .map(|d| {
                    d.as_str()
                        .and_then(|s| s.parse::<Weekday>().ok())
                        .ok_or_else(|| {
                            format!(
                                "recurrence.schedule.weekDays: {d} is not a day (Monday … Sunday)"
                            )
                        })
                })
                .collect::<Result<_, _>>()?,
        };
        let parsed = Self {
            frequency,
            interval,
            start,
            zone,
            hours: numbers(
                schedule.and_then(|s| s.get("hours")),
                "recurrence.schedule.hours",
                23,
            )?,
            minutes: numbers(
                schedule.and_then(|s| s.get("minutes")),
                "recurrence.schedule.minutes",
                59,
            )?,
            week_days,
            month_days: numbers(
                schedule.and_then(|s| s.get("monthDays")),
                "recurrence.schedule.monthDays",
                31,
            )?,
        };
        let scheduled = !(parsed.hours.is_empty()
            && parsed.minutes.is_empty()
            && parsed.week_days.is_empty()
            && parsed.month_days.is_empty());
        if scheduled
            && matches!(
                frequency,
                Frequency::Second | Frequency::Minute | Frequency::Hour
            )
        {
            return Err(
                "recurrence.schedule: only a Day, Week or Month frequency takes a schedule"
                    .to_owned(),
            );
        }
        Ok(parsed)
    }

    /// The next `count` runs at or after `now`.
    pub fn next_runs(&self, now: DateTime<Utc>, count: usize) -> Vec<DateTime<Tz>> {
        let now = now.with_timezone(&self.zone);
        let start = self.start.unwrap_or(now);
        let scheduled = !(self.hours.is_empty()
            && self.minutes.is_empty()
            && self.week_days.is_empty()
            && self.month_days.is_empty());
        if !scheduled {
            return self.plain_runs(start, now, count);
        }
        let hours = if self.hours.is_empty() {
            vec![start.hour()]
        } else {
            self.hours.clone()
        };
        let minutes = if self.minutes.is_empty() {
            vec![start.minute()]
        } else {
            self.minutes.clone()
        };
        let mut runs = Vec::new();
        let first_day = start.date_naive();
        // Ten years of days at most: the schedule is finite to scan.
        for offset in 0..3_660_i64 {
            let Some(day) = first_day.checked_add_signed(Duration::days(offset)) else {
                break;
            };
            if !self.day_matches(first_day, day) {
                continue;
            }
            for hour in &hours {
                for minute in &minutes {
                    let Some(local) = day.and_hms_opt(*hour, *minute, 0) else {
                        continue;
                    };
                    let Some(at) = self.zone.from_local_datetime(&local).earliest() else {
                        continue;
                    };
                    if at >= start && at >= now {
                        runs.push(at);
                        if runs.len() == count {
                            return runs;
                        }
                    }
                }
            }
        }
        runs
    }

    fn day_matches(&self, first: NaiveDate, day: NaiveDate) -> bool {
        let interval = i64::from(self.interval);
        match self.frequency {
            Frequency::Day => (day - first).num_days() % interval == 0,
            Frequency::Week => {
                let week_of = |d: NaiveDate| {
                    d.checked_sub_signed(Duration::days(i64::from(
                        d.weekday().num_days_from_monday(),
                    )))
                    .unwrap_or(d)
                };
                let weeks = (week_of(day) - week_of(first)).num_days() / 7;
                let days = if self.week_days.is_empty() {
                    vec![first.weekday()]
                } else {
                    self.week_days.clone()
                };
                weeks % interval == 0 && days.contains(&day.weekday())
            }
            Frequency::Month => {
                let months = i64::from(day.year() - first.year()) * 12 + i64::from(day.month())
                    - i64::from(first.month());
                let days = if self.month_days.is_empty() {
                    vec![first.day()]
                } else {
                    self.month_days.clone()
                };
                months % interval == 0 && days.contains(&day.day())
            }
            Frequency::Second | Frequency::Minute | Frequency::Hour => true,
        }
    }

    /// Runs every `interval` units from `start` (no schedule).
    fn plain_runs(
        &self,
        start: DateTime<Tz>,
        now: DateTime<Tz>,
        count: usize,
    ) -> Vec<DateTime<Tz>> {
        let interval = i64::from(self.interval);
        let step = |k: i64| -> Option<DateTime<Tz>> {
            let n = k.checked_mul(interval)?;
            match self.frequency {
                Frequency::Second => start.checked_add_signed(Duration::seconds(n)),
                Frequency::Minute => start.checked_add_signed(Duration::minutes(n)),
                Frequency::Hour => start.checked_add_signed(Duration::hours(n)),
                // Days and weeks keep the local time of day across daylight saving changes.
                Frequency::Day | Frequency::Week => {
                    let days = if self.frequency == Frequency::Week {
                        n.checked_mul(7)?
                    } else {
                        n
                    };
                    let local = start
                        .naive_local()
                        .checked_add_signed(Duration::days(days))?;
                    self.zone.from_local_datetime(&local).earliest()
                }
                Frequency::Month => {
                    let months = u32::try_from(n).ok()?;
                    start.checked_add_months(chrono::Months::new(months))
                }
            }
        };
        // The first run at or after now, found without walking every step.
        let mut k = match self.frequency {
            Frequency::Month => 0,
            _ => {
                let unit = match self.frequency {
                    Frequency::Second => 1,
                    Frequency::Minute => 60,
                    Frequency::Hour => 3_600,
                    Frequency::Day => 86_400,
                    _ => 604_800,
                };
                // One step early: daylight saving moves local-time steps by an hour.
                ((now - start).num_seconds() / (unit * interval) - 1).max(0)
            }
        };
        let mut runs = Vec::new();
        let mut guard = 0;
        while runs.len() < count && guard < 100_000 {
            guard += 1;
            let Some(at) = step(k) else {
                break;
            };
            if at >= now {
                runs.push(at);
            }
            k += 1;
        }
        runs
    }
}

/// `startTime`: with an offset or `Z` it is that instant; without, a time in `zone`.
fn parse_start(text: &str, zone: Tz) -> Result<DateTime<Tz>, String> {
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Ok(at.with_timezone(&zone));
    }
    let local = NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f")
        .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M"))
        .map_err(|_| {
            format!("recurrence.startTime: '{text}' is not a date and time (YYYY-MM-DDThh:mm:ss)")
        })?;
    zone.from_local_datetime(&local)
        .earliest()
        .ok_or_else(|| format!("recurrence.startTime: '{text}' does not exist in that time zone"))
}

#[cfg(test)]
mod tests;
