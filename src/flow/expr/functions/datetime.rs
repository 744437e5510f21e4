//! Date and time functions. Timestamps are read like .NET does (ISO 8601, US dates) and
//! written as ISO 8601 with seven fractional digits (`2018-03-25T00:00:00.0000000Z`) unless
//! a .NET format string is given; time zones are Windows names.

use chrono::{Datelike, Duration, LocalResult, Months, NaiveDateTime, TimeZone, Timelike};
use serde_json::Value;

use super::{Call, Function};
use crate::flow::expr::locale::{self, EN_US};
use crate::flow::expr::timestamp::{self, Kind, Stamp};
use crate::flow::expr::{datefmt, timezones};

pub(super) const FUNCTIONS: &[Function] = &[
    function!(
        "utcNow",
        "utcNow(format?)",
        "The current timestamp (UTC).",
        0,
        1,
        utc_now
    ),
    function!(
        "addDays",
        "addDays(timestamp, days, format?)",
        "Add days to a timestamp.",
        2,
        3,
        add_days
    ),
    function!(
        "addHours",
        "addHours(timestamp, hours, format?)",
        "Add hours to a timestamp.",
        2,
        3,
        add_hours
    ),
    function!(
        "addMinutes",
        "addMinutes(timestamp, minutes, format?)",
        "Add minutes to a timestamp.",
        2,
        3,
        add_minutes
    ),
    function!(
        "addSeconds",
        "addSeconds(timestamp, seconds, format?)",
        "Add seconds to a timestamp.",
        2,
        3,
        add_seconds
    ),
    function!(
        "addToTime",
        "addToTime(timestamp, interval, timeUnit, format?)",
        "Add Second/Minute/Hour/Day/Week/Month/Year units to a timestamp.",
        3,
        4,
        add_to_time
    ),
    function!(
        "subtractFromTime",
        "subtractFromTime(timestamp, interval, timeUnit, format?)",
        "Subtract time units from a timestamp.",
        3,
        4,
        subtract_from_time
    ),
    function!(
        "getFutureTime",
        "getFutureTime(interval, timeUnit, format?)",
        "The current timestamp plus time units.",
        2,
        3,
        get_future_time
    ),
    function!(
        "getPastTime",
        "getPastTime(interval, timeUnit, format?)",
        "The current timestamp minus time units.",
        2,
        3,
        get_past_time
    ),
    function!(
        "convertFromUtc",
        "convertFromUtc(timestamp, destinationTimeZone, format?)",
        "Convert a UTC timestamp to a time zone (Windows name).",
        2,
        3,
        convert_from_utc
    ),
    function!(
        "convertToUtc",
        "convertToUtc(timestamp, sourceTimeZone, format?)",
        "Convert a timestamp from a time zone to UTC.",
        2,
        3,
        convert_to_utc
    ),
    function!(
        "convertTimeZone",
        "convertTimeZone(timestamp, sourceTimeZone, destinationTimeZone, format?)",
        "Convert a timestamp between time zones.",
        3,
        4,
        convert_time_zone
    ),
    function!(
        "dateDifference",
        "dateDifference(startDate, endDate)",
        "endDate minus startDate as a timespan (d.hh:mm:ss).",
        2,
        2,
        date_difference
    ),
    function!(
        "dayOfMonth",
        "dayOfMonth(timestamp)",
        "The day of the month (1-31).",
        1,
        1,
        day_of_month
    ),
    function!(
        "dayOfWeek",
        "dayOfWeek(timestamp)",
        "The day of the week (Sunday is 0).",
        1,
        1,
        day_of_week
    ),
    function!(
        "dayOfYear",
        "dayOfYear(timestamp)",
        "The day of the year (1-366).",
        1,
        1,
        day_of_year
    ),
    function!(
        "formatDateTime",
        "formatDateTime(timestamp, format?, locale?)",
        "A timestamp in a .NET date format (default 'o').",
        1,
        3,
        format_date_time
    ),
    function!(
        "parseDateTime",
        "parseDateTime(timestamp, locale?, format?)",
        "Read a timestamp in a locale (or exact format); ISO 8601 result.",
        1,
        3,
        parse_date_time
    ),
    function!(
        "startOfDay",
        "startOfDay(timestamp, format?)",
        "The timestamp at midnight of its day.",
        1,
        2,
        start_of_day
    ),
    function!(
        "startOfHour",
        "startOfHour(timestamp, format?)",
        "The timestamp at the start of its hour.",
        1,
        2,
        start_of_hour
    ),
    function!(
        "startOfMonth",
        "startOfMonth(timestamp, format?)",
        "The timestamp at midnight of the first of its month.",
        1,
        2,
        start_of_month
    ),
    function!(
        "ticks",
        "ticks(timestamp)",
        "100-nanosecond ticks since 0001-01-01 (.NET DateTime.Ticks).",
        1,
        1,
        ticks
    ),
];

fn stamp(call: &Call, i: usize) -> Result<Stamp, String> {
    let text = call.string(i)?;
    timestamp::parse(&text).ok_or_else(|| {
        call.fail(format!("'{text}' (argument {}) is not a valid timestamp; use ISO 8601 such as 2018-03-15T13:00:00Z", i + 1))
    })
}

/// Formats a result with the optional format argument at `i` (en-US).
fn out(call: &Call, stamp: Stamp, i: usize) -> Result<Value, String> {
    let format = call.opt_string(i)?;
    datefmt::format(&stamp, format.as_deref(), &EN_US)
        .map(Value::String)
        .map_err(|m| call.fail(m))
}

fn shifted(call: &Call, stamp: Stamp, by: Duration) -> Result<Stamp, String> {
    stamp
        .dt
        .checked_add_signed(by)
        .map(|dt| Stamp { dt, ..stamp })
        .ok_or_else(|| call.fail("the resulting timestamp is out of range"))
}

fn add_with(call: &Call, unit: fn(i64) -> Duration) -> Result<Value, String> {
    let start = stamp(call, 0)?;
    let amount = call.int(1)?;
    let result = shifted(call, start, unit(amount))?;
    out(call, result, 2)
}

fn add_days(call: &Call) -> Result<Value, String> {
    add_with(call, Duration::days)
}

fn add_hours(call: &Call) -> Result<Value, String> {
    add_with(call, Duration::hours)
}

fn add_minutes(call: &Call) -> Result<Value, String> {
    add_with(call, Duration::minutes)
}

fn add_seconds(call: &Call) -> Result<Value, String> {
    add_with(call, Duration::seconds)
}

/// Adds `amount` of a unit ("Second" ... "Year", any case, singular or plural).
fn add_units(call: &Call, start: Stamp, amount: i64, unit: &str) -> Result<Stamp, String> {
    let unit_lower = unit.to_ascii_lowercase();
    let by = |d: Duration| shifted(call, start, d);
    match unit_lower.trim_end_matches('s') {
        "second" => by(Duration::seconds(amount)),
        "minute" => by(Duration::minutes(amount)),
        "hour" => by(Duration::hours(amount)),
        "day" => by(Duration::days(amount)),
        "week" => by(Duration::weeks(amount)),
        "month" | "year" => {
            let months = if unit_lower.starts_with("year") {
                amount.saturating_mul(12)
            } else {
                amount
            };
            let magnitude = Months::new(u32::try_from(months.unsigned_abs()).unwrap_or(u32::MAX));
            let dt = if months >= 0 {
                start.dt.checked_add_months(magnitude)
            } else {
                start.dt.checked_sub_months(magnitude)
            };
            dt.map(|dt| Stamp { dt, ..start })
                .ok_or_else(|| call.fail("the resulting timestamp is out of range"))
        }
        _ => Err(call.fail(format!(
            "the time unit '{unit}' is not one of Second, Minute, Hour, Day, Week, Month, Year"
        ))),
    }
}

fn add_to_time(call: &Call) -> Result<Value, String> {
    let start = stamp(call, 0)?;
    let result = add_units(call, start, call.int(1)?, &call.string(2)?)?;
    out(call, result, 3)
}

fn subtract_from_time(call: &Call) -> Result<Value, String> {
    let start = stamp(call, 0)?;
    let result = add_units(call, start, call.int(1)?.saturating_neg(), &call.string(2)?)?;
    out(call, result, 3)
}

fn now(call: &Call) -> Stamp {
    Stamp::utc(call.scope.now().naive_utc())
}

fn utc_now(call: &Call) -> Result<Value, String> {
    out(call, now(call), 0)
}

fn get_future_time(call: &Call) -> Result<Value, String> {
    let result = add_units(call, now(call), call.int(0)?, &call.string(1)?)?;
    out(call, result, 2)
}

fn get_past_time(call: &Call) -> Result<Value, String> {
    let result = add_units(
        call,
        now(call),
        call.int(0)?.saturating_neg(),
        &call.string(1)?,
    )?;
    out(call, result, 2)
}

fn zone(call: &Call, i: usize) -> Result<chrono_tz::Tz, String> {
    timezones::find(&call.string(i)?).map_err(|m| call.fail(m))
}

/// The UTC instant of a wall-clock time in `tz` (the earlier one when ambiguous).
fn local_to_utc(
    call: &Call,
    dt: NaiveDateTime,
    tz: chrono_tz::Tz,
) -> Result<NaiveDateTime, String> {
    match tz.from_local_datetime(&dt) {
        LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => Ok(t.naive_utc()),
        LocalResult::None => Err(call.fail(format!(
            "{dt} does not exist in the time zone {tz} (a daylight-saving gap)"
        ))),
    }
}

fn utc_to_local(dt: NaiveDateTime, tz: chrono_tz::Tz) -> NaiveDateTime {
    tz.from_utc_datetime(&dt).naive_local()
}

fn convert_from_utc(call: &Call) -> Result<Value, String> {
    let start = stamp(call, 0)?;
    let tz = zone(call, 1)?;
    let local = Stamp {
        dt: utc_to_local(start.dt, tz),
        kind: Kind::Unspecified,
    };
    out(call, local, 2)
}

fn convert_to_utc(call: &Call) -> Result<Value, String> {
    let start = stamp(call, 0)?;
    let tz = zone(call, 1)?;
    let utc = Stamp::utc(local_to_utc(call, start.dt, tz)?);
    out(call, utc, 2)
}

fn convert_time_zone(call: &Call) -> Result<Value, String> {
    let start = stamp(call, 0)?;
    let from = zone(call, 1)?;
    let to = zone(call, 2)?;
    let utc = local_to_utc(call, start.dt, from)?;
    let kind = if to == chrono_tz::Tz::UTC || to == chrono_tz::Tz::Etc__UTC {
        Kind::Utc
    } else {
        Kind::Unspecified
    };
    let result = Stamp {
        dt: utc_to_local(utc, to),
        kind,
    };
    // Converting to UTC keeps the zone-less form, as the documented examples print.
    let result = Stamp {
        kind: if kind == Kind::Utc { start.kind } else { kind },
        ..result
    };
    out(call, result, 3)
}

fn date_difference(call: &Call) -> Result<Value, String> {
    let start = stamp(call, 0)?;
    let end = stamp(call, 1)?;
    let span = end.dt - start.dt;
    Ok(Value::String(timespan(span)))
}

/// .NET `TimeSpan.ToString()`: `[-][d.]hh:mm:ss[.fffffff]`.
pub(crate) fn timespan(span: Duration) -> String {
    let negative = span < Duration::zero();
    let span = if negative { -span } else { span };
    let total = span.num_seconds();
    let ticks = i64::from(span.subsec_nanos()) / 100;
    let (days, rest) = (total / 86_400, total % 86_400);
    let mut text = String::new();
    if negative {
        text.push('-');
    }
    if days > 0 {
        text.push_str(&format!("{days}."));
    }
    text.push_str(&format!(
        "{:02}:{:02}:{:02}",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    ));
    if ticks > 0 {
        text.push_str(&format!(".{ticks:07}"));
    }
    text
}

fn day_of_month(call: &Call) -> Result<Value, String> {
    Ok(Value::from(stamp(call, 0)?.dt.day()))
}

fn day_of_week(call: &Call) -> Result<Value, String> {
    Ok(Value::from(
        stamp(call, 0)?.dt.weekday().num_days_from_sunday(),
    ))
}

fn day_of_year(call: &Call) -> Result<Value, String> {
    Ok(Value::from(stamp(call, 0)?.dt.ordinal()))
}

fn format_date_time(call: &Call) -> Result<Value, String> {
    let value = stamp(call, 0)?;
    let format = call.opt_string(1)?;
    let culture = locale::find(call.opt_string(2)?.as_deref()).map_err(|m| call.fail(m))?;
    datefmt::format(&value, format.as_deref(), culture)
        .map(Value::String)
        .map_err(|m| call.fail(m))
}

fn parse_date_time(call: &Call) -> Result<Value, String> {
    let text = call.string(0)?;
    let culture = locale::find(call.opt_string(1)?.as_deref()).map_err(|m| call.fail(m))?;
    let parsed = match call.opt_string(2)? {
        Some(format) => datefmt::parse_exact(&text, &format, culture)
            .ok_or_else(|| call.fail(format!("'{text}' does not match the format '{format}'")))?,
        None => timestamp::parse_in(&text, culture).ok_or_else(|| {
            call.fail(format!(
                "'{text}' is not a timestamp in the locale {}",
                culture.name
            ))
        })?,
    };
    out_default(call, parsed)
}

fn out_default(call: &Call, stamp: Stamp) -> Result<Value, String> {
    datefmt::format(&stamp, None, &EN_US)
        .map(Value::String)
        .map_err(|m| call.fail(m))
}

fn start_of_day(call: &Call) -> Result<Value, String> {
    let value = stamp(call, 0)?;
    let dt = value.dt.date().and_hms_opt(0, 0, 0).unwrap_or(value.dt);
    out(call, Stamp { dt, ..value }, 1)
}

fn start_of_hour(call: &Call) -> Result<Value, String> {
    let value = stamp(call, 0)?;
    let dt = value
        .dt
        .date()
        .and_hms_opt(value.dt.hour(), 0, 0)
        .unwrap_or(value.dt);
    out(call, Stamp { dt, ..value }, 1)
}

fn start_of_month(call: &Call) -> Result<Value, String> {
    let value = stamp(call, 0)?;
    let dt = value
        .dt
        .date()
        .with_day(1)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .unwrap_or(value.dt);
    out(call, Stamp { dt, ..value }, 1)
}

fn ticks(call: &Call) -> Result<Value, String> {
    Ok(Value::from(stamp(call, 0)?.ticks()))
}
