//! Error reporting: the error record's hidden parameters and `Statement::Fail`, in kernels and
//! in device functions called from kernels, each module validated by `spirv-val`.

mod common;

use common::builders::*;
use common::report::*;
use common::tensors::id_named;
use common::*;
use dpex_spirv::disasm::disassemble;
use dpex_spirv::ir::{Access, Check, Module, Scalar as S};
use dpex_spirv::{emit_opencl, required_features, Features, Options};

fn single(kernel: dpex_spirv::ir::Kernel) -> Module {
    Module {
        functions: vec![],
        kernels: vec![kernel],
    }
}

/// The operand ids of the `OpTypeFunction` whose result id is the function type of `%id`.
fn function_type_of<'a>(text: &'a str, id: &str) -> Vec<&'a str> {
    let def = format!("{id} = OpFunction ");
    let ty = text
        .lines()
        .find_map(|l| l.strip_prefix(def.as_str()))
        .and_then(|rest| rest.split_whitespace().last())
        .unwrap_or_else(|| panic!("no OpFunction {id}"));
    let type_def = format!("{ty} = OpTypeFunction ");
    text.lines()
        .find_map(|l| l.strip_prefix(type_def.as_str()))
        .unwrap_or_else(|| panic!("no OpTypeFunction {ty}"))
        .split_whitespace()
        .collect()
}

/// The argument count of an `%r = OpFunctionCall %type %function args...` line.
fn call_args(line: &str) -> usize {
    line.split_whitespace().count() - 5
}

#[test]
fn kernel_takes_the_record_last_and_claims_word_0_with_a_32_bit_cas() {
    let text = emit_module_valid("bounded", &single(bounded()));
    let kernel = id_named(&text, "bounded");
    let record = id_named(&text, "dpex.errors");
    id_named(&text, "dpex.work_item");
    // void, then out (ptr, offset, shape0, stride0), then the record.
    let ty = function_type_of(&text, &kernel);
    assert_eq!(ty.len(), 6, "{ty:?}");
    assert_eq!(
        ty[5], ty[1],
        "the record is a CrossWorkgroup pointer like out's (u64)"
    );
    assert!(text.contains(&format!("OpDecorate {record} FuncParamAttr NoAlias")));
    assert!(text.contains("OpAtomicCompareExchange"));
    assert!(!text.contains("Int64Atomics"), "{text}");
    // The status word is viewed as a u32; words 1 to 4 are plain aligned u64 stores.
    let cas = text
        .lines()
        .find(|l| l.contains("OpAtomicCompareExchange"))
        .unwrap_or_default();
    let uint = text
        .lines()
        .find_map(|l| l.strip_suffix(" = OpTypeInt 32 0"))
        .unwrap_or_else(|| panic!("no u32 type"));
    let cas: Vec<&str> = cas.split_whitespace().collect();
    assert_eq!(cas.get(3), Some(&uint), "{cas:?}");
    assert_eq!(text.matches("Aligned 8").count(), 4 + 2, "{text}");
}

#[test]
fn kernels_of_every_dimension_compute_their_linear_id() {
    for dims in 1..=3 {
        let text = emit_module_valid("all_fail", &single(all_fail(dims)));
        assert!(text.contains("BuiltIn GlobalInvocationId"));
        assert_eq!(text.contains("BuiltIn GlobalSize"), dims > 1, "{text}");
    }
}

#[test]
fn later_versions_list_the_builtins_of_the_linear_id_in_the_interface() {
    let words = emit_opencl(
        &single(all_fail(3)),
        &Options {
            version: (1, 4),
            ..Options::default()
        },
    )
    .unwrap()
    .words
    .into_owned();
    validate_env("all_fail_3d_spv14", &words, "spv1.4");
}

#[test]
fn functions_take_the_record_and_the_linear_id_and_forward_them() {
    let module = clamped_module();
    let text = emit_module_valid("clamped", &module);
    for (name, params) in [("clamp_index", 2), ("outer", 2)] {
        let id = id_named(&text, name);
        let ty = function_type_of(&text, &id);
        assert_eq!(ty.len(), 1 + params + 2, "{name}: {ty:?}");
    }
    assert_eq!(text.matches("\"dpex.errors\"").count(), 3, "{text}");
    assert_eq!(text.matches("\"dpex.work_item\"").count(), 3, "{text}");
    // Every call passes the callee's two parameters and the two hidden values (the calls of
    // the out-of-line report helper, `__dpex_report`, pass its six).
    let report = id_named(&text, "__dpex_report");
    let calls_report = |l: &str| l.split_whitespace().nth(4) == Some(report.as_str());
    for line in text.lines().filter(|l| l.contains("OpFunctionCall")) {
        let expected = if calls_report(line) { 6 } else { 2 + 2 };
        assert_eq!(call_args(line), expected, "{line}");
    }
    assert_eq!(required_features(&module), Features::default());
}

#[test]
fn a_statement_call_forwards_the_hidden_values_too() {
    let mut module = clamped_module();
    module.kernels[0]
        .body
        .push(call_stmt(1, vec![val(gid(1)), val(gid(0))]));
    emit_module_valid("clamped_stmt", &module);
}

#[test]
fn reporting_kernels_without_failures_and_failures_in_loops_validate() {
    emit_module_valid("quiet", &single(reporting(vector_add())));
    let counted = reporting(kernel(
        "counted",
        1,
        vec![tensor("out", S::U32, Access::ReadWrite)],
        vec![local("i", S::U64)],
        vec![
            assign(0, int(S::U64, 0)),
            loop_(
                vec![
                    break_unless_below(0, S::U64, len(0)),
                    if_(
                        bin(dpex_spirv::ir::BinaryOp::Gt, get(S::U64, 0), gid(0)),
                        vec![
                            fail(Check::DivideOverflow, 0, get(S::U64, 0), int(S::U64, 0)),
                            dpex_spirv::ir::Statement::Continue,
                        ],
                        vec![],
                    ),
                    store(0, get(S::U64, 0), int(S::U32, 1)),
                ],
                vec![increment(0, S::U64, int(S::U64, 1))],
            ),
            fail(Check::OutOfBounds, 0, gid(0), len(0)),
        ],
    ));
    emit_module_valid("counted", &single(counted));
}

#[test]
fn modules_that_do_not_report_errors_are_unchanged() {
    let mut module = clamped_module();
    // Without the failure, the same functions in a module that does not report errors.
    module.functions[0].body.remove(0);
    module.kernels[0].reports_errors = false;
    let text = emit_module_valid("unreported", &module);
    assert!(!text.contains("dpex."), "{text}");
    let id = id_named(&text, "clamp_index");
    assert_eq!(function_type_of(&text, &id).len(), 3);
    for line in text.lines().filter(|l| l.contains("OpFunctionCall")) {
        assert_eq!(call_args(line), 2, "{line}");
    }
    let plain = emit_opencl(&single(vector_add()), &Options::default())
        .unwrap()
        .words
        .into_owned();
    let golden = include_str!("golden/vector_add.spvasm");
    assert_eq!(disassemble(&plain).unwrap().trim(), golden.trim());
}

#[test]
fn kernels_without_functions_may_differ_in_reporting() {
    let module = Module {
        functions: vec![],
        kernels: vec![bounded(), vector_add()],
    };
    let text = emit_module_valid("mixed", &module);
    let plain = id_named(&text, "vector_add");
    assert_eq!(function_type_of(&text, &plain).len(), 1 + 3 * 4, "{text}");
    let reporting = id_named(&text, "bounded");
    assert_eq!(
        function_type_of(&text, &reporting).len(),
        1 + 4 + 1,
        "{text}"
    );
}

/// The OpenCL interface comes from the emitter, one entry per parameter at the index of its
/// first `OpFunctionParameter`, the error record's pointer last; it is the layout that
/// `dpex_abi::opencl::Interface::layout` describes.
#[test]
fn the_opencl_interface_lists_the_arguments_the_entry_point_declares() {
    use dpex_abi::opencl::Interface;
    use dpex_abi::ParamShape;
    let mut k = kernel(
        "interface",
        2,
        vec![
            scalar("a", S::F32),
            tensor_nd("x", S::F32, Access::Read, 2),
            dpex_spirv::ir::Param {
                name: "tmp".into(),
                kind: dpex_spirv::ir::ParamKind::Local {
                    elem: S::F32,
                    dims: 1,
                },
            },
            scalar("flag", S::Bool),
        ],
        vec![],
        vec![],
    );
    k.reports_errors = true;
    let emitted = emit_opencl(&single(k), &Options::default()).expect("emit");
    let [kernel] = &emitted.kernels[..] else {
        panic!("one kernel: {:?}", emitted.kernels);
    };
    assert_eq!(kernel.name, "interface");
    let interface = &kernel.interface;
    assert_eq!((interface.error_record, interface.args), (Some(10), 11));
    let shapes = [
        ParamShape::Scalar,
        ParamShape::Tensor { dims: 2 },
        ParamShape::Local { dims: 1 },
        ParamShape::Scalar,
    ];
    assert_eq!(*interface, Interface::layout(&shapes, true));
    let text = disassemble(&emitted.words).expect("disassemble");
    let entry = id_named(&text, "interface");
    let parameters = text
        .lines()
        .skip_while(|l| !l.starts_with(&format!("{entry} = OpFunction ")))
        .skip(1)
        .take_while(|l| l.contains("OpFunctionParameter"))
        .count();
    assert_eq!(parameters, 11, "{text}");
}
