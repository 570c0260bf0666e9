//! The series as an mbox, written as `git format-patch --stdout` writes it: one message per
//! commit with `From <id> Mon Sep 17 00:00:00 2001`, `From:`, `Date:`, `Subject: [PATCH n/m]`
//! (RFC 2047 encoded and folded like git), the body, `---`, an optional diffstat, the patch
//! (binary files as `GIT binary patch`) and the `-- ` signature.
//!
//! The headers are text; the diff, the diffstat and binary patches come from git2. Bytes are
//! kept as bytes: paths and messages that are not UTF-8 pass through unchanged.

use git2::{Delta, Diff, DiffFindOptions, DiffFormat, DiffOptions, Oid, Patch, Repository};

use super::series::Series;

/// How the mbox is written.
#[derive(Debug, Clone)]
pub struct MboxOptions {
    /// Include the diffstat after `---` (as `git format-patch` does by default).
    pub stat: bool,
    /// The text after the `-- ` line (git writes its version).
    pub signature: String,
    /// Hex digits of blob ids in `index` lines; `None`: as git chooses (`core.abbrev`, else a
    /// length from the object count), lengthened while ambiguous.
    pub abbrev: Option<usize>,
}

impl Default for MboxOptions {
    fn default() -> Self {
        MboxOptions {
            stat: true,
            signature: format!("review {}", env!("CARGO_PKG_VERSION")),
            abbrev: None,
        }
    }
}

/// The whole series as one mbox.
pub fn series_mbox(
    repo: &Repository,
    series: &Series,
    options: &MboxOptions,
) -> Result<Vec<u8>, git2::Error> {
    let total = series.commits.len();
    let options = &MboxOptions {
        abbrev: Some(match options.abbrev {
            Some(n) => n,
            None => default_abbrev(repo),
        }),
        ..options.clone()
    };
    let mut out = Vec::new();
    for (i, commit) in series.commits.iter().enumerate() {
        // `git format-patch --stdout` separates messages with one more blank line.
        if i > 0 {
            out.push(b'\n');
        }
        out.extend(commit_message(repo, commit.id, i + 1, total, options)?);
    }
    Ok(out)
}

/// The diff of `commit` against its first parent, with renames found as git finds them.
pub fn commit_diff<'r>(
    repo: &'r Repository,
    commit: &git2::Commit<'_>,
    abbrev: u16,
) -> Result<Diff<'r>, git2::Error> {
    let tree = commit.tree()?;
    let parent_tree = match commit.parent(0) {
        Ok(parent) => Some(parent.tree()?),
        Err(_) => None,
    };
    let mut opts = DiffOptions::new();
    // git's indent heuristic is on by default since 2.14: it moves a hunk's boundaries to
    // blank lines and less indented lines where the choice is free.
    opts.show_binary(true)
        .id_abbrev(abbrev)
        .indent_heuristic(true);
    let mut diff = repo.diff_tree_to_tree(parent_tree.as_ref(), Some(&tree), Some(&mut opts))?;
    let mut find = DiffFindOptions::new();
    find.renames(true);
    diff.find_similar(Some(&mut find))?;
    Ok(diff)
}

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
fn write_patch(
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
fn rediff_without_form_feeds(
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
fn git_similarity_line(header: &[u8], repo: &Repository, delta: &git2::DiffDelta<'_>) -> Vec<u8> {
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
fn spans(data: &[u8]) -> std::collections::HashMap<u32, u64> {
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
fn hunk_header(line: &[u8]) -> Vec<u8> {
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

/// The `index a..b` line of a file header with each id abbreviated as git does.
fn abbreviate_index(header: &[u8], repo: &Repository, len: usize, old: Oid, new: Oid) -> Vec<u8> {
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
fn packed_object_count(git_dir: &std::path::Path) -> u64 {
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
fn idx_object_count(path: &std::path::Path) -> Option<u64> {
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

/// The `old mode`/`new mode` lines right after `diff --git`, where git writes them (libgit2
/// writes them after the `rename` lines of a partial rename).
fn modes_first(header: &[u8]) -> Vec<u8> {
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
fn file_header(header: &[u8]) -> Vec<u8> {
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

/// One commit as one mail: `[PATCH n/m]` when `total > 1`, `[PATCH]` otherwise.
pub fn commit_message(
    repo: &Repository,
    id: Oid,
    n: usize,
    total: usize,
    options: &MboxOptions,
) -> Result<Vec<u8>, git2::Error> {
    let commit = repo.find_commit(id)?;
    let author = commit.author();
    // git writes the message and the author's name in UTF-8 (its log output encoding),
    // re-encoding a commit whose `encoding` header names another charset. ISO-8859-1 is
    // re-encoded here; a commit in any other charset is passed on as it is, labelled with its
    // own charset (git would re-encode it with iconv).
    let (message, name, charset) = match commit.message_encoding() {
        Some(e) if is_latin1_charset(e) => (
            latin1_to_utf8(commit.message_bytes()),
            latin1_to_utf8(author.name_bytes()),
            "UTF-8".to_owned(),
        ),
        Some(e) if !is_utf8_charset(e) => (
            commit.message_bytes().to_vec(),
            author.name_bytes().to_vec(),
            e.to_owned(),
        ),
        _ => (
            commit.message_bytes().to_vec(),
            author.name_bytes().to_vec(),
            "UTF-8".to_owned(),
        ),
    };
    let (subject, body) = split_message(&message);

    let mut out = Vec::new();
    out.extend_from_slice(format!("From {id} Mon Sep 17 00:00:00 2001\n").as_bytes());

    let mut from = b"From: ".to_vec();
    let max = append_name(&mut from, &name, &charset);
    // Like git, the address moves to a continuation line when it would pass the limit.
    if last_line_len(&from) + 2 + author.email_bytes().len() + 1 > max {
        from.push(b'\n');
    }
    from.extend_from_slice(b" <");
    from.extend_from_slice(author.email_bytes());
    from.extend_from_slice(b">\n");
    out.extend(from);

    let when = author.when();
    out.extend_from_slice(
        format!(
            "Date: {}\n",
            rfc2822_date(when.seconds(), when.offset_minutes())
        )
        .as_bytes(),
    );

    let prefix = if total > 1 {
        let width = total.to_string().len();
        format!("Subject: [PATCH {n:0width$}/{total}] ")
    } else {
        "Subject: [PATCH] ".to_owned()
    };
    let mut header = prefix.into_bytes();
    if needs_rfc2047(&subject) {
        append_rfc2047(&mut header, &subject, false, &charset);
    } else {
        let indent = last_line_len(&header);
        append_wrapped(&mut header, &subject, indent, 78);
    }
    header.push(b'\n');
    out.extend(header);

    // git looks at the whole message as stored, whitespace that it trims included.
    let non_ascii = !message.is_ascii();
    if non_ascii {
        out.extend_from_slice(
            format!(
                "MIME-Version: 1.0\nContent-Type: text/plain; charset={charset}\n\
                 Content-Transfer-Encoding: 8bit\n"
            )
            .as_bytes(),
        );
    }
    out.push(b'\n');
    if !body.is_empty() {
        out.extend_from_slice(&body);
        out.push(b'\n');
    }
    let abbrev = options.abbrev.unwrap_or_else(|| default_abbrev(repo));
    let diff = commit_diff(repo, &commit, abbrev.min(40) as u16)?;
    // An empty commit has neither `---`, diffstat nor patch: the signature follows the message.
    if options.stat && diff.deltas().len() > 0 {
        out.extend_from_slice(b"---\n");
        out.extend(diffstat(repo, &diff)?);
    }
    if diff.deltas().len() > 0 {
        out.push(b'\n');
        out.extend(write_patch(&diff, Some((repo, abbrev)))?);
    }
    out.extend_from_slice(format!("-- \n{}\n\n", options.signature).as_bytes());
    Ok(out)
}

/// One file of a diffstat.
struct StatFile {
    name: Vec<u8>,
    binary: bool,
    added: u64,
    deleted: u64,
}

/// The diffstat and summary git's `format-patch` writes after `---` (git's `show_stats` with
/// a width of 72 columns, `print_stat_summary_inserts_deletes` and `diff_summary`): names
/// quoted as git quotes them, renames as `dir/{old => new}`, the graph scaled to the width,
/// binary files as `Bin <old> -> <new> bytes` (`Bin` alone when unchanged), then `create`,
/// `delete`, `rename`/`copy` (with git's similarity) and `mode change` lines.
fn diffstat(repo: &Repository, diff: &Diff<'_>) -> Result<Vec<u8>, git2::Error> {
    const WIDTH: i64 = 72;
    let mut files = Vec::new();
    let mut summary = Vec::new();
    for (i, delta) in diff.deltas().enumerate() {
        let (old, new) = (delta.old_file(), delta.new_file());
        let old_path = old.path_bytes().unwrap_or_default();
        let new_path = new.path_bytes().unwrap_or_default();
        let renamed = matches!(delta.status(), Delta::Renamed | Delta::Copied);
        let name = if renamed {
            pprint_rename(old_path, new_path)
        } else {
            quote_c_style(new_path)
        };
        let patch = Patch::from_diff(diff, i)?;
        let binary = delta.flags().is_binary()
            || patch
                .as_ref()
                .is_some_and(|p| p.delta().flags().is_binary());
        let (added, deleted) = if binary {
            if old.id() == new.id() {
                (0, 0)
            } else {
                let size = |f: &git2::DiffFile<'_>| {
                    if f.id().is_zero() {
                        0
                    } else {
                        repo.find_blob(f.id())
                            .map(|b| b.size() as u64)
                            .unwrap_or(f.size())
                    }
                };
                (size(&new), size(&old))
            }
        } else {
            match &patch {
                Some(p) => {
                    let (_, a, d) = p.line_stats()?;
                    (a as u64, d as u64)
                }
                None => (0, 0),
            }
        };
        files.push(StatFile {
            name,
            binary,
            added,
            deleted,
        });
        let mode = |m: git2::FileMode| u32::from(m);
        let (old_mode, new_mode) = (mode(old.mode()), mode(new.mode()));
        let mode_change = |out: &mut Vec<u8>, with_name: bool| {
            if old_mode != 0 && new_mode != 0 && old_mode != new_mode {
                out.extend_from_slice(
                    format!(" mode change {old_mode:06o} => {new_mode:06o}").as_bytes(),
                );
                if with_name {
                    out.push(b' ');
                    out.extend(quote_c_style(new_path));
                }
                out.push(b'\n');
            }
        };
        match delta.status() {
            Delta::Added => {
                summary.extend_from_slice(format!(" create mode {new_mode:06o} ").as_bytes());
                summary.extend(quote_c_style(new_path));
                summary.push(b'\n');
            }
            Delta::Deleted => {
                summary.extend_from_slice(format!(" delete mode {old_mode:06o} ").as_bytes());
                summary.extend(quote_c_style(old_path));
                summary.push(b'\n');
            }
            Delta::Renamed | Delta::Copied => {
                let what = if delta.status() == Delta::Renamed {
                    "rename"
                } else {
                    "copy"
                };
                let score = if old.id() == new.id() {
                    100
                } else {
                    match (repo.find_blob(old.id()), repo.find_blob(new.id())) {
                        (Ok(a), Ok(b)) => git_similarity(a.content(), b.content()),
                        _ => 0,
                    }
                };
                summary.extend_from_slice(format!(" {what} ").as_bytes());
                summary.extend(pprint_rename(old_path, new_path));
                summary.extend_from_slice(format!(" ({score}%)\n").as_bytes());
                mode_change(&mut summary, false);
            }
            _ => mode_change(&mut summary, true),
        }
    }

    let width_of = |n: u64| n.to_string().len() as i64;
    let mut max_len = 0i64;
    let mut max_change = 0u64;
    let mut number_width = 0i64;
    let mut bin_width = 0i64;
    for f in &files {
        max_len = max_len.max(f.name.len() as i64);
        if f.binary {
            bin_width = bin_width.max(14 + width_of(f.added) + width_of(f.deleted));
            number_width = 3;
        } else {
            max_change = max_change.max(f.added + f.deleted);
        }
    }
    number_width = number_width.max(width_of(max_change));
    let width = WIDTH.max(16 + 6 + number_width);
    let mut graph_width = if max_change as i64 + 4 > bin_width {
        max_change as i64
    } else {
        bin_width - 4
    };
    let mut name_width = max_len;
    if name_width + number_width + 6 + graph_width > width {
        if graph_width > width * 3 / 8 - number_width - 6 {
            graph_width = (width * 3 / 8 - number_width - 6).max(6);
        }
        if name_width > width - number_width - 6 - graph_width {
            name_width = width - number_width - 6 - graph_width;
        } else {
            graph_width = width - number_width - 6 - name_width;
        }
    }
    let scale = |it: u64| -> u64 {
        if it == 0 {
            0
        } else {
            1 + it * (graph_width as u64 - 1) / max_change
        }
    };

    let mut out = Vec::new();
    let (mut adds, mut dels) = (0u64, 0u64);
    for f in &files {
        let mut name: &[u8] = &f.name;
        let mut prefix: &[u8] = b"";
        let mut len = name_width;
        if name_width < name.len() as i64 {
            prefix = b"...";
            len = (len - 3).max(0);
            name = &name[name.len() - len as usize..];
            if let Some(slash) = name.iter().position(|&b| b == b'/') {
                name = &name[slash..];
            }
        }
        let padding = (len - name.len() as i64).max(0) as usize;
        out.push(b' ');
        out.extend_from_slice(prefix);
        out.extend_from_slice(name);
        out.extend(std::iter::repeat_n(b' ', padding));
        if f.binary {
            out.extend_from_slice(
                format!(" | {:>w$}", "Bin", w = number_width as usize).as_bytes(),
            );
            if f.added != 0 || f.deleted != 0 {
                out.extend_from_slice(format!(" {} -> {} bytes", f.deleted, f.added).as_bytes());
            }
            out.push(b'\n');
            continue;
        }
        adds += f.added;
        dels += f.deleted;
        let (mut add, mut del) = (f.added, f.deleted);
        if graph_width as u64 <= max_change {
            let mut total = scale(add + del);
            if total < 2 && add > 0 && del > 0 {
                total = 2;
            }
            if add < del {
                add = scale(add);
                del = total - add;
            } else {
                del = scale(del);
                add = total - del;
            }
        }
        let changes = f.added + f.deleted;
        out.extend_from_slice(
            format!(
                " | {changes:>w$}{}",
                if changes > 0 { " " } else { "" },
                w = number_width as usize
            )
            .as_bytes(),
        );
        out.extend(std::iter::repeat_n(b'+', add as usize));
        out.extend(std::iter::repeat_n(b'-', del as usize));
        out.push(b'\n');
    }
    let n = files.len();
    out.extend_from_slice(format!(" {n} file{} changed", if n == 1 { "" } else { "s" }).as_bytes());
    if adds > 0 || dels == 0 {
        out.extend_from_slice(
            format!(", {adds} insertion{}(+)", if adds == 1 { "" } else { "s" }).as_bytes(),
        );
    }
    if dels > 0 || adds == 0 {
        out.extend_from_slice(
            format!(", {dels} deletion{}(-)", if dels == 1 { "" } else { "s" }).as_bytes(),
        );
    }
    out.push(b'\n');
    out.extend(summary);
    Ok(out)
}

/// A path as git's `quote_c_style` writes it (with `core.quotePath` on): as is, or in double
/// quotes with `\"`, `\\`, C escapes for control characters and octal for bytes >= 0x80.
fn quote_c_style(path: &[u8]) -> Vec<u8> {
    let needs = |b: u8| !(0x20..0x7f).contains(&b) || b == b'"' || b == b'\\';
    if !path.iter().any(|&b| needs(b)) {
        return path.to_vec();
    }
    let mut out = vec![b'"'];
    for &b in path {
        match b {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            0x07 => out.extend_from_slice(b"\\a"),
            0x08 => out.extend_from_slice(b"\\b"),
            b'\t' => out.extend_from_slice(b"\\t"),
            b'\n' => out.extend_from_slice(b"\\n"),
            0x0b => out.extend_from_slice(b"\\v"),
            0x0c => out.extend_from_slice(b"\\f"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b if needs(b) => out.extend_from_slice(format!("\\{b:03o}").as_bytes()),
            b => out.push(b),
        }
    }
    out.push(b'"');
    out
}

/// git's `pprint_rename`: `a => b`, with the directories both share outside braces:
/// `dir/{old => new}/tail`.
fn pprint_rename(a: &[u8], b: &[u8]) -> Vec<u8> {
    let (qa, qb) = (quote_c_style(a), quote_c_style(b));
    if qa != a || qb != b {
        let mut out = qa;
        out.extend_from_slice(b" => ");
        out.extend(qb);
        return out;
    }
    let at = |s: &[u8], i: usize| s.get(i).copied().unwrap_or(0);
    let mut pfx = 0;
    let mut i = 0;
    while i < a.len() && i < b.len() && a[i] == b[i] {
        if a[i] == b'/' {
            pfx = i + 1;
        }
        i += 1;
    }
    // Walk back from the ends (the terminating NULs included, as in git), into the prefix by
    // one byte when there is one, to see its slash.
    let adjust = usize::from(pfx > 0);
    let mut sfx = 0;
    let (mut oa, mut ob) = (a.len() as i64, b.len() as i64);
    let floor = pfx as i64 - adjust as i64;
    while floor <= oa && floor <= ob && at(a, oa as usize) == at(b, ob as usize) {
        if at(a, oa as usize) == b'/' {
            sfx = a.len() - oa as usize;
        }
        oa -= 1;
        ob -= 1;
        if oa < 0 || ob < 0 {
            break;
        }
    }
    let a_mid = (a.len() as i64 - pfx as i64 - sfx as i64).max(0) as usize;
    let b_mid = (b.len() as i64 - pfx as i64 - sfx as i64).max(0) as usize;
    let mut out = Vec::new();
    let braces = pfx + sfx > 0;
    if braces {
        out.extend_from_slice(&a[..pfx]);
        out.push(b'{');
    }
    out.extend_from_slice(&a[pfx..pfx + a_mid]);
    out.extend_from_slice(b" => ");
    out.extend_from_slice(&b[pfx..pfx + b_mid]);
    if braces {
        out.push(b'}');
        out.extend_from_slice(&a[a.len() - sfx..]);
    }
    out
}

/// Subject and body as `git format-patch` writes them (git's `format_subject` and
/// `pp_remainder`): leading blank lines skipped; the subject is the first paragraph, its lines
/// joined by a space; the body is the rest without the blank lines before it and at its end.
/// Every line loses its trailing whitespace (spaces, tabs, CRs); leading whitespace is kept.
pub fn split_message(message: &[u8]) -> (Vec<u8>, Vec<u8>) {
    let mut lines: Vec<&[u8]> = message.split(|&b| b == b'\n').collect();
    // A final newline ends the last line; it does not start another.
    if lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    let lines: Vec<&[u8]> = lines.into_iter().map(trim_end_git).collect();
    let mut i = 0;
    while i < lines.len() && lines[i].is_empty() {
        i += 1;
    }
    let mut subject = Vec::new();
    let start = i;
    while i < lines.len() && !lines[i].is_empty() {
        if i > start {
            subject.push(b' ');
        }
        subject.extend_from_slice(lines[i]);
        i += 1;
    }
    while i < lines.len() && lines[i].is_empty() {
        i += 1;
    }
    let mut end = lines.len();
    while end > i && lines[end - 1].is_empty() {
        end -= 1;
    }
    let body = lines[i..end].join(&b'\n');
    (subject, body)
}

/// git's `isspace`: space, tab, LF and CR (not vertical tab or form feed).
fn is_git_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

fn trim_end_git(mut s: &[u8]) -> &[u8] {
    while let [rest @ .., last] = s {
        if is_git_space(*last) {
            s = rest;
        } else {
            break;
        }
    }
    s
}

fn needs_rfc2047(text: &[u8]) -> bool {
    !text.is_ascii() || text.windows(2).any(|w| w == b"=?")
}

/// Characters that must be `=XX` in an RFC 2047 `q` word (git's rules: section 4.2 for every
/// header, section 5.3 in addresses).
fn is_rfc2047_special(ch: u8, address: bool) -> bool {
    if !ch.is_ascii() || ch.is_ascii_control() || matches!(ch, b'=' | b'?' | b'_' | b' ') {
        return true;
    }
    address && !(ch.is_ascii_alphanumeric() || matches!(ch, b'!' | b'*' | b'+' | b'-' | b'/'))
}

fn last_line_len(buf: &[u8]) -> usize {
    buf.iter().rev().take_while(|&&b| b != b'\n').count()
}

/// Appends `text` as RFC 2047 `q` words, folded so no line passes 76 characters, as git's
/// `add_rfc2047` does: a character of several bytes (in UTF-8) is never split between two
/// words (RFC 2047 section 5 (3)); bytes that are not valid UTF-8 count as one character each.
fn append_rfc2047(out: &mut Vec<u8>, text: &[u8], address: bool, charset: &str) {
    const MAX: usize = 76;
    let open = format!("=?{charset}?q?");
    let open = open.as_bytes();
    let utf8 = is_utf8_charset(charset);
    let mut line_len = last_line_len(out) + open.len();
    out.extend_from_slice(open);
    let mut i = 0;
    while i < text.len() {
        let len = if utf8 { utf8_char_len(&text[i..]) } else { 1 };
        let ch = &text[i..i + len];
        i += len;
        let special = len > 1 || is_rfc2047_special(ch[0], address);
        let encoded_len = if special { 3 * len } else { 1 };
        if line_len + encoded_len + 2 > MAX {
            out.extend_from_slice(b"?=\n ");
            out.extend_from_slice(open);
            line_len = open.len() + 1;
        }
        for &b in ch {
            if special {
                out.extend_from_slice(format!("={b:02X}").as_bytes());
            } else {
                out.push(b);
            }
        }
        line_len += encoded_len;
    }
    out.extend_from_slice(b"?=");
}

/// `UTF-8`, `utf8`, `UTF8`...: git's `is_encoding_utf8`.
fn is_utf8_charset(charset: &str) -> bool {
    let lower = charset.to_ascii_lowercase();
    matches!(lower.as_str(), "utf-8" | "utf8")
}

/// `ISO-8859-1`, `latin1`, `ISO8859-1`...
fn is_latin1_charset(charset: &str) -> bool {
    let lower = charset.to_ascii_lowercase().replace(['-', '_'], "");
    matches!(lower.as_str(), "iso88591" | "latin1" | "l1")
}

/// ISO-8859-1 bytes as UTF-8 (each byte is the code point of the same value).
fn latin1_to_utf8(bytes: &[u8]) -> Vec<u8> {
    bytes
        .iter()
        .map(|&b| char::from(b))
        .collect::<String>()
        .into_bytes()
}

/// Bytes of the UTF-8 character at the start of `s`; 1 when it is not valid UTF-8.
fn utf8_char_len(s: &[u8]) -> usize {
    let want = match s[0] {
        0xc2..=0xdf => 2,
        0xe0..=0xef => 3,
        0xf0..=0xf4 => 4,
        _ => return 1,
    };
    if s.len() >= want && std::str::from_utf8(&s[..want]).is_ok() {
        want
    } else {
        1
    }
}

/// Appends ASCII `text` wrapped as git's `strbuf_add_wrapped_text(buf, text, -indent, 1,
/// width)` wraps a subject or a name: `indent` columns are already used on the current line;
/// lines break at the whitespace before a word that would pass `width` (when the line has a
/// word already), the continuation lines start with one space, and whitespace is otherwise
/// kept as it is (runs of spaces, tabs, which count up to the next multiple of 8).
fn append_wrapped(out: &mut Vec<u8>, text: &[u8], indent: usize, width: usize) {
    let width = width as i64;
    let at = |i: usize| text.get(i).copied().unwrap_or(0);
    let (mut bol, mut i) = (0usize, 0usize);
    let mut w = indent as i64;
    // Where the pending whitespace starts; the start of the text on the first line.
    let mut space = Some(0usize);
    let mut line_indent = 0;
    loop {
        let c = at(i);
        if c == 0 || is_git_space(c) {
            if w <= width || space.is_none() {
                if c == 0 && i == bol {
                    return;
                }
                let start = match space {
                    Some(s) => s,
                    None => {
                        out.extend(std::iter::repeat_n(b' ', line_indent));
                        bol
                    }
                };
                out.extend_from_slice(&text[start.min(text.len())..i.min(text.len())]);
                if c == 0 {
                    return;
                }
                space = Some(i);
                if c == b'\t' {
                    w |= 0x07;
                } else if c == b'\n' {
                    // Not in a subject (its lines are joined) nor in a name.
                    out.push(b' ');
                }
                w += 1;
                i += 1;
            } else {
                out.push(b'\n');
                let s = space.take().expect("checked");
                i = s + usize::from(is_git_space(at(s)));
                bol = i;
                w = 1;
                line_indent = 1;
            }
            continue;
        }
        // git counts a control character as -1 column (`git_wcwidth`).
        w += if c < 0x20 || c == 0x7f { -1 } else { 1 };
        i += 1;
    }
}

/// The display name of a `From:` header: RFC 2047 when not ASCII, quoted when it holds
/// characters special in RFC 822 phrases, else as is. Returns the line limit that applies
/// (76 inside RFC 2047 words, else 78).
fn append_name(out: &mut Vec<u8>, name: &[u8], charset: &str) -> usize {
    if needs_rfc2047(name) {
        append_rfc2047(out, name, true, charset);
        return 76;
    } else if name.iter().any(|b| b"()<>[]:;@\\,.\"".contains(b)) {
        let mut quoted = vec![b'"'];
        for &b in name {
            if b == b'"' || b == b'\\' {
                quoted.push(b'\\');
            }
            quoted.push(b);
        }
        quoted.push(b'"');
        let indent = last_line_len(out);
        append_wrapped(out, &quoted, indent, 78);
    } else {
        let indent = last_line_len(out);
        append_wrapped(out, name, indent, 78);
    }
    78
}

/// `Tue, 14 Nov 2023 22:13:20 +0000` in the author's own offset.
pub fn rfc2822_date(seconds: i64, offset_minutes: i32) -> String {
    let local = seconds.saturating_add(i64::from(offset_minutes) * 60);
    let at = chrono::DateTime::from_timestamp(local, 0).unwrap_or(if local < 0 {
        chrono::DateTime::<chrono::Utc>::MIN_UTC
    } else {
        chrono::DateTime::<chrono::Utc>::MAX_UTC
    });
    let sign = if offset_minutes < 0 { '-' } else { '+' };
    let off = offset_minutes.unsigned_abs();
    format!(
        "{} {sign}{:02}{:02}",
        at.format("%a, %-d %b %Y %H:%M:%S"),
        off / 60,
        off % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_match_git() {
        assert_eq!(
            rfc2822_date(1_700_000_000, 90),
            "Tue, 14 Nov 2023 23:43:20 +0130"
        );
        assert_eq!(
            rfc2822_date(1_700_000_000, -480),
            "Tue, 14 Nov 2023 14:13:20 -0800"
        );
        assert_eq!(rfc2822_date(0, 0), "Thu, 1 Jan 1970 00:00:00 +0000");
        assert_eq!(
            rfc2822_date(951_782_400, 0),
            "Tue, 29 Feb 2000 00:00:00 +0000"
        );
    }

    #[test]
    fn messages_split_into_subject_and_body() {
        let (s, b) = split_message(b"\nTwo line\nsubject\n\n\nBody\n\nmore\n\n");
        assert_eq!(s, b"Two line subject");
        assert_eq!(b, b"Body\n\nmore");
        let (s, b) = split_message(b"Only\n");
        assert_eq!((s.as_slice(), b.as_slice()), (&b"Only"[..], &b""[..]));
    }

    #[test]
    fn non_ascii_headers_are_encoded_and_folded_like_git() {
        let mut out = b"From: ".to_vec();
        append_name(&mut out, "Jörg Ünicode".as_bytes(), "UTF-8");
        assert_eq!(out, b"From: =?UTF-8?q?J=C3=B6rg=20=C3=9Cnicode?=");

        let mut out = b"Subject: [PATCH] ".to_vec();
        append_rfc2047(
            &mut out,
            "Ünïcode subject with spaces and a rather long tail that needs folding over the limit ok"
                .as_bytes(),
            false,
            "UTF-8",
        );
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "Subject: [PATCH] =?UTF-8?q?=C3=9Cn=C3=AFcode=20subject=20with=20spaces=20a?=\n \
             =?UTF-8?q?nd=20a=20rather=20long=20tail=20that=20needs=20folding=20over?=\n \
             =?UTF-8?q?=20the=20limit=20ok?="
        );
    }

    #[test]
    fn subjects_keep_their_whitespace_and_lose_trailing_whitespace() {
        let (s, b) =
            split_message(b"  Runs  of\tspaces \r\n   continued\r\n\r\nBody \r\n\tindented\r\n");
        assert_eq!(s, b"  Runs  of\tspaces    continued");
        assert_eq!(b, b"Body\n\tindented");
    }

    #[test]
    fn rfc2047_words_end_between_characters() {
        let mut out = b"Subject: [PATCH] ".to_vec();
        let text = format!("{}é", "a".repeat(44));
        append_rfc2047(&mut out, text.as_bytes(), false, "UTF-8");
        let text = String::from_utf8(out).unwrap();
        // 17 + 10 + 44 = 71 columns: `=C3` would fit (with `?=`), `=C3=A9` does not, and the
        // two bytes of é go together to the next word.
        assert!(text.ends_with("?=\n =?UTF-8?q?=C3=A9?="), "{text}");
        for line in text.lines() {
            assert!(line.len() <= 76, "{line}");
        }
    }

    #[test]
    fn git_similarity_and_rename_names() {
        let a = b"one\ntwo\nthree\nfour\n";
        assert_eq!(git_similarity(a, a), 100);
        // What `git diff -M` says of this rename.
        assert_eq!(git_similarity(a, b"one\ntwo\nthree\nfour\nfive\n"), 79);
        assert_eq!(
            pprint_rename(b"a/b/c.txt", b"a/d/c.txt"),
            b"a/{b => d}/c.txt"
        );
        assert_eq!(pprint_rename(b"x", b"y"), b"x => y");
        assert_eq!(pprint_rename(b"dir/x", b"dir/y"), b"dir/{x => y}");
        assert_eq!(quote_c_style(b"caf\xe9 \"q\""), b"\"caf\\351 \\\"q\\\"\"");
    }

    #[test]
    fn names_with_specials_are_quoted() {
        let mut out = Vec::new();
        append_name(&mut out, b"A. U. \"Thor", "UTF-8");
        assert_eq!(out, br#""A. U. \"Thor""#);
        let mut out = Vec::new();
        append_name(&mut out, b"A U Thor", "UTF-8");
        assert_eq!(out, b"A U Thor");
    }

    #[test]
    fn long_ascii_subjects_fold_at_spaces() {
        let mut out = b"Subject: [PATCH] ".to_vec();
        append_wrapped(
            &mut out,
            b"Rename and a very long subject line that goes on and on beyond the seventy eight col limit of headers",
            17,
            78,
        );
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "Subject: [PATCH] Rename and a very long subject line that goes on and on\n \
             beyond the seventy eight col limit of headers"
        );
    }
}
