//! The Dockerfile model: parse-dockerfile behind an adapter that keeps a byte span on every value.
//!
//! parse-dockerfile reads instructions, flags, exec and shell forms, and gives spans on all of
//! them. This adapter adds what the rules need and the crate lacks: ENV, LABEL and
//! ARG split into key/value pairs, heredocs wherever BuildKit finds them, stages with ARG
//! substitution in `FROM`, and recovery after errors.
//!
//! How the crate is driven. The adapter never hands the crate the user's text directly but a copy
//! of the same byte length, so every span the crate reports is a span of the original text:
//!
//! 1. Parser directives are read here with BuildKit's rules (leading blanks allowed, a plain
//!    comment ends them). In the copy, an accepted directive line with leading blanks is rotated
//!    so that `#` is in column 1 (the crate needs that), and the line that ends the directives is
//!    blanked if it is a comment, so the crate reads exactly the directives BuildKit reads and
//!    uses the same escape character.
//! 2. The text is split into instructions (logical lines) with the crate's own continuation rules
//!    (escape, optional blanks, newline; comment and empty lines inside are skipped). For `RUN`,
//!    `COPY` and `ADD` (also after `ONBUILD`) that are not in JSON form, heredoc markers are found
//!    as BuildKit finds them (`parser.heredocsFromLine`: shell words of the logical line, each
//!    matched against `^(\d*)<<(-?)\s*([^<]*)$`), and the bodies are read line by line up to their
//!    terminators. The crate only knows a heredoc directly after `RUN` and takes one per `RUN`;
//!    so in the copy the bodies and terminator lines are overwritten with spaces (newlines kept),
//!    and the `<<` of every word that starts with `<<` becomes `__`. Same length, so spans hold;
//!    the crate sees a plain one-line instruction; the bodies are attached here from the original
//!    text. Values whose bytes were touched are re-read from the original text.
//! 3. The crate stops at the first error. Its error gives a line and a byte column, turned back
//!    into an offset; the instruction holding it gets a [`DockerfileError`], is blanked in the
//!    copy, and the crate runs again (instructions before it are skipped, and blanked too except
//!    the last `FROM`, which the crate needs to accept what follows). A `FROM` that fails after
//!    its image (`FROM img AS`, `FROM img extra`) loses only its tail, so its stage survives. At
//!    most [`MAX_RECOVERIES`] times.
//!
//! Where the crate and BuildKit differ, BuildKit wins unless noted: directives may have leading
//! blanks, a repeated directive is an error, `<< EOF` (blank after `<<`) is a heredoc (BuildKit
//! after its `processPossibleHeredoc` change), a heredoc delimiter is a whole shell word (so
//! `cat <<EOF>/x` waits for a line `EOF>/x`, as BuildKit does). Kept from the crate: an escaped
//! escape at the end of a line (`\\` + newline) continues the line, where BuildKit's
//! continuation regex would not.

use crate::source::{Span, Spanned};
use parse_dockerfile as pd;
use std::collections::HashMap;
use std::ops::Range;

/// How many errors the parser recovers from before it stops reading a file.
pub const MAX_RECOVERIES: usize = 100;

/// The automatic platform ARGs BuildKit defines in the global scope. Their value depends on the
/// build, so substitution never guesses it.
pub const PLATFORM_ARGS: [&str; 8] = [
    "TARGETPLATFORM",
    "TARGETOS",
    "TARGETARCH",
    "TARGETVARIANT",
    "BUILDPLATFORM",
    "BUILDOS",
    "BUILDARCH",
    "BUILDVARIANT",
];

/// A parsed Dockerfile. Parsing never fails: problems are in `errors`, and everything that could
/// be read is still here.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dockerfile {
    /// All instructions in source order (ONBUILD triggers are nested, see [`Args::Onbuild`]).
    pub instructions: Vec<Instruction>,
    pub stages: Vec<Stage>,
    /// The pairs of the ARG instructions before the first FROM.
    pub global_args: Vec<KeyValue>,
    /// From the `# escape=` directive; `\` by default.
    pub escape: char,
    /// The `# syntax=` directive.
    pub syntax: Option<Spanned<String>>,
    /// The `# check=` directive.
    pub check: Option<Spanned<String>>,
    pub errors: Vec<DockerfileError>,
}

impl Default for Dockerfile {
    fn default() -> Dockerfile {
        Dockerfile {
            instructions: Vec::new(),
            stages: Vec::new(),
            global_args: Vec::new(),
            escape: '\\',
            syntax: None,
            check: None,
            errors: Vec::new(),
        }
    }
}

/// Something BuildKit would reject, at the span where it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DockerfileError {
    pub span: Span,
    /// Plain words, starting in lowercase.
    pub message: String,
}

/// One instruction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Instruction {
    /// Uppercase: `RUN`, `FROM`, ...
    pub keyword: String,
    pub keyword_span: Span,
    /// The whole instruction, continuation lines and heredoc bodies included.
    pub span: Span,
    pub flags: Vec<Flag>,
    pub args: Args,
    /// Heredocs in the order of their markers.
    pub heredocs: Vec<Heredoc>,
    /// Index into [`Dockerfile::stages`]; `None` before the first FROM.
    pub stage: Option<usize>,
}

impl Instruction {
    /// The first flag named `name` (without `--`).
    pub fn flag(&self, name: &str) -> Option<&Flag> {
        self.flags.iter().find(|f| f.name.value == name)
    }

    /// The shell-form command of RUN, CMD, ENTRYPOINT or HEALTHCHECK CMD.
    pub fn shell(&self) -> Option<&ShellText> {
        match &self.args {
            Args::Shell(s) => Some(s),
            Args::Healthcheck(Some(inner)) => match inner.as_ref() {
                Args::Shell(s) => Some(s),
                _ => None,
            },
            _ => None,
        }
    }
}

/// A `--name[=value]` flag.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Flag {
    /// Without the leading `--`.
    pub name: Spanned<String>,
    pub value: Option<Spanned<String>>,
    /// From `--` to the end of the value.
    pub span: Span,
}

/// A heredoc attached to RUN, COPY or ADD.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Heredoc {
    /// The terminator word, quotes removed.
    pub delimiter: String,
    /// The marker as written, e.g. `<<-'EOF'`.
    pub marker: Span,
    /// The exact source text between the marker's line and the terminator line (each line with
    /// its line ending). Not tab-stripped even for `<<-`: see `strip_tabs`.
    pub body: Spanned<String>,
    /// `false` when the delimiter was quoted (`<<'EOF'`, `<<"EOF"`): no variable expansion.
    pub expand: bool,
    /// `<<-`: BuildKit strips leading tabs from the body lines and the terminator.
    pub strip_tabs: bool,
}

/// The arguments of an instruction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Args {
    /// JSON array form of RUN, CMD, ENTRYPOINT, SHELL, VOLUME, HEALTHCHECK CMD.
    Exec(Vec<Spanned<String>>),
    /// Shell form of RUN, CMD, ENTRYPOINT (and HEALTHCHECK CMD).
    Shell(ShellText),
    /// ENV, LABEL and ARG as key/value pairs.
    Pairs(Vec<KeyValue>),
    From {
        image: Spanned<String>,
        alias: Option<Spanned<String>>,
    },
    /// COPY and ADD. A heredoc source is listed as its marker (`<<EOF`); its body is in
    /// [`Instruction::heredocs`].
    Copy {
        sources: Vec<Spanned<String>>,
        dest: Spanned<String>,
    },
    /// `None` = `HEALTHCHECK NONE`; `Some(Shell | Exec)` = the CMD.
    Healthcheck(Option<Box<Args>>),
    /// Whitespace-separated words: EXPOSE, and VOLUME in its string form.
    Words(Vec<Spanned<String>>),
    /// `ONBUILD <instruction>`: the trigger, parsed as an instruction of its own (its `stage` is
    /// that of the ONBUILD). Rules that look for, say, RUN do not see triggers unless they ask.
    Onbuild(Box<Instruction>),
    /// Everything else (USER, WORKDIR, STOPSIGNAL, MAINTAINER): the argument text, continuations
    /// removed.
    Other(Spanned<String>),
}

/// A shell-form command as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShellText {
    pub span: Span,
    /// The exact source slice at `span`, continuations and comment lines included, so a match at
    /// `raw[i..j]` is at [`ShellText::span_of`]`(i, j)`.
    pub raw: String,
}

impl ShellText {
    /// The source span of `raw[i..j]`.
    pub fn span_of(&self, i: usize, j: usize) -> Span {
        Span::new(self.span.start.saturating_add(i), self.span.start.saturating_add(j))
    }

    /// The command as the shell receives it: line continuations removed, and the comment and
    /// empty lines inside them dropped (as BuildKit does).
    pub fn joined(&self, escape: char) -> String {
        let Ok(esc) = u8::try_from(escape) else { return self.raw.clone() };
        let bytes = self.raw.as_bytes();
        bytes_to_string(join(bytes, 0, bytes.len(), esc).bytes)
    }
}

/// One `key[=value]` of ENV, LABEL or ARG.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyValue {
    /// Unquoted; the span is the key as written.
    pub key: Spanned<String>,
    /// Unquoted and unescaped (variables are not expanded); the span is the value as written,
    /// quotes included. `None` only for `ARG NAME`.
    pub value: Option<Spanned<String>>,
    pub span: Span,
}

/// A build stage: a FROM and the instructions up to the next FROM.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stage {
    pub index: usize,
    /// Index of its FROM in [`Dockerfile::instructions`].
    pub from: usize,
    /// As written.
    pub image: Spanned<String>,
    /// After substituting global ARG defaults; `None` if a variable stays unresolved (the
    /// automatic platform ARGs always do).
    pub resolved_image: Option<String>,
    /// `FROM <earlier stage name>` (after substitution, case-insensitive).
    pub base_stage: Option<usize>,
    /// `AS name`, as written.
    pub name: Option<Spanned<String>>,
    /// The `--platform` value (span as written; continuations removed from the value).
    pub platform: Option<Spanned<String>>,
    /// Its instructions, FROM included.
    pub instructions: Range<usize>,
}

/// An ARG in scope at some point, with its value when the file determines it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArgBinding<'a> {
    /// The last declaration in scope.
    pub decl: &'a KeyValue,
    /// The default written in the file, after substitution (or the global default re-imported
    /// by `ARG NAME`). `None` when only the build decides: no default, an unresolved variable, or
    /// an automatic platform ARG. A `--build-arg` can always override it.
    pub value: Option<String>,
}

impl Dockerfile {
    /// The stage `docker build` builds without `--target`: the last one.
    pub fn final_stage(&self) -> Option<usize> {
        self.stages.len().checked_sub(1)
    }

    /// Whether `stage` is the final stage or in the chain of stages the final one is built FROM.
    pub fn reaches_final(&self, stage: usize) -> bool {
        let mut cur = self.final_stage();
        // base_stage always points to an earlier stage, so this walk ends.
        while let Some(s) = cur {
            if s == stage {
                return true;
            }
            cur = self.stages.get(s).and_then(|st| st.base_stage);
        }
        false
    }

    /// The first stage named `name` (case-insensitive, as BuildKit compares them).
    pub fn stage_by_name(&self, name: &str) -> Option<usize> {
        self.stages
            .iter()
            .position(|s| s.name.as_ref().is_some_and(|n| n.value.eq_ignore_ascii_case(name)))
    }

    /// The last HEALTHCHECK of the stage: only the last one counts.
    pub fn healthcheck(&self, stage: usize) -> Option<&Instruction> {
        let range = self.stages.get(stage)?.instructions.clone();
        self.instructions.get(range)?.iter().rev().find(|i| i.keyword == "HEALTHCHECK")
    }

    /// The HEALTHCHECK the stage's image ends up with: its own last one, else the one inherited
    /// through `FROM <earlier stage>`.
    pub fn effective_healthcheck(&self, stage: usize) -> Option<&Instruction> {
        let mut cur = Some(stage);
        while let Some(s) = cur {
            if let Some(h) = self.healthcheck(s) {
                return Some(h);
            }
            cur = self.stages.get(s).and_then(|st| st.base_stage);
        }
        None
    }

    /// The stage a `COPY --from=` refers to: a stage name (case-insensitive) or index. `None`
    /// for an image or a build context, or when the instruction has no `--from`.
    pub fn copy_from_stage(&self, instruction: usize) -> Option<usize> {
        let ins = self.instructions.get(instruction)?;
        let from = &ins.flag("from")?.value.as_ref()?.value;
        let found = match from.parse::<usize>() {
            Ok(i) if i < self.stages.len() => Some(i),
            Ok(_) => None,
            Err(_) => self.stage_by_name(from),
        };
        found.filter(|&s| Some(s) != ins.stage)
    }

    /// ARG `name` as visible at the end of `stage`, or in the global scope for `None` (what
    /// FROM lines see). Global ARGs are visible in a stage only when redeclared there.
    pub fn arg_value(&self, stage: Option<usize>, name: &str) -> Option<ArgBinding<'_>> {
        match stage {
            None => self.eval_scope(0..self.first_from(), true, name),
            Some(s) => {
                let r = self.stages.get(s)?.instructions.clone();
                self.eval_scope(r.start.saturating_add(1)..r.end, false, name)
            }
        }
    }

    /// ARG `name` as visible to instruction `index`: the declarations before it in its stage;
    /// the global scope for FROM lines and for what comes before the first FROM.
    pub fn arg_at(&self, index: usize, name: &str) -> Option<ArgBinding<'_>> {
        let ins = self.instructions.get(index)?;
        match ins.stage {
            Some(s) if ins.keyword != "FROM" => {
                let start = self.stages.get(s)?.instructions.start.saturating_add(1);
                self.eval_scope(start..index, false, name)
            }
            _ => self.eval_scope(0..self.first_from().min(index), true, name),
        }
    }

    fn first_from(&self) -> usize {
        self.stages.first().map_or(self.instructions.len(), |s| s.from)
    }

    /// Values of the global ARGs (a later declaration overrides an earlier one).
    fn global_values(&self) -> Vars<'_> {
        let mut out = Vars::default();
        for kv in &self.global_args {
            let value = if is_platform_arg(&kv.key.value) {
                None
            } else {
                kv.value.as_ref().and_then(|v| substitute(&v.value, |n| lookup(&out, n)))
            };
            out.insert(&kv.key.value, value);
        }
        out
    }

    fn eval_scope(&self, range: Range<usize>, global: bool, name: &str) -> Option<ArgBinding<'_>> {
        let globals = if global { Vars::default() } else { self.global_values() };
        // The last declaration of `name`, and the current value of every ARG and ENV (maps, not
        // lists: a file with 100,000 ARGs must not cost 100,000² lookups).
        let mut found: Option<(&KeyValue, Option<String>)> = None;
        let mut args = Vars::default();
        let mut envs = Vars::default();
        for ins in self.instructions.get(range)? {
            let Args::Pairs(kvs) = &ins.args else { continue };
            if ins.keyword == "LABEL" {
                continue;
            }
            for kv in kvs {
                let key = kv.key.value.as_str();
                let value = {
                    // ENV shadows ARG of the same name in substitutions (BuildKit).
                    let look = |n: &str| lookup(&envs, n).or_else(|| lookup(&args, n));
                    match (&kv.value, ins.keyword.as_str()) {
                        (_, "ARG") if is_platform_arg(key) => None,
                        (Some(v), _) => substitute(&v.value, look),
                        (None, "ARG") => lookup(&globals, key),
                        (None, _) => None,
                    }
                };
                match ins.keyword.as_str() {
                    "ARG" => {
                        if key == name {
                            found = Some((kv, value.clone()));
                        }
                        args.insert(key, value);
                    }
                    "ENV" if !global => {
                        envs.insert(key, value);
                    }
                    _ => {}
                }
            }
        }
        let (decl, value) = found?;
        Some(ArgBinding { decl, value })
    }
}

/// Variables in scope: name → value (`None`: declared without a value the file determines).
type Vars<'a> = HashMap<&'a str, Option<String>>;

fn lookup(vars: &Vars<'_>, name: &str) -> Option<String> {
    vars.get(name).cloned().flatten()
}

fn is_platform_arg(name: &str) -> bool {
    PLATFORM_ARGS.contains(&name)
}

pub use crate::values::interpolate::{substitute, MAX_SUBST_LEN};

// -------------------------------------------------------------------------------------------
// Parsing

/// Parses a Dockerfile. Never fails and never panics: errors are collected.
pub fn parse(text: &str) -> Dockerfile {
    let base = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let orig = text.get(base..).unwrap_or("");
    let t = orig.as_bytes();
    let mut ctx = Ctx { base, errors: Vec::new() };
    let mut buf = t.to_vec();

    let dirs = parse_directives(t, &mut buf, &mut ctx);
    let esc = dirs.escape;
    let extents = scan_extents(t, &mut buf, dirs.end, esc, &mut ctx);

    let mut instructions: Vec<Instruction> = Vec::new();
    let mut resume = 0usize;
    // The extent of the last FROM read, kept in the text on a re-parse.
    let mut last_from: Option<usize> = None;
    let mut recoveries = 0usize;
    loop {
        let failure = {
            let Ok(crate_text) = std::str::from_utf8(&buf) else { break };
            let conv = Conv { orig, ct: crate_text, base, esc, extents: &extents };
            run_crate(&conv, resume, &mut instructions, &mut last_from, &mut ctx)
        };
        let Some((pos, message)) = failure else { break };
        let ext = find_extent(&extents, pos).and_then(|i| extents.get(i));
        let (bad, next) = match ext {
            Some(e) => (e.start..e.next, e.next),
            None => (line_start(t, pos)..skip_line(t, pos), skip_line(t, pos)),
        };
        let message = if message == "expected AS"
            && t.get(pos..pos + 2).is_some_and(|w| w.eq_ignore_ascii_case(b"AS"))
        {
            "expected a stage name after AS".to_string()
        } else {
            message
        };
        ctx.error(error_span(t, pos, bad.end, &message), message);
        recoveries += 1;
        if recoveries > MAX_RECOVERIES {
            ctx.error(
                next..next,
                format!("too many errors ({MAX_RECOVERIES}): the rest of the file was not read"),
            );
            break;
        }
        // A FROM that goes wrong after its image (`FROM img AS`, `FROM img extra`) is kept
        // without its tail, so the stage and what follows stay as they are.
        if let Some(e) = ext.filter(|e| is_from(t, e.start) && pos > e.start + 4) {
            let tail = pos..e.end;
            if buf.get(tail.clone()).is_some_and(|b| b.iter().any(|&c| !is_ws(c) && c != b'\n')) {
                blank(&mut buf, tail.start, tail.end);
                resume = e.start;
                continue;
            }
        }
        if next <= resume {
            break;
        }
        // Blank what was already read (it is skipped anyway) except the last FROM, then the
        // bad instruction.
        let keep = last_from.and_then(|i| extents.get(i)).map(|e| e.start..e.next);
        match keep {
            Some(k) if k.start >= dirs.end && k.end <= bad.start => {
                blank(&mut buf, dirs.end, k.start);
                blank(&mut buf, k.end, bad.start);
            }
            _ => blank(&mut buf, dirs.end, bad.start),
        }
        blank(&mut buf, bad.start, bad.end);
        resume = next;
    }

    let mut doc = Dockerfile {
        escape: char::from(esc),
        syntax: dirs.syntax.map(|(v, r)| Spanned::new(v, ctx.span(r))),
        check: dirs.check.map(|(v, r)| Spanned::new(v, ctx.span(r))),
        ..Dockerfile::default()
    };
    build_stages(&mut doc, instructions, &mut ctx);
    if doc.stages.is_empty() {
        ctx.errors.push(DockerfileError {
            span: Span::empty(base),
            message: "no FROM instruction: a Dockerfile needs at least one build stage".into(),
        });
    }
    let mut errors = ctx.errors;
    errors.sort_by_key(|e| (e.span.start, e.span.end));
    errors.dedup();
    doc.errors = errors;
    doc
}

/// Error collection; spans are converted from BOM-less offsets here.
struct Ctx {
    base: usize,
    errors: Vec<DockerfileError>,
}

impl Ctx {
    fn span(&self, r: Range<usize>) -> Span {
        Span::new(r.start.saturating_add(self.base), r.end.saturating_add(self.base))
    }

    fn error(&mut self, r: Range<usize>, message: impl Into<String>) {
        let span = self.span(r);
        self.errors.push(DockerfileError { span, message: message.into() });
    }
}

/// Runs the crate over `conv.ct`; pushes the instructions that start at or after `resume`.
/// Returns the offset and message of the error that stopped it, if any.
fn run_crate(
    conv: &Conv<'_>,
    resume: usize,
    out: &mut Vec<Instruction>,
    last_from: &mut Option<usize>,
    ctx: &mut Ctx,
) -> Option<(usize, String)> {
    let iter = match pd::parse_iter(conv.ct) {
        Ok(iter) => iter,
        Err(e) => {
            return Some((error_offset(&e, conv.ct.as_bytes())?, error_message(&e)));
        }
    };
    for item in iter {
        match item {
            Ok(ins) => {
                let Some((kw, kw_span)) = keyword_of(&ins) else { continue };
                if kw_span.start < resume {
                    continue;
                }
                if kw == "FROM" {
                    *last_from = find_extent(conv.extents, kw_span.start);
                }
                if let Some(i) = conv.instruction(&ins, None, ctx) {
                    out.push(i);
                }
            }
            // Line 0 is "no FROM at all", reported once by `parse`.
            Err(e) => return Some((error_offset(&e, conv.ct.as_bytes())?, error_message(&e))),
        }
    }
    None
}

/// The crate reports a 1-based line (counting `\n`) and a 1-based byte column.
fn error_offset(e: &pd::Error, t: &[u8]) -> Option<usize> {
    let line = e.line();
    if line == 0 {
        return None;
    }
    let mut start = 0usize;
    let mut n = 1usize;
    if line > 1 {
        let mut found = false;
        for (i, &b) in t.iter().enumerate() {
            if b == b'\n' {
                n += 1;
                if n == line {
                    start = i + 1;
                    found = true;
                    break;
                }
            }
        }
        if !found {
            return Some(t.len());
        }
    }
    Some(start.saturating_add(e.column().saturating_sub(1)).min(t.len()))
}

/// The crate's message, reworded where it starts in uppercase or says too little.
fn error_message(e: &pd::Error) -> String {
    let msg = format!("{e:#}");
    match msg.as_str() {
        "expected FROM" => return "only ARG can come before the first FROM".into(),
        "invalid JSON" => return "invalid JSON array".into(),
        _ => {}
    }
    if msg.contains(" instruction requires ") {
        return format!("the {msg}");
    }
    match msg.chars().next() {
        Some(c) if c.is_uppercase() => format!("invalid instruction: {msg}"),
        _ => msg,
    }
}

/// Whether the instruction at `i` is a FROM.
fn is_from(t: &[u8], i: usize) -> bool {
    t.get(i..i + 4).is_some_and(|w| w.eq_ignore_ascii_case(b"FROM"))
        && t.get(i + 4).is_none_or(|&b| is_ws(b) || b == b'\n')
}

/// The span an error points at: the word at `pos` for an unknown instruction, else the rest of
/// the line (within the instruction).
fn error_span(t: &[u8], pos: usize, limit: usize, message: &str) -> Range<usize> {
    let line_end = trim_back(t, pos, line_end(t, pos).min(limit.max(pos)));
    if message.starts_with("unknown instruction") {
        let mut e = pos;
        while e < line_end && t.get(e).is_some_and(|&b| !is_ws(b)) {
            e += 1;
        }
        return pos..e;
    }
    pos..line_end.max(pos)
}

fn find_extent(extents: &[Extent], pos: usize) -> Option<usize> {
    let i = extents.partition_point(|e| e.start <= pos).checked_sub(1)?;
    extents.get(i).filter(|e| pos < e.next.max(e.start + 1)).map(|_| i)
}

// -------------------------------------------------------------------------------------------
// Bytes (the crate's character classes)

/// Bytes parse-dockerfile treats as blanks inside a line (space, tab, CR, VT, FF).
fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | 0x0b | 0x0c)
}

fn line_end(t: &[u8], i: usize) -> usize {
    match t.get(i..).and_then(|r| r.iter().position(|&b| b == b'\n')) {
        Some(p) => i + p,
        None => t.len(),
    }
}

fn skip_line(t: &[u8], i: usize) -> usize {
    let e = line_end(t, i);
    if e < t.len() {
        e + 1
    } else {
        e
    }
}

fn line_start(t: &[u8], pos: usize) -> usize {
    let pos = pos.min(t.len());
    t.get(..pos).and_then(|r| r.iter().rposition(|&b| b == b'\n')).map_or(0, |p| p + 1)
}

/// `end` moved back over blanks and newlines, not before `start`.
fn trim_back(t: &[u8], start: usize, mut end: usize) -> usize {
    end = end.min(t.len());
    while end > start && t.get(end - 1).is_some_and(|&b| is_ws(b) || b == b'\n') {
        end -= 1;
    }
    end
}

/// Overwrites `buf[start..end]` with spaces, newlines kept (so line numbers hold), widened to
/// whole characters so the result stays UTF-8.
fn blank(buf: &mut [u8], start: usize, end: usize) {
    let mut start = start.min(buf.len());
    let mut end = end.min(buf.len());
    while start > 0 && buf.get(start).is_some_and(|&b| b & 0xC0 == 0x80) {
        start -= 1;
    }
    while end < buf.len() && buf.get(end).is_some_and(|&b| b & 0xC0 == 0x80) {
        end += 1;
    }
    for b in buf.iter_mut().take(end).skip(start) {
        if *b != b'\n' {
            *b = b' ';
        }
    }
}

fn bytes_to_string(v: Vec<u8>) -> String {
    String::from_utf8(v).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// If a line continuation starts at `i` (the escape, optional blanks, a newline), the offset
/// after it and after the comment and blank lines that follow (the crate's
/// `consume_line_continuation`).
fn continuation_at(t: &[u8], i: usize, esc: u8) -> Option<usize> {
    if t.get(i) != Some(&esc) {
        return None;
    }
    let mut j = i + 1;
    match t.get(j) {
        Some(b'\n') => j += 1,
        Some(b'\r') if t.get(j + 1) == Some(&b'\n') => j += 2,
        Some(b' ' | b'\t') => {
            while t.get(j).is_some_and(|&b| is_ws(b)) {
                j += 1;
            }
            if t.get(j) != Some(&b'\n') {
                return None;
            }
            j += 1;
        }
        _ => return None,
    }
    Some(skip_continued_blank_lines(t, j))
}

/// After a continuation, skips empty, blank and comment lines (the crate's `followup`).
fn skip_continued_blank_lines(t: &[u8], mut j: usize) -> usize {
    loop {
        let Some(&b) = t.get(j) else { return j };
        if is_ws(b) {
            let mut k = j + 1;
            while t.get(k).is_some_and(|&c| is_ws(c)) {
                k += 1;
            }
            match t.get(k) {
                Some(b'#') => j = skip_line(t, k + 1),
                Some(b'\n') => j = k + 1,
                _ => return j,
            }
        } else if b == b'\n' {
            j += 1;
        } else if b == b'#' {
            j = skip_line(t, j + 1);
        } else {
            return j;
        }
    }
}

/// Skips blanks, newlines, comment lines and stray continuations between instructions (the
/// crate's `consume_comments_and_whitespaces`).
fn skip_blank(t: &[u8], mut i: usize, esc: u8) -> usize {
    loop {
        let Some(&b) = t.get(i) else { return i };
        if is_ws(b) || b == b'\n' {
            i += 1;
        } else if b == b'#' {
            i = skip_line(t, i + 1);
        } else if let Some(j) = continuation_at(t, i, esc) {
            i = j;
        } else {
            return i;
        }
    }
}

/// The `\n` ending the logical line that starts at `i` (or the text's end).
fn logical_line_end(t: &[u8], mut i: usize, esc: u8) -> usize {
    while let Some(&b) = t.get(i) {
        if b == b'\n' {
            return i;
        }
        match continuation_at(t, i, esc) {
            Some(j) => i = j,
            None => i += 1,
        }
    }
    t.len()
}

/// A logical line with continuations removed, and the source offset of each byte.
struct Joined {
    bytes: Vec<u8>,
    /// `map[k]` is the source offset of `bytes[k]`; one extra entry for the end.
    map: Vec<usize>,
}

impl Joined {
    /// The source range of `bytes[a..b]`.
    fn range(&self, a: usize, b: usize) -> Range<usize> {
        let end_entry = self.map.last().copied().unwrap_or(0);
        let start = self.map.get(a).copied().unwrap_or(end_entry);
        if b > a {
            let end = self.map.get(b - 1).map_or(end_entry, |&e| e + 1);
            start..end
        } else {
            start..start
        }
    }
}

fn join(t: &[u8], start: usize, end: usize, esc: u8) -> Joined {
    let end = end.min(t.len());
    let mut bytes = Vec::with_capacity(end.saturating_sub(start));
    let mut map = Vec::with_capacity(end.saturating_sub(start) + 1);
    let mut i = start;
    while i < end {
        if let Some(j) = continuation_at(t, i, esc) {
            i = j;
            continue;
        }
        if let Some(&b) = t.get(i) {
            bytes.push(b);
            map.push(i);
        }
        i += 1;
    }
    map.push(end.max(start));
    Joined { bytes, map }
}

fn join_str(t: &str, r: Range<usize>, esc: u8) -> String {
    bytes_to_string(join(t.as_bytes(), r.start, r.end, esc).bytes)
}

// -------------------------------------------------------------------------------------------
// Parser directives

struct Directives {
    escape: u8,
    syntax: Option<(String, Range<usize>)>,
    check: Option<(String, Range<usize>)>,
    /// Where the directives end (the start of the first other line).
    end: usize,
}

/// Reads the directives with BuildKit's rules (`parser.DirectiveParser`) and edits the crate's
/// copy so that the crate reads the same ones (see the module docs).
fn parse_directives(t: &[u8], buf: &mut [u8], ctx: &mut Ctx) -> Directives {
    let mut d = Directives { escape: b'\\', syntax: None, check: None, end: 0 };
    let mut escape_seen = false;
    let mut i = 0;
    while i < t.len() {
        let le = line_end(t, i);
        let line = t.get(i..le).unwrap_or_default();
        let lead = line.iter().take_while(|&&b| is_ws(b)).count();
        if line.get(lead) != Some(&b'#') {
            break;
        }
        let Some((key, value)) = directive(line, lead) else {
            // A plain comment ends the directives; blanked so the crate stops here too.
            blank(buf, i, le);
            break;
        };
        let value_text = String::from_utf8_lossy(line.get(value.clone()).unwrap_or_default());
        let value_range = i + value.start..i + value.end;
        let line_range = i + lead..trim_back(t, i, le);
        let seen = match key {
            "syntax" => d.syntax.is_some(),
            "check" => d.check.is_some(),
            _ => escape_seen,
        };
        if seen {
            ctx.error(line_range, format!("only one {key} parser directive can be used"));
            blank(buf, i, le);
            break;
        }
        match key {
            "syntax" => d.syntax = Some((value_text.into_owned(), value_range)),
            "check" => d.check = Some((value_text.into_owned(), value_range)),
            _ => {
                match value_text.as_ref() {
                    "\\" => d.escape = b'\\',
                    "`" => d.escape = b'`',
                    _ => {
                        ctx.error(
                            value_range,
                            format!("invalid escape character '{value_text}': use \\ or `"),
                        );
                        blank(buf, i, le);
                        break;
                    }
                }
                escape_seen = true;
            }
        }
        if lead > 0 {
            if let Some(seg) = buf.get_mut(i..le) {
                seg.rotate_left(lead);
            }
        }
        i = skip_line(t, i);
    }
    d.end = i;
    d
}

/// `#`, blanks, a known key, blanks, `=`, blanks, a value (up to a blank: the crate's reading).
/// Returns the lowercase key and the value's range in `line`.
fn directive(line: &[u8], hash: usize) -> Option<(&'static str, Range<usize>)> {
    let mut k = hash + 1;
    while line.get(k).is_some_and(|&b| is_ws(b)) {
        k += 1;
    }
    let key_start = k;
    if !line.get(k).is_some_and(u8::is_ascii_alphabetic) {
        return None;
    }
    while line.get(k).is_some_and(u8::is_ascii_alphanumeric) {
        k += 1;
    }
    let key = line.get(key_start..k)?;
    let key = ["syntax", "check", "escape"]
        .into_iter()
        .find(|w| key.eq_ignore_ascii_case(w.as_bytes()))?;
    while line.get(k).is_some_and(|&b| is_ws(b)) {
        k += 1;
    }
    if line.get(k) != Some(&b'=') {
        return None;
    }
    k += 1;
    while line.get(k).is_some_and(|&b| is_ws(b)) {
        k += 1;
    }
    let v = k;
    while line.get(k).is_some_and(|&b| !is_ws(b)) {
        k += 1;
    }
    (k > v).then_some((key, v..k))
}

// -------------------------------------------------------------------------------------------
// Instructions and heredocs

/// One instruction's bytes, as the pre-scan sees them.
struct Extent {
    start: usize,
    /// End of the content (blanks trimmed), heredoc terminators included.
    end: usize,
    /// Where the next instruction may start.
    next: usize,
    heredocs: Vec<RawHeredoc>,
}

struct RawHeredoc {
    name: String,
    marker: Range<usize>,
    body: Range<usize>,
    expand: bool,
    strip_tabs: bool,
}

fn scan_extents(t: &[u8], buf: &mut [u8], from: usize, esc: u8, ctx: &mut Ctx) -> Vec<Extent> {
    let mut extents = Vec::new();
    let mut pos = skip_blank(t, from, esc);
    while pos < t.len() {
        let le = logical_line_end(t, pos, esc);
        let mut next = if le < t.len() { le + 1 } else { le };
        let mut end = trim_back(t, pos, le);
        let mut heredocs = Vec::new();
        if t.get(pos..le).is_some_and(|l| l.windows(2).any(|w| w == b"<<")) {
            let j = join(t, pos, le, esc);
            if let Some(line) = heredoc_line(&j) {
                for p in line.neutralize {
                    for q in [p.0, p.1] {
                        if let Some(b) = buf.get_mut(q) {
                            *b = b'_';
                        }
                    }
                }
                let bodies_start = next;
                for m in line.markers {
                    let (body, term, after) = read_heredoc_body(t, next, &m);
                    match term {
                        Some(term) => end = term.end,
                        None => {
                            end = trim_back(t, pos, t.len());
                            ctx.error(
                                m.marker.clone(),
                                format!("unterminated heredoc: no line '{}' ends it", m.name),
                            );
                        }
                    }
                    heredocs.push(RawHeredoc {
                        name: m.name,
                        marker: m.marker,
                        body,
                        expand: m.expand,
                        strip_tabs: m.strip_tabs,
                    });
                    next = after;
                }
                blank(buf, bodies_start, next);
            }
        }
        extents.push(Extent { start: pos, end, next, heredocs });
        pos = skip_blank(t, next, esc);
    }
    extents
}

/// Reads one heredoc body from `start`: returns the body range, the terminator line's range
/// (`None` if the text ends first) and where reading continues. A terminator is a line equal to
/// the delimiter once `\r`/`\n` are trimmed from its end and, for `<<-`, tabs from its start
/// (BuildKit's `parser.Parse`).
fn read_heredoc_body(
    t: &[u8],
    start: usize,
    m: &Marker,
) -> (Range<usize>, Option<Range<usize>>, usize) {
    let mut cur = start;
    while cur < t.len() {
        let e = line_end(t, cur);
        let mut line = t.get(cur..e).unwrap_or_default();
        while let Some(l) = line.strip_suffix(b"\r") {
            line = l;
        }
        let line_content_end = cur + line.len();
        if m.strip_tabs {
            while let Some(l) = line.strip_prefix(b"\t") {
                line = l;
            }
        }
        if line == m.name.as_bytes() {
            let after = if e < t.len() { e + 1 } else { e };
            return (start..cur, Some(cur..line_content_end), after);
        }
        cur = if e < t.len() { e + 1 } else { e };
    }
    (start..t.len(), None, t.len())
}

struct Marker {
    name: String,
    marker: Range<usize>,
    expand: bool,
    strip_tabs: bool,
}

struct HeredocLine {
    /// Source offsets of the two `<` of every word starting with `<<`.
    neutralize: Vec<(usize, usize)>,
    markers: Vec<Marker>,
}

/// For a RUN, COPY or ADD (possibly after ONBUILD) not in JSON form: the heredoc markers
/// BuildKit finds, and the `<<` the crate would try to read as heredocs.
fn heredoc_line(j: &Joined) -> Option<HeredocLine> {
    let s = &j.bytes;
    let words = blank_words(s);
    let word = |k: usize| words.get(k).and_then(|w| s.get(w.clone())).unwrap_or_default();
    let mut k = 1;
    let mut kw = word(0);
    if kw.eq_ignore_ascii_case(b"ONBUILD") {
        kw = word(1);
        k = 2;
    }
    if !(kw.eq_ignore_ascii_case(b"RUN")
        || kw.eq_ignore_ascii_case(b"COPY")
        || kw.eq_ignore_ascii_case(b"ADD"))
    {
        return None;
    }
    let first_arg = k;
    while word(k).starts_with(b"--") {
        k += 1;
    }
    // BuildKit's parseMaybeJSON: the rest after the flags, if it is a JSON array of strings.
    let args_start = words.get(k).map_or(s.len(), |w| w.start);
    let rest = s.get(args_start..).unwrap_or_default();
    let rest = rest.get(..trim_back(rest, 0, rest.len())).unwrap_or_default();
    if rest.first() == Some(&b'[') && serde_json::from_slice::<Vec<String>>(rest).is_ok() {
        return None;
    }
    let neutralize = words
        .iter()
        .skip(first_arg)
        .filter(|w| s.get((*w).clone()).is_some_and(|w| w.starts_with(b"<<")))
        .map(|w| (j.range(w.start, w.start + 1).start, j.range(w.start + 1, w.start + 2).start))
        .collect();
    let markers = shell_words(s)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|w| {
            let (name, expand, strip_tabs) = heredoc_marker(s.get(w.clone())?)?;
            Some(Marker { name, marker: j.range(w.start, w.end), expand, strip_tabs })
        })
        .collect();
    Some(HeredocLine { neutralize, markers })
}

/// Words separated by the crate's blanks.
fn blank_words(s: &[u8]) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < s.len() {
        while s.get(i).is_some_and(|&b| is_ws(b) || b == b'\n') {
            i += 1;
        }
        let st = i;
        while s.get(i).is_some_and(|&b| !(is_ws(b) || b == b'\n')) {
            i += 1;
        }
        if i > st {
            out.push(st..i);
        }
    }
    out
}

/// Shell words as BuildKit's `heredocsFromLine` lexes them (quotes and escapes kept, `<<` glued
/// to the blanks after it). `None` on an unterminated quote: BuildKit then finds no heredoc.
fn shell_words(s: &[u8]) -> Option<Vec<Range<usize>>> {
    let mut out = Vec::new();
    let mut cur: Option<usize> = None;
    let mut i = 0;
    while let Some(&b) = s.get(i) {
        if matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c) {
            if let Some(st) = cur.take() {
                out.push(st..i);
            }
            i += 1;
            continue;
        }
        if cur.is_none() {
            cur = Some(i);
        }
        match b {
            b'\'' => {
                let close = s.get(i + 1..)?.iter().position(|&c| c == b'\'')?;
                i = i + 1 + close + 1;
            }
            b'"' => {
                let mut k = i + 1;
                loop {
                    match s.get(k)? {
                        b'\\' => k += 2,
                        b'"' => break,
                        _ => k += 1,
                    }
                }
                i = k + 1;
            }
            b'\\' => i += 2,
            b'<' if s.get(i + 1) == Some(&b'<') => {
                i += 2;
                while matches!(s.get(i), Some(b' ' | b'\t')) {
                    i += 1;
                }
            }
            _ => i += 1,
        }
    }
    if let Some(st) = cur {
        out.push(st..s.len().min(i));
    }
    Some(out)
}

/// BuildKit's `ParseHeredoc`: `^(\d*)<<(-?)\s*([^<]*)$`, the rest one shell word. Returns the
/// delimiter (quotes removed), whether the body expands (no quotes) and `<<-`.
fn heredoc_marker(w: &[u8]) -> Option<(String, bool, bool)> {
    let mut k = w.iter().take_while(|b| b.is_ascii_digit()).count();
    if w.get(k..k + 2) != Some(b"<<") {
        return None;
    }
    k += 2;
    let strip_tabs = w.get(k) == Some(&b'-');
    if strip_tabs {
        k += 1;
    }
    while matches!(w.get(k), Some(b' ' | b'\t' | b'\n' | b'\r' | 0x0c)) {
        k += 1;
    }
    let rest = w.get(k..)?;
    if rest.is_empty() || rest.contains(&b'<') {
        return None;
    }
    let mut name = Vec::new();
    let mut quoted = false;
    let mut i = 0;
    while let Some(&b) = rest.get(i) {
        match b {
            b'\'' => {
                quoted = true;
                let close = rest.get(i + 1..)?.iter().position(|&c| c == b'\'')?;
                name.extend_from_slice(rest.get(i + 1..i + 1 + close)?);
                i = i + 1 + close + 1;
            }
            b'"' => {
                quoted = true;
                i += 1;
                loop {
                    match rest.get(i)? {
                        b'"' => break,
                        b'\\' if matches!(rest.get(i + 1), Some(b'"' | b'$' | b'\\')) => {
                            name.push(*rest.get(i + 1)?);
                            i += 2;
                        }
                        &c => {
                            name.push(c);
                            i += 1;
                        }
                    }
                }
                i += 1;
            }
            b'\\' => {
                if let Some(&c) = rest.get(i + 1) {
                    name.push(c);
                }
                i += 2;
            }
            b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c => return None,
            _ => {
                name.push(b);
                i += 1;
            }
        }
    }
    if name.is_empty() {
        return None;
    }
    Some((String::from_utf8(name).ok()?, !quoted, strip_tabs))
}

// -------------------------------------------------------------------------------------------
// From the crate's instructions to the model

struct Conv<'a> {
    /// The original text (without BOM).
    orig: &'a str,
    /// The crate's copy.
    ct: &'a str,
    base: usize,
    esc: u8,
    extents: &'a [Extent],
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum PairKind {
    Arg,
    Env,
    Label,
}

fn keyword_of(ins: &pd::Instruction<'_>) -> Option<(&'static str, Range<usize>)> {
    use pd::Instruction as I;
    Some(match ins {
        I::Add(i) => ("ADD", i.add.span.clone()),
        I::Arg(i) => ("ARG", i.arg.span.clone()),
        I::Cmd(i) => ("CMD", i.cmd.span.clone()),
        I::Copy(i) => ("COPY", i.copy.span.clone()),
        I::Entrypoint(i) => ("ENTRYPOINT", i.entrypoint.span.clone()),
        I::Env(i) => ("ENV", i.env.span.clone()),
        I::Expose(i) => ("EXPOSE", i.expose.span.clone()),
        I::From(i) => ("FROM", i.from.span.clone()),
        I::Healthcheck(i) => ("HEALTHCHECK", i.healthcheck.span.clone()),
        I::Label(i) => ("LABEL", i.label.span.clone()),
        I::Maintainer(i) => ("MAINTAINER", i.maintainer.span.clone()),
        I::Onbuild(i) => ("ONBUILD", i.onbuild.span.clone()),
        I::Run(i) => ("RUN", i.run.span.clone()),
        I::Shell(i) => ("SHELL", i.shell.span.clone()),
        I::Stopsignal(i) => ("STOPSIGNAL", i.stopsignal.span.clone()),
        I::User(i) => ("USER", i.user.span.clone()),
        I::Volume(i) => ("VOLUME", i.volume.span.clone()),
        I::Workdir(i) => ("WORKDIR", i.workdir.span.clone()),
        _ => return None,
    })
}

impl Conv<'_> {
    fn span(&self, r: Range<usize>) -> Span {
        Span::new(r.start.saturating_add(self.base), r.end.saturating_add(self.base))
    }

    /// A crate string, re-read from the original text if the copy differs there.
    fn val(&self, u: &pd::UnescapedString<'_>) -> Spanned<String> {
        let r = u.span.clone();
        let value = if self.orig.get(r.clone()) == self.ct.get(r.clone()) {
            u.value.to_string()
        } else {
            join_str(self.orig, r.clone(), self.esc)
        };
        Spanned::new(value, self.span(r))
    }

    fn raw(&self, r: Range<usize>) -> Spanned<String> {
        Spanned::new(self.orig.get(r.clone()).unwrap_or_default().to_string(), self.span(r))
    }

    fn flags(&self, flags: &[pd::Flag<'_>]) -> Vec<Flag> {
        flags
            .iter()
            .map(|f| Flag {
                name: self.val(&f.name),
                value: f.value.as_ref().map(|v| self.val(v)),
                span: self.span(f.span()),
            })
            .collect()
    }

    fn command(&self, c: &pd::Command<'_>) -> Args {
        match c {
            pd::Command::Exec(e) => Args::Exec(e.value.iter().map(|v| self.val(v)).collect()),
            pd::Command::Shell(s) => {
                let r = s.span.clone();
                Args::Shell(ShellText {
                    span: self.span(r.clone()),
                    raw: self.orig.get(r).unwrap_or_default().to_string(),
                })
            }
            _ => Args::Exec(Vec::new()),
        }
    }

    /// Converts one crate instruction. `outer` is the ONBUILD's extent for a trigger.
    fn instruction(
        &self,
        ins: &pd::Instruction<'_>,
        outer: Option<&Extent>,
        ctx: &mut Ctx,
    ) -> Option<Instruction> {
        use pd::Instruction as I;
        let (kw, kw_range) = keyword_of(ins)?;
        let ext = outer.or_else(|| {
            let i = find_extent(self.extents, kw_range.start)?;
            self.extents.get(i).filter(|e| e.start == kw_range.start)
        });
        let mut flags = Vec::new();
        let mut heredocs: Vec<Heredoc> = Vec::new();
        let args = match ins {
            I::Add(i) => {
                flags = self.flags(&i.options);
                self.copy_args(&i.src, &i.dest, &mut heredocs)
            }
            I::Copy(i) => {
                flags = self.flags(&i.options);
                self.copy_args(&i.src, &i.dest, &mut heredocs)
            }
            I::Arg(i) => Args::Pairs(self.pairs(i.arguments.span.clone(), PairKind::Arg, ctx)),
            I::Env(i) => Args::Pairs(self.pairs(i.arguments.span.clone(), PairKind::Env, ctx)),
            I::Label(i) => Args::Pairs(self.pairs(i.arguments.span.clone(), PairKind::Label, ctx)),
            I::Cmd(i) => self.command(&i.arguments),
            I::Entrypoint(i) => self.command(&i.arguments),
            I::Run(i) => {
                flags = self.flags(&i.options);
                for h in &i.here_docs {
                    heredocs.push(self.crate_heredoc(h));
                }
                self.command(&i.arguments)
            }
            I::Expose(i) => Args::Words(i.arguments.iter().map(|a| self.val(a)).collect()),
            I::From(i) => {
                flags = self.flags(&i.options);
                Args::From {
                    image: self.val(&i.image),
                    alias: i.as_.as_ref().map(|(_, n)| self.val(n)),
                }
            }
            I::Healthcheck(i) => {
                flags = self.flags(&i.options);
                match &i.arguments {
                    pd::HealthcheckArguments::Cmd { arguments, .. } => {
                        Args::Healthcheck(Some(Box::new(self.command(arguments))))
                    }
                    _ => Args::Healthcheck(None),
                }
            }
            I::Maintainer(i) => Args::Other(self.val(&i.name)),
            I::Onbuild(i) => {
                let inner = self.instruction(&i.instruction, ext, ctx)?;
                if matches!(inner.keyword.as_str(), "FROM" | "MAINTAINER") {
                    ctx.error(
                        kw_range.start..inner.keyword_span.end.saturating_sub(self.base),
                        format!("an ONBUILD trigger cannot be {}", inner.keyword),
                    );
                }
                Args::Onbuild(Box::new(inner))
            }
            I::Shell(i) => Args::Exec(i.arguments.iter().map(|a| self.val(a)).collect()),
            I::Stopsignal(i) => Args::Other(self.val(&i.arguments)),
            I::User(i) => Args::Other(self.val(&i.arguments)),
            I::Workdir(i) => Args::Other(self.val(&i.arguments)),
            I::Volume(i) => match &i.arguments {
                pd::JsonOrStringArray::Json(a) => {
                    Args::Exec(a.value.iter().map(|v| self.val(v)).collect())
                }
                pd::JsonOrStringArray::String(a) => {
                    Args::Words(a.iter().map(|v| self.val(v)).collect())
                }
            },
            _ => return None,
        };
        // Heredocs belong to the innermost instruction (the trigger of an ONBUILD).
        if !matches!(args, Args::Onbuild(_)) {
            if let Some(e) = ext {
                heredocs.extend(e.heredocs.iter().map(|h| Heredoc {
                    delimiter: h.name.clone(),
                    marker: self.span(h.marker.clone()),
                    body: self.raw(h.body.clone()),
                    expand: h.expand,
                    strip_tabs: h.strip_tabs,
                }));
            }
        }
        let end = ext.map_or_else(
            || {
                trim_back(
                    self.orig.as_bytes(),
                    kw_range.start,
                    line_end(self.ct.as_bytes(), kw_range.start),
                )
            },
            |e| e.end,
        );
        Some(Instruction {
            keyword: kw.to_string(),
            keyword_span: self.span(kw_range.clone()),
            span: self.span(kw_range.start..end.max(kw_range.end)),
            flags,
            args,
            heredocs,
            stage: None,
        })
    }

    fn crate_heredoc(&self, h: &pd::HereDoc<'_>) -> Heredoc {
        Heredoc {
            delimiter: String::new(),
            marker: self.span(h.span.start..h.span.start),
            body: self.raw(h.span.clone()),
            expand: h.expand,
            strip_tabs: false,
        }
    }

    fn copy_args(
        &self,
        src: &[pd::Source<'_>],
        dest: &pd::UnescapedString<'_>,
        heredocs: &mut Vec<Heredoc>,
    ) -> Args {
        let mut sources = Vec::new();
        for s in src {
            match s {
                pd::Source::Path(p) => sources.push(self.val(p)),
                pd::Source::HereDoc(h) => heredocs.push(self.crate_heredoc(h)),
                _ => {}
            }
        }
        Args::Copy { sources, dest: self.val(dest) }
    }

    /// Splits ENV, LABEL or ARG arguments (`r`, as written) into pairs, as BuildKit's
    /// `parseNameVal` / `parseNameOrNameVal` do.
    fn pairs(&self, r: Range<usize>, kind: PairKind, ctx: &mut Ctx) -> Vec<KeyValue> {
        let j = join(self.orig.as_bytes(), r.start, r.end, self.esc);
        let s = &j.bytes;
        let words = parse_words(s, self.esc);
        let kw = match kind {
            PairKind::Arg => "ARG",
            PairKind::Env => "ENV",
            PairKind::Label => "LABEL",
        };
        let mut out = Vec::new();
        let Some(first) = words.first() else { return out };
        let first_has_eq = s.get(first.clone()).is_some_and(|w| w.contains(&b'='));
        if kind != PairKind::Arg && !first_has_eq {
            // Legacy `ENV NAME value...`: the value is the rest after the first blanks.
            let p = s.iter().position(|&b| matches!(b, b' ' | b'\t' | b'\r' | 0x0b | 0x0c));
            let Some(p) = p else {
                let key = j.range(0, s.len());
                ctx.error(key, format!("missing value: write {kw} NAME=value"));
                return out;
            };
            let mut v = p;
            while s.get(v).is_some_and(|&b| matches!(b, b' ' | b'\t' | b'\r' | 0x0b | 0x0c)) {
                v += 1;
            }
            out.push(KeyValue {
                key: self.unquoted(&j, 0, p),
                value: Some(self.unquoted(&j, v, s.len())),
                span: self.span(j.range(0, s.len())),
            });
            return out;
        }
        for w in words {
            let word = s.get(w.clone()).unwrap_or_default();
            match word.iter().position(|&b| b == b'=') {
                Some(eq) => {
                    let eq = w.start + eq;
                    if eq == w.start {
                        ctx.error(
                            j.range(w.start, w.end),
                            format!("missing name before '=' in {kw}"),
                        );
                        continue;
                    }
                    out.push(KeyValue {
                        key: self.unquoted(&j, w.start, eq),
                        value: Some(self.unquoted(&j, eq + 1, w.end)),
                        span: self.span(j.range(w.start, w.end)),
                    });
                }
                None if kind == PairKind::Arg => out.push(KeyValue {
                    key: self.unquoted(&j, w.start, w.end),
                    value: None,
                    span: self.span(j.range(w.start, w.end)),
                }),
                None => ctx.error(
                    j.range(w.start, w.end),
                    format!(
                        "missing '=' in '{}': {kw} pairs are written NAME=value",
                        String::from_utf8_lossy(word)
                    ),
                ),
            }
        }
        out
    }

    fn unquoted(&self, j: &Joined, a: usize, b: usize) -> Spanned<String> {
        let raw = j.bytes.get(a..b).unwrap_or_default();
        Spanned::new(unquote(raw, self.esc), self.span(j.range(a, b)))
    }
}

/// BuildKit's `parseWords`: blank-separated words, quotes and escapes kept.
fn parse_words(s: &[u8], esc: u8) -> Vec<Range<usize>> {
    let is_space = |b: u8| matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c);
    let mut words = Vec::new();
    let mut i = 0;
    loop {
        while s.get(i).is_some_and(|&b| is_space(b)) {
            i += 1;
        }
        if i >= s.len() {
            break;
        }
        let start = i;
        let mut quote: Option<u8> = None;
        while let Some(&b) = s.get(i) {
            match quote {
                None => {
                    if is_space(b) {
                        break;
                    }
                    if b == b'\'' || b == b'"' {
                        quote = Some(b);
                    } else if b == esc {
                        i += 1;
                    }
                    i += 1;
                }
                Some(q) => {
                    if b == q {
                        quote = None;
                    } else if b == esc && q != b'\'' {
                        i += 1;
                    }
                    i += 1;
                }
            }
        }
        let end = i.min(s.len());
        words.push(start..end);
        i = end;
    }
    words
}

/// A word as BuildKit's `ProcessWord` reads it, without variable expansion: quotes removed,
/// escapes applied (inside double quotes only before `"`, `$` and the escape itself).
fn unquote(s: &[u8], esc: u8) -> String {
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while let Some(&b) = s.get(i) {
        if b == b'\'' {
            i += 1;
            while let Some(&c) = s.get(i) {
                i += 1;
                if c == b'\'' {
                    break;
                }
                out.push(c);
            }
        } else if b == b'"' {
            i += 1;
            while let Some(&c) = s.get(i) {
                i += 1;
                if c == b'"' {
                    break;
                }
                if c == esc {
                    if let Some(&n) = s.get(i) {
                        if n == b'"' || n == b'$' || n == esc {
                            out.push(n);
                            i += 1;
                            continue;
                        }
                    }
                }
                out.push(c);
            }
        } else if b == esc {
            if let Some(&n) = s.get(i + 1) {
                out.push(n);
            }
            i += 2;
        } else {
            out.push(b);
            i += 1;
        }
    }
    bytes_to_string(out)
}

// -------------------------------------------------------------------------------------------
// Stages

fn build_stages(doc: &mut Dockerfile, mut instructions: Vec<Instruction>, ctx: &mut Ctx) {
    let mut stages: Vec<Stage> = Vec::new();
    for (idx, ins) in instructions.iter_mut().enumerate() {
        if let Args::From { image, alias } = &ins.args {
            if let Some(last) = stages.last_mut() {
                last.instructions.end = idx;
            }
            let platform = ins.flag("platform").and_then(|f| f.value.clone());
            stages.push(Stage {
                index: stages.len(),
                from: idx,
                image: image.clone(),
                resolved_image: None,
                base_stage: None,
                name: alias.clone(),
                platform,
                instructions: idx..idx + 1,
            });
        }
        let stage = stages.len().checked_sub(1);
        ins.stage = stage;
        if let Args::Onbuild(inner) = &mut ins.args {
            inner.stage = stage;
        }
    }
    let n = instructions.len();
    if let Some(last) = stages.last_mut() {
        last.instructions.end = n;
    }
    doc.global_args = instructions
        .iter()
        .take_while(|i| i.stage.is_none())
        .filter(|i| i.keyword == "ARG")
        .flat_map(|i| match &i.args {
            Args::Pairs(p) => p.clone(),
            _ => Vec::new(),
        })
        .collect();
    doc.instructions = instructions;

    {
        let globals = doc.global_values();
        let mut seen: Vec<(String, usize)> = Vec::new();
        for (i, stage) in stages.iter_mut().enumerate() {
            // Only names of earlier stages count, so `seen` is filled as we go.
            let resolved = substitute(&stage.image.value, |n| {
                if is_platform_arg(n) {
                    None
                } else {
                    lookup(&globals, n)
                }
            });
            stage.base_stage = resolved.as_deref().and_then(|r| {
                seen.iter().find(|(name, _)| name.eq_ignore_ascii_case(r)).map(|&(_, s)| s)
            });
            stage.resolved_image = resolved;
            let Some(name) = &stage.name else { continue };
            let lower = name.value.to_ascii_lowercase();
            let r =
                name.span.start.saturating_sub(ctx.base)..name.span.end.saturating_sub(ctx.base);
            if !valid_stage_name(&lower) {
                ctx.error(
                    r.clone(),
                    format!(
                        "invalid stage name '{}': it must start with a letter and hold only \
                         letters, digits, '-', '_' and '.'",
                        name.value
                    ),
                );
            }
            if seen.iter().any(|(s, _)| *s == lower) {
                ctx.error(r, format!("duplicate stage name '{}'", name.value));
            } else {
                seen.push((lower, i));
            }
        }
    }
    doc.stages = stages;
}

/// BuildKit's `^[a-z][a-z0-9-_\.]*$` on the lowercased name.
fn valid_stage_name(lower: &str) -> bool {
    let mut chars = lower.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_' | '.'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::LineIndex;

    /// The span of the first occurrence of `needle` in `text`.
    fn sp(text: &str, needle: &str) -> Span {
        let s = text.find(needle).unwrap_or_else(|| panic!("{needle:?} not in text"));
        Span::new(s, s + needle.len())
    }

    /// The span of the `n`th (0-based) occurrence.
    fn sp_nth(text: &str, needle: &str, n: usize) -> Span {
        let s = text.match_indices(needle).nth(n).unwrap().0;
        Span::new(s, s + needle.len())
    }

    fn s(text: &str, needle: &str) -> Spanned<String> {
        Spanned::new(needle.to_string(), sp(text, needle))
    }

    #[test]
    fn arg_expansion_bombs_are_bounded() {
        // Each ARG repeats the one before ten times: 10^30 bytes if expanded.
        let mut text = String::from("ARG A0=xxxxxxxxxx\n");
        for i in 1..30 {
            text.push_str(&format!("ARG A{i}={}\n", format!("${{A{}}}", i - 1).repeat(10)));
        }
        text.push_str("FROM alpine:${A29}\nARG A29\nRUN echo $A29\n");
        let start = std::time::Instant::now();
        let d = parse(&text);
        assert!(d.errors.is_empty(), "{:?}", d.errors);
        assert_eq!(d.stages[0].resolved_image, None, "too long to know");
        assert_eq!(d.arg_value(Some(0), "A29").map(|b| b.value), Some(None));
        // Below the limit, values are still expanded.
        assert_eq!(d.arg_value(None, "A3").and_then(|b| b.value).map(|v| v.len()), Some(10_000));
        assert!(start.elapsed() < std::time::Duration::from_secs(5), "{:?}", start.elapsed());
        // A replacement cannot build a huge value either.
        let big = "a".repeat(60_000);
        let look = |n: &str| (n == "A").then(|| big.clone());
        assert_eq!(substitute("${A//a/bb}", look), None);
        assert_eq!(substitute("${A/a/bb}", look).map(|v| v.len()), Some(60_001));
    }

    #[test]
    fn many_args_are_linear() {
        // Every ARG refers to the first: a list lookup made this 100,000² steps.
        let mut text = String::from("ARG A0=x\n");
        for i in 1..100_000 {
            text.push_str(&format!("ARG A{i}=$A0\n"));
        }
        text.push_str("FROM alpine:${A99999}\nARG A5\nRUN echo\n");
        let start = std::time::Instant::now();
        let d = parse(&text);
        assert_eq!(d.stages[0].resolved_image.as_deref(), Some("alpine:x"));
        assert_eq!(d.arg_value(Some(0), "A5").and_then(|b| b.value).as_deref(), Some("x"));
        assert!(start.elapsed() < std::time::Duration::from_secs(10), "{:?}", start.elapsed());
    }

    fn keywords(d: &Dockerfile) -> Vec<&str> {
        d.instructions.iter().map(|i| i.keyword.as_str()).collect()
    }

    fn shell(i: &Instruction) -> &ShellText {
        i.shell().unwrap_or_else(|| panic!("{} has no shell form: {:?}", i.keyword, i.args))
    }

    fn pairs(i: &Instruction) -> &[KeyValue] {
        match &i.args {
            Args::Pairs(p) => p,
            other => panic!("not pairs: {other:?}"),
        }
    }

    fn line_of(text: &str, offset: usize) -> usize {
        LineIndex::new(text).position(text, offset).line
    }

    fn assert_clean(d: &Dockerfile) {
        assert!(d.errors.is_empty(), "unexpected errors: {:?}", d.errors);
    }

    #[test]
    fn directives_are_case_insensitive_and_set_the_escape() {
        let text = "# Syntax=docker/dockerfile:1\n#ESCAPE = `\n# check=skip=all\n\
                    FROM mcr.microsoft.com/windows/servercore:ltsc2022\n\
                    RUN dir C:\\ `\n    && echo done\n";
        let d = parse(text);
        assert_clean(&d);
        assert_eq!(d.escape, '`');
        assert_eq!(d.syntax, Some(s(text, "docker/dockerfile:1")));
        assert_eq!(d.check, Some(s(text, "skip=all")));
        assert_eq!(keywords(&d), ["FROM", "RUN"]);
        let run = shell(&d.instructions[1]);
        assert_eq!(run.raw, "dir C:\\ `\n    && echo done");
        assert_eq!(run.span, sp(text, "dir C:\\ `\n    && echo done"));
        // The backtick continuation goes; the backslash is an ordinary character.
        assert_eq!(run.joined(d.escape), "dir C:\\     && echo done");
    }

    #[test]
    fn directives_count_only_at_the_top() {
        // After an instruction: a comment.
        let text = "FROM alpine\n# escape=`\nRUN echo a \\\n  b\n";
        let d = parse(text);
        assert_clean(&d);
        assert_eq!(d.escape, '\\');
        assert_eq!(shell(&d.instructions[1]).joined('\\'), "echo a   b");
        // After a plain comment: a comment (BuildKit's DirectiveParser stops at it).
        let d = parse("# my image\n# escape=`\nFROM alpine\n");
        assert_clean(&d);
        assert_eq!(d.escape, '\\');
        // After an empty line: a comment.
        assert_eq!(parse("\n# escape=`\nFROM alpine\n").escape, '\\');
        // Leading blanks are allowed (BuildKit trims them; the crate alone would not).
        let text = "  # escape=`\nFROM alpine\nRUN a `\n b\n";
        let d = parse(text);
        assert_clean(&d);
        assert_eq!(d.escape, '`');
        assert_eq!(shell(&d.instructions[1]).joined('`'), "a  b");
    }

    #[test]
    fn bad_directives_are_errors() {
        let text = "# escape=`\n# escape=\\\nFROM alpine\n";
        let d = parse(text);
        assert_eq!(d.errors.len(), 1);
        assert_eq!(d.errors[0].message, "only one escape parser directive can be used");
        assert_eq!(d.errors[0].span, sp(text, "# escape=\\"));
        assert_eq!(d.escape, '`');
        assert_eq!(keywords(&d), ["FROM"]);

        let text = "# escape=x\nFROM alpine\n";
        let d = parse(text);
        assert_eq!(d.errors.len(), 1);
        assert_eq!(d.errors[0].span, Span::new(9, 10));
        assert!(d.errors[0].message.starts_with("invalid escape character 'x'"));
        assert_eq!(d.escape, '\\');
        assert_eq!(keywords(&d), ["FROM"]);
    }

    #[test]
    fn continuations_skip_comment_and_empty_lines() {
        let text = "FROM alpine\nRUN apk add \\\n# a comment\n    curl \\\n\n    jq\n\
                    ENV A=1 \\\n    B=\"two words\"\n";
        let d = parse(text);
        assert_clean(&d);
        assert_eq!(keywords(&d), ["FROM", "RUN", "ENV"]);
        let run = &d.instructions[1];
        assert_eq!(run.span, sp(text, "RUN apk add \\\n# a comment\n    curl \\\n\n    jq"));
        assert_eq!(shell(run).joined('\\'), "apk add     curl     jq");
        let env = pairs(&d.instructions[2]);
        assert_eq!(env.len(), 2);
        assert_eq!(env[0].key, s(text, "A"));
        assert_eq!(env[0].value, Some(s(text, "1")));
        assert_eq!(env[1].key.value, "B");
        assert_eq!(env[1].value, Some(Spanned::new("two words".into(), sp(text, "\"two words\""))));
        assert_eq!(env[1].span, sp(text, "B=\"two words\""));
    }

    #[test]
    fn crlf_line_endings() {
        let text = "FROM alpine\r\nRUN echo hi \\\r\n  there\r\nCMD [\"a\"]\r\n";
        let d = parse(text);
        assert_clean(&d);
        assert_eq!(keywords(&d), ["FROM", "RUN", "CMD"]);
        let run = &d.instructions[1];
        assert_eq!(run.span, sp(text, "RUN echo hi \\\r\n  there"));
        assert_eq!(shell(run).raw, "echo hi \\\r\n  there");
        assert_eq!(shell(run).joined('\\'), "echo hi   there");
        let a = sp(text, "[\"a\"]").start + 2;
        assert_eq!(
            d.instructions[2].args,
            Args::Exec(vec![Spanned::new("a".into(), Span::new(a, a + 1))])
        );
        assert_eq!(d.stages[0].image, s(text, "alpine"));
    }

    #[test]
    fn utf8_bom_is_skipped_and_spans_count_it() {
        let text = "\u{feff}FROM alpine AS base\nRUN true\n";
        let d = parse(text);
        assert_clean(&d);
        assert_eq!(d.instructions[0].keyword_span, Span::new(3, 7));
        assert_eq!(d.stages[0].name, Some(s(text, "base")));
        assert_eq!(shell(&d.instructions[1]).span, sp(text, "true"));
        let d = parse("\u{feff}");
        assert_eq!(d.errors.len(), 1);
    }

    #[test]
    fn heredoc_directly_after_run() {
        let text =
            "FROM alpine\nRUN <<EOF\napk add curl\nFROM not-an-instruction\nEOF\nCMD [\"sh\"]\n";
        let d = parse(text);
        assert_clean(&d);
        assert_eq!(keywords(&d), ["FROM", "RUN", "CMD"]);
        let run = &d.instructions[1];
        assert_eq!(run.span, sp(text, "RUN <<EOF\napk add curl\nFROM not-an-instruction\nEOF"));
        assert_eq!(shell(run).raw, "<<EOF");
        assert_eq!(run.heredocs.len(), 1);
        let h = &run.heredocs[0];
        assert_eq!(h.delimiter, "EOF");
        assert_eq!(h.marker, sp(text, "<<EOF"));
        assert_eq!(h.body, s(text, "apk add curl\nFROM not-an-instruction\n"));
        assert!(h.expand);
        assert!(!h.strip_tabs);
        assert_eq!(d.stages.len(), 1);
    }

    #[test]
    fn heredoc_strip_tabs_and_quoted_delimiters() {
        let text = "FROM alpine\nRUN <<-EOF\n\techo hi\n\tEOF\nRUN <<'EOF'\necho $HOME\nEOF\n\
                    RUN <<\"END\"\necho $PATH\nEND\nUSER nobody\n";
        let d = parse(text);
        assert_clean(&d);
        assert_eq!(keywords(&d), ["FROM", "RUN", "RUN", "RUN", "USER"]);
        let h = &d.instructions[1].heredocs[0];
        assert_eq!((h.delimiter.as_str(), h.expand, h.strip_tabs), ("EOF", true, true));
        assert_eq!(h.body.value, "\techo hi\n");
        assert_eq!(d.instructions[1].span, sp(text, "RUN <<-EOF\n\techo hi\n\tEOF"));
        let h = &d.instructions[2].heredocs[0];
        assert_eq!((h.delimiter.as_str(), h.expand, h.strip_tabs), ("EOF", false, false));
        assert_eq!(h.marker, sp(text, "<<'EOF'"));
        assert_eq!(h.body.value, "echo $HOME\n");
        let h = &d.instructions[3].heredocs[0];
        assert_eq!((h.delimiter.as_str(), h.expand), ("END", false));
        assert_eq!(h.body.value, "echo $PATH\n");
        assert_eq!(d.instructions[4].args, Args::Other(s(text, "nobody")));
    }

    #[test]
    fn several_heredocs_on_one_line() {
        // BuildKit's parser_heredoc_test: bodies are read in marker order.
        let text =
            "FROM alpine\nCOPY <<X <<Y /dest\nY\nX\nX\nY\nRUN cat <<A && cat <<B\na\nA\nb\nB\n";
        let d = parse(text);
        assert_clean(&d);
        assert_eq!(keywords(&d), ["FROM", "COPY", "RUN"]);
        let copy = &d.instructions[1];
        assert_eq!(
            copy.args,
            Args::Copy { sources: vec![s(text, "<<X"), s(text, "<<Y")], dest: s(text, "/dest") }
        );
        let bodies: Vec<(&str, &str)> =
            copy.heredocs.iter().map(|h| (h.delimiter.as_str(), h.body.value.as_str())).collect();
        assert_eq!(bodies, [("X", "Y\n"), ("Y", "X\n")]);
        assert_eq!(copy.heredocs[0].body.span, Span::new(31, 33));
        let run = &d.instructions[2];
        let bodies: Vec<(&str, &str)> =
            run.heredocs.iter().map(|h| (h.delimiter.as_str(), h.body.value.as_str())).collect();
        assert_eq!(bodies, [("A", "a\n"), ("B", "b\n")]);
        assert_eq!(shell(run).raw, "cat <<A && cat <<B");
    }

    #[test]
    fn copy_heredoc_to_a_file() {
        let text = "FROM alpine\nCOPY --chmod=644 <<EOF /etc/app.conf\nkey = value\nEOF\n";
        let d = parse(text);
        assert_clean(&d);
        let copy = &d.instructions[1];
        assert_eq!(
            copy.args,
            Args::Copy { sources: vec![s(text, "<<EOF")], dest: s(text, "/etc/app.conf") }
        );
        assert_eq!(copy.heredocs[0].body, s(text, "key = value\n"));
        assert_eq!(copy.flag("chmod").and_then(|f| f.value.clone()), Some(s(text, "644")));
    }

    #[test]
    fn heredocs_the_crate_rejects() {
        let text = "FROM python:3.12\nRUN python3 <<'PY'\nprint(\"FROM x\")\nPY\n\
                    RUN cat <<EOF > /etc/x\nkey=1\nEOF\n\
                    RUN set -eux; bash <<EOF\necho $HOME\nEOF\nCMD [\"python3\"]\n";
        // parse-dockerfile alone reads the bodies as instructions and fails.
        assert!(pd::parse(text).is_err());
        let d = parse(text);
        assert_clean(&d);
        assert_eq!(keywords(&d), ["FROM", "RUN", "RUN", "RUN", "CMD"]);
        let hd: Vec<(&str, bool, &str)> = d.instructions[1..4]
            .iter()
            .map(|i| {
                let h = &i.heredocs[0];
                (h.delimiter.as_str(), h.expand, h.body.value.as_str())
            })
            .collect();
        assert_eq!(
            hd,
            [
                ("PY", false, "print(\"FROM x\")\n"),
                ("EOF", true, "key=1\n"),
                ("EOF", true, "echo $HOME\n")
            ]
        );
        assert_eq!(shell(&d.instructions[2]).raw, "cat <<EOF > /etc/x");
        assert_eq!(d.instructions[3].heredocs[0].marker, sp_nth(text, "<<EOF", 1));
    }

    #[test]
    fn not_heredocs() {
        // Here-strings, quoted markers and JSON arrays are not heredocs.
        let text = "FROM alpine\nRUN <<<\"x\" cat\nRUN cat <<<\"hello\"\nRUN echo \"<<EOF\"\n\
                    RUN [\"sh\", \"-c\", \"cat <<EOF\"]\nUSER root\n";
        let d = parse(text);
        assert_clean(&d);
        assert_eq!(keywords(&d), ["FROM", "RUN", "RUN", "RUN", "RUN", "USER"]);
        assert!(d.instructions.iter().all(|i| i.heredocs.is_empty()));
        assert_eq!(shell(&d.instructions[1]).raw, "<<<\"x\" cat");
        assert_eq!(
            d.instructions[4].args,
            Args::Exec(vec![s(text, "sh"), s(text, "-c"), s(text, "cat <<EOF")])
        );
    }

    #[test]
    fn unterminated_heredoc_is_an_error() {
        let text = "FROM alpine\nRUN <<EOF\necho hi\n";
        let d = parse(text);
        assert_eq!(d.errors.len(), 1);
        assert_eq!(d.errors[0].span, sp(text, "<<EOF"));
        assert_eq!(d.errors[0].message, "unterminated heredoc: no line 'EOF' ends it");
        assert_eq!(keywords(&d), ["FROM", "RUN"]);
        assert_eq!(d.instructions[1].heredocs[0].body.value, "echo hi\n");
    }

    #[test]
    fn exec_and_shell_forms() {
        let text = "FROM alpine\nRUN [\"apk\", \"add\", \"curl\"]\nCMD echo \"hi\"\n\
                    ENTRYPOINT [\"/bin/sh\", \"-c\"]\nSHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\n\
                    HEALTHCHECK --interval=30s CMD wget -q -O- http://localhost/ || exit 1\n\
                    HEALTHCHECK CMD [\"true\"]\nHEALTHCHECK NONE\nVOLUME /data /logs\nEXPOSE 80/tcp\n";
        let d = parse(text);
        assert_clean(&d);
        let i = &d.instructions;
        assert_eq!(i[1].args, Args::Exec(vec![s(text, "apk"), s(text, "add"), s(text, "curl")]));
        assert_eq!(shell(&i[2]).raw, "echo \"hi\"");
        assert_eq!(i[3].args, Args::Exec(vec![s(text, "/bin/sh"), sp_nth_s(text, "-c", 0)]));
        assert_eq!(
            i[4].args,
            Args::Exec(vec![
                s(text, "/bin/bash"),
                s(text, "-o"),
                s(text, "pipefail"),
                sp_nth_s(text, "-c", 1)
            ])
        );
        assert_eq!(i[5].flag("interval").and_then(|f| f.value.clone()), Some(s(text, "30s")));
        assert_eq!(shell(&i[5]).raw, "wget -q -O- http://localhost/ || exit 1");
        assert_eq!(i[6].args, Args::Healthcheck(Some(Box::new(Args::Exec(vec![s(text, "true")])))));
        assert_eq!(i[7].args, Args::Healthcheck(None));
        assert_eq!(i[8].args, Args::Words(vec![s(text, "/data"), s(text, "/logs")]));
        assert_eq!(i[9].args, Args::Words(vec![s(text, "80/tcp")]));
    }

    fn sp_nth_s(text: &str, needle: &str, n: usize) -> Spanned<String> {
        Spanned::new(needle.to_string(), sp_nth(text, needle, n))
    }

    #[test]
    fn flags_with_and_without_values() {
        let text = "FROM --platform=$BUILDPLATFORM golang:1.22 AS build\n\
                    RUN --mount=type=cache,target=/root/.cache --network=none go build\n\
                    FROM alpine\nCOPY --link --chmod=755 --from=build /out/app /usr/bin/app\n";
        let d = parse(text);
        assert_clean(&d);
        let f = &d.instructions[0].flags[0];
        assert_eq!(f.name, s(text, "platform"));
        assert_eq!(f.value, Some(s(text, "$BUILDPLATFORM")));
        assert_eq!(f.span, sp(text, "--platform=$BUILDPLATFORM"));
        let run = &d.instructions[1];
        let flags: Vec<(&str, Option<&str>)> = run
            .flags
            .iter()
            .map(|f| (f.name.value.as_str(), f.value.as_ref().map(|v| v.value.as_str())))
            .collect();
        assert_eq!(
            flags,
            [("mount", Some("type=cache,target=/root/.cache")), ("network", Some("none"))]
        );
        assert_eq!(shell(run).raw, "go build");
        let copy = &d.instructions[3];
        assert_eq!(copy.flags[0].name, s(text, "link"));
        assert_eq!(copy.flags[0].value, None);
        assert_eq!(copy.flags[0].span, sp(text, "--link"));
        assert_eq!(copy.flag("chmod").and_then(|f| f.value.clone()), Some(s(text, "755")));
        assert_eq!(
            copy.flag("from").and_then(|f| f.value.clone()),
            Some(sp_nth_s(text, "build", 2))
        );
        assert_eq!(
            copy.args,
            Args::Copy { sources: vec![s(text, "/out/app")], dest: s(text, "/usr/bin/app") }
        );
        // The platform keeps the raw text; the automatic ARG is not guessed.
        assert_eq!(d.stages[0].platform, Some(s(text, "$BUILDPLATFORM")));
        assert_eq!(d.stages[0].resolved_image.as_deref(), Some("golang:1.22"));
    }

    #[test]
    fn stages_names_and_copy_from() {
        let text = "FROM golang:1.22 AS Builder\nRUN go build\nFROM builder as test\nRUN go test\n\
                    FROM alpine:3.20\nCOPY --from=builder /app /app\nCOPY --from=0 /x /x\n\
                    COPY --from=nginx:latest /etc/nginx /etc/nginx\n";
        let d = parse(text);
        assert_clean(&d);
        assert_eq!(d.stages.len(), 3);
        assert_eq!(d.stages[0].name, Some(s(text, "Builder")));
        assert_eq!(d.stages[1].name, Some(s(text, "test")));
        assert_eq!(d.stages[1].image, s(text, "builder"));
        assert_eq!(d.stages[1].base_stage, Some(0));
        assert_eq!(d.stages[2].base_stage, None);
        assert_eq!(d.stages[2].name, None);
        assert_eq!(d.stages[0].instructions, 0..2);
        assert_eq!(d.stages[1].instructions, 2..4);
        assert_eq!(d.stages[2].instructions, 4..8);
        assert_eq!(d.stages[2].from, 4);
        let stages: Vec<Option<usize>> = d.instructions.iter().map(|i| i.stage).collect();
        assert_eq!(
            stages,
            [Some(0), Some(0), Some(1), Some(1), Some(2), Some(2), Some(2), Some(2)]
        );
        assert_eq!(d.final_stage(), Some(2));
        assert!(d.reaches_final(2));
        assert!(!d.reaches_final(1));
        assert!(!d.reaches_final(0));
        assert_eq!(d.stage_by_name("BUILDER"), Some(0));
        assert_eq!(d.stage_by_name("nope"), None);
        assert_eq!(d.copy_from_stage(5), Some(0));
        assert_eq!(d.copy_from_stage(6), Some(0));
        assert_eq!(d.copy_from_stage(7), None);
        assert_eq!(d.copy_from_stage(4), None);

        let d = parse("FROM alpine AS a\nFROM a AS b\nFROM b\nFROM alpine AS unused\nFROM b\n");
        assert_clean(&d);
        let reach: Vec<bool> = (0..5).map(|s| d.reaches_final(s)).collect();
        assert_eq!(reach, [true, true, false, false, true]);
    }

    #[test]
    fn stage_name_errors() {
        let text = "FROM alpine AS x\nFROM alpine AS X\nFROM alpine AS 1st\n";
        let d = parse(text);
        let msgs: Vec<(&str, Span)> =
            d.errors.iter().map(|e| (e.message.as_str(), e.span)).collect();
        assert_eq!(msgs.len(), 2);
        assert_eq!(msgs[0], ("duplicate stage name 'X'", sp(text, "X")));
        assert_eq!(msgs[1].1, sp(text, "1st"));
        assert!(msgs[1].0.starts_with("invalid stage name '1st'"));
        assert_eq!(d.stages.len(), 3);
    }

    #[test]
    fn arg_scopes() {
        let text = "ARG VERSION=1.2\nARG REGISTRY=docker.io\nFROM $REGISTRY/app:${VERSION}\n\
                    RUN echo $VERSION\nARG VERSION\nRUN echo $VERSION\nFROM alpine\nARG VERSION=9\n\
                    ARG TARGETARCH\nENV V2=${VERSION}-x\nARG DERIVED=${V2}\n";
        let d = parse(text);
        assert_clean(&d);
        let names: Vec<&str> = d.global_args.iter().map(|a| a.key.value.as_str()).collect();
        assert_eq!(names, ["VERSION", "REGISTRY"]);
        assert_eq!(d.stages[0].resolved_image.as_deref(), Some("docker.io/app:1.2"));
        // Global ARGs are not visible in the stage until redeclared.
        assert_eq!(d.arg_at(3, "VERSION"), None);
        let b = d.arg_at(5, "VERSION").unwrap();
        assert_eq!(b.value.as_deref(), Some("1.2"));
        assert_eq!(b.decl.span, sp_nth(text, "VERSION", 3));
        assert_eq!(b.decl.value, None);
        // FROM lines see the global scope.
        assert_eq!(d.arg_at(2, "REGISTRY").and_then(|b| b.value).as_deref(), Some("docker.io"));
        assert_eq!(d.arg_value(Some(0), "VERSION").and_then(|b| b.value).as_deref(), Some("1.2"));
        assert_eq!(d.arg_value(Some(1), "VERSION").and_then(|b| b.value).as_deref(), Some("9"));
        assert_eq!(
            d.arg_value(None, "REGISTRY").and_then(|b| b.value).as_deref(),
            Some("docker.io")
        );
        assert_eq!(d.arg_value(Some(1), "REGISTRY"), None);
        // Declared, but the value comes from the build.
        let t = d.arg_value(Some(1), "TARGETARCH").unwrap();
        assert_eq!(t.value, None);
        // ENV in the stage feeds later substitutions.
        assert_eq!(d.arg_value(Some(1), "DERIVED").and_then(|b| b.value).as_deref(), Some("9-x"));
    }

    #[test]
    fn from_substitution() {
        let cases = [
            ("FROM ${BASE:-alpine:3.20}\n", Some("alpine:3.20")),
            ("ARG BASE=debian:12\nFROM ${BASE:-alpine:3.20}\n", Some("debian:12")),
            (
                "ARG REGISTRY=ghcr.io\nARG TAG=1.0\nFROM $REGISTRY/app:${TAG}\n",
                Some("ghcr.io/app:1.0"),
            ),
            ("ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\n", None),
            ("FROM ${BASE_IMAGE}\n", None),
            ("ARG TAG=3.20\nARG IMG=alpine:${TAG}\nFROM $IMG\n", Some("alpine:3.20")),
            // Automatic platform ARGs are never guessed, even with a default.
            ("ARG TARGETARCH=amd64\nFROM build_${TARGETARCH}\n", None),
            ("FROM --platform=$BUILDPLATFORM alpine\n", Some("alpine")),
            ("ARG A=1\nARG A\nFROM img:$A\n", None),
        ];
        for (text, want) in cases {
            let d = parse(text);
            assert_clean(&d);
            assert_eq!(d.stages[0].resolved_image.as_deref(), want, "{text}");
        }
        let d = parse("FROM alpine AS build_amd64\nARG TARGETARCH\nFROM build_${TARGETARCH}\n");
        assert_eq!(d.stages[1].base_stage, None);
        let d = parse("ARG STAGE=builder\nFROM alpine AS builder\nFROM ${STAGE}\n");
        assert_eq!(d.stages[1].base_stage, Some(0));
    }

    #[test]
    fn substitute_forms() {
        let look = |n: &str| match n {
            "SET" => Some("v".to_string()),
            "EMPTY" => Some(String::new()),
            "PATHV" => Some("a/b/c.tar.gz".to_string()),
            _ => None,
        };
        let sub = |s: &str| substitute(s, look);
        assert_eq!(sub("plain").as_deref(), Some("plain"));
        assert_eq!(sub("$SET-${SET}").as_deref(), Some("v-v"));
        assert_eq!(sub("$UNSET"), None);
        assert_eq!(sub("${UNSET}"), None);
        assert_eq!(sub("${UNSET:-d}").as_deref(), Some("d"));
        assert_eq!(sub("${EMPTY:-d}").as_deref(), Some("d"));
        assert_eq!(sub("${EMPTY-d}").as_deref(), Some(""));
        assert_eq!(sub("${UNSET-d}").as_deref(), Some("d"));
        assert_eq!(sub("${SET:+x}").as_deref(), Some("x"));
        assert_eq!(sub("${EMPTY:+x}").as_deref(), Some(""));
        assert_eq!(sub("${EMPTY+x}").as_deref(), Some("x"));
        assert_eq!(sub("${UNSET+x}").as_deref(), Some(""));
        assert_eq!(sub("${UNSET:-${SET}}").as_deref(), Some("v"));
        assert_eq!(sub("${UNSET:-$OTHER}"), None);
        assert_eq!(sub("${UNSET:?required}"), None);
        assert_eq!(sub("${SET:?required}").as_deref(), Some("v"));
        assert_eq!(sub("${PATHV#a/}").as_deref(), Some("b/c.tar.gz"));
        assert_eq!(sub("${PATHV%.gz}").as_deref(), Some("a/b/c.tar"));
        assert_eq!(sub("${PATHV/b/x}").as_deref(), Some("a/x/c.tar.gz"));
        assert_eq!(sub("${PATHV/./-}").as_deref(), Some("a/b/c-tar.gz"));
        assert_eq!(sub("${PATHV//b/x}").as_deref(), Some("a/x/c.tar.gz"));
        assert_eq!(sub("${PATHV%.*}"), None);
        assert_eq!(sub("cost $5 and $ alone").as_deref(), Some("cost $5 and $ alone"));
        assert_eq!(sub("${unterminated"), None);
        assert_eq!(sub("${}"), None);
        let deep = format!("{}x{}", "${U:-".repeat(40), "}".repeat(40));
        assert_eq!(sub(&deep), None);
    }

    #[test]
    fn key_value_forms() {
        let text = "FROM alpine\nENV A=1 B=\"two words\" C='x y' D=a\\ b\nENV LEGACY 1 2 3\n\
                    ARG NAME\nARG NAME2=default\nLABEL \"a.b\"=\"c d\" e=f\n\
                    LABEL multi=1 \\\n      line=2\nENV E=\n";
        let d = parse(text);
        assert_clean(&d);
        let env = pairs(&d.instructions[1]);
        let kv: Vec<(&str, &str)> = env
            .iter()
            .map(|p| (p.key.value.as_str(), p.value.as_ref().map_or("?", |v| v.value.as_str())))
            .collect();
        assert_eq!(kv, [("A", "1"), ("B", "two words"), ("C", "x y"), ("D", "a b")]);
        assert_eq!(env[2].value.as_ref().map(|v| v.span), Some(sp(text, "'x y'")));
        assert_eq!(env[3].value.as_ref().map(|v| v.span), Some(sp(text, "a\\ b")));
        let legacy = &pairs(&d.instructions[2])[0];
        assert_eq!(legacy.key, s(text, "LEGACY"));
        assert_eq!(legacy.value, Some(s(text, "1 2 3")));
        assert_eq!(legacy.span, sp(text, "LEGACY 1 2 3"));
        assert_eq!(
            pairs(&d.instructions[3])[0],
            KeyValue { key: sp_nth_s(text, "NAME", 0), value: None, span: sp_nth(text, "NAME", 0) }
        );
        let arg2 = &pairs(&d.instructions[4])[0];
        assert_eq!(
            (arg2.key.value.as_str(), arg2.value.clone()),
            ("NAME2", Some(s(text, "default")))
        );
        let label = pairs(&d.instructions[5]);
        assert_eq!(label[0].key, Spanned::new("a.b".into(), sp(text, "\"a.b\"")));
        assert_eq!(label[0].value, Some(Spanned::new("c d".into(), sp(text, "\"c d\""))));
        let e = sp(text, "e=f").start;
        assert_eq!(label[1].key, Spanned::new("e".into(), Span::new(e, e + 1)));
        assert_eq!(label[1].value, Some(Spanned::new("f".into(), Span::new(e + 2, e + 3))));
        let multi = pairs(&d.instructions[6]);
        assert_eq!(multi[1].span, sp(text, "line=2"));
        let two = sp(text, "line=2").end - 1;
        assert_eq!(multi[1].value, Some(Spanned::new("2".into(), Span::new(two, two + 1))));
        let e = &pairs(&d.instructions[7])[0];
        let after_eq = sp(text, "E=").end;
        assert_eq!(e.value, Some(Spanned::new(String::new(), Span::empty(after_eq))));
    }

    #[test]
    fn key_value_errors() {
        let text = "FROM alpine\nENV A\nENV B=1 C\nARG =x\n";
        let d = parse(text);
        let msgs: Vec<&str> = d.errors.iter().map(|e| e.message.as_str()).collect();
        assert_eq!(
            msgs,
            [
                "missing value: write ENV NAME=value",
                "missing '=' in 'C': ENV pairs are written NAME=value",
                "missing name before '=' in ARG"
            ]
        );
        assert_eq!(d.errors[1].span, sp(text, "C"));
        assert_eq!(pairs(&d.instructions[2]).len(), 1);
    }

    #[test]
    fn unknown_instruction_is_reported_and_the_rest_still_read() {
        let text = "FROM alpine\nFORM alpine\nRUN echo hi\n";
        let d = parse(text);
        assert_eq!(d.errors.len(), 1);
        let e = &d.errors[0];
        assert_eq!(e.span, sp(text, "FORM"));
        assert_eq!(line_of(text, e.span.start), 2);
        assert_eq!(e.message, "unknown instruction 'FORM'");
        assert_eq!(keywords(&d), ["FROM", "RUN"]);
        assert_eq!(line_of(text, d.instructions[1].span.start), 3);
        assert_eq!(d.instructions[1].stage, Some(0));
    }

    #[test]
    fn several_errors_are_all_reported() {
        let text = "RUN too early\nFROM alpine\nCOPY onlyone\nbad line \\\n  continued\nRUN ok\n\
                    SHELL [\"/bin/sh\", \"-c\"\nUSER me\n";
        let d = parse(text);
        let lines: Vec<(usize, &str)> =
            d.errors.iter().map(|e| (line_of(text, e.span.start), e.message.as_str())).collect();
        assert_eq!(
            lines,
            [
                (1, "only ARG can come before the first FROM"),
                (3, "the COPY instruction requires at least two arguments"),
                (4, "unknown instruction 'bad'"),
                (7, "invalid JSON array")
            ]
        );
        assert_eq!(keywords(&d), ["FROM", "RUN", "USER"]);
        assert_eq!(d.stages[0].instructions, 0..3);
    }

    #[test]
    fn a_bad_from_keeps_its_stage() {
        let text =
            "FROM node:20 AS build extra\nRUN npm ci\nFROM alpine AS\nCOPY --from=build /a /a\n";
        let d = parse(text);
        let errors: Vec<(&str, Span)> =
            d.errors.iter().map(|e| (e.message.as_str(), e.span)).collect();
        assert_eq!(
            errors,
            [
                ("expected newline or eof", sp(text, "extra")),
                ("expected a stage name after AS", sp_nth(text, "AS", 1))
            ]
        );
        assert_eq!(keywords(&d), ["FROM", "RUN", "FROM", "COPY"]);
        assert_eq!(d.stages.len(), 2);
        assert_eq!(d.stages[0].name, Some(s(text, "build")));
        assert_eq!(d.stages[1].name, None);
        assert_eq!(d.copy_from_stage(3), Some(0));
        // A FROM without an image cannot be kept.
        let d = parse("FROM\nRUN x\n");
        let msgs: Vec<&str> = d.errors.iter().map(|e| e.message.as_str()).collect();
        assert_eq!(
            msgs,
            [
                "no FROM instruction: a Dockerfile needs at least one build stage",
                "the FROM instruction requires at least one argument",
                "only ARG can come before the first FROM"
            ]
        );
    }

    #[test]
    fn recovery_is_bounded() {
        let mut text = String::from("FROM alpine\n");
        for _ in 0..10 {
            text.push_str("oops\n");
        }
        text.push_str("RUN ok\n");
        let d = parse(&text);
        assert_eq!(d.errors.len(), 10);
        assert_eq!(keywords(&d), ["FROM", "RUN"]);

        let mut text = String::from("FROM alpine\n");
        for _ in 0..(MAX_RECOVERIES + 50) {
            text.push_str("oops\n");
        }
        let d = parse(&text);
        assert_eq!(d.errors.len(), MAX_RECOVERIES + 2);
        assert!(d.errors.last().is_some_and(|e| e.message.starts_with("too many errors")));
    }

    #[test]
    fn unterminated_json_array() {
        // CMD falls back to the shell form, as Docker does; SHELL needs JSON.
        let text = "FROM alpine\nCMD [\"a\", \"b\"\nSHELL [\"/bin/sh\"\n";
        let d = parse(text);
        assert_eq!(shell(&d.instructions[1]).raw, "[\"a\", \"b\"");
        assert_eq!(d.errors.len(), 1);
        assert_eq!(d.errors[0].span, sp(text, "[\"/bin/sh\""));
    }

    #[test]
    fn onbuild_keeps_its_trigger() {
        let text = "FROM alpine\nONBUILD RUN echo hi\nONBUILD COPY --chown=1 . /app\n\
                    ONBUILD RUN <<EOF\ntrue\nEOF\nONBUILD FROM x\n";
        let d = parse(text);
        assert_eq!(keywords(&d), ["FROM", "ONBUILD", "ONBUILD", "ONBUILD", "ONBUILD"]);
        let Args::Onbuild(inner) = &d.instructions[1].args else { panic!("not nested") };
        assert_eq!(inner.keyword, "RUN");
        assert_eq!(inner.keyword_span, sp_nth(text, "RUN", 0));
        assert_eq!(shell(inner).raw, "echo hi");
        assert_eq!(inner.stage, Some(0));
        assert_eq!(d.instructions[1].span, sp(text, "ONBUILD RUN echo hi"));
        let Args::Onbuild(inner) = &d.instructions[2].args else { panic!("not nested") };
        assert_eq!(inner.flag("chown").and_then(|f| f.value.clone()), Some(s(text, "1")));
        let Args::Onbuild(inner) = &d.instructions[3].args else { panic!("not nested") };
        assert_eq!(inner.heredocs[0].body, s(text, "true\n"));
        assert!(d.instructions[3].heredocs.is_empty());
        assert_eq!(d.errors.len(), 1);
        assert_eq!(d.errors[0].message, "an ONBUILD trigger cannot be FROM");
        assert_eq!(d.stages.len(), 1);
    }

    #[test]
    fn healthcheck_last_one_counts() {
        let text = "FROM alpine AS base\nHEALTHCHECK CMD true\nHEALTHCHECK NONE\n\
                    FROM base\nFROM alpine AS other\nHEALTHCHECK CMD curl -f http://x/\nFROM base\n";
        let d = parse(text);
        assert_clean(&d);
        assert_eq!(d.healthcheck(0).map(|h| &h.args), Some(&Args::Healthcheck(None)));
        assert_eq!(d.healthcheck(1), None);
        assert_eq!(d.effective_healthcheck(1).map(|h| h.span), Some(sp(text, "HEALTHCHECK NONE")));
        assert_eq!(
            d.healthcheck(2).map(|h| h.span),
            Some(sp(text, "HEALTHCHECK CMD curl -f http://x/"))
        );
        assert_eq!(d.healthcheck(9), None);
    }

    #[test]
    fn no_from_is_an_error() {
        for text in ["", "# only a comment\n", "ARG A=1\n", "\n\n  \n"] {
            let d = parse(text);
            assert_eq!(d.errors.len(), 1, "{text:?}");
            assert!(d.errors[0].message.starts_with("no FROM instruction"));
            assert!(d.stages.is_empty());
        }
    }

    /// Every span is inside the text and on character boundaries.
    fn check_spans(text: &str, d: &Dockerfile) {
        let ok = |sp: Span| {
            assert!(sp.start <= sp.end && sp.end <= text.len(), "{sp:?} in {text:?}");
            assert!(text.is_char_boundary(sp.start) && text.is_char_boundary(sp.end));
        };
        fn each(i: &Instruction, ok: &dyn Fn(Span)) {
            ok(i.span);
            ok(i.keyword_span);
            for f in &i.flags {
                ok(f.span);
                ok(f.name.span);
            }
            for h in &i.heredocs {
                ok(h.marker);
                ok(h.body.span);
            }
            match &i.args {
                Args::Shell(sh) => ok(sh.span),
                Args::Exec(v) | Args::Words(v) => v.iter().for_each(|x| ok(x.span)),
                Args::Pairs(p) => p.iter().for_each(|kv| {
                    ok(kv.span);
                    ok(kv.key.span);
                }),
                Args::Onbuild(inner) => each(inner, ok),
                _ => {}
            }
        }
        for i in &d.instructions {
            each(i, &ok);
        }
        for e in &d.errors {
            ok(e.span);
        }
    }

    #[test]
    fn never_panics() {
        let inputs = [
            "",
            "\\",
            "FROM alpine\nRUN echo \\",
            "FROM alpine\n\\",
            "`",
            "# escape=`\nFROM a\nRUN x `",
            "\u{0}\u{1}\u{7f}\u{ff}ÿþ\u{feff}",
            "\u{feff}\u{feff}FROM a",
            "FROM a\nRUN <<",
            "FROM a\nRUN <<'EOF",
            "FROM a\nRUN <<\"",
            "FROM a\nRUN [",
            "FROM a\nRUN [\"",
            "FROM a\nCMD [\"\\u12",
            "FROM a\nENV \"",
            "FROM a\nENV A=\"unterminated",
            "FROM a\nLABEL a='x",
            "FROM a\nARG ${",
            "FROM ${",
            "FROM $",
            "FROM a AS",
            "FROM --platform",
            "FROM a\nHEALTHCHECK",
            "FROM a\nHEALTHCHECK --interval=",
            "FROM a\nONBUILD",
            "FROM a\nONBUILD ONBUILD RUN x",
            "FROM a\nCOPY <<EOF",
            "FROM a\nRUN 2<<EOF cat\nEOF",
            "é\né\nFROM é AS é\nRUN é <<é\né\n",
            "# syntax=\n# escape=\nFROM a",
            "#\n#escape\n#escape=\n",
            "FROM a\r\nRUN a \\\r",
            "\r\r\r\n\r",
        ];
        for text in inputs {
            let d = parse(text);
            check_spans(text, &d);
        }
        // Every prefix of a file that uses everything.
        let rich = "\u{feff}# syntax=docker/dockerfile:1\n  # escape=\\\nARG BASE=alpine:3.20\n\
                    FROM --platform=$BUILDPLATFORM ${BASE} AS Build\nARG TARGETARCH\n\
                    RUN --mount=type=cache,target=/c \\\n# c\n\n    apk add curl && \\\n    echo ok\n\
                    RUN python3 <<'PY' && cat <<-EOF > /x\nprint('é')\nPY\n\tx\n\tEOF\n\
                    COPY --link <<A <<\"B\" /d/\na\nA\nb\nB\nENV A=1 B=\"x y\" \\\n  C='z'\nENV L 1 2\n\
                    LABEL \"k\"=\"v\"\r\nHEALTHCHECK --interval=5s CMD [\"true\"]\nONBUILD RUN <<E\nE\n\
                    FORM x\nFROM build\nCOPY --from=Build /a /b\nSHELL [\"sh\", \"-c\"]\nCMD [\"a\"\n";
        let mut cut = 0;
        while cut <= rich.len() {
            if rich.is_char_boundary(cut) {
                let prefix = &rich[..cut];
                check_spans(prefix, &parse(prefix));
            }
            cut += 1;
        }
        let d = parse(rich);
        assert_eq!(d.errors.len(), 1, "{:?}", d.errors);
        assert_eq!(d.errors[0].message, "unknown instruction 'FORM'");
        assert_eq!(d.stages.len(), 2);
        assert_eq!(d.stages[0].resolved_image.as_deref(), Some("alpine:3.20"));
        assert_eq!(d.stages[1].base_stage, Some(0));
    }
}
