//! Reads one configuration file into a [`Layer`], with an exact `line:column` for every error.
//!
//! The file is read with edgelint's own YAML span tree ([`crate::syntax::yaml`]), walked
//! against the key tables of [`super::schema`] (the same tables the JSON Schema is generated
//! from), so an unknown key, a wrong type or an invalid value points at the token in the file.

use super::schema::{self, Key, Spec};
use super::{ConfigError, Layer, PerPath};
use crate::diagnostic::Severity;
use crate::rules::option::{Kind, Owned, RuleOption};
use crate::settings::{Device, ImageEntry, ImageMatcher, Level, RuleSettings};
use crate::source::{SourceFile, Span, Spanned};
use crate::suggest::closest;
use crate::syntax::yaml::{self, NodeRef, ScalarStyle};
use crate::values::image_ref::ImageRef;
use crate::values::platform::Platform;
use crate::values::quantity::{parse_quantity, Quantity};
use globset::{Glob, GlobBuilder};

/// Reads a configuration text. `shown` is the path used in messages.
pub fn parse(shown: &str, text: &str) -> Result<Layer, Vec<ConfigError>> {
    let source = SourceFile::new(shown, text);
    let mut cx = Cx { source: &source, errors: Vec::new() };
    let stream = yaml::parse_stream(text, &yaml::Limits::default());
    for e in &stream.errors {
        cx.error(e.span, e.message.clone());
    }
    let mut layer = Layer::default();
    if cx.errors.is_empty() {
        if stream.documents.len() > 1 {
            cx.error(stream.documents[1].span, "a configuration file holds one YAML document");
        } else if let Some(root) =
            stream.documents.first().and_then(crate::syntax::yaml::YamlDocument::root)
        {
            if !root.is_null() {
                cx.top(root, &mut layer);
            }
        }
    }
    if cx.errors.is_empty() {
        Ok(layer)
    } else {
        Err(cx.errors)
    }
}

struct Cx<'a> {
    source: &'a SourceFile,
    errors: Vec<ConfigError>,
}

/// `did you mean`, when a candidate is near.
fn hint(name: &str, candidates: &[&str]) -> String {
    closest(name, candidates).map(|c| format!("; did you mean `{c}`?")).unwrap_or_default()
}

fn is_glob(s: &str) -> bool {
    s.contains(['*', '?', '[', '{'])
}

/// A float per the YAML 1.2 core schema (`1.5`, `-.5`, `2e3`) on an untagged plain scalar.
pub fn core_float(node: NodeRef<'_>) -> Option<f64> {
    if node.style() != Some(ScalarStyle::Plain) || node.tag().is_some() {
        return None;
    }
    let s = node.as_str()?;
    let digits = s.strip_prefix(['-', '+']).unwrap_or(s);
    let (mantissa, exponent) = match digits.split_once(['e', 'E']) {
        Some((m, e)) => (m, Some(e)),
        None => (digits, None),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let all_digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        !e.is_empty() && all_digits(e)
    });
    let valid =
        !(int.is_empty() && frac.is_empty()) && all_digits(int) && all_digits(frac) && exponent_ok;
    if valid {
        s.parse().ok()
    } else {
        None
    }
}

/// A path glob as discovery takes them: `*` does not cross `/`, a leading `./` and a trailing
/// `/` are ignored.
pub(super) fn path_glob(pattern: &str) -> Result<Glob, globset::Error> {
    let trimmed = pattern.strip_prefix("./").unwrap_or(pattern);
    let trimmed = trimmed.trim_end_matches('/');
    GlobBuilder::new(trimmed).literal_separator(true).build()
}

impl Cx<'_> {
    fn error(&mut self, span: Span, message: impl Into<String>) {
        let p = self.source.position(span.start);
        self.errors.push(ConfigError {
            path: self.source.path.clone(),
            line: p.line,
            column: p.column,
            message: message.into(),
        });
    }

    /// Walks a mapping against a key table; calls `f` for every known key.
    fn table<'n>(
        &mut self,
        node: NodeRef<'n>,
        keys: &'static [Key],
        what: &str,
        mut f: impl FnMut(&mut Self, &'static Key, NodeRef<'n>),
    ) {
        if !node.is_mapping() {
            return self.error(node.span(), format!("{what} must be a mapping"));
        }
        for e in node.entries() {
            let Some(name) = self.key_name(e.key) else { continue };
            match keys.iter().find(|k| k.name == name) {
                Some(k) => f(self, k, e.value),
                None => {
                    let names: Vec<&str> = keys.iter().map(|k| k.name).collect();
                    let h = hint(name, &names);
                    let message = match what {
                        "the configuration" => format!("unknown key `{name}`{h}"),
                        _ => format!("unknown key `{name}` in {what}{h}"),
                    };
                    self.error(e.key.span(), message);
                }
            }
        }
    }

    fn key_name<'n>(&mut self, key: NodeRef<'n>) -> Option<&'n str> {
        match key.as_str() {
            Some(k) if key.is_scalar() => Some(k),
            _ => {
                self.error(key.span(), "keys must be strings");
                None
            }
        }
    }

    fn top(&mut self, root: NodeRef<'_>, layer: &mut Layer) {
        self.table(root, schema::TOP, "the configuration", |cx, key, value| match key.spec {
            Spec::Extends => {
                if let Some(s) = cx.string(value, "`extends`") {
                    let at = cx.source.position(value.span().start);
                    layer.extends = Some((s.to_string(), at.line, at.column));
                }
            }
            Spec::Platforms => layer.platforms = cx.targets(value, "`platforms`"),
            Spec::Threshold => layer.failure_threshold = cx.threshold(value),
            Spec::Bool => {
                if let Some(b) = cx.boolean(value, &format!("`{}`", key.name)) {
                    layer.require_reason = Some(b);
                }
            }
            Spec::Globs => layer.exclude = cx.globs(value),
            Spec::Rules => layer.rules = cx.rules(value),
            Spec::PerPath => layer.per_path = cx.per_path(value),
            Spec::Images => layer.images = cx.images(value),
            Spec::Table(keys) if key.name == "registries" => {
                cx.table(value, keys, "`registries`", |cx, _, v| {
                    layer.registries_local = cx.hosts(v);
                });
            }
            Spec::Table(keys) => layer.device = cx.device(value, keys),
            Spec::Strings | Spec::Quantity => unreachable!("not a top-level key kind"),
        });
    }

    fn string<'n>(&mut self, node: NodeRef<'n>, what: &str) -> Option<&'n str> {
        match node.as_str() {
            Some(s) if node.is_scalar() => Some(s),
            _ => {
                self.error(node.span(), format!("{what} must be a string"));
                None
            }
        }
    }

    fn boolean(&mut self, node: NodeRef<'_>, what: &str) -> Option<bool> {
        let b = node.as_bool();
        if b.is_none() {
            self.error(node.span(), format!("{what} must be `true` or `false`"));
        }
        b
    }

    fn list<'n>(&mut self, node: NodeRef<'n>, what: &str) -> Option<Vec<NodeRef<'n>>> {
        if node.is_sequence() {
            Some(node.items())
        } else {
            self.error(node.span(), format!("{what} must be a list"));
            None
        }
    }

    fn strings(&mut self, node: NodeRef<'_>, what: &str) -> Option<Vec<String>> {
        let items = self.list(node, what)?;
        let mut out = Vec::new();
        for item in items {
            out.push(self.string(item, &format!("each item of {what}"))?.to_string());
        }
        Some(out)
    }

    /// `registries.local`: `host[:port]` each.
    fn hosts(&mut self, node: NodeRef<'_>) -> Option<Vec<String>> {
        let hosts = self.strings(node, "`registries.local`")?;
        for (host, item) in hosts.iter().zip(node.items()) {
            if host.is_empty() || host.contains(['/', ' ', '\t']) {
                self.error(
                    item.span(),
                    format!("`{host}` is not a registry host; write `host` or `host:port`, without a scheme or path"),
                );
                return None;
            }
        }
        Some(hosts)
    }

    /// Target platforms (`platforms`, `per-path.*.platforms`): only the known targets.
    fn targets(&mut self, node: NodeRef<'_>, what: &str) -> Option<Vec<Platform>> {
        self.platform_list(node, what, Platform::parse_target)
    }

    /// The platforms an image is published for: any valid platform.
    fn platforms(&mut self, node: NodeRef<'_>, what: &str) -> Option<Vec<Platform>> {
        self.platform_list(node, what, Platform::parse)
    }

    fn platform_list(
        &mut self,
        node: NodeRef<'_>,
        what: &str,
        parse: fn(&str) -> Result<Platform, String>,
    ) -> Option<Vec<Platform>> {
        let items = self.list(node, what)?;
        if items.is_empty() {
            self.error(node.span(), format!("{what} needs at least one platform"));
            return None;
        }
        let mut out = Vec::new();
        for item in items {
            let s = self.string(item, &format!("each item of {what}"))?;
            match parse(s) {
                Ok(p) if !out.contains(&p) => out.push(p),
                Ok(_) => {}
                Err(e) => {
                    self.error(item.span(), format!("invalid platform `{s}`: {e}"));
                    return None;
                }
            }
        }
        Some(out)
    }

    fn threshold(&mut self, node: NodeRef<'_>) -> Option<Option<Severity>> {
        let s = self.string(node, "`failure-threshold`")?;
        match s {
            "none" => Some(None),
            other => match Severity::parse(other) {
                Some(sev) => Some(Some(sev)),
                None => {
                    let h = hint(other, schema::THRESHOLDS);
                    self.error(
                        node.span(),
                        format!("invalid `failure-threshold` `{other}`; expected error, warning, info or none{h}"),
                    );
                    None
                }
            },
        }
    }

    fn globs(&mut self, node: NodeRef<'_>) -> Vec<Spanned<String>> {
        let Some(items) = self.list(node, "`exclude`") else { return Vec::new() };
        let mut out = Vec::new();
        for item in items {
            let Some(s) = self.string(item, "each item of `exclude`") else { continue };
            match path_glob(s) {
                Ok(_) => out.push(Spanned::new(s.to_string(), item.span())),
                Err(e) => self.error(item.span(), format!("invalid glob `{s}`: {}", e.kind())),
            }
        }
        out
    }

    fn rules(&mut self, node: NodeRef<'_>) -> Vec<(String, RuleSettings)> {
        self.rules_except(node, &[])
    }

    /// The rule settings of a mapping, skipping the keys in `skip` (read by the caller).
    fn rules_except(&mut self, node: NodeRef<'_>, skip: &[&str]) -> Vec<(String, RuleSettings)> {
        let mut out = Vec::new();
        if !node.is_mapping() {
            self.error(node.span(), "`rules` must be a mapping of rule names to settings");
            return out;
        }
        let mut known = schema::rule_names();
        known.extend(skip);
        for e in node.entries() {
            let Some(name) = self.key_name(e.key) else { continue };
            if skip.contains(&name) {
                continue;
            }
            let Some(meta) = schema::rule_meta(name) else {
                let h = hint(name, &known);
                let h = if h.is_empty() { "; `edgelint rules` lists them".to_string() } else { h };
                self.error(e.key.span(), format!("unknown rule `{name}`{h}"));
                continue;
            };
            if let Some(settings) = self.rule(name, meta, e.value) {
                out.push((name.to_string(), settings));
            }
        }
        out
    }

    fn level(&mut self, node: NodeRef<'_>, rule: &str) -> Option<Level> {
        let s = self.string(node, &format!("the level of `{rule}`"))?;
        let level = Level::parse(s);
        if level.is_none() {
            let h = hint(s, schema::LEVELS);
            self.error(
                node.span(),
                format!(
                    "invalid level `{s}` for `{rule}`; expected off, info, warning or error{h}"
                ),
            );
        }
        level
    }

    fn rule(
        &mut self,
        name: &str,
        options: &'static [RuleOption],
        node: NodeRef<'_>,
    ) -> Option<RuleSettings> {
        if node.is_scalar() && !node.is_null() {
            return Some(RuleSettings {
                level: Some(self.level(node, name)?),
                ..Default::default()
            });
        }
        if !node.is_mapping() {
            self.error(
                node.span(),
                format!("`{name}` takes a level (off, info, warning, error) or a mapping with `severity` and options"),
            );
            return None;
        }
        let mut settings = RuleSettings::default();
        let mut ok = true;
        for e in node.entries() {
            let Some(key) = self.key_name(e.key) else {
                ok = false;
                continue;
            };
            if key == "severity" {
                match self.level(e.value, name) {
                    Some(l) => settings.level = Some(l),
                    None => ok = false,
                }
                continue;
            }
            let Some(opt) = options.iter().find(|o| o.name == key) else {
                let mut names: Vec<&str> = vec!["severity"];
                names.extend(options.iter().map(|o| o.name));
                let h = hint(key, &names);
                let msg = if options.is_empty() {
                    format!("unknown key `{key}` for `{name}`, which has no options; only `severity`{h}")
                } else {
                    format!("unknown option `{key}` for `{name}`{h}")
                };
                self.error(e.key.span(), msg);
                ok = false;
                continue;
            };
            match self.option(name, opt, e.value) {
                Some(v) => {
                    settings.options.insert(key.to_string(), v);
                }
                None => ok = false,
            }
        }
        ok.then_some(settings)
    }

    fn number(&self, node: NodeRef<'_>) -> Option<f64> {
        node.as_i64().map(|i| i as f64).or_else(|| core_float(node))
    }

    fn at_least(&mut self, node: NodeRef<'_>, rule: &str, opt: &RuleOption, v: f64) -> bool {
        match opt.minimum {
            Some(min) if v < min => {
                self.error(
                    node.span(),
                    format!("`{rule}.{}` must be at least {min}, found {v}", opt.name),
                );
                false
            }
            _ => true,
        }
    }

    fn option(&mut self, rule: &str, opt: &RuleOption, node: NodeRef<'_>) -> Option<Owned> {
        let what = format!("`{rule}.{}`", opt.name);
        let wrong = |cx: &mut Self| {
            let kind = opt.kind().describe();
            let a = if kind.starts_with(['a', 'e', 'i', 'o', 'u']) { "an" } else { "a" };
            cx.error(node.span(), format!("{what} must be {a} {kind}"));
            None
        };
        match opt.kind() {
            Kind::Bool => node.as_bool().map(Owned::Bool).or_else(|| wrong(self)),
            Kind::Integer => match node.as_i64() {
                Some(i) => self.at_least(node, rule, opt, i as f64).then_some(Owned::Integer(i)),
                None => wrong(self),
            },
            Kind::Number => match self.number(node) {
                Some(n) => self.at_least(node, rule, opt, n).then_some(Owned::Number(n)),
                None => wrong(self),
            },
            Kind::String => match node.as_str() {
                Some(s) if node.is_scalar() => Some(Owned::String(s.to_string())),
                _ => wrong(self),
            },
            Kind::Strings => {
                if !node.is_sequence() {
                    return wrong(self);
                }
                let mut out = Vec::new();
                for item in node.items() {
                    match item.as_str() {
                        Some(s) if item.is_scalar() => out.push(s.to_string()),
                        _ => {
                            self.error(
                                item.span(),
                                format!("each item of {what} must be a string"),
                            );
                            return None;
                        }
                    }
                }
                Some(Owned::Strings(out))
            }
            Kind::IntegerMap => {
                if !node.is_mapping() {
                    return wrong(self);
                }
                let mut out = Vec::new();
                for e in node.entries() {
                    let key = self.key_name(e.key)?;
                    match e.value.as_i64() {
                        Some(i) if self.at_least(e.value, rule, opt, i as f64) => {
                            out.push((key.to_string(), i));
                        }
                        Some(_) => return None,
                        None => {
                            self.error(
                                e.value.span(),
                                format!("each value of {what} must be an integer"),
                            );
                            return None;
                        }
                    }
                }
                Some(Owned::IntegerMap(out))
            }
        }
    }

    fn per_path(&mut self, node: NodeRef<'_>) -> Vec<PerPath> {
        let mut out = Vec::new();
        if !node.is_mapping() {
            self.error(node.span(), "`per-path` must be a mapping of globs to rule settings");
            return out;
        }
        for e in node.entries() {
            let Some(pattern) = self.key_name(e.key) else { continue };
            let glob = match path_glob(pattern) {
                Ok(g) => g,
                Err(err) => {
                    self.error(e.key.span(), format!("invalid glob `{pattern}`: {}", err.kind()));
                    continue;
                }
            };
            let rules = self.rules_except(e.value, &[schema::PER_PATH_PLATFORMS]);
            let platforms = e
                .value
                .get(schema::PER_PATH_PLATFORMS)
                .and_then(|p| self.targets(p.value, &format!("`per-path.{pattern}.platforms`")));
            out.push(PerPath {
                pattern: pattern.to_string(),
                matcher: glob.compile_matcher(),
                rules,
                platforms,
            });
        }
        out
    }

    fn images(&mut self, node: NodeRef<'_>) -> Vec<ImageEntry> {
        let mut out = Vec::new();
        if !node.is_mapping() {
            self.error(node.span(), "`images` must be a mapping of image names to platform lists");
            return out;
        }
        for e in node.entries() {
            let Some(pattern) = self.key_name(e.key) else { continue };
            let matcher = if is_glob(pattern) {
                match GlobBuilder::new(pattern).literal_separator(true).build() {
                    Ok(g) => ImageMatcher::Glob(g.compile_matcher()),
                    Err(err) => {
                        self.error(
                            e.key.span(),
                            format!("invalid glob `{pattern}`: {}", err.kind()),
                        );
                        continue;
                    }
                }
            } else {
                match ImageRef::parse(pattern) {
                    Ok(r) if r.digest.is_some() => {
                        self.error(e.key.span(), format!("image `{pattern}` has a digest; give the name, with a tag if needed"));
                        continue;
                    }
                    Ok(r) => ImageMatcher::Exact { name: r.name(), tag: r.tag },
                    Err(err) => {
                        self.error(e.key.span(), format!("invalid image name `{pattern}`: {err}"));
                        continue;
                    }
                }
            };
            let what = format!("the platforms of `{pattern}`");
            if let Some(platforms) = self.platforms(e.value, &what) {
                out.push(ImageEntry { pattern: pattern.to_string(), matcher, platforms });
            }
        }
        out
    }

    fn quantity(&mut self, node: NodeRef<'_>, what: &str) -> Option<Quantity> {
        let text = match node.as_str() {
            Some(s) if node.is_scalar() => s,
            _ => {
                self.error(
                    node.span(),
                    format!("{what} must be a quantity such as `4`, `1500m` or `4Gi`"),
                );
                return None;
            }
        };
        match parse_quantity(text) {
            Ok(q) if !q.is_negative() => Some(q),
            Ok(_) => {
                self.error(node.span(), format!("{what} cannot be negative"));
                None
            }
            Err(_) => {
                self.error(
                    node.span(),
                    format!(
                        "invalid quantity `{text}` for {what}; expected e.g. `4`, `1500m`, `4Gi`"
                    ),
                );
                None
            }
        }
    }

    fn device(&mut self, node: NodeRef<'_>, keys: &'static [Key]) -> Option<Device> {
        if node.is_null() {
            return None;
        }
        let mut device = Device::default();
        self.table(node, keys, "`device`", |cx, key, value| match (key.name, key.spec) {
            ("cpu", _) => device.cpu = cx.quantity(value, "`device.cpu`"),
            ("memory", _) => device.memory = cx.quantity(value, "`device.memory`"),
            (_, Spec::Table(reserved)) => {
                cx.table(value, reserved, "`device.reserved`", |cx, k, v| {
                    if k.name == "cpu" {
                        device.reserved_cpu = cx.quantity(v, "`device.reserved.cpu`");
                    } else {
                        device.reserved_memory = cx.quantity(v, "`device.reserved.memory`");
                    }
                });
            }
            _ => {}
        });
        Some(device)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::option::{boolean, integer, integer_map, number, string, strings};

    const OPTIONS: &[RuleOption] = &[
        integer("timeout-seconds", 2, "shortest timeout").at_least(1.0),
        number("ratio", 2.0, "largest ratio").at_least(1.0),
        boolean("strict", false, "be strict"),
        string("mode", "edge", "the mode"),
        strings("images", &[], "images that keep data"),
        integer_map("budgets", &[], "start-up budgets").at_least(0.0),
    ];

    /// Reads `rule: <text>` with [`OPTIONS`]; the settings, or the errors as `line:col: msg`.
    fn rule(text: &str) -> Result<RuleSettings, Vec<String>> {
        let text = format!("rule: {text}\n");
        let source = SourceFile::new("c", text.as_str());
        let stream = yaml::parse_stream(&text, &yaml::Limits::default());
        assert!(stream.errors.is_empty(), "{:?}", stream.errors);
        let node = stream.documents[0].root().unwrap().get("rule").unwrap().value;
        let mut cx = Cx { source: &source, errors: Vec::new() };
        let got = cx.rule("probe", OPTIONS, node);
        if cx.errors.is_empty() {
            Ok(got.expect("settings when there is no error"))
        } else {
            Err(cx
                .errors
                .iter()
                .map(|e| format!("{}:{}: {}", e.line, e.column, e.message))
                .collect())
        }
    }

    #[test]
    fn options_of_every_kind() {
        let r = rule("{severity: info, timeout-seconds: 5, ratio: 1.5, strict: true, mode: k3s, images: [a, \"b/*\"], budgets: {\"*jdk*\": 120}}").unwrap();
        assert_eq!(r.level, Some(Level::On(Severity::Info)));
        assert_eq!(r.options["timeout-seconds"], Owned::Integer(5));
        assert_eq!(r.options["ratio"], Owned::Number(1.5));
        assert_eq!(r.options["strict"], Owned::Bool(true));
        assert_eq!(r.options["mode"], Owned::String("k3s".into()));
        assert_eq!(r.options["images"], Owned::Strings(vec!["a".into(), "b/*".into()]));
        assert_eq!(r.options["budgets"], Owned::IntegerMap(vec![("*jdk*".into(), 120)]));
        // An integer is a number; 1e1 is a number.
        assert_eq!(rule("{ratio: 3}").unwrap().options["ratio"], Owned::Number(3.0));
        assert_eq!(rule("{ratio: 1e1}").unwrap().options["ratio"], Owned::Number(10.0));
        assert_eq!(rule("off").unwrap().level, Some(Level::Off));
    }

    #[test]
    fn option_errors_point_at_the_value() {
        let err = |t: &str| rule(t).unwrap_err();
        assert_eq!(
            err("{timeout-seconds: 2s}"),
            ["1:25: `probe.timeout-seconds` must be an integer"]
        );
        assert_eq!(
            err("{timeout-seconds: 0}"),
            ["1:25: `probe.timeout-seconds` must be at least 1, found 0"]
        );
        assert_eq!(err("{ratio: \"2\"}"), ["1:15: `probe.ratio` must be a number"]);
        assert_eq!(err("{ratio: 0.5}"), ["1:15: `probe.ratio` must be at least 1, found 0.5"]);
        assert_eq!(err("{strict: yes}"), ["1:16: `probe.strict` must be a boolean"]);
        assert_eq!(err("{mode: [a]}"), ["1:14: `probe.mode` must be a string"]);
        assert_eq!(err("{images: a}"), ["1:16: `probe.images` must be a list of strings"]);
        assert_eq!(err("{images: [[a]]}"), ["1:17: each item of `probe.images` must be a string"]);
        assert_eq!(
            err("{budgets: {a: x}}"),
            ["1:21: each value of `probe.budgets` must be an integer"]
        );
        assert_eq!(
            err("{budgets: {a: -1}}"),
            ["1:21: `probe.budgets` must be at least 0, found -1"]
        );
        assert_eq!(
            err("{timeout_seconds: 5}"),
            ["1:8: unknown option `timeout_seconds` for `probe`; did you mean `timeout-seconds`?"]
        );
        assert_eq!(
            err("{severity: loud}"),
            ["1:18: invalid level `loud` for `probe`; expected off, info, warning or error"]
        );
    }
}
