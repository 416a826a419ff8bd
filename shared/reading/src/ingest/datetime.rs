//! Datetime formats we recognise, and a strict parser for them.
//!
//! Why not `chrono::NaiveDateTime::parse_from_str`? It accepts `2012-1-1` for `%m`,
//! so we could not tell which exact format the input used, and output must be written
//! the same way. This parser requires the exact width of each field (`%-m` is the
//! unpadded one) and runs about five times faster, which matters because every value of
//! every undecided column is tried against every surviving format.

use chrono::{NaiveDate, NaiveTime};
use std::sync::LazyLock;

/// What a format yields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TemporalKind {
    Date,
    DateTime,
    Time,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tok {
    Year,
    /// `%y`: two digits, 69-99 → 19xx and 00-68 → 20xx (POSIX's pivot, chrono's too,
    /// so values are written back as they were read).
    Year2,
    Month2,
    Month12,
    Day2,
    Day12,
    Hour2,
    Hour24Short,
    Hour12,
    Hour12Short,
    Minute,
    Second,
    Frac,
    AmPm,
    MonthName,
    /// `%B`: the full English month name.
    MonthFullName,
    Zulu,
    Offset,
    OffsetColon,
    Lit(u8),
}

/// A parsed format: its chrono pattern (used to write values back), kind and tokens.
#[derive(Debug)]
pub(crate) struct DateFormat {
    pub pattern: &'static str,
    pub kind: TemporalKind,
    toks: Vec<Tok>,
    has_offset: bool,
}

/// Candidate formats in priority order: when several fit every value, the first wins
/// (so ambiguous `01/02/2020` columns read as US month/day unless a day > 12 appears).
const PATTERNS: &[(&str, TemporalKind)] = {
    use TemporalKind::*;
    &[
        ("%Y-%m-%d", Date),
        ("%Y/%m/%d", Date),
        ("%m/%d/%Y", Date),
        ("%d/%m/%Y", Date),
        ("%-m/%-d/%Y", Date),
        ("%-d/%-m/%Y", Date),
        ("%d.%m.%Y", Date),
        ("%d-%m-%Y", Date),
        ("%m-%d-%Y", Date),
        ("%d-%b-%Y", Date),
        ("%d %b %Y", Date),
        ("%b %d, %Y", Date),
        ("%b %-d, %Y", Date),
        ("%B %d, %Y", Date),
        ("%B %-d, %Y", Date),
        ("%d %B %Y", Date),
        ("%-d %B %Y", Date),
        // Two-digit years, after every four-digit format.
        ("%m/%d/%y", Date),
        ("%d/%m/%y", Date),
        ("%-m/%-d/%y", Date),
        ("%-d/%-m/%y", Date),
        ("%d.%m.%y", Date),
        ("%d-%b-%y", Date),
        ("%Y-%m-%d %H:%M:%S", DateTime),
        ("%Y-%m-%d %H:%M:%S%.f", DateTime),
        ("%Y-%m-%d %H:%M", DateTime),
        ("%Y-%m-%dT%H:%M:%S", DateTime),
        ("%Y-%m-%dT%H:%M:%S%.f", DateTime),
        ("%Y-%m-%dT%H:%M", DateTime),
        ("%Y-%m-%dT%H:%M:%SZ", DateTime),
        ("%Y-%m-%dT%H:%M:%S%.fZ", DateTime),
        ("%Y-%m-%dT%H:%M:%S%:z", DateTime),
        ("%Y-%m-%dT%H:%M:%S%.f%:z", DateTime),
        ("%Y-%m-%dT%H:%M:%S%z", DateTime),
        ("%Y-%m-%d %H:%M:%S%:z", DateTime),
        ("%Y/%m/%d %H:%M:%S", DateTime),
        ("%Y/%m/%d %H:%M", DateTime),
        ("%m/%d/%Y %H:%M:%S", DateTime),
        ("%m/%d/%Y %H:%M", DateTime),
        ("%-m/%-d/%Y %H:%M", DateTime),
        ("%-m/%-d/%Y %-H:%M", DateTime),
        ("%d/%m/%Y %H:%M:%S", DateTime),
        ("%d/%m/%Y %H:%M", DateTime),
        ("%m/%d/%Y %I:%M %p", DateTime),
        ("%m/%d/%Y %I:%M:%S %p", DateTime),
        ("%-m/%-d/%Y %-I:%M %p", DateTime),
        ("%d.%m.%Y %H:%M:%S", DateTime),
        ("%d.%m.%Y %H:%M", DateTime),
        ("%H:%M:%S", Time),
        ("%H:%M:%S%.f", Time),
        ("%H:%M", Time),
        ("%I:%M %p", Time),
        ("%I:%M:%S %p", Time),
    ]
};

/// All candidate formats, compiled once.
pub(crate) static FORMATS: LazyLock<Vec<DateFormat>> = LazyLock::new(|| {
    PATTERNS
        .iter()
        .map(|&(pattern, kind)| {
            let toks = compile(pattern);
            let has_offset = toks
                .iter()
                .any(|t| matches!(t, Tok::Zulu | Tok::Offset | Tok::OffsetColon));
            DateFormat {
                pattern,
                kind,
                toks,
                has_offset,
            }
        })
        .collect()
});

/// A bit set over [`FORMATS`] with every format in it.
pub(crate) fn all_formats() -> u64 {
    debug_assert!(PATTERNS.len() <= 64);
    (1u64 << PATTERNS.len()) - 1
}

/// The formats of `mask` that parse `s`.
pub(crate) fn surviving(mask: u64, s: &str) -> u64 {
    let b = s.as_bytes();
    // Every format starts with a digit or a month name: reject the rest at once.
    if b.is_empty() || !(b[0].is_ascii_digit() || b[0].is_ascii_alphabetic()) || b.len() > 40 {
        return 0;
    }
    let mut out = 0;
    let mut m = mask;
    while m != 0 {
        let i = m.trailing_zeros() as usize;
        m &= m - 1;
        if parse(&FORMATS[i], b).is_some() {
            out |= 1 << i;
        }
    }
    out
}

/// The last text read and what it gave: a column of timestamps repeats its values row
/// after row (flights' `time_hour`), and comparing a string is cheaper than parsing it.
#[derive(Debug, Clone, Default)]
pub(crate) struct LastRead<T> {
    text: String,
    value: Option<T>,
}

impl<T: Copy> LastRead<T> {
    /// `read(text)`, or what it gave for the same text last time.
    #[inline]
    pub(crate) fn get_or(&mut self, text: &str, read: impl FnOnce(&str) -> T) -> T {
        if let Some(v) = self.value
            && self.text == text
        {
            return v;
        }
        let v = read(text);
        self.text.clear();
        self.text.push_str(text);
        self.value = Some(v);
        v
    }
}

/// The highest-priority format in a non-empty mask.
pub(crate) fn first(mask: u64) -> Option<&'static DateFormat> {
    (mask != 0).then(|| &FORMATS[mask.trailing_zeros() as usize])
}

/// Finds the format with this pattern.
pub(crate) fn by_pattern(pattern: &str) -> Option<&'static DateFormat> {
    FORMATS.iter().find(|f| f.pattern == pattern)
}

/// The token of a two-byte spec (`%-m`), if it is one.
const fn two_byte_spec(a: u8, b: u8) -> Option<Tok> {
    Some(match (a, b) {
        (b'-', b'm') => Tok::Month12,
        (b'-', b'd') => Tok::Day12,
        (b'-', b'H') => Tok::Hour24Short,
        (b'-', b'I') => Tok::Hour12Short,
        (b'.', b'f') => Tok::Frac,
        (b':', b'z') => Tok::OffsetColon,
        _ => return None,
    })
}

/// The token of a one-byte spec (`%Y`), if it is one.
const fn one_byte_spec(a: u8) -> Option<Tok> {
    Some(match a {
        b'Y' => Tok::Year,
        b'y' => Tok::Year2,
        b'B' => Tok::MonthFullName,
        b'm' => Tok::Month2,
        b'd' => Tok::Day2,
        b'H' => Tok::Hour2,
        b'I' => Tok::Hour12,
        b'M' => Tok::Minute,
        b'S' => Tok::Second,
        b'p' => Tok::AmPm,
        b'b' => Tok::MonthName,
        b'z' => Tok::Offset,
        _ => return None,
    })
}

/// The next token of a pattern at byte `i` and its length in bytes; `None` for a `%`
/// spec this reader does not know.
const fn next_token(b: &[u8], i: usize) -> Option<(Tok, usize)> {
    if b[i] == b'Z' {
        return Some((Tok::Zulu, 1));
    }
    if b[i] != b'%' {
        return Some((Tok::Lit(b[i]), 1));
    }
    if i + 2 < b.len()
        && let Some(t) = two_byte_spec(b[i + 1], b[i + 2])
    {
        return Some((t, 3));
    }
    if i + 1 < b.len()
        && let Some(t) = one_byte_spec(b[i + 1])
    {
        return Some((t, 2));
    }
    None
}

/// Whether every `%` spec of the pattern is known.
const fn known_pattern(pattern: &str) -> bool {
    let b = pattern.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match next_token(b, i) {
            Some((_, len)) => i += len,
            None => return false,
        }
    }
    true
}

// The candidate table is checked when the crate builds, so a pattern this reader cannot
// tokenise is a build error, not a panic or a format silently left out.
const _: () = {
    let mut i = 0;
    while i < PATTERNS.len() {
        assert!(
            known_pattern(PATTERNS[i].0),
            "a date pattern uses an unknown % spec"
        );
        i += 1;
    }
};

/// The tokens of a pattern of [`PATTERNS`] (known, see the check above).
fn compile(pattern: &str) -> Vec<Tok> {
    let b = pattern.as_bytes();
    let mut toks = Vec::new();
    let mut i = 0;
    while let Some((tok, len)) = (i < b.len()).then(|| next_token(b, i)).flatten() {
        toks.push(tok);
        i += len;
    }
    toks
}

fn digits(b: &[u8], pos: &mut usize, min: usize, max: usize) -> Option<u32> {
    let start = *pos;
    let mut v: u32 = 0;
    while *pos < b.len() && *pos - start < max && b[*pos].is_ascii_digit() {
        v = v * 10 + u32::from(b[*pos] - b'0');
        *pos += 1;
    }
    (*pos - start >= min).then_some(v)
}

const MONTHS: [&[u8; 3]; 12] = [
    b"jan", b"feb", b"mar", b"apr", b"may", b"jun", b"jul", b"aug", b"sep", b"oct", b"nov", b"dec",
];

const MONTH_NAMES: [&[u8]; 12] = [
    b"january",
    b"february",
    b"march",
    b"april",
    b"may",
    b"june",
    b"july",
    b"august",
    b"september",
    b"october",
    b"november",
    b"december",
];

/// A parsed value: days since 1970 for dates, µs since 1970 (UTC if an offset was
/// given) for datetimes, µs since midnight for times.
pub(crate) fn parse(fmt: &DateFormat, b: &[u8]) -> Option<i64> {
    let mut fields = Fields::default();
    let mut p = 0usize;
    for tok in &fmt.toks {
        fields.read(*tok, b, &mut p)?;
    }
    if p != b.len() {
        return None;
    }
    fields.value(fmt)
}

/// What the tokens of a format read, before it is checked and turned into a value.
#[derive(Debug, Clone, Copy)]
struct Fields {
    y: i32,
    mo: u32,
    d: u32,
    h: u32,
    mi: u32,
    s: u32,
    us: u32,
    pm: Option<bool>,
    twelve_hour: bool,
    offset_s: i64,
}

impl Default for Fields {
    fn default() -> Self {
        Fields {
            y: 1970,
            mo: 1,
            d: 1,
            h: 0,
            mi: 0,
            s: 0,
            us: 0,
            pm: None,
            twelve_hour: false,
            offset_s: 0,
        }
    }
}

impl Fields {
    /// Reads one token at `*p`, moving past it; `None` when the text does not match.
    #[inline]
    fn read(&mut self, tok: Tok, b: &[u8], p: &mut usize) -> Option<()> {
        match tok {
            Tok::Year => self.y = digits(b, p, 4, 4)? as i32,
            Tok::Year2 => {
                let v = digits(b, p, 2, 2)? as i32;
                self.y = if v < 69 { 2000 + v } else { 1900 + v };
            }
            Tok::Month2 => self.mo = digits(b, p, 2, 2)?,
            Tok::Month12 => self.mo = digits(b, p, 1, 2)?,
            Tok::Day2 => self.d = digits(b, p, 2, 2)?,
            Tok::Day12 => self.d = digits(b, p, 1, 2)?,
            Tok::Hour2 => self.h = digits(b, p, 2, 2)?,
            Tok::Hour24Short => self.h = digits(b, p, 1, 2)?,
            Tok::Hour12 => {
                self.h = digits(b, p, 2, 2)?;
                self.twelve_hour = true;
            }
            Tok::Hour12Short => {
                self.h = digits(b, p, 1, 2)?;
                self.twelve_hour = true;
            }
            Tok::Minute => self.mi = digits(b, p, 2, 2)?,
            Tok::Second => self.s = digits(b, p, 2, 2)?,
            Tok::Frac => {
                // chrono's `%.f`: an optional dot and 1..=9 digits.
                if *p < b.len() && b[*p] == b'.' {
                    *p += 1;
                    let start = *p;
                    let v = digits(b, p, 1, 9)?;
                    let n = *p - start;
                    self.us = if n >= 6 {
                        v / 10u32.pow((n - 6) as u32)
                    } else {
                        v * 10u32.pow((6 - n) as u32)
                    };
                }
            }
            Tok::AmPm => {
                let w = b.get(*p..*p + 2)?;
                self.pm = Some(
                    match [w[0].to_ascii_lowercase(), w[1].to_ascii_lowercase()] {
                        [b'a', b'm'] => false,
                        [b'p', b'm'] => true,
                        _ => return None,
                    },
                );
                *p += 2;
            }
            Tok::MonthName => {
                let w = b.get(*p..*p + 3)?;
                let w = [
                    w[0].to_ascii_lowercase(),
                    w[1].to_ascii_lowercase(),
                    w[2].to_ascii_lowercase(),
                ];
                self.mo = MONTHS.iter().position(|m| **m == w)? as u32 + 1;
                *p += 3;
            }
            Tok::MonthFullName => {
                let (i, name) = MONTH_NAMES.iter().enumerate().find(|(_, m)| {
                    b.get(*p..*p + m.len())
                        .is_some_and(|w| w.eq_ignore_ascii_case(m))
                })?;
                self.mo = i as u32 + 1;
                *p += name.len();
            }
            Tok::Zulu => {
                if b.get(*p) != Some(&b'Z') {
                    return None;
                }
                *p += 1;
            }
            Tok::Offset | Tok::OffsetColon => {
                let sign = match b.get(*p)? {
                    b'+' => 1,
                    b'-' => -1,
                    _ => return None,
                };
                *p += 1;
                let oh = digits(b, p, 2, 2)?;
                if tok == Tok::OffsetColon {
                    if b.get(*p) != Some(&b':') {
                        return None;
                    }
                    *p += 1;
                }
                let om = digits(b, p, 2, 2)?;
                if oh > 23 || om > 59 {
                    return None;
                }
                self.offset_s = sign * i64::from(oh * 3600 + om * 60);
            }
            Tok::Lit(c) => {
                if b.get(*p) != Some(&c) {
                    return None;
                }
                *p += 1;
            }
        }
        Some(())
    }

    /// The value of the fields read, or `None` for an impossible date or time.
    #[inline]
    fn value(mut self, fmt: &DateFormat) -> Option<i64> {
        if self.twelve_hour {
            if !(1..=12).contains(&self.h) {
                return None;
            }
            match self.pm {
                Some(true) if self.h != 12 => self.h += 12,
                Some(false) if self.h == 12 => self.h = 0,
                _ => {}
            }
        }
        let Fields {
            y,
            mo,
            d,
            h,
            mi,
            s,
            us,
            offset_s,
            ..
        } = self;
        NaiveTime::from_hms_micro_opt(h, mi, s, us)?;
        let time_us = i64::from(h * 3600 + mi * 60 + s) * 1_000_000 + i64::from(us);
        match fmt.kind {
            TemporalKind::Time => Some(time_us),
            TemporalKind::Date => Some(days_from_ymd(y, mo, d)?),
            TemporalKind::DateTime => {
                let days = days_from_ymd(y, mo, d)?;
                let local = days * 86_400_000_000 + time_us;
                Some(if fmt.has_offset {
                    local - offset_s * 1_000_000
                } else {
                    local
                })
            }
        }
    }
}

/// Days since 1970-01-01, or None for an invalid date.
pub(crate) fn days_from_ymd(y: i32, m: u32, d: u32) -> Option<i64> {
    let date = NaiveDate::from_ymd_opt(y, m, d)?;
    Some(i64::from(
        date.signed_duration_since(epoch_date()).num_days() as i32,
    ))
}

pub(crate) fn epoch_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(1970, 1, 1).expect("1970-01-01 is a valid date")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fmt_of(s: &str) -> Option<&'static str> {
        first(surviving(all_formats(), s)).map(|f| f.pattern)
    }

    #[test]
    fn recognises_exact_formats() {
        assert_eq!(fmt_of("2012-01-01"), Some("%Y-%m-%d"));
        assert_eq!(fmt_of("2013-01-01 10:00:00"), Some("%Y-%m-%d %H:%M:%S"));
        assert_eq!(fmt_of("01/31/2020 13:05"), Some("%m/%d/%Y %H:%M"));
        assert_eq!(fmt_of("31/01/2020"), Some("%d/%m/%Y"));
        assert_eq!(fmt_of("1/5/2020"), Some("%-m/%-d/%Y"));
        assert_eq!(
            fmt_of("2020-01-05T10:00:00+02:00"),
            Some("%Y-%m-%dT%H:%M:%S%:z")
        );
        assert_eq!(
            fmt_of("2020-01-05T10:00:00.25Z"),
            Some("%Y-%m-%dT%H:%M:%S%.fZ")
        );
        assert_eq!(fmt_of("07:30 PM"), Some("%I:%M %p"));
        assert_eq!(fmt_of("2012-1-1"), None);
        assert_eq!(fmt_of("2013"), None);
        assert_eq!(fmt_of("517.0"), None);
        assert_eq!(fmt_of("2012-02-30"), None);
    }

    #[test]
    fn two_digit_years_and_month_names_parse() {
        // Birth dates as exports write them: these stayed text (and their values left
        // as category names) before.
        assert_eq!(fmt_of("25/09/69"), Some("%d/%m/%y"));
        assert_eq!(fmt_of("March 12, 1985"), Some("%B %d, %Y"));
        assert_eq!(fmt_of("12-Mar-85"), Some("%d-%b-%y"));
        assert_eq!(fmt_of("3 September 2001"), Some("%-d %B %Y"));
        let days = |f: &str, v: &str| parse(by_pattern(f).unwrap(), v.as_bytes()).unwrap();
        assert_eq!(
            days("%d/%m/%y", "25/09/69"),
            days_from_ymd(1969, 9, 25).unwrap()
        );
        assert_eq!(
            days("%d-%b-%y", "12-Mar-05"),
            days_from_ymd(2005, 3, 12).unwrap()
        );
        assert_eq!(
            days("%B %d, %Y", "march 12, 1985"),
            days_from_ymd(1985, 3, 12).unwrap()
        );
        // A four-digit year never reads as two.
        assert_eq!(fmt_of("25/09/1969"), Some("%d/%m/%Y"));
    }

    #[test]
    fn offsets_convert_to_utc() {
        let f = by_pattern("%Y-%m-%dT%H:%M:%S%:z").unwrap();
        let a = parse(f, b"2020-01-01T12:00:00+02:00").unwrap();
        let z = parse(
            by_pattern("%Y-%m-%dT%H:%M:%SZ").unwrap(),
            b"2020-01-01T10:00:00Z",
        )
        .unwrap();
        assert_eq!(a, z);
    }

    #[test]
    fn twelve_hour_clock() {
        let f = by_pattern("%m/%d/%Y %I:%M %p").unwrap();
        let noon = parse(f, b"01/01/1970 12:00 PM").unwrap();
        let midnight = parse(f, b"01/01/1970 12:00 AM").unwrap();
        assert_eq!(noon, 12 * 3600 * 1_000_000);
        assert_eq!(midnight, 0);
        assert!(parse(f, b"01/01/1970 13:00 PM").is_none());
    }
}
