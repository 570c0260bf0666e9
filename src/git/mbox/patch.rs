//! The patch text of a commit as git writes it: libgit2's output with what git writes
//! otherwise corrected (headers, hunk placement, similarity, abbreviated ids).

use super::*;

/// The patch text of a diff (`diff --git ...` onwards), as bytes, with the file headers as git
/// writes them (see `write_patch`).
pub fn patch_bytes(diff: &Diff<'_>) -> Result<Vec<u8>, git2::Error> {
    write_patch(diff, None)
}

/// The patch text of a diff as git writes it, where libgit2 writes it otherwise:
/// - `---`/`+++` lines only when a hunk follows (git writes none for an empty file added or
///   deleted, nor before a binary patch);
/// - no `Binary files a/X and b/Y differ` line when the content is unchanged (a pure rename or
///   mode change of a binary file: git writes only the header, and `git am` applies that);
/// - a name with a space ends its `---`/`+++` line with a tab;
/// - with `repo`, the ids of `index` lines abbreviated as git abbreviates them (`abbrev` digits,
///   more while another object shares the prefix); ids libgit2 wrote in full (binary files, as
///   git does) stay full.
pub(super) fn write_patch(
    diff: &Diff<'_>,
    abbrev: Option<(&Repository, usize)>,
) -> Result<Vec<u8>, git2::Error> {
    let mut out = Vec::new();
    // The header of the current file, held until we know whether a hunk follows it.
    let mut header: Option<Vec<u8>> = None;
    let flush = |out: &mut Vec<u8>, header: &mut Option<Vec<u8>>, with_names: bool| {
        if let Some(h) = header.take() {
            for line in h.split_inclusive(|&b| b == b'\n') {
                if with_names || !(line.starts_with(b"--- ") || line.starts_with(b"+++ ")) {
                    out.extend_from_slice(line);
                }
            }
        }
    };
    // Lines of a file's hunks, by origin, with the content: what libgit2 wrote, or for a file
    // rediffed (see `rediff_without_form_feeds`) what that gave.
    let emit = |out: &mut Vec<u8>, header: &mut Option<Vec<u8>>, origin: char, content: &[u8]| {
        match origin {
            'H' => {
                flush(out, header, true);
                out.extend(hunk_header(content));
                return;
            }
            '+' | '-' | ' ' => out.push(origin as u8),
            _ => {}
        }
        out.extend_from_slice(content);
    };
    // Whether the lines of the current file come from a rediff instead.
    let mut replaced = false;
    diff.print(DiffFormat::Patch, |delta, _hunk, line| {
        match line.origin() {
            'F' => {
                flush(&mut out, &mut header, false);
                let mut h = modes_first(&file_header(line.content()));
                if let Some((repo, _)) = abbrev {
                    h = git_similarity_line(&h, repo, &delta);
                }
                if let Some((repo, len)) = abbrev {
                    h = abbreviate_index(
                        &h,
                        repo,
                        len,
                        delta.old_file().id(),
                        delta.new_file().id(),
                    );
                }
                header = Some(h);
                replaced = false;
                if let Some((repo, _)) = abbrev {
                    if let Some(lines) = rediff_without_form_feeds(repo, &delta) {
                        for (origin, content) in lines {
                            emit(&mut out, &mut header, origin, &content);
                        }
                        replaced = true;
                    }
                }
                return true;
            }
            _ if replaced => return true,
            'B' => {
                flush(&mut out, &mut header, false);
                if line.content().starts_with(b"Binary files ")
                    && delta.old_file().id() == delta.new_file().id()
                {
                    return true;
                }
            }
            _ => {}
        }
        emit(&mut out, &mut header, line.origin(), line.content());
        true
    })?;
    flush(&mut out, &mut header, false);
    Ok(out)
}

/// The hunks of a text file holding a form feed or a vertical tab, diffed again with those
/// bytes replaced by a byte neither side holds, then put back. git's xdiff does not count them
/// as whitespace, libgit2's does (`git__isspace`), and the indent heuristic, which looks for
/// blank lines, then places some hunks differently (a line of only `^L`, a page break in old
/// C and Python sources, is blank to libgit2). The replacement changes no line's identity, so
/// the same lines match; only the heuristic sees what git sees. `None` for other files.
pub(super) fn rediff_without_form_feeds(
    repo: &Repository,
    delta: &git2::DiffDelta<'_>,
) -> Option<Vec<(char, Vec<u8>)>> {
    let is_special = |b: &u8| *b == 0x0b || *b == 0x0c;
    let (old, new) = (delta.old_file(), delta.new_file());
    if delta.flags().is_binary() || old.id() == new.id() {
        return None;
    }
    let content = |id: Oid| -> Option<Vec<u8>> {
        if id.is_zero() {
            Some(Vec::new())
        } else {
            repo.find_blob(id).ok().map(|b| b.content().to_vec())
        }
    };
    let (a, b) = (content(old.id())?, content(new.id())?);
    if !a.iter().any(is_special) && !b.iter().any(is_special) {
        return None;
    }
    // A control byte absent from both sides stands for each of the two.
    let mut unused = (0x01u8..0x20)
        .filter(|c| !matches!(c, b'\t' | b'\n' | b'\r' | 0x0b | 0x0c | 0x1b))
        .filter(|c| !a.contains(c) && !b.contains(c));
    let (ff, vt) = (unused.next()?, unused.next()?);
    let swap = |data: &[u8], from: (u8, u8), to: (u8, u8)| -> Vec<u8> {
        data.iter()
            .map(|&c| match c {
                c if c == from.0 => to.0,
                c if c == from.1 => to.1,
                c => c,
            })
            .collect()
    };
    let (a2, b2) = (
        swap(&a, (0x0c, 0x0b), (ff, vt)),
        swap(&b, (0x0c, 0x0b), (ff, vt)),
    );
    let mut opts = DiffOptions::new();
    opts.indent_heuristic(true).force_text(true);
    let mut patch = Patch::from_buffers(&a2, old.path(), &b2, new.path(), Some(&mut opts)).ok()?;
    let mut lines = Vec::new();
    patch
        .print(&mut |_delta, _hunk, line| {
            if line.origin() != 'F' {
                lines.push((line.origin(), swap(line.content(), (ff, vt), (0x0c, 0x0b))));
            }
            true
        })
        .ok()?;
    Some(lines)
}

/// The `similarity index N%` line of a partial rename with git's figure: libgit2 measures
/// similarity its own way, git by `estimate_similarity` (see `git_similarity`).
pub(super) fn git_similarity_line(
    header: &[u8],
    repo: &Repository,
    delta: &git2::DiffDelta<'_>,
) -> Vec<u8> {
    const PREFIX: &[u8] = b"similarity index ";
    let Some(at) = header
        .split_inclusive(|&b| b == b'\n')
        .position(|l| l.starts_with(PREFIX))
    else {
        return header.to_vec();
    };
    let (old, new) = (delta.old_file().id(), delta.new_file().id());
    let blob = |id: Oid| repo.find_blob(id).ok().map(|b| b.content().to_vec());
    let score = match (blob(old), blob(new)) {
        _ if old == new => 100,
        (Some(a), Some(b)) => git_similarity(&a, &b),
        _ => return header.to_vec(),
    };
    let mut out = Vec::with_capacity(header.len());
    for (i, line) in header.split_inclusive(|&b| b == b'\n').enumerate() {
        if i == at {
            out.extend_from_slice(format!("similarity index {score}%\n").as_bytes());
        } else {
            out.extend_from_slice(line);
        }
    }
    out
}

/// git's similarity of two blobs in percent (diffcore-delta.c and `estimate_similarity` in
/// diffcore-rename.c): each side is cut into spans ending at a newline or at 64 bytes (a CR
/// before a LF is skipped in text), each span hashed; the bytes of the spans the destination
/// shares with the source, counted per hash and at most as many as the source has, over the
/// larger size.
pub fn git_similarity(src: &[u8], dst: &[u8]) -> u32 {
    const MAX_SCORE: u64 = 60_000;
    let max_size = src.len().max(dst.len()) as u64;
    if dst.is_empty() || max_size == 0 {
        return 0;
    }
    let src_spans = spans(src);
    let dst_spans = spans(dst);
    let copied: u64 = src_spans
        .iter()
        .map(|(hash, &n)| n.min(dst_spans.get(hash).copied().unwrap_or(0)))
        .sum();
    let score = copied * MAX_SCORE / max_size;
    (score * 100 / MAX_SCORE) as u32
}

/// Bytes per span hash (git's `hash_chars`).
pub(super) fn spans(data: &[u8]) -> std::collections::HashMap<u32, u64> {
    const HASHBASE: u32 = 107_927;
    let is_text = !data[..data.len().min(8000)].contains(&0);
    let mut out = std::collections::HashMap::new();
    let (mut accum1, mut accum2, mut n) = (0u32, 0u32, 0u64);
    for (i, &c) in data.iter().enumerate() {
        if is_text && c == b'\r' && data.get(i + 1) == Some(&b'\n') {
            continue;
        }
        let old1 = accum1;
        accum1 = (accum1 << 7) ^ (accum2 >> 25);
        accum2 = (accum2 << 7) ^ (old1 >> 25);
        accum1 = accum1.wrapping_add(u32::from(c));
        n += 1;
        if n < 64 && c != b'\n' {
            continue;
        }
        let hash = accum1.wrapping_add(accum2.wrapping_mul(0x61)) % HASHBASE;
        *out.entry(hash).or_insert(0) += n;
        n = 0;
        accum1 = 0;
        accum2 = 0;
    }
    if n > 0 {
        let hash = accum1.wrapping_add(accum2.wrapping_mul(0x61)) % HASHBASE;
        *out.entry(hash).or_insert(0) += n;
    }
    out
}

/// A hunk header as git writes it: the function context after `@@ ... @@` without its
/// trailing whitespace (git's `def_ff` trims it; libgit2 keeps it), and no space after `@@`
/// when nothing is left.
pub(super) fn hunk_header(line: &[u8]) -> Vec<u8> {
    let text = line.strip_suffix(b"\n").unwrap_or(line);
    let end = text
        .windows(4)
        .skip(2)
        .position(|w| w == b" @@ ")
        .map(|p| p + 2 + 3);
    let mut out = match end {
        Some(end) => {
            let (head, context) = text.split_at(end);
            let context = trim_end_git(&context[1..]);
            let mut out = head.to_vec();
            if !context.is_empty() {
                out.push(b' ');
                out.extend_from_slice(context);
            }
            out
        }
        None => text.to_vec(),
    };
    out.push(b'\n');
    out
}

/// The `old mode`/`new mode` lines right after `diff --git`, where git writes them (libgit2
/// writes them after the `rename` lines of a partial rename).
pub(super) fn modes_first(header: &[u8]) -> Vec<u8> {
    let lines: Vec<&[u8]> = header.split_inclusive(|&b| b == b'\n').collect();
    let is_mode = |l: &[u8]| l.starts_with(b"old mode ") || l.starts_with(b"new mode ");
    let mut out = Vec::with_capacity(header.len());
    for (i, line) in lines.iter().enumerate() {
        if is_mode(line) {
            continue;
        }
        out.extend_from_slice(line);
        if i == 0 {
            for mode in lines.iter().filter(|l| is_mode(l)) {
                out.extend_from_slice(mode);
            }
        }
    }
    out
}

/// git ends the `---`/`+++` lines of a name with a space with a tab, so tools that split at
/// whitespace still find the whole name; libgit2 does not.
pub(super) fn file_header(header: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(header.len() + 2);
    for line in header.split_inclusive(|&b| b == b'\n') {
        let is_name = line.starts_with(b"--- ") || line.starts_with(b"+++ ");
        match line.strip_suffix(b"\n") {
            Some(text) if is_name && text[4..].contains(&b' ') => {
                out.extend_from_slice(text);
                out.extend_from_slice(b"\t\n");
            }
            _ => out.extend_from_slice(line),
        }
    }
    out
}
