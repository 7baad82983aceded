//! `f64` to IEEE half-precision conversion for `f16` literals: round to nearest, ties to even,
//! with subnormals, overflow to infinity and quiet NaNs, exactly as Rust's `x as f16`.

/// The bits of the `f16` nearest to `x` (ties to even). A NaN stays a quiet NaN with the top
/// bits of its payload and its sign.
pub(super) fn f64_to_f16_bits(x: f64) -> u16 {
    let bits = x.to_bits();
    let sign = ((bits >> 48) & 0x8000) as u16;
    let exponent = ((bits >> 52) & 0x7ff) as i32;
    let mantissa = bits & ((1 << 52) - 1);
    if exponent == 0x7ff {
        let nan = if mantissa == 0 {
            0
        } else {
            0x0200 | (mantissa >> 42) as u16
        };
        return sign | 0x7c00 | nan;
    }
    // f64 subnormals are far below half of f16's least subnormal (2^-24).
    let e = exponent - 1023;
    if exponent == 0 || e < -25 {
        return sign;
    }
    if e > 15 {
        return sign | 0x7c00;
    }
    // x = significand * 2^(e - 52); keep the bits of f16's quantum, 2^(max(e, -14) - 10).
    let significand = (1u64 << 52) | mantissa;
    let dropped = 42 + (-14 - e).max(0) as u32;
    let kept = significand >> dropped;
    let rest = significand & ((1 << dropped) - 1);
    let half = 1u64 << (dropped - 1);
    let round_up = rest > half || (rest == half && kept & 1 == 1);
    let rounded = kept + u64::from(round_up);
    // A normal f16 is ((e + 15) << 10) + (kept - 2^10); a carry out of the mantissa moves
    // into the exponent, and past the largest finite value gives infinity (0x7c00).
    let base = if e >= -14 { ((e + 14) as u64) << 10 } else { 0 };
    sign | (base + rounded) as u16
}

/// The exact value of finite `f16` bits.
pub(super) fn f16_bits_to_f64(h: u16) -> f64 {
    let magnitude = f64::from(h & 0x3ff);
    let exponent = i32::from((h >> 10) & 0x1f);
    let v = if exponent == 0 {
        magnitude * 2f64.powi(-24)
    } else {
        (1024.0 + magnitude) * 2f64.powi(exponent - 25)
    };
    if h & 0x8000 != 0 {
        -v
    } else {
        v
    }
}

#[cfg(test)]
mod tests {
    use super::{f16_bits_to_f64 as value, f64_to_f16_bits};

    /// The f64 after (`step` = 1) or before (`step` = -1) positive `x`.
    fn neighbour(x: f64, step: i64) -> f64 {
        f64::from_bits(x.to_bits().wrapping_add_signed(step))
    }

    #[test]
    fn every_finite_f16_and_every_midpoint() {
        for h in 0..0x7c00u16 {
            let v = value(h);
            assert_eq!(f64_to_f16_bits(v), h, "{v}");
            assert_eq!(f64_to_f16_bits(-v), h | 0x8000, "{}", -v);
            // The largest finite f16 rounds up to infinity, the next "value" being 2^16.
            let next = if h == 0x7bff { 65536.0 } else { value(h + 1) };
            let mid = (v + next) / 2.0;
            let even = if h & 1 == 0 { h } else { h + 1 };
            assert_eq!(f64_to_f16_bits(mid), even, "tie {mid}");
            assert_eq!(f64_to_f16_bits(neighbour(mid, -1)), h, "below {mid}");
            assert_eq!(f64_to_f16_bits(neighbour(mid, 1)), h + 1, "above {mid}");
        }
    }

    #[test]
    fn specials() {
        assert_eq!(f64_to_f16_bits(0.0), 0);
        assert_eq!(f64_to_f16_bits(-0.0), 0x8000);
        assert_eq!(f64_to_f16_bits(1.0), 0x3c00);
        assert_eq!(f64_to_f16_bits(f64::INFINITY), 0x7c00);
        assert_eq!(f64_to_f16_bits(f64::NEG_INFINITY), 0xfc00);
        assert_eq!(f64_to_f16_bits(1e300), 0x7c00);
        assert_eq!(f64_to_f16_bits(-1e10), 0xfc00);
        assert_eq!(f64_to_f16_bits(1e-300), 0);
        assert_eq!(f64_to_f16_bits(-f64::MIN_POSITIVE / 2.0), 0x8000);
        assert_eq!(f64_to_f16_bits(f64::NAN), 0x7e00);
        assert_eq!(f64_to_f16_bits(-f64::NAN), 0xfe00);
        // A signalling NaN whose payload sits below f16's mantissa stays a NaN.
        assert_eq!(
            f64_to_f16_bits(f64::from_bits(0x7ff0_0000_0000_0001)),
            0x7e00
        );
        assert_eq!(f64_to_f16_bits(std::f64::consts::PI), 0x4248);
    }
}
