//! A small shell lexer shared by the rules that read commands (`RUN`, `CMD`, a container's
//! `command`, a service's `entrypoint`…): it blanks what the shell never runs (comments,
//! Dockerfile line continuations) and splits words and operators, minding quotes, `$(…)`,
//! `${…}` and backquotes. Not a full shell parser: enough to find commands, `case … esac` and
//! `if … fi` blocks and test expressions.

/// How a piece of text is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Syntax {
    /// A Dockerfile shell-form command as written (`ShellText::raw`): escape + newline
    /// continues the line, and comment and empty lines between continuation lines are not
    /// part of the command (BuildKit drops them).
    DockerfileShell { escape: char },
    /// Shell script text: a heredoc body, an `sh -c` argument, a YAML command item.
    Shell,
    /// A plain value (an environment value, an `ADD` source): no shell syntax.
    Plain,
}

/// A copy of `text`, same length, with what the shell never runs blanked: comments, and for a
/// Dockerfile command its line continuations and the comment and empty lines between them.
pub(crate) fn mask(text: &str, syntax: Syntax) -> String {
    let mut b = text.as_bytes().to_vec();
    if let Syntax::DockerfileShell { escape } = syntax {
        let esc = u8::try_from(escape).unwrap_or(b'\\');
        // Comment and empty lines after the first line, with their newline.
        let mut line_start = 0;
        let mut first = true;
        while line_start < b.len() {
            let line_end = b[line_start..]
                .iter()
                .position(|&c| c == b'\n')
                .map_or(b.len(), |p| line_start + p);
            let content = &b[line_start..line_end];
            let trimmed = content.iter().position(|c| !c.is_ascii_whitespace());
            let drop = !first && trimmed.is_none_or(|p| content[p] == b'#');
            if drop {
                let end = (line_end + 1).min(b.len());
                b[line_start..end].fill(b' ');
            }
            first = false;
            line_start = line_end + 1;
        }
        // Continuations: the escape, blanks, a newline.
        let mut i = 0;
        while i < b.len() {
            if b[i] == esc {
                let mut j = i + 1;
                while j < b.len() && matches!(b[j], b' ' | b'\t' | b'\r') {
                    j += 1;
                }
                if j < b.len() && b[j] == b'\n' {
                    b[i..=j].fill(b' ');
                    i = j + 1;
                    continue;
                }
                i += 2;
                continue;
            }
            i += 1;
        }
    }
    if syntax != Syntax::Plain {
        // Shell comments: `#` at the start of a word, outside quotes, to the end of the line.
        let mut i = 0;
        let mut quote: Option<u8> = None;
        while i < b.len() {
            let c = b[i];
            match quote {
                Some(q) => {
                    if c == b'\\' && q == b'"' {
                        i += 2;
                        continue;
                    }
                    if c == q {
                        quote = None;
                    }
                }
                None => match c {
                    b'\\' => {
                        i += 2;
                        continue;
                    }
                    b'\'' | b'"' => quote = Some(c),
                    b'#' if i == 0
                        || matches!(
                            b[i - 1],
                            b' ' | b'\t' | b'\n' | b'\r' | b';' | b'&' | b'|' | b'('
                        ) =>
                    {
                        let end =
                            b[i..].iter().position(|&x| x == b'\n').map_or(b.len(), |p| i + p);
                        b[i..end].fill(b' ');
                        i = end;
                        continue;
                    }
                    _ => {}
                },
            }
            i += 1;
        }
    }
    // Only whole characters were blanked (ASCII ranges, or comments to a line end).
    String::from_utf8(b).unwrap_or_else(|_| text.to_string())
}

/// What a token is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Word,
    Op,
}

/// A token: a byte range of the text.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Tok {
    pub kind: Kind,
    pub start: usize,
    pub end: usize,
}

/// Shell words and operators (`;`, `;;`, `&&`, `||`, `|`, `&`, `(`, `)`, newline). A word
/// keeps its quotes, `$(…)`, `${…}` and backquotes; escape + newline is a blank.
pub(crate) fn tokenize(text: &str) -> Vec<Tok> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b'\\' && b.get(i + 1) == Some(&b'\n') {
            i += 2;
            continue;
        }
        if matches!(c, b' ' | b'\t' | b'\r') {
            i += 1;
            continue;
        }
        let two = b.get(i..i + 2).unwrap_or_default();
        let op_len = match (c, two) {
            (_, b";;" | b"&&" | b"||") => 2,
            (b';' | b'|' | b'&' | b'(' | b')' | b'\n', _) => 1,
            _ => 0,
        };
        if op_len > 0 {
            out.push(Tok { kind: Kind::Op, start: i, end: i + op_len });
            i += op_len;
            continue;
        }
        let start = i;
        while i < b.len() {
            let c = b[i];
            match c {
                b' ' | b'\t' | b'\r' | b'\n' | b';' | b'|' | b'(' | b')' => break,
                b'&' if !matches!(b.get(i.wrapping_sub(1)), Some(b'>' | b'<')) || i == start => {
                    break
                }
                b'\\' => i += 2,
                b'\'' => i = skip_until(b, i + 1, b'\''),
                b'"' => i = skip_double(b, i + 1),
                b'`' => i = skip_until(b, i + 1, b'`'),
                b'$' if matches!(b.get(i + 1), Some(b'(' | b'{')) => {
                    i = skip_group(b, i + 1);
                }
                _ => i += 1,
            }
        }
        let end = i.min(b.len());
        if end > start {
            out.push(Tok { kind: Kind::Word, start, end });
        } else {
            i = start + 1;
        }
    }
    out
}

/// The offset after the next `close` from `i` (or the end).
fn skip_until(b: &[u8], i: usize, close: u8) -> usize {
    b.get(i..).and_then(|r| r.iter().position(|&c| c == close)).map_or(b.len(), |p| i + p + 1)
}

/// The offset after the `"` closing a double-quoted string whose content starts at `i`.
fn skip_double(b: &[u8], mut i: usize) -> usize {
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            b'$' if matches!(b.get(i + 1), Some(b'(' | b'{')) => i = skip_group(b, i + 1),
            _ => i += 1,
        }
    }
    b.len()
}

/// `b[i]` is `(` or `{`: the offset after its matching close, quotes respected.
fn skip_group(b: &[u8], i: usize) -> usize {
    let open = b[i];
    let close = if open == b'(' { b')' } else { b'}' };
    let mut depth = 0usize;
    let mut j = i;
    while j < b.len() {
        match b[j] {
            c if c == open => depth += 1,
            c if c == close => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return j + 1;
                }
            }
            b'\\' => j += 1,
            b'\'' if open == b'(' => {
                j = skip_until(b, j + 1, b'\'');
                continue;
            }
            b'"' => {
                j = skip_double(b, j + 1);
                continue;
            }
            _ => {}
        }
        j += 1;
    }
    b.len()
}

pub(crate) fn word<'t>(text: &'t str, t: &Tok) -> &'t str {
    text.get(t.start..t.end).unwrap_or_default()
}

pub(crate) fn is_word(text: &str, t: &Tok, w: &str) -> bool {
    t.kind == Kind::Word && word(text, t) == w
}

pub(crate) fn is_op(text: &str, t: &Tok, op: &str) -> bool {
    t.kind == Kind::Op && word(text, t) == op
}

/// `text` without one pair of surrounding quotes.
pub(crate) fn unquote(s: &str) -> &str {
    for q in ['"', '\''] {
        if let Some(inner) = s.strip_prefix(q).and_then(|r| r.strip_suffix(q)) {
            return inner;
        }
    }
    s
}

/// The simple commands of shell text (masked with [`mask`] first): per command, its words
/// from the command word on. Operators (`;`, `&&`, `||`, `|`, `&`, `(`, `)`, newline) separate
/// commands; leading assignments (`CGO_ENABLED=0`), reserved words (`if`, `then`, `do`, `!`,
/// `{`…) and wrappers (`sudo`, `env`, `exec`, `time`, `nohup`, `command`) are skipped. The
/// heads of `for`, `case` and `select` are not commands and are dropped.
pub(crate) fn simple_commands(text: &str) -> Vec<Vec<Tok>> {
    const RESERVED: [&str; 14] = [
        "if", "then", "else", "elif", "fi", "do", "done", "while", "until", "!", "{", "}", "esac",
        "in",
    ];
    const WRAPPERS: [&str; 7] = ["sudo", "env", "exec", "time", "nohup", "command", "builtin"];
    let mut out = Vec::new();
    let mut current: Vec<Tok> = Vec::new();
    let flush = |current: &mut Vec<Tok>, out: &mut Vec<Vec<Tok>>| {
        let mut words = current.drain(..).peekable();
        let mut wrapped = false;
        while let Some(t) = words.peek() {
            let w = word(text, t);
            let assignment = w.split_once('=').is_some_and(|(name, _)| {
                !name.is_empty()
                    && name.bytes().all(|c| c == b'_' || c.is_ascii_alphanumeric())
                    && !name.as_bytes()[0].is_ascii_digit()
            });
            let wrapper = WRAPPERS.contains(&w);
            let option = wrapped && w.starts_with('-');
            if RESERVED.contains(&w) || assignment || wrapper || option {
                wrapped |= wrapper;
                words.next();
            } else {
                break;
            }
        }
        let rest: Vec<Tok> = words.collect();
        let head = rest.first().map(|t| word(text, t));
        if !rest.is_empty() && !matches!(head, Some("for" | "case" | "select")) {
            out.push(rest);
        }
    };
    // after `;;` the words up to `)` are the next case pattern, not a command
    let mut pattern = false;
    for t in tokenize(text) {
        if t.kind == Kind::Word {
            current.push(t);
            continue;
        }
        match word(text, &t) {
            ";;" => {
                flush(&mut current, &mut out);
                pattern = true;
            }
            ")" if pattern => {
                current.clear();
                pattern = false;
            }
            "\n" | "(" if pattern && current.is_empty() => {}
            _ => {
                flush(&mut current, &mut out);
                pattern = false;
            }
        }
    }
    flush(&mut current, &mut out);
    out
}

/// The program name of a command word: unquoted, without its directory (`/usr/local/go/bin/go`
/// → `go`, `./gradlew` → `gradlew`).
pub(crate) fn program_name(w: &str) -> &str {
    let w = unquote(w);
    w.rsplit('/').next().unwrap_or(w)
}

#[cfg(test)]
mod simple_command_tests {
    use super::*;

    fn commands(text: &str) -> Vec<String> {
        let masked = mask(text, Syntax::Shell);
        simple_commands(&masked)
            .iter()
            .map(|c| c.iter().map(|t| word(&masked, t)).collect::<Vec<_>>().join(" "))
            .collect()
    }

    #[test]
    fn commands_start_at_the_command_word() {
        assert_eq!(
            commands("CGO_ENABLED=0 sudo -E go build . && if true; then make; fi # cc x"),
            ["go build .", "true", "make"]
        );
        assert_eq!(
            commands("case \"$(uname -m)\" in x86_64) a=1 ;; *) exit 1 ;; esac"),
            ["exit 1"]
        );
        assert_eq!(commands("for f in a b; do gcc \"$f\"; done"), ["gcc \"$f\""]);
    }
}
