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
    let text = "FROM alpine\nRUN <<EOF\napk add curl\nFROM not-an-instruction\nEOF\nCMD [\"sh\"]\n";
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
    let text = "FROM alpine\nCOPY <<X <<Y /dest\nY\nX\nX\nY\nRUN cat <<A && cat <<B\na\nA\nb\nB\n";
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
    assert_eq!(copy.flag("from").and_then(|f| f.value.clone()), Some(sp_nth_s(text, "build", 2)));
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
    assert_eq!(stages, [Some(0), Some(0), Some(1), Some(1), Some(2), Some(2), Some(2), Some(2)]);
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
    let msgs: Vec<(&str, Span)> = d.errors.iter().map(|e| (e.message.as_str(), e.span)).collect();
    // A duplicate name is the `duplicate-stage-name` rule's, not a parse error.
    assert_eq!(msgs.len(), 1);
    assert_eq!(msgs[0].1, sp(text, "1st"));
    assert!(msgs[0].0.starts_with("invalid stage name '1st'"));
    assert_eq!(d.stages.len(), 3);
    // references by name reach the first stage of that name
    let d = parse("FROM alpine AS x\nFROM busybox AS X\nFROM x\n");
    assert_eq!(d.stages[2].base_stage, Some(0));
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
    assert_eq!(d.arg_value(None, "REGISTRY").and_then(|b| b.value).as_deref(), Some("docker.io"));
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
        ("ARG REGISTRY=ghcr.io\nARG TAG=1.0\nFROM $REGISTRY/app:${TAG}\n", Some("ghcr.io/app:1.0")),
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
    assert_eq!((arg2.key.value.as_str(), arg2.value.clone()), ("NAME2", Some(s(text, "default"))));
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
    let text = "FROM node:20 AS build extra\nRUN npm ci\nFROM alpine AS\nCOPY --from=build /a /a\n";
    let d = parse(text);
    let errors: Vec<(&str, Span)> = d.errors.iter().map(|e| (e.message.as_str(), e.span)).collect();
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
    assert_eq!(msgs, ["the FROM instruction requires at least one argument"]);
    // No FROM at all: one error, not one per instruction.
    let d = parse("RUN echo hi\nCMD [\"x\"]\n");
    let msgs: Vec<&str> = d.errors.iter().map(|e| e.message.as_str()).collect();
    assert_eq!(msgs, ["no FROM instruction: a Dockerfile needs at least one build stage"]);
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
