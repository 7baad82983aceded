//! N-d tensor parameters: their `2 + 2 * dims` function parameters (names, types,
//! decorations), `len()` as the product of the extents, layout reads, and tensors passed
//! through calls; each module validated by `spirv-val`.

mod common;

use common::builders::*;
use common::tensors::*;
use common::*;
use dpex_spirv::ir::{Access, LayoutField as L, Module, Scalar as S};

/// The operand ids of the kernel's or function's `OpTypeFunction` line with result `%id`.
fn function_type<'t>(text: &'t str, function: &str) -> Vec<&'t str> {
    let f = id_named(text, function);
    let ty = text
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{f} = OpFunction ")))
        .and_then(|rest| rest.split_whitespace().last())
        .unwrap_or_else(|| panic!("no OpFunction {f}:\n{text}"));
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("{ty} = OpTypeFunction ")))
        .unwrap_or_else(|| panic!("no OpTypeFunction {ty}:\n{text}"))
        .split_whitespace()
        .skip(1)
        .collect()
}

#[test]
fn two_d_view_parameters_are_named_typed_and_decorated() {
    let text = emit_valid("strided_copy", vec![strided_copy()]);
    let names = [
        "x",
        "x.offset",
        "x.shape0",
        "x.shape1",
        "x.stride0",
        "x.stride1",
        "out",
        "out.offset",
        "out.shape0",
        "out.stride0",
    ];
    let ids: Vec<String> = names.iter().map(|n| id_named(&text, n)).collect();
    // The parameters come in ABI order: pointer, offset, extents, strides.
    let params: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("= OpFunctionParameter"))
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert_eq!(params, ids, "{text}");
    // Pointer, then nine 64-bit integers (one integer type: signedness 0 in OpenCL).
    let types = function_type(&text, "strided_copy");
    assert_eq!(types.len(), 10, "{text}");
    assert_eq!(types[0], types[6], "both pointers to f32:\n{text}");
    let int = types[1];
    for (k, ty) in types.iter().enumerate().filter(|&(k, _)| k != 0 && k != 6) {
        assert_eq!(*ty, int, "parameter {k} is a 64-bit integer:\n{text}");
    }
    assert!(text.contains(&format!("{int} = OpTypeInt 64 0")), "{text}");
    // The access attributes stay on the pointers only.
    let decorated: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("FuncParamAttr"))
        .collect();
    assert_eq!(
        decorated,
        [
            format!("OpDecorate {} FuncParamAttr NoWrite", ids[0]),
            format!("OpDecorate {} FuncParamAttr NoAlias", ids[6]),
        ],
        "{text}"
    );
    // The element read indexes the buffer pointer itself with the front end's index.
    assert!(
        text.contains(&format!(
            "= OpInBoundsPtrAccessChain  {}  {} ",
            types[0], ids[0]
        )),
        "{text}"
    );
}

#[test]
fn len_is_the_product_of_the_extents() {
    // out[0] = x.len() for x of 1, 2, 3 and 4 axes.
    for dims in 1..=4u32 {
        let name = format!("len{dims}");
        let k = kernel(
            &name,
            1,
            vec![
                tensor_nd("x", S::F32, Access::Read, dims),
                tensor("out", S::U64, Access::ReadWrite),
            ],
            vec![],
            vec![store(1, int(S::U64, 0), len(0))],
        );
        let text = emit_valid(&name, vec![k]);
        let shapes: Vec<String> = (0..dims)
            .map(|a| id_named(&text, &format!("x.shape{a}")))
            .collect();
        let muls: Vec<&str> = text.lines().filter(|l| l.contains("OpIMul")).collect();
        assert_eq!(muls.len(), dims as usize - 1, "{text}");
        // ((shape0 * shape1) * shape2) * shape3, stored as is.
        let mut product = shapes[0].clone();
        for (mul, shape) in muls.iter().zip(&shapes[1..]) {
            assert!(
                mul.ends_with(&format!(" {product} {shape}")),
                "{mul}\n{text}"
            );
            product = mul.split_whitespace().next().unwrap_or_default().to_owned();
        }
        let stored = text
            .lines()
            .find(|l| l.starts_with("OpStore"))
            .unwrap_or_default();
        assert!(stored.contains(&format!(" {product} ")), "{stored}\n{text}");
    }
}

#[test]
fn layout_reads_are_the_parameters_of_a_four_d_view() {
    // out[k] = each of offset, shape0..3, stride0..3 (as i64) of a 4-d `&mut` view.
    let mut fields = vec![L::Offset];
    fields.extend((0..4).map(L::Shape));
    fields.extend((0..4).map(L::Stride));
    let body = fields
        .iter()
        .enumerate()
        .map(|(k, &f)| {
            let v = layout(0, f);
            let v = if v.ty == S::I64 { v } else { cast(v, S::I64) };
            store(1, int(S::U64, k as u64), v)
        })
        .collect();
    let k = kernel(
        "layout4",
        1,
        vec![
            tensor_nd("t", S::F32, Access::ReadWrite, 4),
            tensor("out", S::I64, Access::ReadWrite),
        ],
        vec![],
        body,
    );
    let text = emit_valid("layout4", vec![k]);
    let mut names = vec!["t.offset".to_owned()];
    names.extend((0..4).map(|a| format!("t.shape{a}")));
    names.extend((0..4).map(|a| format!("t.stride{a}")));
    let stores: Vec<&str> = text.lines().filter(|l| l.starts_with("OpStore")).collect();
    assert_eq!(stores.len(), names.len(), "{text}");
    for (store, name) in stores.iter().zip(&names) {
        let id = id_named(&text, name);
        assert!(
            store.contains(&format!(" {id} ")),
            "{name}: {store}\n{text}"
        );
    }
    assert_eq!(function_type(&text, "layout4").len(), 10 + 4, "{text}");
}

#[test]
fn a_function_taking_a_two_d_view_gets_all_of_the_callers_values() {
    let module = row_sums_module();
    let text = emit_module_valid("row_sums", &module);
    // The function declares the same ABI, `m` read-only (NoWrite), the result an f32.
    let mut names = vec!["m".to_owned(), "m.offset".to_owned()];
    names.extend((0..2).map(|a| format!("m.shape{a}")));
    names.extend((0..2).map(|a| format!("m.stride{a}")));
    assert_eq!(function_type(&text, "row_sum").len(), 7, "{text}");
    assert_eq!(
        text.matches("FuncParamAttr NoWrite").count(),
        2,
        "the kernel's and the function's `m`:\n{text}"
    );
    // The kernel passes its six values of `m` in order, then the row.
    let kernel_params: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("= OpFunctionParameter"))
        .filter_map(|l| l.split_whitespace().next())
        .skip(7)
        .take(6)
        .collect();
    let call = text
        .lines()
        .find(|l| l.contains("OpFunctionCall"))
        .unwrap_or_else(|| panic!("no call:\n{text}"));
    let f = id_named(&text, "row_sum");
    assert!(
        call.contains(&format!(" {f} {} ", kernel_params.join(" "))),
        "{call}\n{text}"
    );
    for name in &names {
        assert_eq!(
            text.matches(&format!(" \"{name}\"")).count(),
            2,
            "{name}:\n{text}"
        );
    }
}

#[test]
fn a_mutable_view_passed_to_a_function_is_not_no_alias_there() {
    // fn put(y: &mut Tensor<f32, 3>, v: f32) { y[y.offset] = v }, called from a kernel.
    let put = function(
        "put",
        vec![
            tensor_nd("y", S::F32, Access::ReadWrite, 3),
            scalar("v", S::F32),
        ],
        None,
        vec![],
        vec![store(0, layout(0, L::Offset), param(S::F32, 1))],
    );
    let k = kernel(
        "caller",
        1,
        vec![tensor_nd("t", S::F32, Access::ReadWrite, 3)],
        vec![],
        vec![call_stmt(0, vec![ten(0), val(float(S::F32, 1.5))])],
    );
    let module = Module {
        functions: vec![put],
        kernels: vec![k],
    };
    let text = emit_module_valid("put", &module);
    let decorated: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("FuncParamAttr"))
        .collect();
    let t = id_named(&text, "t");
    assert_eq!(
        decorated,
        [format!("OpDecorate {t} FuncParamAttr NoAlias")],
        "{text}"
    );
    let call = text
        .lines()
        .find(|l| l.contains("OpFunctionCall"))
        .unwrap_or_default();
    // Pointer, offset, 3 extents, 3 strides and the value.
    assert_eq!(call.split_whitespace().count(), 5 + 8 + 1, "{call}");
}
