//! The Compose view: services and the fields the rules read, with spans, over the YAML tree.
//!
//! Only what is written is extracted; the effective values (defaults, interpolation) are the
//! semantic layer's ([`crate::semantic`]). Same-file `extends` is followed for lookups;
//! `extends` of another file is recorded so rules can stay silent about what they cannot see.

use crate::source::{Span, Spanned};
use crate::syntax::text::Text;
use crate::syntax::yaml::{Entry, NodeRef, YamlDocument, YamlStream};

/// A parsed Compose file.
#[derive(Debug)]
pub struct ComposeFile {
    pub yaml: YamlStream,
    pub services: Vec<Service>,
}

/// One service. Scalar fields are the raw text as written (interpolation left in place).
#[derive(Debug, Default)]
pub struct Service {
    /// The service's key under `services:`.
    pub name: Spanned<String>,
    /// Span of the whole service mapping.
    pub span: Span,
    pub image: Option<Spanned<String>>,
    pub build: Option<Build>,
    pub platform: Option<Spanned<String>>,
    pub command: Option<Command>,
    pub entrypoint: Option<Command>,
    pub environment: Vec<EnvVar>,
    pub healthcheck: Option<Healthcheck>,
    pub volumes: Vec<VolumeMount>,
    /// Entries of the service-level `tmpfs:` (a string or a list).
    pub tmpfs: Vec<Spanned<String>>,
    pub restart: Option<Spanned<String>>,
    pub resources: Resources,
    pub depends_on: Vec<Spanned<String>>,
    /// `volumes_from`: services or `container:<name>` whose volumes this service mounts, as
    /// written on the service itself (not through `extends`).
    pub volumes_from: Vec<Spanned<String>>,
    /// `configs`: the names of the top-level configs the service mounts (short form `- name`
    /// or long form `{source: name, target: …}`).
    pub configs: Vec<Spanned<String>>,
    /// `extends` names another file: fields may come from there, unseen.
    pub extends_other_file: bool,
    /// The fields about privileges and identity.
    pub security: ServiceSecurity,
    /// `deploy.restart_policy`, if written.
    pub restart_policy: Option<RestartPolicy>,
    /// `depends_on` entries with their `condition` (long syntax; `None` in the short syntax).
    pub dependencies: Vec<Dependency>,
    /// `profiles`.
    pub profiles: Vec<Spanned<String>>,
    /// `labels` (mapping or `KEY=VALUE` list), as written.
    pub labels: Vec<(String, Option<String>)>,
    /// `deploy` keys that plain `docker compose` does not apply (Swarm-only): `placement`,
    /// `update_config`, `rollback_config`, `endpoint_mode`, `restart_policy.delay` and
    /// `restart_policy.window`, as `(path, key span)`.
    pub swarm_only: Vec<(&'static str, Span)>,
    /// `stop_grace_period`, as written (a Compose duration).
    pub stop_grace_period: Option<Spanned<String>>,
    /// `logging`, if written.
    pub logging: Option<Logging>,
    /// `links` entries (`service` or `service:alias`).
    pub links: Vec<Spanned<String>>,
    /// `extra_hosts` entries, as written (`name:ip`, `name=ip`, or `name: ip` in the mapping
    /// form, kept as `name`).
    pub extra_hosts: Vec<Spanned<String>>,
    /// `hostname`.
    pub hostname: Option<Spanned<String>>,
    /// `container_name`.
    pub container_name: Option<Spanned<String>>,
}

/// A service's `logging` block.
#[derive(Debug, Default)]
pub struct Logging {
    /// The `logging` key.
    pub key_span: Span,
    pub driver: Option<Spanned<String>>,
    /// `options`, as written (values that are not scalars are left out).
    pub options: Vec<(Spanned<String>, Spanned<String>)>,
}

/// A service's fields about privileges and identity, as written (after same-file `extends`
/// and merge keys). Scalars keep their text: Compose reads `privileged: "true"` as `true`.
#[derive(Debug, Default)]
pub struct ServiceSecurity {
    pub user: Option<Spanned<String>>,
    pub privileged: Option<Spanned<String>>,
    pub pid: Option<Spanned<String>>,
    pub ipc: Option<Spanned<String>>,
    pub network_mode: Option<Spanned<String>>,
    pub cap_add: Vec<Spanned<String>>,
    pub security_opt: Vec<Spanned<String>>,
}

/// `deploy.restart_policy`.
#[derive(Debug, Clone)]
pub struct RestartPolicy {
    /// The `restart_policy` key.
    pub key_span: Span,
    pub condition: Option<Spanned<String>>,
    pub max_attempts: Option<Spanned<String>>,
}

/// One `depends_on` entry.
#[derive(Debug, Clone)]
pub struct Dependency {
    pub name: Spanned<String>,
    /// `condition` of the long syntax (`service_started` when absent).
    pub condition: Option<String>,
    /// Where the `condition` value is written.
    pub condition_span: Option<Span>,
}

#[derive(Debug, Default)]
pub struct Build {
    pub span: Span,
    pub context: Option<Spanned<String>>,
    pub dockerfile: Option<Spanned<String>>,
    /// `build.platforms`: the platforms a multi-platform build produces.
    pub platforms: Vec<Spanned<String>>,
}

/// `command`/`entrypoint`: the string form (run by a shell when it has shell syntax) or the list.
#[derive(Debug)]
pub enum Command {
    Shell(Text),
    Exec(Vec<Text>),
}

impl Command {
    pub fn texts(&self) -> Vec<&Text> {
        match self {
            Command::Shell(t) => vec![t],
            Command::Exec(v) => v.iter().collect(),
        }
    }
}

#[derive(Debug)]
pub struct EnvVar {
    pub name: Spanned<String>,
    pub value: Option<Text>,
    pub span: Span,
}

/// The `healthcheck:` block as written.
#[derive(Debug, Default)]
pub struct Healthcheck {
    /// The `healthcheck` key.
    pub key_span: Span,
    pub span: Span,
    pub test: Option<Spanned<String>>,
    /// `test` item by item: a string is [`Command::Shell`] (run by `/bin/sh -c`), a list is
    /// [`Command::Exec`] (`CMD`, `CMD-SHELL` or `NONE` first).
    pub test_command: Option<Command>,
    /// `test: ["NONE"]` or `disable: true`.
    pub disabled: bool,
    pub interval: Option<Spanned<String>>,
    pub timeout: Option<Spanned<String>>,
    pub retries: Option<Spanned<String>>,
    pub start_period: Option<Spanned<String>>,
    pub start_interval: Option<Spanned<String>>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MountType {
    Volume,
    Bind,
    Tmpfs,
    Other,
}

/// One entry of `volumes:` in short (`src:dst:mode`) or long syntax.
#[derive(Debug)]
pub struct VolumeMount {
    pub span: Span,
    pub kind: MountType,
    pub source: Option<Spanned<String>>,
    pub target: Option<Spanned<String>>,
    /// Short syntax: the access mode after the target (`ro`, `rw,z`), as written.
    pub mode: Option<Spanned<String>>,
    /// Long syntax: `read_only`, as written (Compose reads `"true"` as `true`).
    pub read_only: Option<Spanned<String>>,
    /// Long syntax: `bind.create_host_path`, as written (absent: `true`, per the spec).
    pub create_host_path: Option<Spanned<String>>,
}

/// Resource fields, both spellings: the service-level `mem_limit`/`cpus` and
/// `deploy.resources`.
#[derive(Debug, Default)]
pub struct Resources {
    pub mem_limit: Option<Spanned<String>>,
    pub mem_reservation: Option<Spanned<String>>,
    pub cpus: Option<Spanned<String>>,
    pub limits_memory: Option<Spanned<String>>,
    pub limits_cpus: Option<Spanned<String>>,
    pub reservations_memory: Option<Spanned<String>>,
    pub reservations_cpus: Option<Spanned<String>>,
}

impl ComposeFile {
    /// Build the view from the first document of the stream that has a `services` mapping.
    pub fn from_yaml(yaml: YamlStream) -> ComposeFile {
        let mut services = Vec::new();
        if let Some(doc) = yaml.documents.iter().find(|d| has_services(d)) {
            if let Some(map) = doc.root().and_then(|r| r.get("services")) {
                for entry in map.value.entries() {
                    if let Some(s) = service(map.value, entry) {
                        services.push(s);
                    }
                }
            }
        }
        ComposeFile { yaml, services }
    }
}

fn has_services(doc: &YamlDocument) -> bool {
    doc.root().and_then(|r| r.get("services")).is_some_and(|e| e.value.is_mapping())
}

/// Look a field up on a service, following same-file `extends` (bounded).
fn field<'a>(services: NodeRef<'a>, service_node: NodeRef<'a>, key: &str) -> Option<Entry<'a>> {
    let mut current = service_node;
    for _ in 0..8 {
        if let Some(e) = current.get(key) {
            return Some(e);
        }
        let ext = current.get("extends")?.value;
        if ext.get("file").is_some() {
            return None;
        }
        let base = ext.as_str().or_else(|| ext.get("service").and_then(|e| e.value.as_str()))?;
        current = services.get(base)?.value;
    }
    None
}

fn scalar(e: Option<Entry<'_>>) -> Option<Spanned<String>> {
    let e = e?;
    let v = e.value.as_str()?;
    Some(Spanned::new(v.to_string(), e.value.span()))
}

fn service<'a>(services: NodeRef<'a>, entry: Entry<'a>) -> Option<Service> {
    let name = Spanned::new(entry.key.as_str()?.to_string(), entry.key.span());
    let service_node = entry.value;
    if !service_node.is_mapping() {
        return None;
    }
    let f = |k: &str| field(services, service_node, k);
    let extends_other_file =
        service_node.get("extends").is_some_and(|e| e.value.get("file").is_some());

    let build = f("build").map(|e| {
        let v = e.value;
        if let Some(ctx) = v.as_str() {
            Build {
                span: e.key.span().cover(v.span()),
                context: Some(Spanned::new(ctx.to_string(), v.span())),
                dockerfile: None,
                platforms: Vec::new(),
            }
        } else {
            Build {
                span: e.key.span().cover(v.span()),
                context: scalar(v.get("context")),
                dockerfile: scalar(v.get("dockerfile")),
                platforms: v.get("platforms").map_or_else(Vec::new, |p| {
                    p.value
                        .items()
                        .iter()
                        .filter_map(|i| Some(Spanned::new(i.as_str()?.to_string(), i.span())))
                        .collect()
                }),
            }
        }
    });

    let deploy = f("deploy").map(|e| e.value);
    let res = deploy.and_then(|d| d.get("resources")).map(|e| e.value);
    let limits = res.and_then(|r| r.get("limits")).map(|e| e.value);
    let reservations = res.and_then(|r| r.get("reservations")).map(|e| e.value);
    let resources = Resources {
        mem_limit: scalar(f("mem_limit")),
        mem_reservation: scalar(f("mem_reservation")),
        cpus: scalar(f("cpus")),
        limits_memory: scalar(limits.and_then(|l| l.get("memory"))),
        limits_cpus: scalar(limits.and_then(|l| l.get("cpus"))),
        reservations_memory: scalar(reservations.and_then(|l| l.get("memory"))),
        reservations_cpus: scalar(reservations.and_then(|l| l.get("cpus"))),
    };

    Some(Service {
        name,
        span: service_node.span(),
        image: scalar(f("image")),
        build,
        platform: scalar(f("platform")),
        command: f("command").and_then(|e| command(e.value)),
        entrypoint: f("entrypoint").and_then(|e| command(e.value)),
        environment: f("environment").map(|e| environment(e.value)).unwrap_or_default(),
        healthcheck: f("healthcheck").map(healthcheck),
        volumes: f("volumes").map(|e| volumes(e.value)).unwrap_or_default(),
        tmpfs: f("tmpfs").map(|e| string_or_list(e.value)).unwrap_or_default(),
        restart: scalar(f("restart")),
        stop_grace_period: scalar(f("stop_grace_period")),
        resources,
        depends_on: f("depends_on").map(|e| depends_on(e.value)).unwrap_or_default(),
        volumes_from: service_node
            .get("volumes_from")
            .map(|e| string_or_list(e.value))
            .unwrap_or_default(),
        configs: f("configs").map(|e| configs(e.value)).unwrap_or_default(),
        extends_other_file,
        security: ServiceSecurity {
            user: scalar(f("user")),
            privileged: scalar(f("privileged")),
            pid: scalar(f("pid")),
            ipc: scalar(f("ipc")),
            network_mode: scalar(f("network_mode")),
            cap_add: f("cap_add").map(|e| string_or_list(e.value)).unwrap_or_default(),
            security_opt: f("security_opt").map(|e| string_or_list(e.value)).unwrap_or_default(),
        },
        restart_policy: deploy.and_then(|d| d.get("restart_policy")).map(|e| RestartPolicy {
            key_span: e.key.span(),
            condition: scalar(e.value.get("condition")),
            max_attempts: scalar(e.value.get("max_attempts")),
        }),
        dependencies: f("depends_on").map(|e| dependencies(e.value)).unwrap_or_default(),
        profiles: f("profiles").map(|e| string_or_list(e.value)).unwrap_or_default(),
        labels: f("labels").map(|e| labels(e.value)).unwrap_or_default(),
        swarm_only: deploy.map(swarm_only).unwrap_or_default(),
        logging: f("logging").map(|e| Logging {
            key_span: e.key.span(),
            driver: scalar(e.value.get("driver")),
            options: e
                .value
                .get("options")
                .map(|o| {
                    o.value
                        .entries()
                        .into_iter()
                        .filter_map(|kv| {
                            let key = Spanned::new(kv.key.as_str()?.to_string(), kv.key.span());
                            Some((key, scalar(Some(kv))?))
                        })
                        .collect()
                })
                .unwrap_or_default(),
        }),
        links: f("links").map(|e| string_or_list(e.value)).unwrap_or_default(),
        extra_hosts: f("extra_hosts")
            .map(|e| {
                if e.value.is_mapping() {
                    e.value
                        .entries()
                        .into_iter()
                        .filter_map(|kv| {
                            Some(Spanned::new(kv.key.as_str()?.to_string(), kv.key.span()))
                        })
                        .collect()
                } else {
                    string_or_list(e.value)
                }
            })
            .unwrap_or_default(),
        hostname: scalar(f("hostname")),
        container_name: scalar(f("container_name")),
    })
}

/// The keys of a `deploy` mapping that only Swarm applies (compose-spec `deploy.md`; Docker
/// Compose `create.go` reads `resources` and `restart_policy.condition`/`max_attempts` only).
fn swarm_only(deploy: NodeRef<'_>) -> Vec<(&'static str, Span)> {
    let mut out = Vec::new();
    for key in ["placement", "update_config", "rollback_config", "endpoint_mode"] {
        if let Some(e) = deploy.get(key) {
            out.push((key, e.key.span()));
        }
    }
    if let Some(policy) = deploy.get("restart_policy") {
        for (key, path) in [("delay", "restart_policy.delay"), ("window", "restart_policy.window")]
        {
            if let Some(e) = policy.value.get(key) {
                out.push((path, e.key.span()));
            }
        }
    }
    out
}

fn command(v: NodeRef<'_>) -> Option<Command> {
    if v.is_sequence() {
        Some(Command::Exec(v.items().into_iter().filter_map(Text::from_yaml).collect()))
    } else {
        Text::from_yaml(v).map(Command::Shell)
    }
}

fn string_or_list(v: NodeRef<'_>) -> Vec<Spanned<String>> {
    if v.is_sequence() {
        v.items()
            .into_iter()
            .filter_map(|i| Some(Spanned::new(i.as_str()?.to_string(), i.span())))
            .collect()
    } else {
        v.as_str().map(|s| vec![Spanned::new(s.to_string(), v.span())]).unwrap_or_default()
    }
}

fn environment(v: NodeRef<'_>) -> Vec<EnvVar> {
    let mut out = Vec::new();
    if v.is_mapping() {
        for e in v.entries() {
            let Some(k) = e.key.as_str() else { continue };
            out.push(EnvVar {
                name: Spanned::new(k.to_string(), e.key.span()),
                value: Text::from_yaml(e.value),
                span: e.key.span().cover(e.value.span()),
            });
        }
    } else if v.is_sequence() {
        for item in v.items() {
            let Some(t) = Text::from_yaml(item) else { continue };
            let (name, value) = match t.value.split_once('=') {
                Some((n, val)) => {
                    let at = n.len() + 1;
                    let value = Text {
                        value: val.to_string(),
                        span: t.sub_span(at, t.value.len()),
                        raw_start: t.raw_start.map(|s| s + at),
                    };
                    (n.to_string(), Some(value))
                }
                None => (t.value.clone(), None),
            };
            let name_span = t.sub_span(0, name.len());
            out.push(EnvVar { name: Spanned::new(name, name_span), value, span: t.span });
        }
    }
    out
}

fn healthcheck(e: Entry<'_>) -> Healthcheck {
    let v = e.value;
    let test = v.get("test").and_then(|t| {
        let tv = t.value;
        if tv.is_sequence() {
            let items: Vec<String> =
                tv.items().iter().filter_map(|i| i.as_str().map(str::to_string)).collect();
            Some(Spanned::new(items.join(" "), tv.span()))
        } else {
            tv.as_str().map(|s| Spanned::new(s.to_string(), tv.span()))
        }
    });
    let test_none = v
        .get("test")
        .is_some_and(|t| t.value.items().first().and_then(|i| i.as_str()) == Some("NONE"));
    let disable = v.get("disable").is_some_and(|d| d.value.as_bool() == Some(true));
    Healthcheck {
        key_span: e.key.span(),
        span: v.span(),
        test,
        test_command: v.get("test").and_then(|t| command(t.value)),
        disabled: test_none || disable,
        interval: scalar(v.get("interval")),
        timeout: scalar(v.get("timeout")),
        retries: scalar(v.get("retries")),
        start_period: scalar(v.get("start_period")),
        start_interval: scalar(v.get("start_interval")),
    }
}

fn configs(v: NodeRef<'_>) -> Vec<Spanned<String>> {
    v.items()
        .into_iter()
        .filter_map(|item| {
            let name = if item.is_mapping() { item.get("source")?.value } else { item };
            Some(Spanned::new(name.as_str()?.to_string(), name.span()))
        })
        .collect()
}

fn dependencies(v: NodeRef<'_>) -> Vec<Dependency> {
    if v.is_mapping() {
        v.entries()
            .into_iter()
            .filter_map(|e| {
                let condition = e.value.get("condition").filter(|c| c.value.as_str().is_some());
                Some(Dependency {
                    name: Spanned::new(e.key.as_str()?.to_string(), e.key.span()),
                    condition: condition.and_then(|c| c.value.as_str()).map(str::to_string),
                    condition_span: condition.map(|c| c.value.span()),
                })
            })
            .collect()
    } else {
        string_or_list(v)
            .into_iter()
            .map(|name| Dependency { name, condition: None, condition_span: None })
            .collect()
    }
}

fn labels(v: NodeRef<'_>) -> Vec<(String, Option<String>)> {
    if v.is_mapping() {
        v.entries()
            .into_iter()
            .filter_map(|e| {
                Some((e.key.as_str()?.to_string(), e.value.as_str().map(str::to_string)))
            })
            .collect()
    } else {
        string_or_list(v)
            .into_iter()
            .map(|t| match t.value.split_once('=') {
                Some((k, val)) => (k.to_string(), Some(val.to_string())),
                None => (t.value, None),
            })
            .collect()
    }
}

fn depends_on(v: NodeRef<'_>) -> Vec<Spanned<String>> {
    if v.is_mapping() {
        v.entries()
            .into_iter()
            .filter_map(|e| Some(Spanned::new(e.key.as_str()?.to_string(), e.key.span())))
            .collect()
    } else {
        string_or_list(v)
    }
}

fn volumes(v: NodeRef<'_>) -> Vec<VolumeMount> {
    let mut out = Vec::new();
    for item in v.items() {
        if let Some(s) = item.as_str() {
            out.push(short_volume(s, item));
        } else if item.is_mapping() {
            let kind = match item.get("type").and_then(|t| t.value.as_str()) {
                Some("volume") => MountType::Volume,
                Some("bind") => MountType::Bind,
                Some("tmpfs") => MountType::Tmpfs,
                _ => MountType::Other,
            };
            out.push(VolumeMount {
                span: item.span(),
                kind,
                source: scalar(item.get("source")),
                target: scalar(item.get("target")),
                mode: None,
                read_only: scalar(item.get("read_only")),
                create_host_path: item
                    .get("bind")
                    .and_then(|b| scalar(b.value.get("create_host_path"))),
            });
        }
    }
    out
}

/// Short syntax `[SOURCE:]TARGET[:MODE]`. A source starting with `.`, `/` or `~` (or a Windows
/// drive) is a bind mount; otherwise a named volume; no source: an anonymous volume.
fn short_volume(s: &str, node: NodeRef<'_>) -> VolumeMount {
    let text = Text::from_yaml(node);
    let span_of = |start: usize, end: usize| match &text {
        Some(t) => t.sub_span(start, end),
        None => node.span(),
    };
    let parts = split_volume(s);
    let (source, target, mode) = match parts.as_slice() {
        [(ts, te)] => (None, Some((*ts, *te)), None),
        [(ss, se), (ts, te)] => (Some((*ss, *se)), Some((*ts, *te)), None),
        [(ss, se), (ts, te), (ms, me), ..] => {
            (Some((*ss, *se)), Some((*ts, *te)), Some((*ms, *me)))
        }
        _ => (None, None, None),
    };
    let kind = match source {
        None => MountType::Volume,
        Some((a, b)) => {
            let src = &s[a..b];
            if src.starts_with(['.', '/', '~', '$']) || is_windows_path(src) {
                MountType::Bind
            } else {
                MountType::Volume
            }
        }
    };
    VolumeMount {
        span: node.span(),
        kind,
        source: source.map(|(a, b)| Spanned::new(s[a..b].to_string(), span_of(a, b))),
        target: target.map(|(a, b)| Spanned::new(s[a..b].to_string(), span_of(a, b))),
        mode: mode.map(|(a, b)| Spanned::new(s[a..b].to_string(), span_of(a, b))),
        read_only: None,
        create_host_path: None,
    }
}

/// A Windows drive path (`C:\\data`, `d:/x`).
pub fn is_windows_path(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':'
}

/// Split on `:` but not the one after a Windows drive letter.
fn split_volume(s: &str) -> Vec<(usize, usize)> {
    let mut parts = Vec::new();
    let mut start = 0;
    for (i, c) in s.char_indices() {
        if c == ':' && !(i == start + 1 && is_windows_path(&s[start..])) {
            parts.push((start, i));
            start = i + 1;
        }
    }
    parts.push((start, s.len()));
    parts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::yaml::{parse_stream, Limits};

    fn view(text: &str) -> ComposeFile {
        ComposeFile::from_yaml(parse_stream(text, &Limits::default()))
    }

    fn at(text: &str, span: Span) -> &str {
        &text[span.start..span.end]
    }

    const ANCHORS: &str = "\
x-defaults: &defaults
  restart: unless-stopped
  deploy:
    resources:
      limits: {memory: 128M, cpus: \"0.5\"}
services:
  web:
    <<: *defaults
    image: nginx:1.27
    mem_limit: 64m
  worker:
    extends: web
    image: busybox
    command: [\"sh\", \"-c\", \"sleep 1\"]
  other:
    extends: {file: base.yaml, service: x}
";

    #[test]
    fn merge_keys_and_same_file_extends_are_followed() {
        let c = view(ANCHORS);
        assert_eq!(c.services.len(), 3);
        let web = &c.services[0];
        assert_eq!(web.name.value, "web");
        assert_eq!(at(ANCHORS, web.name.span), "web");
        assert_eq!(web.restart.as_ref().unwrap().value, "unless-stopped");
        let mem = web.resources.limits_memory.as_ref().unwrap();
        assert_eq!(mem.value, "128M");
        // the value comes from the anchor's definition: that is where it is written
        assert_eq!(at(ANCHORS, mem.span), "128M");
        assert_eq!(web.resources.mem_limit.as_ref().unwrap().value, "64m");

        let worker = &c.services[1];
        assert_eq!(worker.image.as_ref().unwrap().value, "busybox");
        assert_eq!(worker.resources.mem_limit.as_ref().unwrap().value, "64m", "from extends: web");
        match worker.command.as_ref().unwrap() {
            Command::Exec(items) => {
                assert_eq!(items.len(), 3);
                assert_eq!(at(ANCHORS, items[2].span), "\"sleep 1\"");
                assert_eq!(items[2].sub_span(0, 5), {
                    let s = ANCHORS.find("sleep 1").unwrap();
                    Span::new(s, s + 5)
                });
            }
            Command::Shell(_) => panic!("exec form expected"),
        }
        assert!(c.services[2].extends_other_file);
        assert!(!worker.extends_other_file);
    }

    const VOLUMES: &str = "\
services:
  db:
    image: postgres:16
    environment:
      - POSTGRES_DB=app
      - EMPTY
    volumes:
      - db-data:/var/lib/postgresql/data
      - ./init:/docker-entrypoint-initdb.d:ro
      - /var/lib/anon
      - C:\\data:/data
      - type: tmpfs
        target: /run/cache
    tmpfs: /tmp
    healthcheck:
      test: [\"CMD\", \"pg_isready\"]
      interval: ${HC_INTERVAL:-10s}
      retries: 3
    depends_on:
      cache: {condition: service_healthy}
";

    #[test]
    fn short_and_long_volume_syntax_env_list_healthcheck() {
        let c = view(VOLUMES);
        let db = &c.services[0];
        let v = &db.volumes;
        assert_eq!(v.len(), 5);
        assert_eq!(v[0].kind, MountType::Volume);
        assert_eq!(at(VOLUMES, v[0].source.as_ref().unwrap().span), "db-data");
        assert_eq!(at(VOLUMES, v[0].target.as_ref().unwrap().span), "/var/lib/postgresql/data");
        assert_eq!(v[1].kind, MountType::Bind);
        assert_eq!(v[1].target.as_ref().unwrap().value, "/docker-entrypoint-initdb.d");
        assert_eq!(at(VOLUMES, v[1].mode.as_ref().unwrap().span), "ro");
        assert!(v[0].mode.is_none());
        assert_eq!(v[2].kind, MountType::Volume);
        assert!(v[2].source.is_none(), "anonymous volume");
        assert_eq!(v[2].target.as_ref().unwrap().value, "/var/lib/anon");
        assert_eq!(v[3].kind, MountType::Bind);
        assert_eq!(v[3].source.as_ref().unwrap().value, "C:\\data");
        assert_eq!(v[3].target.as_ref().unwrap().value, "/data");
        assert_eq!(v[4].kind, MountType::Tmpfs);
        assert_eq!(v[4].target.as_ref().unwrap().value, "/run/cache");
        assert_eq!(db.tmpfs.len(), 1);
        assert_eq!(db.tmpfs[0].value, "/tmp");

        assert_eq!(db.environment.len(), 2);
        assert_eq!(at(VOLUMES, db.environment[0].name.span), "POSTGRES_DB");
        assert_eq!(at(VOLUMES, db.environment[0].value.as_ref().unwrap().span), "app");
        assert!(db.environment[1].value.is_none());

        let hc = db.healthcheck.as_ref().unwrap();
        assert_eq!(at(VOLUMES, hc.key_span), "healthcheck");
        assert_eq!(hc.test.as_ref().unwrap().value, "CMD pg_isready");
        assert_eq!(hc.interval.as_ref().unwrap().value, "${HC_INTERVAL:-10s}");
        assert_eq!(hc.retries.as_ref().unwrap().value, "3");
        assert!(!hc.disabled);
        assert_eq!(db.depends_on[0].value, "cache");
    }

    #[test]
    fn not_a_services_mapping_gives_no_services() {
        assert!(view("services: [a, b]\n").services.is_empty());
        assert!(view("").services.is_empty());
        let c = view("services:\n  a: null\n  b:\n    image: x\n");
        assert_eq!(c.services.len(), 1);
    }

    #[test]
    fn healthcheck_disable_forms() {
        let c = view("services:\n  a:\n    healthcheck: {test: [\"NONE\"]}\n  b:\n    healthcheck:\n      disable: true\n");
        assert!(c.services[0].healthcheck.as_ref().unwrap().disabled);
        assert!(c.services[1].healthcheck.as_ref().unwrap().disabled);
    }

    #[test]
    fn long_bind_options() {
        let text = "services:\n  a:\n    volumes:\n      - type: bind\n        source: ./data\n        target: /data\n        read_only: \"true\"\n        bind: {create_host_path: false}\n      - {type: bind, source: ./x, target: /x}\n";
        let c = view(text);
        let v = &c.services[0].volumes;
        assert_eq!(v[0].read_only.as_ref().unwrap().value, "true");
        assert_eq!(v[0].create_host_path.as_ref().unwrap().value, "false");
        assert!(v[0].mode.is_none());
        assert!(v[1].read_only.is_none() && v[1].create_host_path.is_none());
    }

    #[test]
    fn volumes_from_and_configs() {
        let text = "services:\n  a:\n    image: x\n    volumes_from: [b, \"container:c\"]\n    configs:\n      - plant\n      - {source: mqtt, target: /etc/mqtt.conf}\n  b: {image: y, volumes_from: a}\n";
        let c = view(text);
        let names = |v: &[Spanned<String>]| v.iter().map(|s| s.value.clone()).collect::<Vec<_>>();
        assert_eq!(names(&c.services[0].volumes_from), ["b", "container:c"]);
        assert_eq!(names(&c.services[0].configs), ["plant", "mqtt"]);
        assert_eq!(at(text, c.services[0].configs[1].span), "mqtt");
        assert_eq!(names(&c.services[1].volumes_from), ["a"]);
        assert!(c.services[1].configs.is_empty());
    }
}
