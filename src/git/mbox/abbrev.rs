//! Object ids abbreviated as git abbreviates them (`core.abbrev`, else a length from the
//! packed object count, lengthened while ambiguous).

use super::*;

/// The `index a..b` line of a file header with each id abbreviated as git does.
pub(super) fn abbreviate_index(
    header: &[u8],
    repo: &Repository,
    len: usize,
    old: Oid,
    new: Oid,
) -> Vec<u8> {
    let mut out = Vec::with_capacity(header.len());
    for line in header.split_inclusive(|&b| b == b'\n') {
        let Some(rest) = line.strip_prefix(b"index ") else {
            out.extend_from_slice(line);
            continue;
        };
        let ids_end = rest
            .iter()
            .position(|&b| b == b' ' || b == b'\n')
            .unwrap_or(rest.len());
        let full = 2 * old.as_bytes().len();
        // libgit2 writes full ids for binary files, as git does: keep them.
        if ids_end == 2 * full + 2 {
            out.extend_from_slice(line);
            continue;
        }
        out.extend_from_slice(b"index ");
        out.extend_from_slice(unique_abbrev(repo, old, len).as_bytes());
        out.extend_from_slice(b"..");
        out.extend_from_slice(unique_abbrev(repo, new, len).as_bytes());
        out.extend_from_slice(&rest[ids_end..]);
    }
    out
}

/// git's abbreviation of `id`: `len` hex digits, more while another object of the repository
/// starts with them (`find_unique_abbrev`; the zero id of an added or deleted file included).
pub fn unique_abbrev(repo: &Repository, id: Oid, len: usize) -> String {
    let hex = id.to_string();
    let Ok(odb) = repo.odb() else {
        return hex[..len.min(hex.len())].to_owned();
    };
    let mut n = len.clamp(4, hex.len());
    while n < hex.len() {
        let prefix = Oid::from_str(&hex[..n]).expect("hex");
        match odb.exists_prefix(prefix, n) {
            Ok(found) if found != id => n += 1,
            Err(e) if e.code() == git2::ErrorCode::Ambiguous => n += 1,
            _ => break,
        }
    }
    hex[..n].to_owned()
}

/// The abbreviation git uses in this repository: `core.abbrev` when it is a number (`no`: full
/// ids), else (unset or `auto`) git's automatic length: with 2^k <= count < 2^(k+1) packed
/// objects, (k + 2) / 2 hex digits, at least 7 (`find_unique_abbrev_r` in git's
/// object-name.c). The count is what git's `repo_approximate_object_count` counts: the objects
/// of every pack, here and in the alternates, read from the `.idx` files' fan-out tables
/// (loose objects are not counted, as in git).
pub fn default_abbrev(repo: &Repository) -> usize {
    const FALLBACK: usize = 7;
    if let Ok(config) = repo.config() {
        if let Ok(value) = config.get_string("core.abbrev") {
            let value = value.trim().to_ascii_lowercase();
            if let Ok(n) = value.parse::<usize>() {
                return n.clamp(4, 40);
            }
            if matches!(value.as_str(), "no" | "false" | "off") {
                return 40;
            }
        }
    }
    let count = packed_object_count(repo.path());
    let bits = if count == 0 {
        1
    } else {
        64 - u64::leading_zeros(count) as usize
    };
    bits.div_ceil(2).max(FALLBACK)
}

/// The number of objects in the packs of a repository and of its alternates.
pub(super) fn packed_object_count(git_dir: &std::path::Path) -> u64 {
    let mut dirs = vec![git_dir.join("objects")];
    // A linked worktree's objects live in the common directory.
    if let Ok(common) = std::fs::read_to_string(git_dir.join("commondir")) {
        dirs = vec![git_dir.join(common.trim()).join("objects")];
    }
    let mut seen = std::collections::HashSet::new();
    let mut count = 0;
    while let Some(dir) = dirs.pop() {
        let Ok(canonical) = dir.canonicalize() else {
            continue;
        };
        if !seen.insert(canonical) {
            continue;
        }
        if let Ok(entries) = std::fs::read_dir(dir.join("pack")) {
            for entry in entries.flatten() {
                let path = entry.path();
                if path.extension().is_some_and(|e| e == "idx") {
                    count += idx_object_count(&path).unwrap_or(0);
                }
            }
        }
        if let Ok(text) = std::fs::read_to_string(dir.join("info").join("alternates")) {
            for line in text
                .lines()
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
            {
                dirs.push(dir.join(line));
            }
        }
    }
    count
}

/// The object count of a pack index: the last entry of its fan-out table (version 2 starts
/// with `\377tOc` and the version; version 1 starts with the table).
pub(super) fn idx_object_count(path: &std::path::Path) -> Option<u64> {
    use std::io::{Read, Seek, SeekFrom};
    let mut file = std::fs::File::open(path).ok()?;
    let mut head = [0u8; 8];
    file.read_exact(&mut head).ok()?;
    let table = if head[..4] == [0xff, b't', b'O', b'c'] {
        8
    } else {
        0
    };
    file.seek(SeekFrom::Start(table + 255 * 4)).ok()?;
    let mut last = [0u8; 4];
    file.read_exact(&mut last).ok()?;
    Some(u64::from(u32::from_be_bytes(last)))
}
