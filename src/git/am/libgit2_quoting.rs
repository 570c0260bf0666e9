//! A workaround for libgit2's patch parser: the copy of a patch it reads has the `diff --git`
//! lines whose unquoted names hold spaces quoted, with their `rename`/`copy` lines.

/// The text of one patch as libgit2 can read it. libgit2 misreads a `diff --git` line whose
/// unquoted paths hold a space (libgit2 issue #6294): a new file loses its old path (and then
/// fails to apply), and a `rename from a b.txt` line is refused. Git reads these lines quoted
/// as well (`"a/a b.txt"`, `rename from "a b.txt"`), so such lines are quoted; the names come
/// from the `rename`/`copy` lines below the `diff --git` line, else from its two equal halves
/// (`a/P b/P`). Anything else is left as it is.
pub(super) fn readable_by_libgit2(diff: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    let lines: Vec<&[u8]> = diff.split_inclusive(|&b| b == b'\n').collect();
    let mut out: Option<Vec<u8>> = None;
    // Inside the extended header of a `diff --git` line that was quoted.
    let mut quoting = false;
    for (i, line) in lines.iter().enumerate() {
        if line.starts_with(HEADER) || ends_extended_header(line) {
            quoting = false;
        }
        let names = line
            .strip_prefix(HEADER)
            .map(without_newline)
            .filter(|body| {
                body.starts_with(b"a/") && body.iter().filter(|&&b| b == b' ').count() > 1
            })
            .and_then(|body| spaced_names(body, &lines[i + 1..]));
        let name_line = OLD_NAME_KEYS
            .iter()
            .chain(&NEW_NAME_KEYS)
            .find_map(|&key| Some((key, line.strip_prefix(key)?)))
            .filter(|_| quoting);
        let rewritten = match (names, name_line) {
            (Some((old, new)), _) => {
                quoting = true;
                let mut header = HEADER.to_vec();
                header.extend(quoted(b"a/", old));
                header.push(b' ');
                header.extend(quoted(b"b/", new));
                header.push(b'\n');
                Some(header)
            }
            (None, Some((key, value))) => {
                let mut named = key.to_vec();
                named.extend(quoted(b"", without_newline(value)));
                named.push(b'\n');
                Some(named)
            }
            (None, None) => None,
        };
        match (rewritten, &mut out) {
            (Some(text), out) => out
                .get_or_insert_with(|| lines[..i].concat())
                .extend_from_slice(&text),
            (None, Some(out)) => out.extend_from_slice(line),
            (None, None) => {}
        }
    }
    out.map_or(std::borrow::Cow::Borrowed(diff), std::borrow::Cow::Owned)
}

const HEADER: &[u8] = b"diff --git ";

/// The extended header lines that name a path: the old one, the new one.
const OLD_NAME_KEYS: [&[u8]; 2] = [b"rename from ", b"copy from "];
const NEW_NAME_KEYS: [&[u8]; 2] = [b"rename to ", b"copy to "];

fn without_newline(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"\n").unwrap_or(line)
}

/// Whether `line` ends the extended header lines of a `diff --git` line.
fn ends_extended_header(line: &[u8]) -> bool {
    [&b"--- "[..], b"@@", b"Binary files", b"GIT binary patch"]
        .iter()
        .any(|p| line.starts_with(p))
}

/// `"<prefix><name>"` (names that would need escapes are never quoted here).
fn quoted(prefix: &[u8], name: &[u8]) -> Vec<u8> {
    [&b"\""[..], prefix, name, b"\""].concat()
}

/// The old and new names of an unquoted `diff --git` line's `body` (`a/OLD b/NEW`) whose names
/// hold spaces, read from the extended header lines that follow it; `None` when they cannot be
/// told apart or would need escaping inside quotes.
fn spaced_names<'d>(body: &'d [u8], below: &[&'d [u8]]) -> Option<(&'d [u8], &'d [u8])> {
    let value = |line: &'d [u8], keys: [&[u8]; 2]| {
        keys.iter()
            .find_map(|k| line.strip_prefix(*k))
            .map(without_newline)
    };
    let (mut old, mut new) = (None, None);
    for line in below
        .iter()
        .take_while(|l| !l.starts_with(HEADER) && !ends_extended_header(l))
    {
        old = old.or(value(line, OLD_NAME_KEYS));
        new = new.or(value(line, NEW_NAME_KEYS));
    }
    let (old, new) = match (old, new) {
        (Some(old), Some(new)) => (old, new),
        // No rename or copy: the same path twice, `a/P b/P`.
        _ => {
            let len = body.len().checked_sub(5)? / 2;
            let (a, b) = (body.get(2..2 + len)?, body.get(2 + len..)?);
            (a, b.strip_prefix(b" b/").filter(|b| *b == a)?)
        }
    };
    let mut expected = b"a/".to_vec();
    expected.extend_from_slice(old);
    expected.extend_from_slice(b" b/");
    expected.extend_from_slice(new);
    let plain = |n: &[u8]| !n.iter().any(|&b| b == b'"' || b == b'\\' || b < b' ');
    (expected == body && plain(old) && plain(new)).then_some((old, new))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_spaced_diff_git_lines_and_their_names_are_quoted_for_libgit2() {
        use std::borrow::Cow;
        let plain = b"diff --git a/x.txt b/x.txt\n--- a/x.txt\n+++ b/x.txt\n@@ -1 +1 @@\n-a\n+b\n";
        assert!(matches!(readable_by_libgit2(plain), Cow::Borrowed(_)));
        let added = b"diff --git a/a b.txt b/a b.txt\nnew file mode 100644\n--- /dev/null\n";
        assert_eq!(
            &*readable_by_libgit2(added),
            b"diff --git \"a/a b.txt\" \"b/a b.txt\"\nnew file mode 100644\n--- /dev/null\n"
        );
        let renamed = b"diff --git a/a b.txt b/c d.txt\nsimilarity index 100%\nrename from a b.txt\nrename to c d.txt\ndiff --git a/e.txt b/e.txt\nrename from f\n";
        assert_eq!(
            &*readable_by_libgit2(renamed),
            &b"diff --git \"a/a b.txt\" \"b/c d.txt\"\nsimilarity index 100%\nrename from \"a b.txt\"\nrename to \"c d.txt\"\ndiff --git a/e.txt b/e.txt\nrename from f\n"[..]
        );
        // Halves that differ without rename lines, or names that would need escapes: left alone.
        for odd in [
            &b"diff --git a/a b.txt b/c d.txt\n--- a/a b.txt\t\n"[..],
            b"diff --git a/a\\ b b/a\\ b\nnew file mode 100644\n",
            b"diff --git \"a/a b\" \"b/a b\"\nnew file mode 100644\n",
        ] {
            assert!(
                matches!(readable_by_libgit2(odd), Cow::Borrowed(_)),
                "{odd:?}"
            );
        }
    }
}
