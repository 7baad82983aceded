//! Running emitted kernels on the OpenCL CPU device through `dpex-runtime`: a `KernelSpec`
//! built from an IR kernel the way the `#[kernel]` macro builds it.

use dpex_runtime::{DType, Device, Feature, KernelSpec, ParamSpec, ParamSpecKind, Queue};
use dpex_spirv::ir::{Kernel, Module, ParamKind, Scalar};
use dpex_spirv::{emit_opencl, required_features, spirv_hash, Options};

/// A new queue on the CPU device; fails (never skips) without one.
pub fn cpu_queue() -> Queue {
    let device = Device::select("cpu")
        .unwrap_or_else(|e| panic!("no usable OpenCL CPU device (scripts/setup-opencl.sh):\n{e}"));
    Queue::new(&device).unwrap_or_else(|e| panic!("cannot create a queue: {e}"))
}

/// The runtime's type for `s`.
pub fn dtype(s: Scalar) -> DType {
    match s {
        Scalar::Bool => DType::Bool,
        Scalar::I8 => DType::I8,
        Scalar::I16 => DType::I16,
        Scalar::I32 => DType::I32,
        Scalar::I64 => DType::I64,
        Scalar::U8 => DType::U8,
        Scalar::U16 => DType::U16,
        Scalar::U32 => DType::U32,
        Scalar::U64 => DType::U64,
        Scalar::F32 => DType::F32,
        Scalar::F64 => DType::F64,
        Scalar::F16 => DType::F16,
    }
}

fn leak(s: &str) -> &'static str {
    Box::leak(s.to_owned().into_boxed_str())
}

/// Emits `kernel` (validated by `spirv-val`) and leaks a spec for it (tensor parameters as
/// views of their `dims`: pointer, offset, extents, strides), with the features
/// [`required_features`] derives and the bytes of its work-group arrays.
pub fn spec(kernel: Kernel) -> &'static KernelSpec {
    spec_with(kernel, Options::default())
}

/// [`spec`] with emitter options.
pub fn spec_with(kernel: Kernel, options: Options) -> &'static KernelSpec {
    let module = Module {
        functions: vec![],
        kernels: vec![kernel],
    };
    module_spec_with(module, options)
}

/// [`spec`] of the first kernel of `module` (with the device functions it calls).
pub fn module_spec(module: Module) -> &'static KernelSpec {
    module_spec_with(module, Options::default())
}

/// [`module_spec`] with emitter options.
fn module_spec_with(module: Module, options: Options) -> &'static KernelSpec {
    let kernel = module
        .kernels
        .first()
        .cloned()
        .unwrap_or_else(|| panic!("the module has no kernel"));
    let emitted = emit_opencl(&module, &options).unwrap_or_else(|e| panic!("{e}"));
    let opencl = emitted.kernels[0].interface.clone();
    let words = emitted.words.into_owned();
    super::validate(&kernel.name, &words);
    let f = required_features(&module);
    let requires: Vec<Feature> = [
        (f.fp64, Feature::Fp64),
        (f.fp16, Feature::Fp16),
        (f.int64_atomics, Feature::Int64Atomics),
        (f.sub_groups, Feature::SubGroups),
    ]
    .into_iter()
    .filter_map(|(used, feature)| used.then_some(feature))
    .collect();
    let params: Vec<ParamSpec> = kernel
        .params
        .iter()
        .map(|p| ParamSpec {
            name: leak(&p.name),
            kind: match p.kind {
                ParamKind::Scalar(s) => ParamSpecKind::Scalar(dtype(s)),
                ParamKind::Tensor { elem, access, dims } => ParamSpecKind::Tensor {
                    elem: dtype(elem),
                    writable: access == dpex_spirv::ir::Access::ReadWrite,
                    dims: dims as usize,
                },
                ParamKind::Local { elem, dims } => ParamSpecKind::Local {
                    elem: dtype(elem),
                    dims: dims as usize,
                },
            },
        })
        .collect();
    let static_local_bytes = kernel
        .workgroup_arrays
        .iter()
        .map(|a| a.len as usize * dtype(a.elem).size())
        .sum();
    Box::leak(Box::new(KernelSpec {
        name: leak(&kernel.name),
        dims: kernel.dims as usize,
        spirv_hash: spirv_hash(&words),
        spirv: Box::leak(words.into_boxed_slice()),
        params: Box::leak(params.into_boxed_slice()),
        requires: Box::leak(requires.into_boxed_slice()),
        static_local_bytes,
        build_options: "",
        reports_errors: kernel.reports_errors,
        assumes: &[],
        opencl,
        vulkan: Err("built for OpenCL only"),
    }))
}
