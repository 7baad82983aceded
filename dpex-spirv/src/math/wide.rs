//! 128-bit unsigned integers as pairs of `u64` values, for the exact `f64` fma and the
//! Payne-Hanek reduction of `sin`, `cos` and `tan`.

use super::build::{sel, u, Builder, V};

/// An unsigned 128-bit integer `hi * 2^64 + lo`.
#[derive(Clone, Debug)]
pub(crate) struct U128 {
    /// The high 64 bits.
    pub(crate) hi: V,
    /// The low 64 bits.
    pub(crate) lo: V,
}

impl Builder {
    /// `a * b` for `u64` values below 2^53, exactly.
    pub(crate) fn mul_53(&mut self, a: V, b: V) -> U128 {
        let mask = u(0xffff_ffff);
        let (a, b) = (self.let_("w_a", a), self.let_("w_b", b));
        let (ah, al) = (
            self.let_("w_ah", a.clone() >> u(32)),
            self.let_("w_al", a & mask.clone()),
        );
        let (bh, bl) = (
            self.let_("w_bh", b.clone() >> u(32)),
            self.let_("w_bl", b & mask),
        );
        let ll = self.let_("w_ll", al.clone() * bl.clone());
        // Both cross products are below 2^53, so their sum does not wrap.
        let mid = self.let_("w_mid", al * bh.clone() + ah.clone() * bl);
        let lo = self.let_("w_lo", ll.clone() + (mid.clone() << u(32)));
        let carry = sel(lo.clone().lt(ll), u(1), u(0));
        let hi = self.let_("w_hi", ah * bh + (mid >> u(32)) + carry);
        U128 { hi, lo }
    }

    /// `a * b` for any `u64` values, exactly.
    pub(crate) fn mul_64(&mut self, a: V, b: V) -> U128 {
        let mask = u(0xffff_ffff);
        let (a, b) = (self.let_("m_a", a), self.let_("m_b", b));
        let (ah, al) = (
            self.let_("m_ah", a.clone() >> u(32)),
            self.let_("m_al", a & mask.clone()),
        );
        let (bh, bl) = (
            self.let_("m_bh", b.clone() >> u(32)),
            self.let_("m_bl", b & mask.clone()),
        );
        let ll = self.let_("m_ll", al.clone() * bl.clone());
        let lh = self.let_("m_lh", al * bh.clone());
        let hl = self.let_("m_hl", ah.clone() * bl);
        // Three numbers below 2^32 each: no wrap.
        let mid = self.let_(
            "m_mid",
            (ll.clone() >> u(32)) + (lh.clone() & mask.clone()) + (hl.clone() & mask.clone()),
        );
        let lo = self.let_("m_lo", (mid.clone() << u(32)) | (ll & mask));
        let hi = self.let_(
            "m_hi",
            ah * bh + (lh >> u(32)) + (hl >> u(32)) + (mid >> u(32)),
        );
        U128 { hi, lo }
    }

    /// `a << s` for a constant `s` in 1..64.
    pub(crate) fn shl_const(&mut self, a: &U128, s: u64) -> U128 {
        let hi = self.let_(
            "w_shl_hi",
            (a.hi.clone() << u(s)) | (a.lo.clone() >> u(64 - s)),
        );
        let lo = self.let_("w_shl_lo", a.lo.clone() << u(s));
        U128 { hi, lo }
    }

    /// `a >> s` for any `u64` amount `s` (0 when `s >= 128`), and whether any 1 bit was
    /// shifted out.
    pub(crate) fn shr_sticky(&mut self, a: &U128, s: V) -> (U128, V) {
        let s = self.let_("w_s", s);
        let (hi, lo) = (a.hi.clone(), a.lo.clone());
        let zero = || u(0);
        let small = s.clone().lt(u(64));
        let huge = s.clone().ge(u(128));
        let none = s.clone().eq(u(0));
        // For 0 < s < 64.
        let lo_small = (lo.clone() >> s.clone()) | (hi.clone() << (u(64) - s.clone()));
        let lost_small = (lo.clone() << (u(64) - s.clone())).ne(zero());
        // For 64 <= s < 128 (`hi << (128 - s)` only when s > 64: shifts are masked).
        let lo_big = hi.clone() >> (s.clone() - u(64));
        let lost_big = lo.clone().ne(zero()).or(sel(
            s.clone().gt(u(64)),
            (hi.clone() << (u(128) - s.clone())).ne(zero()),
            super::build::boolean(false),
        ));
        let lost_huge = (hi.clone() | lo.clone()).ne(zero());
        let new_hi = sel(
            none.clone(),
            hi.clone(),
            sel(small.clone(), hi.clone() >> s, zero()),
        );
        let new_lo = sel(
            none.clone(),
            lo,
            sel(small.clone(), lo_small, sel(huge.clone(), zero(), lo_big)),
        );
        let lost = sel(
            none,
            super::build::boolean(false),
            sel(small, lost_small, sel(huge, lost_huge, lost_big)),
        );
        let new_hi = self.let_("w_shr_hi", new_hi);
        let new_lo = self.let_("w_shr_lo", new_lo);
        let lost = self.let_("w_lost", lost);
        (
            U128 {
                hi: new_hi,
                lo: new_lo,
            },
            lost,
        )
    }

    /// The number of leading zero bits of a nonzero `u64`, by binary search.
    pub(crate) fn clz64(&mut self, v: V) -> V {
        let v = self.var("clz_v", v);
        let n = self.var("clz_n", u(0));
        for width in [32u64, 16, 8, 4, 2, 1] {
            let empty = (self.get(v) >> u(64 - width)).eq(u(0));
            self.when(empty, |b| {
                b.set(n, b.get(n) + u(width));
                b.set(v, b.get(v) << u(width));
            });
        }
        self.get(n)
    }

    /// The number of leading zero bits of a nonzero `U128`.
    pub(crate) fn clz128(&mut self, a: &U128) -> V {
        let high = a.hi.clone().ne(u(0));
        let word = self.let_("clz_word", sel(high.clone(), a.hi.clone(), a.lo.clone()));
        let n = self.clz64(word);
        self.let_("clz128", sel(high, n.clone(), n + u(64)))
    }

    /// `a + b` (wrapping).
    pub(crate) fn add128(&mut self, a: &U128, b: &U128) -> U128 {
        let lo = self.let_("w_add_lo", a.lo.clone() + b.lo.clone());
        let carry = sel(lo.clone().lt(a.lo.clone()), u(1), u(0));
        let hi = self.let_("w_add_hi", a.hi.clone() + b.hi.clone() + carry);
        U128 { hi, lo }
    }

    /// `a - b` (wrapping).
    pub(crate) fn sub128(&mut self, a: &U128, b: &U128) -> U128 {
        let lo = self.let_("w_sub_lo", a.lo.clone() - b.lo.clone());
        let borrow = sel(a.lo.clone().lt(b.lo.clone()), u(1), u(0));
        let hi = self.let_("w_sub_hi", a.hi.clone() - b.hi.clone() - borrow);
        U128 { hi, lo }
    }
}

/// `a < b`.
pub(crate) fn lt128(a: &U128, b: &U128) -> V {
    a.hi.clone().lt(b.hi.clone()).or(a
        .hi
        .clone()
        .eq(b.hi.clone())
        .and(a.lo.clone().lt(b.lo.clone())))
}
