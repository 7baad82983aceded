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

/// An ND-range of `N` dimensions (`N` is 1, 2 or 3): a global range divided into work-groups of
/// `local` work-items each.
///
/// The launch checks, before anything is enqueued, that every global extent is a non-zero
/// multiple of the local extent in the same dimension and that the work-group fits the device and
/// the kernel (see [`launch`](crate::launch)).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct NdRange<const N: usize> {
    global: [usize; N],
    local: [usize; N],
}

impl<const N: usize> NdRange<N> {
    const VALID_DIMS: () = assert!(N >= 1 && N <= 3, "an NdRange has 1, 2 or 3 dimensions");

    /// `global[0] x global[1] x ...` work-items in work-groups of `local[0] x local[1] x ...`.
    pub fn new(global: [usize; N], local: [usize; N]) -> Self {
        #[allow(clippy::let_unit_value)]
        let () = Self::VALID_DIMS;
        NdRange { global, local }
    }

    /// The global extent of each dimension.
    pub fn global(&self) -> [usize; N] {
        self.global
    }

    /// The work-group (local) extent of each dimension.
    pub fn local(&self) -> [usize; N] {
        self.local
    }

    /// The number of work-groups in each dimension (`global / local`, rounded down; 0 where the
    /// local extent is 0).
    pub fn groups(&self) -> [usize; N] {
        let mut groups = [0; N];
        for (g, (global, local)) in groups.iter_mut().zip(self.global.iter().zip(&self.local)) {
            *g = global.checked_div(*local).unwrap_or(0);
        }
        groups
    }

    /// The number of dimensions, `N`.
    pub fn dims(&self) -> usize {
        N
    }

    /// The global range alone (what a launch without a work-group size would run).
    pub fn range(&self) -> Range<N> {
        Range::new(self.global)
    }
}
