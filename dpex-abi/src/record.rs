//! The error record: where a safe kernel reports the first run-time check that failed.
//!
//! [`WORDS`] little-endian `u64` words in device memory, zeroed by the host before the launch:
//! - word 0: the [`Check::code`] of the first failure in its low half (0 while none);
//! - word 1: what failed, a [`What`] ([`What::encode`]), and for an N-d access the axis out of
//!   bounds ([`with_axis`]); 0 for the checks other than [`Check::OutOfBounds`];
//! - word 2: the index, word 3: the length (out of bounds only; for an N-d access, the index on
//!   that axis and the axis's extent);
//! - word 4: the global linear id of the work-item, dimension 0 fastest
//!   (`gid(0) + gid(1) * gsize(0) + gid(2) * gsize(0) * gsize(1)`);
//! - word 5: unused.
//!
//! Only the first failure is recorded: a 32-bit compare-exchange of word 0's low half from 0
//! decides which work-item writes the other words.

/// Size of the error record, in `u64` words.
pub const WORDS: u32 = 6;

/// A run-time check that failed, as recorded in word 0 of the error record.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Check {
    /// An index was not below the length of the memory indexed (code 1).
    OutOfBounds,
    /// An integer division or remainder by zero (code 2).
    DivideByZero,
    /// A signed integer division or remainder of `MIN` by `-1` (code 3).
    DivideOverflow,
}

impl Check {
    /// The code stored in word 0 of the error record.
    pub const fn code(self) -> u64 {
        match self {
            Check::OutOfBounds => 1,
            Check::DivideByZero => 2,
            Check::DivideOverflow => 3,
        }
    }

    /// The check whose [`Check::code`] is `code`, if any.
    pub fn from_code(code: u64) -> Option<Check> {
        [
            Check::OutOfBounds,
            Check::DivideByZero,
            Check::DivideOverflow,
        ]
        .into_iter()
        .find(|c| c.code() == code)
    }
}

/// What an out-of-bounds access addressed (word 1 of the record).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum What {
    /// A kernel parameter (a tensor or a local accessor), by its index.
    Param(u32),
    /// A fixed-size work-group array of the kernel, by its index.
    WorkgroupArray(u32),
    /// A private array, by the index of its local.
    PrivateArray(u32),
}

impl What {
    /// The word stored: the index in the low half, the kind (0, 1, 2) in the high half.
    pub const fn encode(self) -> u64 {
        match self {
            What::Param(id) => id as u64,
            What::WorkgroupArray(id) => 1 << 32 | id as u64,
            What::PrivateArray(id) => 2 << 32 | id as u64,
        }
    }

    /// The inverse of [`What::encode`] (ignoring the axis of [`with_axis`]); kinds above 2 read
    /// as private arrays.
    pub const fn decode(word: u64) -> What {
        let id = word as u32;
        match (word >> 32) & 0xffff {
            0 => What::Param(id),
            1 => What::WorkgroupArray(id),
            _ => What::PrivateArray(id),
        }
    }
}

/// Word 1 of an N-d access out of bounds on `axis`: `what` (a [`What::encode`]) with `axis + 1`
/// in the top 16 bits.
pub const fn with_axis(what: u64, axis: u32) -> u64 {
    what | ((axis as u64 + 1) << 48)
}

/// The axis stored by [`with_axis`] in word 1, if any.
pub const fn axis(word: u64) -> Option<u32> {
    match word >> 48 {
        0 => None,
        a => Some(a as u32 - 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_round_trips() {
        for what in [
            What::Param(3),
            What::WorkgroupArray(0),
            What::PrivateArray(7),
        ] {
            assert_eq!(What::decode(what.encode()), what);
        }
        assert_eq!(What::WorkgroupArray(2).encode(), 1 << 32 | 2);
        let word = with_axis(What::PrivateArray(7).encode(), 2);
        assert_eq!(
            (What::decode(word), axis(word)),
            (What::PrivateArray(7), Some(2))
        );
        assert_eq!(axis(What::Param(3).encode()), None);
    }

    #[test]
    fn codes_round_trip() {
        for check in [
            Check::OutOfBounds,
            Check::DivideByZero,
            Check::DivideOverflow,
        ] {
            assert_eq!(Check::from_code(check.code()), Some(check));
        }
        assert_eq!(Check::from_code(0), None);
    }
}
