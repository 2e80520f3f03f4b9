//! `strftime` and `strptime` formats: DuckDB's specifiers (`%Y %m %d %H %M %S %f ...`), parsed
//! once when the call is bound. Values are UTC, so `%z` prints `+00` and `%Z` prints `UTC` for a
//! zoned timestamp (nothing for a plain one); parsing `%z` applies the offset and gives a
//! `TIMESTAMPTZ`, as DuckDB does.

use arrow_array::{Array, ArrayRef, StringArray};
use arrow_buffer::NullBuffer;

use super::Ticks;
use super::cal::{self, US_PER_DAY, US_PER_HOUR, US_PER_MINUTE, US_PER_SEC};
use crate::error::{AnalyticsError, Result};
use crate::functions::scalar::string::Utf8Out;

/// A parsed format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Format {
    items: Vec<Item>,
    /// The text of the format, for messages.
    text: String,
    /// Where the value is among the arguments (`strftime` takes either order).
    value_index: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Item {
    Literal(String),
    Spec(Spec, bool),
}

/// A specifier (the flag beside it in [`Item::Spec`] is `-`: no padding).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Spec {
    WeekdayAbbr,
    WeekdayFull,
    Weekday,
    IsoWeekday,
    Day,
    MonthAbbr,
    MonthFull,
    Month,
    Year2,
    Year,
    Hour24,
    Hour12,
    AmPm,
    Minute,
    Second,
    Millis,
    Micros,
    Nanos,
    Offset,
    Zone,
    DayOfYear,
    WeekSunday,
    WeekMonday,
    IsoWeek,
    IsoYear,
    DateTime,
    Date,
    Time,
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const DAYS: [&str; 7] = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

/// The English name of month `m` (1-12).
pub(crate) fn month_name(m: i64) -> &'static str {
    MONTHS.get((m - 1) as usize).copied().unwrap_or("")
}

/// The English name of the weekday of a day count.
pub(crate) fn day_name(days: i64) -> &'static str {
    DAYS.get((days + 4).rem_euclid(7) as usize).copied().unwrap_or("")
}

impl Format {
    /// Parse a format; an unknown specifier is an error naming it.
    pub fn parse(text: &str) -> Result<Self> {
        let mut items = Vec::new();
        let mut lit = String::new();
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            if c != '%' {
                lit.push(c);
                continue;
            }
            let nopad = chars.peek() == Some(&'-');
            if nopad {
                chars.next();
            }
            let spec = match chars.next() {
                Some('%') if !nopad => {
                    lit.push('%');
                    continue;
                }
                Some('a') => Spec::WeekdayAbbr,
                Some('A') => Spec::WeekdayFull,
                Some('w') => Spec::Weekday,
                Some('u') => Spec::IsoWeekday,
                Some('d') => Spec::Day,
                Some('b' | 'h') => Spec::MonthAbbr,
                Some('B') => Spec::MonthFull,
                Some('m') => Spec::Month,
                Some('y') => Spec::Year2,
                Some('Y') => Spec::Year,
                Some('H') => Spec::Hour24,
                Some('I') => Spec::Hour12,
                Some('p') => Spec::AmPm,
                Some('M') => Spec::Minute,
                Some('S') => Spec::Second,
                Some('g') => Spec::Millis,
                Some('f') => Spec::Micros,
                Some('n') => Spec::Nanos,
                Some('z') => Spec::Offset,
                Some('Z') => Spec::Zone,
                Some('j') => Spec::DayOfYear,
                Some('U') => Spec::WeekSunday,
                Some('W') => Spec::WeekMonday,
                Some('V') => Spec::IsoWeek,
                Some('G') => Spec::IsoYear,
                Some('c') => Spec::DateTime,
                Some('x') => Spec::Date,
                Some('X') => Spec::Time,
                other => {
                    let shown = other
                        .map(|c| format!("%{}{c}", if nopad { "-" } else { "" }))
                        .unwrap_or_else(|| "a trailing %".into());
                    return Err(AnalyticsError::invalid(format!("unrecognized format specifier {shown} in {text:?}")));
                }
            };
            if !lit.is_empty() {
                items.push(Item::Literal(std::mem::take(&mut lit)));
            }
            items.push(Item::Spec(spec, nopad));
        }
        if !lit.is_empty() {
            items.push(Item::Literal(lit));
        }
        Ok(Format { items, text: text.to_string(), value_index: 0 })
    }

    /// The same format for a call whose value is the second argument.
    pub fn swapped(mut self) -> Self {
        self.value_index = 1;
        self
    }

    /// Which argument holds the value.
    pub fn value_index(&self) -> usize {
        self.value_index
    }

    /// Whether parsing gives a zoned timestamp (the format reads an offset or a zone).
    pub fn has_offset(&self) -> bool {
        self.items.iter().any(|i| matches!(i, Item::Spec(Spec::Offset | Spec::Zone, _)))
    }

    /// Format every row of a date or timestamp column.
    pub(crate) fn format_column(&self, t: &Ticks, zoned: bool, len: usize) -> Result<ArrayRef> {
        let mut out = Utf8Out::with_capacity(len, len * (self.text.len() + 8));
        let mut s = String::new();
        for (i, v) in t.values.iter().enumerate() {
            if t.nulls.as_ref().is_some_and(|n| n.is_null(i)) {
                out.push_null();
                continue;
            }
            let (days, tod) = t.kind.split(*v);
            let nanos = match t.kind {
                super::Kind::Ts(arrow_schema::TimeUnit::Nanosecond) => v.rem_euclid(1_000_000_000),
                _ => (tod % US_PER_SEC) * 1_000,
            };
            s.clear();
            self.write(&mut s, days, tod, nanos, zoned);
            out.push(&s)?;
        }
        out.finish()
    }

    fn write(&self, s: &mut String, days: i64, tod: i64, nanos: i64, zoned: bool) {
        use std::fmt::Write;
        let (y, m, d) = cal::civil_from_days(days);
        let dow = (days + 4).rem_euclid(7);
        let yday = days - cal::days_from_civil(y, 1, 1);
        let (h, mi, sec) = (tod / US_PER_HOUR, (tod % US_PER_HOUR) / US_PER_MINUTE, (tod % US_PER_MINUTE) / US_PER_SEC);
        let year = |s: &mut String, y: i64| {
            let _ = if (0..10_000).contains(&y) { write!(s, "{y:04}") } else { write!(s, "{y}") };
        };
        for item in &self.items {
            let (spec, nopad) = match item {
                Item::Literal(l) => {
                    s.push_str(l);
                    continue;
                }
                Item::Spec(spec, nopad) => (*spec, *nopad),
            };
            let num = |s: &mut String, v: i64, width: usize| {
                let _ = if nopad { write!(s, "{v}") } else { write!(s, "{v:0width$}") };
            };
            let month_name = MONTHS.get((m - 1) as usize).copied().unwrap_or("");
            let day_name = DAYS.get(dow as usize).copied().unwrap_or("");
            match spec {
                Spec::WeekdayAbbr => s.push_str(day_name.get(..3).unwrap_or(day_name)),
                Spec::WeekdayFull => s.push_str(day_name),
                Spec::Weekday => num(s, dow, 1),
                Spec::IsoWeekday => num(s, cal::isodow(days), 1),
                Spec::Day => num(s, d, 2),
                Spec::MonthAbbr => s.push_str(month_name.get(..3).unwrap_or(month_name)),
                Spec::MonthFull => s.push_str(month_name),
                Spec::Month => num(s, m, 2),
                Spec::Year2 => num(s, y.rem_euclid(100), 2),
                Spec::Year => year(s, y),
                Spec::Hour24 => num(s, h, 2),
                Spec::Hour12 => num(s, if h % 12 == 0 { 12 } else { h % 12 }, 2),
                Spec::AmPm => s.push_str(if h < 12 { "AM" } else { "PM" }),
                Spec::Minute => num(s, mi, 2),
                Spec::Second => num(s, sec, 2),
                Spec::Millis => num(s, nanos / 1_000_000, 3),
                Spec::Micros => num(s, nanos / 1_000, 6),
                Spec::Nanos => num(s, nanos, 9),
                Spec::Offset => s.push_str("+00"),
                Spec::Zone => {
                    if zoned {
                        s.push_str("UTC");
                    }
                }
                Spec::DayOfYear => num(s, yday + 1, 3),
                Spec::WeekSunday => num(s, (yday + 7 - dow) / 7, 2),
                Spec::WeekMonday => num(s, (yday + 7 - (dow + 6) % 7) / 7, 2),
                Spec::IsoWeek => num(s, cal::iso_week(days).1, 2),
                Spec::IsoYear => year(s, cal::iso_week(days).0),
                Spec::DateTime | Spec::Date | Spec::Time => {
                    if spec != Spec::Time {
                        year(s, y);
                        let _ = write!(s, "-{m:02}-{d:02}");
                    }
                    if spec == Spec::DateTime {
                        s.push(' ');
                    }
                    if spec != Spec::Date {
                        let _ = write!(s, "{h:02}:{mi:02}:{sec:02}");
                    }
                }
            }
        }
    }

    /// Parse every row of a string column as microseconds since the epoch (UTC).
    pub(crate) fn parse_column(&self, text: &StringArray) -> Result<(Vec<i64>, Option<NullBuffer>)> {
        let mut out = Vec::with_capacity(text.len());
        for v in text.iter() {
            out.push(match v {
                Some(v) => self.parse_one(v).ok_or_else(|| {
                    AnalyticsError::execution(format!(
                        "could not parse string {v:?} according to format specifier {:?}",
                        self.text
                    ))
                })??,
                None => 0,
            });
        }
        Ok((out, text.nulls().cloned()))
    }

    /// One value: `None` when the text does not follow the format, an error when it does but
    /// names no date (February 30).
    fn parse_one(&self, input: &str) -> Option<Result<i64>> {
        let mut p = Parser { rest: input.trim_start() };
        let (mut y, mut m, mut d, mut yday) = (1900i64, 1i64, 1i64, None);
        let (mut h, mut mi, mut sec, mut frac_us, mut pm, mut offset_us) = (0i64, 0i64, 0i64, 0i64, None, 0i64);
        for item in &self.items {
            let spec = match item {
                Item::Literal(l) => {
                    for c in l.chars() {
                        if c.is_whitespace() {
                            p.rest = p.rest.trim_start();
                        } else {
                            p.rest = p.rest.strip_prefix(c)?;
                        }
                    }
                    continue;
                }
                Item::Spec(spec, _) => *spec,
            };
            match spec {
                Spec::WeekdayAbbr | Spec::WeekdayFull => {
                    p.name(&DAYS, spec == Spec::WeekdayAbbr)?;
                }
                Spec::Weekday | Spec::IsoWeekday => {
                    p.number(1)?;
                }
                Spec::Day => d = p.number(2)?,
                Spec::MonthAbbr | Spec::MonthFull => m = p.name(&MONTHS, spec == Spec::MonthAbbr)? as i64 + 1,
                Spec::Month => m = p.number(2)?,
                Spec::Year2 => {
                    let v = p.number(2)?;
                    y = if v < 69 { 2000 + v } else { 1900 + v };
                }
                Spec::Year | Spec::IsoYear => y = p.signed(7)?,
                Spec::Hour24 => h = p.number(2)?,
                Spec::Hour12 => {
                    h = p.number(2)?;
                    if !(1..=12).contains(&h) {
                        return None;
                    }
                }
                Spec::AmPm => {
                    let upper = p.rest.get(..2)?.to_ascii_uppercase();
                    pm = Some(match upper.as_str() {
                        "AM" => false,
                        "PM" => true,
                        _ => return None,
                    });
                    p.rest = p.rest.get(2..)?;
                }
                Spec::Minute => mi = p.number(2)?,
                Spec::Second => sec = p.number(2)?,
                Spec::Millis => frac_us = p.fraction(3)? * 1_000,
                Spec::Micros => frac_us = p.fraction(6)?,
                Spec::Nanos => frac_us = p.fraction(9)? / 1_000,
                Spec::Offset => offset_us = p.offset()?,
                Spec::Zone => {
                    let name: String = p.rest.chars().take_while(|c| c.is_ascii_alphabetic()).collect();
                    if !matches!(name.to_ascii_uppercase().as_str(), "UTC" | "GMT" | "Z") {
                        return None;
                    }
                    p.rest = p.rest.get(name.len()..)?;
                }
                Spec::DayOfYear => yday = Some(p.number(3)?),
                Spec::WeekSunday | Spec::WeekMonday | Spec::IsoWeek => {
                    p.number(2)?;
                }
                Spec::DateTime | Spec::Date | Spec::Time => {
                    if spec != Spec::Time {
                        y = p.signed(7)?;
                        p.rest = p.rest.strip_prefix('-')?;
                        m = p.number(2)?;
                        p.rest = p.rest.strip_prefix('-')?;
                        d = p.number(2)?;
                    }
                    if spec == Spec::DateTime {
                        p.rest = p.rest.trim_start();
                    }
                    if spec != Spec::Date {
                        h = p.number(2)?;
                        p.rest = p.rest.strip_prefix(':')?;
                        mi = p.number(2)?;
                        p.rest = p.rest.strip_prefix(':')?;
                        sec = p.number(2)?;
                    }
                }
            }
        }
        if !p.rest.trim_end().is_empty() {
            return None;
        }
        if let Some(pm) = pm {
            h = h % 12 + if pm { 12 } else { 0 };
        }
        if !(0..24).contains(&h) || !(0..60).contains(&mi) || !(0..60).contains(&sec) {
            return None;
        }
        let days = match yday {
            Some(n) if (1..=if cal::is_leap(y) { 366 } else { 365 }).contains(&n) => {
                Some(cal::days_from_civil(y, 1, 1) + n - 1)
            }
            Some(_) => None,
            None => cal::checked_days(y, m, d),
        };
        let Some(days) = days else {
            return Some(Err(AnalyticsError::execution(format!("date out of range: {y}-{m}-{d}"))));
        };
        let us = days
            .checked_mul(US_PER_DAY)
            .and_then(|v| v.checked_add(h * US_PER_HOUR + mi * US_PER_MINUTE + sec * US_PER_SEC + frac_us))
            .and_then(|v| v.checked_sub(offset_us));
        Some(us.ok_or_else(|| AnalyticsError::execution("timestamp out of range")))
    }
}

struct Parser<'a> {
    rest: &'a str,
}

impl Parser<'_> {
    /// 1 to `max` digits.
    fn number(&mut self, max: usize) -> Option<i64> {
        self.rest = self.rest.trim_start_matches(' ');
        let n = self.rest.bytes().take(max).take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return None;
        }
        let v = self.rest.get(..n)?.parse().ok()?;
        self.rest = self.rest.get(n..)?;
        Some(v)
    }

    /// An optionally signed number of up to `max` digits.
    fn signed(&mut self, max: usize) -> Option<i64> {
        self.rest = self.rest.trim_start_matches(' ');
        let negative = self.rest.starts_with('-');
        if negative || self.rest.starts_with('+') {
            self.rest = self.rest.get(1..)?;
        }
        let v = self.number(max)?;
        Some(if negative { -v } else { v })
    }

    /// 1 to `digits` digits of a fraction, scaled to `digits` places.
    fn fraction(&mut self, digits: usize) -> Option<i64> {
        let n = self.rest.bytes().take(digits + 1).take_while(u8::is_ascii_digit).count();
        if n == 0 || n > digits {
            return None;
        }
        let v: i64 = self.rest.get(..n)?.parse().ok()?;
        self.rest = self.rest.get(n..)?;
        Some(v * 10i64.pow((digits - n) as u32))
    }

    /// A month or weekday name, full or abbreviated, in any case; its index.
    fn name(&mut self, names: &[&str], abbreviated: bool) -> Option<usize> {
        for (i, full) in names.iter().enumerate() {
            let n = if abbreviated { 3 } else { full.len() };
            let want = full.get(..n)?;
            if self.rest.get(..n).is_some_and(|s| s.eq_ignore_ascii_case(want)) {
                self.rest = self.rest.get(n..)?;
                return Some(i);
            }
        }
        None
    }

    /// `+HH`, `+HHMM` or `+HH:MM` (or `-`), as microseconds east of UTC.
    fn offset(&mut self) -> Option<i64> {
        let negative = match self.rest.chars().next()? {
            '+' => false,
            '-' => true,
            _ => return None,
        };
        self.rest = self.rest.get(1..)?;
        let digits = |s: &str| s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit());
        let hh = self.rest.get(..2).filter(|s| digits(s))?.parse::<i64>().ok()?;
        self.rest = self.rest.get(2..)?;
        if self.rest.starts_with(':') {
            self.rest = self.rest.get(1..)?;
        }
        let mm = match self.rest.get(..2).filter(|s| digits(s)) {
            Some(s) => {
                let v = s.parse::<i64>().ok()?;
                self.rest = self.rest.get(2..)?;
                v
            }
            None => 0,
        };
        let us = hh * US_PER_HOUR + mm * US_PER_MINUTE;
        Some(if negative { -us } else { us })
    }
}
