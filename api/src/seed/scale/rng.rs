//! SplitMix64, the generator behind every choice in the scale data set, and the ids it
//! derives from (table, row number).

use uuid::Uuid;

pub(super) const SEED: u64 = 0x5ca1_e5ee_d000_2026;

/// SplitMix64 (Steele, Lea, Flood 2014): tiny, fast and good enough for test data.
pub(in crate::seed) struct SplitMix64(u64);

impl SplitMix64 {
    pub(in crate::seed) const fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub(in crate::seed) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (Lemire's multiply-shift; `n` must be positive).
    pub(super) fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    pub(super) fn percent(&mut self, p: u64) -> bool {
        self.below(100) < p
    }

    pub(super) fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }

    /// A random-looking (version 4 layout) UUID made of the next 128 bits.
    pub(in crate::seed) fn uuid(&mut self) -> Uuid {
        let bits = (u128::from(self.next_u64()) << 64) | u128::from(self.next_u64());
        uuid::Builder::from_random_bytes(bits.to_be_bytes()).into_uuid()
    }
}

/// Ids are a function of (table, row number): a row can be referenced without storing ids.
#[derive(Clone, Copy)]
pub(super) enum T {
    Partner = 1,
    User,
    Territory,
    Account,
    Lead,
    Opportunity,
    Activity,
    Quota,
}

pub(super) fn row_id(table: T, i: u64) -> Uuid {
    SplitMix64::new(SEED ^ ((table as u64) << 56) ^ i).uuid()
}
