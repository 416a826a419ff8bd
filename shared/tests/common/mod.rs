//! Helpers shared by the integration tests.
#![allow(dead_code)]

pub mod pii;

use arrow::array::{Array, AsArray};
use arrow::datatypes::{DataType, Date32Type, Float64Type, Int64Type, TimestampMicrosecondType};
use std::path::PathBuf;

/// `../shared/datasets` seen from the repository root.
pub fn datasets() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/datasets")
}

/// A deterministic source of numbers below `m` (xorshift64): test tables the same on
/// every run and platform.
pub fn xorshift(seed: u64) -> impl FnMut(u64) -> u64 {
    let mut x = seed;
    move |m| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x % m
    }
}

/// `synthetic` scored against `real`, without plots.
pub fn scored(real: &shared::Table, synthetic: &shared::Table) -> shared::Report {
    let options = shared::EvaluateOptions {
        plots: false,
        ..Default::default()
    };
    shared::evaluate(real, synthetic, &options)
}

/// How the relation the report words `relation` held: its real share and its synthetic
/// share (0 when no synthetic row has its columns).
pub fn held(report: &shared::Report, relation: &str) -> (f64, f64) {
    let held = report
        .validity
        .relations
        .iter()
        .find(|r| r.relation == relation)
        .unwrap_or_else(|| panic!("{relation} not found: {:?}", report.validity));
    (held.real, held.synthetic.unwrap_or(0.0))
}

/// `rows` rows made with `seed` from the template's spec (default strictness) of a
/// SafeProfile: the page's and the CLI's template path.
pub fn synthesize(safe: &shared::SafeProfile, rows: u64, seed: u64) -> shared::Table {
    let spec = shared::pipeline::template_spec(safe, Default::default());
    shared::pipeline::Synthesis::new(spec, Some(rows), seed)
        .unwrap()
        .make(0..rows)
}

/// A table's column by name.
pub fn column<'t>(table: &'t shared::Table, name: &str) -> &'t arrow::array::ArrayRef {
    let i = table
        .column_index(name)
        .unwrap_or_else(|| panic!("no column {name}"));
    table.batch.column(i)
}

/// The SafeProfile of a file with the guard seed the golden files use (2024).
pub fn safe_profile(bytes: &[u8], file: &str) -> shared::SafeProfile {
    let t = shared::read(bytes, file, &Default::default()).unwrap();
    let options = shared::GuardOptions {
        seed: 2024,
        ..Default::default()
    };
    shared::guard(&shared::profile(&t), &options).0
}

/// The pinned SafeProfile JSON of a file, as `tests/golden/` holds it.
pub fn golden_safe_profile(bytes: &[u8], file: &str) -> String {
    serde_json::to_string_pretty(&safe_profile(bytes, file)).unwrap() + "\n"
}

/// Asserts that `got` equals the file at `relative` (to the `shared` crate); with
/// `BLESS=1` in the environment, rewrites the file first (after an intended change).
pub fn assert_pinned(relative: &str, got: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(relative);
    if std::env::var_os("BLESS").is_some() {
        std::fs::write(&path, got).unwrap();
    }
    let want = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        got == want,
        "{} differs from this build's output (BLESS=1 to accept)",
        path.display()
    );
}

/// The pinned evaluation report of a (real, synthetic) pair, as `tests/golden/` holds it.
pub fn golden_report(real: &[u8], real_name: &str, synth: &[u8], synth_name: &str) -> String {
    let real = shared::read(real, real_name, &Default::default()).unwrap();
    let synth = shared::read(synth, synth_name, &Default::default()).unwrap();
    let options = shared::EvaluateOptions {
        seed: 7,
        dcr_rows: 200,
        ..Default::default()
    };
    serde_json::to_string_pretty(&shared::evaluate(&real, &synth, &options)).unwrap() + "\n"
}

/// `rows` rows of a spec with this seed, as CSV text.
pub fn generated_csv(spec: &shared::spec::Spec, seed: u64, rows: u64) -> String {
    let plan = shared::plan::compile(spec).unwrap();
    let table = shared::generate::generate(&plan, seed, rows, 0..rows);
    let bytes = shared::export::to_bytes(
        &table,
        shared::export::OutputFormat::Csv,
        &Default::default(),
    )
    .unwrap();
    String::from_utf8(bytes).unwrap()
}

/// 200 pinned rows (seed 42) generated from a file's template spec (guard seed 2024).
pub fn golden_generated(bytes: &[u8], file: &str) -> String {
    let spec = shared::template::template(&safe_profile(bytes, file), 0.8);
    generated_csv(&spec, 42, 200)
}

/// Rows (seed 1) from a spec that uses every generator kind, as CSV.
pub fn golden_every_kind(spec_json: &str) -> String {
    generated_csv(&shared::spec::Spec::from_json(spec_json).unwrap(), 1, 60)
}

pub fn read_dataset(file: &str) -> shared::Table {
    let path = datasets().join(file);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    shared::read(&bytes, file, &Default::default()).unwrap_or_else(|e| panic!("{e}"))
}

/// A value in a form two readers can be compared on.
#[derive(Debug, Clone, PartialEq)]
pub enum V {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Text(String),
    /// Days since 1970.
    Date(i32),
    /// µs since 1970.
    Ts(i64),
    Other(String),
}

pub fn value(array: &dyn Array, row: usize) -> V {
    if array.is_null(row) {
        return V::Null;
    }
    match array.data_type() {
        DataType::Boolean => V::Bool(array.as_boolean().value(row)),
        DataType::Int64 => V::Int(array.as_primitive::<Int64Type>().value(row)),
        DataType::Float64 => V::Float(array.as_primitive::<Float64Type>().value(row)),
        DataType::Utf8 => V::Text(array.as_string::<i32>().value(row).to_string()),
        DataType::Date32 => V::Date(array.as_primitive::<Date32Type>().value(row)),
        DataType::Timestamp(..) => {
            V::Ts(array.as_primitive::<TimestampMicrosecondType>().value(row))
        }
        other => V::Other(format!("{other}")),
    }
}

pub fn same(a: &V, b: &V) -> bool {
    match (a, b) {
        (V::Float(x), V::Float(y)) => (x - y).abs() <= 1e-9 * x.abs().max(y.abs()).max(1.0),
        _ => a == b,
    }
}

/// Pearson's r over the rows where both are present.
/// A numeric column's values (integers as floats; anything else missing).
pub fn numbers(t: &shared::Table, name: &str) -> Vec<Option<f64>> {
    let a = column(t, name);
    (0..t.batch.num_rows())
        .map(|r| match value(a, r) {
            V::Float(x) => Some(x),
            V::Int(x) => Some(x as f64),
            _ => None,
        })
        .collect()
}

pub fn pearson(a: &[Option<f64>], b: &[Option<f64>]) -> f64 {
    let pairs: Vec<(f64, f64)> = a
        .iter()
        .zip(b)
        .filter_map(|(x, y)| Some(((*x)?, (*y)?)))
        .collect();
    let n = pairs.len() as f64;
    let (ma, mb) = pairs
        .iter()
        .fold((0.0, 0.0), |(x, y), (p, q)| (x + p / n, y + q / n));
    let (mut aa, mut bb, mut ab) = (0.0, 0.0, 0.0);
    for (p, q) in &pairs {
        aa += (p - ma) * (p - ma);
        bb += (q - mb) * (q - mb);
        ab += (p - ma) * (q - mb);
    }
    ab / (aa * bb).sqrt()
}
