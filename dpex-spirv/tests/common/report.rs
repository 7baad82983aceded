//! Kernels and functions that report failed checks ([`Statement::Fail`]) through the error
//! record, shared by the emitter and device tests.

use dpex_spirv::ir::{BinaryOp as B, Scalar as S, *};

use super::builders::{call, function, ret, val};
use super::{bin, gid, gsize, if_, int, kernel, param, store, tensor};

/// Word 1 of a failure in private array 5: `2 << 32 | 5`.
pub const PRIVATE_5: u64 = 2 << 32 | 5;

/// `Fail { check, what, index, len }`.
pub fn fail(check: Check, what: u64, index: Expr, len: Expr) -> Statement {
    Statement::Fail {
        check,
        what,
        index,
        len,
    }
}

/// `kernel` with `reports_errors` set.
pub fn reporting(mut kernel: Kernel) -> Kernel {
    kernel.reports_errors = true;
    kernel
}

/// The global linear id computed in the IR, dimension 0 fastest:
/// `gid(0) + gid(1) * gsize(0) + gid(2) * gsize(0) * gsize(1)` over `dims` dimensions.
pub fn linear_id(dims: u32) -> Expr {
    let mut id = gid(0);
    let mut stride = int(S::U64, 1);
    for d in 1..dims {
        stride = bin(B::Mul, stride, gsize(d - 1));
        id = bin(B::Add, id, bin(B::Mul, gid(d), stride.clone()));
    }
    id
}

/// `fn bounded(item: Item<1>, out: &mut Tensor<u64>)` (reporting, `out` of at least 32
/// elements): work-items below 10 store `out[gid] = gid + 1`, the others record
/// `Fail { OutOfBounds, what: 3, index: gid, len: 10 }` instead; then every work-item stores
/// `out[16 + gid] = 7`, showing that execution goes on after a failure.
pub fn bounded() -> Kernel {
    reporting(kernel(
        "bounded",
        1,
        vec![tensor("out", S::U64, Access::ReadWrite)],
        vec![],
        vec![
            if_(
                bin(B::Ge, gid(0), int(S::U64, 10)),
                vec![fail(Check::OutOfBounds, 3, gid(0), int(S::U64, 10))],
                vec![store(0, gid(0), bin(B::Add, gid(0), int(S::U64, 1)))],
            ),
            store(0, bin(B::Add, gid(0), int(S::U64, 16)), int(S::U64, 7)),
        ],
    ))
}

/// A reporting kernel of `dims` dimensions and no parameters whose every work-item records
/// `Fail { DivideByZero, what: 0, index: <its linear id computed in the IR>, len: 7 }`.
pub fn all_fail(dims: u32) -> Kernel {
    reporting(kernel(
        &format!("all_fail_{dims}d"),
        dims,
        vec![],
        vec![],
        vec![fail(
            Check::DivideByZero,
            0,
            linear_id(dims),
            int(S::U64, 7),
        )],
    ))
}

/// Functions 0 and 1 and a 2-d reporting kernel calling them:
///
/// ```text
/// fn clamp_index(i: u64, n: u64) -> u64 {
///     if i >= n { Fail { OutOfBounds, what: PRIVATE_5, index: i, len: n }; return n - 1 }
///     return i
/// }
/// fn outer(i: u64, n: u64) -> u64 { return clamp_index(i, n) }
/// fn clamped(item: Item<2>, out: &mut Tensor<u64>) {
///     out[gid(0) + gid(1) * gsize(0)] = outer(gid(0), 5)
/// }
/// ```
pub fn clamped_module() -> Module {
    let (i, n) = (param(S::U64, 0), param(S::U64, 1));
    let clamp_index = function(
        "clamp_index",
        vec![super::scalar("i", S::U64), super::scalar("n", S::U64)],
        Some(S::U64),
        vec![],
        vec![
            if_(
                bin(B::Ge, i.clone(), n.clone()),
                vec![
                    fail(Check::OutOfBounds, PRIVATE_5, i.clone(), n.clone()),
                    ret(bin(B::Sub, n.clone(), int(S::U64, 1))),
                ],
                vec![],
            ),
            ret(i.clone()),
        ],
    );
    let outer = function(
        "outer",
        vec![super::scalar("i", S::U64), super::scalar("n", S::U64)],
        Some(S::U64),
        vec![],
        vec![ret(call(S::U64, 0, vec![val(i), val(n)]))],
    );
    let clamped = reporting(kernel(
        "clamped",
        2,
        vec![tensor("out", S::U64, Access::ReadWrite)],
        vec![],
        vec![store(
            0,
            linear_id(2),
            call(S::U64, 1, vec![val(gid(0)), val(int(S::U64, 5))]),
        )],
    ));
    Module {
        functions: vec![clamp_index, outer],
        kernels: vec![clamped],
    }
}
