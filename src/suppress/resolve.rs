//! The suppression pass: which findings a suppression covers, and the hygiene findings (`invalid-suppression`, `unknown-rule`, `unused-suppression`).

use super::*;

pub(super) const INVALID: rules::RuleMeta = invalid_suppression::InvalidSuppression::META;
pub(super) const UNKNOWN: rules::RuleMeta = unknown_rule::UnknownRule::META;
pub(super) const UNUSED: rules::RuleMeta = unused_suppression::UnusedSuppression::META;

/// Names the hygiene rules report under.
pub(super) fn is_hygiene(name: &str) -> bool {
    [INVALID.name, UNKNOWN.name, UNUSED.name].contains(&name)
}

/// Whether the rule `name` also reports in the cross-file phase.
fn uses_cross_file(name: &str) -> bool {
    rules::all().iter().any(|r| r.meta().name == name && r.uses_cross_file())
}

/// Drops the findings of the cross-file phase (`crate::engine::cross_file`) that a
/// suppression written in their file covers. The hygiene findings are the per-file pass's; a
/// suppression of a cross-file rule is never reported unused there.
pub fn apply_cross_file(
    doc: &Document,
    source: &SourceFile,
    settings: &Settings,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let collected = collect(doc, source);
    if collected.suppressions.is_empty() {
        return;
    }
    let mut states: Vec<State<'_>> = collected
        .suppressions
        .iter()
        .map(|s| State {
            s,
            active: !(settings.require_reason && s.reason.is_none()),
            usable: s.names.iter().map(|n| n.value != PARSE_ERROR).collect(),
            used: vec![false; s.names.len()],
        })
        .collect();
    diagnostics.retain(|d| !suppressed(&mut states, d));
}

pub(super) fn reason_help(form: Form) -> &'static str {
    match form {
        Form::Comment | Form::FileComment => {
            "add the reason after the list: `# edgelint: ignore[rule] -- why`"
        }
        Form::Annotation => "add the reason after the names: `edgelint.io/ignore: \"rule -- why\"`",
        Form::ComposeExtension => "add `reason: \"why\"` beside `ignore`",
    }
}

pub(super) fn removal_help(form: Form, name: &str) -> String {
    match form {
        Form::Comment | Form::FileComment => {
            format!("remove `{name}` from the comment (or the comment if it names nothing else)")
        }
        Form::Annotation => format!("remove `{name}` from the `{ANNOTATION}` annotation"),
        Form::ComposeExtension => format!("remove `{name}` from `{COMPOSE_KEY}.ignore`"),
    }
}

/// The help of an `unused-suppression`: for a comment placed near a finding of its rule that
/// it does not cover, where that finding is and where the comment must go (deleting it would
/// bring the finding back); otherwise, remove the name.
fn unused_help(
    s: &Suppression,
    rule: &str,
    remaining: &[Diagnostic],
    line_of: &dyn Fn(usize) -> usize,
) -> String {
    let removal = removal_help(s.form, rule);
    if s.form != Form::Comment {
        return removal;
    }
    let at = line_of(s.at.start);
    let nearest = remaining
        .iter()
        .filter(|d| d.rule == rule)
        .map(|d| line_of(d.span.start))
        .min_by_key(|line| (line.abs_diff(at), *line));
    match nearest {
        // Near: within a few lines, as a comment misplaced in the finding's block is.
        Some(line) if line.abs_diff(at) <= 3 => format!(
            "the `{rule}` finding is on line {line}, which this comment does not cover: move the \
             comment to the line above line {line} (a comment covers the next instruction or \
             YAML entry, and the key of the block it opens), or {removal}"
        ),
        _ => removal,
    }
}

/// One suppression's state during [`apply`].
pub(super) struct State<'a> {
    pub(super) s: &'a Suppression,
    /// Valid and allowed to suppress (a known rule, a reason when one is required).
    pub(super) active: bool,
    /// Per name: whether it can suppress (a known rule other than `parse-error`), and whether
    /// it did.
    pub(super) usable: Vec<bool>,
    pub(super) used: Vec<bool>,
}

impl State<'_> {
    /// Whether this suppression covers `d`; marks the name used.
    pub(super) fn covers(&mut self, d: &Diagnostic) -> bool {
        if !self.active {
            return false;
        }
        let inside = self.s.ranges.iter().any(|r| r.contains(d.span.start))
            || (d.span.start <= self.s.at.start && self.s.at.start < d.span.end);
        if !inside {
            return false;
        }
        let mut hit = false;
        for (i, n) in self.s.names.iter().enumerate() {
            if self.usable[i] && n.value == d.rule {
                self.used[i] = true;
                hit = true;
            }
        }
        hit
    }
}

pub(super) fn suppressed(states: &mut [State<'_>], d: &Diagnostic) -> bool {
    let mut hit = false;
    for st in states.iter_mut() {
        // Every covering suppression is marked used, not only the first.
        hit |= st.covers(d);
    }
    hit
}

pub(super) fn hygiene(
    meta: &rules::RuleMeta,
    span: Span,
    message: String,
    help: String,
) -> Diagnostic {
    Diagnostic::new(meta.name, meta.severity, span, message).with_help(help)
}

/// Applies the suppressions written in `doc` to `diagnostics` (the findings of the rules that
/// ran, `ran`, plus parse errors) and adds the hygiene findings. See the module documentation.
pub fn apply(
    doc: &Document,
    semantic: &Semantic<'_>,
    source: &SourceFile,
    ran: &[&str],
    diagnostics: &mut Vec<Diagnostic>,
) {
    let settings = semantic.settings();
    let collected = collect(doc, source);
    if collected.suppressions.is_empty() && collected.problems.is_empty() {
        return;
    }
    let kind = doc.kind();
    let known: Vec<&'static str> = rules::all().iter().map(|r| r.meta().name).collect();
    let shadow = |wanted: &[&str]| {
        let mut out = Vec::new();
        let shadowed: Vec<&dyn Rule> = rules::all()
            .iter()
            .copied()
            .filter(|r| wanted.contains(&r.meta().name) && r.meta().formats.contains(&kind))
            .collect();
        crate::engine::run_rules(&shadowed, doc, semantic, source, &mut out, &mut Vec::new());
        out
    };
    resolve(&collected, &known, settings, ran, diagnostics, shadow, &|offset| {
        source.position(offset).line
    });
}

/// The suppression pass over what [`collect`] found. `known`: the rule names; `shadow` runs the
/// named rules that did not run and returns their findings.
pub fn resolve(
    collected: &Collected,
    known: &[&'static str],
    settings: &Settings,
    ran: &[&str],
    diagnostics: &mut Vec<Diagnostic>,
    shadow: impl FnOnce(&[&str]) -> Vec<Diagnostic>,
    line_of: &dyn Fn(usize) -> usize,
) {
    let parse_failed = diagnostics.iter().any(|d| d.rule == PARSE_ERROR);
    let mut findings: Vec<Diagnostic> = collected
        .problems
        .iter()
        .map(|p| hygiene(&INVALID, p.span, p.message.clone(), p.help.clone()))
        .collect();

    let mut states: Vec<State<'_>> = Vec::new();
    for s in &collected.suppressions {
        let mut usable = Vec::new();
        for n in &s.names {
            let ok = n.value != PARSE_ERROR && known.contains(&n.value.as_str());
            usable.push(ok);
            if n.value == PARSE_ERROR {
                findings.push(hygiene(
                    &INVALID,
                    n.span,
                    "`parse-error` cannot be suppressed".to_string(),
                    "fix the syntax error, or leave parse errors out with `--ignore parse-error`"
                        .to_string(),
                ));
            } else if !ok {
                let help = match closest(&n.value, known) {
                    Some(c) => format!("did you mean `{c}`? `edgelint rules` lists the rules"),
                    None => "`edgelint rules` lists the rules".to_string(),
                };
                findings.push(hygiene(
                    &UNKNOWN,
                    n.span,
                    format!("suppression names unknown rule `{}`", n.value),
                    help,
                ));
            }
        }
        let mut active = true;
        if settings.require_reason && s.reason.is_none() {
            active = false;
            findings.push(hygiene(
                &INVALID,
                s.at,
                "suppression has no reason, and `require-reason` is on".to_string(),
                reason_help(s.form).to_string(),
            ));
        }
        let used = vec![false; s.names.len()];
        states.push(State { s, active, usable, used });
    }

    // The rules a suppression names that did not run: run them, only to know whether the
    // suppression is used.
    let report_unused = !parse_failed && settings.rule_enabled(UNUSED.name);
    let shadowed = if report_unused {
        let mut wanted: Vec<&str> = states
            .iter()
            .filter(|st| st.active)
            .flat_map(|st| {
                st.s.names
                    .iter()
                    .zip(&st.usable)
                    .filter(|(_, u)| **u)
                    .map(|(n, _)| n.value.as_str())
            })
            .filter(|n| !ran.contains(n) && !is_hygiene(n))
            .collect();
        wanted.sort_unstable();
        wanted.dedup();
        if wanted.is_empty() {
            Vec::new()
        } else {
            shadow(&wanted)
        }
    } else {
        Vec::new()
    };

    diagnostics.retain(|d| d.rule == PARSE_ERROR || !suppressed(&mut states, d));
    for d in &shadowed {
        suppressed(&mut states, d);
    }
    findings.retain(|d| !suppressed(&mut states, d));

    if report_unused {
        let remaining: &[Diagnostic] = diagnostics;
        let unused = |states: &[State<'_>], last: bool| -> Vec<Diagnostic> {
            let mut out = Vec::new();
            for st in states.iter().filter(|st| st.active) {
                for (i, n) in st.s.names.iter().enumerate() {
                    // A cross-file rule's finding may come from a file not in this run (or
                    // not linted yet): its suppressions are never reported unused.
                    let later = uses_cross_file(&n.value);
                    if st.usable[i] && !st.used[i] && !later && (n.value == UNUSED.name) == last {
                        out.push(hygiene(
                            &UNUSED,
                            n.span,
                            format!("suppression of `{}` matches no finding", n.value),
                            unused_help(st.s, &n.value, remaining, line_of),
                        ));
                    }
                }
            }
            out
        };
        let mut first = unused(&states, false);
        first.retain(|d| !suppressed(&mut states, d));
        findings.extend(first);
        // Suppressions of `unused-suppression` itself are judged last and cannot be silenced.
        findings.extend(unused(&states, true));
    }

    findings.retain(|d| settings.rule_enabled(d.rule));
    diagnostics.extend(findings);
}
