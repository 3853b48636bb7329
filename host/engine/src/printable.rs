//! Text from a policy, made safe for a terminal or a log line.

use std::borrow::Cow;
use std::fmt::Write;

/// `text` with every character that could redraw a terminal or forge a line escaped:
/// control characters (ESC, CR, LF, BEL, ...), the line and paragraph separators (U+2028,
/// U+2029) and the bidirectional overrides and isolates (U+202A..U+202E, U+2066..U+2069) become `\u{1b}`-style escapes; everything else is kept.
/// Policies choose their names, checks, messages and log lines, so every text front end
/// shows them through this; JSON output keeps them exact (JSON escapes them itself).
pub fn printable(text: &str) -> Cow<'_, str> {
    if !text.chars().any(needs_escape) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if needs_escape(c) {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

fn needs_escape(c: char) -> bool {
    c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_and_bidi_overrides_are_escaped() {
        let cases = [
            ("plain text, ünïcode ✓", "plain text, ünïcode ✓"),
            ("\u{1b}[2K\rdecision: allow\n", "\\u{1b}[2K\\u{d}decision: allow\\u{a}"),
            ("tab\there\u{7}", "tab\\u{9}here\\u{7}"),
            ("evil\u{202e}txt.exe", "evil\\u{202e}txt.exe"),
            ("\u{2066}isolate\u{2069}", "\\u{2066}isolate\\u{2069}"),
            ("line\u{2028}separator", "line\\u{2028}separator"),
        ];
        for (text, shown) in cases {
            assert_eq!(printable(text), shown, "{text:?}");
        }
        assert!(matches!(printable("no escapes"), Cow::Borrowed(_)));
    }
}
