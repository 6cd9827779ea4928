use super::*;
use crate::document::FileKind;

fn at(text: &str, span: Span) -> &str {
    &text[span.start..span.end]
}

fn names(d: &Directive) -> Vec<&str> {
    d.names.iter().map(|n| n.value.as_str()).collect()
}

#[test]
fn directive_grammar() {
    let text = "# edgelint: ignore[rule-a,  rule-b] -- vendor image, fixed in 2.1";
    let d = parse_directive(&text[1..], 1).unwrap().unwrap();
    assert!(!d.file);
    assert_eq!(names(&d), ["rule-a", "rule-b"]);
    assert_eq!(at(text, d.names[1].span), "rule-b");
    assert_eq!(d.reason.as_deref(), Some("vendor image, fixed in 2.1"));
    let d = parse_directive("edgelint:ignore-file[x]", 1).unwrap().unwrap();
    assert!(d.file);
    assert_eq!(d.reason, None);
    let d = parse_directive(" edgelint: ignore [x] --   ", 1).unwrap().unwrap();
    assert_eq!(d.reason, None);
    // Not ours.
    assert!(parse_directive(" hadolint ignore=DL3008", 1).is_none());
    assert!(parse_directive(" TODO edgelint: ignore[x]", 1).is_none());
    assert!(parse_directive(" edgelint is great", 1).is_none());
    // Ours, unreadable.
    let err = |t: &str| parse_directive(t, 1).unwrap().unwrap_err();
    assert_eq!(
        err(" edgelint: ignor[x]"),
        "unknown suppression directive `ignor`; did you mean `ignore`?"
    );
    assert_eq!(err(" edgelint: disable[x]"), "unknown suppression directive `disable`");
    assert_eq!(err(" edgelint:"), "`edgelint:` comment has no directive");
    assert_eq!(
        err(" edgelint: ignore x"),
        "`ignore` needs a list of rules in brackets: `ignore[rule-a]`"
    );
    assert_eq!(
        err(" edgelint: ignore-file"),
        "`ignore-file` needs a list of rules in brackets: `ignore-file[rule-a]`"
    );
    assert_eq!(err(" edgelint: ignore[x"), "the list of rules has no closing `]`");
    assert_eq!(err(" edgelint: ignore[]"), "`ignore[]` names no rule");
    assert_eq!(err(" edgelint: ignore[a,,b]"), "`ignore[…]` has an empty rule name");
    assert_eq!(
        err(" edgelint: ignore[a] because"),
        "expected `-- reason` after the list, found `because`"
    );
    // Near misses: the colon is missing, so it would suppress nothing silently.
    for (text, word) in [
        (" edgelint ignore[x]", "ignore"),
        (" edgelint  ignore [x] -- why", "ignore"),
        (" edgelint-ignore[x]", "ignore"),
        (" edgelint = ignore-file[x]", "ignore-file"),
        ("edgelint ignore-file[x, y]", "ignore-file"),
    ] {
        assert_eq!(
            err(text),
            format!(
                "`edgelint` needs a colon before `{word}`: write `# edgelint: {word}[…]`; \
                 without it the comment suppresses nothing"
            ),
            "{text}"
        );
    }
    // Prose about edgelint is not a directive.
    for text in
        [" edgelint ignores this file", " edgelint ignore list: see docs", " edgelintignore[x]"]
    {
        assert!(parse_directive(text, 1).is_none(), "{text}");
    }
}

#[test]
fn near_miss_directives_are_invalid_suppressions_in_every_format() {
    let (_, c) = lint(FileKind::Dockerfile, "# edgelint ignore[mutable-image-tag]\nFROM alpine\n");
    assert_eq!(c.problems.len(), 1, "{c:?}");
    assert!(c.problems[0].message.contains("needs a colon"), "{c:?}");
    assert!(c.suppressions.is_empty());
    let compose =
        "services:\n  db:\n    # edgelint ignore[missing-memory-limit]\n    image: postgres:16\n";
    let (_, c) = lint(FileKind::Compose, compose);
    assert_eq!(c.problems.len(), 1, "{c:?}");
}

fn lint(kind: FileKind, text: &str) -> (SourceFile, Collected) {
    let source = SourceFile::new("t", text);
    let (doc, _) = crate::parse(&source, kind);
    let c = collect(&doc, &source);
    (source, c)
}

/// The text each suppression covers (first range), by its first name.
fn covered(kind: FileKind, text: &str) -> Vec<(String, Vec<String>)> {
    let (source, c) = lint(kind, text);
    assert!(c.problems.is_empty(), "{:?}", c.problems);
    c.suppressions
        .iter()
        .map(|s| {
            let ranges: Vec<String> = s
                .ranges
                .iter()
                .filter(|r| **r != s.at)
                .map(|r| at(&source.text, *r).to_string())
                .collect();
            (s.names[0].value.clone(), ranges)
        })
        .collect()
}

#[test]
fn dockerfile_scopes() {
    let text = "# syntax=docker/dockerfile:1\n# hadolint ignore=DL3008\n# edgelint: ignore[a] -- r\nFROM alpine\n\n  # edgelint: ignore[b]\n\nRUN apk add \\\n  # edgelint: ignore[c]\n  curl\nRUN cat <<EOF\n# edgelint: ignore[not-a-comment]\nEOF\n# edgelint: ignore-file[d]\n# edgelint: ignore[e]\n";
    let got = covered(FileKind::Dockerfile, text);
    assert_eq!(
        got,
        [
            ("a".to_string(), vec!["FROM alpine".to_string()]),
            ("b".to_string(), vec!["RUN apk add \\\n  # edgelint: ignore[c]\n  curl".to_string()]),
            ("c".to_string(), vec!["RUN apk add \\\n  # edgelint: ignore[c]\n  curl".to_string()]),
            ("d".to_string(), vec![text.to_string()]),
            // Nothing follows: covers nothing.
            ("e".to_string(), vec![]),
        ]
    );
}

#[test]
fn yaml_scopes() {
    let text = "services:\n  web:  # edgelint: ignore[a]\n    image: x\n    # edgelint: ignore[b]\n    environment:\n      A: 1\n    command: [\"x\"]  # edgelint: ignore[c]\n  db:\n    image: y\n    volumes:\n      # edgelint: ignore[d]\n      - data:/var/lib\n      - name: v  # edgelint: ignore[e]\n        x: 1\n# edgelint: ignore-file[f]\n";
    let got = covered(FileKind::Compose, text);
    assert_eq!(
        got,
        [
            ("a".to_string(), vec!["web:  # edgelint: ignore[a]\n    image: x\n    # edgelint: ignore[b]\n    environment:\n      A: 1\n    command: [\"x\"]".to_string()]),
            ("b".to_string(), vec!["environment:\n      A: 1".to_string()]),
            ("c".to_string(), vec!["command: [\"x\"]".to_string()]),
            ("d".to_string(), vec!["data:/var/lib".to_string()]),
            ("e".to_string(), vec!["name: v  # edgelint: ignore[e]\n        x: 1".to_string()]),
            ("f".to_string(), vec![text.to_string()]),
        ]
    );
}

#[test]
fn ignore_file_in_yaml_is_per_document() {
    let text = "a: 1\n---\n# edgelint: ignore-file[x]\nb: 2\n";
    let got = covered(FileKind::Kubernetes, text);
    assert_eq!(
        got,
        [("x".to_string(), vec!["---\n# edgelint: ignore-file[x]\nb: 2\n".to_string()])]
    );
}

const DEPLOY: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  annotations:\n    edgelint.io/ignore: \"rule-x -- legacy\"\nspec:\n  template:\n    metadata:\n      annotations:\n        edgelint.io/ignore: rule-y\n    spec:\n      containers:\n        - name: app\n          image: nginx\n";

#[test]
fn annotations_object_and_template() {
    let (source, c) = lint(FileKind::Kubernetes, DEPLOY);
    assert!(c.problems.is_empty());
    assert_eq!(c.suppressions.len(), 2);
    let template = &c.suppressions[0];
    assert_eq!(template.names[0].value, "rule-y");
    assert_eq!(at(DEPLOY, template.names[0].span), "rule-y");
    assert!(at(DEPLOY, template.ranges[0]).starts_with("metadata:\n      annotations:"));
    assert!(at(DEPLOY, template.ranges[0]).ends_with("image: nginx"));
    let object = &c.suppressions[1];
    assert_eq!(at(DEPLOY, object.names[0].span), "rule-x");
    assert_eq!(object.reason.as_deref(), Some("legacy"));
    // The object's range has a hole where the annotated template is.
    assert_eq!(object.ranges.len(), 1);
    assert!(at(&source.text, object.ranges[0]).ends_with("spec:\n  template:\n    "));
}

#[test]
fn compose_extension() {
    let text = "x-edgelint:\n  ignore: [a]\n  reason: all of it\nservices:\n  web:\n    image: x\n    x-edgelint: {ignore: [b, c]}\n  db:\n    image: y\n";
    let (source, c) = lint(FileKind::Compose, text);
    assert!(c.problems.is_empty());
    assert_eq!(c.suppressions.len(), 2);
    assert_eq!(c.suppressions[0].reason.as_deref(), Some("all of it"));
    assert_eq!(at(&source.text, c.suppressions[0].ranges[0]), text);
    assert_eq!(at(text, c.suppressions[1].names[1].span), "c");
    assert_eq!(
        at(text, c.suppressions[1].ranges[0]),
        "web:\n    image: x\n    x-edgelint: {ignore: [b, c]}"
    );
    let (_, c) =
        lint(FileKind::Compose, "services:\n  web:\n    image: x\n    x-edgelint: {ignroe: [b]}\n");
    assert_eq!(
        c.problems[0].message,
        "unknown key `ignroe` in `x-edgelint`; did you mean `ignore`?"
    );
    let (_, c) = lint(FileKind::Compose, "x-edgelint: {ignore: b}\nservices: {}\n");
    assert_eq!(c.problems[0].message, "`ignore` must be a list of rule names");
}

#[test]
fn subtract_ranges() {
    let s = |a, b| Span::new(a, b);
    assert_eq!(subtract(s(0, 10), &[s(2, 4), s(6, 7)]), [s(0, 2), s(4, 6), s(7, 10)]);
    assert_eq!(subtract(s(0, 10), &[s(0, 10)]), Vec::<Span>::new());
    assert_eq!(subtract(s(0, 10), &[]), [s(0, 10)]);
}

// The suppression pass on synthetic findings: rules `rule-x`, `rule-y`, `rule-z` (plus the
// hygiene rules) are "known"; findings are placed at chosen text.

const KNOWN: &[&str] = &["rule-x", "rule-y", "rule-z", INVALID.name, UNKNOWN.name, UNUSED.name];

/// A finding of `rule` on the `nth` occurrence (0-based) of `needle`.
fn finding(text: &str, rule: &'static str, needle: &str, nth: usize) -> Diagnostic {
    let start = text.match_indices(needle).nth(nth).expect("needle").0;
    Diagnostic::new(rule, Severity::Warning, Span::new(start, start + needle.len()), "x")
}

/// Runs the pass; `shadow` stands for the rules that did not run. Returns the remaining
/// findings as `rule@line`.
fn pass_with(
    kind: FileKind,
    text: &str,
    settings: &Settings,
    findings: Vec<Diagnostic>,
    ran: &[&str],
    shadow: Vec<Diagnostic>,
) -> Vec<String> {
    let (source, collected) = lint(kind, text);
    let mut diagnostics = findings;
    resolve(&collected, KNOWN, settings, ran, &mut diagnostics, |_| shadow, &|offset| {
        source.position(offset).line
    });
    crate::sort_diagnostics(&mut diagnostics);
    diagnostics
        .iter()
        .map(|d| format!("{}@{}", d.rule, source.position(d.span.start).line))
        .collect()
}

fn pass(kind: FileKind, text: &str, findings: Vec<Diagnostic>) -> Vec<String> {
    let ran = ["rule-x", "rule-y", "rule-z"];
    pass_with(kind, text, &Settings::default(), findings, &ran, Vec::new())
}

use crate::diagnostic::Severity;

#[test]
fn dockerfile_comment_covers_the_next_instruction_only() {
    let text = "FROM a\n# edgelint: ignore[rule-x] -- r\nRUN one \\\n  two\nRUN three\n";
    let got = pass(
        FileKind::Dockerfile,
        text,
        vec![
            finding(text, "rule-x", "two", 0),
            finding(text, "rule-x", "three", 0),
            finding(text, "rule-y", "one", 0),
        ],
    );
    assert_eq!(got, ["rule-y@3", "rule-x@5"]);
    let text = "FROM a\nRUN one\n# edgelint: ignore-file[rule-x, rule-y]\n";
    let got = pass(
        FileKind::Dockerfile,
        text,
        vec![finding(text, "rule-x", "FROM", 0), finding(text, "rule-y", "one", 0)],
    );
    assert_eq!(got, Vec::<String>::new());
}

#[test]
fn yaml_comment_forms_and_a_comment_inside_the_span() {
    let text = "services:\n  web:\n    image: x  # edgelint: ignore[rule-x]\n    # edgelint: ignore[rule-y]\n    deploy:\n      replicas: 1\n    restart: always\n  db:\n    image: y\n";
    let got = pass(
        FileKind::Compose,
        text,
        vec![
            finding(text, "rule-x", "image: x", 0),
            finding(text, "rule-x", "image: y", 0),
            finding(text, "rule-y", "1", 0),
            finding(text, "rule-y", "always", 0),
        ],
    );
    assert_eq!(got, ["rule-y@7", "rule-x@9"]);
    // A finding whose span holds the comment is covered, wherever it starts.
    let text = "services:\n  web:\n    image: x\n    # edgelint: ignore[rule-z]\n    restart: always\n  db:\n    image: y\n";
    let start = text.find("web").unwrap();
    let end = text.find("  db").unwrap();
    let whole = Diagnostic::new("rule-z", Severity::Warning, Span::new(start, end), "x");
    let got = pass(FileKind::Compose, text, vec![whole, finding(text, "rule-z", "db", 0)]);
    assert_eq!(got, ["rule-z@6"]);
}

#[test]
fn a_comment_that_opens_a_block_covers_its_key() {
    // `db:` then the comment as the first line of its block: findings on `db` are covered
    // (as well as on the entry after the comment), not those on `web` or later entries.
    let text = "services:\n  db:\n    # edgelint: ignore[rule-x] -- r\n    image: y\n    restart: always\n  web:\n    image: x\n";
    let got = pass(
        FileKind::Compose,
        text,
        vec![
            finding(text, "rule-x", "db", 0),
            finding(text, "rule-x", "image: y", 0),
            finding(text, "rule-x", "always", 0),
            finding(text, "rule-x", "web", 0),
        ],
    );
    assert_eq!(got, ["rule-x@5", "rule-x@6"]);
}

/// The help of the `unused-suppression` in a Compose text with one `rule-x` finding on `db`.
fn unused_help(text: &str) -> String {
    let (source, collected) = lint(FileKind::Compose, text);
    let mut diagnostics = vec![finding(text, "rule-x", "db", 0)];
    let line_of = |offset: usize| source.position(offset).line;
    let settings = Settings::default();
    resolve(&collected, KNOWN, &settings, &["rule-x"], &mut diagnostics, |_| Vec::new(), &line_of);
    let unused = diagnostics.iter().find(|d| d.rule == "unused-suppression").expect("unused");
    unused.help.clone().unwrap_or_default().into_owned()
}

#[test]
fn an_unused_comment_next_to_its_finding_says_where_the_comment_must_go() {
    let text =
        "services:\n  db:\n    image: y\n    # edgelint: ignore[rule-x]\n    restart: always\n";
    assert_eq!(
        unused_help(text),
        "the `rule-x` finding is on line 2, which this comment does not cover: move the \
         comment to the line above line 2 (a comment covers the next instruction or YAML \
         entry, and the key of the block it opens), or remove `rule-x` from the comment (or \
         the comment if it names nothing else)"
    );
    // Far from any finding of its rule: only the removal.
    let text = "services:\n  db:\n    image: y\n    restart: always\n    user: app\n    init: true\n    # edgelint: ignore[rule-x]\n    tty: true\n";
    assert!(unused_help(text).starts_with("remove `rule-x`"), "{}", unused_help(text));
}

const TEMPLATE: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  annotations:\n    edgelint.io/ignore: rule-x\nspec:\n  replicas: 1\n  template:\n    metadata:\n      annotations:\n        edgelint.io/ignore: rule-y\n    spec:\n      containers:\n        - name: app\n          image: nginx\n";

#[test]
fn the_pod_template_annotation_replaces_the_objects_list_under_it() {
    let t = TEMPLATE;
    let got = pass(
        FileKind::Kubernetes,
        t,
        vec![
            finding(t, "rule-x", "replicas", 0), // object level: object's list
            finding(t, "rule-y", "replicas", 0), // object level: the template's does not reach
            finding(t, "rule-x", "nginx", 0),    // in the template: the object's does not apply
            finding(t, "rule-y", "nginx", 0),    // in the template: the template's applies
        ],
    );
    assert_eq!(got, ["rule-y@8", "rule-x@16"]);
    // Without an annotation on the template, the object's list covers it too.
    let t = &TEMPLATE
        .replace("      annotations:\n        edgelint.io/ignore: rule-y\n", "      labels: {}\n");
    let got = pass(
        FileKind::Kubernetes,
        t,
        vec![finding(t, "rule-x", "nginx", 0), finding(t, "rule-y", "nginx", 0)],
    );
    assert_eq!(got, ["rule-y@15"]);
    // An empty annotation on the template clears the object's list there.
    let t = &TEMPLATE.replace("ignore: rule-y", "ignore: \"\"");
    let got = pass(FileKind::Kubernetes, t, vec![finding(t, "rule-x", "nginx", 0)]);
    assert_eq!(got, ["unused-suppression@6", "rule-x@16"]);
}

#[test]
fn pod_annotations_cover_the_pod() {
    let t = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n    edgelint.io/ignore: rule-x, rule-y\nspec:\n  containers:\n    - name: app\n      image: nginx\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: q\nspec:\n  containers:\n    - name: app\n      image: nginx\n";
    let got = pass(
        FileKind::Kubernetes,
        t,
        vec![finding(t, "rule-x", "nginx", 0), finding(t, "rule-x", "nginx", 1)],
    );
    // rule-y covered nothing.
    assert_eq!(got, ["unused-suppression@6", "rule-x@19"]);
}

#[test]
fn compose_extension_on_a_service_and_at_the_top() {
    let t = "x-edgelint: {ignore: [rule-x]}\nservices:\n  web:\n    image: a\n    x-edgelint: {ignore: [rule-y]}\n  db:\n    image: b\n";
    let got = pass(
        FileKind::Compose,
        t,
        vec![
            finding(t, "rule-x", "b", 0),
            finding(t, "rule-y", "web", 0),
            finding(t, "rule-y", "db", 0),
        ],
    );
    assert_eq!(got, ["rule-y@6"]);
}

#[test]
fn unused_unknown_and_shadow_runs() {
    let t = "FROM a\n# edgelint: ignore[rule-x, rule-y, rule-q] -- r\nRUN b\n";
    // rule-x matches; rule-y does not; rule-q is no rule.
    let got = pass(FileKind::Dockerfile, t, vec![finding(t, "rule-x", "RUN", 0)]);
    assert_eq!(got, ["unused-suppression@2", "unknown-rule@2"]);
    // rule-y did not run (not selected): its would-be finding marks the suppression used.
    let got = pass_with(
        FileKind::Dockerfile,
        t,
        &Settings::default(),
        vec![finding(t, "rule-x", "RUN", 0)],
        &["rule-x"],
        vec![finding(t, "rule-y", "b", 0)],
    );
    assert_eq!(got, ["unknown-rule@2"]);
    // With unused-suppression off, nothing is said about use.
    let settings = Settings { ignore: vec![UNUSED.name.to_string()], ..Settings::default() };
    let got = pass_with(FileKind::Dockerfile, t, &settings, Vec::new(), &[], Vec::new());
    assert_eq!(got, ["unknown-rule@2"]);
}

#[test]
fn parse_errors_are_never_suppressed_and_silence_unused() {
    let t = "FROM a\n# edgelint: ignore-file[parse-error, rule-y]\nRUN b\n";
    let err = Diagnostic::new(PARSE_ERROR, Severity::Error, Span::new(0, 1), "x");
    let got = pass(FileKind::Dockerfile, t, vec![err]);
    assert_eq!(got, ["parse-error@1", "invalid-suppression@2"]);
}

#[test]
fn require_reason_makes_a_bare_suppression_inert() {
    let t = "FROM a\n# edgelint: ignore[rule-x]\nRUN b\n# edgelint: ignore[rule-x] -- why\nRUN c\n";
    let settings = Settings { require_reason: true, ..Settings::default() };
    let got = pass_with(
        FileKind::Dockerfile,
        t,
        &settings,
        vec![finding(t, "rule-x", "b", 0), finding(t, "rule-x", "c", 0)],
        &["rule-x"],
        Vec::new(),
    );
    assert_eq!(got, ["invalid-suppression@2", "rule-x@3"]);
}

#[test]
fn hygiene_findings_can_be_suppressed_and_unused_suppression_is_judged_last() {
    // A comment covers itself: its unknown name is silenced by naming unknown-rule.
    let t = "FROM a\n# edgelint: ignore[rule-q, unknown-rule] -- 2.x\nRUN b\n";
    assert_eq!(pass(FileKind::Dockerfile, t, Vec::new()), Vec::<String>::new());
    // ignore[unused-suppression] keeps a suppression that matches nothing.
    let t = "FROM a\n# edgelint: ignore[rule-x, unused-suppression] -- arm only\nRUN b\n";
    assert_eq!(pass(FileKind::Dockerfile, t, Vec::new()), Vec::<String>::new());
    // But an ignore[unused-suppression] that silences nothing is reported.
    let t = "FROM a\n# edgelint: ignore[rule-x, unused-suppression] -- arm only\nRUN b\n";
    let got = pass(FileKind::Dockerfile, t, vec![finding(t, "rule-x", "b", 0)]);
    assert_eq!(got, ["unused-suppression@2"]);
}

#[test]
fn configured_off_hygiene_rules_say_nothing() {
    let t = "FROM a\n# edgelint: ignor[x]\n# edgelint: ignore[rule-q]\nRUN b\n";
    let settings = Settings { select: vec!["rule-x".into()], ..Settings::default() };
    let got = pass_with(FileKind::Dockerfile, t, &settings, Vec::new(), &["rule-x"], Vec::new());
    assert_eq!(got, Vec::<String>::new());
    assert_eq!(
        pass(FileKind::Dockerfile, t, Vec::new()),
        ["invalid-suppression@2", "unknown-rule@3"]
    );
}

#[test]
fn declared_platforms_are_checked_where_written() {
    let (_, c) = lint(
        FileKind::Compose,
        "x-edgelint:\n  platforms: [linux/arm64, \"a/b/c/d\"]\nservices:\n  web:\n    image: x\n    x-edgelint: {platforms: [linux/arm64]}\n",
    );
    let messages: Vec<&str> = c.problems.iter().map(|p| p.message.as_str()).collect();
    assert_eq!(messages.len(), 2, "{messages:?}");
    assert!(messages[0].starts_with("`a/b/c/d` is not a platform"), "{messages:?}");
    assert!(messages[1].contains("top level of the file only"), "{messages:?}");
    // a top-level `x-edgelint` with only `platforms` is complete
    let (_, c) = lint(FileKind::Compose, "x-edgelint: {platforms: [linux/arm64]}\nservices: {}\n");
    assert!(c.problems.is_empty());
    assert!(c.suppressions.is_empty());
}
