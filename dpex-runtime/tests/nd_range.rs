//! ND-range launches on the real OpenCL CPU device: work-group ids and sizes reach the kernel,
//! `LocalAccessor` arguments become `__local` memory shared by a work-group, and every invalid
//! launch is rejected before anything is enqueued (the output tensor stays untouched).

mod common;

use common::{
    leak_spec, leak_spec_with, local, scalar, tensor, tensor_params, Kernel, ParamTy, TensorIds,
};
use dpex_runtime::{
    launch, launch_on, program_builds, DType, Error, Feature, KernelSpec, LocalAccessor, NdRange,
    Queue, Tensor,
};
use rand::{rngs::StdRng, Rng, SeedableRng};
use rspirv::spirv::Word;

fn ok<T>(r: dpex_runtime::Result<T>) -> T {
    r.unwrap_or_else(|e| panic!("{e}"))
}

/// `out[gid0 + g0 * (gid1 + g1 * gid2)] = lid0 + 10 lid1 + 100 lid2 + 1000 (wg0 + 100 wg1 + 10000 wg2)`
/// (in 1-D: `LocalInvocationId.x + 1000 * WorkgroupId.x` at the global id).
fn ids_spec(name: &'static str, dims: usize) -> &'static KernelSpec {
    use ParamTy::*;
    let params = [tensor_params(IntPtr(64), 1), vec![Int(64), Int(64)]].concat();
    let (mut k, p) = Kernel::begin(name, &[], &params);
    let out = TensorIds::at(&p, 0, 1);
    let (g0, g1) = (p[out.count()], p[out.count() + 1]);
    let ulong = k.ulong;
    let ptr = IntPtr(64).ty(&mut k);
    let gid: Vec<Word> = (0..3).map(|d| k.global_id(d)).collect();
    let lid: Vec<Word> = (0..3).map(|d| k.local_id(d)).collect();
    let wg: Vec<Word> = (0..3).map(|d| k.group_id(d)).collect();
    // sum of terms[i] * weights[i]
    let weighted = |k: &mut Kernel, terms: &[Word], weights: &[u64]| {
        let mut acc = k.ulong_const(0);
        for (&t, &w) in terms.iter().zip(weights) {
            let w = k.ulong_const(w);
            let tw = k.b.i_mul(ulong, None, t, w).expect("imul");
            acc = k.b.i_add(ulong, None, acc, tw).expect("iadd");
        }
        acc
    };
    let lids = weighted(&mut k, &lid, &[1, 10, 100]);
    let groups = weighted(&mut k, &wg, &[1000, 100_000, 10_000_000]);
    let value = k.b.i_add(ulong, None, lids, groups).expect("iadd");
    let t = k.b.i_mul(ulong, None, g1, gid[2]).expect("imul");
    let t = k.b.i_add(ulong, None, gid[1], t).expect("iadd");
    let t = k.b.i_mul(ulong, None, g0, t).expect("imul");
    let index = k.b.i_add(ulong, None, gid[0], t).expect("iadd");
    k.if_in_bounds(index, out.shape[0], |k| {
        let p = k.tensor_element(ptr, &out, &[index]);
        k.store(p, value, 8);
    });
    leak_spec(
        name,
        dims,
        k.finish(),
        vec![
            tensor("out", DType::U64, true),
            scalar("g0", DType::U64),
            scalar("g1", DType::U64),
        ],
    )
}

/// What [`ids_spec`] writes for an ND-range of `global` in work-groups of `local`.
fn expected_ids(global: &[usize], local: &[usize]) -> Vec<u64> {
    let ext = |v: &[usize], d: usize| v.get(d).copied().unwrap_or(1);
    let (g, l) = (
        [0, 1, 2].map(|d| ext(global, d)),
        [0, 1, 2].map(|d| ext(local, d)),
    );
    let mut out = vec![0u64; g[0] * g[1] * g[2]];
    for z in 0..g[2] {
        for y in 0..g[1] {
            for x in 0..g[0] {
                let id = [x, y, z];
                let lid: Vec<u64> = (0..3).map(|d| (id[d] % l[d]) as u64).collect();
                let wg: Vec<u64> = (0..3).map(|d| (id[d] / l[d]) as u64).collect();
                out[x + g[0] * (y + g[1] * z)] = lid[0]
                    + 10 * lid[1]
                    + 100 * lid[2]
                    + 1000 * (wg[0] + 100 * wg[1] + 10_000 * wg[2]);
            }
        }
    }
    out
}

/// Launches [`ids_spec`] over `global` in work-groups of `local` and checks every value.
fn run_ids(spec: &'static KernelSpec, queue: &Queue, global: &[usize], local: &[usize]) {
    let n: usize = global.iter().product();
    let mut out = ok(Tensor::<u64>::full(queue, n, u64::MAX));
    let g0 = global[0] as u64;
    let g1 = global.get(1).copied().unwrap_or(1) as u64;
    ok(ok(launch(
        spec,
        global,
        Some(local),
        None,
        &[(&mut out).into(), g0.into(), g1.into()],
    ))
    .wait());
    let got = ok(out.to_vec());
    let want = expected_ids(global, local);
    if let Some(i) = (0..n).find(|&i| got[i] != want[i]) {
        panic!(
            "global {global:?} local {local:?}: out[{i}] = {}, expected {}",
            got[i], want[i]
        );
    }
}

#[test]
fn local_and_group_ids_follow_the_local_size() {
    let queue = common::cpu_queue();
    let spec = ids_spec("nd_ids_1d", 1);
    for local in [8, 1, 40, 1000] {
        run_ids(spec, &queue, &[1000], &[local]);
    }
    run_ids(ids_spec("nd_ids_2d", 2), &queue, &[24, 10], &[4, 5]);
    run_ids(ids_spec("nd_ids_3d", 3), &queue, &[6, 4, 6], &[3, 2, 2]);

    // The largest work-group the device allows also runs (the kernel's own limit is not lower
    // for this tiny kernel on the CPU device).
    let max = queue.device().max_work_group_size();
    run_ids(spec, &queue, &[2 * max], &[max]);

    // NdRange is what typed launchers pass.
    let range = NdRange::new([24, 10], [4, 5]);
    assert_eq!((range.global(), range.local()), ([24, 10], [4, 5]));
    assert_eq!((range.groups(), range.dims()), ([6, 2], 2));
    assert_eq!(range.range().global(), [24, 10]);
}

/// The output of a rejected launch of an ids kernel: a tensor of 7s that must stay so.
struct Rejected {
    queue: Queue,
    out: Tensor<u64>,
}

impl Rejected {
    fn new(n: usize) -> Rejected {
        let queue = common::cpu_queue();
        let out = ok(Tensor::<u64>::full(&queue, n, 7));
        Rejected { queue, out }
    }

    /// Launches `spec` over `global`/`local`, expects an error, and checks nothing was written
    /// (and, when `built` is false, nothing was built).
    fn launch(
        &mut self,
        spec: &'static KernelSpec,
        global: &[usize],
        local: &[usize],
        built: bool,
    ) -> Error {
        let before = program_builds(spec);
        let err = launch_on(
            &self.queue,
            spec,
            global,
            Some(local),
            &[(&mut self.out).into(), 1u64.into(), 1u64.into()],
        )
        .expect_err("an invalid ND-range must be rejected");
        ok(self.queue.finish());
        assert!(
            ok(self.out.to_vec()).iter().all(|&v| v == 7),
            "{err}: the output was written"
        );
        if !built {
            assert_eq!(program_builds(spec), before, "{err}: built anyway");
        }
        assert!(err.to_string().contains(spec.name), "{err}");
        err
    }
}

#[test]
fn invalid_nd_ranges_are_rejected_before_enqueue() {
    let spec1 = ids_spec("nd_bad_1d", 1);
    let spec2 = ids_spec("nd_bad_2d", 2);
    let mut r = Rejected::new(1000);

    let err = r.launch(spec1, &[1000], &[8, 1], false);
    assert!(
        matches!(&err, Error::LocalRangeDims { global, local, .. }
            if global == &[1000] && local == &[8, 1]),
        "{err:?}"
    );

    let err = r.launch(spec1, &[1000], &[0], false);
    assert!(matches!(&err, Error::ZeroLocalSize { .. }), "{err:?}");
    let err = r.launch(spec2, &[20, 10], &[4, 0], false);
    assert!(matches!(&err, Error::ZeroLocalSize { .. }), "{err:?}");

    let err = r.launch(spec1, &[1000], &[16], false);
    assert!(
        matches!(
            &err,
            Error::RangeNotDivisible { kernel, dim: 0, global: 1000, local: 16 } if kernel == "nd_bad_1d"
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("1000") && err.to_string().contains("16"));
    let err = r.launch(spec2, &[20, 10], &[4, 3], false);
    assert!(
        matches!(
            &err,
            Error::RangeNotDivisible {
                dim: 1,
                global: 10,
                local: 3,
                ..
            }
        ),
        "{err:?}"
    );

    // The kernel's dimensions still rule the global range.
    let err = r.launch(spec2, &[1000], &[8], false);
    assert!(matches!(&err, Error::RangeDims { .. }), "{err:?}");
}

#[test]
fn work_groups_beyond_the_device_limits_are_rejected() {
    let spec1 = ids_spec("nd_big_1d", 1);
    let spec2 = ids_spec("nd_big_2d", 2);
    let mut r = Rejected::new(16);
    let device = r.queue.device().clone();
    let items = device.max_work_item_sizes().to_vec();
    let max_wg = device.max_work_group_size();
    assert!(items.len() >= 2 && items[1] >= 2, "{items:?}");

    // Above CL_DEVICE_MAX_WORK_ITEM_SIZES[0].
    let too_wide = items[0] + 1;
    let err = r.launch(spec1, &[too_wide], &[too_wide], false);
    assert!(
        matches!(&err, Error::WorkItemSizeTooLarge { dim: 0, local, limit, .. }
            if *local == too_wide && *limit == items[0]),
        "{err:?}"
    );
    assert!(
        err.to_string().contains("CL_DEVICE_MAX_WORK_ITEM_SIZES[0]"),
        "{err}"
    );

    // Within each dimension's limit, but more work-items than CL_DEVICE_MAX_WORK_GROUP_SIZE.
    let a = items[0].min(max_wg);
    let err = r.launch(spec2, &[a, 2], &[a, 2], false);
    assert!(
        matches!(&err, Error::WorkGroupTooLarge { local, limit, why, .. }
            if local == &[a, 2] && *limit == max_wg && why.contains("CL_DEVICE_MAX_WORK_GROUP_SIZE")),
        "{err:?}"
    );
    assert!(
        err.to_string().contains(&format!("{} work-items", 2 * a)),
        "{err}"
    );
}

/// `tmp[lid] = x[gid]; barrier; out[gid] = tmp[(lid + 1) % len(tmp)]`.
fn rotate_spec(name: &'static str, static_local_bytes: usize) -> &'static KernelSpec {
    use ParamTy::*;
    let params = [
        tensor_params(FloatPtr(32), 1),
        tensor_params(FloatPtr(32), 1),
        vec![LocalFloatPtr(32), Int(64)],
    ]
    .concat();
    let (mut k, p) = Kernel::begin(name, &[], &params);
    let x = TensorIds::at(&p, 0, 1);
    let out = TensorIds::at(&p, x.count(), 1);
    let (tmp, tmp_len) = (p[x.count() + out.count()], p[x.count() + out.count() + 1]);
    let (ulong, float) = (k.ulong, Float(32).ty(&mut k));
    let (global_ptr, local_ptr) = (FloatPtr(32).ty(&mut k), LocalFloatPtr(32).ty(&mut k));
    let gid = k.global_id(0);
    let lid = k.local_id(0);
    let px = k.tensor_element(global_ptr, &x, &[gid]);
    let v = k.load(float, px, 4);
    let pt = k.element(local_ptr, tmp, lid);
    k.store(pt, v, 4);
    k.barrier();
    let one = k.ulong_const(1);
    let next = k.b.i_add(ulong, None, lid, one).expect("iadd");
    let next = k.b.u_mod(ulong, None, next, tmp_len).expect("umod");
    let pn = k.element(local_ptr, tmp, next);
    let w = k.load(float, pn, 4);
    let po = k.tensor_element(global_ptr, &out, &[gid]);
    k.store(po, w, 4);
    leak_spec_with(
        name,
        1,
        k.finish(),
        vec![
            tensor("x", DType::F32, false),
            tensor("out", DType::F32, true),
            local("tmp", DType::F32),
        ],
        &[],
        static_local_bytes,
    )
}

#[test]
fn local_accessors_are_shared_within_a_work_group() {
    let spec = rotate_spec("nd_rotate", 0);
    let queue = common::cpu_queue();
    let n = 4096;
    let mut rng = StdRng::seed_from_u64(4);
    let hx: Vec<f32> = (0..n).map(|_| rng.random_range(-100.0f32..100.0)).collect();
    let x = ok(Tensor::from_slice(&queue, &hx));
    for group in [16, 32, 1] {
        let mut out = ok(Tensor::<f32>::zeros(&queue, n));
        let tmp = LocalAccessor::<f32>::new(group);
        ok(ok(launch(
            spec,
            &[n],
            Some(&[group]),
            None,
            &[(&x).into(), (&mut out).into(), tmp.into()],
        ))
        .wait());
        let want: Vec<f32> = (0..n)
            .map(|g| hx[g / group * group + (g % group + 1) % group])
            .collect();
        assert!(
            ok(out.to_vec()) == want,
            "work-group size {group}: rotation differs"
        );
    }
    assert_eq!(program_builds(spec), 1);
}

/// Launches [`rotate_spec`] with `tmp` and expects an error with `out` untouched.
fn rejected_rotate(spec: &'static KernelSpec, tmp: LocalAccessor<f32>) -> Error {
    let queue = common::cpu_queue();
    let x = ok(Tensor::<f32>::zeros(&queue, 16));
    let mut out = ok(Tensor::<f32>::full(&queue, 16, 7.0));
    let err = launch(
        spec,
        &[16],
        Some(&[16]),
        None,
        &[(&x).into(), (&mut out).into(), tmp.into()],
    )
    .expect_err("must be rejected");
    ok(queue.finish());
    assert!(ok(out.to_vec()).iter().all(|&v| v == 7.0), "{err}: written");
    assert_eq!(program_builds(spec), 0, "{err}: built anyway");
    err
}

#[test]
fn local_memory_beyond_the_device_is_rejected() {
    let device = common::cpu();
    let limit = device
        .local_mem_size()
        .unwrap_or_else(|| panic!("{device} reports no CL_DEVICE_LOCAL_MEM_SIZE"));
    assert!(limit >= 1024, "{limit}");

    // The accessor alone: one f32 more than fits.
    let elems = (limit / 4 + 1) as usize;
    let err = rejected_rotate(
        rotate_spec("nd_local_big", 0),
        LocalAccessor::<f32>::new(elems),
    );
    assert!(
        matches!(&err, Error::LocalMemoryExceeded { bytes, limit: l, .. }
            if *bytes == 4 * elems as u64 && *l == limit),
        "{err:?}"
    );
    assert!(
        err.to_string().contains("CL_DEVICE_LOCAL_MEM_SIZE"),
        "{err}"
    );

    // Fixed-size local arrays count too: they fill the memory, the accessor's 64 bytes overflow it.
    let err = rejected_rotate(
        rotate_spec("nd_local_static", limit as usize),
        LocalAccessor::<f32>::new(16),
    );
    assert!(
        matches!(&err, Error::LocalMemoryExceeded { bytes, .. } if *bytes == limit + 64),
        "{err:?}"
    );

    // A zero-length accessor is rejected (OpenCL cannot allocate 0 bytes of local memory).
    let err = rejected_rotate(
        rotate_spec("nd_local_empty", 0),
        LocalAccessor::<f32>::new(0),
    );
    assert!(
        matches!(&err, Error::InvalidArgument { arg, .. } if arg == "tmp"),
        "{err:?}"
    );

    // The wrong element type names both types.
    let spec = rotate_spec("nd_local_type", 0);
    let queue = common::cpu_queue();
    let x = ok(Tensor::<f32>::zeros(&queue, 16));
    let mut out = ok(Tensor::<f32>::zeros(&queue, 16));
    let err = launch(
        spec,
        &[16],
        Some(&[16]),
        None,
        &[
            (&x).into(),
            (&mut out).into(),
            LocalAccessor::<i32>::new(16).into(),
        ],
    )
    .expect_err("i32 accessor");
    assert_eq!(
        err.to_string(),
        "kernel `nd_local_type`, argument `tmp`: expected LocalAccessor<f32>, got LocalAccessor<i32>"
    );
}

#[test]
fn required_features_are_checked_on_the_launch_device() {
    let device = common::cpu();
    let supported: Vec<Feature> = Feature::ALL
        .iter()
        .copied()
        .filter(|&f| device.supports(f))
        .collect();
    let missing: Vec<Feature> = Feature::ALL
        .iter()
        .copied()
        .filter(|&f| !device.supports(f))
        .collect();
    eprintln!("{device}: supports {supported:?}, lacks {missing:?}");

    // A kernel requiring everything the device has launches.
    let requires: &'static [Feature] = Box::leak(supported.into_boxed_slice());
    let spec = leak_spec_with(
        "nd_features_ok",
        1,
        common::vadd_f32_words("nd_features_ok"),
        common::vadd_spec("nd_features_ok").params.to_vec(),
        requires,
        0,
    );
    let queue = common::cpu_queue();
    let a = ok(Tensor::from_slice(&queue, &[1.0f32, 2.0]));
    let mut c = ok(Tensor::full(&queue, 2, 7.0f32));
    ok(ok(launch(
        spec,
        &[2],
        None,
        None,
        &[(&a).into(), (&a).into(), (&mut c).into()],
    ))
    .wait());
    assert_eq!(ok(c.to_vec()), [2.0, 4.0]);

    // Each feature it lacks is a MissingFeature error before the build (the unit tests of
    // `validate` cover the error with a fake device when the CPU device has every feature).
    for feature in missing {
        let requires: &'static [Feature] = Box::leak(vec![feature].into_boxed_slice());
        let spec = leak_spec_with(
            "nd_features_missing",
            1,
            common::vadd_f32_words("nd_features_missing"),
            common::vadd_spec("nd_features_missing").params.to_vec(),
            requires,
            0,
        );
        let mut c = ok(Tensor::full(&queue, 2, 7.0f32));
        let err = launch(
            spec,
            &[2],
            None,
            None,
            &[(&a).into(), (&a).into(), (&mut c).into()],
        )
        .expect_err("missing feature");
        assert!(
            matches!(&err, Error::MissingFeature { feature: f, .. } if *f == feature),
            "{err:?}"
        );
        assert!(
            err.to_string().contains(feature.extension())
                && err.to_string().contains(device.name()),
            "{err}"
        );
        assert_eq!(program_builds(spec), 0);
        assert_eq!(ok(c.to_vec()), [7.0, 7.0]);
    }
}
