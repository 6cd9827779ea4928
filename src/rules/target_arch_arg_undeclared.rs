//! `target-arch-arg-undeclared`: an automatic platform ARG (`$TARGETARCH`, `$BUILDPLATFORM`…)
//! used in a stage that does not declare it, where it expands to an empty string.
//!
//! BuildKit defines these ARGs in the global scope only. A stage sees one only after
//! `ARG NAME` in that stage (or in a stage it is built FROM): before that, Dockerfile substitution (`COPY`, `ENV`, `WORKDIR`,
//! flags…) finds no such variable, and a `RUN` shell finds no such environment variable. Either
//! way the value is empty. `CMD` and `ENTRYPOINT` run in the container, where no build ARG is
//! set (declared or not), so they are not this rule's business.

use crate::declare_rule;
use crate::diagnostic::{Edit, Fix};
use crate::rules::{Ctx, Rule};
use crate::shell::{mask, Syntax};
use crate::source::Span;
use crate::syntax::dockerfile::{Args, Dockerfile, Instruction, PLATFORM_ARGS};

declare_rule! {
    /// See `rules/target-arch-arg-undeclared.md`.
    TargetArchArgUndeclared {
        name: "target-arch-arg-undeclared",
        summary: "an automatic platform ARG such as `$TARGETARCH` used in a stage without `ARG TARGETARCH`: it expands to an empty string",
        severity: Error,
        formats: [Dockerfile],
        equivalents: [],
    }
}

impl Rule for TargetArchArgUndeclared {
    fn meta(&self) -> &'static crate::rules::RuleMeta {
        &Self::META
    }

    fn stage(&self, file: &Dockerfile, index: usize, cx: &mut Ctx) {
        check_stage(file, index, cx);
    }
}

/// A use of a variable in a text: where, its name, and the default of `${NAME:-default}`.
#[derive(Debug, PartialEq, Eq)]
struct Use {
    start: usize,
    end: usize,
    name: String,
    /// `Some` for `${NAME-x}` / `${NAME:-x}` / `${NAME=x}` / `${NAME:=x}`: what it expands to.
    default: Option<String>,
}

/// The `$NAME` and `${NAME…}` uses in `text` that substitution (Dockerfile or shell) expands:
/// not inside single quotes, not escaped with `\` (or the Dockerfile's escape character).
fn uses(text: &str, escape: char) -> Vec<Use> {
    let b = text.as_bytes();
    let esc = u8::try_from(escape).unwrap_or(b'\\');
    let mut out = Vec::new();
    let mut double = false;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b'\\' || c == esc {
            i += 2;
            continue;
        }
        if c == b'\'' && !double {
            // Single quotes: no expansion up to the closing quote.
            match b[i + 1..].iter().position(|&x| x == b'\'') {
                Some(p) => i += p + 2,
                None => break,
            }
            continue;
        }
        if c == b'"' {
            double = !double;
            i += 1;
            continue;
        }
        if c != b'$' {
            i += 1;
            continue;
        }
        let start = i;
        match b.get(i + 1) {
            Some(b'$') => i += 2,
            Some(b'{') => {
                let mut j = i + 2;
                if matches!(b.get(j), Some(b'#' | b'!')) {
                    j += 1;
                }
                let name_start = j;
                while b.get(j).is_some_and(|x| x.is_ascii_alphanumeric() || *x == b'_') {
                    j += 1;
                }
                let name = &text[name_start..j];
                // The closing brace, minding nested `${…}`.
                let mut depth = 1;
                let mut k = j;
                while k < b.len() && depth > 0 {
                    match b[k] {
                        b'{' => depth += 1,
                        b'}' => depth -= 1,
                        _ => {}
                    }
                    k += 1;
                }
                if depth == 0 && PLATFORM_ARGS.contains(&name) {
                    let rest = &text[j..k - 1];
                    let default = rest
                        .strip_prefix(":-")
                        .or_else(|| rest.strip_prefix(":="))
                        .or_else(|| rest.strip_prefix('-'))
                        .or_else(|| rest.strip_prefix('='))
                        .map(str::to_string);
                    out.push(Use { start, end: k, name: name.to_string(), default });
                }
                // Uses inside a default (`${A:-$TARGETARCH}`) are scanned too.
                i = j.max(i + 2);
            }
            Some(x) if x.is_ascii_alphabetic() || *x == b'_' => {
                let mut j = i + 1;
                while b.get(j).is_some_and(|x| x.is_ascii_alphanumeric() || *x == b'_') {
                    j += 1;
                }
                let name = &text[i + 1..j];
                if PLATFORM_ARGS.contains(&name) {
                    out.push(Use { start, end: j, name: name.to_string(), default: None });
                }
                i = j;
            }
            _ => i += 1,
        }
    }
    out
}

/// Instructions whose text is not expanded at build time in the stage: `FROM` (global scope),
/// `ONBUILD` (runs in another build), and what runs in the container.
const NOT_EXPANDED: [&str; 6] = ["FROM", "ONBUILD", "CMD", "ENTRYPOINT", "HEALTHCHECK", "SHELL"];

fn check_stage(df: &Dockerfile, index: usize, cx: &mut Ctx) {
    let Some(stage) = df.stages.get(index) else { return };
    let text = &cx.source().text;
    // Names the stage sets: ARG and ENV here, or in the stages it is built FROM (BuildKit
    // passes both on to a stage built FROM another one, moby/buildkit#5381).
    let mut declared: Vec<String> = inherited(df, stage.base_stage);
    let mut found: Vec<(usize, Use)> = Vec::new();
    for ins_index in stage.instructions.clone() {
        let Some(ins) = df.instructions.get(ins_index) else { continue };
        if NOT_EXPANDED.contains(&ins.keyword.as_str()) {
            continue;
        }
        let mut here: Vec<Use> = Vec::new();
        match (&ins.args, ins.keyword.as_str()) {
            (Args::Pairs(pairs), "ARG" | "ENV") => {
                // In order: `ARG TARGETARCH A=$TARGETARCH` declares before it uses.
                for kv in pairs {
                    if let Some(v) = &kv.value {
                        let written = text.get(v.span.start..v.span.end).unwrap_or_default();
                        here.extend(offset(uses(written, df.escape), v.span.start));
                    }
                    report_undeclared(&mut found, &declared, ins_index, here.drain(..));
                    declared.push(kv.key.value.clone());
                }
                continue;
            }
            (Args::Exec(items), "RUN") => {
                // `RUN ["sh", "-c", "…$TARGETARCH…"]`: the shell expands the script.
                let Some(c) = items.iter().position(|i| i.value == "-c") else { continue };
                if let Some(script) = items.get(c + 1) {
                    let written = text.get(script.span.start..script.span.end).unwrap_or_default();
                    // Spans only where the source is the value byte for byte (no JSON escapes).
                    if written == script.value {
                        here.extend(offset(uses(written, '\\'), script.span.start));
                    } else if written.strip_prefix('"').and_then(|w| w.strip_suffix('"'))
                        == Some(script.value.as_str())
                    {
                        here.extend(offset(uses(&script.value, '\\'), script.span.start + 1));
                    }
                }
            }
            _ => {
                let start = ins.keyword_span.end;
                let end = ins.heredocs.first().map_or(ins.span.end, |h| h.body.span.start);
                let header = text.get(start..end.max(start)).unwrap_or_default();
                let masked = mask(header, Syntax::DockerfileShell { escape: df.escape });
                let found = uses(&masked, df.escape);
                let found = if ins.keyword == "RUN" { unassigned(&masked, found) } else { found };
                here.extend(offset(found, start));
                here.extend(heredoc_uses(ins, header_is_script(ins, text)));
            }
        }
        report_undeclared(&mut found, &declared, ins_index, here.into_iter());
    }
    for (ins_index, u) in found {
        report(df, index, ins_index, &u, cx);
    }
}

/// The uses not preceded, in the same shell text, by a shell assignment of the same name
/// (`TARGETARCH=$(dpkg --print-architecture)`, `export TARGETARCH=…`, `for TARGETARCH in …`):
/// the script sets the variable itself.
fn unassigned(text: &str, uses: Vec<Use>) -> Vec<Use> {
    let assigned_before = |name: &str, pos: usize| {
        let before = text.get(..pos).unwrap_or_default();
        before.match_indices(name).any(|(i, _)| {
            let prev = before[..i].chars().next_back();
            let word_start =
                prev.is_none_or(|c| c.is_whitespace() || matches!(c, ';' | '&' | '|' | '(' | '`'));
            let after = &before[i + name.len()..];
            let for_loop = before[..i].trim_end().ends_with("for") && after.starts_with(' ');
            word_start && (after.starts_with('=') || for_loop)
        })
    };
    uses.into_iter().filter(|u| !assigned_before(&u.name, u.start)).collect()
}

fn offset(uses: Vec<Use>, by: usize) -> impl Iterator<Item = Use> {
    uses.into_iter().map(move |u| Use { start: u.start + by, end: u.end + by, ..u })
}

fn report_undeclared(
    found: &mut Vec<(usize, Use)>,
    declared: &[String],
    ins_index: usize,
    uses: impl Iterator<Item = Use>,
) {
    for u in uses {
        if !declared.contains(&u.name) {
            found.push((ins_index, u));
        }
    }
}

/// ARG and ENV keys of the stage `base` and the stages it is built FROM.
fn inherited(df: &Dockerfile, mut base: Option<usize>) -> Vec<String> {
    let mut out = Vec::new();
    // base_stage always points to an earlier stage, so this walk ends.
    while let Some(b) = base {
        let Some(stage) = df.stages.get(b) else { break };
        for ins in df.instructions.get(stage.instructions.clone()).unwrap_or_default() {
            if let (Args::Pairs(pairs), "ARG" | "ENV") = (&ins.args, ins.keyword.as_str()) {
                out.extend(pairs.iter().map(|kv| kv.key.value.clone()));
            }
        }
        base = stage.base_stage;
    }
    out
}

/// Whether a `RUN`'s whole command is its first heredoc (`RUN <<EOF`): BuildKit then runs the
/// body as the script, expanded by the shell whatever the quoting of the delimiter.
fn header_is_script(ins: &Instruction, text: &str) -> bool {
    let (Some(shell), Some(first)) = (ins.shell(), ins.heredocs.first()) else { return false };
    let command = text.get(shell.span.start..shell.span.end).unwrap_or_default();
    ins.keyword == "RUN" && text.get(first.marker.start..first.marker.end) == Some(command.trim())
}

/// Uses in the heredoc bodies of RUN, COPY and ADD. A quoted delimiter (`<<'EOF'`) turns
/// expansion off, except in the script of `RUN <<'EOF'`, which the shell runs.
fn heredoc_uses(ins: &Instruction, script: bool) -> Vec<Use> {
    let mut out = Vec::new();
    for (k, h) in ins.heredocs.iter().enumerate() {
        let is_script = script && k == 0;
        if !h.expand && !is_script {
            continue;
        }
        let masked = if ins.keyword == "RUN" {
            mask(&h.body.value, Syntax::Shell)
        } else {
            h.body.value.clone()
        };
        let found = uses(&masked, '\\');
        let found = if ins.keyword == "RUN" { unassigned(&masked, found) } else { found };
        out.extend(offset(found, h.body.span.start));
    }
    out
}

fn report(df: &Dockerfile, index: usize, ins_index: usize, u: &Use, cx: &mut Ctx) {
    let Some(stage) = df.stages.get(index) else { return };
    let Some(from) = df.instructions.get(stage.from) else { return };
    let text = &cx.source().text;
    let written = text.get(u.start..u.end).unwrap_or_default().to_string();
    let stage_name = match &stage.name {
        Some(n) => format!("stage `{}`", n.value),
        None => format!("stage {index} (`FROM {}`)", stage.image.value),
    };
    let keyword = df.instructions.get(ins_index).map_or("", |i| i.keyword.as_str());
    let effect = match &u.default {
        Some(d) => format!("it always expands to its default `{d}`"),
        None => "it expands to an empty string".to_string(),
    };
    let where_ = if keyword == "RUN" {
        "the shell of this `RUN` does not see it".to_string()
    } else {
        format!("`{keyword}` does not see it")
    };
    let from_line = cx.source().position(from.span.start).line;
    // Insert `ARG NAME` on the line after the FROM instruction.
    let line_end = text.get(from.span.end..).and_then(|r| r.find('\n')).map(|p| from.span.end + p);
    let (at, insert) = match line_end {
        Some(p) => (p + 1, format!("ARG {}\n", u.name)),
        None => (text.len(), format!("\nARG {}", u.name)),
    };
    cx.report(
        Span::new(u.start, u.end),
        format!("`{written}` is not declared in {stage_name}: {where_}, so {effect}",),
    )
    .help(format!(
        "add `ARG {}` after `FROM` (line {from_line}): automatic platform ARGs are global and a \
         stage sees them only once it declares them",
        u.name
    ))
    .fix(Fix {
        message: format!("declare `ARG {}` after `FROM`", u.name),
        edits: vec![Edit { span: Span::empty(at), replacement: insert }],
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<(String, Option<String>)> {
        uses(text, '\\')
            .into_iter()
            .map(|u| (text[u.start..u.end].to_string(), u.default))
            .collect()
    }

    #[test]
    fn a_shell_assignment_sets_the_variable() {
        let text = "TARGETARCH=$(dpkg --print-architecture) && echo $TARGETARCH $TARGETOS";
        let left: Vec<String> = unassigned(text, uses(text, '\\'))
            .into_iter()
            .map(|u| text[u.start..u.end].to_string())
            .collect();
        assert_eq!(left, ["$TARGETOS"]);
        let text = "for TARGETARCH in amd64 arm64; do echo $TARGETARCH; done";
        assert!(unassigned(text, uses(text, '\\')).is_empty());
        // A use before the assignment, or an assignment of another name, still counts.
        let text = "echo $TARGETARCH; MY_TARGETARCH=x";
        assert_eq!(unassigned(text, uses(text, '\\')).len(), 1);
    }

    #[test]
    fn finds_expanded_uses_only() {
        assert_eq!(found("echo $TARGETARCH"), [("$TARGETARCH".into(), None)]);
        assert_eq!(found("a-${TARGETOS}-b"), [("${TARGETOS}".into(), None)]);
        assert_eq!(
            found("\"${TARGETARCH:-amd64}\""),
            [("${TARGETARCH:-amd64}".into(), Some("amd64".into()))]
        );
        assert_eq!(found("${TARGETVARIANT#v}"), [("${TARGETVARIANT#v}".into(), None)]);
        assert_eq!(found("echo '$TARGETARCH'"), []);
        assert_eq!(found("echo \"it's $BUILDARCH\""), [("$BUILDARCH".into(), None)]);
        assert_eq!(found("echo \\$TARGETARCH"), []);
        assert_eq!(found("echo $TARGETARCHX $$TARGETARCH $ARCH"), []);
        assert_eq!(found("${ARCH:-$TARGETARCH}"), [("$TARGETARCH".into(), None)]);
    }
}
