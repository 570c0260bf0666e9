//! The diffstat and summary git's `format-patch` writes after `---`.

use super::*;

/// One file of a diffstat.
pub(super) struct StatFile {
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
pub(super) fn diffstat(repo: &Repository, diff: &Diff<'_>) -> Result<Vec<u8>, git2::Error> {
    let mut files = Vec::new();
    let mut summary = Vec::new();
    for (i, delta) in diff.deltas().enumerate() {
        files.push(stat_file(repo, diff, i, &delta)?);
        summary_lines(&mut summary, repo, &delta);
    }
    let mut out = stat_graph(&files);
    out.extend(summary);
    Ok(out)
}

/// The name, binary marker and counts of one file of the diffstat.
pub(super) fn stat_file(
    repo: &Repository,
    diff: &Diff<'_>,
    i: usize,
    delta: &git2::DiffDelta<'_>,
) -> Result<StatFile, git2::Error> {
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
    Ok(StatFile {
        name,
        binary,
        added,
        deleted,
    })
}

/// The `create`, `delete`, `rename`/`copy` and `mode change` lines of one file.
pub(super) fn summary_lines(summary: &mut Vec<u8>, repo: &Repository, delta: &git2::DiffDelta<'_>) {
    let (old, new) = (delta.old_file(), delta.new_file());
    let old_path = old.path_bytes().unwrap_or_default();
    let new_path = new.path_bytes().unwrap_or_default();
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
            mode_change(summary, false);
        }
        _ => mode_change(summary, true),
    }
}

/// The graph lines (names, counts, `+`/`-` scaled to 72 columns) and the totals line.
pub(super) fn stat_graph(files: &[StatFile]) -> Vec<u8> {
    const WIDTH: i64 = 72;
    let width_of = |n: u64| n.to_string().len() as i64;
    let mut max_len = 0i64;
    let mut max_change = 0u64;
    let mut number_width = 0i64;
    let mut bin_width = 0i64;
    for f in files {
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
    for f in files {
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
    out
}

/// A path as git's `quote_c_style` writes it (with `core.quotePath` on): as is, or in double
/// quotes with `\"`, `\\`, C escapes for control characters and octal for bytes >= 0x80.
pub(super) fn quote_c_style(path: &[u8]) -> Vec<u8> {
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
pub(super) fn pprint_rename(a: &[u8], b: &[u8]) -> Vec<u8> {
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
