//! The configuration's keys, as data: the validator ([`super::parse`]) walks these tables, and
//! [`json_schema`] generates the JSON Schema from them and from the rule registry, so the two
//! cannot drift apart.

use crate::diagnostic::PARSE_ERROR;
use crate::rules::{self, option::Kind, option::RuleOption};
use serde_json::{json, Map, Value};

/// One key of a mapping.
#[derive(Debug)]
pub struct Key {
    pub name: &'static str,
    /// One line for the schema's `description`.
    pub help: &'static str,
    pub spec: Spec,
}

/// What a key holds.
#[derive(Debug, Clone, Copy)]
pub enum Spec {
    /// A path to another configuration file.
    Extends,
    /// A path to a baseline file (`--write-baseline`), relative to the configuration file.
    Baseline,
    /// A list of platforms (`linux/arm64`).
    Platforms,
    /// `error`, `warning`, `info` or `none`.
    Threshold,
    Bool,
    /// A list of path globs.
    Globs,
    /// Rule names to a level or a table of `severity` and options.
    Rules,
    /// Path globs to rule settings.
    PerPath,
    /// Image names or globs to platform lists.
    Images,
    /// A list of strings.
    Strings,
    /// A Kubernetes quantity (`4`, `1500m`, `4Gi`).
    Quantity,
    /// A nested mapping.
    Table(&'static [Key]),
}

/// The top-level keys of `.edgelint.yaml`.
pub const TOP: &[Key] = &[
    Key {
        name: "extends",
        help: "another configuration file this one builds on (a path relative to this file, e.g. `../.edgelint.yaml`); its settings apply first",
        spec: Spec::Extends,
    },
    Key {
        name: "platforms",
        help: "the fleet's target platforms, e.g. [linux/arm64, linux/arm/v7]; default linux/amd64, linux/arm64, linux/arm/v7",
        spec: Spec::Platforms,
    },
    Key {
        name: "failure-threshold",
        help: "lowest severity that makes the exit code 1 (default info)",
        spec: Spec::Threshold,
    },
    Key {
        name: "require-reason",
        help: "suppressions must give a reason (`-- reason`); one without does not suppress",
        spec: Spec::Bool,
    },
    Key {
        name: "exclude",
        help: "globs of paths not to lint, relative to this file's directory",
        spec: Spec::Globs,
    },
    Key {
        name: "rules",
        help: "per rule: off, info, warning, error, or a mapping with `severity` and the rule's options",
        spec: Spec::Rules,
    },
    Key {
        name: "per-path",
        help: "globs (relative to this file's directory) to rule settings and `platforms` for the files they match",
        spec: Spec::PerPath,
    },
    Key {
        name: "images",
        help: "platforms of images the built-in knowledge base cannot know: image name or glob to a list of platforms",
        spec: Spec::Images,
    },
    Key {
        name: "baseline",
        help: "a baseline file (written by `edgelint --write-baseline FILE`, a path relative to this file): only findings it does not hold are reported",
        spec: Spec::Baseline,
    },
    Key { name: "registries", help: "container registries", spec: Spec::Table(REGISTRIES) },
    Key { name: "device", help: "the device the workloads run on", spec: Spec::Table(DEVICE) },
];

const REGISTRIES: &[Key] = &[Key {
    name: "local",
    help: "registry hosts that count as local (reachable without the uplink); `registry-not-local` runs only when set",
    spec: Spec::Strings,
}];

const DEVICE: &[Key] = &[
    Key { name: "cpu", help: "CPUs of the device, e.g. 4", spec: Spec::Quantity },
    Key { name: "memory", help: "memory of the device, e.g. 4Gi", spec: Spec::Quantity },
    Key {
        name: "reserved",
        help: "what the OS and the node agent keep for themselves",
        spec: Spec::Table(RESERVED),
    },
];

const RESERVED: &[Key] = &[
    Key { name: "cpu", help: "CPUs reserved, e.g. 500m", spec: Spec::Quantity },
    Key { name: "memory", help: "memory reserved, e.g. 512Mi", spec: Spec::Quantity },
];

pub const LEVELS: &[&str] = &["off", "info", "warning", "error"];
pub const THRESHOLDS: &[&str] = &["error", "warning", "info", "none"];

/// The rule names `rules:` accepts: every registered rule and `parse-error`.
pub fn rule_names() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = rules::all().iter().map(|r| r.meta().name).collect();
    names.push(PARSE_ERROR);
    names.sort_unstable();
    names
}

/// The options of a rule `rules:` accepts (`parse-error` has none); `None` for an unknown name.
pub fn rule_meta(name: &str) -> Option<&'static [RuleOption]> {
    if name == PARSE_ERROR {
        return Some(&[]);
    }
    rules::find(name).map(|r| r.meta().options)
}

const PLATFORM_PATTERN: &str = "^[A-Za-z0-9_.-]+(\\([^)]*\\))?(/[A-Za-z0-9_.-]+){0,2}$";
const QUANTITY_PATTERN: &str =
    "^[+]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][-+]?[0-9]+|[KMGTPE]i|[numkMGTPE])?$";

fn spec_schema(spec: Spec, help: &str) -> Value {
    let mut v = match spec {
        Spec::Extends | Spec::Baseline => json!({"type": "string", "minLength": 1}),
        Spec::Platforms => json!({"$ref": "#/$defs/platforms"}),
        Spec::Threshold => json!({"enum": THRESHOLDS}),
        Spec::Bool => json!({"type": "boolean"}),
        Spec::Globs | Spec::Strings => json!({"type": "array", "items": {"type": "string"}}),
        Spec::Rules => json!({"$ref": "#/$defs/rules"}),
        Spec::PerPath => json!({
            "type": "object",
            "additionalProperties": {"$ref": "#/$defs/per-path-entry"},
        }),
        Spec::Images => json!({
            "type": "object",
            "additionalProperties": {"$ref": "#/$defs/platforms"},
        }),
        Spec::Quantity => json!({
            "anyOf": [
                {"type": "string", "pattern": QUANTITY_PATTERN},
                {"type": "number", "minimum": 0},
            ],
        }),
        Spec::Table(keys) => table_schema(keys),
    };
    if let Value::Object(m) = &mut v {
        m.insert("description".into(), json!(help));
    }
    v
}

fn table_schema(keys: &[Key]) -> Value {
    let props: Map<String, Value> =
        keys.iter().map(|k| (k.name.to_string(), spec_schema(k.spec, k.help))).collect();
    json!({"type": "object", "additionalProperties": false, "properties": props})
}

fn option_schema(o: &RuleOption) -> Value {
    let mut v = match o.kind() {
        Kind::Bool => json!({"type": "boolean"}),
        Kind::Integer => json!({"type": "integer"}),
        Kind::Number => json!({"type": "number"}),
        Kind::String => json!({"type": "string"}),
        Kind::Strings => json!({"type": "array", "items": {"type": "string"}}),
        Kind::IntegerMap => json!({"type": "object", "additionalProperties": {"type": "integer"}}),
    };
    let m = v.as_object_mut().expect("object");
    if let Some(min) = o.minimum {
        let target = if o.kind() == Kind::IntegerMap {
            m.get_mut("additionalProperties").and_then(Value::as_object_mut).expect("object")
        } else {
            &mut *m
        };
        target.insert("minimum".into(), json!(min));
    }
    m.insert("description".into(), json!(o.help));
    m.insert("default".into(), o.default.as_value().to_json());
    v
}

fn rule_schema(name: &str, summary: &str, options: &[RuleOption]) -> Value {
    let mut props = Map::new();
    props.insert("severity".into(), json!({"$ref": "#/$defs/level"}));
    for o in options {
        props.insert(o.name.to_string(), option_schema(o));
    }
    json!({
        "description": format!("{name}: {summary}"),
        "anyOf": [
            {"$ref": "#/$defs/level"},
            {"type": "object", "additionalProperties": false, "properties": props},
        ],
    })
}

/// The key of a `per-path` entry that sets the target platforms of the files it matches (every
/// other key of an entry is a rule name).
pub const PER_PATH_PLATFORMS: &str = "platforms";

/// The JSON Schema (draft 2020-12) of `.edgelint.yaml`, for editors and validators.
pub fn json_schema() -> Value {
    let mut rules_props = Map::new();
    for r in rules::all() {
        let m = r.meta();
        rules_props.insert(m.name.to_string(), rule_schema(m.name, m.summary, m.options));
    }
    rules_props.insert(
        PARSE_ERROR.to_string(),
        rule_schema(PARSE_ERROR, "input that cannot be parsed (built in)", &[]),
    );
    let mut per_path_props = rules_props.clone();
    per_path_props.insert(
        PER_PATH_PLATFORMS.to_string(),
        json!({
            "$ref": "#/$defs/platforms",
            "description": "target platforms of the matching files (replaces the top-level `platforms`)",
        }),
    );
    let mut top = table_schema(TOP);
    let obj = top.as_object_mut().expect("object");
    let mut head = Map::new();
    head.insert("$schema".into(), json!("https://json-schema.org/draft/2020-12/schema"));
    head.insert("$id".into(), json!(crate::diagnostic::site_url("schema/edgelint.json")));
    head.insert("title".into(), json!("edgelint configuration (.edgelint.yaml)"));
    head.extend(std::mem::take(obj));
    head.insert(
        "$defs".into(),
        json!({
            "level": {"enum": LEVELS},
            "platform": {"type": "string", "pattern": PLATFORM_PATTERN},
            "platforms": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/platform"}},
            "rules": {"type": "object", "additionalProperties": false, "properties": rules_props},
            "per-path-entry": {
                "type": "object",
                "additionalProperties": false,
                "properties": per_path_props,
            },
        }),
    );
    Value::Object(head)
}
