//! The `sarif` format: SARIF 2.1.0 for GitHub code scanning and other SARIF viewers, as one
//! compact JSON line.
//!
//! One run. `tool.driver.rules` lists every rule of the registry and the built-in findings
//! (`parse-error`, `file-too-large`), whether or not they found anything, with their summary,
//! the first paragraph of their documentation, the whole documentation (`help.markdown`, test
//! markers such as `# fixture:` removed), the documentation link, default level and tags (the
//! file kinds the rule reads, and `edge`). Each result names its rule by id and index, its level
//! (`error`, `warning`, `note` for info), the message with the help, one location and a
//! `partialFingerprints` entry (`edgelint/v1`, see [`super::ci::fingerprints`]).
//!
//! Locations are relative to the scanned root (`uriBaseId` `%SRCROOT%`, which
//! `originalUriBaseIds` maps to the current directory); a file outside it is an absolute
//! `file://` URI. Columns are UTF-16 code units (`columnKind: utf16CodeUnits`): that is what
//! GitHub code scanning and the SARIF viewers written in JavaScript count, so an emoji before a
//! finding does not shift its highlight. `endColumn` is exclusive, as SARIF defines it.

use super::ci::{self, Columns, ReportPath};
use super::RenderOptions;
use crate::diagnostic::{doc_url, FileReport, Severity, FILE_TOO_LARGE, PARSE_ERROR};
use crate::document::FileKind;
use serde_json::{json, Value};
use std::io::{self, Write};

/// `$schema` of the log.
pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// Where the tool is described.
pub const INFORMATION_URI: &str = "https://edgelint.dev";

/// The `partialFingerprints` key; bump the version if the fingerprint's recipe changes.
pub const FINGERPRINT_KEY: &str = "edgelint/v1";

/// One rule's metadata, for `tool.driver.rules`.
struct RuleInfo {
    id: &'static str,
    summary: &'static str,
    severity: Severity,
    formats: &'static [FileKind],
    doc: &'static str,
}

const BUILT_IN_DOCS: [(&str, &str, &str); 2] = [
    (
        PARSE_ERROR,
        "the input cannot be parsed: a YAML or Dockerfile syntax error, an invalid file, or a limit exceeded",
        "# parse-error\n\nBuilt in. The input cannot be read as written: a YAML syntax error, a duplicate key, an unknown anchor, a document over the nesting or size limits, a Dockerfile instruction that cannot be parsed, or a file that is not valid UTF-8. The finding points at the offending token; the rest of the file (and every other file) is still linted where possible. It cannot be suppressed by a comment; `--ignore parse-error` drops it.\n",
    ),
    (
        FILE_TOO_LARGE,
        "the file is over `--max-file-size` and was not linted",
        "# file-too-large\n\nBuilt in. The file is larger than `--max-file-size` (default 8 MiB), so it was not read or linted. Raise the limit (`--max-file-size 16M`) or exclude the file (`--exclude`).\n",
    ),
];

/// Every rule of the registry, then the built-in findings.
fn all_rules() -> Vec<RuleInfo> {
    let mut rules: Vec<RuleInfo> = crate::rules::all()
        .iter()
        .map(|r| {
            let m = r.meta();
            RuleInfo {
                id: m.name,
                summary: m.summary,
                severity: m.severity,
                formats: m.formats,
                doc: m.doc,
            }
        })
        .collect();
    for (id, summary, doc) in BUILT_IN_DOCS {
        rules.push(RuleInfo {
            id,
            summary,
            severity: Severity::Error,
            formats: &FileKind::ALL,
            doc,
        });
    }
    rules
}

/// SARIF `level` of a severity.
fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// `single-arch-image` → `SingleArchImage` (SARIF's "friendly name").
fn pascal_case(id: &str) -> String {
    id.split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next().map_or(String::new(), |f| f.to_uppercase().chain(c).collect())
        })
        .collect()
}

/// The documentation without the lines only the fixture tests read (`# fixture: …`,
/// `# expect: …`, `# expect-next: …`) and without trailing `# expect: …` comments.
pub(crate) fn help_markdown(doc: &str) -> String {
    let mut out = String::with_capacity(doc.len());
    for line in doc.lines() {
        let trimmed = line.trim_start();
        if ["# fixture:", "# expect:", "# expect-next:"].iter().any(|m| trimmed.starts_with(m)) {
            continue;
        }
        let line = match line.find("# expect:") {
            Some(at) => line[..at].trim_end(),
            None => line,
        };
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// The first paragraph after `## What it does` (else after the title), joined into one line.
fn full_description(doc: &str) -> String {
    let body = doc.split_once("## What it does").map_or(doc, |(_, rest)| rest);
    let paragraph: Vec<&str> = body
        .lines()
        .skip_while(|l| l.trim().is_empty() || l.starts_with('#'))
        .take_while(|l| !l.trim().is_empty())
        .map(str::trim)
        .collect();
    paragraph.join(" ")
}

/// A sentence: a capital first letter and a final period.
fn sentence(text: &str) -> String {
    let mut c = text.chars();
    let mut s: String = c.next().map_or(String::new(), |f| f.to_uppercase().chain(c).collect());
    if !s.ends_with(['.', '!', '?']) {
        s.push('.');
    }
    s
}

fn rule_descriptor(r: &RuleInfo) -> Value {
    let mut tags: Vec<&str> = r.formats.iter().map(|f| f.as_str()).collect();
    tags.push("edge");
    let markdown = help_markdown(r.doc);
    json!({
        "id": r.id,
        "name": pascal_case(r.id),
        "shortDescription": {"text": sentence(r.summary)},
        "fullDescription": {"text": sentence(&full_description(r.doc))},
        "help": {"text": markdown, "markdown": markdown},
        "helpUri": doc_url(r.id),
        "defaultConfiguration": {"level": level(r.severity)},
        "properties": {"tags": tags},
    })
}

/// Characters a URI path keeps as they are (RFC 3986 unreserved, `/` and sub-delims that are
/// harmless in a path); everything else is percent-encoded as UTF-8.
fn uri_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/!$&'()*+,;=@".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn artifact_location(path: &ReportPath) -> Value {
    match path {
        ReportPath::Relative(p) => json!({"uri": uri_path(p), "uriBaseId": "%SRCROOT%"}),
        ReportPath::Absolute(p) => {
            let p = if p.starts_with('/') { p.clone() } else { format!("/{p}") };
            json!({"uri": format!("file://{}", uri_path(&p))})
        }
    }
}

/// The descriptors of [`all_rules`] as a JSON array, serialized once per process: they hold
/// every rule's whole documentation, and serializing them again for each report would cost
/// more than everything else in a small run.
fn registry_descriptors() -> &'static str {
    static DESCRIPTORS: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DESCRIPTORS.get_or_init(|| {
        let descriptors: Vec<Value> = all_rules().iter().map(rule_descriptor).collect();
        serde_json::to_string(&descriptors).expect("JSON values serialize")
    })
}

pub(super) fn render(
    reports: &[FileReport],
    opts: &RenderOptions,
    w: &mut dyn Write,
) -> io::Result<()> {
    let mut rules = all_rules();
    let registered = rules.len();
    // A rule that is not in the registry (only in hand-made reports) still gets a descriptor.
    for d in reports.iter().flat_map(|r| &r.diagnostics) {
        if !rules.iter().any(|r| r.id == d.rule) {
            let (id, summary, severity) = (d.rule, d.rule, d.severity);
            rules.push(RuleInfo { id, summary, severity, formats: &[], doc: "" });
        }
    }
    // Written by hand around the cached rule descriptors: one compact line, keys in the order
    // of the SARIF specification's examples.
    let string = |s: &str| serde_json::to_string(s).expect("strings serialize");
    write!(w, "{{\"$schema\":{},\"version\":\"2.1.0\",\"runs\":[{{", string(SCHEMA_URI))?;
    write!(
        w,
        "\"tool\":{{\"driver\":{{\"name\":\"edgelint\",\"informationUri\":{},\"version\":{v},\"semanticVersion\":{v},\"rules\":",
        string(INFORMATION_URI),
        v = string(env!("CARGO_PKG_VERSION")),
    )?;
    let cached = registry_descriptors();
    if rules.len() == registered {
        w.write_all(cached.as_bytes())?;
    } else {
        let extra: Vec<Value> = rules[registered..].iter().map(rule_descriptor).collect();
        let extra = serde_json::to_string(&extra).map_err(io::Error::from)?;
        // `[a,b]` and `[c]` → `[a,b,c]`.
        write!(w, "{},{}", &cached[..cached.len() - 1], &extra[1..])?;
    }
    w.write_all(b"}},\"columnKind\":\"utf16CodeUnits\",")?;
    if let Some(root) = &opts.root {
        let root = root.to_string_lossy().replace('\\', "/");
        let root = if root.starts_with('/') { root } else { format!("/{root}") };
        let slash = if root.ends_with('/') { "" } else { "/" };
        let uri = format!("file://{}{slash}", uri_path(&root));
        write!(w, "\"originalUriBaseIds\":{{\"%SRCROOT%\":{{\"uri\":{}}}}},", string(&uri))?;
    }
    w.write_all(b"\"results\":[")?;
    write_results(reports, opts, &rules, w)?;
    w.write_all(b"]}]}\n")
}

/// The results, one at a time as each is written (a large run has hundreds of thousands:
/// building them all first took gigabytes), separated by commas.
fn write_results(
    reports: &[FileReport],
    opts: &RenderOptions,
    rules: &[RuleInfo],
    w: &mut dyn Write,
) -> io::Result<()> {
    let mut written = 0usize;
    for report in reports {
        let path = ci::report_path(&report.source.path, opts.root.as_deref());
        let fingerprints = ci::fingerprints(report, path.as_str());
        for (d, fingerprint) in report.diagnostics.iter().zip(fingerprints) {
            let region = ci::region(report, d, Columns::Utf16);
            let index = rules.iter().position(|r| r.id == d.rule).unwrap_or(0);
            let text = match &d.help {
                Some(help) => format!("{} {}", sentence(&d.message), sentence(help)),
                None => sentence(&d.message),
            };
            if written > 0 {
                w.write_all(b",")?;
            }
            written += 1;
            let result = json!({
                "ruleId": d.rule,
                "ruleIndex": index,
                "level": level(d.severity),
                "message": {"text": text},
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": artifact_location(&path),
                        "region": {
                            "startLine": region.start.line,
                            "startColumn": region.start.column,
                            "endLine": region.end.line,
                            "endColumn": region.end.column,
                        },
                    },
                }],
                "partialFingerprints": {FINGERPRINT_KEY: fingerprint},
            });
            serde_json::to_writer(&mut *w, &result).map_err(io::Error::from)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::{render, test_support, Format};

    fn sarif(reports: &[FileReport], root: Option<&str>) -> Value {
        let opts = RenderOptions { root: root.map(Into::into), ..Default::default() };
        let mut out = Vec::new();
        render(Format::Sarif, reports, &opts, &mut out).unwrap();
        serde_json::from_slice(&out).unwrap()
    }

    #[test]
    fn every_rule_is_described_and_results_point_at_them() {
        let v = sarif(&test_support::reports(), Some("/src/repo"));
        assert_eq!(v["version"], "2.1.0");
        assert_eq!(v["$schema"], SCHEMA_URI);
        let run = &v["runs"][0];
        assert_eq!(run["columnKind"], "utf16CodeUnits");
        assert_eq!(run["originalUriBaseIds"]["%SRCROOT%"]["uri"], "file:///src/repo/");
        let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
        for r in crate::rules::all() {
            assert!(rules.iter().any(|d| d["id"] == r.meta().name), "{}", r.meta().name);
        }
        let single = rules.iter().find(|d| d["id"] == "single-arch-image").unwrap();
        assert_eq!(single["name"], "SingleArchImage");
        assert_eq!(single["defaultConfiguration"]["level"], "error");
        assert_eq!(single["helpUri"], "https://edgelint.dev/rules/single-arch-image");
        let tags = single["properties"]["tags"].as_array().unwrap();
        assert_eq!(tags, &["dockerfile", "compose", "kubernetes", "edge"]);
        let markdown = single["help"]["markdown"].as_str().unwrap();
        assert!(markdown.starts_with("# single-arch-image\n"));
        assert!(!markdown.contains("# fixture:"), "test markers are stripped");
        assert!(rules.iter().any(|d| d["id"] == "parse-error"));
        assert!(rules.iter().any(|d| d["id"] == "file-too-large"));

        let results = run["results"].as_array().unwrap();
        assert_eq!(results.len(), 5);
        for r in results {
            let index = r["ruleIndex"].as_u64().unwrap() as usize;
            assert_eq!(rules[index]["id"], r["ruleId"]);
        }
        let levels: Vec<&str> = results.iter().map(|r| r["level"].as_str().unwrap()).collect();
        assert_eq!(levels, ["warning", "error", "error", "warning", "note"]);
        let café = &results[2];
        assert_eq!(café["message"]["text"], "Service `café` has no memory limit.");
        let location = &café["locations"][0]["physicalLocation"];
        assert_eq!(location["artifactLocation"]["uri"], "deploy/compose.yaml");
        assert_eq!(location["artifactLocation"]["uriBaseId"], "%SRCROOT%");
        assert_eq!(
            location["region"],
            json!({"startLine": 2, "startColumn": 7, "endLine": 3, "endColumn": 10})
        );
        assert_eq!(
            results[0]["message"]["text"],
            "Image `alpine` has no tag (`latest`). Pin a version or a digest."
        );
        assert_eq!(results[0]["partialFingerprints"][FINGERPRINT_KEY].as_str().unwrap().len(), 32);
    }

    #[test]
    fn columns_are_utf16_and_paths_are_uris() {
        use crate::diagnostic::Diagnostic;
        use crate::source::{SourceFile, Span};
        let text = "services:\n  app:\n    labels: {x: \"é😀\", y: latest}\n";
        let start = text.find("latest").unwrap();
        let reports = vec![FileReport {
            source: SourceFile::new("/elsewhere/my app/compose.yaml", text),
            kind: Some(FileKind::Compose),
            diagnostics: vec![Diagnostic::new(
                "r",
                Severity::Info,
                Span::new(start, start + 6),
                "m",
            )],
            unknown_platforms: Vec::new(),
        }];
        let v = sarif(&reports, Some("/src/repo"));
        let location = &v["runs"][0]["results"][0]["locations"][0]["physicalLocation"];
        // `    labels: {x: "é😀", y: ` is 25 characters but 26 UTF-16 units.
        assert_eq!(location["region"]["startColumn"], 27);
        assert_eq!(location["region"]["endColumn"], 33);
        assert_eq!(
            location["artifactLocation"],
            json!({"uri": "file:///elsewhere/my%20app/compose.yaml"})
        );
        // An unknown rule still has a descriptor to point at.
        let rules = v["runs"][0]["tool"]["driver"]["rules"].as_array().unwrap();
        assert_eq!(
            rules[v["runs"][0]["results"][0]["ruleIndex"].as_u64().unwrap() as usize]["id"],
            "r"
        );
    }

    #[test]
    fn one_compact_line_and_no_base_without_a_root() {
        let opts = RenderOptions::default();
        let mut out = Vec::new();
        render(Format::Sarif, &[], &opts, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with("{\"$schema\":") && text.ends_with("]}\n"));
        assert_eq!(text.lines().count(), 1);
        let v: Value = serde_json::from_str(&text).unwrap();
        assert!(v["runs"][0].get("originalUriBaseIds").is_none());
        assert_eq!(v["runs"][0]["results"], json!([]));
        assert_eq!(
            v["runs"][0]["tool"]["driver"]["rules"].as_array().unwrap().len(),
            crate::rules::all().len() + 2
        );
    }

    #[test]
    fn test_markers_are_stripped_from_help() {
        let doc = "# r\n\n```yaml\n# fixture: platforms=linux/arm/v7\nimage: x  # expect: r\n# expect-next: r\nimage: y\n```\n";
        assert_eq!(help_markdown(doc), "# r\n\n```yaml\nimage: x\nimage: y\n```\n");
        assert_eq!(
            full_description("# r\n\n## What it does\n\nFinds a\nthing.\n\nMore."),
            "Finds a thing."
        );
    }
}
