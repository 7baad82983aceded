//! Shared test helpers: the device under test and small SPIR-V kernels built with rspirv, using
//! the dpex ABI: every tensor parameter of N axes is a CrossWorkgroup pointer to its buffer, the
//! view's u64 offset, N u64 extents and N i64 strides (see [`tensor_params`] and
//! [`TensorIds`]); a local accessor is a Workgroup pointer followed by its u64 length;
//! GlobalInvocationId, LocalInvocationId and WorkgroupId are Input v3ulong builtins.
#![allow(dead_code)]

use std::hash::{Hash, Hasher};

use dpex_abi::ParamShape;
use dpex_runtime::{DType, Device, Feature, KernelSpec, ParamSpec, ParamSpecKind, Queue};
use rspirv::binary::Assemble;
use rspirv::dr::{Builder, Operand};
use rspirv::spirv::{
    AddressingModel, BuiltIn, Capability, Decoration, ExecutionModel, FunctionControl,
    MemoryAccess, MemoryModel, SelectionControl, StorageClass, Word,
};

/// The CPU device; a test that needs it fails (never skips) with the runtime's error text.
pub fn cpu() -> Device {
    match Device::select("cpu") {
        Ok(device) => device,
        Err(e) => panic!("no usable OpenCL CPU device (run scripts/setup-opencl.sh):\n{e}"),
    }
}

/// A new queue on the CPU device.
pub fn cpu_queue() -> Queue {
    match Queue::new(&cpu()) {
        Ok(queue) => queue,
        Err(e) => panic!("cannot create a queue on the CPU device:\n{e}"),
    }
}

/// Leaks a spec for `words` (no required features, no fixed-size local arrays) so it can be
/// passed as `&'static KernelSpec`.
pub fn leak_spec(
    name: &'static str,
    dims: usize,
    words: Vec<u32>,
    params: Vec<ParamSpec>,
) -> &'static KernelSpec {
    leak_spec_with(name, dims, words, params, &[], 0)
}

/// [`leak_spec`] with required features and bytes of fixed-size local arrays.
pub fn leak_spec_with(
    name: &'static str,
    dims: usize,
    words: Vec<u32>,
    params: Vec<ParamSpec>,
    requires: &'static [Feature],
    static_local_bytes: usize,
) -> &'static KernelSpec {
    leak_spec_full(name, dims, words, params, requires, static_local_bytes, "")
}

/// [`leak_spec_with`] with per-kernel build options.
pub fn leak_spec_full(
    name: &'static str,
    dims: usize,
    words: Vec<u32>,
    params: Vec<ParamSpec>,
    requires: &'static [Feature],
    static_local_bytes: usize,
    build_options: &'static str,
) -> &'static KernelSpec {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    words.hash(&mut hasher);
    Box::leak(Box::new(KernelSpec {
        name,
        dims,
        spirv: Box::leak(words.into_boxed_slice()),
        spirv_hash: hasher.finish(),
        opencl: opencl_interface(&params),
        params: Box::leak(params.into_boxed_slice()),
        requires,
        static_local_bytes,
        build_options,
        reports_errors: false,
        assumes: &[],
        vulkan: Err("built for OpenCL only"),
    }))
}

/// The OpenCL interface of a hand-written module whose kernel takes `params` and reports no
/// errors: the arguments dpex's emitter would declare for them.
pub fn opencl_interface(params: &[ParamSpec]) -> dpex_abi::opencl::Interface {
    let shapes: Vec<ParamShape> = params
        .iter()
        .map(|p| match p.kind {
            ParamSpecKind::Scalar(_) => ParamShape::Scalar,
            ParamSpecKind::Tensor { dims, .. } => ParamShape::Tensor { dims: dims as u32 },
            ParamSpecKind::Local { dims, .. } => ParamShape::Local { dims: dims as u32 },
        })
        .collect();
    dpex_abi::opencl::Interface::layout(&shapes, false)
}

/// A scalar parameter.
pub fn scalar(name: &'static str, dtype: DType) -> ParamSpec {
    ParamSpec {
        name,
        kind: ParamSpecKind::Scalar(dtype),
    }
}

/// A 1-d tensor parameter.
pub fn tensor(name: &'static str, elem: DType, writable: bool) -> ParamSpec {
    tensor_nd(name, elem, writable, 1)
}

/// A tensor parameter of `dims` axes.
pub fn tensor_nd(name: &'static str, elem: DType, writable: bool, dims: usize) -> ParamSpec {
    ParamSpec {
        name,
        kind: ParamSpecKind::Tensor {
            elem,
            writable,
            dims,
        },
    }
}

/// The OpenCL parameters of one tensor of `dims` axes: `ptr` (a CrossWorkgroup pointer type),
/// the u64 offset, `dims` u64 extents and `dims` i64 strides.
pub fn tensor_params(ptr: ParamTy, dims: usize) -> Vec<ParamTy> {
    let mut params = vec![ptr, ParamTy::Int(64)];
    params.extend(std::iter::repeat_n(ParamTy::Int(64), 2 * dims));
    params
}

/// The parameter ids of one tensor inside a kernel (see [`tensor_params`]).
#[derive(Clone, Debug)]
pub struct TensorIds {
    /// The buffer's base pointer.
    pub ptr: Word,
    /// The view's offset in elements (u64).
    pub offset: Word,
    /// The extents (u64), axis 0 first.
    pub shape: Vec<Word>,
    /// The strides in elements (i64), axis 0 first.
    pub strides: Vec<Word>,
}

impl TensorIds {
    /// The ids of a tensor of `dims` axes whose pointer is parameter `first` of `ids`.
    pub fn at(ids: &[Word], first: usize, dims: usize) -> TensorIds {
        TensorIds {
            ptr: ids[first],
            offset: ids[first + 1],
            shape: ids[first + 2..first + 2 + dims].to_vec(),
            strides: ids[first + 2 + dims..first + 2 + 2 * dims].to_vec(),
        }
    }

    /// How many OpenCL parameters the tensor takes.
    pub fn count(&self) -> usize {
        2 + 2 * self.shape.len()
    }
}

/// A local accessor parameter.
pub fn local(name: &'static str, elem: DType) -> ParamSpec {
    ParamSpec {
        name,
        kind: ParamSpecKind::Local { elem, dims: 1 },
    }
}

/// A kernel under construction: module header, common types and the id builtins.
pub struct Kernel {
    pub b: Builder,
    pub void: Word,
    pub bool_: Word,
    pub ulong: Word,
    gid: Word,
    lid: Word,
    wgid: Word,
    v3ulong: Word,
    name: &'static str,
    func: Word,
}

impl Kernel {
    /// Starts kernel `name` with the given OpenCL parameter types; returns the parameter ids.
    pub fn begin(
        name: &'static str,
        extra_caps: &[Capability],
        params: &[ParamTy],
    ) -> (Kernel, Vec<Word>) {
        let mut b = Builder::new();
        b.set_version(1, 2);
        for cap in [Capability::Addresses, Capability::Kernel, Capability::Int64]
            .into_iter()
            .chain(extra_caps.iter().copied())
        {
            b.capability(cap);
        }
        b.memory_model(AddressingModel::Physical64, MemoryModel::OpenCL);
        let void = b.type_void();
        let bool_ = b.type_bool();
        let ulong = b.type_int(64, 0);
        let v3ulong = b.type_vector(ulong, 3);
        let input_ptr = b.type_pointer(None, StorageClass::Input, v3ulong);
        let mut builtin = |id: BuiltIn| {
            let var = b.variable(input_ptr, None, StorageClass::Input, None);
            b.decorate(var, Decoration::BuiltIn, [Operand::BuiltIn(id)]);
            var
        };
        let gid = builtin(BuiltIn::GlobalInvocationId);
        let lid = builtin(BuiltIn::LocalInvocationId);
        let wgid = builtin(BuiltIn::WorkgroupId);
        let types: Vec<Word> = params.iter().map(|p| p.id(&mut b)).collect();
        let fn_ty = b.type_function(void, types.clone());
        let func = b
            .begin_function(void, None, FunctionControl::NONE, fn_ty)
            .expect("begin_function");
        let ids = types
            .iter()
            .map(|&t| b.function_parameter(t).expect("function_parameter"))
            .collect();
        b.begin_block(None).expect("begin_block");
        (
            Kernel {
                b,
                void,
                bool_,
                ulong,
                gid,
                lid,
                wgid,
                v3ulong,
                name,
                func,
            },
            ids,
        )
    }

    /// Component `dim` of the v3ulong builtin `var`.
    fn builtin_component(&mut self, var: Word, dim: u32) -> Word {
        let v = self
            .b
            .load(
                self.v3ulong,
                None,
                var,
                Some(MemoryAccess::ALIGNED),
                [Operand::LiteralBit32(32)],
            )
            .expect("load builtin");
        self.b
            .composite_extract(self.ulong, None, v, [dim])
            .expect("extract")
    }

    /// The global id in dimension `dim`, as a u64.
    pub fn global_id(&mut self, dim: u32) -> Word {
        self.builtin_component(self.gid, dim)
    }

    /// The local id (within the work-group) in dimension `dim`, as a u64.
    pub fn local_id(&mut self, dim: u32) -> Word {
        self.builtin_component(self.lid, dim)
    }

    /// The work-group id in dimension `dim`, as a u64.
    pub fn group_id(&mut self, dim: u32) -> Word {
        self.builtin_component(self.wgid, dim)
    }

    /// A u64 constant.
    pub fn ulong_const(&mut self, value: u64) -> Word {
        self.b.constant_bit64(self.ulong, value)
    }

    /// `OpControlBarrier(Workgroup, Workgroup, AcquireRelease | WorkgroupMemory)`.
    pub fn barrier(&mut self) {
        let uint = self.b.type_int(32, 0);
        let workgroup = self.b.constant_bit32(uint, 2);
        let semantics = self.b.constant_bit32(uint, 0x108);
        self.b
            .control_barrier(workgroup, workgroup, semantics)
            .expect("barrier");
    }

    /// `&base[index]` for a CrossWorkgroup pointer of type `ptr_ty`.
    pub fn element(&mut self, ptr_ty: Word, base: Word, index: Word) -> Word {
        self.b
            .in_bounds_ptr_access_chain(ptr_ty, None, base, index, [])
            .expect("access chain")
    }

    /// `&t.ptr[t.offset + sum(index[d] * t.strides[d])]` (64-bit wrapping arithmetic, so
    /// negative strides work too) for a CrossWorkgroup pointer of type `ptr_ty`.
    pub fn tensor_element(&mut self, ptr_ty: Word, t: &TensorIds, index: &[Word]) -> Word {
        assert_eq!(index.len(), t.strides.len(), "one index per axis");
        let ulong = self.ulong;
        let mut at = t.offset;
        for (&i, &stride) in index.iter().zip(&t.strides) {
            let step = self.b.i_mul(ulong, None, i, stride).expect("imul");
            at = self.b.i_add(ulong, None, at, step).expect("iadd");
        }
        self.element(ptr_ty, t.ptr, at)
    }

    /// Loads a value of `ty` (aligned to `align` bytes).
    pub fn load(&mut self, ty: Word, ptr: Word, align: u32) -> Word {
        self.b
            .load(
                ty,
                None,
                ptr,
                Some(MemoryAccess::ALIGNED),
                [Operand::LiteralBit32(align)],
            )
            .expect("load")
    }

    /// Stores `value` (aligned to `align` bytes).
    pub fn store(&mut self, ptr: Word, value: Word, align: u32) {
        self.b
            .store(
                ptr,
                value,
                Some(MemoryAccess::ALIGNED),
                [Operand::LiteralBit32(align)],
            )
            .expect("store");
    }

    /// Runs `body` only when `index < len` (the bounds check of the dpex ABI).
    pub fn if_in_bounds(&mut self, index: Word, len: Word, body: impl FnOnce(&mut Kernel)) {
        let cond = self
            .b
            .u_less_than(self.bool_, None, index, len)
            .expect("ult");
        let then_label = self.b.id();
        let merge = self.b.id();
        self.b
            .selection_merge(merge, SelectionControl::NONE)
            .expect("merge");
        self.b
            .branch_conditional(cond, then_label, merge, [])
            .expect("branch");
        self.b.begin_block(Some(then_label)).expect("then");
        body(self);
        self.b.branch(merge).expect("branch merge");
        self.b.begin_block(Some(merge)).expect("merge block");
    }

    /// Ends the kernel and returns the module's words.
    pub fn finish(mut self) -> Vec<u32> {
        self.b.ret().expect("ret");
        self.b.end_function().expect("end_function");
        self.b.entry_point(
            ExecutionModel::Kernel,
            self.func,
            self.name,
            [self.gid, self.lid, self.wgid],
        );
        self.b.module().assemble()
    }
}

/// An OpenCL-level parameter type.
#[derive(Clone, Copy)]
pub enum ParamTy {
    /// An integer of this many bits.
    Int(u32),
    /// A float of this many bits.
    Float(u32),
    /// A CrossWorkgroup pointer to an integer of this many bits.
    IntPtr(u32),
    /// A CrossWorkgroup pointer to a float of this many bits.
    FloatPtr(u32),
    /// A Workgroup (local memory) pointer to a float of this many bits.
    LocalFloatPtr(u32),
}

impl ParamTy {
    fn id(self, b: &mut Builder) -> Word {
        match self {
            ParamTy::Int(bits) => b.type_int(bits, 0),
            ParamTy::Float(bits) => b.type_float(bits, None),
            ParamTy::IntPtr(bits) => {
                let t = b.type_int(bits, 0);
                b.type_pointer(None, StorageClass::CrossWorkgroup, t)
            }
            ParamTy::FloatPtr(bits) => {
                let t = b.type_float(bits, None);
                b.type_pointer(None, StorageClass::CrossWorkgroup, t)
            }
            ParamTy::LocalFloatPtr(bits) => {
                let t = b.type_float(bits, None);
                b.type_pointer(None, StorageClass::Workgroup, t)
            }
        }
    }

    /// The type id (deduplicated by the builder).
    pub fn ty(self, k: &mut Kernel) -> Word {
        self.id(&mut k.b)
    }
}

/// `c[i] = a[i] + b[i]` over f32, for `i < c.shape[0]`; params a, b, c (1-d tensors, each
/// element addressed through its view's offset and stride).
pub fn vadd_f32_words(name: &'static str) -> Vec<u32> {
    use ParamTy::*;
    let params = [
        tensor_params(FloatPtr(32), 1),
        tensor_params(FloatPtr(32), 1),
        tensor_params(FloatPtr(32), 1),
    ]
    .concat();
    let (mut k, p) = Kernel::begin(name, &[], &params);
    let a = TensorIds::at(&p, 0, 1);
    let b = TensorIds::at(&p, a.count(), 1);
    let c = TensorIds::at(&p, a.count() + b.count(), 1);
    let float = Float(32).ty(&mut k);
    let ptr = FloatPtr(32).ty(&mut k);
    let i = k.global_id(0);
    k.if_in_bounds(i, c.shape[0], |k| {
        let pa = k.tensor_element(ptr, &a, &[i]);
        let va = k.load(float, pa, 4);
        let pb = k.tensor_element(ptr, &b, &[i]);
        let vb = k.load(float, pb, 4);
        let sum = k.b.f_add(float, None, va, vb).expect("fadd");
        let pc = k.tensor_element(ptr, &c, &[i]);
        k.store(pc, sum, 4);
    });
    k.finish()
}

/// The spec of [`vadd_f32_words`]: `vadd(a: &Tensor<f32>, b: &Tensor<f32>, c: &mut Tensor<f32>)`.
pub fn vadd_spec(name: &'static str) -> &'static KernelSpec {
    leak_spec(
        name,
        1,
        vadd_f32_words(name),
        vec![
            tensor("a", DType::F32, false),
            tensor("b", DType::F32, false),
            tensor("c", DType::F32, true),
        ],
    )
}

/// `calls_missing(out: &mut Tensor<i64>)`: a kernel that calls a function imported but defined
/// nowhere, so the driver's link step fails (the build log names `dpex_missing_fn`). With
/// `declaration_first: false` the import comes after the kernel's definition, which the driver
/// accepts but `spirv-val` rejects.
pub fn calls_missing_spec(name: &'static str, declaration_first: bool) -> &'static KernelSpec {
    use rspirv::spirv::{FunctionControl, LinkageType};
    use ParamTy::*;
    let (mut k, _) = Kernel::begin(name, &[Capability::Linkage], &tensor_params(IntPtr(64), 1));
    let void = k.void;
    let fn_ty = k.b.type_function(void, []);
    let selected = k.b.selected_function();
    let block = k.b.selected_block();
    k.b.select_block(None).expect("deselect block");
    k.b.select_function(None).expect("deselect function");
    let missing =
        k.b.begin_function(void, None, FunctionControl::NONE, fn_ty)
            .expect("decl");
    k.b.end_function().expect("end decl");
    k.b.decorate(
        missing,
        Decoration::LinkageAttributes,
        [
            Operand::LiteralString("dpex_missing_fn".into()),
            Operand::LinkageType(LinkageType::Import),
        ],
    );
    k.b.select_function(selected).expect("reselect function");
    k.b.select_block(block).expect("reselect block");
    k.b.function_call(void, None, missing, []).expect("call");
    let mut module = rspirv::dr::load_words(k.finish()).expect("reload the module");
    if declaration_first {
        // SPIR-V wants function declarations before definitions: move the import to the front.
        module.functions.rotate_right(1);
    }
    leak_spec(
        name,
        1,
        module.assemble(),
        vec![tensor("out", DType::I64, true)],
    )
}

/// `y[i] = alpha * x[i] + y[i]`: a scalar before two tensors.
pub fn axpy_spec() -> &'static KernelSpec {
    use ParamTy::*;
    let params = [
        vec![Float(32)],
        tensor_params(FloatPtr(32), 1),
        tensor_params(FloatPtr(32), 1),
    ]
    .concat();
    let (mut k, p) = Kernel::begin("axpy", &[], &params);
    let alpha = p[0];
    let x = TensorIds::at(&p, 1, 1);
    let y = TensorIds::at(&p, 1 + x.count(), 1);
    let float = Float(32).ty(&mut k);
    let ptr = FloatPtr(32).ty(&mut k);
    let i = k.global_id(0);
    k.if_in_bounds(i, y.shape[0], |k| {
        let px = k.tensor_element(ptr, &x, &[i]);
        let vx = k.load(float, px, 4);
        let py = k.tensor_element(ptr, &y, &[i]);
        let vy = k.load(float, py, 4);
        let ax = k.b.f_mul(float, None, alpha, vx).expect("fmul");
        let r = k.b.f_add(float, None, ax, vy).expect("fadd");
        k.store(py, r, 4);
    });
    leak_spec(
        "axpy",
        1,
        k.finish(),
        vec![
            scalar("alpha", DType::F32),
            tensor("x", DType::F32, false),
            tensor("y", DType::F32, true),
        ],
    )
}
