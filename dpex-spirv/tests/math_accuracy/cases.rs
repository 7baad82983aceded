//! The (function, precision) pairs under test: their inputs, host references and bounds.

use dpex_spirv::ir::{MathFunction as M, Scalar};

use super::inputs::{specials, Gen};

/// One (function, precision) pair.
pub struct Case {
    /// The function.
    pub fun: M,
    /// Its name in the library (`__dpex_<name>_<ty>`).
    pub name: &'static str,
    /// The precision.
    pub ty: Scalar,
    /// The largest error allowed, in ulps.
    pub bound: f64,
    /// `n` operand rows (one vector per operand) of values of `ty`.
    pub inputs: fn(Scalar, usize) -> Vec<Vec<f64>>,
    /// The exact (or most accurate available) value at the operands.
    pub reference: fn(&[f64]) -> f64,
}

/// Every case, in the order of the table.
pub fn cases() -> Vec<Case> {
    let both = |fun, name, bounds: [f64; 2], inputs, reference: [fn(&[f64]) -> f64; 2]| {
        [
            Case {
                fun,
                name,
                ty: Scalar::F32,
                bound: bounds[0],
                inputs,
                reference: reference[0],
            },
            Case {
                fun,
                name,
                ty: Scalar::F64,
                bound: bounds[1],
                inputs,
                reference: reference[1],
            },
        ]
    };
    [both(
        M::MulAdd,
        "mul_add",
        [0.0, 0.0],
        fma_inputs,
        [
            |a| f64::from((a[0] as f32).mul_add(a[1] as f32, a[2] as f32)),
            |a| a[0].mul_add(a[1], a[2]),
        ],
    )]
    .into_iter()
    .flatten()
    .collect()
}

/// Operands of `mul_add`: random bits, cancellations, subnormal and overflowing results,
/// exact halfway cases, and every combination of special values.
fn fma_inputs(ty: Scalar, n: usize) -> Vec<Vec<f64>> {
    let mut g = Gen::new(ty, 0xf3a);
    let (emin, emax, digits) = if ty == Scalar::F32 {
        (-149.0, 128.0, 24)
    } else {
        (-1074.0, 1024.0, 53)
    };
    let s = specials(ty);
    let mut rows: Vec<[f64; 3]> = vec![];
    for &x in &s {
        for &a in &s {
            for &c in &s {
                rows.push([x, a, c]);
            }
        }
    }
    let rest = n.saturating_sub(rows.len());
    for k in 0..rest {
        let row = match k % 6 {
            0 => [g.bits(), g.bits(), g.bits()],
            // x * a + c cancels: c is -(x * a) rounded, nudged by a few ulps.
            1 => {
                let x = g.log_uniform(-60.0, 60.0, true);
                let a = g.log_uniform(-60.0, 60.0, true);
                let p = g.of(-(x * a));
                let nudge = (g.raw() % 5) as i64 - 2;
                let c = if ty == Scalar::F32 {
                    f64::from(f32::from_bits(
                        (p as f32).to_bits().wrapping_add(nudge as u32),
                    ))
                } else {
                    f64::from_bits(p.to_bits().wrapping_add(nudge as u64))
                };
                [x, a, c]
            }
            // Results near and below the smallest normal.
            2 => {
                let ex = g.log_uniform(emin / 2.0 - 30.0, emin / 2.0 + 30.0, true);
                let a = g.log_uniform(emin / 2.0 - 30.0, emin / 2.0 + 30.0, true);
                let c = if g.coin() {
                    g.log_uniform(emin, emin + 60.0, true)
                } else {
                    0.0
                };
                [ex, a, c]
            }
            // Results near overflow.
            3 => {
                let x = g.log_uniform(emax / 2.0 - 3.0, emax / 2.0 + 3.0, true);
                let a = g.log_uniform(emax / 2.0 - 3.0, emax / 2.0 + 3.0, true);
                let c = g.log_uniform(emax - 3.0, emax, true);
                [x, a, c]
            }
            // Exact products near 2^digits plus small addends: halfway cases.
            4 => {
                let half = 1u64 << (digits / 2 + 1);
                let x = (half + g.raw() % half) as f64;
                let a = (half + g.raw() % half) as f64;
                let c = [0.5, -0.5, 0.25, -1.0, 1e-30, -1e-30, 1.5][(g.raw() % 7) as usize];
                [g.of(x), g.of(a), g.of(c)]
            }
            // Operands of very different sizes.
            _ => [
                g.log_uniform(emin, emax, true),
                g.log_uniform(emin, emax, true),
                g.log_uniform(emin, emax, true),
            ],
        };
        rows.push(row);
    }
    (0..3)
        .map(|k| rows.iter().map(|r| r[k]).collect())
        .collect()
}
