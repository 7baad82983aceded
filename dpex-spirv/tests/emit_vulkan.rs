//! The Vulkan flavour: golden snapshots, the launch interface against
//! `dpex_abi::vulkan::Interface::layout`, the module's header and the typed errors of what it
//! cannot lower. Every module here passes `spirv-val --target-env vulkan1.2` (the other emit
//! tests also emit each of their kernels for Vulkan, see `common::vulkan`).

mod common;

use common::builders::{call, function, math, ret, val};
use common::nd::{atomic, barrier, builtin, kernel_with_arrays, local_param, mem_len, read, write};
use common::report::{bounded, clamped_module};
use common::tensors::id_named;
use common::*;
use dpex_abi::vulkan::{Interface, ParamShape, Slot, LOCAL_SIZE_SPEC_IDS};
use dpex_abi::Api;
use dpex_spirv::disasm::disassemble;
use dpex_spirv::ir::{BinaryOp as B, Scalar as S, *};
use dpex_spirv::{
    emit_vulkan, kernel_interface, spirv_hash, validation_env, EmitError, Owner, VulkanOptions,
};

/// Emits the one-kernel `module` for Vulkan, validates it and returns it with its
/// disassembly.
fn emit(name: &str, module: &Module) -> (dpex_abi::vulkan::Module, String) {
    let vk = emit_vulkan(module, &VulkanOptions::default())
        .unwrap_or_else(|e| panic!("emitting `{name}` for Vulkan failed: {e}"));
    assert_eq!(validation_env(&vk.words, Api::Vulkan), "vulkan1.2");
    validate_env(name, &vk.words, "vulkan1.2");
    validate_env(name, &vk.words, "vulkan1.3");
    let text = disassemble(&vk.words).expect("disassemble");
    (vk, text)
}

/// A module of `kernel` alone.
fn single(kernel: Kernel) -> Module {
    Module {
        functions: vec![],
        kernels: vec![kernel],
    }
}

/// `fn block_sum(item: NdItem<1>, x: &Tensor<f32>, out: &mut Tensor<f32>,
/// scratch: LocalAccessor<f32>, scale: f32)`: each work-group sums `x` into `out[group]` by a
/// tree in `scratch`, scaled.
fn block_sum() -> Kernel {
    let scratch = Memory::Local(ParamId(2));
    let lid = || builtin(Builtin::LocalId(0));
    let stride = 0;
    kernel_with_arrays(
        "block_sum",
        1,
        vec![
            tensor("x", S::F32, Access::Read),
            tensor("out", S::F32, Access::ReadWrite),
            local_param("scratch", S::F32),
            scalar("scale", S::F32),
        ],
        vec![local("stride", S::U64)],
        vec![],
        vec![
            write(
                scratch,
                lid(),
                bin(B::Mul, load(S::F32, 0, gid(0)), param(S::F32, 3)),
            ),
            barrier(false),
            assign(stride, bin(B::Shr, mem_len(scratch), int(S::U64, 1))),
            loop_(
                vec![
                    if_(
                        bin(B::Eq, get(S::U64, stride), int(S::U64, 0)),
                        vec![Statement::Break],
                        vec![],
                    ),
                    if_(
                        bin(B::Lt, lid(), get(S::U64, stride)),
                        vec![write(
                            scratch,
                            lid(),
                            bin(
                                B::Add,
                                read(S::F32, scratch, lid()),
                                read(S::F32, scratch, bin(B::Add, lid(), get(S::U64, stride))),
                            ),
                        )],
                        vec![],
                    ),
                    barrier(false),
                ],
                vec![assign(
                    stride,
                    bin(B::Shr, get(S::U64, stride), int(S::U64, 1)),
                )],
            ),
            if_(
                bin(B::Eq, lid(), int(S::U64, 0)),
                vec![store(
                    1,
                    builtin(Builtin::GroupId(0)),
                    read(S::F32, scratch, int(S::U64, 0)),
                )],
                vec![],
            ),
        ],
    )
}

/// Run with `DPEX_BLESS=1` to rewrite the snapshots after an intended change.
#[test]
fn golden_snapshots() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/vulkan");
    for (name, module) in [
        ("vector_add", single(vector_add())),
        ("odd_sum", single(control_flow_kernel())),
        ("block_sum", single(block_sum())),
        ("bounded", single(bounded())),
        ("clamped", clamped_module()),
    ] {
        let (_, text) = emit(name, &module);
        let path = dir.join(format!("{name}.spvasm"));
        if std::env::var_os("DPEX_BLESS").is_some() {
            std::fs::create_dir_all(&dir).expect("create golden dir");
            std::fs::write(&path, &text).expect("write snapshot");
            continue;
        }
        let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!(
                "{}: {e}; run with DPEX_BLESS=1 to create it",
                path.display()
            )
        });
        assert_eq!(
            text,
            expected,
            "{} is stale; run with DPEX_BLESS=1 if the change is intended",
            path.display()
        );
    }
}

#[test]
fn the_interface_is_the_abis_layout() {
    let (vk, text) = emit("block_sum", &single(block_sum()));
    let expected = Interface::layout(
        &[
            ParamShape::Tensor { dims: 1 },
            ParamShape::Tensor { dims: 1 },
            ParamShape::Local { dims: 1 },
            ParamShape::Scalar,
        ],
        false,
    );
    assert_eq!(vk.interface, expected);
    assert_eq!(vk.interface, kernel_interface(&block_sum()));
    assert_eq!(
        &vk.interface.params[..],
        [
            Slot::Tensor { word: 3, dims: 1 },
            Slot::Tensor { word: 7, dims: 1 },
            Slot::Local {
                spec_id: 3,
                word: 11,
                dims: 1
            },
            Slot::Scalar { word: 12 },
        ]
    );
    assert_eq!(vk.hash, spirv_hash(&vk.words));
    // The scalar is read from word 12 and the local accessor sized by spec constant 3.
    assert!(
        text.lines()
            .any(|l| l.contains("= OpConstant ") && l.ends_with("  12")),
        "{text}"
    );
    let count = id_named(&text, "scratch.count");
    assert!(
        text.contains(&format!("OpDecorate {count} SpecId 3")),
        "{text}"
    );
    for (axis, id) in LOCAL_SIZE_SPEC_IDS.iter().enumerate() {
        assert!(
            text.contains(&format!("SpecId {id}")),
            "axis {axis}: {text}"
        );
    }

    let (vk, _) = emit("bounded", &single(bounded()));
    assert_eq!(
        vk.interface,
        Interface::layout(&[ParamShape::Tensor { dims: 1 }], true)
    );
    assert_eq!(vk.interface.error_record_word, Some(7));
    let (vk, _) = emit("clamped", &clamped_module());
    assert_eq!(vk.interface.error_record_word, Some(7));
}

#[test]
fn header_entry_point_and_push_constants() {
    let (_, text) = emit("vector_add", &single(vector_add()));
    for expected in [
        "OpCapability Shader",
        "OpCapability Int64",
        "OpCapability PhysicalStorageBufferAddresses",
        "OpMemoryModel PhysicalStorageBuffer64 GLSL450",
        "OpEntryPoint GLCompute",
        "\"vector_add\"",
        " Block\n",
        " 0 Offset 0\n",
        "ArrayStride 4",
        "ArrayStride 8",
        "BuiltIn WorkgroupSize",
        "OpTypePointer PushConstant",
        "OpTypePointer PhysicalStorageBuffer",
        "OpConvertUToPtr",
        "OpPtrAccessChain",
        "Aligned 4",
        "NoContraction",
        "OpUGreaterThanEqual",
    ] {
        assert!(text.contains(expected), "missing `{expected}`:\n{text}");
    }
    for absent in [
        "OpCapability Kernel",
        "OpCapability Addresses",
        "OpenCL.std",
        "CrossWorkgroup",
        "InBoundsPtrAccessChain",
    ] {
        assert!(!text.contains(absent), "unexpected `{absent}`:\n{text}");
    }
    // Every entry point interface lists the push constants and the built-ins.
    let entry = text
        .lines()
        .find(|l| l.contains("OpEntryPoint"))
        .expect("entry point");
    for var in ["dpex.push_constants", "__spirv_BuiltInGlobalInvocationId"] {
        let id = id_named(&text, var);
        assert!(entry.split(' ').any(|word| word == id), "{var}: {entry}");
    }
}

#[test]
fn contraction_opts_out_of_no_contraction() {
    let module = single(vector_add());
    let options = VulkanOptions { contraction: true };
    let vk = emit_vulkan(&module, &options).expect("emit");
    validate_env("vector_add_contracted", &vk.words, "vulkan1.2");
    let text = disassemble(&vk.words).expect("disassemble");
    assert!(!text.contains("NoContraction"), "{text}");
}

#[test]
fn sixteen_and_eight_bit_storage_declares_its_capabilities() {
    let k = kernel(
        "narrow",
        1,
        vec![
            tensor("a", S::F16, Access::Read),
            tensor("b", S::Bool, Access::ReadWrite),
            scalar("flag", S::Bool),
            scalar("h", S::F16),
        ],
        vec![],
        vec![store(
            1,
            gid(0),
            bin(
                B::LogicalAnd,
                param(S::Bool, 2),
                bin(B::Lt, load(S::F16, 0, gid(0)), param(S::F16, 3)),
            ),
        )],
    );
    let (_, text) = emit("narrow", &single(k));
    for capability in [
        "Float16",
        "Int8",
        "StorageBuffer8BitAccess",
        "StorageBuffer16BitAccess",
    ] {
        assert!(
            text.contains(&format!("OpCapability {capability}\n")),
            "{capability}:\n{text}"
        );
    }
}

#[test]
fn glsl_math_without_the_library() {
    let x = || load(S::F64, 0, gid(0));
    let y = || load(S::I64, 1, gid(0));
    let k = kernel(
        "glsl_math",
        1,
        vec![
            tensor("x", S::F64, Access::ReadWrite),
            tensor("y", S::I64, Access::ReadWrite),
        ],
        vec![],
        vec![
            store(0, gid(0), math(S::F64, MathFunction::Round, vec![x()])),
            store(0, gid(0), math(S::F64, MathFunction::Signum, vec![x()])),
            store(0, gid(0), math(S::F64, MathFunction::Max, vec![x(), x()])),
            store(
                1,
                gid(0),
                cast(math(S::U32, MathFunction::LeadingZeros, vec![y()]), S::I64),
            ),
            store(1, gid(0), cast(x(), S::I64)),
        ],
    );
    let (_, text) = emit("glsl_math", &single(k));
    assert!(text.contains("OpExtInstImport \"GLSL.std.450\""), "{text}");
    assert!(text.contains("NMax"), "{text}");
    assert!(text.contains("FindUMsb"), "{text}");
    assert!(!text.contains("SaturatedConversion"), "{text}");
}

/// The typed error of a kernel with `params` running `body`, which uses an unsupported
/// construct.
fn unsupported(body: Block, params: Vec<Param>) -> (Owner, String) {
    let k = kernel("uses_it", 1, params, vec![], body);
    match emit_vulkan(&single(k), &VulkanOptions::default()) {
        Err(EmitError::Unsupported { owner, what }) => (owner, what),
        other => panic!("expected Unsupported, got {other:?}"),
    }
}

#[test]
fn missing_math_library_functions_are_typed_errors() {
    // The library has every f32 and f64 function; it has none in f16.
    let x = || load(S::F16, 0, gid(0));
    let out = vec![tensor("x", S::F16, Access::ReadWrite)];
    let (owner, what) = unsupported(
        vec![store(0, gid(0), math(S::F16, MathFunction::Sin, vec![x()]))],
        out.clone(),
    );
    assert_eq!(owner, Owner::Kernel("uses_it".into()));
    assert_eq!(
        what,
        "`f16::sin` is not available on Vulkan yet: dpex's math library does not implement it"
    );
    let (_, what) = unsupported(
        vec![store(
            0,
            gid(0),
            math(S::F16, MathFunction::Cbrt, vec![x()]),
        )],
        out,
    );
    assert!(what.contains("`f16::cbrt`"), "{what}");
    // In a device function, the function is named.
    let sin = function(
        "sine",
        vec![scalar("v", S::F16)],
        Some(S::F16),
        vec![],
        vec![ret(math(S::F16, MathFunction::Sin, vec![param(S::F16, 0)]))],
    );
    let k = kernel(
        "calls_sine",
        1,
        vec![tensor("x", S::F16, Access::ReadWrite)],
        vec![],
        vec![store(
            0,
            gid(0),
            call(S::F16, 0, vec![val(load(S::F16, 0, gid(0)))]),
        )],
    );
    let module = Module {
        functions: vec![sin],
        kernels: vec![k],
    };
    let err = emit_vulkan(&module, &VulkanOptions::default()).expect_err("unsupported");
    assert!(
        matches!(&err, EmitError::Unsupported { owner: Owner::Function(name), .. } if name == "sine"),
        "{err:?}"
    );
}

#[test]
fn a_vulkan_module_holds_exactly_one_kernel() {
    let two = Module {
        functions: vec![],
        kernels: vec![vector_add(), control_flow_kernel()],
    };
    assert_eq!(
        emit_vulkan(&two, &VulkanOptions::default()),
        Err(EmitError::KernelCount { count: 2 })
    );
    assert_eq!(
        emit_vulkan(&Module::default(), &VulkanOptions::default()),
        Err(EmitError::KernelCount { count: 0 })
    );
}

#[test]
fn emission_is_deterministic() {
    let a = emit_vulkan(&clamped_module(), &VulkanOptions::default()).expect("emit");
    let b = emit_vulkan(&clamped_module(), &VulkanOptions::default()).expect("emit");
    assert_eq!(a, b);
}

#[test]
fn float_remainders_call_the_exact_fmod_helper() {
    let rem = |t: S| {
        kernel(
            &format!("rem_{t}"),
            1,
            vec![tensor("x", t, Access::ReadWrite)],
            vec![],
            vec![store(
                0,
                gid(0),
                bin(B::Rem, load(t, 0, gid(0)), load(t, 0, int(S::U64, 0))),
            )],
        )
    };
    for t in [S::F16, S::F32, S::F64] {
        let (_, text) = emit(&format!("rem_{t}"), &single(rem(t)));
        assert!(text.contains(&format!("\"__dpex_fmod_{t}\"")), "{text}");
        assert!(!text.contains("OpFRem"), "{text}");
    }
}

/// Work-group memory holds floats as their bits, so float atomics there need no cast of a
/// (logical) `Workgroup` pointer.
#[test]
fn work_group_floats_are_held_as_bits() {
    let scratch = Memory::Local(ParamId(1));
    let k = kernel_with_arrays(
        "local_float_atomics",
        1,
        vec![
            tensor("out", S::F32, Access::ReadWrite),
            local_param("scratch", S::F32),
        ],
        vec![],
        vec![],
        vec![store(
            0,
            gid(0),
            atomic(
                S::F32,
                AtomicOp::Add,
                scratch,
                int(S::U64, 0),
                vec![load(S::F32, 0, gid(0))],
                MemoryOrder::Relaxed,
                Scope::WorkGroup,
            ),
        )],
    );
    let (_, text) = emit("local_float_atomics", &single(k));
    let float = text
        .lines()
        .find_map(|l| l.strip_suffix(" = OpTypeFloat 32"))
        .expect("f32 type")
        .to_owned();
    assert!(
        !text.contains(&format!("OpTypePointer Workgroup {float}\n")),
        "{text}"
    );
    assert!(text.contains("OpAtomicCompareExchange"), "{text}");
}

/// A block of at most `PUSH_BLOCK_WORDS` words is the push constants themselves; a larger one
/// is read through its address, as `Aligned 8` loads of `PhysicalStorageBuffer` words.
#[test]
fn small_argument_blocks_live_in_the_push_constants_larger_ones_in_memory() {
    // vector_add: the range and three tensors of four words: 15 words.
    let (vk, text) = emit("vector_add", &single(vector_add()));
    assert_eq!(vk.interface.block_words, 15);
    assert!(vk.interface.block_in_push_constants());
    assert!(text.contains("OpMemberName %"), "{text}");
    assert!(text.contains("0 \"words\""), "{text}");
    assert!(!text.contains("Aligned 8"), "{text}");
    // Four tensors: 20 words, more than the push constants hold.
    let mut big = vector_add();
    big.params.push(tensor("d", S::F32, Access::Read));
    let (vk, text) = emit("vector_add", &single(big));
    assert!(vk.interface.block_words > dpex_abi::vulkan::PUSH_BLOCK_WORDS);
    assert!(!vk.interface.block_in_push_constants());
    assert!(text.contains("0 \"arguments\""), "{text}");
    assert!(text.contains("Aligned 8"), "{text}");
}
