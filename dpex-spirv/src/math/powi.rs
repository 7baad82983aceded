//! `powi` as the host computes it: compiler-rt's `__powisf2`/`__powidf2`, repeated squaring
//! in the type itself, so that the device's results are bit-identical to the host's.

use super::build::{float, int, sel, Builder, V};
use crate::ir::Scalar;

/// `x.powi(n)` for `x` of the float type `ty` and an `i32` `n`: `r = 1`, then for each bit
/// of `|n|` from the lowest, `r *= x` where it is set and `x *= x` before the next one;
/// `1 / r` for negative `n`.
pub(crate) fn powi(b: &mut Builder, ty: Scalar, x: V, n: V) -> V {
    let n = b.let_("pn", n);
    let base = b.var("pbase", x);
    let e = b.var("pe", n.clone());
    let r = b.var("pr", float(ty, 1.0));
    b.loop_(|b| {
        let odd = (b.get(e) & int(Scalar::I32, 1)).ne(int(Scalar::I32, 0));
        b.when(odd, |b| {
            let product = b.get(r) * b.get(base);
            b.set(r, product);
        });
        // Division truncates toward zero, as C's does.
        let half = b.get(e) / int(Scalar::I32, 2);
        b.set(e, half);
        b.when(b.get(e).eq(int(Scalar::I32, 0)), |b| b.break_());
        let square = b.get(base) * b.get(base);
        b.set(base, square);
    });
    let r = b.get(r);
    sel(n.lt(int(Scalar::I32, 0)), float(ty, 1.0) / r.clone(), r)
}
