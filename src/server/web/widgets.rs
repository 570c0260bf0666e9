//! Small pieces the pages share. Colour is never the only signal: every badge carries a word
//! (and a symbol hidden from screen readers, which read the word).

use maud::{html, Markup};

use crate::api::review::Votes;
use crate::api::{GateStatus, JobState, Verdict};

/// A badge: its class picks the colour, the word says it.
fn badge(class: &str, symbol: &str, word: &str) -> Markup {
    html! {
        span class={ "badge " (class) } {
            span.sym aria-hidden="true" { (symbol) } " " (word)
        }
    }
}

pub fn verdict_badge(verdict: Verdict) -> Markup {
    let (class, symbol, word) = match verdict {
        Verdict::Pending => ("wait", "…", "pending"),
        Verdict::Passed => ("ok", "✓", "passed"),
        Verdict::Failed => ("bad", "✗", "failed"),
        Verdict::Cancelled => ("off", "–", "cancelled"),
        Verdict::Conflicts => ("bad", "!", "conflicts"),
        Verdict::AlreadyMerged => ("off", "=", "already merged"),
    };
    badge(class, symbol, word)
}

pub fn job_badge(state: JobState) -> Markup {
    let (class, symbol) = match state {
        JobState::Queued => ("wait", "…"),
        JobState::Running => ("run", "▶"),
        JobState::Passed => ("ok", "✓"),
        JobState::Failed => ("bad", "✗"),
        JobState::Cancelled | JobState::Skipped => ("off", "–"),
    };
    badge(class, symbol, state.as_str())
}

pub fn gate_badge(state: GateStatus) -> Markup {
    let (class, symbol) = match state {
        GateStatus::None | GateStatus::NotApproved | GateStatus::Dequeued => ("off", "○"),
        GateStatus::Queued => ("wait", "…"),
        GateStatus::Testing | GateStatus::Merging | GateStatus::Reverting => ("run", "▶"),
        GateStatus::Merged => ("ok", "✓"),
        GateStatus::Ejected | GateStatus::Reverted => ("bad", "✗"),
    };
    badge(class, symbol, &state.as_str().replace('-', " "))
}

/// `+2 −1`, and who requests changes.
pub fn vote_tally(votes: &Votes) -> Markup {
    html! {
        span.votes {
            span.plus title="votes +1" { "+" (votes.plus) }
            " "
            span.minus title="votes -1" { "−" (votes.minus) }
            @if !votes.request_changes.is_empty() {
                " "
                (badge("bad", "✋", &format!("changes requested by {}", votes.request_changes.join(", "))))
            }
        }
    }
}

/// How long ago an RFC 3339 instant was, in words (`5 min ago`), the instant itself in
/// `datetime` and the tooltip.
pub fn age(at: &str, now_ms: i64) -> Markup {
    let words = chrono::DateTime::parse_from_rfc3339(at)
        .map(|t| ago((now_ms - t.timestamp_millis()) / 1000))
        .unwrap_or_else(|_| at.to_owned());
    html! { time datetime=(at) title=(at) { (words) } }
}

fn ago(secs: i64) -> String {
    let secs = secs.max(0);
    match secs {
        0..60 => "just now".into(),
        60..3600 => format!("{} min ago", secs / 60),
        3600..86400 => format!("{} h ago", secs / 3600),
        _ => format!("{} d ago", secs / 86400),
    }
}

/// A duration in seconds, short: `42 s`, `3 min 5 s`.
pub fn duration(secs: f64) -> String {
    let whole = secs.round() as u64;
    if whole < 60 {
        format!("{whole} s")
    } else {
        format!("{} min {} s", whole / 60, whole % 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_and_durations_read_short() {
        assert_eq!(ago(5), "just now");
        assert_eq!(ago(-5), "just now");
        assert_eq!(ago(600), "10 min ago");
        assert_eq!(ago(7200), "2 h ago");
        assert_eq!(ago(3 * 86400), "3 d ago");
        assert_eq!(duration(4.4), "4 s");
        assert_eq!(duration(185.0), "3 min 5 s");
    }

    #[test]
    fn badges_say_their_word() {
        let html = verdict_badge(Verdict::Failed).into_string();
        assert!(html.contains("failed") && html.contains("bad"), "{html}");
        let html = gate_badge(GateStatus::NotApproved).into_string();
        assert!(html.contains("not approved"), "{html}");
    }
}
