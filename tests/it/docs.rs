//! The documentation's relative links: every link in `README.md`, `ARCHITECTURE.md` and
//! `docs/*.md` that is not a URL names a file or directory of the repository, and every
//! `#anchor` names a heading of the Markdown file it points into (GitHub's slug rules).
//! Every page in `docs/` is linked from `README.md`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use regex::Regex;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The checked pages: `README.md`, `ARCHITECTURE.md` and `docs/*.md`, sorted.
fn pages(root: &Path) -> Vec<PathBuf> {
    let mut pages = vec![root.join("README.md"), root.join("ARCHITECTURE.md")];
    if let Ok(entries) = std::fs::read_dir(root.join("docs")) {
        let mut docs: Vec<PathBuf> = entries
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "md"))
            .collect();
        docs.sort();
        pages.extend(docs);
    }
    pages
}

/// A link found in a page: its 1-based line and its target as written.
#[derive(Debug, PartialEq)]
struct Link {
    line: usize,
    target: String,
}

/// `line` with the contents of its inline code spans (a run of backticks up to the next run
/// of the same length) blanked.
fn without_code_spans(line: &str) -> String {
    let chars: Vec<char> = line.chars().collect();
    let run = |from: usize| chars[from..].iter().take_while(|c| **c == '`').count();
    let mut out = String::with_capacity(line.len());
    let mut i = 0;
    while i < chars.len() {
        if chars[i] != '`' {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let open = run(i);
        let mut j = i + open;
        let close = loop {
            match (j..chars.len()).find(|k| chars[*k] == '`') {
                None => break None,
                Some(k) if run(k) == open => break Some(k),
                Some(k) => j = k + run(k),
            }
        };
        match close {
            Some(k) => i = k + open,
            None => {
                out.extend(&chars[i..i + open]);
                i += open;
            }
        }
    }
    out
}

/// The lines of `text` outside fenced code blocks, with inline code spans blanked, paired
/// with their 1-based numbers.
fn prose_lines(text: &str) -> Vec<(usize, String)> {
    let mut fence: Option<String> = None;
    let mut lines = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        let first = trimmed.chars().next().unwrap_or(' ');
        let marker: String = trimmed.chars().take_while(|c| *c == first).collect();
        let is_fence = matches!(first, '`' | '~') && marker.len() >= 3;
        match &fence {
            Some(open) => {
                if is_fence && marker.starts_with(open.as_str()) && trimmed.trim_end() == marker {
                    fence = None;
                }
            }
            None if is_fence => fence = Some(marker),
            None => lines.push((i + 1, without_code_spans(line))),
        }
    }
    lines
}

/// Every link target of a Markdown page: inline links and images `[text](target "title")`,
/// `[text](<target>)`, and reference definitions `[label]: target`.
fn links(text: &str) -> Vec<Link> {
    let inline = Regex::new(r#"\]\(\s*(?:<([^>]*)>|([^)\s]+))(?:\s+"[^"]*")?\s*\)"#).unwrap();
    let definition = Regex::new(r"^\s{0,3}\[[^\]]+\]:\s+<?([^\s>]+)>?").unwrap();
    let mut found = Vec::new();
    for (line, prose) in prose_lines(text) {
        for caps in inline.captures_iter(&prose) {
            let target = caps.get(1).or_else(|| caps.get(2)).unwrap().as_str();
            found.push(Link {
                line,
                target: target.to_owned(),
            });
        }
        if let Some(caps) = definition.captures(&prose) {
            found.push(Link {
                line,
                target: caps[1].to_owned(),
            });
        }
    }
    found
}

/// GitHub's anchor for a heading's text: lower case, inline markup dropped, everything but
/// letters, digits, `_`, `-` and spaces removed, each space a `-`.
fn slug(heading: &str) -> String {
    let link = Regex::new(r"!?\[([^\]]*)\]\([^)]*\)").unwrap();
    let text = link.replace_all(heading, "$1");
    text.to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | ' '))
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

/// The anchors a Markdown page defines: one per heading (ATX or setext, outside code
/// blocks; a repeated slug gets `-1`, `-2`, ... as on GitHub) and HTML `id`/`name` attributes.
fn anchors(text: &str) -> BTreeSet<String> {
    let atx = Regex::new(r"^\s{0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$").unwrap();
    let setext = Regex::new(r"^\s{0,3}(=+|-+)\s*$").unwrap();
    let html = Regex::new(r#"<[a-zA-Z][^>]*\s(?:id|name)="([^"]+)""#).unwrap();
    let raw: BTreeMap<usize, String> = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.to_owned()))
        .collect();
    let prose = prose_lines(text);
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut anchors = BTreeSet::new();
    let mut previous: Option<usize> = None;
    for (number, _) in &prose {
        let line = &raw[number];
        let heading = if let Some(caps) = atx.captures(line) {
            Some(caps[1].to_owned())
        } else if setext.is_match(line) && previous == Some(number - 1) {
            let above = raw[&(number - 1)].trim();
            (!above.is_empty() && !above.starts_with('|')).then(|| above.to_owned())
        } else {
            None
        };
        if let Some(heading) = heading {
            let base = slug(&heading.replace('`', ""));
            let count = seen.entry(base.clone()).or_insert(0);
            anchors.insert(if *count == 0 {
                base
            } else {
                format!("{base}-{count}")
            });
            *count += 1;
        }
        for caps in html.captures_iter(line) {
            anchors.insert(caps[1].to_owned());
        }
        previous = Some(*number);
    }
    anchors
}

/// `%XX` escapes of a link's path decoded.
fn percent_decode(path: &str) -> String {
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Whether a target leaves the repository's files: a URL (`scheme:`) or a protocol-relative
/// `//host` link.
fn is_external(target: &str) -> bool {
    let scheme = Regex::new(r"^[a-zA-Z][a-zA-Z0-9+.-]*:").unwrap();
    scheme.is_match(target) || target.starts_with("//")
}

/// The broken relative links of `pages` as `page:line: target: why`, inside `root` (a link
/// may not leave it).
fn broken_links(root: &Path, pages: &[PathBuf]) -> Vec<String> {
    let root = root.canonicalize().unwrap();
    let mut broken = Vec::new();
    for page in pages {
        let real_page = page.canonicalize().unwrap_or_else(|_| page.clone());
        let shown = real_page
            .strip_prefix(&root)
            .unwrap_or(page)
            .display()
            .to_string();
        let text = match std::fs::read_to_string(page) {
            Ok(text) => text,
            Err(e) => {
                broken.push(format!("{shown}: cannot read: {e}"));
                continue;
            }
        };
        for link in links(&text) {
            if is_external(&link.target) {
                continue;
            }
            let (path, anchor) = match link.target.split_once('#') {
                Some((path, anchor)) => (path, Some(anchor)),
                None => (link.target.as_str(), None),
            };
            let path = percent_decode(path.split('?').next().unwrap_or(""));
            let file = if path.is_empty() {
                page.clone()
            } else if let Some(absolute) = path.strip_prefix('/') {
                root.join(absolute)
            } else {
                page.parent().unwrap().join(&path)
            };
            let why = match file.canonicalize() {
                Err(_) => Some("no such file or directory".to_owned()),
                Ok(real) if !real.starts_with(&root) => Some("outside the repository".to_owned()),
                Ok(real) => match anchor {
                    None | Some("") => None,
                    Some(_) if real.extension().is_none_or(|e| e != "md") => {
                        Some("an anchor into a file that is not Markdown".to_owned())
                    }
                    Some(anchor) => {
                        let text = std::fs::read_to_string(&real).unwrap_or_default();
                        (!anchors(&text).contains(&percent_decode(anchor)))
                            .then(|| format!("no heading with the anchor `#{anchor}`"))
                    }
                },
            };
            if let Some(why) = why {
                broken.push(format!("{shown}:{}: {}: {why}", link.line, link.target));
            }
        }
    }
    broken
}

#[test]
fn relative_links_in_the_documentation_resolve() {
    let root = root();
    let broken = broken_links(&root, &pages(&root));
    assert!(
        broken.is_empty(),
        "broken links in the documentation:\n{}",
        broken.join("\n")
    );
}

#[test]
fn every_page_in_docs_is_linked_from_the_readme() {
    let root = root();
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let linked: BTreeSet<String> = links(&readme)
        .into_iter()
        .map(|l| l.target.split('#').next().unwrap().to_owned())
        .collect();
    let orphans: Vec<String> = pages(&root)
        .iter()
        .filter_map(|p| p.strip_prefix(&root).ok())
        .map(|p| p.display().to_string())
        .filter(|p| p.starts_with("docs/") && !linked.contains(p))
        .collect();
    assert!(
        orphans.is_empty(),
        "pages in docs/ that README.md does not link to: {orphans:?}"
    );
}

#[test]
fn the_checker_reports_broken_files_and_anchors() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("repo");
    std::fs::create_dir_all(root.join("docs")).unwrap();
    std::fs::write(dir.path().join("outside.md"), "# Outside\n").unwrap();
    std::fs::write(
        root.join("docs/guide.md"),
        "# Guide\n\n## Exit codes & streams\n\n## The `review serve` service\n\n\
         Overview\n--------\n\n## Notes\n## Notes\n\n```\n## Not a heading\n```\n",
    )
    .unwrap();
    let page = root.join("README.md");
    std::fs::write(
        &page,
        "# Title\n\
         [ok](docs/guide.md) [ok](docs/guide.md#exit-codes--streams) [ok](docs/)\n\
         [ok](#title) [ok](docs/guide.md#overview) [ok](docs/guide.md#notes-1 \"title\")\n\
         [ok](https://example.org/missing.md) ![ok](<docs/guide.md>) [ok](/docs/guide.md)\n\
         [ok](docs/guide.md#the-review-serve-service) `[code](missing.md)` ``[`code`](missing.md)``\n\
         ```\n[in a code block](missing.md)\n```\n\
         [gone](docs/missing.md)\n\
         [bad anchor](docs/guide.md#exit-codes)\n\
         [bad local anchor](#nowhere) [third notes](docs/guide.md#notes-2)\n\
         [escapes](../outside.md) [in code](docs/guide.md#not-a-heading)\n\
         [ref]: docs/also-missing.md\n",
    )
    .unwrap();
    let broken = broken_links(&root, std::slice::from_ref(&page));
    let at: Vec<&str> = broken
        .iter()
        .map(|b| b.split(": ").next().unwrap())
        .collect();
    let expected = [
        "README.md:9",
        "README.md:10",
        "README.md:11",
        "README.md:11",
        "README.md:12",
        "README.md:12",
        "README.md:13",
    ];
    assert_eq!(at, expected, "{broken:#?}");
    assert!(broken[0].ends_with("docs/missing.md: no such file or directory"));
    assert!(broken[1].ends_with("no heading with the anchor `#exit-codes`"));
    assert!(broken[4].ends_with("../outside.md: outside the repository"));
    assert!(broken[6].ends_with("docs/also-missing.md: no such file or directory"));
}

#[test]
fn slugs_follow_github() {
    assert_eq!(
        slug("The embedded service (`review serve`)"),
        "the-embedded-service-review-serve"
    );
    assert_eq!(slug("Exit codes & streams"), "exit-codes--streams");
    assert_eq!(slug("`review list --queue`"), "review-list---queue");
    assert_eq!(slug("serve.toml keys"), "servetoml-keys");
    assert_eq!(slug("Gerrit + Zuul"), "gerrit--zuul");
    assert_eq!(without_code_spans("a `b` c ``d`e`` f ` g"), "a  c  f ` g");
    assert_eq!(slug("Links: [docs](docs/) here"), "links-docs-here");
}
