//! The row-aligned view of a profiled table that the cross-column passes read
//! ([`super::relations`] and [`super::dependence`]), so neither imports the other.

/// Row-aligned values of one column, as the builder holds them.
#[derive(Debug)]
pub(crate) enum ColumnValues<'a> {
    Number(&'a [Option<f64>]),
    Bool(&'a [Option<bool>]),
    /// Category ids and the labels they stand for.
    Text(&'a [Option<u32>], &'a [String]),
    None,
}

impl ColumnValues<'_> {
    /// Rows held (0 for a column without values).
    pub(crate) fn len(&self) -> usize {
        match self {
            ColumnValues::Number(x) => x.len(),
            ColumnValues::Bool(x) => x.len(),
            ColumnValues::Text(x, _) => x.len(),
            ColumnValues::None => 0,
        }
    }

    /// Whether row `i` is missing.
    pub(crate) fn is_missing(&self, i: usize) -> bool {
        match self {
            ColumnValues::Number(x) => x[i].is_none(),
            ColumnValues::Bool(x) => x[i].is_none(),
            ColumnValues::Text(x, _) => x[i].is_none(),
            ColumnValues::None => true,
        }
    }
}

/// Some rows of a column, copied out in order (see [`ColumnValues::gather`]).
#[derive(Debug)]
pub(crate) enum GatheredColumn<'a> {
    Number(Vec<Option<f64>>),
    Bool(Vec<Option<bool>>),
    Text(Vec<Option<u32>>, &'a [String]),
    None,
}

impl<'a> ColumnValues<'a> {
    /// The values of these rows, contiguous: a pass that reads the same sampled rows
    /// of a column many times (once per pair of columns) then reads memory in order.
    pub(crate) fn gather(&self, rows: &[usize]) -> GatheredColumn<'a> {
        match *self {
            ColumnValues::Number(x) => GatheredColumn::Number(rows.iter().map(|&i| x[i]).collect()),
            ColumnValues::Bool(x) => GatheredColumn::Bool(rows.iter().map(|&i| x[i]).collect()),
            ColumnValues::Text(x, labels) => {
                GatheredColumn::Text(rows.iter().map(|&i| x[i]).collect(), labels)
            }
            ColumnValues::None => GatheredColumn::None,
        }
    }
}

impl GatheredColumn<'_> {
    /// The gathered rows as a column of their own.
    pub(crate) fn view(&self) -> ColumnValues<'_> {
        match self {
            GatheredColumn::Number(x) => ColumnValues::Number(x),
            GatheredColumn::Bool(x) => ColumnValues::Bool(x),
            GatheredColumn::Text(x, labels) => ColumnValues::Text(x, labels),
            GatheredColumn::None => ColumnValues::None,
        }
    }
}
