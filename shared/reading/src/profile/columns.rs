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
