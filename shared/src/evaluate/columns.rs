//! Real, synthetic and holdout columns brought to one representation, decided by the
//! real column (as `score.py` coerces both tables by the real table's metadata).
//!
//! Continuous columns become `f64` (NaN = missing); datetimes are nanoseconds since
//! 1970, pandas' own unit, so bin edges fall where SDMetrics puts them. Every other
//! column becomes codes into one dictionary per column shared by all tables (0 =
//! missing), so a category, a copied name or a duplicated row is recognised across
//! tables by comparing integers. Dictionary codes are given to real values first:
//! a code ≤ `real_codes` means "occurs in the real column".

use super::roles::Role;
use crate::LogicalType;
use crate::ingest::cell::{self, KnownFormat};
use arrow::array::{Array, ArrayRef, AsArray};
use arrow::datatypes::{
    DataType, Date32Type, Float64Type, Int64Type, Time64MicrosecondType, TimestampMicrosecondType,
};
use foldhash::HashMap;
use foldhash::fast::FixedState;

const NS_PER_DAY: i64 = 86_400_000_000_000;

/// One column's values in every table, in the order read. The real column fixes the
/// representation, so every table of a column holds the same kind.
#[derive(Debug, Clone)]
pub(crate) enum Values {
    /// Numbers or nanoseconds; NaN when missing.
    Continuous(Vec<Vec<f64>>),
    /// Dictionary codes; 0 when missing.
    Discrete(Vec<Vec<u32>>),
}

impl Values {
    /// Tables read so far.
    pub fn tables(&self) -> usize {
        match self {
            Values::Continuous(t) => t.len(),
            Values::Discrete(t) => t.len(),
        }
    }

    /// Table `t`'s cells.
    pub fn table(&self, t: usize) -> Cells<'_> {
        match self {
            Values::Continuous(v) => Cells::Continuous(&v[t]),
            Values::Discrete(v) => Cells::Discrete(&v[t]),
        }
    }
}

/// One column's values in one table.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Cells<'a> {
    /// Numbers or nanoseconds; NaN when missing.
    Continuous(&'a [f64]),
    /// Dictionary codes; 0 when missing.
    Discrete(&'a [u32]),
}

impl Cells<'_> {
    pub fn len(&self) -> usize {
        match self {
            Cells::Continuous(v) => v.len(),
            Cells::Discrete(v) => v.len(),
        }
    }
    /// A per-row key for exact-copy detection: the value's bits or its code.
    pub fn key(&self, row: usize) -> u64 {
        match self {
            Cells::Continuous(v) => {
                let x = v[row];
                if x.is_nan() {
                    u64::MAX
                } else {
                    // -0.0 and 0.0 are the same value.
                    (x + 0.0).to_bits()
                }
            }
            Cells::Discrete(v) => u64::from(v[row]),
        }
    }
}

/// The labels of one discrete column's codes.
#[derive(Debug, Default, Clone)]
pub(crate) struct Dictionary {
    index: HashMap<String, u32>,
    /// `labels[code - 1]`.
    pub labels: Vec<String>,
    /// Codes `1..=real_codes` occur in the real column.
    pub real_codes: u32,
}

impl Dictionary {
    fn code(&mut self, key: &str) -> u32 {
        if let Some(&c) = self.index.get(key) {
            return c;
        }
        self.labels.push(key.to_string());
        let c = self.labels.len() as u32;
        self.index.insert(key.to_string(), c);
        c
    }
    pub fn label(&self, code: u32) -> &str {
        &self.labels[code as usize - 1]
    }
}

/// How one column of every table is read, fixed by the real column.
#[derive(Debug, Clone, Copy)]
enum Reading {
    /// Numbers (text parsed as numbers).
    Number,
    /// Nanoseconds since 1970 (text parsed with the real format, then any known one).
    Time(Option<KnownFormat>),
    /// Categories keyed by their numeric value (`2007` = `2007.0`).
    NumberKey,
    /// Categories keyed by truth value (`True` = `yes` = `1`).
    BoolKey,
    /// Categories keyed by text.
    TextKey,
}

/// One column across the tables.
#[derive(Debug, Clone)]
pub(crate) struct Column {
    pub name: String,
    pub role: Role,
    /// SDV's sdtype name (`city`, `id`, `ordinal`...).
    pub sdtype: &'static str,
    /// The real column's logical type.
    pub logical: LogicalType,
    pub dictionary: Dictionary,
    /// Values per table, in the order given to [`Column::read`].
    pub values: Values,
    /// Per table: present values that could not be read the real column's way.
    pub unparsed: Vec<u64>,
    reading: Reading,
}

impl Column {
    /// Prepares a column from the real table's facts and role.
    pub fn new(
        name: &str,
        role: Role,
        sdtype: &'static str,
        logical: LogicalType,
        format: Option<&str>,
    ) -> Self {
        let reading = match (role, logical) {
            (Role::Datetime, _) => Reading::Time(format.and_then(KnownFormat::by_pattern)),
            (Role::Numerical, _) => Reading::Number,
            (_, LogicalType::Integer | LogicalType::Float) => Reading::NumberKey,
            (_, LogicalType::Boolean) => Reading::BoolKey,
            _ => Reading::TextKey,
        };
        Column {
            name: name.to_string(),
            role,
            sdtype,
            logical,
            dictionary: Dictionary::default(),
            values: match reading {
                Reading::Number | Reading::Time(_) => Values::Continuous(Vec::new()),
                Reading::NumberKey | Reading::BoolKey | Reading::TextKey => {
                    Values::Discrete(Vec::new())
                }
            },
            unparsed: Vec::new(),
            reading,
        }
    }

    /// Reads one table's column (`None`: the table lacks it; every value is missing).
    pub fn read(&mut self, array: Option<&ArrayRef>, rows: usize) {
        let mut unparsed = 0u64;
        // Taken out while the dictionary grows, put back below.
        let mut values = std::mem::replace(&mut self.values, Values::Discrete(Vec::new()));
        let first = values.tables() == 0;
        match &mut values {
            Values::Continuous(tables) => {
                let mut out = vec![f64::NAN; rows];
                if let Some(a) = array {
                    unparsed = self.read_continuous(a, &mut out);
                }
                tables.push(out);
            }
            Values::Discrete(tables) => {
                let mut out = vec![0u32; rows];
                if let Some(a) = array {
                    unparsed = self.read_discrete(a, &mut out);
                }
                tables.push(out);
            }
        }
        self.values = values;
        if first {
            self.dictionary.real_codes = self.dictionary.labels.len() as u32;
        }
        self.unparsed.push(unparsed);
    }

    /// Fills `out` with the array's numbers (or nanoseconds); the present values that
    /// do not read. The array's type is matched once, not per cell: this runs over
    /// every cell of both tables.
    fn read_continuous(&self, a: &ArrayRef, out: &mut [f64]) -> u64 {
        let time = matches!(self.reading, Reading::Time(_));
        match a.data_type() {
            DataType::Int64 if !time => {
                let v = a.as_primitive::<Int64Type>();
                fill(a, out, |i| Some(v.value(i) as f64))
            }
            DataType::Float64 if !time => {
                let v = a.as_primitive::<Float64Type>();
                fill(a, out, |i| Some(v.value(i)).filter(|x| !x.is_nan()))
            }
            DataType::Boolean if !time => {
                let v = a.as_boolean();
                fill(a, out, |i| Some(f64::from(u8::from(v.value(i)))))
            }
            DataType::Date32 if time => {
                let v = a.as_primitive::<Date32Type>();
                fill(a, out, |i| {
                    Some((i64::from(v.value(i)) * NS_PER_DAY) as f64)
                })
            }
            DataType::Timestamp(..) if time => {
                let v = a.as_primitive::<TimestampMicrosecondType>();
                fill(a, out, |i| Some(micros_to_ns(v.value(i))))
            }
            DataType::Time64(_) if time => {
                let v = a.as_primitive::<Time64MicrosecondType>();
                fill(a, out, |i| Some(micros_to_ns(v.value(i))))
            }
            DataType::Utf8 => {
                let v = a.as_string::<i32>();
                match self.reading {
                    Reading::Time(format) => fill(a, out, |i| cell::time_ns(v.value(i), format)),
                    _ => fill(a, out, |i| cell::number(v.value(i))),
                }
            }
            _ => fill(a, out, |_| None),
        }
    }

    /// Fills `out` with the dictionary codes of the array's keys; the present values
    /// without one. Number arrays remember each distinct value's code, so a key is
    /// written once per value, not once per cell.
    fn read_discrete(&mut self, a: &ArrayRef, out: &mut [u32]) -> u64 {
        let data = a.to_data();
        let raw: Option<&[u64]> = matches!(a.data_type(), DataType::Int64 | DataType::Float64)
            .then(|| data.buffer::<u64>(0));
        let nulls = a.nulls();
        let mut memo: HashMap<u64, u32> = HashMap::default();
        let mut key = String::new();
        let mut unparsed = 0;
        for (i, slot) in out.iter_mut().enumerate() {
            if nulls.is_some_and(|n| n.is_null(i)) {
                continue;
            }
            // 0: no key.
            let code = match raw {
                Some(raw) => match memo.get(&raw[i]) {
                    Some(&code) => code,
                    None => {
                        let code = self.code_of(a, i, &mut key);
                        memo.insert(raw[i], code);
                        code
                    }
                },
                None => self.code_of(a, i, &mut key),
            };
            match code {
                0 => unparsed += 1,
                code => *slot = code,
            }
        }
        unparsed
    }

    /// The dictionary code of cell `i`'s key (0: it has none).
    fn code_of(&mut self, a: &ArrayRef, i: usize, key: &mut String) -> u32 {
        key.clear();
        if self.key(a, i, key) {
            self.dictionary.code(key)
        } else {
            0
        }
    }

    /// Writes the canonical key of cell `i` into `out`; false when it has none.
    fn key(&self, a: &ArrayRef, i: usize, out: &mut String) -> bool {
        use std::fmt::Write;
        match self.reading {
            Reading::NumberKey => {
                let x = match a.data_type() {
                    DataType::Int64 => Some(a.as_primitive::<Int64Type>().value(i) as f64),
                    DataType::Float64 => Some(a.as_primitive::<Float64Type>().value(i)),
                    DataType::Utf8 => cell::number(a.as_string::<i32>().value(i)),
                    _ => None,
                };
                match x.filter(|x| !x.is_nan()) {
                    Some(x) => {
                        number_key(x, out);
                        true
                    }
                    None => false,
                }
            }
            Reading::BoolKey => {
                let b = match a.data_type() {
                    DataType::Boolean => Some(a.as_boolean().value(i)),
                    DataType::Int64 => match a.as_primitive::<Int64Type>().value(i) {
                        0 => Some(false),
                        1 => Some(true),
                        _ => None,
                    },
                    DataType::Float64 => {
                        let x = a.as_primitive::<Float64Type>().value(i);
                        (x == 0.0 || x == 1.0).then_some(x == 1.0)
                    }
                    DataType::Utf8 => bool_word(a.as_string::<i32>().value(i)),
                    _ => None,
                };
                match b {
                    Some(b) => {
                        out.push_str(if b { "True" } else { "False" });
                        true
                    }
                    None => false,
                }
            }
            _ => {
                match a.data_type() {
                    DataType::Utf8 => out.push_str(a.as_string::<i32>().value(i)),
                    DataType::Int64 => {
                        let _ = write!(out, "{}", a.as_primitive::<Int64Type>().value(i));
                    }
                    DataType::Float64 => number_key(a.as_primitive::<Float64Type>().value(i), out),
                    DataType::Boolean => {
                        out.push_str(if a.as_boolean().value(i) {
                            "True"
                        } else {
                            "False"
                        });
                    }
                    DataType::Date32 => {
                        let d = a.as_primitive::<Date32Type>().value(i);
                        match chrono::DateTime::UNIX_EPOCH
                            .date_naive()
                            .checked_add_signed(chrono::TimeDelta::days(i64::from(d)))
                        {
                            Some(date) => {
                                let _ = write!(out, "{}", date.format("%Y-%m-%d"));
                            }
                            None => return false,
                        }
                    }
                    DataType::Timestamp(..) => {
                        let us = a.as_primitive::<TimestampMicrosecondType>().value(i);
                        match chrono::DateTime::from_timestamp_micros(us) {
                            Some(t) => {
                                let _ =
                                    write!(out, "{}", t.naive_utc().format("%Y-%m-%d %H:%M:%S%.f"));
                            }
                            None => return false,
                        }
                    }
                    DataType::Time64(_) => {
                        let us = a.as_primitive::<Time64MicrosecondType>().value(i);
                        let _ = write!(out, "T{us}");
                    }
                    _ => return false,
                }
                true
            }
        }
    }
}

/// Writes `get(i)` of each present cell into `out[i]`; the present cells it reads
/// as `None`.
fn fill(a: &ArrayRef, out: &mut [f64], get: impl Fn(usize) -> Option<f64>) -> u64 {
    let nulls = a.nulls();
    let mut unparsed = 0;
    for (i, slot) in out.iter_mut().enumerate() {
        if nulls.is_some_and(|n| n.is_null(i)) {
            continue;
        }
        match get(i) {
            Some(x) => *slot = x,
            None => unparsed += 1,
        }
    }
    unparsed
}

fn micros_to_ns(us: i64) -> f64 {
    us.checked_mul(1000)
        .map_or(us as f64 * 1000.0, |ns| ns as f64)
}

/// A number's key: integral values print without a fraction, so `2007` = `2007.0`.
pub(crate) fn number_key(x: f64, out: &mut String) {
    use std::fmt::Write;
    if x == x.trunc() && x.abs() < 1e15 {
        let _ = write!(out, "{}", x as i64);
    } else {
        let _ = write!(out, "{x}");
    }
}

/// `score.py`'s boolean reading.
fn bool_word(s: &str) -> Option<bool> {
    match s.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "1.0" | "yes" | "t" => Some(true),
        "false" | "0" | "0.0" | "no" | "f" => Some(false),
        _ => None,
    }
}

/// A 128-bit row hash over the given columns, for exact-copy sets.
pub(crate) fn row_hashes(columns: &[Cells<'_>]) -> Vec<u128> {
    use std::hash::{BuildHasher, Hasher};
    let rows = columns.first().map_or(0, |c| c.len());
    let (a, b) = (
        FixedState::with_seed(0x5eed_0001),
        FixedState::with_seed(0x5eed_0002),
    );
    (0..rows)
        .map(|r| {
            let (mut h1, mut h2) = (a.build_hasher(), b.build_hasher());
            for c in columns {
                let k = c.key(r);
                h1.write_u64(k);
                h2.write_u64(k);
            }
            (u128::from(h1.finish()) << 64) | u128::from(h2.finish())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::array::{Int64Array, StringArray};
    use std::sync::Arc;

    #[test]
    fn synthetic_text_is_read_the_real_columns_way() {
        let mut c = Column::new("year", Role::Ordinal, "ordinal", LogicalType::Integer, None);
        let real: ArrayRef = Arc::new(Int64Array::from(vec![2007, 2008, 2009]));
        let synth: ArrayRef = Arc::new(StringArray::from(vec!["2008.0", "x", "2009"]));
        c.read(Some(&real), 3);
        c.read(Some(&synth), 3);
        let Cells::Discrete(s) = c.values.table(1) else {
            panic!("discrete")
        };
        assert_eq!(s, &[2, 0, 3]);
        assert_eq!(c.unparsed, [0, 1]);
        assert_eq!(c.dictionary.real_codes, 3);
    }

    #[test]
    fn dates_in_another_format_still_parse() {
        let mut c = Column::new(
            "d",
            Role::Datetime,
            "datetime",
            LogicalType::Date,
            Some("%Y-%m-%d"),
        );
        let synth: ArrayRef = Arc::new(StringArray::from(vec!["1970-01-02", "01/03/1970"]));
        c.read(Some(&synth), 2);
        let Cells::Continuous(v) = c.values.table(0) else {
            panic!("continuous")
        };
        assert_eq!(v, &[NS_PER_DAY as f64, 2.0 * NS_PER_DAY as f64]);
    }
}
