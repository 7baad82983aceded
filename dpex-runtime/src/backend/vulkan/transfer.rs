//! Blocking transfers between the host and Vulkan buffers, and copies between buffers, ordered
//! after everything submitted before them on the stream: through the mapping where the memory is
//! host-visible (and, for reads, host-cached), else through a host-visible staging buffer and
//! `vkCmdCopyBuffer`.

use ash::vk;

use super::buffer::{Buffer, Placement};
use super::stream::{Resources, Stream};
use crate::error::Result;

/// Submits `regions` copies from `src` to `dst` and waits for them.
fn copy_regions(
    stream: &Stream,
    src: &Buffer,
    dst: &Buffer,
    regions: &[vk::BufferCopy],
    what: &str,
) -> Result<()> {
    if regions.is_empty() {
        return Ok(());
    }
    let (src, dst) = (src.raw(), dst.raw());
    let value = stream.submit(
        // SAFETY: both buffers have TRANSFER usage and outlive the wait below; every region lies
        // inside both (checked by the callers).
        |device, cmd| unsafe { device.cmd_copy_buffer(cmd, src, dst, regions) },
        Resources::default(),
        || what.to_string(),
    )?;
    stream.wait(value)
}

/// A host-visible buffer holding `data`.
fn staged(stream: &Stream, data: &[u8]) -> Result<Buffer> {
    let staging = Buffer::new(&stream.ctx, data.len() as u64, Placement::Host)?;
    staging.write_at(0, data);
    Ok(staging)
}

/// Writes `data` at byte `offset` of `buffer` (the range checked by the caller).
pub(crate) fn write(stream: &Stream, buffer: &Buffer, offset: usize, data: &[u8]) -> Result<()> {
    if buffer.host_writable() {
        stream.finish()?;
        buffer.write_at(offset as u64, data);
        return Ok(());
    }
    let staging = staged(stream, data)?;
    let region = vk::BufferCopy {
        src_offset: 0,
        dst_offset: offset as u64,
        size: data.len() as u64,
    };
    copy_regions(
        stream,
        &staging,
        buffer,
        &[region],
        "writing a tensor from the host",
    )
}

/// Reads `out.len()` bytes at byte `offset` of `buffer` (the range checked by the caller).
pub(crate) fn read(stream: &Stream, buffer: &Buffer, offset: usize, out: &mut [u8]) -> Result<()> {
    if buffer.host_readable() {
        stream.finish()?;
        buffer.read_at(offset as u64, out);
        return Ok(());
    }
    let staging = Buffer::new(&stream.ctx, out.len() as u64, Placement::Host)?;
    let region = vk::BufferCopy {
        src_offset: offset as u64,
        dst_offset: 0,
        size: out.len() as u64,
    };
    copy_regions(
        stream,
        buffer,
        &staging,
        &[region],
        "reading a tensor to the host",
    )?;
    staging.read_at(0, out);
    Ok(())
}

/// Fills `size` bytes at byte `offset` with copies of `pattern` (the range checked by the
/// caller; `size` a multiple of the pattern's length).
pub(crate) fn fill(
    stream: &Stream,
    buffer: &Buffer,
    pattern: &[u8],
    offset: usize,
    size: usize,
) -> Result<()> {
    if pattern.is_empty() {
        return Ok(());
    }
    let data: Vec<u8> = pattern.iter().copied().cycle().take(size).collect();
    write(stream, buffer, offset, &data)
}

/// Copies `size` bytes between two buffers (ranges checked by the caller).
pub(crate) fn copy(
    stream: &Stream,
    src: &Buffer,
    src_offset: usize,
    dst: &Buffer,
    dst_offset: usize,
    size: usize,
) -> Result<()> {
    let region = vk::BufferCopy {
        src_offset: src_offset as u64,
        dst_offset: dst_offset as u64,
        size: size as u64,
    };
    copy_regions(stream, src, dst, &[region], "copying between tensors")
}

/// Copies a `region` of `(bytes, rows, slices)` between two rectangles given by their start
/// byte and `(row_pitch, slice_pitch)`: one `VkBufferCopy` per row (ranges checked by the
/// caller).
pub(crate) fn copy_rect(
    stream: &Stream,
    src: &Buffer,
    (src_start, src_pitch): (usize, [usize; 2]),
    dst: &Buffer,
    (dst_start, dst_pitch): (usize, [usize; 2]),
    region: [usize; 3],
) -> Result<()> {
    let mut regions = Vec::with_capacity(region[1] * region[2]);
    for slice in 0..region[2] {
        for row in 0..region[1] {
            let at = |start: usize, pitch: [usize; 2]| {
                (start + row * pitch[0] + slice * pitch[1]) as u64
            };
            regions.push(vk::BufferCopy {
                src_offset: at(src_start, src_pitch),
                dst_offset: at(dst_start, dst_pitch),
                size: region[0] as u64,
            });
        }
    }
    copy_regions(
        stream,
        src,
        dst,
        &regions,
        "copying a rectangle between tensors",
    )
}

#[cfg(test)]
mod tests {
    use crate::device::{Device, DeviceBackend};
    use crate::queue::Queue;
    use crate::tensor::Tensor;

    fn ok<T>(result: crate::Result<T>) -> T {
        result.unwrap_or_else(|e| panic!("{e}"))
    }

    /// Lavapipe with its tensor memory never mapped: the transfers of device-local memory the
    /// host cannot map (the H200's), on this machine.
    fn lavapipe_staging() -> Device {
        let real = ok(Device::select("vulkan:cpu:0"));
        let DeviceBackend::Vulkan(physical) = real.backend() else {
            panic!("vulkan:cpu:0 is not a Vulkan device");
        };
        Device::from_vulkan(physical.duplicate(true), real.info().clone())
    }

    #[test]
    fn the_staging_paths_move_the_same_bytes() {
        let q = ok(Queue::new(&lavapipe_staging()));
        let data: Vec<f32> = (0..1000).map(|i| i as f32 * 0.5 - 7.0).collect();
        let t = ok(Tensor::from_slice(&q, &data));
        let buffer = t
            .memory()
            .vulkan()
            .unwrap_or_else(|| panic!("not a Vulkan buffer"));
        assert!(!buffer.host_writable() && !buffer.host_readable());
        assert_eq!(ok(t.to_vec()), data);
        assert_eq!(
            ok(Tensor::<i16>::full(&q, 5, -9).and_then(|t| t.to_vec())),
            [-9; 5]
        );
        let m = ok(Tensor::from_vec_shape(&q, data.clone(), [40, 25]));
        let big = ok(Tensor::<f32, 2>::zeros(&q, [10, 10]));
        let mut window = ok(big.slice([2..5, 3..7]));
        ok(window.copy_from(&ok(m.slice([1..4, 0..4]))));
        let got = ok(big.to_vec());
        assert_eq!(got[2 * 10 + 3], data[25]);
        assert_eq!(got[4 * 10 + 6], data[3 * 25 + 3]);
        assert_eq!(got.iter().filter(|&&v| v != 0.0).count(), 12);
        let mut column = ok(m.slice_axis(1, 7..8));
        ok(column.copy_from_host(&[1.5; 40]));
        assert_eq!(ok(m.to_vec())[3 * 25 + 7], 1.5);
    }
}
