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

mod abbrev;
mod diffstat;
mod headers;
mod patch;

use abbrev::*;
use diffstat::*;
pub use headers::split_message;
use headers::*;
pub use patch::patch_bytes;
use patch::*;

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
