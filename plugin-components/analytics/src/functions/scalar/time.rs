//! Date and time functions, and arithmetic on dates, timestamps and intervals, with DuckDB's
//! names, types and errors.
//!
//! Dates are `Date32`, timestamps `Timestamp(unit, tz)` (DuckDB's `TIMESTAMP` is microseconds
//! without a zone, `TIMESTAMPTZ` microseconds in `"UTC"`), intervals `Interval(MonthDayNano)`.
//! Calendar fields are computed in UTC (DuckDB with `SET TimeZone = 'UTC'`) on the proleptic
//! Gregorian calendar with a year 0 (DuckDB's astronomical years), by the day-count algorithms
//! in [`cal`]: no time zone database, no `chrono`. Results that leave the representable range
//! are errors, never wrapped values.
//!
//! Arithmetic is done here rather than by arrow-arith's temporal kernels because those need
//! `chrono-tz` to read a zone named `"UTC"`, split timestamp differences into a `Duration` where
//! DuckDB gives an interval of days and microseconds, and wrap where DuckDB fails.

mod cal;
mod format;

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Date32Type, Float64Type, Int32Type, Int64Type, IntervalMonthDayNanoType, Time64MicrosecondType,
    Time64NanosecondType, TimestampMicrosecondType, TimestampMillisecondType, TimestampNanosecondType,
    TimestampSecondType,
};
use arrow_array::{Array, ArrayRef, Date32Array, Float64Array, Int64Array, PrimitiveArray, new_null_array};
use arrow_buffer::{IntervalMonthDayNano, NullBuffer};
use arrow_schema::{DataType, IntervalUnit, TimeUnit};

use self::cal::{US_PER_DAY, US_PER_HOUR, US_PER_MINUTE, US_PER_SEC};
pub use self::format::Format;
use super::{Arg, Resolved, ScalarFunc, arg, is_null_literal, literal_str, no_signature};
use crate::error::{AnalyticsError, Result};
use crate::types::BinaryOp;
use crate::types::coerce::is_string;

/// A date/time function, with its constant unit or format folded in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TimeFunc {
    /// `date_trunc(unit, t)`.
    Trunc(TruncUnit),
    /// `date_part(unit, t)`, `extract`, and the shorthands (`year(t)`, ...).
    Part(Part),
    /// `epoch_ms(t)`, `epoch_us(t)`, `epoch_ns(t)`: the instant in whole units.
    EpochInt(TimeUnit),
    /// `epoch_ms(bigint)`, `epoch_us(bigint)`, ...: a timestamp from a count since the epoch.
    FromEpoch(TimeUnit),
    /// `to_timestamp(double seconds)`.
    ToTimestamp,
    /// `time_bucket(width, t[, origin | offset])` and `date_bin(width, t, origin)`.
    Bucket(Bucket),
    /// `make_date(year, month, day)`.
    MakeDate,
    /// `make_timestamp(year, month, day, hour, minute, seconds)`.
    MakeTimestamp,
    /// `make_timestamp(microseconds)`.
    MakeTimestampMicros,
    /// `strftime(t, format)`.
    Strftime(Format),
    /// `strptime(text, format)`.
    Strptime(Format),
    /// `dayname(t)`, `monthname(t)`: the English name.
    Name {
        /// The month's name rather than the weekday's.
        month: bool,
    },
    /// `last_day(t)`: the last day of the month, a date.
    LastDay,
    /// A call whose constant unit is NULL: NULL on every row.
    Null,
    /// An arithmetic operator on temporal operands.
    Op(TimeOp),
}

/// How `time_bucket` places its buckets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bucket {
    /// From DuckDB's default origins (2000-01-03 for day-based widths, 2000-01 for months).
    Default,
    /// From the timestamp in the third argument.
    Origin,
    /// From the default origins shifted by the interval in the third argument.
    Offset,
    /// `date_bin`: from the origin in the third argument, widths without months.
    DateBin,
}

/// An arithmetic operator on dates, timestamps and intervals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeOp {
    /// `date ± integer` (or `integer + date`): a date.
    DateDays {
        /// The date is the right operand.
        swapped: bool,
        /// `-`.
        negate: bool,
    },
    /// `date - date`: days.
    DateDiff,
    /// `date + time`: a timestamp.
    DatePlusTime {
        /// The date is the right operand.
        swapped: bool,
    },
    /// `(date | timestamp) ± interval` (or `interval + ...`): a timestamp of `unit`.
    AddInterval {
        /// The interval is the left operand.
        swapped: bool,
        /// `-`.
        negate: bool,
        /// The result's unit.
        unit: TimeUnit,
    },
    /// `timestamp - timestamp` (either may be a date): an interval of days and time.
    Diff {
        /// The unit both sides are counted in.
        unit: TimeUnit,
    },
    /// `interval ± interval`.
    IntervalAdd {
        /// `-`.
        negate: bool,
    },
    /// `interval * integer` (either order).
    IntervalMulInt {
        /// The interval is the right operand.
        swapped: bool,
    },
    /// `interval * double` (either order).
    IntervalMulFloat {
        /// The interval is the right operand.
        swapped: bool,
    },
    /// `interval / number`.
    IntervalDiv,
}

/// A `date_trunc` unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TruncUnit {
    /// Microseconds.
    Microsecond,
    /// Milliseconds.
    Millisecond,
    /// Seconds.
    Second,
    /// Minutes.
    Minute,
    /// Hours.
    Hour,
    /// Days.
    Day,
    /// ISO weeks (from Monday).
    Week,
    /// Months.
    Month,
    /// Quarters.
    Quarter,
    /// Years.
    Year,
    /// Decades (years truncated toward zero to a multiple of 10).
    Decade,
    /// Centuries (multiples of 100).
    Century,
    /// Millennia (multiples of 1000).
    Millennium,
    /// ISO years (from the Monday of ISO week 1).
    IsoYear,
}

/// A `date_part` unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// `year`.
    Year,
    /// `quarter`.
    Quarter,
    /// `month`.
    Month,
    /// `week`: the ISO week.
    Week,
    /// `day`: of the month.
    Day,
    /// `dow`: 0 (Sunday) to 6.
    DayOfWeek,
    /// `isodow`: 1 (Monday) to 7.
    IsoDayOfWeek,
    /// `doy`: 1 to 366.
    DayOfYear,
    /// `hour`.
    Hour,
    /// `minute`.
    Minute,
    /// `second`: whole seconds of the minute.
    Second,
    /// `millisecond`: of the minute, seconds included.
    Millisecond,
    /// `microsecond`: of the minute, seconds included.
    Microsecond,
    /// `epoch`: seconds since 1970 (`DOUBLE`).
    Epoch,
    /// `yearweek`: ISO year × 100 + ISO week.
    YearWeek,
    /// `isoyear`.
    IsoYear,
    /// `era`: 1 (AD) or 0 (BC).
    Era,
    /// `decade`: year / 10.
    Decade,
    /// `century`.
    Century,
    /// `millennium`.
    Millennium,
    /// `julian`: the Julian day (`DOUBLE`).
    Julian,
    /// `timezone`, `timezone_hour`, `timezone_minute`: 0 (every value is in UTC).
    Timezone,
}

impl Part {
    fn name(self) -> &'static str {
        match self {
            Part::Year => "year",
            Part::Quarter => "quarter",
            Part::Month => "month",
            Part::Week => "week",
            Part::Day => "day",
            Part::DayOfWeek => "dayofweek",
            Part::IsoDayOfWeek => "isodow",
            Part::DayOfYear => "dayofyear",
            Part::Hour => "hour",
            Part::Minute => "minute",
            Part::Second => "second",
            Part::Millisecond => "millisecond",
            Part::Microsecond => "microsecond",
            Part::Epoch => "epoch",
            Part::YearWeek => "yearweek",
            Part::IsoYear => "isoyear",
            Part::Era => "era",
            Part::Decade => "decade",
            Part::Century => "century",
            Part::Millennium => "millennium",
            Part::Julian => "julian",
            Part::Timezone => "timezone",
        }
    }

    fn is_float(self) -> bool {
        matches!(self, Part::Epoch | Part::Julian)
    }
}

/// A date part specifier as DuckDB spells it (its aliases included), case-insensitively.
fn specifier(s: &str) -> Option<Part> {
    Some(match s.trim().to_ascii_lowercase().as_str() {
        "year" | "yr" | "y" | "years" | "yrs" => Part::Year,
        "month" | "mon" | "months" | "mons" => Part::Month,
        "day" | "days" | "d" | "dayofmonth" => Part::Day,
        "decade" | "dec" | "decades" | "decs" => Part::Decade,
        "century" | "cent" | "centuries" | "c" => Part::Century,
        "millennium" | "mil" | "millenniums" | "millennia" | "mils" | "millenium" => Part::Millennium,
        "microseconds" | "microsecond" | "us" | "usec" | "usecs" | "usecond" | "useconds" => Part::Microsecond,
        "milliseconds" | "millisecond" | "ms" | "msec" | "msecs" | "msecond" | "mseconds" => Part::Millisecond,
        "second" | "sec" | "seconds" | "secs" | "s" => Part::Second,
        "minute" | "min" | "minutes" | "mins" | "m" => Part::Minute,
        "hour" | "hr" | "hours" | "hrs" | "h" => Part::Hour,
        "epoch" => Part::Epoch,
        "dow" | "dayofweek" | "weekday" => Part::DayOfWeek,
        "isodow" => Part::IsoDayOfWeek,
        "week" | "weeks" | "w" | "weekofyear" => Part::Week,
        "doy" | "dayofyear" => Part::DayOfYear,
        "quarter" | "quarters" => Part::Quarter,
        "yearweek" => Part::YearWeek,
        "isoyear" => Part::IsoYear,
        "era" => Part::Era,
        "timezone" | "timezone_hour" | "timezone_minute" => Part::Timezone,
        "julian" | "jd" => Part::Julian,
        _ => return None,
    })
}

fn trunc_unit(p: Part) -> Option<TruncUnit> {
    Some(match p {
        Part::Microsecond => TruncUnit::Microsecond,
        Part::Millisecond => TruncUnit::Millisecond,
        Part::Second => TruncUnit::Second,
        Part::Minute => TruncUnit::Minute,
        Part::Hour => TruncUnit::Hour,
        Part::Day | Part::DayOfWeek | Part::IsoDayOfWeek | Part::DayOfYear | Part::Julian => TruncUnit::Day,
        Part::Week | Part::YearWeek => TruncUnit::Week,
        Part::Month => TruncUnit::Month,
        Part::Quarter => TruncUnit::Quarter,
        Part::Year => TruncUnit::Year,
        Part::Decade => TruncUnit::Decade,
        Part::Century => TruncUnit::Century,
        Part::Millennium => TruncUnit::Millennium,
        Part::IsoYear => TruncUnit::IsoYear,
        Part::Era | Part::Epoch | Part::Timezone => return None,
    })
}

impl TimeFunc {
    /// The SQL name.
    pub fn name(&self) -> String {
        match self {
            TimeFunc::Trunc(_) => "date_trunc".into(),
            TimeFunc::Part(p) => format!("date_part('{}')", p.name()),
            TimeFunc::EpochInt(u) | TimeFunc::FromEpoch(u) => {
                format!(
                    "epoch_{}",
                    match u {
                        TimeUnit::Second => "s",
                        TimeUnit::Millisecond => "ms",
                        TimeUnit::Microsecond => "us",
                        TimeUnit::Nanosecond => "ns",
                    }
                )
            }
            TimeFunc::ToTimestamp => "to_timestamp".into(),
            TimeFunc::Bucket(Bucket::DateBin) => "date_bin".into(),
            TimeFunc::Bucket(_) => "time_bucket".into(),
            TimeFunc::MakeDate => "make_date".into(),
            TimeFunc::MakeTimestamp | TimeFunc::MakeTimestampMicros => "make_timestamp".into(),
            TimeFunc::Strftime(_) => "strftime".into(),
            TimeFunc::Strptime(_) => "strptime".into(),
            TimeFunc::Name { month: false } => "dayname".into(),
            TimeFunc::Name { month: true } => "monthname".into(),
            TimeFunc::LastDay => "last_day".into(),
            TimeFunc::Null => "NULL".into(),
            TimeFunc::Op(op) => match op {
                TimeOp::DateDays { negate: true, .. }
                | TimeOp::AddInterval { negate: true, .. }
                | TimeOp::IntervalAdd { negate: true } => "-",
                TimeOp::DateDiff | TimeOp::Diff { .. } => "-",
                TimeOp::IntervalMulInt { .. } | TimeOp::IntervalMulFloat { .. } => "*",
                TimeOp::IntervalDiv => "/",
                _ => "+",
            }
            .into(),
        }
    }
}

/// The names this family answers to.
pub const NAMES: &[&str] = &[
    "date_trunc",
    "datetrunc",
    "date_part",
    "datepart",
    "year",
    "quarter",
    "month",
    "week",
    "weekofyear",
    "day",
    "dayofmonth",
    "dayofweek",
    "weekday",
    "isodow",
    "dayofyear",
    "hour",
    "minute",
    "second",
    "millisecond",
    "microsecond",
    "yearweek",
    "isoyear",
    "era",
    "decade",
    "century",
    "millennium",
    "julian",
    "epoch",
    "epoch_ms",
    "epoch_us",
    "epoch_ns",
    "to_timestamp",
    "time_bucket",
    "date_bin",
    "make_date",
    "make_timestamp",
    "strftime",
    "strptime",
    "dayname",
    "monthname",
    "last_day",
];

fn is_interval(t: &DataType) -> bool {
    matches!(t, DataType::Interval(_))
}

fn is_time(t: &DataType) -> bool {
    matches!(t, DataType::Time64(_) | DataType::Time32(_))
}

fn is_datetime(t: &DataType) -> bool {
    matches!(t, DataType::Date32 | DataType::Timestamp(..))
}

const INTERVAL: DataType = DataType::Interval(IntervalUnit::MonthDayNano);

/// The zone of the `TIMESTAMPTZ` values this family makes (`to_timestamp`, `strptime` with `%z`),
/// as the binder spells DuckDB's `TIMESTAMPTZ`.
const ZONE: &str = "UTC";

/// The timestamp type DuckDB gives a date or timestamp argument of a calendar function:
/// microseconds, keeping the zone.
fn ts_us(t: &DataType) -> DataType {
    match t {
        DataType::Timestamp(_, tz) => DataType::Timestamp(TimeUnit::Microsecond, tz.clone()),
        _ => DataType::Timestamp(TimeUnit::Microsecond, None),
    }
}

/// Resolve a call of this family.
pub fn resolve(name: &str, args: &[Arg<'_>]) -> Result<Option<Resolved>> {
    let done = |func: TimeFunc, arg_types: Vec<DataType>, return_type: DataType| {
        Ok(Some(Resolved { func: ScalarFunc::Time(func), arg_types, return_type }))
    };
    let types: Vec<DataType> = args.iter().map(|a| a.data_type.clone()).collect();
    let shorthand = match name {
        "year" | "quarter" | "month" | "week" | "weekofyear" | "day" | "dayofmonth" | "dayofweek" | "weekday"
        | "isodow" | "dayofyear" | "hour" | "minute" | "second" | "millisecond" | "microsecond" | "yearweek"
        | "isoyear" | "era" | "decade" | "century" | "millennium" | "julian" | "epoch" => specifier(name),
        _ => None,
    };
    if let Some(part) = shorthand {
        return match args {
            [t] => resolve_part(name, part, t.data_type, args, false),
            _ => Err(no_signature(name, args, "one date, timestamp or interval")),
        };
    }
    match name {
        "date_part" | "datepart" | "date_trunc" | "datetrunc" => {
            let trunc = name.starts_with("date_t") || name == "datetrunc";
            let [unit, t] = args else {
                return Err(no_signature(name, args, "(unit string, date or timestamp)"));
            };
            if !is_string(unit.data_type) && *unit.data_type != DataType::Null {
                return Err(no_signature(name, args, "(unit string, date or timestamp)"));
            }
            if is_null_literal(unit) || *t.data_type == DataType::Null {
                let ret = if trunc { ts_us(t.data_type) } else { DataType::Int64 };
                return done(TimeFunc::Null, types, ret);
            }
            let text = literal_str(unit)
                .ok_or_else(|| AnalyticsError::unsupported(format!("{name} with a unit that is not a constant")))?;
            let part = specifier(text)
                .ok_or_else(|| AnalyticsError::invalid(format!("{name}: unit \"{text}\" is not recognized")))?;
            if !trunc {
                return resolve_part(name, part, t.data_type, args, true);
            }
            if !is_datetime(t.data_type) {
                return Err(no_signature(name, args, "(unit string, date or timestamp)"));
            }
            let unit = trunc_unit(part)
                .ok_or_else(|| AnalyticsError::invalid(format!("date_trunc: unit \"{text}\" cannot truncate")))?;
            done(TimeFunc::Trunc(unit), types, ts_us(t.data_type))
        }
        "epoch_ms" | "epoch_us" | "epoch_ns" => {
            let unit = match name {
                "epoch_ms" => TimeUnit::Millisecond,
                "epoch_us" => TimeUnit::Microsecond,
                _ => TimeUnit::Nanosecond,
            };
            match args {
                [t] if is_datetime(t.data_type) || is_interval(t.data_type) => {
                    done(TimeFunc::EpochInt(unit), types, DataType::Int64)
                }
                [t] if unit == TimeUnit::Millisecond && super::integerish(t.data_type) => done(
                    TimeFunc::FromEpoch(unit),
                    vec![DataType::Int64],
                    DataType::Timestamp(TimeUnit::Microsecond, None),
                ),
                _ => Err(no_signature(name, args, "a date, timestamp or interval (epoch_ms also a bigint)")),
            }
        }
        "to_timestamp" => match args {
            [t] if crate::types::coerce::is_numeric(t.data_type) || *t.data_type == DataType::Null => done(
                TimeFunc::ToTimestamp,
                vec![DataType::Float64],
                DataType::Timestamp(TimeUnit::Microsecond, Some(ZONE.into())),
            ),
            _ => Err(no_signature(name, args, "a number of seconds")),
        },
        "time_bucket" | "date_bin" => {
            let describe = if name == "date_bin" {
                "(interval, date or timestamp, origin timestamp)"
            } else {
                "(interval, date or timestamp[, origin timestamp or offset interval])"
            };
            let width_ok = |a: &Arg<'_>| {
                is_interval(a.data_type)
                    || *a.data_type == DataType::Null
                    || (a.literal.is_some() && is_string(a.data_type))
            };
            let (width, t, third) = match args {
                [w, t] if name == "time_bucket" => (w, t, None),
                [w, t, o] => (w, t, Some(o)),
                _ => return Err(no_signature(name, args, describe)),
            };
            if !width_ok(width) || !is_datetime(t.data_type) {
                return Err(no_signature(name, args, describe));
            }
            let date = *t.data_type == DataType::Date32;
            let (kind, third_type) = match third {
                None => (Bucket::Default, None),
                Some(o) if name == "time_bucket" && is_interval(o.data_type) => (Bucket::Offset, Some(INTERVAL)),
                Some(o)
                    if is_datetime(o.data_type)
                        || *o.data_type == DataType::Null
                        || (o.literal.is_some() && is_string(o.data_type)) =>
                {
                    let k = if name == "date_bin" { Bucket::DateBin } else { Bucket::Origin };
                    let ot = if *o.data_type == DataType::Date32 { DataType::Date32 } else { ts_us(t.data_type) };
                    (k, Some(ot))
                }
                Some(_) => return Err(no_signature(name, args, describe)),
            };
            let date_out = date && third_type.as_ref().is_none_or(|o| !matches!(o, DataType::Timestamp(..)));
            let ret = if date_out { DataType::Date32 } else { ts_us(t.data_type) };
            let mut arg_types = vec![INTERVAL, t.data_type.clone()];
            arg_types.extend(third_type);
            done(TimeFunc::Bucket(kind), arg_types, ret)
        }
        "dayname" | "monthname" | "last_day" => match args {
            [t] if is_datetime(t.data_type) => {
                let (func, ret) = match name {
                    "dayname" => (TimeFunc::Name { month: false }, DataType::Utf8),
                    "monthname" => (TimeFunc::Name { month: true }, DataType::Utf8),
                    _ => (TimeFunc::LastDay, DataType::Date32),
                };
                done(func, types, ret)
            }
            [t] if *t.data_type == DataType::Null => {
                done(TimeFunc::Null, types, if name == "last_day" { DataType::Date32 } else { DataType::Utf8 })
            }
            _ => Err(no_signature(name, args, "a date or timestamp")),
        },
        "make_date" => match args {
            [_, _, _] if args.iter().all(|a| super::integerish(a.data_type)) => {
                done(TimeFunc::MakeDate, vec![DataType::Int64; 3], DataType::Date32)
            }
            _ => Err(no_signature(name, args, "(year, month, day) integers")),
        },
        "make_timestamp" => match args {
            [a] if super::integerish(a.data_type) => done(
                TimeFunc::MakeTimestampMicros,
                vec![DataType::Int64],
                DataType::Timestamp(TimeUnit::Microsecond, None),
            ),
            [_, _, _, _, _, s]
                if args.iter().take(5).all(|a| super::integerish(a.data_type))
                    && (crate::types::coerce::is_numeric(s.data_type) || *s.data_type == DataType::Null) =>
            {
                let mut arg_types = vec![DataType::Int64; 5];
                arg_types.push(DataType::Float64);
                done(TimeFunc::MakeTimestamp, arg_types, DataType::Timestamp(TimeUnit::Microsecond, None))
            }
            _ => Err(no_signature(
                name,
                args,
                "(year, month, day, hour, minute integers, seconds double) or (microseconds bigint)",
            )),
        },
        "strftime" | "strptime" => {
            // strftime takes its arguments in either order; invoke is told where the value is.
            let (value, fmt, swapped) = match args {
                [a, b] if name == "strftime" && is_string(a.data_type) && is_datetime(b.data_type) => (b, a, true),
                [a, b] => (a, b, false),
                _ => return Err(no_signature(name, args, "(value, format string)")),
            };
            let value_ok =
                if name == "strftime" { is_datetime(value.data_type) } else { super::stringish(value.data_type) };
            if !value_ok || !super::stringish(fmt.data_type) {
                let what =
                    if name == "strftime" { "(date or timestamp, format string)" } else { "(string, format string)" };
                return Err(no_signature(name, args, what));
            }
            if is_null_literal(fmt) || *value.data_type == DataType::Null {
                let ret =
                    if name == "strftime" { DataType::Utf8 } else { DataType::Timestamp(TimeUnit::Microsecond, None) };
                return done(TimeFunc::Null, types, ret);
            }
            let text = literal_str(fmt)
                .ok_or_else(|| AnalyticsError::unsupported(format!("{name} with a format that is not a constant")))?;
            let format = Format::parse(text)?;
            if name == "strftime" {
                let value_type = value.data_type.clone();
                let arg_types =
                    if swapped { vec![DataType::Utf8, value_type] } else { vec![value_type, DataType::Utf8] };
                let format = if swapped { format.swapped() } else { format };
                done(TimeFunc::Strftime(format), arg_types, DataType::Utf8)
            } else {
                let ret = if format.has_offset() {
                    DataType::Timestamp(TimeUnit::Microsecond, Some(ZONE.into()))
                } else {
                    DataType::Timestamp(TimeUnit::Microsecond, None)
                };
                done(TimeFunc::Strptime(format), vec![DataType::Utf8, DataType::Utf8], ret)
            }
        }
        _ => Ok(None),
    }
}

fn resolve_part(name: &str, part: Part, t: &DataType, args: &[Arg<'_>], with_unit: bool) -> Result<Option<Resolved>> {
    let ret = if part.is_float() { DataType::Float64 } else { DataType::Int64 };
    let mut arg_types: Vec<DataType> = args.iter().map(|a| a.data_type.clone()).collect();
    if *t == DataType::Null {
        return Ok(Some(Resolved { func: ScalarFunc::Time(TimeFunc::Null), arg_types, return_type: ret }));
    }
    let ok = if is_datetime(t) {
        true
    } else if is_interval(t) {
        matches!(
            part,
            Part::Year
                | Part::Quarter
                | Part::Month
                | Part::Day
                | Part::Decade
                | Part::Century
                | Part::Millennium
                | Part::Hour
                | Part::Minute
                | Part::Second
                | Part::Millisecond
                | Part::Microsecond
                | Part::Epoch
        )
    } else if is_time(t) {
        if let Some(last) = arg_types.last_mut() {
            *last = DataType::Time64(TimeUnit::Microsecond);
        }
        matches!(
            part,
            Part::Hour
                | Part::Minute
                | Part::Second
                | Part::Millisecond
                | Part::Microsecond
                | Part::Epoch
                | Part::Timezone
        )
    } else {
        let describe = if with_unit {
            "(unit string, date, timestamp, time or interval)"
        } else {
            "a date, timestamp, time or interval"
        };
        return Err(no_signature(name, args, describe));
    };
    if !ok {
        return Err(AnalyticsError::invalid(format!("{name}: unit \"{}\" is not defined for {t}", part.name())));
    }
    Ok(Some(Resolved { func: ScalarFunc::Time(TimeFunc::Part(part)), arg_types, return_type: ret }))
}

/// Resolve `left op right` on temporal operands.
pub fn resolve_operator(op: BinaryOp, left: &DataType, right: &DataType) -> Result<Option<Resolved>> {
    use DataType::*;
    let temporal =
        |t: &DataType| matches!(t, Date32 | Date64 | Timestamp(..) | Interval(_) | Duration(_) | Time32(_) | Time64(_));
    if !temporal(left) && !temporal(right) {
        return Ok(None);
    }
    let small_int = |t: &DataType| matches!(t, Int8 | Int16 | Int32 | UInt8 | UInt16 | Null);
    let number = |t: &DataType| crate::types::coerce::is_numeric(t) || *t == Null;
    let interval = |t: &DataType| is_interval(t) || *t == Null;
    // Arithmetic keeps microsecond and nanosecond timestamps and, as DuckDB, makes second and
    // millisecond ones microseconds.
    let unit_of = |t: &DataType| match t {
        Timestamp(TimeUnit::Nanosecond, _) => TimeUnit::Nanosecond,
        _ => TimeUnit::Microsecond,
    };
    let zone = |t: &DataType| match t {
        Timestamp(_, tz) => tz.clone(),
        _ => None,
    };
    let r = |op: TimeOp, a: DataType, b: DataType, ret: DataType| {
        Ok(Some(Resolved { func: ScalarFunc::Time(TimeFunc::Op(op)), arg_types: vec![a, b], return_type: ret }))
    };
    let neg = op == BinaryOp::Sub;
    let time_us = Time64(TimeUnit::Microsecond);
    match (op, left, right) {
        (BinaryOp::Add | BinaryOp::Sub, Date32, t) if small_int(t) => {
            r(TimeOp::DateDays { swapped: false, negate: neg }, Date32, Int32, Date32)
        }
        (BinaryOp::Add, t, Date32) if small_int(t) => {
            r(TimeOp::DateDays { swapped: true, negate: false }, Int32, Date32, Date32)
        }
        (BinaryOp::Sub, Date32, Date32) => r(TimeOp::DateDiff, Date32, Date32, Int64),
        (BinaryOp::Add, Date32, Time32(_) | Time64(_)) => {
            r(TimeOp::DatePlusTime { swapped: false }, Date32, time_us, ts_us(&Null))
        }
        (BinaryOp::Add, Time32(_) | Time64(_), Date32) => {
            r(TimeOp::DatePlusTime { swapped: true }, time_us, Date32, ts_us(&Null))
        }
        (BinaryOp::Add | BinaryOp::Sub, Date32 | Timestamp(..), t) if interval(t) => {
            let unit = unit_of(left);
            r(
                TimeOp::AddInterval { swapped: false, negate: neg, unit },
                left.clone(),
                INTERVAL,
                Timestamp(unit, zone(left)),
            )
        }
        (BinaryOp::Add, t, Date32 | Timestamp(..)) if interval(t) => {
            let unit = unit_of(right);
            r(
                TimeOp::AddInterval { swapped: true, negate: false, unit },
                INTERVAL,
                right.clone(),
                Timestamp(unit, zone(right)),
            )
        }
        (BinaryOp::Sub, Date32 | Timestamp(..), Date32 | Timestamp(..)) => {
            let unit = if unit_of(left) == TimeUnit::Nanosecond && unit_of(right) == TimeUnit::Nanosecond {
                TimeUnit::Nanosecond
            } else {
                TimeUnit::Microsecond
            };
            r(TimeOp::Diff { unit }, left.clone(), right.clone(), INTERVAL)
        }
        (BinaryOp::Add | BinaryOp::Sub, Interval(_), t) | (BinaryOp::Add | BinaryOp::Sub, t, Interval(_))
            if interval(t) =>
        {
            r(TimeOp::IntervalAdd { negate: neg }, INTERVAL, INTERVAL, INTERVAL)
        }
        (BinaryOp::Mul, Interval(_), t) | (BinaryOp::Mul, t, Interval(_)) if number(t) => {
            let swapped = !is_interval(left);
            let float = !(t.is_integer() || *t == Null);
            let nt = if float { Float64 } else { Int64 };
            let (a, b) = if swapped { (nt, INTERVAL) } else { (INTERVAL, nt) };
            let op = if float { TimeOp::IntervalMulFloat { swapped } } else { TimeOp::IntervalMulInt { swapped } };
            r(op, a, b, INTERVAL)
        }
        (BinaryOp::Div, Interval(_), t) if number(t) => r(TimeOp::IntervalDiv, INTERVAL, Float64, INTERVAL),
        _ => Err(AnalyticsError::types(format!(
            "{left} {} {right} is not defined: no operator {} takes {left} and {right}",
            op.symbol(),
            op.symbol()
        ))),
    }
}

/// Run it.
pub fn invoke(func: &TimeFunc, args: &[ArrayRef], len: usize, return_type: &DataType) -> Result<ArrayRef> {
    match func {
        TimeFunc::Null => Ok(new_null_array(return_type, len)),
        TimeFunc::Name { month } => {
            let t = Ticks::of(arg(args, 0)?)?;
            let mut out = super::string::Utf8Out::with_capacity(len, len * 9);
            for (i, v) in t.values.iter().enumerate() {
                if !t.is_valid(i) {
                    out.push_null();
                    continue;
                }
                let (days, _) = t.kind.split(*v);
                out.push(if *month {
                    format::month_name(cal::civil_from_days(days).1)
                } else {
                    format::day_name(days)
                })?;
            }
            out.finish()
        }
        TimeFunc::LastDay => {
            let t = Ticks::of(arg(args, 0)?)?;
            let out = t.map(|days, _| {
                let (y, m, _) = cal::civil_from_days(days);
                date32(cal::days_from_civil(y, m, cal::days_in_month(y, m)))
            })?;
            Ok(Arc::new(Date32Array::new(out.into(), t.nulls.clone())))
        }
        TimeFunc::Part(p) => {
            let v = last(args)?;
            match v.data_type() {
                DataType::Interval(_) => interval_part(*p, v),
                DataType::Time64(_) => time_part(*p, v),
                _ => date_part(*p, &Ticks::of(v)?),
            }
        }
        TimeFunc::Trunc(unit) => {
            let t = Ticks::of(last(args)?)?;
            let unit = *unit;
            let out = t.map(|days, tod| cal::trunc(unit, days, tod).ok_or_else(out_of_range))?;
            timestamp_array(out, t.nulls.clone(), return_type)
        }
        TimeFunc::EpochInt(unit) => {
            let v = arg(args, 0)?;
            if matches!(v.data_type(), DataType::Interval(_)) {
                let per = per_second(*unit);
                let iv = v.as_primitive::<IntervalMonthDayNanoType>();
                let out = iv.try_unary::<_, Int64Type, arrow_schema::ArrowError>(|x| {
                    let (secs, nanos) = cal::interval_epoch_parts(x);
                    secs.checked_mul(per)
                        .and_then(|s| s.checked_add(nanos / (1_000_000_000 / per)))
                        .ok_or_else(|| arrow_schema::ArrowError::ArithmeticOverflow("epoch of an interval".into()))
                })?;
                return Ok(Arc::new(out));
            }
            let t = Ticks::of(v)?;
            let unit = *unit;
            let out = t.map_raw(|v| t.kind.to_unit_rounded(v, unit).ok_or_else(out_of_range))?;
            Ok(Arc::new(Int64Array::new(out.into(), t.nulls.clone())))
        }
        TimeFunc::FromEpoch(unit) => {
            let n = arg(args, 0)?.as_primitive::<Int64Type>();
            let factor = 1_000_000 / per_second(*unit);
            let out = n.try_unary::<_, TimestampMicrosecondType, arrow_schema::ArrowError>(|v| {
                v.checked_mul(factor).ok_or_else(|| {
                    arrow_schema::ArrowError::ArithmeticOverflow(format!("epoch {v} is out of the timestamp range"))
                })
            })?;
            Ok(Arc::new(out))
        }
        TimeFunc::ToTimestamp => {
            let s = arg(args, 0)?.as_primitive::<Float64Type>();
            let out = s.try_unary::<_, TimestampMicrosecondType, arrow_schema::ArrowError>(|v| {
                let us = (v * 1e6).round();
                if us.is_finite() && us.abs() < 9.2e18 {
                    Ok(us as i64)
                } else {
                    Err(arrow_schema::ArrowError::ComputeError(format!(
                        "epoch seconds {v} out of range for a timestamp"
                    )))
                }
            })?;
            Ok(Arc::new(out.with_timezone(ZONE)))
        }
        TimeFunc::Bucket(kind) => bucket(*kind, args, len, return_type),
        TimeFunc::MakeDate => {
            let (y, m, d) = (int_arg(args, 0)?, int_arg(args, 1)?, int_arg(args, 2)?);
            let nulls = NullBuffer::union(NullBuffer::union(y.nulls(), m.nulls()).as_ref(), d.nulls());
            let mut out = Vec::with_capacity(len);
            for i in 0..len {
                if nulls.as_ref().is_some_and(|n| n.is_null(i)) {
                    out.push(0);
                    continue;
                }
                let days = cal::checked_days(y.value(i), m.value(i), d.value(i)).ok_or_else(|| {
                    AnalyticsError::execution(format!(
                        "date out of range: {}-{}-{}",
                        y.value(i),
                        m.value(i),
                        d.value(i)
                    ))
                })?;
                out.push(date32(days)?);
            }
            Ok(Arc::new(Date32Array::new(out.into(), nulls)))
        }
        TimeFunc::MakeTimestampMicros => {
            let us = int_arg(args, 0)?;
            Ok(Arc::new(us.reinterpret_cast::<TimestampMicrosecondType>()))
        }
        TimeFunc::MakeTimestamp => {
            let ints = (0..5).map(|i| int_arg(args, i)).collect::<Result<Vec<_>>>()?;
            let secs = arg(args, 5)?.as_primitive::<Float64Type>();
            let mut nulls = secs.nulls().cloned();
            for a in &ints {
                nulls = NullBuffer::union(nulls.as_ref(), a.nulls());
            }
            let mut out = Vec::with_capacity(len);
            for i in 0..len {
                if nulls.as_ref().is_some_and(|n| n.is_null(i)) {
                    out.push(0);
                    continue;
                }
                let f = |k: usize| ints.get(k).map_or(0, |a| a.value(i));
                out.push(cal::make_timestamp(f(0), f(1), f(2), f(3), f(4), secs.value(i))?);
            }
            timestamp_array(out, nulls, return_type)
        }
        TimeFunc::Strftime(format) => {
            let v = arg(args, format.value_index())?;
            let zoned = matches!(v.data_type(), DataType::Timestamp(_, Some(_)));
            format.format_column(&Ticks::of(v)?, zoned, len)
        }
        TimeFunc::Strptime(format) => {
            let text = arg(args, 0)?.as_string::<i32>();
            let (values, nulls) = format.parse_column(text)?;
            timestamp_array(values, nulls, return_type)
        }
        TimeFunc::Op(op) => operator(*op, args, len, return_type),
    }
}

fn last(args: &[ArrayRef]) -> Result<&ArrayRef> {
    args.last().ok_or_else(|| AnalyticsError::internal("no arguments"))
}

fn int_arg(args: &[ArrayRef], i: usize) -> Result<&PrimitiveArray<Int64Type>> {
    arg(args, i)?
        .as_primitive_opt::<Int64Type>()
        .ok_or_else(|| AnalyticsError::internal(format!("argument {i} is not a bigint")))
}

fn out_of_range() -> AnalyticsError {
    AnalyticsError::execution("date or timestamp out of range")
}

fn date32(days: i64) -> Result<i32> {
    i32::try_from(days)
        .ok()
        .filter(|d| *d != i32::MAX && *d != i32::MIN)
        .ok_or_else(|| AnalyticsError::execution("date out of range"))
}

fn per_second(u: TimeUnit) -> i64 {
    match u {
        TimeUnit::Second => 1,
        TimeUnit::Millisecond => 1_000,
        TimeUnit::Microsecond => 1_000_000,
        TimeUnit::Nanosecond => 1_000_000_000,
    }
}

/// A timestamp column of `return_type` (its unit must be the values' unit) from values and nulls.
fn timestamp_array(values: Vec<i64>, nulls: Option<NullBuffer>, return_type: &DataType) -> Result<ArrayRef> {
    let DataType::Timestamp(unit, tz) = return_type else {
        return Err(AnalyticsError::internal(format!("a timestamp result of type {return_type}")));
    };
    let values = values.into();
    Ok(match unit {
        TimeUnit::Second => {
            Arc::new(PrimitiveArray::<TimestampSecondType>::new(values, nulls).with_timezone_opt(tz.clone()))
        }
        TimeUnit::Millisecond => {
            Arc::new(PrimitiveArray::<TimestampMillisecondType>::new(values, nulls).with_timezone_opt(tz.clone()))
        }
        TimeUnit::Microsecond => {
            Arc::new(PrimitiveArray::<TimestampMicrosecondType>::new(values, nulls).with_timezone_opt(tz.clone()))
        }
        TimeUnit::Nanosecond => {
            Arc::new(PrimitiveArray::<TimestampNanosecondType>::new(values, nulls).with_timezone_opt(tz.clone()))
        }
    })
}

/// What a row of a date or timestamp column counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Days since 1970-01-01.
    Date,
    /// Units since 1970-01-01 00:00.
    Ts(TimeUnit),
}

impl Kind {
    /// Units per day.
    fn per_day(self) -> i64 {
        match self {
            Kind::Date => 1,
            Kind::Ts(u) => per_second(u) * 86_400,
        }
    }

    /// The day and the microseconds into it.
    pub(crate) fn split(self, v: i64) -> (i64, i64) {
        match self {
            Kind::Date => (v, 0),
            Kind::Ts(u) => {
                let per_day = self.per_day();
                let (day, rest) = (v.div_euclid(per_day), v.rem_euclid(per_day));
                let tod = match u {
                    TimeUnit::Second => rest * US_PER_SEC,
                    TimeUnit::Millisecond => rest * 1_000,
                    TimeUnit::Microsecond => rest,
                    TimeUnit::Nanosecond => rest / 1_000,
                };
                (day, tod)
            }
        }
    }

    /// The value counted in `unit` (rounded down), `None` past the range of 64 bits.
    fn to_unit(self, v: i64, unit: TimeUnit) -> Option<i64> {
        let (from_per_sec, v) = match self {
            Kind::Date => return v.checked_mul(per_second(unit) * 86_400),
            Kind::Ts(u) => (per_second(u), v),
        };
        let to_per_sec = per_second(unit);
        if to_per_sec >= from_per_sec {
            v.checked_mul(to_per_sec / from_per_sec)
        } else {
            Some(v.div_euclid(from_per_sec / to_per_sec))
        }
    }

    /// The value counted in `unit`, rounded half away from zero (DuckDB's `epoch_ms` of
    /// `1970-01-01 00:00:00.0005` is 1, of `1969-12-31 23:59:59.9995` is -1).
    fn to_unit_rounded(self, v: i64, unit: TimeUnit) -> Option<i64> {
        match self {
            Kind::Ts(u) if per_second(u) > per_second(unit) => {
                let f = per_second(u) / per_second(unit);
                let (q, r) = (v / f, v % f);
                Some(if r.abs() >= f - r.abs() { q + v.signum() } else { q })
            }
            _ => self.to_unit(v, unit),
        }
    }
}

/// A date or timestamp column as 64-bit counts of its unit.
pub(crate) struct Ticks {
    pub(crate) values: Vec<i64>,
    pub(crate) nulls: Option<NullBuffer>,
    pub(crate) kind: Kind,
}

impl Ticks {
    /// The counts of a date or timestamp column.
    pub(crate) fn of(a: &ArrayRef) -> Result<Self> {
        let nulls = a.nulls().cloned();
        let (values, kind) = match a.data_type() {
            DataType::Date32 => {
                (a.as_primitive::<Date32Type>().values().iter().map(|d| i64::from(*d)).collect(), Kind::Date)
            }
            DataType::Timestamp(u, _) => {
                let v = match u {
                    TimeUnit::Second => a.as_primitive::<TimestampSecondType>().values().to_vec(),
                    TimeUnit::Millisecond => a.as_primitive::<TimestampMillisecondType>().values().to_vec(),
                    TimeUnit::Microsecond => a.as_primitive::<TimestampMicrosecondType>().values().to_vec(),
                    TimeUnit::Nanosecond => a.as_primitive::<TimestampNanosecondType>().values().to_vec(),
                };
                (v, Kind::Ts(*u))
            }
            other => return Err(AnalyticsError::internal(format!("a date or timestamp expected, not {other}"))),
        };
        Ok(Ticks { values, nulls, kind })
    }

    fn is_valid(&self, i: usize) -> bool {
        self.nulls.as_ref().is_none_or(|n| n.is_valid(i))
    }

    /// `f(raw value)` on the valid rows (0 on NULL ones).
    fn map_raw<T: Default>(&self, mut f: impl FnMut(i64) -> Result<T>) -> Result<Vec<T>> {
        let mut out = Vec::with_capacity(self.values.len());
        for (i, v) in self.values.iter().enumerate() {
            out.push(if self.is_valid(i) { f(*v)? } else { T::default() });
        }
        Ok(out)
    }

    /// `f(day, microseconds into the day)` on the valid rows.
    fn map<T: Default>(&self, mut f: impl FnMut(i64, i64) -> Result<T>) -> Result<Vec<T>> {
        let kind = self.kind;
        self.map_raw(|v| {
            let (d, t) = kind.split(v);
            f(d, t)
        })
    }

    /// Microseconds since the epoch.
    fn micros(&self, v: i64) -> Result<i64> {
        self.kind.to_unit(v, TimeUnit::Microsecond).ok_or_else(out_of_range)
    }
}

fn date_part(p: Part, t: &Ticks) -> Result<ArrayRef> {
    Ok(match p {
        Part::Epoch => {
            let out = t.map_raw(|v| Ok(t.micros(v)? as f64 / US_PER_SEC as f64))?;
            Arc::new(Float64Array::new(out.into(), t.nulls.clone()))
        }
        Part::Julian => {
            let out = t.map(|d, tod| Ok((d + 2_440_588) as f64 + tod as f64 / US_PER_DAY as f64))?;
            Arc::new(Float64Array::new(out.into(), t.nulls.clone()))
        }
        _ => {
            let out = t.map(|d, tod| Ok(cal::part(p, d, tod)))?;
            Arc::new(Int64Array::new(out.into(), t.nulls.clone()))
        }
    })
}

fn time_part(p: Part, v: &ArrayRef) -> Result<ArrayRef> {
    let us: PrimitiveArray<Int64Type> = match v.data_type() {
        DataType::Time64(TimeUnit::Nanosecond) => v.as_primitive::<Time64NanosecondType>().unary(|x| x / 1_000),
        _ => v.as_primitive::<Time64MicrosecondType>().unary(|x| x),
    };
    if p == Part::Epoch {
        return Ok(Arc::new(us.unary::<_, Float64Type>(|x| x as f64 / US_PER_SEC as f64)));
    }
    Ok(Arc::new(us.unary::<_, Int64Type>(|x| cal::part(p, 0, x))))
}

fn interval_part(p: Part, v: &ArrayRef) -> Result<ArrayRef> {
    let iv = v.as_primitive::<IntervalMonthDayNanoType>();
    if p == Part::Epoch {
        return Ok(Arc::new(iv.unary::<_, Float64Type>(|x| {
            let (secs, nanos) = cal::interval_epoch_parts(x);
            secs as f64 + nanos as f64 / 1e9
        })));
    }
    Ok(Arc::new(iv.unary::<_, Int64Type>(|x| {
        let (months, days, us) = (i64::from(x.months), i64::from(x.days), x.nanoseconds / 1_000);
        match p {
            Part::Year => months / 12,
            Part::Month => months % 12,
            Part::Quarter => (months % 12) / 3 + 1,
            Part::Decade => months / 120,
            Part::Century => months / 1_200,
            Part::Millennium => months / 12_000,
            Part::Day => days,
            Part::Hour => us / US_PER_HOUR,
            Part::Minute => (us % US_PER_HOUR) / US_PER_MINUTE,
            Part::Second => (us % US_PER_MINUTE) / US_PER_SEC,
            Part::Millisecond => (us % US_PER_MINUTE) / 1_000,
            Part::Microsecond => us % US_PER_MINUTE,
            _ => 0,
        }
    })))
}

/// DuckDB's default `time_bucket` origin for widths in days and time: 2000-01-03 (a Monday).
const DEFAULT_ORIGIN_US: i64 = 10_959 * US_PER_DAY;
/// DuckDB's default origin for widths in months: 2000-01, counted in months since 1970-01.
const DEFAULT_ORIGIN_MONTHS: i64 = 360;

/// A bucket width: microseconds, or months.
enum Width {
    Micros(i64),
    Months(i64),
}

fn width(iv: IntervalMonthDayNano, date_bin: bool) -> Result<Width> {
    if iv.months == 0 {
        let us =
            i64::from(iv.days).checked_mul(US_PER_DAY).and_then(|d| d.checked_add(iv.nanoseconds / 1_000)).unwrap_or(0);
        if us <= 0 {
            return Err(AnalyticsError::execution("a bucket width must be greater than 0"));
        }
        return Ok(Width::Micros(us));
    }
    if date_bin {
        return Err(AnalyticsError::execution("date_bin cannot bin into intervals with months or years"));
    }
    if iv.days != 0 || iv.nanoseconds != 0 {
        return Err(AnalyticsError::execution("a bucket width in months cannot have a day or time part"));
    }
    if iv.months < 0 {
        return Err(AnalyticsError::execution("a bucket width must be greater than 0"));
    }
    Ok(Width::Months(i64::from(iv.months)))
}

fn bucket(kind: Bucket, args: &[ArrayRef], len: usize, return_type: &DataType) -> Result<ArrayRef> {
    let widths = arg(args, 0)?.as_primitive::<IntervalMonthDayNanoType>();
    let t = Ticks::of(arg(args, 1)?)?;
    let third = args.get(2);
    let origins = match third {
        Some(o) if !matches!(o.data_type(), DataType::Interval(_)) => Some(Ticks::of(o)?),
        _ => None,
    };
    let offsets = third.and_then(|o| o.as_primitive_opt::<IntervalMonthDayNanoType>());
    let mut nulls = NullBuffer::union(widths.nulls(), t.nulls.as_ref());
    if let Some(o) = third {
        nulls = NullBuffer::union(nulls.as_ref(), o.nulls());
    }
    let mut out = Vec::with_capacity(len);
    for i in 0..len {
        if nulls.as_ref().is_some_and(|n| n.is_null(i)) {
            out.push(0);
            continue;
        }
        let w = width(widths.value(i), kind == Bucket::DateBin)?;
        let ts = t.micros(t.values.get(i).copied().unwrap_or(0))?;
        let us = match (kind, &origins, offsets) {
            (Bucket::Origin | Bucket::DateBin, Some(o), _) => {
                let origin = o.micros(o.values.get(i).copied().unwrap_or(0))?;
                match w {
                    Width::Micros(w) => cal::bucket_micros(w, ts, origin),
                    Width::Months(w) => cal::bucket_months(w, ts, cal::epoch_months(origin.div_euclid(US_PER_DAY))),
                }
            }
            (Bucket::Offset, _, Some(off)) => {
                let off = off.value(i);
                let shifted = cal::add_interval(ts, US_PER_DAY, 1_000, off, true).ok_or_else(out_of_range)?;
                let b = match w {
                    Width::Micros(w) => cal::bucket_micros(w, shifted, DEFAULT_ORIGIN_US),
                    Width::Months(w) => cal::bucket_months(w, shifted, DEFAULT_ORIGIN_MONTHS),
                };
                b.and_then(|b| cal::add_interval(b, US_PER_DAY, 1_000, off, false))
            }
            _ => match w {
                Width::Micros(w) => cal::bucket_micros(w, ts, DEFAULT_ORIGIN_US),
                Width::Months(w) => cal::bucket_months(w, ts, DEFAULT_ORIGIN_MONTHS),
            },
        }
        .ok_or_else(out_of_range)?;
        out.push(us);
    }
    if *return_type == DataType::Date32 {
        let days = out.iter().map(|us| date32(us.div_euclid(US_PER_DAY))).collect::<Result<Vec<_>>>()?;
        return Ok(Arc::new(Date32Array::new(days.into(), nulls)));
    }
    timestamp_array(out, nulls, return_type)
}

fn operator(op: TimeOp, args: &[ArrayRef], len: usize, return_type: &DataType) -> Result<ArrayRef> {
    let (a, b) = (arg(args, 0)?, arg(args, 1)?);
    let nulls = NullBuffer::union(a.nulls(), b.nulls());
    let valid = |i: usize| nulls.as_ref().is_none_or(|n| n.is_valid(i));
    let overflow = |what: &str| AnalyticsError::execution(format!("overflow in {what}"));
    match op {
        TimeOp::DateDays { swapped, negate } => {
            let (d, n) = if swapped { (b, a) } else { (a, b) };
            let (d, n) = (d.as_primitive::<Date32Type>(), n.as_primitive::<Int32Type>());
            let out = arrow_arith::arity::try_binary::<_, _, _, Date32Type>(d, n, |d, n| {
                let n = if negate { -i64::from(n) } else { i64::from(n) };
                date32(i64::from(d) + n).map_err(|e| arrow_schema::ArrowError::ComputeError(e.message))
            })
            .map_err(|e| AnalyticsError::execution(e.to_string().replace("Compute error: ", "")))?;
            Ok(Arc::new(out))
        }
        TimeOp::DateDiff => {
            let out = arrow_arith::arity::binary::<_, _, _, Int64Type>(
                a.as_primitive::<Date32Type>(),
                b.as_primitive::<Date32Type>(),
                |x, y| i64::from(x) - i64::from(y),
            )?;
            Ok(Arc::new(out))
        }
        TimeOp::DatePlusTime { swapped } => {
            let (d, t) = if swapped { (b, a) } else { (a, b) };
            let (d, t) = (d.as_primitive::<Date32Type>(), t.as_primitive::<Time64MicrosecondType>());
            let out = arrow_arith::arity::try_binary::<_, _, _, TimestampMicrosecondType>(d, t, |d, t| {
                i64::from(d)
                    .checked_mul(US_PER_DAY)
                    .and_then(|d| d.checked_add(t))
                    .ok_or_else(|| arrow_schema::ArrowError::ArithmeticOverflow("date + time".into()))
            })?;
            Ok(Arc::new(out))
        }
        TimeOp::AddInterval { swapped, negate, unit } => {
            let (t, iv) = if swapped { (b, a) } else { (a, b) };
            let t = Ticks::of(t)?;
            let iv = iv.as_primitive::<IntervalMonthDayNanoType>();
            let per_day = Kind::Ts(unit).per_day();
            let nanos_per_tick = 1_000_000_000 / per_second(unit);
            let mut out = Vec::with_capacity(len);
            for i in 0..len {
                if !valid(i) {
                    out.push(0);
                    continue;
                }
                let v = t.kind.to_unit(t.values.get(i).copied().unwrap_or(0), unit).ok_or_else(out_of_range)?;
                out.push(cal::add_interval(v, per_day, nanos_per_tick, iv.value(i), negate).ok_or_else(out_of_range)?);
            }
            timestamp_array(out, nulls, return_type)
        }
        TimeOp::Diff { unit } => {
            let (x, y) = (Ticks::of(a)?, Ticks::of(b)?);
            let per_day = Kind::Ts(unit).per_day();
            let nanos_per_tick = 1_000_000_000 / per_second(unit);
            let mut out = Vec::with_capacity(len);
            for i in 0..len {
                if !valid(i) {
                    out.push(IntervalMonthDayNano::ZERO);
                    continue;
                }
                let xv = x.kind.to_unit(x.values.get(i).copied().unwrap_or(0), unit).ok_or_else(out_of_range)?;
                let yv = y.kind.to_unit(y.values.get(i).copied().unwrap_or(0), unit).ok_or_else(out_of_range)?;
                let delta = xv.checked_sub(yv).ok_or_else(|| overflow("timestamp subtraction"))?;
                let days = i32::try_from(delta / per_day).map_err(|_| overflow("timestamp subtraction"))?;
                out.push(IntervalMonthDayNano::new(0, days, (delta % per_day) * nanos_per_tick));
            }
            Ok(Arc::new(PrimitiveArray::<IntervalMonthDayNanoType>::new(out.into(), nulls)))
        }
        TimeOp::IntervalAdd { negate } => {
            let (x, y) = (a.as_primitive::<IntervalMonthDayNanoType>(), b.as_primitive::<IntervalMonthDayNanoType>());
            let out = arrow_arith::arity::try_binary::<_, _, _, IntervalMonthDayNanoType>(x, y, |x, y| {
                let r = if negate {
                    (
                        x.months.checked_sub(y.months),
                        x.days.checked_sub(y.days),
                        x.nanoseconds.checked_sub(y.nanoseconds),
                    )
                } else {
                    (
                        x.months.checked_add(y.months),
                        x.days.checked_add(y.days),
                        x.nanoseconds.checked_add(y.nanoseconds),
                    )
                };
                match r {
                    (Some(m), Some(d), Some(n)) => Ok(IntervalMonthDayNano::new(m, d, n)),
                    _ => Err(arrow_schema::ArrowError::ArithmeticOverflow("interval arithmetic".into())),
                }
            })?;
            Ok(Arc::new(out))
        }
        TimeOp::IntervalMulInt { swapped } => {
            let (iv, n) = if swapped { (b, a) } else { (a, b) };
            let (iv, n) = (iv.as_primitive::<IntervalMonthDayNanoType>(), n.as_primitive::<Int64Type>());
            let out = arrow_arith::arity::try_binary::<_, _, _, IntervalMonthDayNanoType>(iv, n, |x, n| {
                let err = || arrow_schema::ArrowError::ArithmeticOverflow(format!("interval multiplication by {n}"));
                let k = i32::try_from(n).map_err(|_| err())?;
                match (x.months.checked_mul(k), x.days.checked_mul(k), x.nanoseconds.checked_mul(i64::from(k))) {
                    (Some(m), Some(d), Some(ns)) => Ok(IntervalMonthDayNano::new(m, d, ns)),
                    _ => Err(err()),
                }
            })?;
            Ok(Arc::new(out))
        }
        TimeOp::IntervalMulFloat { .. } | TimeOp::IntervalDiv => {
            let swapped = matches!(op, TimeOp::IntervalMulFloat { swapped: true });
            let (iv, n) = if swapped { (b, a) } else { (a, b) };
            let (iv, n) = (iv.as_primitive::<IntervalMonthDayNanoType>(), n.as_primitive::<Float64Type>());
            let divide = op == TimeOp::IntervalDiv;
            let out = arrow_arith::arity::try_binary::<_, _, _, IntervalMonthDayNanoType>(iv, n, |x, f| {
                if divide && f == 0.0 {
                    return Err(arrow_schema::ArrowError::DivideByZero);
                }
                cal::scale_interval(x, f, divide)
                    .ok_or_else(|| arrow_schema::ArrowError::ArithmeticOverflow("interval multiplication".into()))
            })
            .map_err(|e| match e {
                arrow_schema::ArrowError::DivideByZero => {
                    AnalyticsError::execution("division by zero in interval / number")
                }
                other => AnalyticsError::from_arrow(other),
            })?;
            Ok(Arc::new(out))
        }
    }
}

#[cfg(test)]
mod tests;
