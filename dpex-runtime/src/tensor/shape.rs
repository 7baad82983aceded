//! Layout arithmetic of N-d tensors: shapes, row-major strides, contiguity, the span of memory a
//! view covers and the element offsets it visits in logical order. Pure functions, no OpenCL.

/// The largest number of dimensions a [`Tensor`](crate::Tensor) has.
pub const MAX_DIMS: usize = 4;

/// What tensor constructors take as a shape: `[d0, d1, ...]`, or a plain `usize` for 1-d tensors
/// (so `Tensor::<f32>::zeros(&queue, n)` and `Tensor::<f32, 2>::zeros(&queue, [rows, cols])`
/// both read naturally).
pub trait IntoShape<const N: usize> {
    /// The extents, outermost axis first.
    fn into_shape(self) -> [usize; N];
}

impl<const N: usize> IntoShape<N> for [usize; N] {
    fn into_shape(self) -> [usize; N] {
        self
    }
}

impl IntoShape<1> for usize {
    fn into_shape(self) -> [usize; 1] {
        [self]
    }
}

/// Row-major (C order) strides in elements for `shape`: the last axis has stride 1. `None` if
/// the element count overflows.
pub(crate) fn contiguous_strides<const N: usize>(shape: [usize; N]) -> Option<[isize; N]> {
    let mut strides = [0isize; N];
    let mut step: isize = 1;
    for axis in (0..N).rev() {
        strides[axis] = step;
        let extent = isize::try_from(shape[axis]).ok()?;
        step = step.checked_mul(extent.max(1))?;
    }
    Some(strides)
}

/// The number of elements of `shape` (`None` on overflow).
pub(crate) fn element_count(shape: &[usize]) -> Option<usize> {
    shape.iter().try_fold(1usize, |acc, &d| acc.checked_mul(d))
}

/// Whether a view of `shape` and `strides` visits consecutive elements in row-major order.
/// Axes of extent 1 may have any stride; empty views are contiguous.
pub(crate) fn is_contiguous(shape: &[usize], strides: &[isize]) -> bool {
    if shape.contains(&0) {
        return true;
    }
    let mut expected: isize = 1;
    for (&extent, &stride) in shape.iter().zip(strides).rev() {
        if extent != 1 {
            if stride != expected {
                return false;
            }
            expected = expected.saturating_mul(extent as isize);
        }
    }
    true
}

/// The elements a non-empty view touches, as `(first, end)`: the smallest element index and one
/// past the largest. `None` for an empty view or when an index would be negative or overflow.
pub(crate) fn span(shape: &[usize], strides: &[isize], offset: usize) -> Option<(usize, usize)> {
    if shape.contains(&0) {
        return None;
    }
    let mut low = isize::try_from(offset).ok()?;
    let mut high = low;
    for (&extent, &stride) in shape.iter().zip(strides) {
        let reach = stride.checked_mul(isize::try_from(extent - 1).ok()?)?;
        if reach < 0 {
            low = low.checked_add(reach)?;
        } else {
            high = high.checked_add(reach)?;
        }
    }
    let first = usize::try_from(low).ok()?;
    let last = usize::try_from(high).ok()?;
    Some((first, last.checked_add(1)?))
}

/// Calls `visit` with the element index of every element of the view, in logical row-major
/// order (the last axis fastest). The view must have been checked with [`span`].
pub(crate) fn for_each_index(
    shape: &[usize],
    strides: &[isize],
    offset: usize,
    mut visit: impl FnMut(usize),
) {
    if shape.contains(&0) {
        return;
    }
    let dims = shape.len();
    let mut index = vec![0usize; dims];
    let mut position = offset as isize;
    loop {
        visit(position as usize);
        // Odometer increment, keeping `position` = offset + sum(index * stride).
        let mut axis = dims;
        loop {
            if axis == 0 {
                return;
            }
            axis -= 1;
            index[axis] += 1;
            position += strides[axis];
            if index[axis] < shape[axis] {
                break;
            }
            position -= strides[axis] * shape[axis] as isize;
            index[axis] = 0;
        }
    }
}

/// The logical row-major multi-index of flat position `flat` in `shape`.
pub(crate) fn unravel<const N: usize>(mut flat: usize, shape: [usize; N]) -> [usize; N] {
    let mut index = [0usize; N];
    for axis in (0..N).rev() {
        let extent = shape[axis].max(1);
        index[axis] = flat % extent;
        flat /= extent;
    }
    index
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn row_major_strides_and_contiguity() {
        assert_eq!(contiguous_strides([2, 3, 4]), Some([12, 4, 1]));
        assert_eq!(contiguous_strides([5]), Some([1]));
        assert_eq!(contiguous_strides([0, 3]), Some([3, 1]));
        assert_eq!(contiguous_strides([usize::MAX, 3]), None);
        assert!(is_contiguous(&[2, 3], &[3, 1]));
        assert!(!is_contiguous(&[2, 3], &[1, 2]));
        assert!(is_contiguous(&[1, 3], &[99, 1]));
        assert!(is_contiguous(&[2, 0], &[7, 7]));
        assert!(!is_contiguous(&[4], &[2]));
    }

    #[test]
    fn spans_and_visit_order() {
        assert_eq!(span(&[2, 3], &[3, 1], 0), Some((0, 6)));
        assert_eq!(span(&[3, 2], &[1, 3], 0), Some((0, 6)));
        assert_eq!(span(&[2, 2], &[10, 2], 5), Some((5, 18)));
        assert_eq!(span(&[0, 2], &[2, 1], 0), None);
        assert_eq!(span(&[3], &[-1], 1), None);
        assert_eq!(span(&[3], &[-1], 2), Some((0, 3)));
        let mut seen = Vec::new();
        for_each_index(&[2, 3], &[1, 2], 1, |i| seen.push(i));
        assert_eq!(seen, [1, 3, 5, 2, 4, 6]);
        let mut seen = Vec::new();
        for_each_index(&[2, 1, 2], &[100, 7, 10], 3, |i| seen.push(i));
        assert_eq!(seen, [3, 13, 103, 113]);
    }

    #[test]
    fn unravel_is_row_major() {
        assert_eq!(unravel(0, [2, 3]), [0, 0]);
        assert_eq!(unravel(4, [2, 3]), [1, 1]);
        assert_eq!(unravel(23, [2, 3, 4]), [1, 2, 3]);
        assert_eq!(element_count(&[2, 3, 4]), Some(24));
        assert_eq!(element_count(&[usize::MAX, 2]), None);
    }
}
