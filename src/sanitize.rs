//! Cleaning text from servers before it reaches a terminal.
//!
//! Titles, descriptions, file names and error messages from the hubs are untrusted: they can carry
//! escape sequences that move the cursor or rewrite the screen, bidi overrides that reorder what is
//! shown, and zero-width characters. [`for_terminal`] removes all of them.

/// Returns `s` with control characters, ANSI/OSC escape sequences, bidi controls and zero-width
/// characters removed; tabs and newlines become spaces. Printable text is kept as is.
pub fn for_terminal(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\u{1b}' => skip_escape(&mut chars),
            // C1 control introducer for CSI/OSC: skip the sequence like ESC [ / ESC ].
            '\u{9b}' => skip_csi(&mut chars),
            '\u{9d}' => skip_osc(&mut chars),
            '\t' | '\n' | '\r' => out.push(' '),
            c if c.is_control() => {}
            c if is_invisible_format(c) => {}
            c => out.push(c),
        }
    }
    out
}

/// Bidi controls, zero-width and other invisible formatting characters.
fn is_invisible_format(c: char) -> bool {
    matches!(c,
        '\u{200b}'..='\u{200f}' // zero-width space/joiners, LRM, RLM
        | '\u{202a}'..='\u{202e}' // LRE, RLE, PDF, LRO, RLO
        | '\u{2060}'..='\u{2064}' // word joiner, invisible operators
        | '\u{2066}'..='\u{2069}' // LRI, RLI, FSI, PDI
        | '\u{061c}' // arabic letter mark
        | '\u{feff}' // BOM / zero-width no-break space
        | '\u{fff9}'..='\u{fffb}' // interlinear annotations
    )
}

fn skip_escape(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    match chars.peek() {
        Some('[') => {
            chars.next();
            skip_csi(chars);
        }
        Some(']') | Some('P') | Some('X') | Some('^') | Some('_') => {
            chars.next();
            skip_osc(chars);
        }
        Some(_) => {
            // Two-character escape (ESC c, ESC 7, ...).
            chars.next();
        }
        None => {}
    }
}

/// CSI: parameters and intermediates, then one final byte in 0x40..=0x7e.
fn skip_csi(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    for c in chars.by_ref() {
        if ('\u{40}'..='\u{7e}').contains(&c) {
            break;
        }
    }
}

/// OSC/DCS-like strings end at BEL, ST (ESC \) or the C1 ST.
fn skip_osc(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    while let Some(c) = chars.next() {
        match c {
            '\u{7}' | '\u{9c}' => break,
            '\u{1b}' => {
                if chars.peek() == Some(&'\\') {
                    chars.next();
                }
                break;
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::for_terminal;

    #[test]
    fn strips_escapes_controls_and_bidi() {
        assert_eq!(for_terminal("plain title"), "plain title");
        assert_eq!(for_terminal("red \u{1b}[31mtext\u{1b}[0m"), "red text");
        assert_eq!(for_terminal("a\u{1b}]0;pwned\u{7}b"), "ab");
        assert_eq!(
            for_terminal("a\u{1b}]8;;http://x\u{1b}\\link\u{1b}]8;;\u{1b}\\"),
            "alink"
        );
        assert_eq!(for_terminal("evil\u{202e}txt.exe"), "eviltxt.exe");
        assert_eq!(for_terminal("zero\u{200b}width"), "zerowidth");
        assert_eq!(for_terminal("line\nbreak\ttab\rret"), "line break tab ret");
        assert_eq!(for_terminal("bell\u{7}nul\u{0}del\u{7f}"), "bellnuldel");
        assert_eq!(for_terminal("c1\u{9b}2Jcsi"), "c1csi");
        assert_eq!(for_terminal("ünïcödé 数据"), "ünïcödé 数据");
    }
}
