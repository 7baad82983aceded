//! Launch ranges: how many work-items a kernel runs, in 1 to 3 dimensions.

/// A global range of `N` dimensions (`N` is 1, 2 or 3); the driver chooses the work-group size.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Range<const N: usize> {
    global: [usize; N],
}

impl<const N: usize> Range<N> {
    const VALID_DIMS: () = assert!(N >= 1 && N <= 3, "a Range has 1, 2 or 3 dimensions");

    /// A range of `global[0] x global[1] x ...` work-items.
    pub fn new(global: [usize; N]) -> Self {
        #[allow(clippy::let_unit_value)]
        let () = Self::VALID_DIMS;
        Range { global }
    }

    /// The extent of each dimension.
    pub fn global(&self) -> [usize; N] {
        self.global
    }

    /// The number of dimensions, `N`.
    pub fn dims(&self) -> usize {
        N
    }

    /// The total number of work-items (saturating at `usize::MAX`).
    pub fn len(&self) -> usize {
        self.global
            .iter()
            .fold(1usize, |acc, &g| acc.saturating_mul(g))
    }

    /// Whether the range has no work-items.
    pub fn is_empty(&self) -> bool {
        self.global.contains(&0)
    }
}

impl<const N: usize> From<[usize; N]> for Range<N> {
    fn from(global: [usize; N]) -> Self {
        Range::new(global)
    }
}

impl From<usize> for Range<1> {
    fn from(global: usize) -> Self {
        Range::new([global])
    }
}
