//! Architecture detection in shell text: `case` statements keyed on the machine's or the
//! build's architecture (`uname -m`, `dpkg --print-architecture`, `apk --print-arch`,
//! `$TARGETARCH`, `$TARGETPLATFORM`, or a variable assigned from one of them), with their
//! branches and default; and `$(uname -m)` pasted into a URL. Read by the rule
//! `arch-detection-incomplete`, on top of the shell words of [`crate::shell`].
//!
//! What each command prints for a target platform is the naming table of edge-semantics §15,
//! in [`names`]:
//!
//! | target | `uname -m` | `dpkg --print-architecture` | `apk --print-arch` | `$TARGETARCH` |
//! |---|---|---|---|---|
//! | linux/amd64 | `x86_64` | `amd64` | `x86_64` | `amd64` |
//! | linux/arm64 | `aarch64` | `arm64` | `aarch64` | `arm64` |
//! | linux/arm/v7 | `armv7l`, `armv8l` (32-bit on a 64-bit kernel) | `armhf` | `armv7` | `arm` |
//! | linux/arm/v6 | `armv6l` | `armel`, `armhf` (Raspbian) | `armhf` | `arm` |
//! | linux/386 | `i686`, `i386` | `i386` | `x86` | `386` |
//! | linux/riscv64 | `riscv64` | `riscv64` | `riscv64` | `riscv64` |
//! | linux/s390x | `s390x` | `s390x` | `s390x` | `s390x` |
//! | linux/ppc64le | `ppc64le` | `ppc64el` | `ppc64le` | `ppc64le` |
//!
//! `$TARGETPLATFORM` prints the platform itself (`linux/arm/v7`).

use crate::shell::{is_op, is_word, mask, tokenize, unquote, word, Kind, Syntax, Tok};
use crate::values::platform::Platform;
use regex::Regex;
use std::sync::LazyLock;

/// What a `case` is keyed on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Subject {
    /// `uname -m`, `uname --machine`, `arch`: the machine the command runs on.
    Uname,
    /// `dpkg --print-architecture`.
    Dpkg,
    /// `apk --print-arch`.
    Apk,
    /// `$TARGETARCH` (BuildKit).
    TargetArch,
    /// `$TARGETPLATFORM` (BuildKit).
    TargetPlatform,
}

impl Subject {
    /// As the message shows it.
    pub fn describe(self) -> &'static str {
        match self {
            Subject::Uname => "uname -m",
            Subject::Dpkg => "dpkg --print-architecture",
            Subject::Apk => "apk --print-arch",
            Subject::TargetArch => "$TARGETARCH",
            Subject::TargetPlatform => "$TARGETPLATFORM",
        }
    }

    /// Whether it names the machine the command runs on (rather than the build's target).
    pub fn is_machine(self) -> bool {
        matches!(self, Subject::Uname | Subject::Dpkg | Subject::Apk)
    }
}

/// What `subject` prints on `target` (the first name is the usual one); empty for a platform
/// the table does not know.
pub fn names(subject: Subject, target: &Platform) -> Vec<String> {
    let variant = target.variant.as_deref();
    let list: &[&str] = match (subject, target.arch.as_str(), variant) {
        (Subject::TargetPlatform, _, _) => return vec![target.to_string()],
        (Subject::TargetArch, arch, _) => return vec![arch.to_string()],
        (Subject::Uname, "amd64", _) => &["x86_64"],
        (Subject::Uname, "arm64", _) => &["aarch64"],
        (Subject::Uname, "arm", Some("v6" | "v5")) => &["armv6l"],
        (Subject::Uname, "arm", _) => &["armv7l", "armv8l"],
        (Subject::Uname, "386", _) => &["i686", "i386"],
        (Subject::Dpkg, "amd64" | "arm64" | "riscv64" | "s390x" | "386", _) => {
            return vec![if target.arch == "386" { "i386".into() } else { target.arch.clone() }]
        }
        (Subject::Dpkg, "arm", Some("v6" | "v5")) => &["armel", "armhf"],
        (Subject::Dpkg, "arm", _) => &["armhf"],
        (Subject::Dpkg, "ppc64le", _) => &["ppc64el"],
        (Subject::Apk, "amd64", _) => &["x86_64"],
        (Subject::Apk, "arm64", _) => &["aarch64"],
        (Subject::Apk, "arm", Some("v6" | "v5")) => &["armhf"],
        (Subject::Apk, "arm", _) => &["armv7"],
        (Subject::Apk, "386", _) => &["x86"],
        (Subject::Uname | Subject::Apk, "riscv64" | "s390x" | "ppc64le", _) => {
            return vec![target.arch.clone()]
        }
        _ => &[],
    };
    list.iter().map(|s| (*s).to_string()).collect()
}

/// How the detection is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Form {
    /// `case … in … esac`.
    Case,
    /// `if [ "$x" = a ]; then …; elif [ "$x" = b ]; then …; else …; fi`.
    If,
}

/// One `case` (or `if`/`elif` chain) keyed on an architecture. For an `if` chain, the
/// patterns are the compared values and the default is the `else` branch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArchCase {
    pub form: Form,
    pub subject: Subject,
    /// Byte range of the `case` word and its subject (the `if` and its first test) in the
    /// text.
    pub start: usize,
    pub end: usize,
    /// The patterns of the branches other than the default (quotes removed), e.g. `x86_64`,
    /// `aarch64`, `arm*`.
    pub patterns: Vec<String>,
    /// There is a `*)` branch.
    pub has_default: bool,
    /// The `*)` branch fails (`exit 1`, `false`, `return 1`…).
    pub default_fails: bool,
    /// The `*)` branch assigns a literal architecture name (`*) ARCH=amd64 ;;`): every other
    /// machine silently gets that architecture's artifacts.
    pub default_assumes: Option<String>,
}

impl ArchCase {
    /// Whether a branch other than the default takes `name`.
    pub fn matches(&self, name: &str) -> bool {
        self.patterns.iter().any(|p| glob_match(p, name))
    }
}

/// A URL with `$(uname -m)` pasted into it: byte range in the text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnameUrl {
    pub start: usize,
    pub end: usize,
}

/// What one shell text holds.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Detection {
    pub cases: Vec<ArchCase>,
    pub uname_urls: Vec<UnameUrl>,
}

static UNAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:\$\(\s*(?:uname\s+(?:-m|--machine)|arch)\s*\)|`\s*(?:uname\s+(?:-m|--machine)|arch)\s*`)$")
        .expect("regex")
});
static DPKG: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:\$\(\s*dpkg\s+--print-architecture\s*\)|`\s*dpkg\s+--print-architecture\s*`)$")
        .expect("regex")
});
static APK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:\$\(\s*apk\s+--print-arch\s*\)|`\s*apk\s+--print-arch\s*`)$").expect("regex")
});
/// The name of `$NAME`, `${NAME}`, `${NAME:-default}` or `${NAME-default}` (a default without
/// `}`): what `^\$(?:([A-Za-z_][A-Za-z0-9_]*)|\{([A-Za-z_][A-Za-z0-9_]*)(?::?-[^}]*)?\})$`
/// captures, read by hand.
fn var_name(w: &str) -> Option<&str> {
    let rest = w.strip_prefix('$')?;
    let (inner, braced) = match rest.strip_prefix('{') {
        Some(braced) => (braced.strip_suffix('}')?, true),
        None => (rest, false),
    };
    let end = inner.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(inner.len());
    let (name, after) = inner.split_at(end);
    if !name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
        return None;
    }
    let default = after.strip_prefix(":-").or_else(|| after.strip_prefix('-'));
    let ok = after.is_empty() || (braced && default.is_some_and(|d| !d.contains('}')));
    ok.then_some(name)
}
/// `$(uname -m)` (or `$(arch)`) inside a word.
static UNAME_IN_WORD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"\$\(\s*(?:uname\s+(?:-m|--machine)|arch)\s*\)|`\s*(?:uname\s+(?:-m|--machine)|arch)\s*`",
    )
    .expect("regex")
});

/// The subject a word (quotes removed) stands for, given the variables assigned so far.
fn subject_of(w: &str, vars: &[(String, Subject)]) -> Option<Subject> {
    let w = unquote(w).trim();
    // Each pattern is tried only on words that have what all its matches have, so most runs
    // compile none of them.
    let command = w.starts_with("$(") || w.starts_with('`');
    if command && (w.contains("uname") || w.contains("arch")) && UNAME.is_match(w) {
        return Some(Subject::Uname);
    }
    if command && w.contains("dpkg") && DPKG.is_match(w) {
        return Some(Subject::Dpkg);
    }
    if command && w.contains("apk") && APK.is_match(w) {
        return Some(Subject::Apk);
    }
    let name = var_name(w)?;
    match name {
        "TARGETARCH" => Some(Subject::TargetArch),
        "TARGETPLATFORM" => Some(Subject::TargetPlatform),
        _ => vars.iter().rev().find(|(n, _)| n == name).map(|(_, s)| *s),
    }
}

/// Reads shell text (`syntax` as for [`mask`]).
pub fn detect(text: &str, syntax: Syntax) -> Detection {
    let masked = mask(text, syntax);
    let toks = tokenize(&masked);
    let mut out = Detection::default();
    let mut vars: Vec<(String, Subject)> = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        let t = &toks[i];
        let w = word(&masked, t);
        if t.kind == Kind::Word {
            // `ARCH=$(uname -m)`: exactly the command's output, nothing piped or cut
            if let Some((name, value)) = w.split_once('=') {
                let is_name = !name.is_empty()
                    && name.bytes().all(|c| c == b'_' || c.is_ascii_alphanumeric())
                    && !name.as_bytes()[0].is_ascii_digit();
                if is_name {
                    vars.retain(|(n, _)| n != name);
                    if let Some(s) = subject_of(value, &vars) {
                        vars.push((name.to_string(), s));
                    }
                }
            }
            let uname = w.contains("uname") || w.contains("arch");
            if w.contains("://") && uname && UNAME_IN_WORD.is_match(w) {
                out.uname_urls.push(UnameUrl { start: t.start, end: t.end });
            }
            if w == "if" && command_position(&masked, &toks, i) {
                if let Some(chain) = read_if(&masked, &toks, i, &vars) {
                    out.cases.push(chain);
                }
            }
            if w == "case" && command_position(&masked, &toks, i) {
                if let Some((case, next)) = read_case(&masked, &toks, i, &vars) {
                    out.cases.extend(case);
                    // the branches are read again for nested cases and assignments
                    i = next;
                    continue;
                }
            }
        }
        i += 1;
    }
    out
}

/// Whether token `i` starts a command: first, or after an operator or a reserved word.
fn command_position(text: &str, toks: &[Tok], i: usize) -> bool {
    let Some(prev) = i.checked_sub(1).and_then(|p| toks.get(p)) else { return true };
    prev.kind == Kind::Op || ["then", "do", "else", "{", "!"].iter().any(|r| is_word(text, prev, r))
}

/// Reads `case WORD in … esac` at token `i`. Returns the case if keyed on an architecture, and
/// the token index to continue from (just after `in`, so the branches are scanned too).
fn read_case(
    text: &str,
    toks: &[Tok],
    i: usize,
    vars: &[(String, Subject)],
) -> Option<(Option<ArchCase>, usize)> {
    let subject_tok = toks.get(i + 1)?;
    let in_tok = toks.get(i + 2)?;
    if !is_word(text, in_tok, "in") {
        return None;
    }
    let resume = i + 3;
    let Some(subject) = subject_of(word(text, subject_tok), vars) else {
        return Some((None, resume));
    };
    let mut case = ArchCase {
        form: Form::Case,
        subject,
        start: toks[i].start,
        end: subject_tok.end,
        patterns: Vec::new(),
        has_default: false,
        default_fails: false,
        default_assumes: None,
    };
    let mut j = resume;
    loop {
        // skip newlines and `;;` leftovers before a pattern
        while toks.get(j).is_some_and(|t| t.kind == Kind::Op && !is_op(text, t, ")")) {
            j += 1;
        }
        let t = toks.get(j)?;
        if is_word(text, t, "esac") {
            break;
        }
        // the patterns, up to `)`
        let mut patterns = Vec::new();
        while let Some(t) = toks.get(j) {
            if is_op(text, t, ")") {
                break;
            }
            if t.kind == Kind::Word {
                patterns.push(unquote(word(text, t)).to_string());
            }
            j += 1;
        }
        j += 1;
        // the body, up to `;;` or `esac` at this depth
        let body_start = j;
        let mut depth = 0usize;
        while let Some(t) = toks.get(j) {
            if is_word(text, t, "case") {
                depth += 1;
            } else if is_word(text, t, "esac") {
                if depth == 0 {
                    break;
                }
                depth -= 1;
            } else if depth == 0 && (is_op(text, t, ";;") || word(text, t).starts_with(";&")) {
                break;
            }
            j += 1;
        }
        // a text that ends inside the patterns leaves `body_start` past the end
        let body = toks.get(body_start..j.min(toks.len())).unwrap_or_default();
        if patterns.iter().any(|p| p == "*") {
            case.has_default = true;
            case.default_fails = fails(text, body);
            case.default_assumes = assumed_arch(text, body);
        }
        case.patterns.extend(patterns.into_iter().filter(|p| p != "*"));
        if toks.get(j).is_some_and(|t| is_op(text, t, ";;")) {
            j += 1;
        }
        if toks.get(j).is_none() {
            return Some((Some(case), resume));
        }
    }
    Some((Some(case), resume))
}

/// Reads `if … fi` at token `i` when every condition of the chain compares the same
/// architecture subject with literals (`[ "$(uname -m)" = x86_64 ]`, `[[ $A == arm* ]]`, joined
/// by `||`); `None` otherwise (a negation, another test, no comparison).
fn read_if(text: &str, toks: &[Tok], i: usize, vars: &[(String, Subject)]) -> Option<ArchCase> {
    // split the chain at its own `then`/`elif`/`else`/`fi` (nested `if`s are skipped)
    let mut conds: Vec<(usize, usize)> = Vec::new();
    let mut else_body: Option<(usize, usize)> = None;
    let mut depth = 0usize;
    let mut cond_start = Some(i + 1);
    let mut else_start = None;
    let mut j = i + 1;
    loop {
        let t = toks.get(j)?;
        let w = if t.kind == Kind::Word { word(text, t) } else { "" };
        match w {
            "if" => depth += 1,
            "fi" if depth > 0 => depth -= 1,
            "then" if depth == 0 => {
                conds.push((cond_start.take()?, j));
            }
            "elif" if depth == 0 => cond_start = Some(j + 1),
            "else" if depth == 0 => else_start = Some(j + 1),
            "fi" => {
                if let Some(start) = else_start {
                    else_body = Some((start, j));
                }
                break;
            }
            _ => {}
        }
        j += 1;
    }
    let mut subject = None;
    let mut patterns = Vec::new();
    for &(a, b) in &conds {
        let cond = toks.get(a..b)?;
        let mut found = false;
        for (k, t) in cond.iter().enumerate() {
            let w = word(text, t);
            if t.kind != Kind::Word {
                continue;
            }
            if matches!(w, "!=" | "!" | "-ne" | "-z" | "-n") {
                return None;
            }
            if !matches!(w, "=" | "==") {
                continue;
            }
            let (Some(l), Some(r)) = (k.checked_sub(1).and_then(|p| cond.get(p)), cond.get(k + 1))
            else {
                continue;
            };
            let (lw, rw) = (word(text, l), word(text, r));
            let (s, literal) = match (subject_of(lw, vars), subject_of(rw, vars)) {
                (Some(s), None) => (s, rw),
                (None, Some(s)) => (s, lw),
                _ => return None,
            };
            let literal = unquote(literal);
            if literal.contains('$') || subject.is_some_and(|x| x != s) {
                return None;
            }
            subject = Some(s);
            patterns.push(literal.to_string());
            found = true;
        }
        if !found {
            return None;
        }
    }
    let subject = subject?;
    let first = toks.get(conds.first()?.1.checked_sub(1)?)?;
    let else_toks = else_body.and_then(|(a, b)| toks.get(a..b)).unwrap_or_default();
    Some(ArchCase {
        form: Form::If,
        subject,
        start: toks[i].start,
        end: first.end,
        patterns,
        has_default: else_body.is_some(),
        default_fails: else_body.is_some() && fails(text, else_toks),
        default_assumes: assumed_arch(text, else_toks),
    })
}

/// Whether a branch body fails: `exit` (other than `exit 0`), `return` (other than `return 0`),
/// `false`, or a call whose name says so (`die`, `fail`, `fatal`, `error`, `abort`).
fn fails(text: &str, body: &[Tok]) -> bool {
    body.iter().enumerate().any(|(k, t)| {
        if t.kind != Kind::Word {
            return false;
        }
        let w = word(text, t);
        let next = body.get(k + 1).filter(|n| n.kind == Kind::Word).map(|n| word(text, n));
        match w {
            "exit" | "return" => next != Some("0"),
            "false" | "die" | "fail" | "fatal" | "error" | "abort" => true,
            _ => false,
        }
    })
}

/// Architecture names of the naming table, as a default might assign them.
const ARCH_NAMES: [&str; 14] = [
    "amd64", "x86_64", "x64", "arm64", "aarch64", "arm", "armhf", "armel", "armv7", "armv7l",
    "armv6", "armv6l", "386", "i386",
];

/// The literal architecture a branch body assigns (`ARCH=amd64`, `arch="x86_64"`).
fn assumed_arch(text: &str, body: &[Tok]) -> Option<String> {
    body.iter().filter(|t| t.kind == Kind::Word).find_map(|t| {
        let (_, value) = word(text, t).split_once('=')?;
        let value = unquote(value);
        ARCH_NAMES.contains(&value).then(|| value.to_string())
    })
}

/// Shell pattern matching (`*`, `?`, `[…]`), as `case` does it.
pub fn glob_match(pattern: &str, name: &str) -> bool {
    globset::GlobBuilder::new(pattern)
        .literal_separator(false)
        .backslash_escape(true)
        .build()
        .is_ok_and(|g| g.compile_matcher().is_match(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn var_name_matches_the_regex_it_replaces() {
        let re = Regex::new(
            r"^\$(?:([A-Za-z_][A-Za-z0-9_]*)|\{([A-Za-z_][A-Za-z0-9_]*)(?::?-[^}]*)?\})$",
        )
        .unwrap();
        let pieces = ["$", "{", "}", "A", "b_2", "9", ":", "-", ":-", "x", "é", " ", "$("];
        for w in crate::rules::shared::arch_scan::tests::samples(&pieces, 20_000) {
            let expected = re.captures(&w).and_then(|c| c.get(1).or_else(|| c.get(2)));
            assert_eq!(var_name(&w), expected.map(|m| m.as_str()), "{w:?}");
        }
    }

    #[test]
    fn pre_filters_never_hide_a_match() {
        use crate::rules::shared::arch_scan::tests::ARCH_COMMAND_WORDS as pieces;
        for w in crate::rules::shared::arch_scan::tests::samples(pieces, 20_000) {
            let command = w.starts_with("$(") || w.starts_with('`');
            if UNAME.is_match(&w) {
                assert!(command && (w.contains("uname") || w.contains("arch")), "{w:?}");
            }
            assert!(!DPKG.is_match(&w) || command && w.contains("dpkg"), "{w:?}");
            assert!(!APK.is_match(&w) || command && w.contains("apk"), "{w:?}");
            if UNAME_IN_WORD.is_match(&w) {
                assert!(w.contains("uname") || w.contains("arch"), "{w:?}");
            }
        }
    }

    fn p(s: &str) -> Platform {
        Platform::parse(s).unwrap()
    }

    fn cases(text: &str) -> Vec<ArchCase> {
        detect(text, Syntax::Shell).cases
    }

    #[test]
    fn a_case_on_uname_with_a_failing_default() {
        let c = cases(
            "case \"$(uname -m)\" in\n  x86_64) A=amd64 ;;\n  aarch64|arm64) A=arm64 ;;\n  *) echo unsupported >&2; exit 1 ;;\nesac",
        );
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].subject, Subject::Uname);
        assert_eq!(c[0].patterns, ["x86_64", "aarch64", "arm64"]);
        assert!(c[0].has_default && c[0].default_fails);
        assert_eq!(c[0].default_assumes, None);
        assert!(c[0].matches("aarch64"));
        assert!(!c[0].matches("armv7l"));
    }

    #[test]
    fn subjects_through_variables_and_globs() {
        let c = cases("ARCH=\"$(dpkg --print-architecture)\"; case $ARCH in amd64) x;; arm*) y;; *) ARCH=amd64;; esac");
        assert_eq!(c[0].subject, Subject::Dpkg);
        assert!(c[0].matches("armhf") && c[0].has_default && !c[0].default_fails);
        assert_eq!(c[0].default_assumes.as_deref(), Some("amd64"));
        let c = cases("case ${TARGETARCH:-amd64} in (amd64) a;; (arm64) b;; esac");
        assert_eq!(c[0].subject, Subject::TargetArch);
        assert_eq!(c[0].patterns, ["amd64", "arm64"]);
        // a transformed value is not the command's output
        assert!(cases("A=$(uname -m | sed s/x86_64/amd64/); case $A in amd64) a;; esac").is_empty());
        // not keyed on an architecture
        assert!(cases("case \"$1\" in start) a;; esac").is_empty());
    }

    #[test]
    fn if_chains() {
        let c = cases("if [ \"$(uname -m)\" = x86_64 ]; then A=amd64; elif [ \"$(uname -m)\" = aarch64 ] || [ \"$(uname -m)\" = arm64 ]; then A=arm64; else echo no >&2; exit 1; fi");
        assert_eq!(c.len(), 1);
        assert_eq!((c[0].form, c[0].subject), (Form::If, Subject::Uname));
        assert_eq!(c[0].patterns, ["x86_64", "aarch64", "arm64"]);
        assert!(c[0].has_default && c[0].default_fails);
        let c = cases("A=$(uname -m); if [[ $A == x86_64 ]]; then B=1; elif [[ $A == aarch64 ]]; then B=2; fi");
        assert_eq!(c[0].patterns, ["x86_64", "aarch64"]);
        assert!(!c[0].has_default);
        let c = cases("if [ \"$TARGETARCH\" = arm64 ]; then a; else ARCH=amd64; fi");
        assert_eq!(c[0].default_assumes.as_deref(), Some("amd64"));
        // a negation or another test is not an architecture chain
        assert!(cases("if [ \"$(uname -m)\" != x86_64 ]; then a; fi").is_empty());
        assert!(
            cases("if [ -f /x ]; then a; elif [ \"$TARGETARCH\" = arm64 ]; then b; fi").is_empty()
        );
    }

    #[test]
    fn cut_short_texts_do_not_panic() {
        for text in [
            "case $TARGETARCH in amd64",
            "case $TARGETARCH in amd64)",
            "case $(uname -m) in (",
            "if [ \"$(uname -m)\" = x86_64 ]; then",
            "if",
        ] {
            let _ = detect(text, Syntax::Shell);
        }
    }

    #[test]
    fn nested_cases_are_read_too() {
        let c = cases(
            "case $TARGETARCH in arm) case $TARGETVARIANT in v7) a;; esac ;; amd64) b;; esac",
        );
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].patterns, ["arm", "amd64"]);
    }

    #[test]
    fn uname_in_urls() {
        let d = detect(
            "curl -fsSLo /usr/local/bin/dc \"https://x.io/dc-$(uname -s)-$(uname -m)\"",
            Syntax::Shell,
        );
        assert_eq!(d.uname_urls.len(), 1);
        assert!(detect("echo $(uname -m)", Syntax::Shell).uname_urls.is_empty());
    }

    #[test]
    fn naming_table() {
        assert_eq!(names(Subject::Uname, &p("linux/arm/v7")), ["armv7l", "armv8l"]);
        assert_eq!(names(Subject::Dpkg, &p("linux/arm/v7")), ["armhf"]);
        assert_eq!(names(Subject::Dpkg, &p("linux/ppc64le")), ["ppc64el"]);
        assert_eq!(names(Subject::Apk, &p("linux/arm/v6")), ["armhf"]);
        assert_eq!(names(Subject::TargetArch, &p("linux/arm/v7")), ["arm"]);
        assert_eq!(names(Subject::TargetPlatform, &p("linux/arm/v7")), ["linux/arm/v7"]);
        assert_eq!(names(Subject::Uname, &p("linux/amd64")), ["x86_64"]);
    }
}
