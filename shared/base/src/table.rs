//! The typed table that `ingest` and `generate` produce and `profile`, `export` and
//! `evaluate` read.
//!
//! Values live in one Arrow [`RecordBatch`]; [`ColumnInfo`] keeps what Arrow's types
//! do not say but synthesis needs: the exact datetime format of the input, the number
//! of decimal digits, and exact null counts over the whole file (the batch may hold
//! only a sample of its rows).

use crate::written::{Dialect, Written};
use arrow::array::RecordBatch;
use serde::{Deserialize, Serialize};

/// The logical type of a column, the result of type inference.
///
/// Arrow storage: `Integer` Int64, `Float` Float64, `Boolean` Boolean, `Date` Date32,
/// `DateTime` Timestamp(µs, UTC when the input had offsets), `Time` Time64(µs),
/// `Text` Utf8, `Null` Null.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum LogicalType {
    /// Every value was missing.
    Null,
    /// true/false, yes/no.
    Boolean,
    /// Whole numbers (also floats that are all integral, e.g. `181.0`).
    Integer,
    /// Real numbers.
    Float,
    /// Calendar dates.
    Date,
    /// Date and time of day (naive, or UTC when the input carried offsets).
    DateTime,
    /// Time of day.
    Time,
    /// Anything else.
    Text,
}

impl LogicalType {
    /// Integer or Float.
    pub fn is_numeric(self) -> bool {
        matches!(self, LogicalType::Integer | LogicalType::Float)
    }
    /// Date, DateTime or Time.
    pub fn is_temporal(self) -> bool {
        matches!(
            self,
            LogicalType::Date | LogicalType::DateTime | LogicalType::Time
        )
    }
}

/// The file format a table was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum FileFormat {
    /// Comma-separated (or any delimiter but tab).
    Csv,
    /// Tab-separated.
    Tsv,
    /// A JSON array of records, or one record.
    Json,
    /// One JSON record per line.
    Ndjson,
    /// Office Open XML workbook.
    Xlsx,
    /// Legacy Excel 97-2003 workbook.
    Xls,
    /// Apache Parquet.
    Parquet,
}

impl FileFormat {
    /// The usual file extension.
    pub fn extension(self) -> &'static str {
        match self {
            FileFormat::Csv => "csv",
            FileFormat::Tsv => "tsv",
            FileFormat::Json => "json",
            FileFormat::Ndjson => "ndjson",
            FileFormat::Xlsx => "xlsx",
            FileFormat::Xls => "xls",
            FileFormat::Parquet => "parquet",
        }
    }
}

/// What we know about one column beyond its Arrow type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnInfo {
    /// The column name (unique within the table; duplicates get `_2`, `_3`...).
    pub name: String,
    /// The inferred type.
    pub logical: LogicalType,
    /// For temporal columns: the exact input format as a chrono pattern
    /// (`%m/%d/%Y %H:%M`), or `epoch_s` / `epoch_ms` for epoch integers.
    pub format: Option<String>,
    /// For numbers: the most decimal digits seen (`3.10` → 2), so output can round alike.
    pub decimals: Option<u8>,
    /// Missing values over the whole file (exact even when only a sample is kept).
    pub null_count: u64,
    /// How the file wrote the column's numbers, booleans and missing values
    /// (`$1,234.56`, `Ja`/`Nein`, `N/A`), so output can write them alike.
    #[serde(default, skip_serializing_if = "Written::is_plain")]
    pub written: Written,
}

/// A typed table: the output of `ingest`.
#[derive(Debug, Clone)]
pub struct Table {
    /// The file name given to `ingest` (may be empty).
    pub source: String,
    /// The detected format.
    pub format: FileFormat,
    /// The Excel sheet read, if any.
    pub sheet: Option<String>,
    /// Every sheet of the workbook, in order (Excel; empty for other formats), so a
    /// caller can offer the others without opening the file again.
    pub sheets: Vec<String>,
    /// Per-column facts, in column order.
    pub columns: Vec<ColumnInfo>,
    /// The rows kept (all of them, or an evenly spread sample of `sample_size`).
    pub batch: RecordBatch,
    /// Rows in the whole file.
    pub total_rows: u64,
    /// Things the reader fixed or noticed (padded short rows, renamed headers...).
    pub warnings: Vec<String>,
    /// A delimited file's dialect (delimiter, line ends, encoding), for CSV and TSV.
    pub dialect: Option<Dialect>,
}

impl Table {
    /// Number of columns.
    pub fn num_columns(&self) -> usize {
        self.columns.len()
    }
    /// Rows kept in `batch` (≤ `total_rows`).
    pub fn sampled_rows(&self) -> usize {
        self.batch.num_rows()
    }
    /// The index of a column by name.
    pub fn column_index(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.name == name)
    }
}
