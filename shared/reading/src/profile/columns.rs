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
