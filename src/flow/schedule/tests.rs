use super::*;
use serde_json::json;

fn utc(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&Utc)
}

fn runs(trigger: Value, now: &str, count: usize) -> Vec<String> {
    Recurrence::from_trigger(&trigger)
        .unwrap()
        .next_runs(utc(now), count)
        .iter()
        .map(|at| at.to_rfc3339())
        .collect()
}

#[test]
fn every_n_units_from_the_start() {
    let trigger = json!({"type": "Recurrence", "recurrence": {"frequency": "Minute", "interval": 15, "startTime": "2017-09-07T14:00:00Z"}});
    assert_eq!(
        runs(trigger, "2017-09-07T14:20:00Z", 3),
        [
            "2017-09-07T14:30:00+00:00",
            "2017-09-07T14:45:00+00:00",
            "2017-09-07T15:00:00+00:00"
        ]
    );
    let every_other_day = json!({"recurrence": {"frequency": "Day", "interval": 2, "startTime": "2025-01-01T06:00:00Z"}});
    assert_eq!(
        runs(every_other_day, "2025-01-02T00:00:00Z", 2),
        ["2025-01-03T06:00:00+00:00", "2025-01-05T06:00:00+00:00"]
    );
    let monthly = json!({"recurrence": {"frequency": "Month", "interval": 1, "startTime": "2025-01-31T08:00:00Z"}});
    assert_eq!(
        runs(monthly, "2025-01-01T00:00:00Z", 3),
        [
            "2025-01-31T08:00:00+00:00",
            "2025-02-28T08:00:00+00:00",
            "2025-03-31T08:00:00+00:00"
        ]
    );
}

#[test]
fn schedules_of_hours_minutes_week_days_and_month_days() {
    // "Run every day at 9:00 and 17:00" (hours, minutes).
    let daily = json!({"recurrence": {"frequency": "Day", "interval": 1, "startTime": "2025-05-01T00:00:00Z",
        "schedule": {"hours": [17, 9], "minutes": [0]}}});
    assert_eq!(
        runs(daily, "2025-05-01T10:00:00Z", 3),
        [
            "2025-05-01T17:00:00+00:00",
            "2025-05-02T09:00:00+00:00",
            "2025-05-02T17:00:00+00:00"
        ]
    );
    // "Every Monday and Friday at 10:30".
    let weekly = json!({"recurrence": {"frequency": "Week", "interval": 1, "startTime": "2025-05-01T00:00:00Z",
        "schedule": {"weekDays": ["Monday", "Friday"], "hours": [10], "minutes": [30]}}});
    assert_eq!(
        runs(weekly, "2025-05-01T00:00:00Z", 3),
        [
            "2025-05-02T10:30:00+00:00",
            "2025-05-05T10:30:00+00:00",
            "2025-05-09T10:30:00+00:00"
        ]
    );
    // Every other week on Tuesday: the weeks count from the start's week.
    let fortnightly = json!({"recurrence": {"frequency": "Week", "interval": 2, "startTime": "2025-05-05T00:00:00Z",
        "schedule": {"weekDays": ["Tuesday"], "hours": [8], "minutes": [0]}}});
    assert_eq!(
        runs(fortnightly, "2025-05-05T00:00:00Z", 2),
        ["2025-05-06T08:00:00+00:00", "2025-05-20T08:00:00+00:00"]
    );
    // The 1st and the 15th of each month at 8:00.
    let twice_a_month = json!({"recurrence": {"frequency": "Month", "interval": 1, "startTime": "2025-05-10T00:00:00Z",
        "schedule": {"monthDays": [1, 15], "hours": [8], "minutes": [0]}}});
    assert_eq!(
        runs(twice_a_month, "2025-05-10T00:00:00Z", 3),
        [
            "2025-05-15T08:00:00+00:00",
            "2025-06-01T08:00:00+00:00",
            "2025-06-15T08:00:00+00:00"
        ]
    );
}

#[test]
fn a_start_without_offset_is_local_to_the_time_zone_across_daylight_saving() {
    let trigger = json!({"recurrence": {"frequency": "Day", "interval": 1,
        "startTime": "2025-03-08T09:00:00", "timeZone": "Pacific Standard Time"}});
    let at = Recurrence::from_trigger(&trigger)
        .unwrap()
        .next_runs(utc("2025-03-08T00:00:00Z"), 2);
    let in_utc: Vec<String> = at
        .iter()
        .map(|t| t.with_timezone(&Utc).to_rfc3339())
        .collect();
    // 9:00 in Los Angeles: UTC-8 before the change, UTC-7 after it.
    assert_eq!(
        in_utc,
        ["2025-03-08T17:00:00+00:00", "2025-03-09T16:00:00+00:00"]
    );
}

#[test]
fn bad_recurrences_say_what_is_wrong() {
    let error = |v: Value| Recurrence::from_trigger(&v).unwrap_err();
    assert!(
        error(json!({"recurrence": {"frequency": "Fortnight", "interval": 1}}))
            .contains("frequency")
    );
    assert!(error(json!({"recurrence": {"frequency": "Day", "interval": 0}})).contains("interval"));
    assert_eq!(
        error(json!({"recurrence": {"frequency": "Month", "interval": 17}})),
        "recurrence.interval: expected at most 16 months, found 17"
    );
    assert!(
        Recurrence::from_trigger(&json!({"recurrence": {"frequency": "Month", "interval": 16}}))
            .is_ok()
    );
    assert!(error(json!({"recurrence": {"frequency": "Day", "interval": 1, "timeZone": "Mars Standard Time"}})).contains("timeZone"));
    assert!(
        error(
            json!({"recurrence": {"frequency": "Day", "interval": 1, "schedule": {"hours": [25]}}})
        )
        .contains("hours")
    );
    assert!(
        error(
            json!({"recurrence": {"frequency": "Hour", "interval": 1, "schedule": {"hours": [2]}}})
        )
        .contains("only a Day, Week or Month")
    );
    assert!(error(json!({"recurrence": {"frequency": "Week", "interval": 1, "schedule": {"weekDays": ["Funday"]}}})).contains("Funday"));
}
