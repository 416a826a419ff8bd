//! JSON (an array of records, or one record) and NDJSON (a record per line).
//!
//! Nested objects flatten to dotted column names (`address.city`); arrays are kept as
//! their JSON text. Columns appear in first-seen order; a record without a key has a
//! null there.

use super::infer::Cell;
use super::{IngestOptions, table_from_cells};
use crate::error::{Error, ErrorKind, Result};
use crate::table::{FileFormat, Table};
use serde_json::Value;
use std::collections::HashMap;

pub(crate) fn read(bytes: &[u8], format: FileFormat, options: &IngestOptions) -> Result<Table> {
    let max = options.limits.max_json_bytes;
    if bytes.len() as u64 > max {
        return Err(Error::new(
            ErrorKind::LimitExceeded,
            format!(
                "the JSON is {} bytes, over the JSON limit of {max} bytes",
                bytes.len()
            ),
        )
        .with_hint("export it as CSV or Parquet, or raise the JSON size limit"));
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let records: Vec<Value> = if format == FileFormat::Ndjson {
        let mut out = Vec::new();
        for (i, v) in serde_json::Deserializer::from_slice(bytes)
            .into_iter::<Value>()
            .enumerate()
        {
            out.push(v.map_err(|e| json_error(e, Some(i as u64 + 1)))?);
        }
        out
    } else {
        match serde_json::from_slice::<Value>(bytes).map_err(|e| json_error(e, None))? {
            Value::Array(items) => items,
            other => vec![other],
        }
    };
    let mut flat = Flattener {
        index: HashMap::new(),
        names: Vec::new(),
        columns: Vec::new(),
        arrays: Vec::new(),
        max_depth: options.limits.max_json_depth,
        max_columns: options.limits.max_columns,
    };
    // Array-valued fields are rendered to text first so cells can borrow them.
    for (row, record) in records.iter().enumerate() {
        flat.record(record, row)?;
    }
    let rows = records.len();
    let texts: Vec<String> = std::mem::take(&mut flat.arrays);
    let columns: Vec<Vec<Cell<'_>>> = flat
        .columns
        .iter()
        .map(|cells| {
            let mut col = vec![Cell::Null; rows];
            for &(row, ref v) in cells {
                col[row] = match v {
                    Leaf::Value(v) => leaf_cell(v),
                    Leaf::Text(i) => Cell::Text(&texts[*i]),
                };
            }
            col
        })
        .collect();
    if columns.is_empty() && rows > 0 {
        return Err(
            Error::new(ErrorKind::Empty, "the JSON records have no fields")
                .with_hint("expected an array of objects like [{\"a\": 1}, ...]"),
        );
    }
    let mut warnings = Vec::new();
    let names = super::clean_names(flat.names, &mut warnings);
    table_from_cells(format, names, &columns, options, warnings)
}

fn json_error(e: serde_json::Error, record: Option<u64>) -> Error {
    let msg = e.to_string();
    let (kind, hint) = if msg.contains("recursion limit") {
        (
            ErrorKind::LimitExceeded,
            "the JSON is nested too deeply; flatten it first",
        )
    } else if e.is_eof() {
        (
            ErrorKind::Malformed,
            "the JSON ends early: is the file truncated?",
        )
    } else {
        (
            ErrorKind::Malformed,
            "check the JSON syntax near that place",
        )
    };
    let mut err = Error::new(kind, format!("invalid JSON: {msg}")).with_hint(hint);
    if let Some(r) = record {
        err = err.at_row(r);
    }
    err
}

enum Leaf<'a> {
    Value(&'a Value),
    Text(usize),
}

struct Flattener<'a> {
    index: HashMap<String, usize>,
    names: Vec<String>,
    columns: Vec<Vec<(usize, Leaf<'a>)>>,
    arrays: Vec<String>,
    max_depth: usize,
    max_columns: usize,
}

impl<'a> Flattener<'a> {
    fn record(&mut self, v: &'a Value, row: usize) -> Result<()> {
        match v {
            Value::Object(map) => {
                for (k, v) in map {
                    self.field(k.clone(), v, row, 1)?;
                }
                Ok(())
            }
            other => self.field("value".to_string(), other, row, 1),
        }
    }

    fn field(&mut self, name: String, v: &'a Value, row: usize, depth: usize) -> Result<()> {
        if depth > self.max_depth {
            return Err(Error::new(
                ErrorKind::LimitExceeded,
                format!("nesting deeper than {} levels", self.max_depth),
            )
            .at_row(row as u64 + 1)
            .at_column(name)
            .with_hint("flatten the JSON first, or raise the depth limit"));
        }
        match v {
            Value::Object(map) if !map.is_empty() => {
                for (k, v) in map {
                    self.field(format!("{name}.{k}"), v, row, depth + 1)?;
                }
                Ok(())
            }
            Value::Array(_) | Value::Object(_) => {
                let text = v.to_string();
                let i = self.arrays.len();
                self.arrays.push(text);
                self.push(name, row, Leaf::Text(i))
            }
            leaf => self.push(name, row, Leaf::Value(leaf)),
        }
    }

    fn push(&mut self, name: String, row: usize, leaf: Leaf<'a>) -> Result<()> {
        let col = match self.index.get(&name) {
            Some(&c) => c,
            None => {
                if self.names.len() >= self.max_columns {
                    return Err(Error::new(
                        ErrorKind::LimitExceeded,
                        format!("more than {} columns", self.max_columns),
                    )
                    .with_hint("drop fields you do not need, or raise the column limit"));
                }
                let c = self.names.len();
                self.index.insert(name.clone(), c);
                self.names.push(name);
                self.columns.push(Vec::new());
                c
            }
        };
        self.columns[col].push((row, leaf));
        Ok(())
    }
}

fn leaf_cell(v: &Value) -> Cell<'_> {
    match v {
        Value::Null => Cell::Null,
        Value::Bool(b) => Cell::Bool(*b),
        Value::Number(n) => match n.as_i64() {
            Some(i) => Cell::Int(i),
            None => Cell::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        Value::String(s) => Cell::Text(s),
        Value::Array(_) | Value::Object(_) => Cell::Null,
    }
}

#[cfg(test)]
mod tests {
    use crate::ingest::read;
    use crate::table::LogicalType;

    #[test]
    fn nested_objects_flatten_and_arrays_stay_json() {
        let t = read(
            br#"[{"id":1,"a":{"b":"x","c":{"d":2.5}},"tags":[1,2]},{"id":2,"a":{"b":"y"}}]"#,
            "x.json",
            &Default::default(),
        )
        .unwrap();
        let names: Vec<_> = t.columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["id", "a.b", "a.c.d", "tags"]);
        assert_eq!(t.columns[2].logical, LogicalType::Float);
        assert_eq!(t.columns[2].null_count, 1);
        assert_eq!(t.columns[3].logical, LogicalType::Text);
    }

    #[test]
    fn deep_nesting_is_a_clear_error() {
        let mut s = String::new();
        for _ in 0..200_000 {
            s.push_str("{\"a\":");
        }
        s.push('1');
        for _ in 0..200_000 {
            s.push('}');
        }
        let e = read(s.as_bytes(), "x.json", &Default::default()).unwrap_err();
        assert!(e.to_string().contains("nested too deeply"), "{e}");
    }
}
