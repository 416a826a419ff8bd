//! Type inference: a small lattice over the values of one column.
//!
//! Every source (CSV text, JSON values, Excel cells, Parquet strings) feeds [`Cell`]s
//! into an [`Inference`], which narrows what the column can be:
//!
//! ```text
//!            null
//!          /  |   \
//!      bool  int   date / datetime / time (one exact format)
//!             |
//!           float
//!    everything ──▶ text
//! ```
//!
//! Promotions: `int + float → float`; a float column whose values are all integral
//! (`181.0`, what pandas writes for an int column with gaps) → int; any mix across
//! branches (number + date, bool + number, native datetime + text) → text. Numbers with
//! a leading zero (`02134`) are codes, not numbers → text, so ZIP codes and IDs keep
//! their zeros. Null tokens (empty, `NA`, `N/A`, `null`, `NaN`, `None`...) are nulls in
//! every column. A datetime column keeps the first format (in priority order) that
//! parsed every value, so output can be written exactly the same way.

use super::datetime::{self, TemporalKind};
use crate::table::LogicalType;
use crate::written::{self, Negative, NumberFormat, Written};
use arrow::array::{
    ArrayRef, BooleanBuilder, Date32Builder, Float64Array, Float64Builder, Int64Array,
    Int64Builder, NullArray, StringBuilder, Time64MicrosecondBuilder, TimestampMicrosecondBuilder,
};
use arrow::buffer::NullBuffer;
use chrono::{NaiveDateTime, Timelike};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// One value as a source hands it over.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Cell<'a> {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Text(&'a str),
    /// A typed date-time (Excel date cell, Parquet timestamp); `Date` when midnight-only.
    DateTime(NaiveDateTime),
}

/// Missing-value spellings: [`written::NULL_TOKENS`], in every column.
pub(crate) fn is_null_token(s: &str) -> bool {
    written::null_token(s).is_some()
}

/// A number read from text.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Number {
    Int(i64),
    /// The value and its decimal digits as written.
    Float(f64, u8),
}

/// What [`Inference::observe_plain`] read from a cell.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Plain {
    /// A null, or a missing-value token.
    Missing,
    /// A plain number, always finite: what [`text_number`] gives for it in a column
    /// whose decimal mark is a point.
    Number(f64),
    /// Anything else (a word, a date, a number written for people, a native value).
    Other,
}

/// Parses a plain number (`-12.5`, `1e3`): the fast path. Numbers written for people
/// (`$1,234.56`, `1,5`) are [`written::read_number`]'s.
pub(crate) fn parse_number(s: &str) -> Option<Number> {
    let t = if s.as_bytes().first().is_some_and(u8::is_ascii_whitespace)
        || s.as_bytes().last().is_some_and(u8::is_ascii_whitespace)
    {
        s.trim()
    } else {
        s
    };
    let b = t.as_bytes();
    if b.is_empty() || b.len() > 64 {
        return None;
    }
    let digits_start = usize::from(b[0] == b'-' || b[0] == b'+');
    let body = &b[digits_start..];
    if body.is_empty() || !(body[0].is_ascii_digit() || body[0] == b'.') {
        return None; // rejects "inf", "nan", "e5", "-"
    }
    // A leading zero followed by a digit is a code (ZIP, ID), not a number.
    if body.len() > 1 && body[0] == b'0' && body[1].is_ascii_digit() {
        return None;
    }
    if let Some(n) = plain_decimal(b[0] == b'-', body) {
        return Some(n);
    }
    if body.iter().all(u8::is_ascii_digit) {
        return t.parse::<i64>().ok().map(Number::Int).or_else(|| {
            // Too long for i64: a float if it is numeric at all.
            t.parse::<f64>().ok().map(|f| Number::Float(f, 0))
        });
    }
    if !t
        .bytes()
        .all(|c| c.is_ascii_digit() || matches!(c, b'.' | b'-' | b'+' | b'e' | b'E'))
    {
        return None;
    }
    let f = t.parse::<f64>().ok()?;
    if !f.is_finite() {
        return None;
    }
    let decimals = match (t.find('.'), t.find(['e', 'E'])) {
        (Some(dot), None) => (t.len() - dot - 1).min(18) as u8,
        (Some(dot), Some(e)) if e > dot => (e - dot - 1).min(18) as u8,
        _ => 0,
    };
    Some(Number::Float(f, decimals))
}

/// The common case, `123` or `-12.345` with at most 15 significant digits, parsed in
/// one pass. Exact: a mantissa below 2^53 divided by a power of ten up to 10^22 is
/// correctly rounded (Clinger's fast path), so this agrees with `str::parse::<f64>`.
/// Everything else returns None and takes the general path.
fn plain_decimal(negative: bool, body: &[u8]) -> Option<Number> {
    const POW10: [f64; 16] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
    ];
    let mut mantissa: u64 = 0;
    let mut digits = 0usize;
    let mut decimals: Option<usize> = None;
    for &c in body {
        match c {
            b'0'..=b'9' => {
                mantissa = mantissa * 10 + u64::from(c - b'0');
                digits += 1;
                if digits > 15 {
                    return None;
                }
                if let Some(d) = decimals.as_mut() {
                    *d += 1;
                }
            }
            b'.' if decimals.is_none() => decimals = Some(0),
            _ => return None,
        }
    }
    match decimals {
        None if digits > 0 => {
            let v = mantissa as i64;
            Some(Number::Int(if negative { -v } else { v }))
        }
        Some(d) if d > 0 && digits > d => {
            let v = mantissa as f64 / POW10[d];
            Some(Number::Float(if negative { -v } else { v }, d as u8))
        }
        _ => None,
    }
}

/// Decimal digits of a float as its shortest round-trip representation writes it.
pub(crate) fn float_decimals(f: f64) -> u8 {
    if f.fract() == 0.0 || !f.is_finite() {
        return 0;
    }
    let s = f.to_string();
    match s.find('.') {
        Some(dot) if !s.contains('e') => (s.len() - dot - 1).min(18) as u8,
        _ => 6,
    }
}

/// What one column can still be, narrowed value by value. [`Inference::merge`] of two
/// is the same decision as observing both value streams in order, so partitions (Spark
/// executors) can infer apart and send their state as JSON.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Inference {
    pub nulls: u64,
    pub values: u64,
    decimal_comma_allowed: bool,
    /// Text values seen (not null tokens).
    texts: u64,
    native_bools: u64,
    native_numbers: u64,
    native_datetimes: u64,
    native_dt_with_time: bool,
    /// Every text value so far is a bool token.
    text_bool: bool,
    /// Every text value so far is a number.
    text_number: bool,
    /// Formats that parsed every text value so far.
    date_mask: u64,
    /// The formats that parsed the last text value: the mask only narrows, so the
    /// formats left after a repeat are those it narrowed to before.
    #[serde(skip)]
    last_date: datetime::LastRead<u64>,
    /// No branch but text is left: stop checking.
    settled_text: bool,
    all_integral: bool,
    saw_float: bool,
    decimals: u8,
    /// How the numbers were written, tallied for the majority format.
    shown: NumberVotes,
    /// Text values per pair of [`written::BOOLEAN_WORDS`].
    boolean_words: [u64; written::BOOLEAN_WORDS.len()],
    /// Missing values per spelling of [`written::NULL_TOKENS`].
    null_tokens: [u64; written::NULL_TOKENS.len()],
    pub int_min: i64,
    pub int_max: i64,
}

/// How a column's text numbers were written: each feature counted, so the column's
/// format is the majority's. Only text numbers vote.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct NumberVotes {
    numbers: u64,
    /// (symbol, space) → values.
    #[serde(with = "listed_affixes")]
    prefixes: Vec<((&'static str, Option<char>), u64)>,
    #[serde(with = "listed_affixes")]
    suffixes: Vec<((&'static str, Option<char>), u64)>,
    point: u64,
    comma: u64,
    /// Values of four digits or more before the mark, and those that grouped them.
    groupable: u64,
    grouped: Vec<(written::Grouping, u64)>,
    negatives: u64,
    negative_styles: [u64; 3],
    plus: u64,
    scientific: u64,
    /// `1.234` and `1,234` read with the hint: both a decimal and a grouping reading.
    ambiguous_point: u64,
    ambiguous_comma: u64,
}

/// Affix tallies travel as their symbols' text and come back as the closed list's own
/// `&'static str`; a symbol outside the list is refused, not leaked into a format.
mod listed_affixes {
    use crate::written;
    use serde::{Deserialize, Deserializer, Serialize, Serializer, de::Error};

    type Tally = Vec<((&'static str, Option<char>), u64)>;

    pub fn serialize<S: Serializer>(list: &Tally, s: S) -> Result<S::Ok, S::Error> {
        list.serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Tally, D::Error> {
        let raw: Vec<((String, Option<char>), u64)> = Vec::deserialize(d)?;
        raw.into_iter()
            .map(|((symbol, space), n)| {
                written::known_symbol(&symbol)
                    .map(|s| ((s, space), n))
                    .ok_or_else(|| D::Error::custom(format!("unknown number symbol {symbol:?}")))
            })
            .collect()
    }
}

/// Adds `later`'s counts to `list`, keys first seen in `list` keeping their place: the
/// order one pass over both would have seen them in (ties go to the first seen).
fn merge_tallies<K: PartialEq>(list: &mut Vec<(K, u64)>, later: Vec<(K, u64)>) {
    for (key, n) in later {
        match list.iter_mut().find(|(k, _)| *k == key) {
            Some((_, m)) => *m += n,
            None => list.push((key, n)),
        }
    }
}

fn add_counts<const N: usize>(a: &mut [u64; N], b: [u64; N]) {
    a.iter_mut().zip(b).for_each(|(a, b)| *a += b);
}

fn tally<K: PartialEq>(list: &mut Vec<(K, u64)>, key: K) {
    match list.iter_mut().find(|(k, _)| *k == key) {
        Some((_, n)) => *n += 1,
        None => list.push((key, 1)),
    }
}

fn majority<K: Clone>(list: &[(K, u64)]) -> Option<(K, u64)> {
    list.iter().max_by_key(|(_, n)| *n).cloned()
}

impl NumberVotes {
    fn merge(&mut self, later: NumberVotes) {
        self.numbers += later.numbers;
        merge_tallies(&mut self.prefixes, later.prefixes);
        merge_tallies(&mut self.suffixes, later.suffixes);
        self.point += later.point;
        self.comma += later.comma;
        self.groupable += later.groupable;
        merge_tallies(&mut self.grouped, later.grouped);
        self.negatives += later.negatives;
        add_counts(&mut self.negative_styles, later.negative_styles);
        self.plus += later.plus;
        self.scientific += later.scientific;
        self.ambiguous_point += later.ambiguous_point;
        self.ambiguous_comma += later.ambiguous_comma;
    }

    /// A plain number (`-1234.5`), from its parsed value: this runs for every cell of
    /// every numeric column, so it reads no text.
    fn plain(&mut self, value: f64, decimals: u8) {
        self.numbers += 1;
        self.groupable += u64::from(value.abs() >= 1000.0);
        self.point += u64::from(decimals > 0);
        if value < 0.0 {
            self.negatives += 1;
            self.negative_styles[0] += 1;
        }
    }

    fn formatted(&mut self, r: &written::Reading) {
        self.numbers += 1;
        if !r.prefix.is_empty() {
            tally(&mut self.prefixes, (r.prefix, r.prefix_space));
        }
        if !r.suffix.is_empty() {
            tally(&mut self.suffixes, (r.suffix, r.suffix_space));
        }
        match r.decimal_comma {
            Some(true) => self.comma += 1,
            Some(false) => self.point += 1,
            None => {}
        }
        if r.value.abs() >= 1000.0 && !r.scientific {
            self.groupable += 1;
        }
        if let Some(g) = r.grouping {
            tally(&mut self.grouped, g);
        }
        if let Some(n) = r.negative {
            self.negatives += 1;
            self.negative_styles[n as usize] += 1;
        }
        self.plus += u64::from(r.plus);
        self.scientific += u64::from(r.scientific);
    }

    /// The majority format, and a note when values were written in more than one way.
    fn decide(&self, hint_comma: bool, decimals: u8) -> (Option<NumberFormat>, Option<String>) {
        if self.numbers == 0 {
            return (None, None);
        }
        let half = |n: u64, of: u64| of > 0 && 2 * n > of;
        let affix = |list: &[((&'static str, Option<char>), u64)], prefix: bool| {
            majority(list)
                .filter(|(_, n)| half(*n, self.numbers))
                .map(|((sym, space), n)| {
                    let space = space.map(String::from).unwrap_or_default();
                    let s = if prefix {
                        format!("{sym}{space}")
                    } else {
                        format!("{space}{sym}")
                    };
                    (s, n)
                })
        };
        let prefix = affix(&self.prefixes, true);
        let suffix = affix(&self.suffixes, false);
        let ambiguous = self.ambiguous_point + self.ambiguous_comma > 0;
        let decimal_comma = if self.comma != self.point {
            self.comma > self.point
        } else {
            hint_comma && ambiguous
        };
        let grouping = majority(&self.grouped)
            .filter(|(_, n)| half(*n, self.groupable) || (self.groupable == 0 && *n > 0))
            .map(|(g, _)| g)
            .filter(|g| g.char() != if decimal_comma { ',' } else { '.' });
        let negative = match self.negative_styles {
            [m, p, t] if p > m && p >= t => Negative::Parentheses,
            [m, p, t] if t > m && t > p => Negative::TrailingMinus,
            _ => Negative::Minus,
        };
        let format = NumberFormat {
            prefix: prefix.as_ref().map(|p| p.0.clone()).unwrap_or_default(),
            suffix: suffix.as_ref().map(|p| p.0.clone()).unwrap_or_default(),
            decimal_comma,
            grouping,
            negative,
            plus: half(self.plus, self.numbers - self.negatives),
            scientific: half(self.scientific, self.numbers),
        };
        if format.is_plain() {
            return (None, None);
        }
        // Values that left out a symbol the majority writes are "written another way".
        let agreeing = [prefix.map(|p| p.1), suffix.map(|s| s.1)]
            .into_iter()
            .flatten()
            .min()
            .unwrap_or(self.numbers);
        let note = (agreeing < self.numbers).then(|| {
            format!(
                "numbers written in more than one way ({} in {:.0} % of values); synthetic values are written as the majority",
                format.example(decimals),
                100.0 * agreeing as f64 / self.numbers as f64
            )
        });
        (Some(format), note)
    }
}

/// The decided type of a column with how to read its values.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Decision {
    pub logical: LogicalType,
    pub format: Option<String>,
    pub decimals: Option<u8>,
    /// How numbers, booleans and missing values were written.
    pub written: Written,
    /// Something the user should know about how the column was read.
    pub note: Option<String>,
    /// Epoch integers read as datetimes: µs per unit.
    pub epoch_unit_us: Option<i64>,
}

impl Inference {
    pub fn new(decimal_comma_allowed: bool) -> Self {
        Inference {
            nulls: 0,
            values: 0,
            decimal_comma_allowed,
            texts: 0,
            native_bools: 0,
            native_numbers: 0,
            native_datetimes: 0,
            native_dt_with_time: false,
            text_bool: true,
            text_number: true,
            date_mask: datetime::all_formats(),
            last_date: datetime::LastRead::default(),
            settled_text: false,
            all_integral: true,
            saw_float: false,
            decimals: 0,
            shown: NumberVotes::default(),
            boolean_words: [0; written::BOOLEAN_WORDS.len()],
            null_tokens: [0; written::NULL_TOKENS.len()],
            int_min: i64::MAX,
            int_max: i64::MIN,
        }
    }

    /// Folds in the state of the rows after this one's. Every "still possible" flag is
    /// an and, every count a sum: where one side stopped tallying a branch (it saw a
    /// value that rules the branch out), the merged flag rules it out too, so the
    /// tallies that differ from one pass over all rows are never read by [`decide`].
    ///
    /// [`decide`]: Inference::decide
    pub fn merge(&mut self, later: Inference) {
        self.nulls += later.nulls;
        self.values += later.values;
        self.texts += later.texts;
        self.native_bools += later.native_bools;
        self.native_numbers += later.native_numbers;
        self.native_datetimes += later.native_datetimes;
        self.native_dt_with_time |= later.native_dt_with_time;
        self.text_bool &= later.text_bool;
        self.text_number &= later.text_number;
        self.date_mask &= later.date_mask;
        self.settled_text = !self.text_bool && !self.text_number && self.date_mask == 0;
        self.all_integral &= later.all_integral;
        self.saw_float |= later.saw_float;
        self.decimals = self.decimals.max(later.decimals);
        self.shown.merge(later.shown);
        add_counts(&mut self.boolean_words, later.boolean_words);
        add_counts(&mut self.null_tokens, later.null_tokens);
        self.int_min = self.int_min.min(later.int_min);
        self.int_max = self.int_max.max(later.int_max);
    }

    /// Bounds what a state read from elsewhere (JSON from an executor) can ask of the
    /// writer: no more decimals than a reader ever counts, no date format not listed.
    pub fn clamp_to_known(&mut self) {
        self.decimals = self.decimals.min(18);
        self.date_mask &= datetime::all_formats();
    }

    fn note_int(&mut self, i: i64) {
        self.int_min = self.int_min.min(i);
        self.int_max = self.int_max.max(i);
    }

    fn note_float(&mut self, f: f64, decimals: u8) {
        self.saw_float = true;
        if f.fract() != 0.0 || f.abs() >= 9.0e15 {
            self.all_integral = false;
        } else {
            self.note_int(f as i64);
        }
        self.decimals = self.decimals.max(decimals);
    }

    /// `n` missing values at once (a JSON key absent from the records read so far):
    /// the same as observing [`Cell::Null`] `n` times.
    pub fn observe_nulls(&mut self, n: u64) {
        self.nulls += n;
    }

    pub fn observe(&mut self, cell: Cell<'_>) {
        self.observe_plain(cell);
    }

    /// Observes a cell and says what it read: [`Plain::Missing`] for a null,
    /// [`Plain::Number`] for a plain number (the value a [`ColumnBuilder`] of a
    /// point-decimal number column would parse again), [`Plain::Other`] otherwise.
    pub fn observe_plain(&mut self, cell: Cell<'_>) -> Plain {
        match cell {
            Cell::Null => self.nulls += 1,
            Cell::Text(s) => match written::null_token(s) {
                Some(token) => {
                    self.nulls += 1;
                    self.null_tokens[token] += 1;
                }
                None => {
                    self.values += 1;
                    self.texts += 1;
                    if !self.settled_text {
                        return self.observe_text(s);
                    }
                    return Plain::Other;
                }
            },
            Cell::Bool(_) => {
                self.values += 1;
                self.native_bools += 1;
            }
            Cell::Int(i) => {
                self.values += 1;
                self.native_numbers += 1;
                self.note_int(i);
            }
            Cell::Float(f) => {
                self.values += 1;
                self.native_numbers += 1;
                if f.is_finite() {
                    self.note_float(f, float_decimals(f));
                } else {
                    self.all_integral = false;
                    self.saw_float = true;
                }
            }
            Cell::DateTime(dt) => {
                self.values += 1;
                self.native_datetimes += 1;
                if dt.time().num_seconds_from_midnight() != 0 || dt.time().nanosecond() != 0 {
                    self.native_dt_with_time = true;
                }
            }
        }
        match cell {
            Cell::Null | Cell::Text(_) => Plain::Missing,
            _ => Plain::Other,
        }
    }

    fn observe_text(&mut self, s: &str) -> Plain {
        if self.text_bool {
            match written::boolean_word(s) {
                Some((pair, _)) => self.boolean_words[pair] += 1,
                None => self.text_bool = false,
            }
        }
        let plain = if self.text_number {
            self.observe_number(s)
        } else {
            Plain::Other
        };
        if self.date_mask != 0 {
            let mask = self.date_mask;
            self.date_mask &= self
                .last_date
                .get_or(s.trim(), |t| datetime::surviving(mask, t));
        }
        if !self.text_bool && !self.text_number && self.date_mask == 0 {
            self.settled_text = true;
        }
        plain
    }

    /// A plain number takes the fast path; anything else is tried as a number written
    /// for people (`$1,234.56`). A lone decimal comma (`1,5`) only counts where the
    /// delimiter is not a comma.
    fn observe_number(&mut self, s: &str) -> Plain {
        let hint_comma = self.decimal_comma_allowed;
        let plain = if hint_comma && looks_ambiguous(s) {
            None
        } else {
            parse_number(s)
        };
        match plain {
            Some(Number::Int(i)) => {
                self.shown.plain(i as f64, 0);
                self.note_int(i);
                return Plain::Number(i as f64);
            }
            Some(Number::Float(f, d)) => {
                self.shown.plain(f, d);
                self.note_float(f, d);
                return Plain::Number(f);
            }
            None => match written::read_number(s, hint_comma) {
                Some(r) if r.decimal_comma == Some(true) && r.grouping.is_none() && !hint_comma => {
                    self.text_number = false;
                }
                Some(r) => {
                    self.shown.formatted(&r);
                    if r.ambiguous {
                        // Its reading waits for the column's decimal mark.
                        if s.contains(',') {
                            self.shown.ambiguous_comma += 1;
                        } else {
                            self.shown.ambiguous_point += 1;
                        }
                    } else if r.decimals == 0 && r.value.fract() == 0.0 && r.value.abs() < 9.0e15 {
                        self.note_int(r.value as i64);
                    } else {
                        self.note_float(r.value, r.decimals);
                    }
                }
                None => self.text_number = false,
            },
        }
        Plain::Other
    }

    /// Decides the column's type. `name` lets integer columns named like timestamps
    /// (`created_at`, `epoch`, `ts`) whose values are in the epoch range read as datetimes.
    pub fn decide(&self, name: &str) -> Decision {
        let mut d = Decision {
            logical: LogicalType::Text,
            format: None,
            decimals: None,
            written: Written::default(),
            note: None,
            epoch_unit_us: None,
        };
        d.written.null = majority_null(&self.null_tokens);
        if self.values == 0 {
            d.logical = LogicalType::Null;
            return d;
        }
        let natives = [
            self.native_bools,
            self.native_numbers,
            self.native_datetimes,
        ]
        .iter()
        .filter(|&&n| n > 0)
        .count();
        if natives > 1 {
            return d;
        }
        let texts = self.texts > 0;
        if self.native_bools > 0 || (texts && self.text_bool && natives == 0) {
            if !texts || self.text_bool {
                d.logical = LogicalType::Boolean;
                d.written.booleans = self
                    .boolean_words
                    .iter()
                    .enumerate()
                    .filter(|(_, n)| **n > 0)
                    .max_by_key(|(_, n)| **n)
                    .map(|(i, _)| written::BOOLEAN_WORDS[i])
                    .filter(|&(t, _)| t != "true")
                    .map(|(t, f)| [t.to_string(), f.to_string()]);
            }
            return d;
        }
        if self.native_numbers > 0 || (texts && self.text_number && natives == 0) {
            if texts && !self.text_number {
                return d;
            }
            let (format, note) = self.shown.decide(self.decimal_comma_allowed, self.decimals);
            let comma = format.as_ref().is_some_and(|f| f.decimal_comma);
            // Values like `1.234` read as decimals when the column's mark is theirs,
            // else as whole numbers with a thousands separator.
            let ambiguous_decimals = if comma {
                self.shown.ambiguous_comma
            } else {
                self.shown.ambiguous_point
            };
            let all_integral = self.all_integral && ambiguous_decimals == 0;
            let decimals = if ambiguous_decimals > 0 {
                self.decimals.max(3)
            } else {
                self.decimals
            };
            d.written.number = format;
            d.note = note;
            if all_integral {
                d.logical = LogicalType::Integer;
                if let Some(unit) = epoch_unit(name, self.int_min, self.int_max) {
                    d.logical = LogicalType::DateTime;
                    d.format = Some(
                        if unit == 1_000_000 {
                            "epoch_s"
                        } else {
                            "epoch_ms"
                        }
                        .into(),
                    );
                    d.epoch_unit_us = Some(unit);
                }
            } else {
                d.logical = LogicalType::Float;
                d.decimals = Some(decimals);
            }
            return d;
        }
        if self.native_datetimes > 0 {
            if !texts {
                if self.native_dt_with_time {
                    d.logical = LogicalType::DateTime;
                    d.format = Some("%Y-%m-%d %H:%M:%S".into());
                } else {
                    d.logical = LogicalType::Date;
                    d.format = Some("%Y-%m-%d".into());
                }
            }
            return d;
        }
        if let Some(f) = datetime::first(self.date_mask) {
            d.logical = match f.kind {
                TemporalKind::Date => LogicalType::Date,
                TemporalKind::DateTime => LogicalType::DateTime,
                TemporalKind::Time => LogicalType::Time,
            };
            d.format = Some(f.pattern.to_string());
        }
        d
    }
}

/// The missing-value spelling most used, when it is not the empty field.
fn majority_null(counts: &[u64]) -> Option<String> {
    let (i, n) = counts
        .iter()
        .enumerate()
        .max_by_key(|(i, n)| (**n, usize::MAX - i))?;
    (i > 0 && *n > counts[0]).then(|| written::NULL_TOKENS[i].to_string())
}

/// `1.234`: one point before exactly three digits, with one to three digits before
/// (no leading zero), which a decimal-comma file may mean as 1234.
fn looks_ambiguous(s: &str) -> bool {
    let b = s.trim().as_bytes();
    let b = b.strip_prefix(b"-").unwrap_or(b);
    match b.iter().position(|&c| c == b'.') {
        Some(p @ 1..=3) => {
            b.len() == p + 4
                && b[0] != b'0'
                && b.iter()
                    .enumerate()
                    .all(|(i, c)| i == p || c.is_ascii_digit())
        }
        _ => false,
    }
}

/// µs per unit when an integer column is really epoch time, judged by name and range.
fn epoch_unit(name: &str, min: i64, max: i64) -> Option<i64> {
    let n = name.to_ascii_lowercase();
    let hinted = n.contains("epoch")
        || n.contains("timestamp")
        || n.ends_with("_at")
        || n.ends_with("_ts")
        || n == "ts"
        || n.ends_with("_time_s")
        || n.ends_with("_ms");
    if !hinted || min > max {
        return None;
    }
    // 2000-01-01 .. 2100-01-01
    const LO: i64 = 946_684_800;
    const HI: i64 = 4_102_444_800;
    if min >= LO && max <= HI {
        Some(1_000_000)
    } else if min >= LO * 1000 && max <= HI * 1000 {
        Some(1000)
    } else {
        None
    }
}

fn comma(d: &Decision) -> bool {
    d.written.number.as_ref().is_some_and(|f| f.decimal_comma)
}

/// A text cell of a numeric column: plain numbers on the fast path, numbers written
/// for people (`$1,234.56`) read with the column's decimal mark.
pub(crate) fn text_number(s: &str, comma: bool) -> Option<f64> {
    if !comma && let Some(n) = parse_number(s) {
        return Some(match n {
            Number::Int(i) => i as f64,
            Number::Float(f, _) => f,
        });
    }
    written::read_number(s, comma).map(|r| r.value)
}

/// A temporal column's last text and its value.
type LastValue = datetime::LastRead<Option<i64>>;

/// Builds the Arrow array of a decided column from the same cells.
#[derive(Debug)]
pub(crate) enum ColumnBuilder {
    Null(usize),
    Bool(BooleanBuilder),
    /// With whether the column's decimal mark is a comma.
    Int(Int64Builder, bool),
    Float(Float64Builder, bool),
    Date(
        Date32Builder,
        Option<&'static datetime::DateFormat>,
        LastValue,
    ),
    DateTime(
        TimestampMicrosecondBuilder,
        Option<&'static datetime::DateFormat>,
        Option<i64>,
        LastValue,
    ),
    Time(
        Time64MicrosecondBuilder,
        Option<&'static datetime::DateFormat>,
        LastValue,
    ),
    Text(StringBuilder),
}

impl ColumnBuilder {
    pub fn new(d: &Decision, capacity: usize) -> Self {
        let fmt = d.format.as_deref().and_then(datetime::by_pattern);
        match d.logical {
            LogicalType::Null => ColumnBuilder::Null(0),
            LogicalType::Boolean => ColumnBuilder::Bool(BooleanBuilder::with_capacity(capacity)),
            LogicalType::Integer => {
                ColumnBuilder::Int(Int64Builder::with_capacity(capacity), comma(d))
            }
            LogicalType::Float => {
                ColumnBuilder::Float(Float64Builder::with_capacity(capacity), comma(d))
            }
            LogicalType::Date => ColumnBuilder::Date(
                Date32Builder::with_capacity(capacity),
                fmt,
                LastValue::default(),
            ),
            LogicalType::DateTime => ColumnBuilder::DateTime(
                TimestampMicrosecondBuilder::with_capacity(capacity),
                fmt,
                d.epoch_unit_us,
                LastValue::default(),
            ),
            LogicalType::Time => ColumnBuilder::Time(
                Time64MicrosecondBuilder::with_capacity(capacity),
                fmt,
                LastValue::default(),
            ),
            LogicalType::Text => {
                ColumnBuilder::Text(StringBuilder::with_capacity(capacity, 16 * capacity))
            }
        }
    }

    pub fn push(&mut self, cell: Cell<'_>) {
        let cell = match cell {
            Cell::Text(s) if is_null_token(s) => Cell::Null,
            c => c,
        };
        match self {
            ColumnBuilder::Null(n) => *n += 1,
            ColumnBuilder::Bool(b) => b.append_option(match cell {
                Cell::Bool(v) => Some(v),
                Cell::Text(s) => written::boolean_word(s).map(|(_, v)| v),
                _ => None,
            }),
            ColumnBuilder::Int(b, comma) => b.append_option(match cell {
                Cell::Int(i) => Some(i),
                Cell::Float(f) => Some(f as i64),
                Cell::Text(s) => text_number(s, *comma).map(|f| f as i64),
                _ => None,
            }),
            ColumnBuilder::Float(b, comma) => b.append_option(match cell {
                Cell::Int(i) => Some(i as f64),
                Cell::Float(f) => Some(f),
                Cell::Text(s) => text_number(s, *comma),
                _ => None,
            }),
            ColumnBuilder::Date(b, fmt, last) => b.append_option(match cell {
                Cell::Text(s) => last
                    .get_or(s.trim(), |t| {
                        fmt.and_then(|f| datetime::parse(f, t.as_bytes()))
                    })
                    .map(|d| d as i32),
                Cell::DateTime(dt) => Some(
                    dt.date()
                        .signed_duration_since(datetime::epoch_date())
                        .num_days() as i32,
                ),
                _ => None,
            }),
            ColumnBuilder::DateTime(b, fmt, epoch, last) => b.append_option(match cell {
                Cell::Text(s) => match epoch {
                    Some(unit) => match parse_number(s) {
                        Some(Number::Int(i)) => i.checked_mul(*unit),
                        _ => None,
                    },
                    None => last.get_or(s.trim(), |t| {
                        fmt.and_then(|f| datetime::parse(f, t.as_bytes()))
                    }),
                },
                Cell::Int(i) => epoch.and_then(|unit| i.checked_mul(unit)),
                Cell::Float(f) => epoch.map(|unit| f as i64 * unit),
                Cell::DateTime(dt) => Some(dt.and_utc().timestamp_micros()),
                _ => None,
            }),
            ColumnBuilder::Time(b, fmt, last) => b.append_option(match cell {
                Cell::Text(s) => last.get_or(s.trim(), |t| {
                    fmt.and_then(|f| datetime::parse(f, t.as_bytes()))
                }),
                Cell::DateTime(dt) => Some(
                    i64::from(dt.time().num_seconds_from_midnight()) * 1_000_000
                        + i64::from(dt.time().nanosecond() / 1000),
                ),
                _ => None,
            }),
            ColumnBuilder::Text(b) => match cell {
                Cell::Null => b.append_null(),
                Cell::Text(s) => b.append_value(s),
                Cell::Bool(v) => b.append_value(if v { "true" } else { "false" }),
                Cell::Int(i) => b.append_value(i.to_string()),
                Cell::Float(f) => b.append_value(f.to_string()),
                Cell::DateTime(dt) => b.append_value(dt.format("%Y-%m-%d %H:%M:%S").to_string()),
            },
        }
    }

    /// The array of a number column from the values [`Inference::observe_plain`] read,
    /// without parsing its text again; `NaN` marks a missing value. None when the
    /// column is not a number column with a point decimal mark, whose cells
    /// [`ColumnBuilder::push`] reads as [`text_number`] did.
    pub fn plain_numbers(d: &Decision, values: &[f64]) -> Option<ArrayRef> {
        if comma(d) {
            return None;
        }
        let nulls = || {
            let n: NullBuffer = values.iter().map(|x| !x.is_nan()).collect();
            (n.null_count() > 0).then_some(n)
        };
        // `as` takes NaN to 0: the value under a null is never read.
        match d.logical {
            LogicalType::Integer => Some(Arc::new(Int64Array::new(
                values.iter().map(|&x| x as i64).collect(),
                nulls(),
            ))),
            LogicalType::Float => Some(Arc::new(Float64Array::new(
                values
                    .iter()
                    .map(|&x| if x.is_nan() { 0.0 } else { x })
                    .collect(),
                nulls(),
            ))),
            _ => None,
        }
    }

    pub fn finish(self) -> ArrayRef {
        match self {
            ColumnBuilder::Null(n) => Arc::new(NullArray::new(n)),
            ColumnBuilder::Bool(mut b) => Arc::new(b.finish()),
            ColumnBuilder::Int(mut b, _) => Arc::new(b.finish()),
            ColumnBuilder::Float(mut b, _) => Arc::new(b.finish()),
            ColumnBuilder::Date(mut b, ..) => Arc::new(b.finish()),
            ColumnBuilder::DateTime(mut b, fmt, ..) => {
                let utc = fmt.is_some_and(|f| f.pattern.contains('z') || f.pattern.ends_with('Z'));
                let a = b.finish();
                Arc::new(if utc { a.with_timezone("UTC") } else { a })
            }
            ColumnBuilder::Time(mut b, ..) => Arc::new(b.finish()),
            ColumnBuilder::Text(mut b) => Arc::new(b.finish()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decide(values: &[&str]) -> Decision {
        let mut inf = Inference::new(false);
        for v in values {
            inf.observe(Cell::Text(v));
        }
        inf.decide("x")
    }

    /// The numbers inference hands over build the same array as parsing the text
    /// again; a column with any cell off the plain path gets none to hand over.
    #[test]
    fn plain_numbers_build_what_parsing_builds() {
        let columns: [&[&str]; 4] = [
            &["12", "-3", "NA", "", " 7 ", "9007199254740993"],
            &["4.50", "-0.25", "1e3", "null", "0.1", "2"],
            &["1", "2", "$1,234", "3"],
            &["1", "2", "007", "3"],
        ];
        for texts in columns {
            let mut inf = Inference::new(false);
            let read: Vec<Plain> = texts
                .iter()
                .map(|t| inf.observe_plain(Cell::Text(t)))
                .collect();
            let d = inf.decide("x");
            let mut b = ColumnBuilder::new(&d, texts.len());
            texts.iter().for_each(|t| b.push(Cell::Text(t)));
            let parsed = b.finish();
            let plain: Option<Vec<f64>> = read
                .iter()
                .map(|r| match r {
                    Plain::Number(x) => Some(*x),
                    Plain::Missing => Some(f64::NAN),
                    Plain::Other => None,
                })
                .collect();
            match plain {
                Some(values) => {
                    let handed =
                        ColumnBuilder::plain_numbers(&d, &values).expect("a number column");
                    assert_eq!(&handed, &parsed, "{texts:?}");
                }
                None => assert!(texts.iter().any(|t| t.contains('$') || t.starts_with('0'))),
            }
        }
    }

    #[test]
    fn lattice_promotions() {
        assert_eq!(decide(&["1", "2", ""]).logical, LogicalType::Integer);
        assert_eq!(decide(&["1", "2.5"]).logical, LogicalType::Float);
        assert_eq!(
            decide(&["181.0", "NA", "186.0"]).logical,
            LogicalType::Integer
        );
        assert_eq!(decide(&["true", "False"]).logical, LogicalType::Boolean);
        assert_eq!(decide(&["1", "true"]).logical, LogicalType::Text);
        assert_eq!(decide(&["02134", "10001"]).logical, LogicalType::Text);
        assert_eq!(decide(&["2020-01-01", "1"]).logical, LogicalType::Text);
        assert_eq!(decide(&["NA", ""]).logical, LogicalType::Null);
        assert_eq!(decide(&["inf", "nan"]).logical, LogicalType::Text);
        let d = decide(&["3.10", "2.5"]);
        assert_eq!((d.logical, d.decimals), (LogicalType::Float, Some(2)));
    }

    #[test]
    fn fast_number_path_agrees_with_the_standard_parser() {
        let cases = [
            "0",
            "7",
            "-7",
            "123456789012345",
            "0.1",
            "0.3",
            "-12.345",
            "517.0",
            "3.10",
            "99999999999999.9",
            "1.7976931348623157",
            "2.2250738585072014",
            "4.35",
            "0.000001",
        ];
        for s in cases {
            let want = if s.contains('.') {
                Number::Float(
                    s.parse().unwrap(),
                    (s.len() - s.find('.').unwrap() - 1) as u8,
                )
            } else {
                Number::Int(s.parse().unwrap())
            };
            assert_eq!(parse_number(s), Some(want), "{s}");
        }
        // Not plain: left to the general path, same answers as before.
        assert_eq!(parse_number("1e3"), Some(Number::Float(1000.0, 0)));
        assert_eq!(
            parse_number("1234567890123456789"),
            Some(Number::Int(1234567890123456789))
        );
        assert_eq!(parse_number(".5"), Some(Number::Float(0.5, 1)));
        assert_eq!(parse_number("5."), Some(Number::Float(5.0, 0)));
        assert_eq!(parse_number("1.2.3"), None);
    }

    #[test]
    fn decimal_comma_only_when_allowed() {
        let mut inf = Inference::new(true);
        for v in ["1,5", "2,25"] {
            inf.observe(Cell::Text(v));
        }
        let d = inf.decide("x");
        assert_eq!(d.logical, LogicalType::Float);
        assert!(d.written.number.as_ref().is_some_and(|f| f.decimal_comma));
        assert_eq!(decide(&["1,5"]).logical, LogicalType::Text);
    }

    #[test]
    fn business_formats_take_the_majority_and_say_so() {
        let d = decide(&["$1,234.56", "$5.00", "(7.25)", "$12.00"]);
        assert_eq!(d.logical, LogicalType::Float);
        let f = d.written.number.as_ref().unwrap();
        assert_eq!(f.prefix, "$");
        assert!(d.note.unwrap().contains("75 %"));
        // One German integer column: "1.234" is a thousand and more where the
        // delimiter makes the comma the decimal mark.
        let mut inf = Inference::new(true);
        for v in ["1.234", "12", "3.500"] {
            inf.observe(Cell::Text(v));
        }
        let d = inf.decide("Menge");
        assert_eq!(d.logical, LogicalType::Integer);
        let mut b = ColumnBuilder::new(&d, 3);
        for v in ["1.234", "12", "3.500"] {
            b.push(Cell::Text(v));
        }
        let a = b.finish();
        let a = a.as_any().downcast_ref::<Int64Array>().unwrap();
        assert_eq!(a.values().to_vec(), [1234, 12, 3500]);
        // Words and tokens as written.
        let d = decide(&["Ja", "Nein", "N/A", "N/A", "Ja"]);
        assert_eq!(d.written.booleans, Some(["Ja".into(), "Nein".into()]));
        assert_eq!(d.written.null.as_deref(), Some("N/A"));
        assert!(decide(&["true", "false"]).written.is_plain());
    }

    #[test]
    fn epoch_integers_by_name_and_range() {
        let mut inf = Inference::new(false);
        for v in ["1700000000", "1700003600"] {
            inf.observe(Cell::Text(v));
        }
        let d = inf.decide("created_at");
        assert_eq!(d.logical, LogicalType::DateTime);
        assert_eq!(d.format.as_deref(), Some("epoch_s"));
        assert_eq!(inf.decide("amount").logical, LogicalType::Integer);
    }

    #[test]
    fn ambiguous_day_month_resolved_by_values() {
        assert_eq!(
            decide(&["01/02/2020", "03/04/2020"]).format.as_deref(),
            Some("%m/%d/%Y")
        );
        assert_eq!(
            decide(&["01/02/2020", "25/04/2020"]).format.as_deref(),
            Some("%d/%m/%Y")
        );
    }
}
