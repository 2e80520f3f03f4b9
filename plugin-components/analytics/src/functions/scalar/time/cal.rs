//! Calendar arithmetic on day counts (days since 1970-01-01, proleptic Gregorian, astronomical
//! years: year 0 is 1 BC) and microseconds into the day: Howard Hinnant's `days_from_civil` and
//! `civil_from_days`, ISO weeks, DuckDB's `date_part` and `date_trunc` rules, interval addition
//! with month ends clamped (`2024-01-31 + 1 month` is `2024-02-29`), and `time_bucket`'s bucketing.
//! Everything that can leave 64 bits is checked and answers `None`.

use arrow_buffer::IntervalMonthDayNano;

use super::{Part, TruncUnit};
use crate::error::{AnalyticsError, Result};

/// Microseconds per second.
pub(crate) const US_PER_SEC: i64 = 1_000_000;
/// Microseconds per minute.
pub(crate) const US_PER_MINUTE: i64 = 60 * US_PER_SEC;
/// Microseconds per hour.
pub(crate) const US_PER_HOUR: i64 = 60 * US_PER_MINUTE;
/// Microseconds per day.
pub(crate) const US_PER_DAY: i64 = 24 * US_PER_HOUR;

/// Days since 1970-01-01 of a valid year, month (1-12) and day.
pub(crate) fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The year, month (1-12) and day of a day count.
pub(crate) fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Whether `y` is a leap year.
pub(crate) fn is_leap(y: i64) -> bool {
    y.rem_euclid(4) == 0 && (y.rem_euclid(100) != 0 || y.rem_euclid(400) == 0)
}

/// The days in month `m` of year `y`.
pub(crate) fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// The day count of a date, `None` when it is not one (month 13, February 30, a year past what a
/// date can hold).
pub(crate) fn checked_days(y: i64, m: i64, d: i64) -> Option<i64> {
    ((-6_000_000..=6_000_000).contains(&y) && (1..=12).contains(&m) && d >= 1 && d <= days_in_month(y, m))
        .then(|| days_from_civil(y, m, d))
}

/// The ISO day of the week: 1 (Monday) to 7.
pub(crate) fn isodow(days: i64) -> i64 {
    (days + 3).rem_euclid(7) + 1
}

/// The ISO year and week of a day.
pub(crate) fn iso_week(days: i64) -> (i64, i64) {
    let thursday = days - (isodow(days) - 1) + 3;
    let (y, _, _) = civil_from_days(thursday);
    (y, (thursday - days_from_civil(y, 1, 1)) / 7 + 1)
}

/// The first day (a Monday) of ISO year `y`.
fn iso_year_start(y: i64) -> i64 {
    let jan4 = days_from_civil(y, 1, 4);
    jan4 - (isodow(jan4) - 1)
}

/// A `date_part` field of a day and the microseconds into it (`Epoch` and `Julian`, which are
/// floats, are computed by the caller).
pub(crate) fn part(p: Part, days: i64, tod: i64) -> i64 {
    let ymd = || civil_from_days(days);
    match p {
        Part::Year => ymd().0,
        Part::Month => ymd().1,
        Part::Day => ymd().2,
        Part::Quarter => (ymd().1 - 1) / 3 + 1,
        Part::DayOfWeek => (days + 4).rem_euclid(7),
        Part::IsoDayOfWeek => isodow(days),
        Part::DayOfYear => days - days_from_civil(ymd().0, 1, 1) + 1,
        Part::Week => iso_week(days).1,
        Part::IsoYear => iso_week(days).0,
        Part::YearWeek => {
            let (y, w) = iso_week(days);
            y * 100 + if y < 0 { -w } else { w }
        }
        Part::Era => i64::from(ymd().0 > 0),
        Part::Decade => ymd().0 / 10,
        Part::Century => {
            let y = ymd().0;
            if y > 0 { (y - 1) / 100 + 1 } else { y / 100 - 1 }
        }
        Part::Millennium => {
            let y = ymd().0;
            if y > 0 { (y - 1) / 1_000 + 1 } else { y / 1_000 - 1 }
        }
        Part::Hour => tod / US_PER_HOUR,
        Part::Minute => (tod % US_PER_HOUR) / US_PER_MINUTE,
        Part::Second => (tod % US_PER_MINUTE) / US_PER_SEC,
        Part::Millisecond => (tod % US_PER_MINUTE) / 1_000,
        Part::Microsecond => tod % US_PER_MINUTE,
        Part::Epoch | Part::Julian | Part::Timezone => 0,
    }
}

/// `date_trunc(unit, ...)` of a day and the microseconds into it, as microseconds since the epoch.
pub(crate) fn trunc(unit: TruncUnit, days: i64, tod: i64) -> Option<i64> {
    let floor = |step: i64| tod - tod % step;
    let (d, t) = match unit {
        TruncUnit::Microsecond => (days, tod),
        TruncUnit::Millisecond => (days, floor(1_000)),
        TruncUnit::Second => (days, floor(US_PER_SEC)),
        TruncUnit::Minute => (days, floor(US_PER_MINUTE)),
        TruncUnit::Hour => (days, floor(US_PER_HOUR)),
        TruncUnit::Day => (days, 0),
        TruncUnit::Week => (days - (isodow(days) - 1), 0),
        TruncUnit::IsoYear => (iso_year_start(iso_week(days).0), 0),
        _ => {
            let (y, m, _) = civil_from_days(days);
            let (y, m) = match unit {
                TruncUnit::Month => (y, m),
                TruncUnit::Quarter => (y, (m - 1) / 3 * 3 + 1),
                TruncUnit::Year => (y, 1),
                TruncUnit::Decade => (y / 10 * 10, 1),
                TruncUnit::Century => (y / 100 * 100, 1),
                _ => (y / 1_000 * 1_000, 1),
            };
            (days_from_civil(y, m, 1), 0)
        }
    };
    d.checked_mul(US_PER_DAY)?.checked_add(t)
}

/// An interval's length as DuckDB's `epoch` counts it: a year is 365.25 days, another month 30
/// days, a day 24 hours. Whole seconds and the nanoseconds left.
pub(crate) fn interval_epoch_parts(iv: IntervalMonthDayNano) -> (i64, i64) {
    let months = i64::from(iv.months);
    let years = months / 12;
    let days = years * 365 + (months % 12) * 30 + i64::from(iv.days);
    let secs = days * 86_400 + years * (86_400 / 4) + iv.nanoseconds / 1_000_000_000;
    (secs, iv.nanoseconds % 1_000_000_000)
}

/// `ticks` (of a unit with `per_day` ticks a day and `nanos_per_tick` nanoseconds a tick) plus
/// (or minus) an interval: months first, the day clamped to the new month's length, then days,
/// then the time, as DuckDB adds.
pub(crate) fn add_interval(
    ticks: i64,
    per_day: i64,
    nanos_per_tick: i64,
    iv: IntervalMonthDayNano,
    negate: bool,
) -> Option<i64> {
    let (months, days, nanos) = if negate {
        (-i64::from(iv.months), -i64::from(iv.days), iv.nanoseconds.checked_neg()?)
    } else {
        (i64::from(iv.months), i64::from(iv.days), iv.nanoseconds)
    };
    let (mut day, tod) = (ticks.div_euclid(per_day), ticks.rem_euclid(per_day));
    if months != 0 {
        let (y, m, d) = civil_from_days(day);
        let total = (y * 12 + m - 1).checked_add(months)?;
        let (ny, nm) = (total.div_euclid(12), total.rem_euclid(12) + 1);
        day = days_from_civil(ny, nm, d.min(days_in_month(ny, nm)));
    }
    day.checked_add(days)?.checked_mul(per_day)?.checked_add(tod)?.checked_add(nanos / nanos_per_tick)
}

/// An interval times (or divided by) a float, DuckDB's way: each part scaled, the fraction of a
/// month carried into days (30 a month) and the fraction of a day into time, the time rounded to
/// the microsecond (half to even).
pub(crate) fn scale_interval(iv: IntervalMonthDayNano, f: f64, divide: bool) -> Option<IntervalMonthDayNano> {
    let op = |x: f64| if divide { x / f } else { x * f };
    let months = op(f64::from(iv.months));
    let m = months.trunc();
    let days = op(f64::from(iv.days)) + (months - m) * 30.0;
    let d = days.trunc();
    let micros = op(iv.nanoseconds as f64 / 1_000.0) + (days - d) * US_PER_DAY as f64;
    let us = micros.round_ties_even();
    let fits_i32 = |x: f64| x.is_finite() && x >= f64::from(i32::MIN) && x <= f64::from(i32::MAX);
    if !fits_i32(m) || !fits_i32(d) || !us.is_finite() || us.abs() >= 9.2e15 {
        return None;
    }
    Some(IntervalMonthDayNano::new(m as i32, d as i32, (us as i64) * 1_000))
}

/// `time_bucket` for a width in microseconds: the start of the bucket of `ts` on a grid through
/// `origin`.
pub(crate) fn bucket_micros(width: i64, ts: i64, origin: i64) -> Option<i64> {
    let origin = origin % width;
    let ts = ts.checked_sub(origin)?;
    let mut r = (ts / width) * width;
    if ts < 0 && ts % width != 0 {
        r = r.checked_sub(width)?;
    }
    r.checked_add(origin)
}

/// Months since 1970-01 of a day.
pub(crate) fn epoch_months(days: i64) -> i64 {
    let (y, m, _) = civil_from_days(days);
    (y - 1970) * 12 + m - 1
}

/// `time_bucket` for a width in months: the first day (as microseconds) of the bucket of `ts`
/// on a grid of months through `origin_months`.
pub(crate) fn bucket_months(width: i64, ts: i64, origin_months: i64) -> Option<i64> {
    let t = epoch_months(ts.div_euclid(US_PER_DAY)).checked_sub(origin_months)?;
    let mut r = (t / width) * width;
    if t < 0 && t % width != 0 {
        r = r.checked_sub(width)?;
    }
    let months = r.checked_add(origin_months)?;
    let (y, m) = (1970 + months.div_euclid(12), months.rem_euclid(12) + 1);
    days_from_civil(y, m, 1).checked_mul(US_PER_DAY)
}

/// `make_timestamp(y, m, d, h, mi, s)` as microseconds, with DuckDB's checks (seconds are rounded
/// to the microsecond and may be 60).
pub(crate) fn make_timestamp(y: i64, m: i64, d: i64, h: i64, mi: i64, s: f64) -> Result<i64> {
    let days =
        checked_days(y, m, d).ok_or_else(|| AnalyticsError::execution(format!("date out of range: {y}-{m}-{d}")))?;
    let us = (s * 1e6).round();
    if !(0..24).contains(&h) || !(0..60).contains(&mi) || !(0.0..=60.0 * 1e6).contains(&us) {
        return Err(AnalyticsError::execution(format!("time out of range: {h}:{mi}:{s}")));
    }
    days.checked_mul(US_PER_DAY)
        .and_then(|t| t.checked_add(h * US_PER_HOUR + mi * US_PER_MINUTE + us as i64))
        .ok_or_else(|| AnalyticsError::execution("timestamp out of range"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_counts_round_trip_across_eras() {
        for days in (-800_000..800_000).step_by(97) {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
            assert!((1..=12).contains(&m) && d >= 1 && d <= days_in_month(y, m));
        }
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(civil_from_days(19_782), (2024, 2, 29));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
        assert!(checked_days(2023, 2, 29).is_none());
        assert!(checked_days(2024, 2, 29).is_some());
        assert!(checked_days(1900, 2, 29).is_none());
        assert!(checked_days(2000, 2, 29).is_some());
    }

    #[test]
    fn iso_weeks_match_duckdb() {
        // DuckDB 2.0.1: 2024-12-30 is ISO 2025 week 1; 2021-01-03 is ISO 2020 week 53; 1900-01-01 week 1.
        assert_eq!(iso_week(days_from_civil(2024, 12, 30)), (2025, 1));
        assert_eq!(iso_week(days_from_civil(2021, 1, 3)), (2020, 53));
        assert_eq!(iso_week(days_from_civil(1900, 1, 1)), (1900, 1));
        assert_eq!(iso_year_start(2025), days_from_civil(2024, 12, 30));
    }

    #[test]
    fn month_ends_clamp() {
        let day = |y, m, d| days_from_civil(y, m, d) * US_PER_DAY;
        let month = IntervalMonthDayNano::new(1, 0, 0);
        assert_eq!(add_interval(day(2024, 1, 31), US_PER_DAY, 1_000, month, false), Some(day(2024, 2, 29)));
        assert_eq!(add_interval(day(2024, 3, 31), US_PER_DAY, 1_000, month, true), Some(day(2024, 2, 29)));
        let year = IntervalMonthDayNano::new(12, 0, 0);
        assert_eq!(add_interval(day(2024, 2, 29), US_PER_DAY, 1_000, year, false), Some(day(2025, 2, 28)));
        assert_eq!(add_interval(i64::MAX - 5, US_PER_DAY, 1_000, IntervalMonthDayNano::new(0, 1, 0), false), None);
    }

    #[test]
    fn interval_scaling_carries_fractions_down() {
        // DuckDB 2.0.1: interval '1 month 1 day' * 1.5 = 1 month 16 days 12:00:00;
        // interval '3 months' * -1.5 = -4 months -15 days; interval '1 day' / 7 = 03:25:42.857143;
        // interval '1 microsecond' * 0.5 = 00:00:00; * 1.5 = 00:00:00.000002.
        let iv = |m, d, us: i64| IntervalMonthDayNano::new(m, d, us * 1_000);
        assert_eq!(scale_interval(iv(1, 1, 0), 1.5, false), Some(iv(1, 16, 12 * US_PER_HOUR)));
        assert_eq!(scale_interval(iv(3, 0, 0), -1.5, false), Some(iv(-4, -15, 0)));
        assert_eq!(scale_interval(iv(0, 1, 0), 7.0, true), Some(iv(0, 0, 12_342_857_143)));
        assert_eq!(scale_interval(iv(0, 0, 1), 0.5, false), Some(iv(0, 0, 0)));
        assert_eq!(scale_interval(iv(0, 0, 1), 1.5, false), Some(iv(0, 0, 2)));
        assert_eq!(scale_interval(iv(0, 1, 0), 1e10, false), None);
    }
}
