//! Hand-written Vulkan kernels in SPIR-V assembly, following `dpex_abi::vulkan` (what the
//! emitter's Vulkan flavour produces): SPIR-V 1.5, `Shader`, `PhysicalStorageBuffer64` +
//! `GLSL450`, the argument block in the push constants (an array of `u64` words) when it has at
//! most `PUSH_BLOCK_WORDS` words, else its address there and its words read as a `u64` runtime
//! array, `WorkgroupSize` on a spec-constant composite (SpecIds 0, 1, 2) and the
//! fused-fma flag at SpecId 256. Assembled with `spirv-as` and checked with `spirv-val`
//! (`--target-env vulkan1.2`), both required.

use std::borrow::Cow;
use std::hash::{Hash, Hasher};
use std::process::Command;

use dpex_abi::vulkan::{Interface, Module, ParamShape, PUSH_BLOCK_WORDS};
use dpex_runtime::{DType, Feature, KernelSpec, ParamSpec, ParamSpecKind};

/// The module text before the kernel's own decorations: `{name}` and `{interface}` are filled in.
const HEADER: &str = "
OpCapability Shader
OpCapability Int64
OpCapability PhysicalStorageBufferAddresses
OpMemoryModel PhysicalStorageBuffer64 GLSL450
OpEntryPoint GLCompute %main \"{name}\" %gid_var %lid_var %pc {interface}
OpDecorate %gid_var BuiltIn GlobalInvocationId
OpDecorate %lid_var BuiltIn LocalInvocationId
OpDecorate %wg_size BuiltIn WorkgroupSize
OpDecorate %sx SpecId 0
OpDecorate %sy SpecId 1
OpDecorate %sz SpecId 2
OpDecorate %fused SpecId 256
OpDecorate %PC Block
OpMemberDecorate %PC 0 Offset 0
OpDecorate %Args Block
OpMemberDecorate %Args 0 Offset 0
OpDecorate %u64arr ArrayStride 8
";

/// Types and constants every kernel uses, after the decorations.
const TYPES: &str = "
%void = OpTypeVoid
%fn = OpTypeFunction %void
%bool = OpTypeBool
%u32 = OpTypeInt 32 0
%u64 = OpTypeInt 64 0
%f32 = OpTypeFloat 32
%v3u32 = OpTypeVector %u32 3
%u64arr = OpTypeRuntimeArray %u64
%Args = OpTypeStruct %u64arr
%ptr_args = OpTypePointer PhysicalStorageBuffer %Args
%ptr_u64 = OpTypePointer PhysicalStorageBuffer %u64
%ptr_u32 = OpTypePointer PhysicalStorageBuffer %u32
%ptr_f32 = OpTypePointer PhysicalStorageBuffer %f32
%ptr_pc_u64 = OpTypePointer PushConstant %u64
%ptr_in_v3 = OpTypePointer Input %v3u32
%gid_var = OpVariable %ptr_in_v3 Input
%lid_var = OpVariable %ptr_in_v3 Input
%sx = OpSpecConstant %u32 1
%sy = OpSpecConstant %u32 1
%sz = OpSpecConstant %u32 1
%wg_size = OpSpecConstantComposite %v3u32 %sx %sy %sz
%fused = OpSpecConstantTrue %bool
%c0 = OpConstant %u32 0
%c1 = OpConstant %u32 1
%c2 = OpConstant %u32 2
%c264 = OpConstant %u32 264
%l0 = OpConstant %u64 0
%l1 = OpConstant %u64 1
%l4 = OpConstant %u64 4
%l8 = OpConstant %u64 8
%l16 = OpConstant %u64 16
%l24 = OpConstant %u64 24
%l32 = OpConstant %u64 32
%f1 = OpConstant %f32 1
%f2 = OpConstant %f32 2
";

/// `%kN`: the index constants of the block's words.
fn word_constants(words: u32) -> String {
    (0..words)
        .map(|w| format!("%k{w} = OpConstant %u32 {w}\n"))
        .collect()
}

/// The push constants' types and variable `%pc`: the block's words when they fit, else one
/// `u64` (the block's address).
fn push_constants(words: u32) -> String {
    if words <= PUSH_BLOCK_WORDS {
        format!("%cwords = OpConstant %u32 {words}\n%pcarr = OpTypeArray %u64 %cwords\n%PC = OpTypeStruct %pcarr\n%ptr_pc = OpTypePointer PushConstant %PC\n%pc = OpVariable %ptr_pc PushConstant\n")
    } else {
        "%PC = OpTypeStruct %u64\n%ptr_pc = OpTypePointer PushConstant %PC\n%pc = OpVariable %ptr_pc PushConstant\n".into()
    }
}

/// `%wN`: the block's words, loaded at the start of `main` (from the push constants, or
/// through the block's address in them).
fn word_loads(words: u32) -> String {
    if words <= PUSH_BLOCK_WORDS {
        return (0..words)
            .map(|w| format!("%pw{w} = OpAccessChain %ptr_pc_u64 %pc %c0 %k{w}\n%w{w} = OpLoad %u64 %pw{w}\n"))
            .collect();
    }
    let address = "%pcp = OpAccessChain %ptr_pc_u64 %pc %c0\n%baddr = OpLoad %u64 %pcp\n%args = OpConvertUToPtr %ptr_args %baddr\n";
    let loads: String = (0..words)
        .map(|w| {
            format!("%pw{w} = OpAccessChain %ptr_u64 %args %c0 %k{w}\n%w{w} = OpLoad %u64 %pw{w} Aligned 8\n")
        })
        .collect();
    format!("{address}{loads}")
}

/// Lines computing `%{tag}`, a pointer to element `idx` of the tensor whose slot starts at
/// `word` (address, offset, extents, strides).
fn element(tag: &str, word: u32, dims: u32, idx: &[&str]) -> String {
    let mut s = format!("%{tag}_acc0 = OpCopyObject %u64 %w{}\n", word + 1);
    for (axis, ix) in idx.iter().enumerate() {
        let stride = word + 2 + dims + axis as u32;
        s += &format!(
            "%{tag}_m{axis} = OpIMul %u64 %{ix} %w{stride}\n%{tag}_acc{} = OpIAdd %u64 %{tag}_acc{axis} %{tag}_m{axis}\n",
            axis + 1
        );
    }
    s += &format!(
        "%{tag}_b = OpIMul %u64 %{tag}_acc{} %l4\n%{tag}_a = OpIAdd %u64 %w{word} %{tag}_b\n%{tag} = OpConvertUToPtr %ptr_f32 %{tag}_a\n",
        idx.len()
    );
    s
}

/// A kernel's module text from its parts: the entry's extra interface variables, decorations,
/// types, the number of block words and the body after the prologue (which loads the block's
/// words as `%w0 ..` and the global id as `%gx`, `%gy`).
fn module(
    name: &str,
    interface: &str,
    decorations: &str,
    types: &str,
    words: u32,
    body: &str,
) -> String {
    HEADER.replace("{name}", name).replace("{interface}", interface)
        + if words <= PUSH_BLOCK_WORDS {
            "OpDecorate %pcarr ArrayStride 8\n"
        } else {
            ""
        }
        + decorations
        + TYPES
        + &word_constants(words)
        + &push_constants(words)
        + types
        + "%main = OpFunction %void None %fn\n%entry = OpLabel\n%gid3 = OpLoad %v3u32 %gid_var\n%gx32 = OpCompositeExtract %u32 %gid3 0\n%gx = OpUConvert %u64 %gx32\n%gy32 = OpCompositeExtract %u32 %gid3 1\n%gy = OpUConvert %u64 %gy32\n"
        + &word_loads(words)
        + body
        + "OpFunctionEnd\n"
}

/// Assembles and validates `text`; a failure of either tool fails the test.
pub fn assemble(name: &str, text: &str) -> Vec<u32> {
    let dir = std::env::temp_dir().join(format!("dpex-vk-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    // One pair of files per call: tests assemble the same kernel on several threads at once.
    static CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let call = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let src = dir.join(format!("{name}-{call}.spvasm"));
    let bin = dir.join(format!("{name}-{call}.spv"));
    std::fs::write(&src, text).unwrap_or_else(|e| panic!("{e}"));
    let run = |tool: &str, args: &[&std::ffi::OsStr]| {
        let out = Command::new(tool)
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("cannot run {tool} (install spirv-tools): {e}"));
        assert!(
            out.status.success(),
            "{tool} failed on {name}:\n{}{}\n{text}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    };
    let env = std::ffi::OsStr::new("vulkan1.2");
    let flag = std::ffi::OsStr::new("--target-env");
    run(
        "spirv-as",
        &[flag, env, src.as_os_str(), "-o".as_ref(), bin.as_os_str()],
    );
    run("spirv-val", &[flag, env, bin.as_os_str()]);
    let bytes = std::fs::read(&bin).unwrap_or_else(|e| panic!("{e}"));
    let _ = std::fs::remove_file(&src);
    let _ = std::fs::remove_file(&bin);
    bytes
        .chunks_exact(4)
        .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect()
}

/// A kernel's parameter for [`spec`].
pub enum P {
    /// A scalar.
    Scalar(&'static str, DType),
    /// A tensor: name, element, writable, dims.
    Tensor(&'static str, DType, bool, usize),
    /// A local accessor.
    Local(&'static str, DType),
}

/// A leaked `KernelSpec` with a Vulkan module (and no OpenCL one).
pub fn spec(
    name: &'static str,
    dims: usize,
    params: &[P],
    reports_errors: bool,
    requires: &'static [Feature],
    words: Vec<u32>,
) -> &'static KernelSpec {
    let shapes: Vec<ParamShape> = params
        .iter()
        .map(|p| match p {
            P::Scalar(..) => ParamShape::Scalar,
            P::Tensor(_, _, _, dims) => ParamShape::Tensor { dims: *dims as u32 },
            P::Local(..) => ParamShape::Local { dims: 1 },
        })
        .collect();
    let params: Vec<ParamSpec> = params
        .iter()
        .map(|p| match *p {
            P::Scalar(name, dtype) => ParamSpec {
                name,
                kind: ParamSpecKind::Scalar(dtype),
            },
            P::Tensor(name, elem, writable, dims) => ParamSpec {
                name,
                kind: ParamSpecKind::Tensor {
                    elem,
                    writable,
                    dims,
                },
            },
            P::Local(name, elem) => ParamSpec {
                name,
                kind: ParamSpecKind::Local { elem, dims: 1 },
            },
        })
        .collect();
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    words.hash(&mut hasher);
    let module = Module {
        hash: hasher.finish(),
        words: Cow::Owned(words),
        interface: Interface::layout(&shapes, reports_errors),
    };
    Box::leak(Box::new(KernelSpec {
        name,
        dims,
        spirv: &[],
        spirv_hash: 0,
        params: Box::leak(params.into_boxed_slice()),
        requires,
        static_local_bytes: 0,
        build_options: "",
        reports_errors,
        assumes: &[],
        opencl: dpex_abi::opencl::Interface::layout(&shapes, reports_errors),
        vulkan: Ok(module),
    }))
}

/// `y[i] = a * x[i] + y[i]` over a 1-d range (a: f32 scalar, x, y: 1-d f32 tensors).
pub fn saxpy() -> &'static KernelSpec {
    saxpy_named("saxpy")
}

/// [`saxpy`] with the entry point `name` (so a module of its own, whose builds are counted
/// apart from the others').
pub fn saxpy_named(name: &'static str) -> &'static KernelSpec {
    let body = String::from(
        "%oob = OpUGreaterThanEqual %bool %gx %w0
OpSelectionMerge %end None
OpBranchConditional %oob %end %body
%body = OpLabel
%a32 = OpUConvert %u32 %w3
%a = OpBitcast %f32 %a32
",
    ) + &element("px", 4, 1, &["gx"])
        + &element("py", 8, 1, &["gx"])
        + "%xv = OpLoad %f32 %px Aligned 4
%yv = OpLoad %f32 %py Aligned 4
%ax = OpFMul %f32 %a %xv
%r = OpFAdd %f32 %ax %yv
OpStore %py %r Aligned 4
OpBranch %end
%end = OpLabel
OpReturn
";
    let decorations = "OpDecorate %ax NoContraction\nOpDecorate %r NoContraction\n";
    let text = module(name, "", decorations, "", 12, &body);
    spec(
        name,
        1,
        &[
            P::Scalar("a", DType::F32),
            P::Tensor("x", DType::F32, false, 1),
            P::Tensor("y", DType::F32, true, 1),
        ],
        false,
        &[],
        assemble(name, &text),
    )
}

/// `out[i, j] = a[i, j] * 2 + 1` over a 2-d range, for any strides.
pub fn scale2d() -> &'static KernelSpec {
    let body = String::from(
        "%oobx = OpUGreaterThanEqual %bool %gx %w0
%ooby = OpUGreaterThanEqual %bool %gy %w1
%oob = OpLogicalOr %bool %oobx %ooby
OpSelectionMerge %end None
OpBranchConditional %oob %end %body
%body = OpLabel
",
    ) + &element("pa", 3, 2, &["gx", "gy"])
        + &element("po", 9, 2, &["gx", "gy"])
        + "%v = OpLoad %f32 %pa Aligned 4
%m = OpFMul %f32 %v %f2
%r = OpFAdd %f32 %m %f1
OpStore %po %r Aligned 4
OpBranch %end
%end = OpLabel
OpReturn
";
    let decorations = "OpDecorate %m NoContraction\nOpDecorate %r NoContraction\n";
    let text = module("scale2d", "", decorations, "", 15, &body);
    spec(
        "scale2d",
        2,
        &[
            P::Tensor("a", DType::F32, false, 2),
            P::Tensor("out", DType::F32, true, 2),
        ],
        false,
        &[],
        assemble("scale2d", &text),
    )
}

/// `out[i] = x[i + 1]`, checked: the last work-item reports `x[len]` out of bounds in the error
/// record (code 1, parameter 0, index, length, work-item) and skips the access.
pub fn shifted_gather() -> &'static KernelSpec {
    let body = String::from(
        "%oob = OpUGreaterThanEqual %bool %gx %w0
OpSelectionMerge %end None
OpBranchConditional %oob %end %body
%body = OpLabel
%i = OpIAdd %u64 %gx %l1
%bad = OpUGreaterThanEqual %bool %i %w5
OpSelectionMerge %join None
OpBranchConditional %bad %fail %ok
%fail = OpLabel
%rec0 = OpConvertUToPtr %ptr_u32 %w11
%old = OpAtomicCompareExchange %u32 %rec0 %c1 %c0 %c0 %c1 %c0
%first = OpIEqual %bool %old %c0
OpSelectionMerge %fj None
OpBranchConditional %first %write %fj
%write = OpLabel
%r1a = OpIAdd %u64 %w11 %l8
%r1 = OpConvertUToPtr %ptr_u64 %r1a
OpStore %r1 %l0 Aligned 8
%r2a = OpIAdd %u64 %w11 %l16
%r2 = OpConvertUToPtr %ptr_u64 %r2a
OpStore %r2 %i Aligned 8
%r3a = OpIAdd %u64 %w11 %l24
%r3 = OpConvertUToPtr %ptr_u64 %r3a
OpStore %r3 %w5 Aligned 8
%r4a = OpIAdd %u64 %w11 %l32
%r4 = OpConvertUToPtr %ptr_u64 %r4a
OpStore %r4 %gx Aligned 8
OpBranch %fj
%fj = OpLabel
OpBranch %join
%ok = OpLabel
",
    ) + &element("px", 3, 1, &["i"])
        + &element("po", 7, 1, &["gx"])
        + "%v = OpLoad %f32 %px Aligned 4
OpStore %po %v Aligned 4
OpBranch %join
%join = OpLabel
OpBranch %end
%end = OpLabel
OpReturn
";
    let text = module("shifted_gather", "", "", "", 12, &body);
    spec(
        "shifted_gather",
        1,
        &[
            P::Tensor("x", DType::F32, false, 1),
            P::Tensor("out", DType::F32, true, 1),
        ],
        true,
        &[],
        assemble("shifted_gather", &text),
    )
}

/// `out[i] = x[i]` reversed within each work-group, through a local accessor `tmp` whose
/// length (the work-group size) is a specialization constant: `tmp[l] = x[i]`, a barrier, then
/// `out[i] = tmp[len - 1 - l]`.
pub fn reverse_groups() -> &'static KernelSpec {
    let types = "%len = OpSpecConstant %u32 1
%arr = OpTypeArray %f32 %len
%ptr_wg_arr = OpTypePointer Workgroup %arr
%ptr_wg_f32 = OpTypePointer Workgroup %f32
%tmp = OpVariable %ptr_wg_arr Workgroup
";
    let body = String::from(
        "%lid3 = OpLoad %v3u32 %lid_var
%lx = OpCompositeExtract %u32 %lid3 0
",
    ) + &element("px", 3, 1, &["gx"])
        + "%xv = OpLoad %f32 %px Aligned 4
%tp = OpAccessChain %ptr_wg_f32 %tmp %lx
OpStore %tp %xv
OpControlBarrier %c2 %c2 %c264
%lenm1 = OpISub %u32 %len %c1
%rl = OpISub %u32 %lenm1 %lx
%tq = OpAccessChain %ptr_wg_f32 %tmp %rl
%v = OpLoad %f32 %tq
" + &element("po", 7, 1, &["gx"])
        + "OpStore %po %v Aligned 4
OpReturn
";
    let text = module(
        "reverse_groups",
        "%tmp",
        "OpDecorate %len SpecId 3\n",
        types,
        11,
        &body,
    );
    spec(
        "reverse_groups",
        1,
        &[
            P::Tensor("x", DType::F32, false, 1),
            P::Tensor("out", DType::F32, true, 1),
            P::Local("tmp", DType::F32),
        ],
        false,
        &[],
        assemble("reverse_groups", &text),
    )
}
