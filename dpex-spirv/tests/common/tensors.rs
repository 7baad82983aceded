//! N-d tensor views: kernels and a device function that address elements through their view's
//! offset, extents and strides ([`LayoutField`]), as the front end lowers `x[[i, j]]`.

use dpex_spirv::ir::{
    Access, BinaryOp as B, Expr, Function, Kernel, LayoutField as L, Module, Scalar as S, Statement,
};

use super::builders::{call, function, ret, ten, val};
use super::*;

/// The absolute element index of `tensor[idx[0], idx[1], ...]` (`u64` indices):
/// `offset + idx[0] * stride0 + idx[1] * stride1 + ...`, computed in `i64` (strides may be
/// negative) and cast back to `u64`.
pub fn strided_index(tensor: u32, idx: &[Expr]) -> Expr {
    let mut sum = cast(layout(tensor, L::Offset), S::I64);
    for (axis, i) in idx.iter().enumerate() {
        let term = bin(
            B::Mul,
            cast(i.clone(), S::I64),
            layout(tensor, L::Stride(axis as u32)),
        );
        sum = bin(B::Add, sum, term);
    }
    cast(sum, S::U64)
}

/// `strided_copy(x: &Tensor<f32, 2>, out: &mut Tensor<f32>)` over a 2-d range `(i, j)`:
/// `if i < x.shape0 && j < x.shape1 { out[i * x.shape1 + j] = x[[i, j]] }`, copying any view
/// of `x` into a contiguous row-major `out`.
pub fn strided_copy() -> Kernel {
    let in_range = bin(
        B::LogicalAnd,
        bin(B::Lt, gid(0), layout(0, L::Shape(0))),
        bin(B::Lt, gid(1), layout(0, L::Shape(1))),
    );
    let out_index = bin(B::Add, bin(B::Mul, gid(0), layout(0, L::Shape(1))), gid(1));
    let value = load(S::F32, 0, strided_index(0, &[gid(0), gid(1)]));
    kernel(
        "strided_copy",
        2,
        vec![
            tensor_nd("x", S::F32, Access::Read, 2),
            tensor("out", S::F32, Access::ReadWrite),
        ],
        vec![],
        vec![if_(in_range, vec![store(1, out_index, value)], vec![])],
    )
}

/// `layout_of(x: &Tensor<f32, 2>, out: &mut Tensor<i64>)`: one work-item writes
/// `[offset, shape0, shape1, stride0, stride1, len]` of `x`'s view to `out[0..6]`.
pub fn layout_of() -> Kernel {
    let values = [
        cast(layout(0, L::Offset), S::I64),
        cast(layout(0, L::Shape(0)), S::I64),
        cast(layout(0, L::Shape(1)), S::I64),
        layout(0, L::Stride(0)),
        layout(0, L::Stride(1)),
        cast(len(0), S::I64),
    ];
    let body = values
        .into_iter()
        .enumerate()
        .map(|(k, v)| store(1, int(S::U64, k as u64), v))
        .collect();
    kernel(
        "layout_of",
        1,
        vec![
            tensor_nd("x", S::F32, Access::Read, 2),
            tensor("out", S::I64, Access::ReadWrite),
        ],
        vec![],
        body,
    )
}

/// `fn row_sum(m: &Tensor<f32, 2>, i: u64) -> f32`: the sum of row `i` of `m`'s view,
/// `for j in 0..m.shape1 { acc += m[[i, j]] }`.
pub fn row_sum() -> Function {
    let (j, acc) = (0, 1);
    let i = || param(S::U64, 1);
    function(
        "row_sum",
        vec![tensor_nd("m", S::F32, Access::Read, 2), scalar("i", S::U64)],
        Some(S::F32),
        vec![local("j", S::U64), local("acc", S::F32)],
        vec![
            assign(j, int(S::U64, 0)),
            assign(acc, float(S::F32, 0.0)),
            loop_(
                vec![
                    break_unless_below(j, S::U64, layout(0, L::Shape(1))),
                    assign(
                        acc,
                        bin(
                            B::Add,
                            get(S::F32, acc),
                            load(S::F32, 0, strided_index(0, &[i(), get(S::U64, j)])),
                        ),
                    ),
                ],
                vec![increment(j, S::U64, int(S::U64, 1))],
            ),
            ret(get(S::F32, acc)),
        ],
    )
}

/// Function 0 [`row_sum`] and kernel `row_sums(m: &Tensor<f32, 2>, out: &mut Tensor<f32>)`
/// over a 1-d range: `if i < m.shape0 { out[i] = row_sum(m, i) }`, passing its view through.
pub fn row_sums_module() -> Module {
    let body: Vec<Statement> = vec![if_(
        bin(B::Lt, gid(0), layout(0, L::Shape(0))),
        vec![store(1, gid(0), call(S::F32, 0, vec![ten(0), val(gid(0))]))],
        vec![],
    )];
    let k = kernel(
        "row_sums",
        1,
        vec![
            tensor_nd("m", S::F32, Access::Read, 2),
            tensor("out", S::F32, Access::ReadWrite),
        ],
        vec![],
        body,
    );
    Module {
        functions: vec![row_sum()],
        kernels: vec![k],
    }
}

/// The id (`%N`) that `OpName` gives `name` in disassembly `text`.
pub fn id_named(text: &str, name: &str) -> String {
    let needle = format!(" \"{name}\"");
    text.lines()
        .filter_map(|line| line.strip_prefix("OpName "))
        .find_map(|rest| rest.strip_suffix(needle.as_str()))
        .unwrap_or_else(|| panic!("no OpName {name:?} in:\n{text}"))
        .to_owned()
}
