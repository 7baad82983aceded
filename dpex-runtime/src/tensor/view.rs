//! Views that share a tensor's memory without copying: slices with ranges and steps per axis,
//! transposes and permutations of the axes, reshapes of contiguous tensors.

use std::ops::{Range, RangeFrom, RangeFull, RangeInclusive, RangeTo, RangeToInclusive};

use super::shape::{contiguous_strides, element_count};
use super::{Element, Tensor, MAX_DIMS};
use crate::error::{Error, Result};

/// The part of one axis a [`Tensor::slice`] keeps: indices `start, start + step, ...` below
/// `end` (`None`: the axis' extent). Made from any Rust range over `usize` (`2..5`, `1..`, `..`,
/// `..=3`) and [`AxisSlice::step_by`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct AxisSlice {
    /// First index kept.
    pub start: usize,
    /// One past the last index considered (`None`: the extent of the axis).
    pub end: Option<usize>,
    /// Distance between kept indices (at least 1).
    pub step: usize,
}

impl AxisSlice {
    /// The whole axis.
    pub const ALL: AxisSlice = AxisSlice {
        start: 0,
        end: None,
        step: 1,
    };

    /// Indices `start..end` with a step.
    pub fn new(start: usize, end: usize, step: usize) -> AxisSlice {
        AxisSlice {
            start,
            end: Some(end),
            step,
        }
    }

    /// The same range, keeping every `step`-th index (`(0..10).into()` then `.step_by(3)`
    /// keeps 0, 3, 6, 9).
    pub fn step_by(self, step: usize) -> AxisSlice {
        AxisSlice { step, ..self }
    }

    /// Resolves against an axis of `extent`: the kept count, the first index and the step.
    fn resolve(self, extent: usize, axis: usize) -> Result<(usize, usize, usize)> {
        let end = self.end.unwrap_or(extent);
        let bad = |detail: String| Error::InvalidView {
            operation: "Tensor::slice",
            detail: format!("axis {axis} (extent {extent}): {detail}"),
        };
        if self.step == 0 {
            return Err(bad("the step is 0; use a step of at least 1".into()));
        }
        if end > extent {
            return Err(bad(format!(
                "the range {}..{end} ends past the extent",
                self.start
            )));
        }
        if self.start > end {
            return Err(bad(format!(
                "the range {}..{end} starts after its end",
                self.start
            )));
        }
        let count = (end - self.start).div_ceil(self.step);
        Ok((count, self.start, self.step))
    }
}

impl From<Range<usize>> for AxisSlice {
    fn from(r: Range<usize>) -> Self {
        AxisSlice::new(r.start, r.end, 1)
    }
}

impl From<RangeInclusive<usize>> for AxisSlice {
    fn from(r: RangeInclusive<usize>) -> Self {
        AxisSlice::new(*r.start(), r.end().saturating_add(1), 1)
    }
}

impl From<RangeFrom<usize>> for AxisSlice {
    fn from(r: RangeFrom<usize>) -> Self {
        AxisSlice {
            start: r.start,
            ..AxisSlice::ALL
        }
    }
}

impl From<RangeTo<usize>> for AxisSlice {
    fn from(r: RangeTo<usize>) -> Self {
        AxisSlice::new(0, r.end, 1)
    }
}

impl From<RangeToInclusive<usize>> for AxisSlice {
    fn from(r: RangeToInclusive<usize>) -> Self {
        AxisSlice::new(0, r.end.saturating_add(1), 1)
    }
}

impl From<RangeFull> for AxisSlice {
    fn from(_: RangeFull) -> Self {
        AxisSlice::ALL
    }
}

impl<T: Element, const N: usize> Tensor<T, N> {
    /// A view of the elements selected by one range per axis, sharing this tensor's memory.
    ///
    /// Ranges of one type fit in an array (`t.slice([0..2, 1..3])`); mix kinds through
    /// [`AxisSlice`] (`t.slice([AxisSlice::ALL, (1..7).into()])`,
    /// `AxisSlice::from(0..10).step_by(2)`), or slice one axis with [`slice_axis`](Self::slice_axis).
    /// A range past the extent or a step of 0 is an [`Error::InvalidView`].
    pub fn slice<S: Into<AxisSlice>>(&self, ranges: [S; N]) -> Result<Tensor<T, N>> {
        let mut shape = self.shape;
        let mut strides = self.strides;
        let mut offset = self.offset;
        for (axis, range) in ranges.into_iter().enumerate() {
            let (count, start, step) = range.into().resolve(self.shape[axis], axis)?;
            // In bounds of the parent view, whose elements all lie inside the buffer.
            offset = (offset as isize + start as isize * self.strides[axis]) as usize;
            shape[axis] = count;
            strides[axis] = self.strides[axis] * step as isize;
        }
        Ok(self.view_with(shape, strides, offset))
    }

    /// A view that slices `axis` only; the other axes are kept whole.
    pub fn slice_axis(&self, axis: usize, range: impl Into<AxisSlice>) -> Result<Tensor<T, N>> {
        self.check_axis(axis, "Tensor::slice_axis")?;
        let mut ranges = [AxisSlice::ALL; N];
        ranges[axis] = range.into();
        self.slice(ranges)
    }

    /// The view with its axes reversed (for a matrix, the transpose), sharing memory.
    pub fn transpose(&self) -> Tensor<T, N> {
        let mut shape = self.shape;
        let mut strides = self.strides;
        shape.reverse();
        strides.reverse();
        self.view_with(shape, strides, self.offset)
    }

    /// The view whose axis `i` is this tensor's axis `axes[i]`; `axes` must name every axis once.
    pub fn permute(&self, axes: [usize; N]) -> Result<Tensor<T, N>> {
        let mut seen = [false; MAX_DIMS];
        for &axis in &axes {
            self.check_axis(axis, "Tensor::permute")?;
            if std::mem::replace(&mut seen[axis], true) {
                return Err(Error::InvalidView {
                    operation: "Tensor::permute",
                    detail: format!("{axes:?} names axis {axis} twice; name each axis once"),
                });
            }
        }
        let shape = axes.map(|a| self.shape[a]);
        let strides = axes.map(|a| self.strides[a]);
        Ok(self.view_with(shape, strides, self.offset))
    }

    /// The same elements, in row-major order, as a tensor of `shape` (same element count),
    /// sharing memory. Only contiguous tensors can be reshaped: for a strided view call
    /// [`to_contiguous`](Self::to_contiguous) first (an [`Error::InvalidView`] says so).
    pub fn reshape<const M: usize>(&self, shape: [usize; M]) -> Result<Tensor<T, M>> {
        let bad = |detail: String| Error::InvalidView {
            operation: "Tensor::reshape",
            detail,
        };
        if !(1..=MAX_DIMS).contains(&M) {
            return Err(bad(format!("a tensor has 1 to {MAX_DIMS} axes, not {M}")));
        }
        if element_count(&shape) != Some(self.len()) {
            return Err(bad(format!(
                "cannot reshape {:?} ({} elements) into {shape:?}",
                self.shape,
                self.len()
            )));
        }
        if !self.is_contiguous() {
            return Err(bad(format!(
                "the view of shape {:?} with strides {:?} is not contiguous; call \
                 .to_contiguous() first",
                self.shape, self.strides
            )));
        }
        let strides = contiguous_strides(shape).ok_or_else(|| bad("the shape overflows".into()))?;
        Ok(self.view_with(shape, strides, self.offset))
    }

    fn check_axis(&self, axis: usize, operation: &'static str) -> Result<()> {
        if axis < N {
            Ok(())
        } else {
            Err(Error::InvalidView {
                operation,
                detail: format!("axis {axis} does not exist in a {N}-d tensor"),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axis_slices_resolve() {
        assert_eq!(AxisSlice::from(2..5).resolve(7, 0).ok(), Some((3, 2, 1)));
        assert_eq!(
            AxisSlice::from(1..).step_by(3).resolve(8, 0).ok(),
            Some((3, 1, 3))
        );
        assert_eq!(AxisSlice::from(..=2).resolve(3, 0).ok(), Some((3, 0, 1)));
        assert_eq!(AxisSlice::from(..).resolve(0, 0).ok(), Some((0, 0, 1)));
        assert_eq!(AxisSlice::from(4..4).resolve(4, 0).ok(), Some((0, 4, 1)));
        assert!(AxisSlice::from(0..9).resolve(8, 1).is_err());
        assert!(AxisSlice::new(3, 2, 1).resolve(8, 1).is_err());
        let err = AxisSlice::ALL.step_by(0).resolve(8, 1).expect_err("step 0");
        assert!(err.to_string().contains("axis 1"), "{err}");
    }
}
