//! Date and time functions. The scope's clock is fixed at 2018-03-01T00:00:00Z.

use serde_json::json;

use super::{check, check_errors};

#[test]
fn documented_examples() {
    check(&[
        (
            "addDays('2018-03-15T00:00:00Z', 10)",
            json!("2018-03-25T00:00:00.0000000Z"),
        ),
        (
            "addDays('2018-03-15T00:00:00Z', -5)",
            json!("2018-03-10T00:00:00.0000000Z"),
        ),
        (
            "addHours('2018-03-15T00:00:00Z', 10)",
            json!("2018-03-15T10:00:00.0000000Z"),
        ),
        (
            "addHours('2018-03-15T15:00:00Z', -5)",
            json!("2018-03-15T10:00:00.0000000Z"),
        ),
        (
            "addMinutes('2018-03-15T00:10:00Z', 10)",
            json!("2018-03-15T00:20:00.0000000Z"),
        ),
        (
            "addMinutes('2018-03-15T00:20:00Z', -5)",
            json!("2018-03-15T00:15:00.0000000Z"),
        ),
        (
            "addSeconds('2018-03-15T00:00:00Z', 10)",
            json!("2018-03-15T00:00:10.0000000Z"),
        ),
        (
            "addSeconds('2018-03-15T00:00:30Z', -5)",
            json!("2018-03-15T00:00:25.0000000Z"),
        ),
        (
            "addToTime('2018-01-01T00:00:00Z', 1, 'Day')",
            json!("2018-01-02T00:00:00.0000000Z"),
        ),
        (
            "addToTime('2018-01-01T00:00:00Z', 1, 'Day', 'D')",
            json!("Tuesday, January 2, 2018"),
        ),
        (
            "convertFromUtc('2018-01-01T08:00:00.0000000Z', 'Pacific Standard Time')",
            json!("2018-01-01T00:00:00.0000000"),
        ),
        (
            "convertFromUtc('2018-01-01T08:00:00.0000000Z', 'Pacific Standard Time', 'D')",
            json!("Monday, January 1, 2018"),
        ),
        (
            "convertTimeZone('2018-01-01T08:00:00.0000000Z', 'UTC', 'Pacific Standard Time')",
            json!("2018-01-01T00:00:00.0000000"),
        ),
        // The reference writes the hour as "80" here, a typo for 08.
        (
            "convertTimeZone('2018-01-01T08:00:00.0000000Z', 'UTC', 'Pacific Standard Time', 'D')",
            json!("Monday, January 1, 2018"),
        ),
        (
            "convertToUtc('01/01/2018 00:00:00', 'Pacific Standard Time')",
            json!("2018-01-01T08:00:00.0000000Z"),
        ),
        (
            "convertToUtc('01/01/2018 00:00:00', 'Pacific Standard Time', 'D')",
            json!("Monday, January 1, 2018"),
        ),
        (
            "dateDifference('2015-02-08', '2018-07-30')",
            json!("1268.00:00:00"),
        ),
        ("dayOfMonth('2018-03-15T13:27:36Z')", json!(15)),
        ("dayOfWeek('2018-03-15T13:27:36Z')", json!(4)),
        ("dayOfYear('2018-03-15T13:27:36Z')", json!(74)),
        (
            "formatDateTime('03/15/2018')",
            json!("2018-03-15T00:00:00.0000000"),
        ),
        (
            "formatDateTime('03/15/2018 12:00:00', 'yyyy-MM-ddTHH:mm:ss')",
            json!("2018-03-15T12:00:00"),
        ),
        (
            "formatDateTime('01/31/2016', 'dddd MMMM d')",
            json!("Sunday January 31"),
        ),
        (
            "formatDateTime('01/31/2016', 'dddd MMMM d', 'fr-fr')",
            json!("dimanche janvier 31"),
        ),
        (
            "formatDateTime('01/31/2016', 'dddd MMMM d', 'fr-FR')",
            json!("dimanche janvier 31"),
        ),
        (
            "formatDateTime('01/31/2016', 'dddd MMMM d', 'es-es')",
            json!("domingo enero 31"),
        ),
        (
            "getFutureTime(5, 'Day')",
            json!("2018-03-06T00:00:00.0000000Z"),
        ),
        (
            "getFutureTime(5, 'Day', 'D')",
            json!("Tuesday, March 6, 2018"),
        ),
        (
            "parseDateTime('20/10/2014', 'fr-fr')",
            json!("2014-10-20T00:00:00.0000000"),
        ),
        (
            "parseDateTime('20 octobre 2010', 'fr-FR')",
            json!("2010-10-20T00:00:00.0000000"),
        ),
        (
            "parseDateTime('martes 20 octubre 2020', 'es-es')",
            json!("2020-10-20T00:00:00.0000000"),
        ),
        (
            "parseDateTime('21052019', 'fr-fr', 'ddMMyyyy')",
            json!("2019-05-21T00:00:00.0000000"),
        ),
        (
            "parseDateTime('20190521', 'fr-fr', 'yyyyMMdd')",
            json!("2019-05-21T00:00:00.0000000"),
        ),
        (
            "parseDateTime('10/20/2014 15h', 'en-US', 'MM/dd/yyyy HH\\h')",
            json!("2014-10-20T15:00:00.0000000"),
        ),
        (
            "startOfDay('2018-03-15T13:30:30Z')",
            json!("2018-03-15T00:00:00.0000000Z"),
        ),
        (
            "startOfHour('2018-03-15T13:30:30Z')",
            json!("2018-03-15T13:00:00.0000000Z"),
        ),
        (
            "startOfMonth('2018-03-15T13:30:30Z')",
            json!("2018-03-01T00:00:00.0000000Z"),
        ),
        (
            "startOfMonth('2018-03-15T13:30:30Z', 'yyyy-MM-dd')",
            json!("2018-03-01"),
        ),
        (
            "subtractFromTime('2018-01-02T00:00:00Z', 1, 'Day')",
            json!("2018-01-01T00:00:00.0000000Z"),
        ),
        // The reference prints "Monday, January, 1, 2018" (an extra comma); 'D' gives this.
        (
            "subtractFromTime('2018-01-02T00:00:00Z', 1, 'Day', 'D')",
            json!("Monday, January 1, 2018"),
        ),
        ("utcNow()", json!("2018-03-01T00:00:00.0000000Z")),
    ]);
}

#[test]
fn get_past_time_from_the_documented_clock() {
    // The reference's getPastTime examples assume the clock at 2018-02-01.
    let scope =
        super::super::JsonScope::from_context(&json!({"now": "2018-02-01T00:00:00.0000000Z"}));
    let run =
        |text: &str| super::super::evaluate(&super::super::parse(text).unwrap(), &scope).unwrap();
    assert_eq!(
        run("getPastTime(5, 'Day')"),
        json!("2018-01-27T00:00:00.0000000Z")
    );
    assert_eq!(
        run("getPastTime(5, 'Day', 'D')"),
        json!("Saturday, January 27, 2018")
    );
}

#[test]
fn utc_now_standard_formats() {
    // The reference's utcNow examples, at its clock 2025-09-25T05:18:31.3384797Z.
    let scope =
        super::super::JsonScope::from_context(&json!({"now": "2025-09-25T05:18:31.3384797Z"}));
    let run =
        |text: &str| super::super::evaluate(&super::super::parse(text).unwrap(), &scope).unwrap();
    let cases = [
        ("utcNow()", "2025-09-25T05:18:31.3384797Z"),
        ("utcNow('u')", "2025-09-25 05:18:31Z"),
        ("utcNow('U')", "Thursday, September 25, 2025 5:18:31 AM"),
        ("utcNow('d')", "9/25/2025"),
        ("utcNow('D')", "Thursday, September 25, 2025"),
        ("utcNow('t')", "5:18 AM"),
        ("utcNow('T')", "5:18:31 AM"),
        ("utcNow('y')", "September 2025"),
        ("utcNow('yyyy')", "2025"),
        ("utcNow('ddd, d MMM yyyy')", "Thu, 25 Sep 2025"),
        ("utcNow('o')", "2025-09-25T05:18:31.3384797Z"),
        ("utcNow('s')", "2025-09-25T05:18:31"),
        ("utcNow('r')", "Thu, 25 Sep 2025 05:18:31 GMT"),
        ("utcNow('g')", "9/25/2025 5:18 AM"),
        ("utcNow('M')", "September 25"),
        (
            "utcNow('yyyy-MM-dd HH:mm:ss.fff')",
            "2025-09-25 05:18:31.338",
        ),
        ("utcNow('hh:mm tt')", "05:18 AM"),
        ("utcNow('%d')", "25"),
        ("utcNow('dd.MM.yy')", "25.09.25"),
        ("utcNow('HH:mm:ss.FFFFFFF')", "05:18:31.3384797"),
    ];
    for (text, expected) in cases {
        assert_eq!(run(text), json!(expected), "{text}");
    }
}

#[test]
fn edges() {
    check(&[
        (
            "ticks('2018-03-15T00:00:00Z')",
            json!(636566688000000000_i64),
        ),
        ("ticks('0001-01-01T00:00:00Z')", json!(0)),
        (
            "addToTime('2018-01-31T00:00:00Z', 1, 'Month')",
            json!("2018-02-28T00:00:00.0000000Z"),
        ),
        (
            "addToTime('2018-01-01T00:00:00Z', 2, 'Week')",
            json!("2018-01-15T00:00:00.0000000Z"),
        ),
        (
            "addToTime('2018-01-01T00:00:00Z', -1, 'Year')",
            json!("2017-01-01T00:00:00.0000000Z"),
        ),
        (
            "addToTime('2018-01-01T00:00:00Z', 90, 'minutes')",
            json!("2018-01-01T01:30:00.0000000Z"),
        ),
        (
            "addDays('2018-03-15', 1)",
            json!("2018-03-16T00:00:00.0000000"),
        ),
        (
            "addHours('2018-03-15T10:00:00+02:00', 0)",
            json!("2018-03-15T08:00:00.0000000Z"),
        ),
        (
            "addSeconds('2018-03-15T00:00:00.1234567Z', 1)",
            json!("2018-03-15T00:00:01.1234567Z"),
        ),
        (
            "formatDateTime('2018-03-15T13:27:36Z', 'dd/MM/yyyy HH:mm')",
            json!("15/03/2018 13:27"),
        ),
        (
            "formatDateTime('2018-03-15T13:27:36Z', 'D', 'de-DE')",
            json!("Donnerstag, 15. März 2018"),
        ),
        (
            "formatDateTime('2018-03-15T13:27:36Z', 'd', 'de-DE')",
            json!("15.03.2018"),
        ),
        (
            "formatDateTime('2018-03-15T13:27:36Z', 'MMM yyyy')",
            json!("Mar 2018"),
        ),
        (
            "formatDateTime('Thu, 15 Mar 2018 13:27:36 GMT')",
            json!("2018-03-15T13:27:36.0000000Z"),
        ),
        (
            "formatDateTime('2018-03-15 1:05 PM', 'HH:mm')",
            json!("13:05"),
        ),
        (
            "convertFromUtc('2018-07-01T12:00:00Z', 'W. Europe Standard Time', 'HH:mm')",
            json!("14:00"),
        ),
        (
            "convertFromUtc('2018-07-01T12:00:00Z', 'W Europe Standard Time', 'HH:mm')",
            json!("14:00"),
        ),
        (
            "convertFromUtc('2018-07-01T12:00:00Z', 'Europe/Paris', 'HH:mm')",
            json!("14:00"),
        ),
        (
            "convertFromUtc('2018-07-01T12:00:00Z', 'India Standard Time', 'HH:mm')",
            json!("17:30"),
        ),
        (
            "convertTimeZone('2018-07-01T12:00:00', 'Romance Standard Time', 'Tokyo Standard Time', 'HH:mm')",
            json!("19:00"),
        ),
        (
            "convertToUtc('2018-07-01T12:00:00', 'Eastern Standard Time')",
            json!("2018-07-01T16:00:00.0000000Z"),
        ),
        (
            "dateDifference('2018-03-15T13:00:00Z', '2018-03-15T12:30:00Z')",
            json!("-00:30:00"),
        ),
        (
            "dateDifference('2018-03-15T00:00:00Z', '2018-03-16T01:02:03.5Z')",
            json!("1.01:02:03.5000000"),
        ),
        (
            "parseDateTime('2018-03-15T13:27:36Z')",
            json!("2018-03-15T13:27:36.0000000Z"),
        ),
        (
            "parseDateTime('15.03.2018', 'de-DE')",
            json!("2018-03-15T00:00:00.0000000"),
        ),
        ("utcNow('yyyy')", json!("2018")),
        (
            "getPastTime(1, 'Month')",
            json!("2018-02-01T00:00:00.0000000Z"),
        ),
    ]);
    check_errors(&[
        (
            "addDays('not a date', 1)",
            "addDays: 'not a date' (argument 1) is not a valid timestamp",
        ),
        (
            "addToTime('2018-01-01', 1, 'Fortnight')",
            "the time unit 'Fortnight' is not one of",
        ),
        (
            "convertFromUtc('2018-01-01', 'Mars Standard Time')",
            "the time zone 'Mars Standard Time' is not known",
        ),
        (
            "formatDateTime('2018-01-01', 'Q')",
            "'Q' is not a standard date and time format",
        ),
        (
            "formatDateTime('2018-01-01', 'D', 'xx-XX')",
            "the locale 'xx-XX' is not supported",
        ),
        (
            "parseDateTime('2018', 'en-US', 'yyyyMMdd')",
            "does not match the format 'yyyyMMdd'",
        ),
        (
            "convertToUtc('2018-03-11T02:30:00', 'Pacific Standard Time')",
            "daylight-saving gap",
        ),
    ]);
}

#[test]
fn every_windows_zone_maps_to_a_known_iana_zone() {
    for (windows, iana) in crate::flow::expr::timezones::WINDOWS_ZONES {
        assert!(iana.parse::<chrono_tz::Tz>().is_ok(), "{windows} -> {iana}");
        assert!(
            crate::flow::expr::timezones::find(windows).is_ok(),
            "{windows}"
        );
    }
}
