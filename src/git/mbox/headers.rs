//! Mail headers and the commit message as git's `format-patch` writes them: subject and body,
//! RFC 2047 words, wrapping, names, dates.

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
pub(super) fn is_git_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

pub(super) fn trim_end_git(mut s: &[u8]) -> &[u8] {
    while let [rest @ .., last] = s {
        if is_git_space(*last) {
            s = rest;
        } else {
            break;
        }
    }
    s
}

pub(super) fn needs_rfc2047(text: &[u8]) -> bool {
    !text.is_ascii() || text.windows(2).any(|w| w == b"=?")
}

/// Characters that must be `=XX` in an RFC 2047 `q` word (git's rules: section 4.2 for every
/// header, section 5.3 in addresses).
pub(super) fn is_rfc2047_special(ch: u8, address: bool) -> bool {
    if !ch.is_ascii() || ch.is_ascii_control() || matches!(ch, b'=' | b'?' | b'_' | b' ') {
        return true;
    }
    address && !(ch.is_ascii_alphanumeric() || matches!(ch, b'!' | b'*' | b'+' | b'-' | b'/'))
}

pub(super) fn last_line_len(buf: &[u8]) -> usize {
    buf.iter().rev().take_while(|&&b| b != b'\n').count()
}

/// Appends `text` as RFC 2047 `q` words, folded so no line passes 76 characters, as git's
/// `add_rfc2047` does: a character of several bytes (in UTF-8) is never split between two
/// words (RFC 2047 section 5 (3)); bytes that are not valid UTF-8 count as one character each.
pub(super) fn append_rfc2047(out: &mut Vec<u8>, text: &[u8], address: bool, charset: &str) {
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
pub(super) fn is_utf8_charset(charset: &str) -> bool {
    let lower = charset.to_ascii_lowercase();
    matches!(lower.as_str(), "utf-8" | "utf8")
}

/// `ISO-8859-1`, `latin1`, `ISO8859-1`...
pub(super) fn is_latin1_charset(charset: &str) -> bool {
    let lower = charset.to_ascii_lowercase().replace(['-', '_'], "");
    matches!(lower.as_str(), "iso88591" | "latin1" | "l1")
}

/// ISO-8859-1 bytes as UTF-8 (each byte is the code point of the same value).
pub(super) fn latin1_to_utf8(bytes: &[u8]) -> Vec<u8> {
    bytes
        .iter()
        .map(|&b| char::from(b))
        .collect::<String>()
        .into_bytes()
}

/// Bytes of the UTF-8 character at the start of `s`; 1 when it is not valid UTF-8.
pub(super) fn utf8_char_len(s: &[u8]) -> usize {
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
pub(super) fn append_wrapped(out: &mut Vec<u8>, text: &[u8], indent: usize, width: usize) {
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
pub(super) fn append_name(out: &mut Vec<u8>, name: &[u8], charset: &str) -> usize {
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
