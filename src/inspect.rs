//! `edgelint inspect`: the parsed model as JSON, each located value with its `line:col`, so a
//! user (or a test) can see what the parser understood.

use crate::document::{Document, FileKind};
use crate::model::compose::{Command as ComposeCommand, ComposeFile};
use crate::model::kubernetes::Manifests;
use crate::source::{SourceFile, Span, Spanned};
use crate::syntax::dockerfile::Dockerfile;
use serde_json::{json, Value};

/// The model of one file as JSON.
pub fn inspect(source: &SourceFile, kind: FileKind) -> Value {
    let (doc, errors) = crate::parse(source, kind);
    let at = |span: Span| -> String {
        let p = source.position(span.start);
        format!("{}:{}", p.line, p.column)
    };
    let errors: Vec<Value> =
        errors.iter().map(|e| json!({"at": at(e.span), "message": e.message})).collect();
    let model = match &doc {
        Document::Dockerfile(d) => dockerfile(d, &at),
        Document::Compose(c) => compose(c, &at),
        Document::Kubernetes(m) => kubernetes(m, &at),
    };
    json!({"path": source.path, "kind": kind, "errors": errors, "model": model})
}

fn located(v: &Spanned<String>, at: &dyn Fn(Span) -> String) -> Value {
    json!({"value": v.value, "at": at(v.span)})
}

fn opt(v: &Option<Spanned<String>>, at: &dyn Fn(Span) -> String) -> Value {
    v.as_ref().map(|v| located(v, at)).unwrap_or(Value::Null)
}

fn dockerfile(d: &Dockerfile, at: &dyn Fn(Span) -> String) -> Value {
    let stages: Vec<Value> = d
        .stages
        .iter()
        .map(|s| {
            json!({
                "index": s.index,
                "name": opt(&s.name, at),
                "image": located(&s.image, at),
                "resolved_image": s.resolved_image,
                "base_stage": s.base_stage,
                "platform": opt(&s.platform, at),
                "reaches_final": d.reaches_final(s.index),
                "instructions": d.instructions[s.instructions.clone()]
                    .iter()
                    .map(|i| json!({"keyword": i.keyword, "at": at(i.span)}))
                    .collect::<Vec<_>>(),
            })
        })
        .collect();
    let global_args: Vec<Value> = d
        .global_args
        .iter()
        .map(|a| json!({"name": located(&a.key, at), "default": a.value.as_ref().map(|v| v.value.clone())}))
        .collect();
    json!({"escape": d.escape.to_string(), "global_args": global_args, "stages": stages})
}

fn command_json(c: &Option<ComposeCommand>) -> Value {
    match c {
        None => Value::Null,
        Some(ComposeCommand::Shell(t)) => json!(t.value),
        Some(ComposeCommand::Exec(v)) => json!(v.iter().map(|t| &t.value).collect::<Vec<_>>()),
    }
}

fn compose(c: &ComposeFile, at: &dyn Fn(Span) -> String) -> Value {
    let services: Vec<Value> = c
        .services
        .iter()
        .map(|s| {
            json!({
                "name": located(&s.name, at),
                "image": opt(&s.image, at),
                "build": s.build.as_ref().map(|b| json!({
                    "context": opt(&b.context, at),
                    "dockerfile": opt(&b.dockerfile, at),
                })),
                "platform": opt(&s.platform, at),
                "command": command_json(&s.command),
                "entrypoint": command_json(&s.entrypoint),
                "healthcheck": s.healthcheck.as_ref().map(|h| json!({
                    "at": at(h.key_span),
                    "disabled": h.disabled,
                    "interval": opt(&h.interval, at),
                    "timeout": opt(&h.timeout, at),
                    "retries": opt(&h.retries, at),
                    "start_period": opt(&h.start_period, at),
                })),
                "volumes": s.volumes.iter().map(|v| json!({
                    "at": at(v.span),
                    "type": format!("{:?}", v.kind).to_lowercase(),
                    "source": opt(&v.source, at),
                    "target": opt(&v.target, at),
                })).collect::<Vec<_>>(),
                "tmpfs": s.tmpfs.iter().map(|t| located(t, at)).collect::<Vec<_>>(),
                "restart": opt(&s.restart, at),
                "resources": {
                    "mem_limit": opt(&s.resources.mem_limit, at),
                    "cpus": opt(&s.resources.cpus, at),
                    "mem_reservation": opt(&s.resources.mem_reservation, at),
                    "limits_memory": opt(&s.resources.limits_memory, at),
                    "limits_cpus": opt(&s.resources.limits_cpus, at),
                    "reservations_memory": opt(&s.resources.reservations_memory, at),
                    "reservations_cpus": opt(&s.resources.reservations_cpus, at),
                },
                "depends_on": s.depends_on.iter().map(|d| located(d, at)).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({"services": services})
}

fn kubernetes(m: &Manifests, at: &dyn Fn(Span) -> String) -> Value {
    let objects: Vec<Value> = m
        .objects
        .iter()
        .map(|o| {
            let templates: Vec<Value> = o
                .pod_templates
                .iter()
                .map(|t| {
                    json!({
                        "path": t.path,
                        "at": at(t.span),
                        "inferred": t.inferred,
                        "containers": t.containers.iter().map(|c| json!({
                            "role": c.role.describe(),
                            "name": opt(&c.name, at),
                            "image": opt(&c.image, at),
                            "limits": c.resources.as_ref().map(|r| r.limits.iter().map(|(k, v)| json!({"name": k.value, "value": located(v, at)})).collect::<Vec<_>>()),
                            "liveness_probe": c.liveness_probe.as_ref().map(|p| at(p.key_span)),
                            "startup_probe": c.startup_probe.as_ref().map(|p| at(p.key_span)),
                        })).collect::<Vec<_>>(),
                        "volumes": t.volumes.iter().map(|v| json!({
                            "name": opt(&v.name, at),
                            "source": opt(&v.source, at),
                        })).collect::<Vec<_>>(),
                    })
                })
                .collect();
            json!({
                "document": o.doc,
                "at": at(o.span),
                "api_version": opt(&o.api_version, at),
                "kind": located(&o.kind, at),
                "name": opt(&o.name, at),
                "namespace": opt(&o.namespace, at),
                "pod_templates": templates,
            })
        })
        .collect();
    json!({"objects": objects})
}
