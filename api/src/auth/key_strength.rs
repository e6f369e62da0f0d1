//! Whether a signing key of the right length is still guessable: what a person types or
//! a program counts out instead of drawing random bytes.
//!
//! Random bytes almost never show any of these: 32 of them hold about 30 distinct
//! values; six in arithmetic progression at a given place come up about once in 4·10⁹;
//! an 8-byte run seen twice, about once in 10¹⁷.

use std::collections::HashSet;

/// A random key of 32 bytes has about 30 distinct values; fewer than this is a pattern.
const MIN_DISTINCT: usize = 16;
/// Bytes in arithmetic progression (`abcdef`, `012345`, `00 01 02 …`, `aaaaaa`).
const PROGRESSION: usize = 6;
/// A run this long seen twice means a block was repeated, perhaps with a change.
const REPEATED_RUN: usize = 8;

/// Why `key` is weak, or `None` when it shows no pattern.
pub fn weakness(key: &[u8]) -> Option<&'static str> {
    if key.iter().collect::<HashSet<_>>().len() < MIN_DISTINCT {
        return Some("too few distinct bytes");
    }
    let progression = key.windows(PROGRESSION).any(|w| {
        let step = w[1].wrapping_sub(w[0]);
        w.windows(2).all(|p| p[1].wrapping_sub(p[0]) == step)
    });
    if progression {
        return Some("a run of bytes that count up, down or repeat");
    }
    let mut runs = HashSet::new();
    if key.windows(REPEATED_RUN).any(|w| !runs.insert(w)) {
        return Some("a repeated block");
    }
    None
}

#[cfg(test)]
mod tests {
    use rand::RngCore;

    use super::*;

    #[test]
    fn patterned_keys_are_weak() {
        let alphabet: Vec<u8> = b"abcdefghijklmnopqrstuvwxyz0123456789".to_vec();
        assert!(weakness(&alphabet).is_some());
        let counting: Vec<u8> = (0..32).collect();
        assert!(weakness(&counting).is_some());
        let mut block: Vec<u8> = b"k3Y!q9Zr#2mWx7Lp".to_vec();
        let mut repeated = block.clone();
        block[15] ^= 0x55;
        repeated.extend(&block);
        assert!(weakness(&repeated).is_some());
        assert!(weakness(&[0u8; 32]).is_some());
        let descending: Vec<u8> = b"zyxwvu"
            .iter()
            .chain(b"Q8#rT2!mK9@pL4$nW7&bX1*cV5^")
            .copied()
            .collect();
        assert!(weakness(&descending).is_some());
    }

    #[test]
    fn random_keys_pass() {
        let mut rng = rand::rngs::OsRng;
        for len in [32usize, 48] {
            for _ in 0..10_000 {
                let mut key = vec![0u8; len];
                rng.fill_bytes(&mut key);
                assert_eq!(weakness(&key), None, "{key:?}");
            }
        }
    }
}
