//! Serde for fixed-length settings that refuses the wrong number of values: serde's own
//! `[T; N]` (and tuple) impls let some formats (TOML) drop trailing elements, so
//! `channels = [4, 8, 16]` would silently run with two channels.
use alloc::vec::Vec;
use serde::{Deserialize, Deserializer, de::Error};

/// Exactly `N` values.
///
/// # Errors
/// Any other number of values, or values of the wrong type.
pub fn array<'de, D, T, const N: usize>(d: D) -> Result<[T; N], D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    let values = Vec::<T>::deserialize(d)?;
    let got = values.len();
    values
        .try_into()
        .map_err(|_| D::Error::custom(alloc::format!("expected {N} values, got {got}")))
}

/// An optional pair, given as exactly two values.
///
/// # Errors
/// Any other number of values, or values of the wrong type.
pub fn optional_pair<'de, D, T>(d: D) -> Result<Option<(T, T)>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<Vec<T>>::deserialize(d)?
        .map(|values| {
            let got = values.len();
            let [a, b]: [T; 2] = values
                .try_into()
                .map_err(|_| D::Error::custom(alloc::format!("expected 2 values, got {got}")))?;
            Ok((a, b))
        })
        .transpose()
}
