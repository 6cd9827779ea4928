//! What kind of file a path holds: Dockerfiles by name, YAML by name plus a cheap line scan.
//!
//! The scan uses no YAML parser on purpose: a broken Compose file or manifest must still be
//! recognised, so that its parse error is reported instead of the file being skipped silently.
//!
//! Name rules (ASCII case-insensitive, on the file name only):
//!
//! - **Dockerfile**: `Dockerfile` and `Containerfile` in any case (Docker itself falls back to
//!   `dockerfile`); `<x>.Dockerfile` and `<x>.Containerfile` in any case (`dev.DOCKERFILE`);
//!   `Dockerfile.<x>` and `Containerfile.<x>` with exactly that capitalisation, because
//!   lower-case `dockerfile.go`, `dockerfile.vim`, `dockerfile.rs` are source files about
//!   Dockerfiles (found on this machine: vim's `syntax/dockerfile.vim`). `Dockerfile.<x>` is not
//!   a Dockerfile when its last extension names a template, a backup, documentation, a script
//!   or another format ([`NOT_DOCKERFILE_EXTENSIONS`]: `Dockerfile.j2`, `Dockerfile.md`,
//!   `Dockerfile.dockerignore` …); this follows the corpus selection rule
//!   (`shared/corpus/README.md`), which excludes `.template`, `.tmpl`, `.j2`, `.in`, `.md`,
//!   `.sh`. `Dockerfile-prod` and `Dockerfile_arm64` are not matched by name (neither Docker,
//!   the corpus rule nor pre-commit's `identify` treats them as Dockerfiles).
//! - **YAML**: extension `.yaml` or `.yml`.
//! - **Compose name**: a YAML file named `compose` or `docker-compose`, optionally followed by
//!   `.`, `-` or `_` and more (`compose.yaml`, `docker-compose.override.yml`,
//!   `docker-compose-mysql.yml`). The separator is required so that `composer.yml` is not one.
//!
//! Content rules for YAML, checked in this order by [`classify`]:
//!
//! 1. **HelmTemplate**: a `templates` directory in the path and `{{` in the text. Helm templates
//!    are not YAML until rendered; linting them would only report parse errors.
//! 2. **Compose**: a compose name, unless the text looks like Kubernetes and has no `services`.
//! 3. **Kubernetes**: some document whose top-level mapping has both `apiVersion` and `kind`
//!    keys (plain, `"quoted"` or `'quoted'`, in block or JSON-style flow syntax). `kind: List`
//!    documents carry both keys at the top, so they are included.
//! 4. **Compose**: any other YAML with a document whose top-level `services` value is a mapping
//!    and whose other top-level keys are all Compose keys (`version`, `name`, `networks`,
//!    `volumes`, `configs`, `secrets`, `include`, `models`, `x-*`). A bare top-level
//!    `services:` is not enough: `.gitlab-ci.yml` has a top-level `services:` list and Helm
//!    values files often have a `services:` map next to other keys.
//!
//! Files whose name matches nothing ([`NameClass::Other`], only reachable when named explicitly
//! or through `--stdin-filename`, and standard input without a name) are classified by content
//! as a fallback: Kubernetes and Compose by the rules above (JSON manifests, `docker compose
//! config` output), Dockerfile if the first instruction is `FROM` or `ARG`.

use std::path::{Component, Path};

/// What a file is, decided by [`classify`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Classification {
    Dockerfile,
    Compose,
    Kubernetes,
    /// A Helm chart template (not YAML until rendered); skipped.
    HelmTemplate,
    /// None of the kinds edgelint reads.
    Unrecognised,
}

/// What a file's name alone says, decided by [`by_name`]. Used by the directory walk to pick
/// candidates without opening files.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NameClass {
    Dockerfile,
    /// A `.yaml` / `.yml` file that is not a compose name.
    Yaml,
    /// A YAML file with a Compose name (`docker-compose*.y[a]ml`, `compose*.y[a]ml`).
    ComposeName,
    Other,
}

impl NameClass {
    /// Whether a walked file with this name should be read and classified by content.
    pub fn is_candidate(self) -> bool {
        self != NameClass::Other
    }
}

/// Last extensions that make `Dockerfile.<ext>` / `Containerfile.<ext>` something other than a
/// Dockerfile: templates, documentation, scripts, backups, editor files, other formats.
pub const NOT_DOCKERFILE_EXTENSIONS: &[&str] = &[
    // documentation and text
    "md",
    "markdown",
    "rst",
    "txt",
    "sh",
    "bash",
    "ps1",
    "py",
    "j2",
    "jinja",
    "jinja2",
    "tmpl",
    "tpl",
    "template",
    "gotmpl",
    "mustache",
    "hbs",
    "erb",
    "in",
    "bak",
    "orig",
    "rej",
    "old",
    "tmp",
    "swp",
    "swo",
    "dockerignore",
    "json",
    "yaml",
    "yml",
    "toml",
    "diff",
    "patch",
    // source files about Dockerfiles
    "go",
    "rs",
    "js",
    "ts",
    "rb",
    "java",
    "vim",
    "el",
    "lua",
];

/// Top-level keys the Compose specification allows (besides `x-*` extensions).
const COMPOSE_TOP_LEVEL_KEYS: &[&str] = &[
    "version", "name", "services", "networks", "volumes", "configs", "secrets", "include",
    "models", "<<",
];

/// Classifies a path by its file name alone.
pub fn by_name(path: &Path) -> NameClass {
    match path.file_name() {
        Some(name) => name_class(&name.to_string_lossy()),
        None => NameClass::Other,
    }
}

fn name_class(name: &str) -> NameClass {
    let lower = name.to_ascii_lowercase();
    if is_dockerfile_name(name, &lower) {
        return NameClass::Dockerfile;
    }
    match lower.strip_suffix(".yaml").or_else(|| lower.strip_suffix(".yml")) {
        Some(stem) if is_compose_stem(stem) => NameClass::ComposeName,
        Some(_) => NameClass::Yaml,
        None => NameClass::Other,
    }
}

/// `lower` is `name` lower-cased.
fn is_dockerfile_name(name: &str, lower: &str) -> bool {
    for (base, lower_base) in [("Dockerfile", "dockerfile"), ("Containerfile", "containerfile")] {
        if lower == lower_base {
            return true;
        }
        if let Some(exts) = name.strip_prefix(base).and_then(|r| r.strip_prefix('.')) {
            let last = exts.rsplit('.').next().unwrap_or(exts).to_ascii_lowercase();
            return !last.is_empty() && !NOT_DOCKERFILE_EXTENSIONS.contains(&last.as_str());
        }
        if let Some(stem) = lower.strip_suffix(lower_base).and_then(|r| r.strip_suffix('.')) {
            return !stem.is_empty();
        }
    }
    false
}

/// `stem` is the lower-cased file name without `.yaml` / `.yml`.
fn is_compose_stem(stem: &str) -> bool {
    ["docker-compose", "compose"].iter().any(|base| match stem.strip_prefix(base) {
        Some(rest) => rest.is_empty() || rest.starts_with(['.', '-', '_']),
        None => false,
    })
}

/// Classifies a file from its path and text. See the module documentation for the rules.
pub fn classify(path: &Path, text: &str) -> Classification {
    let name = by_name(path);
    if name == NameClass::Dockerfile {
        return Classification::Dockerfile;
    }
    if in_templates_dir(path) && text.contains("{{") {
        return Classification::HelmTemplate;
    }
    let facts = scan_yaml(text);
    match name {
        NameClass::ComposeName if !facts.kubernetes || facts.services => Classification::Compose,
        _ if facts.kubernetes => Classification::Kubernetes,
        NameClass::Yaml | NameClass::Other if facts.compose_like => Classification::Compose,
        NameClass::Other if first_instruction_is_from_or_arg(text) => Classification::Dockerfile,
        _ => Classification::Unrecognised,
    }
}

/// Whether a directory component (not the file name) is `templates`.
fn in_templates_dir(path: &Path) -> bool {
    let Some(parent) = path.parent() else { return false };
    parent.components().any(|c| matches!(c, Component::Normal(n) if n == "templates"))
}

/// Whether the first line that is not blank or a comment starts with `FROM` or `ARG`.
fn first_instruction_is_from_or_arg(text: &str) -> bool {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    for line in text.lines() {
        let line = line.trim_start();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let word = line.split(|c: char| c.is_ascii_whitespace()).next().unwrap_or("");
        let rest = line.get(word.len()..).unwrap_or("").trim_start();
        return (word.eq_ignore_ascii_case("from") || word.eq_ignore_ascii_case("arg"))
            && !rest.is_empty();
    }
    false
}

/// What the line scan found over all documents of a YAML stream.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct YamlFacts {
    /// Some document has top-level `apiVersion` and `kind`.
    kubernetes: bool,
    /// Some document has a top-level `services` key whose value is a mapping.
    services: bool,
    /// Some document has a `services` mapping and only Compose top-level keys.
    compose_like: bool,
}

/// Per-document state of the scan.
#[derive(Default)]
struct DocState {
    /// Indentation of the root node's first line (the top-level keys' column).
    base: Option<usize>,
    api_version: bool,
    kind: bool,
    services: bool,
    /// `services:` with nothing after it: decided by the next content line.
    services_pending: bool,
    /// A top-level key Compose does not allow, or a root that is not a mapping.
    non_compose_key: bool,
}

impl DocState {
    fn finish(&self, facts: &mut YamlFacts) {
        facts.kubernetes |= self.api_version && self.kind;
        facts.services |= self.services;
        facts.compose_like |= self.services && !self.non_compose_key;
    }

    fn key(&mut self, key: &str, value: &str) {
        match key {
            "apiVersion" => self.api_version = true,
            "kind" => self.kind = true,
            "services" => match value_start(value) {
                None => self.services_pending = true,
                Some(v) => self.services |= v.starts_with('{'),
            },
            _ => {}
        }
        if !COMPOSE_TOP_LEVEL_KEYS.contains(&key) && !key.starts_with("x-") {
            self.non_compose_key = true;
        }
    }
}

/// The start of a value after `key:`, skipping anchors and tags; `None` when only a comment or
/// nothing follows (the value is on the next lines).
fn value_start(value: &str) -> Option<&str> {
    let mut v = value.trim_start_matches([' ', '\t']);
    while v.starts_with(['&', '!']) {
        let end = v.find([' ', '\t']).unwrap_or(v.len());
        v = v.get(end..).unwrap_or("").trim_start_matches([' ', '\t']);
    }
    if v.is_empty() || v.starts_with('#') {
        None
    } else {
        Some(v)
    }
}

/// Whether `line` is a document marker (`---` or `...` followed by a space or the line end).
fn marker_rest<'a>(line: &'a str, marker: &str) -> Option<&'a str> {
    let rest = line.strip_prefix(marker)?;
    if rest.is_empty() || rest.starts_with([' ', '\t']) {
        Some(rest)
    } else {
        None
    }
}

/// Splits text into lines on `\n`, `\r\n` and lone `\r`, yielding (start offset, line).
fn lines_with_offsets(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let bytes = text.as_bytes();
    let mut pos = 0;
    std::iter::from_fn(move || {
        if pos >= bytes.len() {
            return None;
        }
        let start = pos;
        let end = bytes
            .get(start..)
            .and_then(|rest| memchr::memchr2(b'\n', b'\r', rest))
            .map_or(bytes.len(), |n| start + n);
        pos = match (bytes.get(end), bytes.get(end + 1)) {
            (Some(b'\r'), Some(b'\n')) => end + 2,
            (Some(_), _) => end + 1,
            (None, _) => end,
        };
        Some((start, text.get(start..end).unwrap_or("")))
    })
}

/// Scans a YAML stream line by line for the top-level keys of each document.
fn scan_yaml(text: &str) -> YamlFacts {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut facts = YamlFacts::default();
    let mut doc = DocState::default();
    // Set while skipping the rest of a document whose root is a flow collection.
    let mut skip_to_marker = false;
    for (offset, line) in lines_with_offsets(text) {
        if let Some(rest) = marker_rest(line, "---") {
            doc.finish(&mut facts);
            doc = DocState::default();
            skip_to_marker = false;
            // `--- {"apiVersion": …}`: a flow root on the marker line.
            let trimmed = rest.trim_start_matches([' ', '\t']);
            if trimmed.starts_with('{') {
                let at = offset + (line.len() - trimmed.len());
                scan_flow_document(text.get(at..).unwrap_or(""), &mut doc);
                skip_to_marker = true;
            }
            continue;
        }
        if marker_rest(line, "...").is_some() {
            doc.finish(&mut facts);
            doc = DocState::default();
            skip_to_marker = false;
            continue;
        }
        if skip_to_marker {
            continue;
        }
        let indent = line.len() - line.trim_start_matches(' ').len();
        // Below the top level (most lines): nothing to read, unless `services:` waits for its
        // value's first line.
        if doc.base.is_some_and(|base| indent != base) && !doc.services_pending {
            continue;
        }
        let content = line.get(indent..).unwrap_or("").trim_end();
        if content.is_empty() || content.starts_with('#') {
            continue;
        }
        if doc.base.is_none() && indent == 0 && content.starts_with('%') {
            continue; // directive (%YAML, %TAG)
        }
        if doc.services_pending {
            doc.services_pending = false;
            let base = doc.base.unwrap_or(0);
            doc.services |= indent > base && !content.starts_with('-');
        }
        let base = match doc.base {
            Some(base) => base,
            None => {
                doc.base = Some(indent);
                if content.starts_with('{') {
                    scan_flow_document(text.get(offset + indent..).unwrap_or(""), &mut doc);
                    skip_to_marker = true;
                    continue;
                }
                indent
            }
        };
        if indent != base {
            continue;
        }
        match split_key(content) {
            Some((key, value)) => doc.key(key, value),
            None if content.starts_with(['-', '[', '?']) => doc.non_compose_key = true,
            None => {}
        }
    }
    doc.finish(&mut facts);
    facts
}

/// Splits `key: value` (plain, double- or single-quoted key). `None` if the line is not a
/// simple mapping entry.
fn split_key(content: &str) -> Option<(&str, &str)> {
    if let Some(quote) = content.chars().next().filter(|c| *c == '"' || *c == '\'') {
        // A quoted ("JSON-like") key may be followed by `:` and the value without a space.
        let inner = content.get(1..)?;
        let close = inner.find(quote)?;
        let after = inner.get(close + 1..)?.trim_start_matches([' ', '\t']);
        return Some((inner.get(..close)?, after.strip_prefix(':')?));
    }
    if content.starts_with(['-', '[', '{', '?', '#', '&', '*', '!', '|', '>']) {
        return None;
    }
    let colon = find_mapping_colon(content)?;
    Some((content.get(..colon)?.trim_end(), content.get(colon + 1..)?))
}

/// Offset of the first `:` followed by a space, a tab or the line end.
fn find_mapping_colon(content: &str) -> Option<usize> {
    let bytes = content.as_bytes();
    bytes.iter().enumerate().find_map(|(i, b)| {
        let next = bytes.get(i + 1).copied();
        (*b == b':' && matches!(next, None | Some(b' ') | Some(b'\t'))).then_some(i)
    })
}

/// Scans a document whose root is a flow mapping (`{"apiVersion": "v1", …}`, JSON style) for
/// its top-level keys. Stops when the root mapping closes or at the next document marker, so a
/// stream of unclosed flow documents is still scanned in linear time.
fn scan_flow_document(text: &str, doc: &mut DocState) {
    let mut depth = 0usize;
    let mut expect_key = false;
    let mut key = String::new();
    let mut services_next = false;
    let mut prev_ws = true;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if services_next && !c.is_whitespace() {
            services_next = false;
            doc.services |= c == '{';
        }
        match c {
            '\n' | '\r' => {
                let next = text.get(i + 1..).unwrap_or("");
                if marker_rest(next, "---").is_some() || marker_rest(next, "...").is_some() {
                    return;
                }
            }
            '"' | '\'' => {
                let mut s = String::new();
                while let Some((_, d)) = chars.next() {
                    if d == c {
                        if c == '\'' && chars.peek().is_some_and(|(_, e)| *e == '\'') {
                            chars.next();
                            s.push('\'');
                            continue;
                        }
                        break;
                    }
                    if c == '"' && d == '\\' {
                        if let Some((_, e)) = chars.next() {
                            s.push(e);
                        }
                        continue;
                    }
                    s.push(d);
                }
                if depth == 1 && expect_key {
                    key = s;
                }
            }
            '#' if prev_ws => while chars.next_if(|(_, d)| *d != '\n' && *d != '\r').is_some() {},
            '{' | '[' => {
                depth = depth.saturating_add(1);
                expect_key = depth == 1;
            }
            '}' | ']' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return;
                }
            }
            ',' if depth == 1 => {
                expect_key = true;
                key.clear();
            }
            ':' if depth == 1 && expect_key => {
                expect_key = false;
                let k = key.trim();
                match k {
                    "apiVersion" => doc.api_version = true,
                    "kind" => doc.kind = true,
                    "services" => services_next = true,
                    _ => {}
                }
                if !COMPOSE_TOP_LEVEL_KEYS.contains(&k) && !k.starts_with("x-") {
                    doc.non_compose_key = true;
                }
                key.clear();
            }
            _ if depth == 1 && expect_key && !c.is_whitespace() => key.push(c),
            _ => {}
        }
        prev_ws = c.is_whitespace();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn name(s: &str) -> NameClass {
        by_name(Path::new(s))
    }

    fn class(path: &str, text: &str) -> Classification {
        classify(Path::new(path), text)
    }

    #[test]
    fn dockerfile_names() {
        for n in [
            "Dockerfile",
            "dockerfile",
            "DockerFile",
            "CONTAINERFILE",
            "Dockerfile.dev",
            "Dockerfile.ARM64",
            "dev.DOCKERFILE",
            "Dockerfile.ros2.extras",
            "Dockerfile.tar",
            "dir/sub/Dockerfile.aarch64",
            "build.Dockerfile",
            "android.dockerfile",
            "Containerfile",
            "Containerfile.fedora",
            "app.Containerfile",
        ] {
            assert_eq!(name(n), NameClass::Dockerfile, "{n}");
        }
        for n in [
            "Dockerfile.md",
            "Dockerfile.MD",
            "dockerfile.vim",
            "dockerfile.go",
            "Dockerfile.go",
            "dockerfile_test.go",
            "dockerfile.dev",
            "Dockerfile.j2",
            "Dockerfile.template",
            "Dockerfile.tmpl",
            "Dockerfile.in",
            "Dockerfile.sh",
            "Dockerfile.txt",
            "Dockerfile.bak",
            "Dockerfile.dev.orig",
            "Dockerfile.swp",
            "Dockerfile.dockerignore",
            "Dockerfile.",
            ".dockerfile",
            "Dockerfile-prod",
            "Dockerfiles",
            "foo.Dockerfile.dockerignore",
            "README.md",
        ] {
            assert_ne!(name(n), NameClass::Dockerfile, "{n}");
        }
    }

    #[test]
    fn yaml_and_compose_names() {
        for n in [
            "docker-compose.yml",
            "docker-compose.yaml",
            "compose.yaml",
            "compose.yml",
            "Docker-Compose.YML",
            "docker-compose.override.yml",
            "docker-compose-mysql.yml",
            "docker-compose_dev.yaml",
            "compose.observability.yaml",
        ] {
            assert_eq!(name(n), NameClass::ComposeName, "{n}");
        }
        for n in
            ["deploy.yaml", "x.yml", "composer.yml", "composefs.yaml", "my-compose.yml", "a.YAML"]
        {
            assert_eq!(name(n), NameClass::Yaml, "{n}");
        }
        for n in ["compose.json", "docker-compose.yml.j2", "values.tpl", "Makefile", ""] {
            assert_eq!(name(n), NameClass::Other, "{n}");
        }
        assert!(!NameClass::Other.is_candidate());
        assert!(NameClass::Yaml.is_candidate());
    }

    #[test]
    fn dockerfile_by_name_whatever_the_text() {
        assert_eq!(class("Dockerfile", ""), Classification::Dockerfile);
        assert_eq!(class("templates/Dockerfile", "RUN echo {{x}}"), Classification::Dockerfile);
    }

    #[test]
    fn kubernetes_by_top_level_keys() {
        let k8s = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n";
        assert_eq!(class("pod.yaml", k8s), Classification::Kubernetes);
        // Nested keys do not count.
        let nested = "spec:\n  apiVersion: v1\n  kind: Pod\n";
        assert_eq!(class("x.yaml", nested), Classification::Unrecognised);
        // Both keys must be in the same document.
        let split = "apiVersion: v1\n---\nkind: Pod\n";
        assert_eq!(class("x.yaml", split), Classification::Unrecognised);
        // Second document of a stream, after a comment header and a directive.
        let stream = "%YAML 1.2\n---\n# hi\nfoo: 1\n---\n\"apiVersion\": v1\n'kind': Service\n";
        assert_eq!(class("x.yml", stream), Classification::Kubernetes);
        // Uniformly indented root mapping.
        let indented = "  apiVersion: v1\n  kind: ConfigMap\n";
        assert_eq!(class("x.yaml", indented), Classification::Kubernetes);
        // Broken YAML still classified (so the parse error is reported).
        let broken = "apiVersion: v1\nkind: Pod\nmetadata: [unclosed\n  name: @BAD@\n";
        assert_eq!(class("x.yaml", broken), Classification::Kubernetes);
        // CRLF and a BOM.
        assert_eq!(
            class("x.yaml", "\u{feff}apiVersion: v1\r\nkind: Pod\r\n"),
            Classification::Kubernetes
        );
        // A block scalar mentioning the keys is not a top-level key.
        let scalar = "data: |\n  apiVersion: v1\n  kind: Pod\n";
        assert_eq!(class("x.yaml", scalar), Classification::Unrecognised);
    }

    #[test]
    fn kind_list_and_json_style() {
        let list = "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n";
        assert_eq!(class("list.yaml", list), Classification::Kubernetes);
        let json = "{\n  \"apiVersion\": \"v1\",\n  \"kind\": \"List\",\n  \"items\": []\n}\n";
        assert_eq!(class("list.yaml", json), Classification::Kubernetes);
        let one_line = "{\"kind\":\"Pod\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"a:b\"}}";
        assert_eq!(class("p.yaml", one_line), Classification::Kubernetes);
        // Keys nested in the flow mapping do not count.
        let nested = "{\"spec\": {\"apiVersion\": \"v1\", \"kind\": \"Pod\"}}";
        assert_eq!(class("p.yaml", nested), Classification::Unrecognised);
        // A flow root after a marker, then a block document.
        let mixed = "--- {\"apiVersion\": \"v1\",\n \"kind\": \"Pod\"}\n---\nfoo: 1\n";
        assert_eq!(class("p.yaml", mixed), Classification::Kubernetes);
        // Explicitly named JSON manifest (name class Other).
        assert_eq!(class("pod.json", one_line), Classification::Kubernetes);
    }

    #[test]
    fn compose_by_name_or_services_mapping() {
        assert_eq!(
            class("docker-compose.yml", "services:\n  web:\n    image: nginx\n"),
            Classification::Compose
        );
        // A compose name is Compose even when broken or empty.
        assert_eq!(class("compose.yaml", ""), Classification::Compose);
        assert_eq!(class("compose.yaml", "services: [\n"), Classification::Compose);
        // A compose-named Kubernetes manifest (kompose output) is Kubernetes.
        assert_eq!(
            class("compose.yaml", "apiVersion: v1\nkind: Service\n"),
            Classification::Kubernetes
        );
        let svc = "version: '3'\nx-common: &c\n  restart: always\nservices: &s\n  web:\n    image: nginx\n";
        assert_eq!(class("stack.yml", svc), Classification::Compose);
        assert_eq!(
            class("stack.yml", "services: {web: {image: nginx}}\n"),
            Classification::Compose
        );
        assert_eq!(class("stack.yml", "{\"services\": {\"web\": {}}}\n"), Classification::Compose);
        // GitLab CI: top-level services is a list.
        let gitlab = "image: docker\nservices:\n  - docker:dind\n";
        assert_eq!(class(".gitlab-ci.yml", gitlab), Classification::Unrecognised);
        let gitlab2 = "services:\n- docker:dind\n";
        assert_eq!(class(".gitlab-ci.yml", gitlab2), Classification::Unrecognised);
        // Helm values: services map next to non-Compose keys.
        let values = "replicaCount: 1\nservices:\n  api:\n    port: 80\n";
        assert_eq!(class("values.yaml", values), Classification::Unrecognised);
        // Nested services.
        assert_eq!(
            class("x.yaml", "jobs:\n  services:\n    db: {}\n"),
            Classification::Unrecognised
        );
        // services: null.
        assert_eq!(class("x.yaml", "services:\nvolumes: {}\n"), Classification::Unrecognised);
    }

    #[test]
    fn helm_templates_first() {
        let tpl = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {{ .Release.Name }}\n";
        assert_eq!(class("chart/templates/pod.yaml", tpl), Classification::HelmTemplate);
        assert_eq!(class("chart/templates/sub/pod.yaml", tpl), Classification::HelmTemplate);
        // Without `{{` a file under templates/ is an ordinary manifest.
        let plain = "apiVersion: v1\nkind: Pod\n";
        assert_eq!(class("chart/templates/pod.yaml", plain), Classification::Kubernetes);
        // `{{` outside a templates directory (ArgoCD ApplicationSet params) stays Kubernetes.
        assert_eq!(class("appset.yaml", tpl), Classification::Kubernetes);
        // A file named templates is not a directory component.
        assert_eq!(class("templates", tpl), Classification::Kubernetes);
    }

    #[test]
    fn other_names_fall_back_to_content() {
        assert_eq!(
            class("Dockerfile-prod", "# syntax=docker/dockerfile:1\n\nFROM alpine\n"),
            Classification::Dockerfile
        );
        assert_eq!(class("build.df", "ARG BASE=alpine\nFROM $BASE\n"), Classification::Dockerfile);
        assert_eq!(class("README", "Some text\nFROM alpine\n"), Classification::Unrecognised);
        assert_eq!(class("notes.txt", "FROM\n"), Classification::Unrecognised);
        // YAML names never fall back to the Dockerfile check.
        assert_eq!(class("x.yaml", "FROM alpine\n"), Classification::Unrecognised);
        // Standard input (`-`) is Compose by content, as `docker compose config` prints it.
        let config =
            "name: app\nservices:\n  db:\n    image: postgres:16\nnetworks:\n  default: {}\n";
        assert_eq!(class("-", config), Classification::Compose);
        assert_eq!(class("-", "services:\n  - docker:dind\n"), Classification::Unrecognised);
        assert_eq!(class("-", "replicas: 3\n"), Classification::Unrecognised);
    }

    #[test]
    fn lines_split_on_all_endings() {
        let v: Vec<_> = lines_with_offsets("a\r\nb\rc\n\nd").collect();
        assert_eq!(v, vec![(0, "a"), (3, "b"), (5, "c"), (7, ""), (8, "d")]);
        let v: Vec<_> = lines_with_offsets("\r\r\n").collect();
        assert_eq!(v, vec![(0, ""), (1, "")]);
    }

    #[test]
    fn never_panics_on_odd_input() {
        for t in [
            "\"",
            "'",
            "\"a",
            "{",
            "}",
            "{\"a\\",
            ":",
            " :",
            "é: x",
            "---\u{feff}",
            "{'a'':1}",
            "\r",
            "- \t",
        ] {
            for p in ["x.yaml", "compose.yml", "x"] {
                let _ = class(p, t);
            }
        }
    }
}
