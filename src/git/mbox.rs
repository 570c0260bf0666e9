//! The series as an mbox, written as `git format-patch --stdout` writes it: one message per
//! commit with `From <id> Mon Sep 17 00:00:00 2001`, `From:`, `Date:`, `Subject: [PATCH n/m]`
//! (RFC 2047 encoded and folded like git), the body, `---`, an optional diffstat, the patch
//! (binary files as `GIT binary patch`) and the `-- ` signature.
//!
//! The headers are text; the diff, the diffstat and binary patches come from git2. Bytes are
//! kept as bytes: paths and messages that are not UTF-8 pass through unchanged.

use git2::{Diff, DiffFindOptions, DiffFormat, DiffOptions, DiffStatsFormat, Oid, Repository};

use super::series::Series;

/// How the mbox is written.
#[derive(Debug, Clone)]
pub struct MboxOptions {
    /// Include the diffstat after `---` (as `git format-patch` does by default).
    pub stat: bool,
    /// The text after the `-- ` line (git writes its version).
    pub signature: String,
    /// Hex digits of blob ids in `index` lines.
    pub abbrev: u16,
}

impl Default for MboxOptions {
    fn default() -> Self {
        MboxOptions {
            stat: true,
            signature: format!("review {}", env!("CARGO_PKG_VERSION")),
            abbrev: 7,
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
    opts.show_binary(true).id_abbrev(abbrev);
    let mut diff = repo.diff_tree_to_tree(parent_tree.as_ref(), Some(&tree), Some(&mut opts))?;
    let mut find = DiffFindOptions::new();
    find.renames(true);
    diff.find_similar(Some(&mut find))?;
    Ok(diff)
}

/// The patch text of a diff (`diff --git ...` onwards), as bytes.
pub fn patch_bytes(diff: &Diff<'_>) -> Result<Vec<u8>, git2::Error> {
    let mut out = Vec::new();
    diff.print(DiffFormat::Patch, |_delta, _hunk, line| {
        match line.origin() {
            '+' | '-' | ' ' => out.push(line.origin() as u8),
            'F' => {
                out.extend(file_header(line.content()));
                return true;
            }
            _ => {}
        }
        out.extend_from_slice(line.content());
        true
    })?;
    Ok(out)
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
    let (subject, body) = split_message(commit.message_bytes());

    let mut out = Vec::new();
    out.extend_from_slice(format!("From {id} Mon Sep 17 00:00:00 2001\n").as_bytes());

    let mut from = b"From: ".to_vec();
    // Messages and names are in the commit's encoding (UTF-8 unless its header says otherwise);
    // they are passed on as they are, labelled with that encoding.
    let charset = commit.message_encoding().unwrap_or("UTF-8").to_owned();
    let max = append_name(&mut from, author.name_bytes(), &charset);
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
        append_wrapped(&mut header, &subject, 78);
    }
    header.push(b'\n');
    out.extend(header);

    let non_ascii = !subject.is_ascii() || !body.is_ascii();
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
    let diff = commit_diff(repo, &commit, options.abbrev)?;
    // An empty commit has neither `---`, diffstat nor patch: the signature follows the message.
    if options.stat && diff.deltas().len() > 0 {
        out.extend_from_slice(b"---\n");
        let stats = diff.stats()?;
        let text = stats.to_buf(DiffStatsFormat::FULL | DiffStatsFormat::INCLUDE_SUMMARY, 72)?;
        out.extend_from_slice(&text);
    }
    if diff.deltas().len() > 0 {
        out.push(b'\n');
        out.extend(patch_bytes(&diff)?);
    }
    out.extend_from_slice(format!("-- \n{}\n\n", options.signature).as_bytes());
    Ok(out)
}

/// Subject (the first paragraph, lines joined by a space) and body (the rest, without the
/// blank lines around it), as `git format-patch` splits a commit message.
pub fn split_message(message: &[u8]) -> (Vec<u8>, Vec<u8>) {
    let lines: Vec<&[u8]> = message.split(|&b| b == b'\n').collect();
    let is_blank = |l: &[u8]| l.iter().all(|b| b.is_ascii_whitespace());
    let mut i = 0;
    while i < lines.len() && is_blank(lines[i]) {
        i += 1;
    }
    let mut subject = Vec::new();
    while i < lines.len() && !is_blank(lines[i]) {
        if !subject.is_empty() {
            subject.push(b' ');
        }
        subject.extend_from_slice(trim_ascii(lines[i]));
        i += 1;
    }
    while i < lines.len() && is_blank(lines[i]) {
        i += 1;
    }
    let mut end = lines.len();
    while end > i && is_blank(lines[end - 1]) {
        end -= 1;
    }
    let body = lines[i..end].join(&b'\n');
    (subject, body)
}

fn trim_ascii(mut s: &[u8]) -> &[u8] {
    while let [first, rest @ ..] = s {
        if first.is_ascii_whitespace() {
            s = rest;
        } else {
            break;
        }
    }
    while let [rest @ .., last] = s {
        if last.is_ascii_whitespace() {
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

/// Appends `text` as RFC 2047 `q` words, folded so no line passes 76 characters.
fn append_rfc2047(out: &mut Vec<u8>, text: &[u8], address: bool, charset: &str) {
    const MAX: usize = 76;
    let open = format!("=?{charset}?q?");
    let open = open.as_bytes();
    let mut line_len = last_line_len(out) + open.len();
    out.extend_from_slice(open);
    for &ch in text {
        let special = is_rfc2047_special(ch, address);
        if line_len + 2 + if special { 3 } else { 1 } > MAX {
            out.extend_from_slice(b"?=\n ");
            out.extend_from_slice(open);
            line_len = open.len() + 1;
        }
        if special {
            out.extend_from_slice(format!("={ch:02X}").as_bytes());
            line_len += 3;
        } else {
            out.push(ch);
            line_len += 1;
        }
    }
    out.extend_from_slice(b"?=");
}

/// Appends ASCII `text`, folding at spaces so lines stay within `width` (continuations start
/// with one space), as git folds a long subject.
fn append_wrapped(out: &mut Vec<u8>, text: &[u8], width: usize) {
    let mut col = last_line_len(out);
    let mut first = true;
    for word in text.split(|&b| b == b' ') {
        if first {
            out.extend_from_slice(word);
            col += word.len();
            first = false;
        } else if col + 1 + word.len() > width {
            out.extend_from_slice(b"\n ");
            out.extend_from_slice(word);
            col = 1 + word.len();
        } else {
            out.push(b' ');
            out.extend_from_slice(word);
            col += 1 + word.len();
        }
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
        out.push(b'"');
        for &b in name {
            if b == b'"' || b == b'\\' {
                out.push(b'\\');
            }
            out.push(b);
        }
        out.push(b'"');
    } else {
        append_wrapped(out, name, 78);
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
            78,
        );
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "Subject: [PATCH] Rename and a very long subject line that goes on and on\n \
             beyond the seventy eight col limit of headers"
        );
    }
}
