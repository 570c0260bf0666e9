//! Did-you-mean: the known name closest to a mistyped one (config keys, rule ids, branches).

/// The candidate closest to `word`, when it is close enough to be a plausible typo.
pub fn nearest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|c| (strsim::jaro(word, c), *c))
        .filter(|(score, _)| *score > 0.7)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_finds_typos_and_ignores_strangers() {
        assert_eq!(nearest("prest", &["preset", "paths"]), Some("preset"));
        assert_eq!(
            nearest("bugfixes", &["default", "bugfix", "security"]),
            Some("bugfix")
        );
        assert_eq!(nearest("zzz", &["default", "bugfix"]), None);
    }
}
