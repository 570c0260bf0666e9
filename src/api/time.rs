//! RFC 3339 timestamps for the wire, from seconds since the Unix epoch (UTC).

/// `2026-11-21T22:45:10Z` for `unix_millis` milliseconds since the epoch, with milliseconds
/// when they are not zero.
pub fn rfc3339_millis(unix_millis: i64) -> String {
    let at = chrono::DateTime::from_timestamp_millis(unix_millis).unwrap_or(if unix_millis < 0 {
        chrono::DateTime::<chrono::Utc>::MIN_UTC
    } else {
        chrono::DateTime::<chrono::Utc>::MAX_UTC
    });
    let format = if unix_millis.rem_euclid(1000) == 0 {
        "%Y-%m-%dT%H:%M:%SZ"
    } else {
        "%Y-%m-%dT%H:%M:%S%.3fZ"
    };
    at.format(format).to_string()
}

/// Milliseconds since the epoch, now.
pub fn now_millis() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_known_instants() {
        assert_eq!(rfc3339_millis(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339_millis(1_700_000_000_000), "2023-11-14T22:13:20Z");
        assert_eq!(rfc3339_millis(951_782_400_123), "2000-02-29T00:00:00.123Z");
        assert_eq!(rfc3339_millis(4_102_444_799_000), "2099-12-31T23:59:59Z");
        assert_eq!(rfc3339_millis(-1000), "1969-12-31T23:59:59Z");
    }
}
