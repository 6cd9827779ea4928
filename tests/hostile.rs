//! Hostile and broken input, each case with an asserted outcome: invalid YAML and Dockerfiles
//! (a located `parse-error`, the rest still read), alias bombs and deep nesting (bounded, a
//! clear finding), size limits, encodings and line endings, the file system (FIFOs, devices,
//! symlink loops, unreadable files, non-UTF-8 names) and closed output pipes.

// Helpers outside #[test] functions unwrap too: a failure there is a test failure.
#![allow(clippy::unwrap_used)]

mod common;

use edgelint::document::{Document, FileKind};
use edgelint::settings::Settings;
use edgelint::source::SourceFile;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

// ---------------------------------------------------------------------------------------------
// helpers

/// `(line, column, rule, message)` of every finding, linting `text` as `path` with all rules.
fn findings(path: &str, text: &str) -> Vec<(usize, usize, String, String)> {
    let report = edgelint::lint_source(path, text, &Settings::default()).expect("recognised");
    report
        .diagnostics
        .iter()
        .map(|d| {
            let p = report.source.position(d.span.start);
            (p.line, p.column, d.rule.to_string(), d.message.clone())
        })
        .collect()
}

fn parse_errors(path: &str, text: &str) -> Vec<(usize, usize, String)> {
    findings(path, text)
        .into_iter()
        .filter(|f| f.2 == "parse-error")
        .map(|(l, c, _, m)| (l, c, m))
        .collect()
}

/// The objects the Kubernetes view found: what the rules get to see.
fn k8s_objects(text: &str) -> Vec<String> {
    let (doc, _) = edgelint::parse(&SourceFile::new("x.yaml", text), FileKind::Kubernetes);
    let Document::Kubernetes(m) = doc else { unreachable!() };
    m.objects.iter().map(|o| o.name.as_ref().map_or(String::new(), |n| n.value.clone())).collect()
}

fn dockerfile_keywords(text: &str) -> Vec<String> {
    let (doc, _) = edgelint::parse(&SourceFile::new("Dockerfile", text), FileKind::Dockerfile);
    let Document::Dockerfile(d) = doc else { unreachable!() };
    d.instructions.iter().map(|i| i.keyword.clone()).collect()
}

fn edgelint() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_edgelint"));
    c.stdin(Stdio::null());
    c
}

fn run(args: &[&str], cwd: &Path) -> Output {
    edgelint().args(args).current_dir(cwd).output().expect("run edgelint")
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A fresh directory under the target dir.
fn temp_dir(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("hostile").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs `f` on a thread with a small stack: recursion on input depth would overflow it.
fn in_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    let thread = std::thread::Builder::new().stack_size(512 * 1024).spawn(f).expect("spawn");
    thread.join().expect("no stack overflow or panic")
}

const CM: &str = "apiVersion: v1\nkind: ConfigMap\n";

// ---------------------------------------------------------------------------------------------
// invalid YAML: located parse errors, the other documents still read

#[test]
fn invalid_yaml_kinds_are_located_parse_errors() {
    let cases: &[(&str, (usize, usize), &str)] = &[
        // (text, expected line:col, message contains)
        ("metadata:\n  labels: [a, b\n", (2, 11), "unclosed bracket"),
        ("metadata:\n  name: x\n bad: 1\n", (3, 2), "indentation"),
        ("metadata:\n  name: 'unterminated\n", (2, 9), ""),
        ("metadata:\n  name: @STS_NAME@\n", (2, 9), ""),
        ("metadata:\n\tname: x\n", (2, 2), "tabs"),
        ("metadata: {name: x\n", (1, 11), ""),
        ("metadata:\n  name: x\n  name: y\n", (3, 3), "duplicate key `name`"),
        ("metadata:\n  name: *nowhere\n", (2, 9), "unknown anchor `nowhere`"),
        ("metadata:\n  name: !e!x y\n", (2, 9), ""),
    ];
    for (body, (line, col), needle) in cases {
        let text = format!("{CM}{body}");
        let errors = parse_errors("x.yaml", &text);
        assert!(!errors.is_empty(), "no parse error for {body:?}");
        let (l, c, m) = &errors[0];
        // The first two lines are the ConfigMap header.
        assert_eq!((*l, *c), (line + 2, *col), "position for {body:?}: {m}");
        assert!(m.contains(needle), "message for {body:?}: {m}");
        assert!(m.chars().next().is_some_and(|c| !c.is_uppercase()), "lowercase start: {m}");
        assert!(!m.ends_with('.'), "no trailing period: {m}");
    }
}

#[test]
fn a_broken_document_in_the_middle_hides_nothing() {
    let mut text = String::new();
    for i in 0..5 {
        text.push_str(&format!("---\n{CM}metadata:\n  name: cm{i}\n"));
        if i == 2 {
            text.push_str("  labels: [oops\n");
        }
    }
    let errors = parse_errors("x.yaml", &text);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].0, 16, "{errors:?}");
    // Every document is still there, the broken one with what was read before the error.
    assert_eq!(k8s_objects(&text), ["cm0", "cm1", "cm2", "cm3", "cm4"]);
}

#[test]
fn duplicate_keys_keep_the_document() {
    let text = format!("{CM}metadata:\n  name: a\n  name: b\n---\n{CM}metadata: {{name: c}}\n");
    let errors = parse_errors("x.yaml", &text);
    assert_eq!(errors, [(5, 3, "duplicate key `name` (first defined at 4:3)".to_string())]);
    // The last value wins, as in Kubernetes' own conversion.
    assert_eq!(k8s_objects(&text), ["b", "c"]);
}

#[test]
fn unknown_local_tags_are_read_as_written_undeclared_handles_are_errors() {
    // `!Ref` and friends are valid YAML (CloudFormation, Home Assistant); Kubernetes' decoder
    // reads the scalar as a string. No finding.
    let text =
        format!("{CM}metadata: {{name: !Ref x}}\ndata: {{a: !Custom {{b: 1}}, c: !!str 5}}\n");
    assert_eq!(parse_errors("x.yaml", &text), []);
    assert_eq!(k8s_objects(&text), ["x"]);
    // A named handle without a %TAG directive is a syntax error.
    let text = format!("{CM}metadata: {{name: !e!x y}}\n---\n{CM}metadata: {{name: z}}\n");
    let errors = parse_errors("x.yaml", &text);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!((errors[0].0, errors[0].1), (3, 18));
    assert_eq!(
        errors[0].2,
        "tag handle is not declared; add a `%TAG` directive or write a local tag like `!x`"
    );
    // The broken document keeps what was read before the error (no name yet).
    assert_eq!(k8s_objects(&text), ["", "z"]);
}

#[test]
fn dockerfile_unknown_instruction_is_located_and_the_rest_parsed() {
    let text =
        "FROM alpine:3.20\nRUN echo a\nFORM debian\nCOPY . /app\nBOGUS x \\\n  y\nCMD [\"/app\"]\n";
    let errors = parse_errors("Dockerfile", text);
    assert_eq!(
        errors.iter().map(|e| (e.0, e.1)).collect::<Vec<_>>(),
        [(3, 1), (5, 1)],
        "{errors:?}"
    );
    assert!(errors[0].2.contains("FORM"), "{errors:?}");
    assert_eq!(dockerfile_keywords(text), ["FROM", "RUN", "COPY", "CMD"]);
}

#[test]
fn a_dockerfile_with_thousands_of_errors_stops_with_a_finding() {
    let text = format!("FROM alpine\n{}", "BOGUS x\n".repeat(50_000));
    let start = Instant::now();
    let errors = parse_errors("Dockerfile", &text);
    assert!(start.elapsed() < Duration::from_secs(20), "{:?}", start.elapsed());
    // The parser stops after 100 recoveries (101 unknown instructions, then "too many errors");
    // the engine shows the first 20 and says how many more there are.
    assert_eq!(errors.len(), edgelint::engine::MAX_PARSE_ERRORS, "{errors:?}");
    assert!(
        errors.last().unwrap().2.ends_with("(82 more parse errors after this one not shown)"),
        "{:?}",
        errors.last()
    );
}

/// Errors late in a long file: each error once re-ran the parser over everything before it
/// (blanked), so 100 errors after 20,000 instructions cost 100 whole-file parses. Asserts what
/// recovery reads: every error located, every good instruction between them kept, in order.
#[test]
fn dockerfile_errors_after_many_instructions_are_each_recovered_locally() {
    for escape in ["", "# escape=`\n"] {
        let mut text = format!("{escape}FROM alpine\n");
        for i in 0..20_000 {
            text.push_str(&format!("RUN echo {i}\n"));
        }
        // Errors with good instructions between them, a comment right after an error (must not
        // be read as a parser directive) and a FROM whose tail is wrong (its stage survives).
        for i in 0..60 {
            text.push_str(&format!("BOGUS{i} x\n# escape=\\\nRUN after {i}\n"));
        }
        text.push_str("FROM base AS\nRUN in-last-stage\n");
        let head = escape.lines().count() + 20_001;
        let (doc, _) = edgelint::parse(&SourceFile::new("Dockerfile", &text), FileKind::Dockerfile);
        let Document::Dockerfile(d) = doc else { unreachable!() };
        let errors: Vec<(usize, String)> = d
            .errors
            .iter()
            .map(|e| (text[..e.span.start].matches('\n').count() + 1, e.message.clone()))
            .collect();
        let mut want: Vec<(usize, String)> = (0..60)
            .map(|i| (head + 1 + 3 * i, format!("unknown instruction 'BOGUS{i}'")))
            .collect();
        want.push((head + 181, "expected a stage name after AS".to_string()));
        assert_eq!(errors, want, "escape directive {escape:?}");
        assert_eq!(d.escape, if escape.is_empty() { '\\' } else { '`' });
        let runs: Vec<&str> = d
            .instructions
            .iter()
            .filter(|i| i.keyword == "RUN")
            .map(|i| &text[i.span.start..i.span.end])
            .collect();
        assert_eq!(runs.len(), 20_000 + 60 + 1);
        assert_eq!(runs[19_999], "RUN echo 19999");
        assert_eq!(runs[20_000], "RUN after 0");
        assert_eq!(runs[20_059], "RUN after 59");
        assert_eq!(runs[20_060], "RUN in-last-stage");
        assert_eq!(d.stages.len(), 2);
        assert_eq!(d.stages[1].image.value, "base");
        assert_eq!(d.instructions.last().and_then(|i| i.stage), Some(1));
    }
    // Errors before the first FROM, each followed by a comment line: the comment is not a
    // parser directive, and the escape directive of the file still holds after recovery.
    let text =
        "# escape=`\nARG A=1\nBOGUS\n# escape=\\\nARG B=2\nOOPS\n# x\nFROM alpine\nRUN a `\n  b\n";
    let (doc, _) = edgelint::parse(&SourceFile::new("Dockerfile", text), FileKind::Dockerfile);
    let Document::Dockerfile(d) = doc else { unreachable!() };
    let errors: Vec<&str> = d.errors.iter().map(|e| &text[e.span.start..e.span.end]).collect();
    assert_eq!(errors, ["BOGUS", "OOPS"]);
    let spans: Vec<&str> = d.instructions.iter().map(|i| &text[i.span.start..i.span.end]).collect();
    assert_eq!(spans, ["ARG A=1", "ARG B=2", "FROM alpine", "RUN a `\n  b"]);
    assert_eq!(d.global_args.len(), 2);
}

/// Many ARGs, each asked for at every instruction: `arg_at` once rebuilt the scope from the
/// stage's start on every call (20,000 ARGs: 200 million steps). Asserts the values seen.
#[test]
fn dockerfile_args_asked_everywhere_in_a_long_stage() {
    let n = 20_000;
    let mut text = String::from("ARG G=g\nARG G2=${G}2\nFROM alpine\nARG G\n");
    for i in 0..n {
        // Every 1000th ARG is redeclared without a value: from there on it has none (a stage
        // ARG without a value re-imports only a global default).
        if i % 1000 == 999 {
            text.push_str(&format!("ARG A{}\n", i - 1));
        }
        text.push_str(&format!("ARG A{i}=${{G}}-{i}\nENV E{i}=$A{i}\n"));
    }
    let (doc, _) = edgelint::parse(&SourceFile::new("Dockerfile", &text), FileKind::Dockerfile);
    let Document::Dockerfile(d) = doc else { unreachable!() };
    fn value(b: Option<edgelint::syntax::dockerfile::ArgBinding<'_>>) -> Option<String> {
        b.and_then(|b| b.value)
    }
    for (index, ins) in d.instructions.iter().enumerate() {
        let edgelint::syntax::dockerfile::Args::Pairs(kvs) = &ins.args else { continue };
        let key = kvs[0].key.value.clone();
        if ins.keyword == "ENV" {
            // The ARG this ENV reads is declared on the line before.
            let arg = key.replacen('E', "A", 1);
            let i: usize = arg[1..].parse().unwrap();
            assert_eq!(value(d.arg_at(index, &arg)), Some(format!("g-{i}")), "{arg} at {index}");
            // Not yet declared: the next one.
            assert_eq!(d.arg_at(index, &format!("A{}", i + 1)), None);
        }
    }
    assert_eq!(value(d.arg_at(2, "G2")), Some("g2".to_string()), "FROM sees the globals");
    assert_eq!(value(d.arg_at(3, "G")), None, "not before its redeclaration");
    assert_eq!(value(d.arg_at(4, "G")), Some("g".to_string()));
    assert_eq!(d.arg_at(4, "G2"), None, "a global is visible in a stage only when redeclared");
    // Redeclared without a value: no value from then on (only a global default is re-imported).
    let redeclared =
        d.instructions.iter().position(|i| text[i.span.start..i.span.end] == *"ARG A998").unwrap();
    assert_eq!(value(d.arg_at(redeclared, "A998")), Some("g-998".to_string()));
    assert_eq!(value(d.arg_at(redeclared + 1, "A998")), None);
    assert_eq!(value(d.arg_value(Some(0), "A998")), None);
    assert_eq!(value(d.arg_value(Some(0), &format!("A{}", n - 1))), Some(format!("g-{}", n - 1)));
    assert_eq!(value(d.arg_value(None, "G2")), Some("g2".to_string()));
    assert_eq!(d.arg_value(None, "A0"), None);
}

// ---------------------------------------------------------------------------------------------
// bombs and depth

fn billion_laughs() -> String {
    let mut text = format!("{CM}metadata: {{name: bomb}}\ndata:\n  a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"];
    for w in names.windows(2) {
        let refs = vec![format!("*{}", w[0]); 9].join(", ");
        text.push_str(&format!("  {}: &{} [{refs}]\n", w[1], w[1]));
    }
    text
}

#[test]
fn billion_laughs_is_bounded_and_reported() {
    let text = billion_laughs();
    let start = Instant::now();
    let found = in_small_stack(move || findings("bomb.yaml", &text));
    assert!(start.elapsed() < Duration::from_secs(10), "{:?}", start.elapsed());
    let bombs: Vec<_> = found.iter().filter(|f| f.3.starts_with("alias bomb")).collect();
    assert_eq!(bombs.len(), 1, "{found:?}");
    // At the first `*h`, on the last line (`  i: &i [*h, …`).
    assert_eq!((bombs[0].0, bombs[0].1), (13, 10), "{found:?}");
    assert_eq!(bombs[0].2, "parse-error");
}

#[test]
fn billion_laughs_in_an_unknown_kind_and_in_compose_is_bounded() {
    // An unknown kind is searched structurally for pod templates: the search once followed
    // every alias (9^8 paths) and hung.
    let text = billion_laughs().replace("kind: ConfigMap", "kind: Widget");
    let start = Instant::now();
    let found = in_small_stack(move || findings("bomb.yaml", &text));
    assert!(start.elapsed() < Duration::from_secs(10), "{:?}", start.elapsed());
    assert!(found.iter().any(|f| f.3.starts_with("alias bomb")), "{found:?}");
    // Below the bomb limit (9^5 = 59,049 nodes), the search is bounded by its own budget.
    let mut text = String::from(
        "apiVersion: x/v1\nkind: Widget\nspec:\n  a: &a [{containers: [{name: c, image: i}]}]\n",
    );
    for w in ["a", "b", "c", "d", "e", "f"].windows(2) {
        let refs = vec![format!("*{}", w[0]); 9].join(", ");
        text.push_str(&format!("  {}: &{} [{refs}]\n", w[1], w[1]));
    }
    let start = Instant::now();
    let found = in_small_stack(move || findings("deep.yaml", &text));
    assert!(start.elapsed() < Duration::from_secs(10), "{:?}", start.elapsed());
    assert!(!found.iter().any(|f| f.3.starts_with("alias bomb")), "{found:?}");
    // Compose: services that all alias one big environment.
    let mut text = String::from("x-env: &env\n");
    for i in 0..2000 {
        text.push_str(&format!("  V{i}: x\n"));
    }
    text.push_str("services:\n");
    for i in 0..2000 {
        text.push_str(&format!("  s{i}: {{image: alpine, environment: *env}}\n"));
    }
    let start = Instant::now();
    let found = in_small_stack(move || findings("compose.yaml", &text));
    assert!(start.elapsed() < Duration::from_secs(10), "{:?}", start.elapsed());
    assert!(found.iter().any(|f| f.3.starts_with("alias bomb")), "{found:?}");
}

#[test]
fn deep_nesting_is_a_finding_not_a_stack_overflow() {
    for (body, column) in [
        ("[".repeat(100_000), 519),
        ("{a: ".repeat(100_000), 2051),
        // Block sequences nest on one line too: `- - - … x`.
        (format!("\n  {}x", "- ".repeat(100_000)), 0),
    ] {
        let text = format!("apiVersion: v1\nkind: Pod\nspec: {body}\n");
        let found = in_small_stack(move || parse_errors("deep.yaml", &text));
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].2, "nesting is deeper than 512 levels");
        if column > 0 {
            assert_eq!((found[0].0, found[0].1), (3, column));
        }
    }
}

#[test]
fn deep_nesting_through_the_binary() {
    // The binary lints on worker threads with their own (smaller) stacks.
    let dir = temp_dir("deep");
    std::fs::write(
        dir.join("deep.yaml"),
        format!("apiVersion: v1\nkind: Pod\nspec: {}\n", "[".repeat(100_000)),
    )
    .unwrap();
    std::fs::write(dir.join("bomb.yaml"), billion_laughs()).unwrap();
    let o = run(&["--format", "concise", "."], &dir);
    assert_eq!(o.status.code(), Some(1), "{}", err(&o));
    let text = out(&o);
    assert!(text.contains("bomb.yaml:13:10: error[parse-error] alias bomb"), "{text}");
    assert!(
        text.contains("deep.yaml:3:519: error[parse-error] nesting is deeper than 512 levels"),
        "{text}"
    );
}

// ---------------------------------------------------------------------------------------------
// size limits

/// A sparse file of `len` bytes: costs no disk, but reading it whole would take long.
fn sparse(path: &Path, prefix: &[u8], len: u64) {
    let mut f = std::fs::File::create(path).unwrap();
    f.write_all(prefix).unwrap();
    f.set_len(len).unwrap();
}

#[test]
fn over_size_files_are_findings_and_never_read_whole() {
    let dir = temp_dir("size");
    // 64 GiB: reading it would take minutes and more memory than the machine has.
    sparse(&dir.join("Dockerfile"), b"FROM alpine\n", 64 << 30);
    // 9 MiB of a real manifest: a comment block after the header.
    let mut manifest = format!("{CM}metadata: {{name: big}}\n#").into_bytes();
    manifest.resize(9 << 20, b'#');
    manifest.push(b'\n');
    std::fs::write(dir.join("deploy.yaml"), &manifest).unwrap();
    // Walked and not Compose/Kubernetes: skipped silently, as when small.
    sparse(&dir.join("values.yaml"), b"replicas: 3\n", 9 << 20);
    std::fs::write(dir.join("small.yaml"), format!("{CM}metadata: [\n")).unwrap();
    let start = Instant::now();
    let o = run(&["--format", "concise", "."], &dir);
    assert!(start.elapsed() < Duration::from_secs(20), "{:?}", start.elapsed());
    assert_eq!(o.status.code(), Some(1), "{}", err(&o));
    assert_eq!(
        out(&o),
        "Dockerfile:1:1: error[file-too-large] file is 64 GiB (68719476736 bytes), over the 8 MiB size limit; it was not linted\n\
         deploy.yaml:1:1: error[file-too-large] file is 9 MiB (9437185 bytes), over the 8 MiB size limit; it was not linted\n\
         small.yaml:3:11: error[parse-error] unclosed bracket '['\n"
    );
    assert_eq!(err(&o), "");
    // Named explicitly, any over-size file is reported.
    let o = run(&["--format", "concise", "values.yaml"], &dir);
    assert!(out(&o).starts_with("values.yaml:1:1: error[file-too-large] "), "{}", out(&o));
    // A larger limit reads it; suffixes are binary.
    let o = run(&["--format", "concise", "--max-file-size", "10M", "deploy.yaml"], &dir);
    assert_eq!(out(&o), "", "{}", err(&o));
    assert_eq!(o.status.code(), Some(0));
    let o = run(&["--format", "concise", "--max-file-size", "20", "small.yaml"], &dir);
    assert!(out(&o).contains("over the 20 bytes size limit"), "{}", out(&o));
    // Selectable and ignorable like parse-error.
    let o = run(&["--format", "concise", "--ignore", "file-too-large", "Dockerfile"], &dir);
    assert_eq!((out(&o).as_str(), o.status.code()), ("", Some(0)));
    for bad in ["0", "-1", "8X", "99999999999G", ""] {
        let o = run(&["--max-file-size", bad, "."], &dir);
        assert_eq!(o.status.code(), Some(2), "--max-file-size {bad:?}");
    }
}

#[test]
fn over_size_stdin_is_a_finding() {
    let mut child = edgelint()
        .args([
            "--format",
            "concise",
            "--max-file-size",
            "1K",
            "--stdin-filename",
            "Dockerfile",
            "-",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        // More than the limit; edgelint may stop reading (a broken pipe here is fine).
        let _ = stdin.write_all(&b"RUN x\n".repeat(10_000));
    });
    let o = child.wait_with_output().unwrap();
    writer.join().unwrap();
    assert_eq!(
        out(&o),
        "Dockerfile:1:1: error[file-too-large] input is over the 1 KiB size limit; it was not linted\n"
    );
    assert_eq!(o.status.code(), Some(1));
}

// ---------------------------------------------------------------------------------------------
// encodings, line endings, odd content

#[test]
fn latin1_dockerfile_is_a_located_parse_error_and_still_linted() {
    let text = b"FROM alpine:3.20.3\nLABEL maintainer=\"J\xe9r\xf4me\"\nRUN echo ok\nUSER app\n";
    let dir = temp_dir("latin1");
    std::fs::write(dir.join("Dockerfile"), text).unwrap();
    let o = run(&["--format", "concise", "Dockerfile"], &dir);
    assert_eq!(
        out(&o),
        "Dockerfile:2:20: error[parse-error] file is not valid UTF-8; invalid bytes were read as U+FFFD\n"
    );
    let lossy = String::from_utf8_lossy(text);
    assert_eq!(dockerfile_keywords(&lossy), ["FROM", "LABEL", "RUN", "USER"]);
}

#[test]
fn binary_content_gives_findings_not_crashes() {
    let dir = temp_dir("binary");
    let mut bytes = Vec::new();
    for i in 0..20_000u32 {
        bytes.push((i.wrapping_mul(2_654_435_761) >> 13) as u8);
    }
    std::fs::write(dir.join("Dockerfile"), &bytes).unwrap();
    std::fs::write(dir.join("junk.yaml"), &bytes).unwrap();
    std::fs::write(dir.join("nul.Dockerfile"), b"FROM alpine\0\nRUN \0\0\0\n").unwrap();
    let o = run(&["--format", "concise", "."], &dir);
    assert_eq!(o.status.code(), Some(1), "{}", err(&o));
    let text = out(&o);
    assert!(
        text.lines().any(|l| l.starts_with("Dockerfile:") && l.contains("parse-error")),
        "{text}"
    );
    assert!(!text.contains("junk.yaml"), "binary .yaml found by walking is not a manifest: {text}");
    assert!(!err(&o).contains("panicked"), "{}", err(&o));
    // Named explicitly, the binary YAML gets a note, not a crash.
    let o = run(&["junk.yaml"], &dir);
    assert_eq!(o.status.code(), Some(0));
    assert!(err(&o).contains("not a Dockerfile, Compose or Kubernetes file"), "{}", err(&o));
}

#[test]
fn bom_crlf_and_cr_keep_positions_right() {
    // A byte order mark is not content: no finding, and columns start after it.
    assert_eq!(parse_errors("Dockerfile", "\u{feff}FROM alpine:3.20\nRUN echo\n"), []);
    let e = parse_errors("x.yaml", &format!("\u{feff}{CM}metadata: [\n"));
    assert_eq!((e[0].0, e[0].1), (3, 11), "{e:?}");
    for eol in ["\r\n", "\r"] {
        let text = format!("{CM}metadata:\n  name: x\n  labels: [a\n").replace('\n', eol);
        let e = parse_errors("x.yaml", &text);
        assert_eq!(e.len(), 1, "{eol:?}: {e:?}");
        assert_eq!((e[0].0, e[0].1), (5, 11), "{eol:?}: {e:?}");
        let text = "FROM alpine\nFORM x\nRUN a \\\n  b\n".replace('\n', eol);
        let e = parse_errors("Dockerfile", &text);
        assert_eq!(e.iter().map(|e| (e.0, e.1)).collect::<Vec<_>>(), [(2, 1)], "{eol:?}: {e:?}");
    }
}

#[test]
fn empty_and_comment_only_files() {
    // A Dockerfile needs a FROM (docker build rejects an empty one).
    for text in ["", "# only\n# comments\n", "\n\n\n", "# syntax=docker/dockerfile:1\n"] {
        let e = parse_errors("Dockerfile", text);
        assert_eq!(e.len(), 1, "{text:?}: {e:?}");
        assert!(e[0].2.starts_with("no FROM instruction"), "{e:?}");
    }
    // Empty YAML is valid: nothing to say.
    for text in ["", "# only a comment\n", "---\n", "---\n...\n", "\n\n"] {
        assert_eq!(findings("compose.yaml", text), [], "{text:?}");
        let report = edgelint::lint_source(
            "x.yaml",
            text,
            &Settings { kind: Some(FileKind::Kubernetes), ..Settings::default() },
        )
        .unwrap();
        assert!(report.diagnostics.is_empty(), "{text:?}");
    }
}

#[test]
fn very_long_lines_are_linted_and_rendered_briefly() {
    let dir = temp_dir("long");
    let long = "x".repeat(3_000_000);
    std::fs::write(dir.join("cm.yaml"), format!("{CM}data: {{a: '{long}', b: [}}\n")).unwrap();
    std::fs::write(
        dir.join("Dockerfile"),
        format!("FROM alpine:3.20.3\nRUN echo {long}\nFORM x\nUSER app\n"),
    )
    .unwrap();
    let start = Instant::now();
    let o = run(&["--format", "human", "--color", "never", "."], &dir);
    assert!(start.elapsed() < Duration::from_secs(30), "{:?}", start.elapsed());
    assert_eq!(o.status.code(), Some(1));
    // The code frame of a finding on a 3 MB line does not print the line.
    assert!(o.stdout.len() < 10_000, "{} bytes of output", o.stdout.len());
    // Same findings and positions as the library gives.
    let o = run(&["--format", "concise", "."], &dir);
    let yaml = parse_errors("cm.yaml", &format!("{CM}data: {{a: '{long}', b: [}}\n"));
    assert_eq!(yaml.len(), 1);
    assert_eq!(yaml[0].1, 3_000_018, "{yaml:?}");
    assert_eq!(
        out(&o),
        format!(
            "Dockerfile:3:1: error[parse-error] unknown instruction 'FORM'\ncm.yaml:3:{}: error[parse-error] {}\n",
            yaml[0].1, yaml[0].2
        )
    );
}

#[test]
fn a_stream_of_10000_documents() {
    let mut text = String::new();
    for i in 0..10_000 {
        text.push_str(&format!("---\n{CM}metadata:\n  name: cm{i}\n"));
        if i == 5_000 {
            text.push_str("  labels: {a: [}\n");
        }
    }
    let start = Instant::now();
    let errors = parse_errors("x.yaml", &text);
    assert!(start.elapsed() < Duration::from_secs(30), "{:?}", start.elapsed());
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].0, 5_001 * 5 + 1, "{errors:?}");
    let objects = k8s_objects(&text);
    assert_eq!(objects.len(), 10_000);
    assert_eq!(objects[9_999], "cm9999");
}

// ---------------------------------------------------------------------------------------------
// the file system

#[cfg(unix)]
#[test]
fn fifos_devices_and_directories_named_like_inputs() {
    let dir = temp_dir("special");
    std::fs::write(dir.join("compose.yaml"), "services:\n  a: {image: [}\n").unwrap();
    std::fs::create_dir_all(dir.join("Dockerfile")).unwrap();
    std::fs::write(dir.join("Dockerfile/Dockerfile"), "FORM x\n").unwrap();
    let fifo = dir.join("fifo.yaml");
    let made = Command::new("mkfifo").arg(&fifo).status().is_ok_and(|s| s.success());
    std::os::unix::fs::symlink("/dev/zero", dir.join("zero.Dockerfile")).unwrap();
    // Walking: the FIFO and the link to a device are never opened (the run would block or
    // read forever); the directory named Dockerfile is walked.
    let o = run(&["--format", "concise", "."], &dir);
    assert_eq!(o.status.code(), Some(1), "{}", err(&o));
    assert_eq!(err(&o), "");
    let text = out(&o);
    assert!(text.starts_with("Dockerfile/Dockerfile:1:1: error[parse-error]"), "{text}");
    assert!(text.contains("compose.yaml:2:"), "{text}");
    // Named explicitly: an error each (exit 2), and the other files still reported.
    let mut args = vec!["--format", "concise", "/dev/null", "zero.Dockerfile", "compose.yaml"];
    if made {
        args.push("fifo.yaml");
    }
    let o = run(&args, &dir);
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("not a regular file: /dev/null"), "{}", err(&o));
    assert!(err(&o).contains("not a regular file: zero.Dockerfile"), "{}", err(&o));
    if made {
        assert!(err(&o).contains("not a regular file: fifo.yaml"), "{}", err(&o));
    }
    assert!(out(&o).starts_with("compose.yaml:2:"), "{}", out(&o));
}

#[cfg(unix)]
#[test]
fn symlink_loops_and_links_out_of_the_tree() {
    use std::os::unix::fs::symlink;
    let dir = temp_dir("links");
    let outside = temp_dir("links-outside");
    std::fs::write(outside.join("Dockerfile"), "FROM alpine:3.20.3\nFORM outside\nUSER app\n")
        .unwrap();
    let tree = dir.join("tree");
    std::fs::create_dir_all(tree.join("sub")).unwrap();
    std::fs::write(tree.join("sub/Dockerfile"), "FROM alpine:3.20.3\nFORM inside\nUSER app\n")
        .unwrap();
    symlink("..", tree.join("sub/up")).unwrap(); // a loop
    symlink(&outside, tree.join("out")).unwrap(); // a directory out of the tree
    symlink(outside.join("Dockerfile"), tree.join("linked.Dockerfile")).unwrap(); // a file
    symlink("self.yaml", tree.join("self.yaml")).unwrap(); // links to itself
    symlink("missing", tree.join("dangling.Dockerfile")).unwrap();
    // Walking follows no link: only the real file, no error, no endless walk.
    let o = run(&["--format", "concise", "tree"], &dir);
    assert_eq!(o.status.code(), Some(1), "{}", err(&o));
    assert_eq!(out(&o), "tree/sub/Dockerfile:2:1: error[parse-error] unknown instruction 'FORM'\n");
    assert_eq!(err(&o), "");
    // Named explicitly, a link is followed, wherever it points.
    let o = run(&["--format", "concise", "tree/linked.Dockerfile"], &dir);
    assert_eq!(
        out(&o),
        "tree/linked.Dockerfile:2:1: error[parse-error] unknown instruction 'FORM'\n"
    );
    // A loop or a dangling link named explicitly: an error each, the rest still linted.
    let o = run(
        &["--format", "concise", "tree/self.yaml", "tree/dangling.Dockerfile", "tree/sub"],
        &dir,
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("tree/self.yaml"), "{}", err(&o));
    assert!(err(&o).contains("no such file or directory: tree/dangling.Dockerfile"), "{}", err(&o));
    assert_eq!(err(&o).lines().count(), 2, "{}", err(&o));
    assert!(out(&o).starts_with("tree/sub/Dockerfile:2:1"), "{}", out(&o));
}

#[cfg(target_os = "linux")]
#[test]
fn a_file_that_fails_to_read_is_reported_and_the_rest_linted() {
    // /proc/self/mem opens as a regular file but reading offset 0 fails (EIO), even as root.
    let dir = temp_dir("eio");
    std::fs::write(dir.join("bad.yaml"), format!("{CM}metadata: [\n")).unwrap();
    let o =
        run(&["--format", "concise", "--kind", "dockerfile", "/proc/self/mem", "bad.yaml"], &dir);
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert!(err(&o).starts_with("edgelint: cannot read /proc/self/mem: "), "{}", err(&o));
    assert_eq!(err(&o).lines().count(), 1, "{}", err(&o));
    assert!(out(&o).starts_with("bad.yaml:"), "{}", out(&o));
}

/// Runs edgelint as an unprivileged user: directly when not root, through `setpriv` as root.
/// `None` when neither works.
#[cfg(unix)]
fn unprivileged(args: &[&str], cwd: &Path) -> Option<Output> {
    let root = Command::new("id").arg("-u").output().ok().is_some_and(|o| out(&o).trim() == "0");
    if !root {
        return Some(run(args, cwd));
    }
    // The binary may sit under a directory `nobody` cannot enter: use a copy next to the files.
    let exe = cwd.join("edgelint-copy");
    std::fs::copy(env!("CARGO_BIN_EXE_edgelint"), &exe).ok()?;
    let o = Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(&exe)
        .args(args)
        .current_dir(cwd)
        .stdin(Stdio::null())
        .output()
        .ok()?;
    // setpriv missing or not permitted, or nobody cannot run the copy.
    if o.status.code() == Some(127) || err(&o).starts_with("setpriv:") {
        return None;
    }
    Some(o)
}

#[cfg(unix)]
#[test]
fn unreadable_files_and_directories_exit_2_and_the_rest_is_reported() {
    use std::os::unix::fs::PermissionsExt;
    // Under /tmp, which every user can enter (the target dir may not be).
    let dir = std::env::temp_dir().join(format!("edgelint-hostile-perm-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("locked")).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::write(dir.join("ok.yaml"), format!("{CM}metadata: [\n")).unwrap();
    std::fs::write(dir.join("secret.Dockerfile"), "FROM alpine\n").unwrap();
    std::fs::write(dir.join("locked/Dockerfile"), "FROM alpine\n").unwrap();
    std::fs::set_permissions(dir.join("secret.Dockerfile"), std::fs::Permissions::from_mode(0o000))
        .unwrap();
    std::fs::set_permissions(dir.join("locked"), std::fs::Permissions::from_mode(0o000)).unwrap();
    let result = unprivileged(&["--format", "concise", "."], &dir);
    let _ = std::fs::set_permissions(dir.join("locked"), std::fs::Permissions::from_mode(0o755));
    let Some(o) = result else {
        let _ = std::fs::remove_dir_all(&dir);
        eprintln!("no way to run as an unprivileged user here; skipped");
        return;
    };
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    let stderr = err(&o);
    assert!(
        stderr.contains("edgelint: cannot read secret.Dockerfile: permission denied"),
        "{stderr}"
    );
    assert!(stderr.contains("edgelint: cannot read locked: permission denied"), "{stderr}");
    assert_eq!(stderr.lines().count(), 2, "{stderr}");
    assert_eq!(out(&o), "ok.yaml:3:11: error[parse-error] unclosed bracket '['\n");
}

#[cfg(target_os = "linux")]
#[test]
fn non_utf8_file_names_are_linted_and_shown_lossily() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    let dir = temp_dir("names");
    let name = OsStr::from_bytes(b"bad\xff\xfename.Dockerfile");
    std::fs::write(dir.join(name), "FORM x\n").unwrap();
    std::fs::write(dir.join("new\nline\u{1b}[2J.Dockerfile"), "FORM y\n").unwrap();
    let o = run(&["--format", "concise", "."], &dir);
    assert_eq!(o.status.code(), Some(1), "{}", err(&o));
    let text = out(&o);
    // Control characters in names are escaped: one line per finding, no terminal escapes.
    assert!(text.contains("new\\nline\\u{1b}[2J.Dockerfile:1:1: error"), "{text}");
    assert!(!text.contains('\u{1b}'), "{text}");
    assert!(text.contains("bad\u{fffd}\u{fffd}name.Dockerfile:1:1: error[parse-error]"), "{text}");
    let o = edgelint().args(["--format", "json"]).arg(name).current_dir(&dir).output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("valid JSON");
    assert_eq!(v["diagnostics"][0]["path"], "bad\u{fffd}\u{fffd}name.Dockerfile");
    assert!(!err(&o).contains("panicked"));
}

// ---------------------------------------------------------------------------------------------
// output

/// Runs edgelint, reads `keep` bytes of its output and closes the pipe (as `| head -c` does).
fn closed_pipe(args: &[&str], cwd: &Path, keep: usize) -> Output {
    let mut child = edgelint()
        .args(args)
        .current_dir(cwd)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut buf = vec![0u8; keep];
    let _ = stdout.read_exact(&mut buf);
    drop(stdout);
    child.wait_with_output().unwrap()
}

#[test]
fn a_closed_pipe_ends_quietly_in_every_command() {
    let dir = temp_dir("pipe");
    let mut text = String::new();
    for i in 0..3000 {
        text.push_str(&format!("---\n{CM}metadata: {{name: a{i}\n"));
    }
    std::fs::write(dir.join("many.yaml"), text).unwrap();
    for args in [
        &["--format", "concise", "many.yaml"][..],
        &["--format", "human", "many.yaml"],
        &["--format", "json", "many.yaml"],
        &["--format", "concise", "--statistics", "many.yaml", "nope.yaml"],
        &["inspect", "many.yaml"],
        &["rules"],
    ] {
        for keep in [0, 1] {
            let o = closed_pipe(args, &dir, keep);
            let stderr = err(&o);
            assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
            assert!(!stderr.to_lowercase().contains("broken pipe"), "{args:?}: {stderr}");
            // Ends by itself with an ordinary exit code (no signal, no panic's 101).
            let code = o.status.code();
            assert!(matches!(code, Some(0..=2)), "{args:?}: {:?}", o.status);
        }
    }
}

#[test]
fn dockerfile_arg_bombs_are_bounded() {
    // Exponential: each ARG repeats the previous one ten times.
    let mut text = String::from("ARG A0=xxxxxxxxxx\n");
    for i in 1..30 {
        text.push_str(&format!("ARG A{i}={}\n", format!("${{A{}}}", i - 1).repeat(10)));
    }
    text.push_str("FROM alpine:${A29}\nARG A29\nRUN echo $A29 ${A29//x/yyyy}\n");
    // Quadratic: 100,000 ARGs that all refer to the first.
    text.push_str("ARG B0=x\n");
    for i in 1..100_000 {
        text.push_str(&format!("ARG B{i}=$B0\n"));
    }
    text.push_str("USER app\n");
    let start = Instant::now();
    let found = findings("Dockerfile", &text);
    assert!(start.elapsed() < Duration::from_secs(20), "{:?}", start.elapsed());
    assert_eq!(found, []);
}

#[cfg(unix)]
#[test]
fn inspect_reads_only_bounded_regular_files() {
    let dir = temp_dir("inspect");
    let o = run(&["inspect", "/dev/zero"], &dir);
    assert_eq!(o.status.code(), Some(2));
    // The lint run's wording (`edgelint: not a regular file: PATH`).
    assert_eq!(err(&o), "edgelint: not a regular file: /dev/zero\n");
    sparse(&dir.join("Dockerfile"), b"FROM alpine\n", 64 << 30);
    let o = run(&["inspect", "Dockerfile"], &dir);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(err(&o), "edgelint: Dockerfile: 64 GiB is over the 8 MiB size limit\n");
}
