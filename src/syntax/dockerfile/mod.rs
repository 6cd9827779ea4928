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
//!    into an offset; the instruction holding it gets a [`DockerfileError`], and the crate runs
//!    again from the next instruction, over the rest of the copy only (each byte is read once,
//!    however many errors): the bytes just before it, already read, are overwritten with the
//!    state the crate needs there (the `escape` directive if any, and a `FROM` inside a stage,
//!    since the crate accepts only ARG before the first FROM), and its spans are shifted by where
//!    that run starts. A `FROM` that fails after its image (`FROM img AS`, `FROM img extra`)
//!    loses only its tail, so its stage survives. At most [`MAX_RECOVERIES`] times.
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
    /// The ARG scopes, built on first use by [`Dockerfile::arg_at`] / [`Dockerfile::arg_value`].
    arg_scopes: ArgScopes,
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
            arg_scopes: ArgScopes::default(),
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

    /// The final stage and the chain of stages it is built FROM, final stage first.
    pub fn final_chain(&self) -> Vec<usize> {
        let mut chain = Vec::new();
        let mut cur = self.final_stage();
        // base_stage always points to an earlier stage, so this walk ends.
        while let Some(s) = cur {
            chain.push(s);
            cur = self.stages.get(s).and_then(|st| st.base_stage);
        }
        chain
    }

    /// Whether `stage` is the final stage or in the chain of stages the final one is built FROM.
    pub fn reaches_final(&self, stage: usize) -> bool {
        let mut cur = self.final_stage();
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
            None => self.binding(None, self.first_from(), name),
            Some(s) => self.binding(Some(s), self.stages.get(s)?.instructions.end, name),
        }
    }

    /// ARG `name` as visible to instruction `index`: the declarations before it in its stage;
    /// the global scope for FROM lines and for what comes before the first FROM.
    pub fn arg_at(&self, index: usize, name: &str) -> Option<ArgBinding<'_>> {
        let ins = self.instructions.get(index)?;
        match ins.stage {
            Some(s) if ins.keyword != "FROM" => self.binding(Some(s), index, name),
            _ => self.binding(None, self.first_from().min(index), name),
        }
    }

    fn first_from(&self) -> usize {
        self.stages.first().map_or(self.instructions.len(), |s| s.from)
    }

    /// The last declaration of `name` in the scope (a stage, or the global scope for `None`)
    /// before instruction `end`. The scopes are evaluated once per file, on first use.
    fn binding(&self, stage: Option<usize>, end: usize, name: &str) -> Option<ArgBinding<'_>> {
        let scopes = self.arg_scopes.0.get_or_init(|| self.build_arg_scopes());
        let scope = match stage {
            None => &scopes.global,
            Some(s) => scopes.stages.get(s)?,
        };
        let decls = scope.get(name)?;
        let decl = decls.get(decls.partition_point(|d| d.instruction < end).checked_sub(1)?)?;
        let Args::Pairs(kvs) = &self.instructions.get(decl.instruction)?.args else { return None };
        Some(ArgBinding { decl: kvs.get(decl.pair)?, value: decl.value.clone() })
    }

    fn build_arg_scopes(&self) -> Scopes {
        let globals = self.global_values();
        Scopes {
            global: self.eval_scope(0..self.first_from(), None),
            stages: self
                .stages
                .iter()
                .map(|s| {
                    self.eval_scope(
                        s.instructions.start.saturating_add(1)..s.instructions.end,
                        Some(&globals),
                    )
                })
                .collect(),
        }
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

    /// Every ARG declaration of the instructions in `range` with its value there. `globals`:
    /// the global values a stage's `ARG NAME` re-imports; `None` for the global scope itself.
    fn eval_scope(&self, range: Range<usize>, globals: Option<&Vars<'_>>) -> Scope {
        let mut decls = Scope::default();
        let Some(instructions) = self.instructions.get(range.clone()) else { return decls };
        // The current value of every ARG and ENV (maps, not lists: a file with 100,000 ARGs must
        // not cost 100,000² lookups).
        let mut args = Vars::default();
        let mut envs = Vars::default();
        for (index, ins) in (range.start..).zip(instructions) {
            let Args::Pairs(kvs) = &ins.args else { continue };
            if ins.keyword == "LABEL" {
                continue;
            }
            for (pair, kv) in kvs.iter().enumerate() {
                let key = kv.key.value.as_str();
                let value = {
                    // ENV shadows ARG of the same name in substitutions (BuildKit).
                    let look = |n: &str| lookup(&envs, n).or_else(|| lookup(&args, n));
                    match (&kv.value, ins.keyword.as_str()) {
                        (_, "ARG") if is_platform_arg(key) => None,
                        (Some(v), _) => substitute(&v.value, look),
                        (None, "ARG") => globals.and_then(|g| lookup(g, key)),
                        (None, _) => None,
                    }
                };
                match ins.keyword.as_str() {
                    "ARG" => {
                        decls.entry(key.into()).or_default().push(ArgDecl {
                            instruction: index,
                            pair,
                            value: value.clone(),
                        });
                        args.insert(key, value);
                    }
                    "ENV" if globals.is_some() => {
                        envs.insert(key, value);
                    }
                    _ => {}
                }
            }
        }
        decls
    }
}

/// The ARG declarations of a file by scope, evaluated once ([`Dockerfile::arg_at`] used to
/// re-evaluate the scope up to the instruction on every call: quadratic in a long stage). Not
/// part of the file's value: equal whether built or not, and not printed.
#[derive(Clone, Default)]
struct ArgScopes(std::sync::OnceLock<Scopes>);

impl PartialEq for ArgScopes {
    fn eq(&self, _: &ArgScopes) -> bool {
        true
    }
}

impl Eq for ArgScopes {}

impl std::fmt::Debug for ArgScopes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ArgScopes")
    }
}

#[derive(Clone)]
struct Scopes {
    global: Scope,
    stages: Vec<Scope>,
}

/// ARG name → its declarations in the scope, in source order.
type Scope = HashMap<Box<str>, Vec<ArgDecl>>;

#[derive(Clone)]
struct ArgDecl {
    /// Index into [`Dockerfile::instructions`].
    instruction: usize,
    /// Index of the pair in that ARG.
    pair: usize,
    /// Its value there (see [`ArgBinding::value`]).
    value: Option<String>,
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
            // A name used again is the `duplicate-stage-name` rule's: BuildKit warns
            // (`DuplicateStageName`) and builds; `FROM`/`COPY --from` resolve to the first.
            if !seen.iter().any(|(s, _)| *s == lower) {
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

mod convert;
mod directives;
mod instructions;
mod lexing;
mod parse;
use convert::*;
use directives::*;
use instructions::*;
use lexing::*;
pub use parse::parse;
use parse::*;

#[cfg(test)]
mod tests;
