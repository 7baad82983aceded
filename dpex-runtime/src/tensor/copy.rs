//! Copies: device to host (`to_vec`, `copy_to_host`), host to device (`copy_from_host`) and
//! device to device (`copy_from`, `to_contiguous`), for contiguous tensors and strided views.

use super::dtype::{as_bytes, as_bytes_mut};
use super::memory::{self, Rect};
use super::shape::for_each_index;
use super::{Element, Tensor};
use crate::error::{Error, Result};

/// Above this many separate contiguous runs, a strided host-to-device write goes through a
/// read-modify-write of the view's span instead of one transfer per run.
const MAX_RUNS: usize = 4096;

impl<T: Element, const N: usize> Tensor<T, N> {
    /// Copies the tensor to the host in logical row-major order (for views too: strides and
    /// offset are honoured). Blocks until the copy, and everything enqueued before it on the
    /// tensor's queue (e.g. launches writing it), has completed.
    pub fn to_vec(&self) -> Result<Vec<T>> {
        let mut out = vec![T::default(); self.len()];
        self.copy_to_host(&mut out)?;
        Ok(out)
    }

    /// Copies the tensor into `out` (which must have [`len`](Self::len) elements) in logical
    /// row-major order. Blocking, like [`to_vec`](Self::to_vec).
    ///
    /// A synchronization point of the tensor's queue: after the copy, the failure of an earlier
    /// launch whose event was dropped unwaited is returned (see [`Event`](crate::Event)).
    pub fn copy_to_host(&self, out: &mut [T]) -> Result<()> {
        self.read_to_host(out)?;
        self.queue.report_unwaited()
    }

    /// [`copy_to_host`](Self::copy_to_host) without reporting unwaited launches.
    fn read_to_host(&self, out: &mut [T]) -> Result<()> {
        self.check_len(out.len())?;
        let Some((first, end)) = self.element_span() else {
            return Ok(());
        };
        let size = std::mem::size_of::<T>();
        if self.is_contiguous() {
            return memory::read(&self.queue, &self.memory, first * size, as_bytes_mut(out));
        }
        // One read of the whole span, then a gather on the host.
        let mut span = vec![T::default(); end - first];
        memory::read(
            &self.queue,
            &self.memory,
            first * size,
            as_bytes_mut(&mut span),
        )?;
        let mut slots = out.iter_mut();
        for_each_index(&self.shape, &self.strides, self.offset, |i| {
            if let Some(slot) = slots.next() {
                *slot = span[i - first];
            }
        });
        Ok(())
    }

    /// Overwrites the tensor's elements with `data` (which must have [`len`](Self::len)
    /// elements), in logical row-major order. Blocking.
    ///
    /// A strided view is written one contiguous run at a time; when it has more than 4096 runs
    /// (a transposed matrix, say) its span is read, patched on the host and written back whole,
    /// so elements of *other* views inside that span must not be written concurrently from
    /// another queue during the call.
    ///
    /// A synchronization point of the tensor's queue, as [`copy_to_host`](Self::copy_to_host).
    pub fn copy_from_host(&mut self, data: &[T]) -> Result<()> {
        self.write_from_host(data)?;
        self.queue.report_unwaited()
    }

    /// [`copy_from_host`](Self::copy_from_host) without reporting unwaited launches.
    fn write_from_host(&mut self, data: &[T]) -> Result<()> {
        self.check_len(data.len())?;
        let Some((first, end)) = self.element_span() else {
            return Ok(());
        };
        let size = std::mem::size_of::<T>();
        if self.is_contiguous() {
            return memory::write(&self.queue, &self.memory, first * size, as_bytes(data));
        }
        let (outer, run) = self.runs();
        let runs = outer.iter().product::<usize>();
        if runs <= MAX_RUNS {
            let outer_strides = &self.strides[..outer.len()];
            let mut chunks = data.chunks(run);
            let mut result = Ok(());
            for_each_index(&outer, outer_strides, self.offset, |i| {
                if let (Ok(()), Some(chunk)) = (&result, chunks.next()) {
                    result = memory::write(&self.queue, &self.memory, i * size, as_bytes(chunk));
                }
            });
            return result;
        }
        let mut span = vec![T::default(); end - first];
        memory::read(
            &self.queue,
            &self.memory,
            first * size,
            as_bytes_mut(&mut span),
        )?;
        let mut values = data.iter();
        for_each_index(&self.shape, &self.strides, self.offset, |i| {
            if let Some(&value) = values.next() {
                span[i - first] = value;
            }
        });
        memory::write(&self.queue, &self.memory, first * size, as_bytes(&span))
    }

    /// Copies `src` (same shape) into this tensor on the device, in logical order. Blocks until
    /// the copy has completed.
    ///
    /// Paths: contiguous to contiguous uses `clEnqueueCopyBuffer`; views whose last axis is
    /// contiguous and whose rows and slices are laid out in order (slices of row-major tensors,
    /// up to 3-d, and 4-d one outer index at a time) use `clEnqueueCopyBufferRect`; anything
    /// else (transposed views, tensors on different devices, overlapping views of one buffer)
    /// goes through the host. If `src` lives on another queue, that queue is finished first.
    pub fn copy_from(&mut self, src: &Tensor<T, N>) -> Result<()> {
        if src.shape != self.shape {
            return Err(Error::ShapeMismatch {
                operation: "Tensor::copy_from",
                expected: self.shape.to_vec(),
                got: src.shape.to_vec(),
            });
        }
        let (Some(dst_span), Some(src_span)) = (self.element_span(), src.element_span()) else {
            return Ok(());
        };
        let overlapping =
            self.shares_memory_with(src) && dst_span.0 < src_span.1 && src_span.0 < dst_span.1;
        if src.queue.device() != self.queue.device() || overlapping {
            let data = src.to_vec()?;
            return self.copy_from_host(&data);
        }
        if !src.queue.same_queue(&self.queue) {
            src.queue.complete()?;
        }
        let size = std::mem::size_of::<T>();
        if self.is_contiguous() && src.is_contiguous() {
            return memory::copy(
                &self.queue,
                &src.memory,
                src.offset * size,
                &self.memory,
                self.offset * size,
                self.len() * size,
            );
        }
        if self.copy_rect_from(src)? {
            return Ok(());
        }
        let data = src.to_vec()?;
        self.copy_from_host(&data)
    }

    /// A contiguous copy of the tensor (a new buffer, offset 0, row-major), e.g. to pass a
    /// strided view to a kernel or to [`reshape`](Self::reshape) it.
    pub fn to_contiguous(&self) -> Result<Tensor<T, N>> {
        let mut out = Tensor::allocate(&self.queue, self.shape, None)?;
        out.copy_from(self)?;
        Ok(out)
    }

    /// The copy through `clEnqueueCopyBufferRect` if both layouts allow it; `Ok(false)` if not.
    fn copy_rect_from(&mut self, src: &Tensor<T, N>) -> Result<bool> {
        let size = std::mem::size_of::<T>();
        // Up to three inner axes per rectangle; a 4th (outer) axis is looped over.
        let outer = N.saturating_sub(3);
        let inner = |shape: &[usize], strides: &[isize]| {
            let mut s = [1usize; 3];
            let mut t = [0isize; 3];
            s[3 - (N - outer)..].copy_from_slice(&shape[outer..]);
            t[3 - (N - outer)..].copy_from_slice(&strides[outer..]);
            (s, t)
        };
        let (shape3, dst_strides3) = inner(&self.shape, &self.strides);
        let (_, src_strides3) = inner(&src.shape, &src.strides);
        let region = [shape3[2] * size, shape3[1], shape3[0]];
        let count = if outer == 1 { self.shape[0] } else { 1 };
        let mut plans = Vec::with_capacity(count);
        for k in 0..count {
            let at = |offset: usize, strides: &[isize]| {
                if outer == 1 {
                    (offset as isize + k as isize * strides[0]) as usize
                } else {
                    offset
                }
            };
            let dst = rect(shape3, dst_strides3, at(self.offset, &self.strides), size);
            let src_rect = rect(shape3, src_strides3, at(src.offset, &src.strides), size);
            match (src_rect, dst) {
                (Some(s), Some(d)) => plans.push((s, d)),
                _ => return Ok(false),
            }
        }
        for (src_rect, dst_rect) in plans {
            memory::copy_rect(
                &self.queue,
                &src.memory,
                src_rect,
                &self.memory,
                dst_rect,
                region,
            )?;
        }
        Ok(true)
    }

    /// Splits the view into outer axes and contiguous runs of the innermost axes: the outer
    /// shape and the run length in elements.
    fn runs(&self) -> (Vec<usize>, usize) {
        let mut run = 1usize;
        let mut split = N;
        while split > 0 {
            let axis = split - 1;
            if self.shape[axis] != 1 && self.strides[axis] != run as isize {
                break;
            }
            run *= self.shape[axis];
            split -= 1;
        }
        (self.shape[..split].to_vec(), run)
    }

    fn check_len(&self, got: usize) -> Result<()> {
        if got == self.len() {
            Ok(())
        } else {
            Err(Error::SizeMismatch {
                expected: self.len(),
                got,
            })
        }
    }
}

/// The rectangle of a 3-d (slices, rows, elements) layout for `clEnqueueCopyBufferRect`, if the
/// layout fits its rules: elements contiguous within a row, rows in order within a slice,
/// slices a whole number of rows apart, all strides positive.
fn rect(shape: [usize; 3], strides: [isize; 3], offset: usize, size: usize) -> Option<Rect> {
    let [slices, rows, width] = shape;
    if width > 1 && strides[2] != 1 {
        return None;
    }
    let row_bytes = width * size;
    let row_pitch = if rows > 1 {
        usize::try_from(strides[1]).ok()? * size
    } else {
        row_bytes
    };
    let slice_pitch = if slices > 1 {
        usize::try_from(strides[0]).ok()? * size
    } else {
        rows * row_pitch
    };
    if row_pitch < row_bytes || slice_pitch < rows * row_pitch || slice_pitch % row_pitch != 0 {
        return None;
    }
    let start = offset * size;
    Some(Rect {
        origin: [
            start % slice_pitch % row_pitch,
            start % slice_pitch / row_pitch,
            start / slice_pitch,
        ],
        row_pitch,
        slice_pitch,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rectangles_follow_the_opencl_rules() {
        // A [2..4, 1..3] slice of a 5x6 f32 matrix: rows 24 bytes apart, starting at 13.
        let r = rect([1, 2, 2], [30, 6, 1], 13, 4).expect("a row-major slice is a rectangle");
        assert_eq!(r.row_pitch, 24);
        assert_eq!(r.slice_pitch, 48);
        assert_eq!(r.origin[0] + r.origin[1] * 24 + r.origin[2] * 48, 52);
        // A transposed matrix: elements not contiguous within a row.
        assert!(rect([1, 3, 2], [6, 1, 3], 0, 4).is_none());
        // Rows further apart than slices.
        assert!(rect([2, 3, 2], [2, 8, 1], 0, 4).is_none());
    }
}
