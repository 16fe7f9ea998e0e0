//! Short hashes that stay the same across builds and machines, for the
//! fingerprints a dataset keeps to tell whether its rows are still current.

/// A 16-hex-digit BLAKE3 hash of `parts`, each length-prefixed so that
/// moving text from one part to the next changes the hash.
pub fn parts<'a>(parts: impl IntoIterator<Item = &'a str>) -> String {
    let mut hasher = blake3::Hasher::new();
    for part in parts {
        hasher.update(&(part.len() as u64).to_le_bytes());
        hasher.update(part.as_bytes());
    }
    hasher.finalize().to_hex()[..16].to_string()
}

#[cfg(test)]
mod tests {
    #[test]
    fn parts_are_told_apart() {
        assert_eq!(super::parts(["ab", "c"]), super::parts(["ab", "c"]));
        assert_ne!(super::parts(["ab", "c"]), super::parts(["a", "bc"]));
        assert_eq!(super::parts(["x"]).len(), 16);
    }
}
