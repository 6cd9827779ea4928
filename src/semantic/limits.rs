//! Effective resource limits: what a written limit value amounts to (Kubernetes quantities,
//! Compose byte and CPU values with interpolation), and what the namespace supplies when a
//! container writes none (a LimitRange `default`, else its `max`, which the API copies into
//! `default`) or requires (a ResourceQuota on `limits.<resource>`).
//!
//! Kubernetes: `0` means no limit (the kubelet sets no cgroup limit); a negative value is
//! rejected by the API server. Compose: `0` (and a negative memory) means unlimited; an
//! interpolation is judged by its default (`${MEM:-0}`), and one without a default is not
//! guessed.

use crate::model::kubernetes::{Manifests, Object};
use crate::values::bytes::{parse_compose_bytes, parse_compose_cpus};
use crate::values::interpolate::substitute;
use crate::values::quantity::{parse_quantity, Quantity, QuantityError};

/// How a Compose value is parsed .
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ComposeValue {
    /// A byte value; `0` and negative values mean unlimited.
    Bytes,
    /// A number of CPUs; `0` means unlimited.
    Cpus,
}

/// What a written limit amounts to.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    /// A working limit.
    Bounded,
    /// Present but means no limit (`0`, `-1`, or an interpolation defaulting to them); the
    /// string is the effective value when it differs from the text.
    Unlimited(Option<String>),
    /// Not a valid value: why.
    Invalid(String),
    /// Depends on something not in the file (`${MEM}` without default, a template): not guessed.
    Unknown,
}

/// A Kubernetes limit value. Zero means no limit (the kubelet sets no cgroup limit).
pub fn judge_quantity(value: &str) -> Verdict {
    if value.contains('$') || value.contains("{{") {
        return Verdict::Unknown;
    }
    match parse_quantity(value) {
        Ok(q) if q.is_negative() => {
            Verdict::Invalid("a limit cannot be negative; the API server rejects it".to_string())
        }
        Ok(q) if q.is_zero() => Verdict::Unlimited(None),
        Ok(_) => Verdict::Bounded,
        // the API server trims surrounding whitespace when decoding
        Err(QuantityError::Whitespace) => match parse_quantity(value.trim()) {
            Ok(_) => judge_quantity(value.trim()),
            Err(e) => Verdict::Invalid(e.to_string()),
        },
        Err(e) => Verdict::Invalid(e.to_string()),
    }
}

/// A Compose limit value, with interpolation judged by its default.
pub fn judge_compose(value: &str, how: ComposeValue) -> Verdict {
    let (text, interpolated) = if value.contains('$') {
        match substitute(value, |_| None) {
            Some(s) if !s.trim().is_empty() => (s, true),
            _ => return Verdict::Unknown,
        }
    } else {
        (value.to_string(), false)
    };
    let parsed = match how {
        ComposeValue::Bytes => parse_compose_bytes(&text),
        ComposeValue::Cpus => parse_compose_cpus(&text),
    };
    match parsed {
        Ok(n) if n <= 0 => Verdict::Unlimited(interpolated.then_some(text)),
        Ok(_) => Verdict::Bounded,
        // a default we cannot read is left to the variable's real value
        Err(_) if interpolated => Verdict::Unknown,
        Err(e) => Verdict::Invalid(e),
    }
}

/// The amount a Compose value sets (bytes, or nano-CPUs), with interpolation read through its
/// default; `None` when it cannot be read (invalid, or a variable without a default). `0` and
/// negative values are returned as written: they mean unlimited.
pub fn compose_amount(value: &str, how: ComposeValue) -> Option<i64> {
    let text = if value.contains('$') { substitute(value, |_| None)? } else { value.to_string() };
    match how {
        ComposeValue::Bytes => parse_compose_bytes(&text).ok(),
        ComposeValue::Cpus => parse_compose_cpus(&text).ok(),
    }
}

/// Bytes for a message: `512 MiB`, `1536 MiB`, or the exact count (`1000 bytes`).
pub fn show_bytes(n: i64) -> String {
    const UNITS: [(i64, &str); 4] =
        [(1 << 40, "TiB"), (1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")];
    if n <= 0 {
        return "unlimited".to_string();
    }
    match UNITS.iter().find(|(size, _)| n % size == 0) {
        Some((size, unit)) => format!("{} {unit}", n / size),
        None => format!("{n} bytes"),
    }
}

/// A Kubernetes limit value that is a working limit ([`Verdict::Bounded`] by
/// [`judge_quantity`]), parsed; `None` for no limit, an invalid value or a value not in the file.
pub fn bounded_quantity(value: &str) -> Option<Quantity> {
    match judge_quantity(value) {
        Verdict::Bounded => parse_quantity(value.trim()).ok(),
        _ => None,
    }
}

/// The sum of working Kubernetes limits in milli-units, or `None` when one of them is not a
/// working limit (absent, zero, invalid or not in the file): then the sum is unbounded or
/// unknown.
pub fn sum_bounded<'v>(values: impl IntoIterator<Item = Option<&'v str>>) -> Option<i128> {
    values.into_iter().try_fold(0i128, |acc, v| acc.checked_add(bounded_quantity(v?)?.milli()))
}

/// A LimitRange `type: Container` item that supplies a default limit.
#[derive(Debug)]
pub struct RangeDefault<'a> {
    pub object: &'a Object,
    /// The resource: `memory`, `cpu`.
    pub resource: String,
    pub value: String,
    /// The default comes from `max` (the API defaults `default` to `max`).
    pub from_max: bool,
}

/// A ResourceQuota constraining `limits.<resource>`.
#[derive(Debug)]
pub struct Quota<'a> {
    pub object: &'a Object,
    /// The resources whose limits it constrains.
    pub resources: Vec<String>,
}

/// The LimitRanges and ResourceQuotas of a stream.
#[derive(Debug, Default)]
pub struct NamespaceLimits<'a> {
    pub defaults: Vec<RangeDefault<'a>>,
    /// Default requests (see [`NamespaceLimits::request_default_for`]).
    pub request_defaults: Vec<RangeDefault<'a>>,
    pub quotas: Vec<Quota<'a>>,
}

impl<'a> NamespaceLimits<'a> {
    pub fn of(m: &'a Manifests) -> NamespaceLimits<'a> {
        NamespaceLimits {
            defaults: range_defaults(m, LIMIT_FIELDS),
            request_defaults: range_defaults(m, REQUEST_FIELDS),
            quotas: quotas(m),
        }
    }

    /// The first LimitRange default *request* for `resource` that applies to `object`'s
    /// namespace (`defaultRequest`, else what the API copies into it: `default`, `max`, `min`).
    pub fn request_default_for(
        &self,
        resource: &str,
        object: &Object,
    ) -> Option<&RangeDefault<'a>> {
        self.request_defaults
            .iter()
            .find(|r| r.resource == resource && same_namespace(r.object, object))
    }

    /// The first LimitRange default for `resource` that applies to `object`'s namespace.
    pub fn default_for(&self, resource: &str, object: &Object) -> Option<&RangeDefault<'a>> {
        self.defaults.iter().find(|r| r.resource == resource && same_namespace(r.object, object))
    }

    /// The first ResourceQuota on `limits.<resource>` that applies to `object`'s namespace.
    pub fn quota_for(&self, resource: &str, object: &Object) -> Option<&Quota<'a>> {
        self.quotas
            .iter()
            .find(|q| q.resources.iter().any(|r| r == resource) && same_namespace(q.object, object))
    }
}

/// A manifest without namespace goes to whatever namespace it is applied in, so it matches any
/// namespace; two written namespaces must be equal.
pub fn same_namespace(a: &Object, b: &Object) -> bool {
    match (&a.namespace, &b.namespace) {
        (Some(x), Some(y)) => x.value == y.value,
        _ => true,
    }
}

/// Where a container's default limit comes from, in the API server's order
/// (`SetDefaults_LimitRangeItem`: `default`, else `max`).
const LIMIT_FIELDS: &[&str] = &["default", "max"];
/// Where its default request comes from: `defaultRequest`, else `default` (itself defaulted
/// from `max`), else `min`.
const REQUEST_FIELDS: &[&str] = &["defaultRequest", "default", "max", "min"];

fn range_defaults<'m>(m: &'m Manifests, fields: &[&str]) -> Vec<RangeDefault<'m>> {
    let mut out = Vec::new();
    for object in m.objects.iter().filter(|o| o.kind.value == "LimitRange") {
        let Some(node) = m.node(object.doc, object.node) else { continue };
        let Some(limits) = node.get("spec").and_then(|s| s.value.get("limits")) else { continue };
        for item in limits.value.items() {
            if item.get("type").and_then(|t| t.value.as_str()) != Some("Container") {
                continue;
            }
            let mut resources: Vec<String> = Vec::new();
            for field in fields {
                for e in item.get(field).map(|d| d.value.entries()).unwrap_or_default() {
                    if let Some(k) = e.key.as_str() {
                        if !resources.iter().any(|r| r == k) {
                            resources.push(k.to_string());
                        }
                    }
                }
            }
            for resource in resources {
                let from = |field: &str| {
                    item.get(field)
                        .and_then(|d| d.value.get(&resource))
                        .and_then(|v| v.value.as_str())
                        .filter(|v| judge_quantity(v) == Verdict::Bounded)
                        .map(str::to_string)
                };
                if let Some((field, value)) = fields.iter().find_map(|f| Some((*f, from(f)?))) {
                    out.push(RangeDefault { object, resource, value, from_max: field == "max" });
                }
            }
        }
    }
    out
}

fn quotas(m: &Manifests) -> Vec<Quota<'_>> {
    m.objects
        .iter()
        .filter(|o| o.kind.value == "ResourceQuota")
        .filter_map(|object| {
            let hard = m.node(object.doc, object.node)?.get("spec")?.value.get("hard")?.value;
            let resources: Vec<String> = hard
                .entries()
                .into_iter()
                .filter_map(|e| e.key.as_str()?.strip_prefix("limits.").map(str::to_string))
                .collect();
            (!resources.is_empty()).then_some(Quota { object, resources })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_for_messages() {
        assert_eq!(show_bytes(512 << 20), "512 MiB");
        assert_eq!(show_bytes(1536 << 20), "1536 MiB");
        assert_eq!(show_bytes(2 << 30), "2 GiB");
        assert_eq!(show_bytes(536_870_913), "536870913 bytes");
        assert_eq!(show_bytes(0), "unlimited");
    }

    #[test]
    fn quantities() {
        assert_eq!(judge_quantity("256Mi"), Verdict::Bounded);
        assert_eq!(judge_quantity("0.5"), Verdict::Bounded);
        assert_eq!(judge_quantity("1m"), Verdict::Bounded);
        assert_eq!(judge_quantity("0"), Verdict::Unlimited(None));
        assert_eq!(judge_quantity("0Mi"), Verdict::Unlimited(None));
        assert!(matches!(judge_quantity("-1Gi"), Verdict::Invalid(_)));
        assert!(matches!(judge_quantity("1K"), Verdict::Invalid(w) if w.contains("`K`")));
        assert!(matches!(judge_quantity("512MB"), Verdict::Invalid(_)));
        assert_eq!(judge_quantity("${MEMORY_LIMIT}"), Verdict::Unknown);
        assert_eq!(judge_quantity("{{ .Values.memory }}"), Verdict::Unknown);
    }

    #[test]
    fn compose_bytes() {
        let b = ComposeValue::Bytes;
        assert_eq!(judge_compose("256m", b), Verdict::Bounded);
        assert_eq!(judge_compose("1", b), Verdict::Bounded);
        assert_eq!(judge_compose("0", b), Verdict::Unlimited(None));
        assert_eq!(judge_compose("-1", b), Verdict::Unlimited(None));
        assert_eq!(judge_compose("${MEM:-0}", b), Verdict::Unlimited(Some("0".into())));
        assert_eq!(judge_compose("${MEM:--1}", b), Verdict::Unlimited(Some("-1".into())));
        assert_eq!(judge_compose("${MEM:-512m}", b), Verdict::Bounded);
        assert_eq!(judge_compose("${MEM}", b), Verdict::Unknown);
        assert_eq!(judge_compose("$MEM", b), Verdict::Unknown);
        assert_eq!(judge_compose("${MEM:-}", b), Verdict::Unknown);
        assert!(matches!(judge_compose("12x", b), Verdict::Invalid(_)));
    }

    #[test]
    fn compose_cpus() {
        let c = ComposeValue::Cpus;
        assert_eq!(judge_compose("0.5", c), Verdict::Bounded);
        assert_eq!(judge_compose("0.000000001", c), Verdict::Bounded);
        assert_eq!(judge_compose("0", c), Verdict::Unlimited(None));
        assert_eq!(judge_compose("0.0", c), Verdict::Unlimited(None));
        assert_eq!(judge_compose("${CPUS:-0}", c), Verdict::Unlimited(Some("0".into())));
        assert!(matches!(judge_compose("-1", c), Verdict::Invalid(_)));
        assert!(matches!(judge_compose("one", c), Verdict::Invalid(_)));
    }

    #[test]
    fn namespace_defaults_and_quotas() {
        let text = "apiVersion: v1\nkind: LimitRange\nmetadata: {name: lr, namespace: edge}\nspec: {limits: [{type: Container, default: {memory: 128Mi}, max: {cpu: '2', memory: 1Gi}}, {type: Pod, default: {cpu: '1'}}]}\n---\napiVersion: v1\nkind: ResourceQuota\nmetadata: {name: q}\nspec: {hard: {limits.cpu: '4', requests.memory: 1Gi}}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: edge}\nspec: {containers: [{name: a, image: a}]}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: lab}\nspec: {containers: [{name: a, image: a}]}\n";
        let m = Manifests::from_yaml(crate::syntax::yaml::parse_stream(
            text,
            &crate::syntax::yaml::Limits::default(),
        ));
        let facts = NamespaceLimits::of(&m);
        let (edge, lab) = (&m.objects[2], &m.objects[3]);
        let memory = facts.default_for("memory", edge).expect("default");
        assert_eq!((memory.value.as_str(), memory.from_max), ("128Mi", false));
        let cpu = facts.default_for("cpu", edge).expect("max");
        assert_eq!((cpu.value.as_str(), cpu.from_max), ("2", true));
        assert!(facts.default_for("memory", lab).is_none());
        // requests: `defaultRequest`, else `default`, `max`, `min`
        let request = facts.request_default_for("cpu", edge).expect("from max");
        assert_eq!((request.value.as_str(), request.from_max), ("2", true));
        assert!(facts.request_default_for("cpu", lab).is_none());
        assert!(facts.quota_for("cpu", lab).is_some(), "a quota without namespace applies");
        assert!(facts.quota_for("memory", lab).is_none(), "requests are not limits");
    }

    #[test]
    fn default_requests_prefer_default_request_then_default_then_min() {
        let text = "apiVersion: v1\nkind: LimitRange\nmetadata: {name: a}\nspec: {limits: [{type: Container, defaultRequest: {cpu: 100m}, default: {cpu: '1'}, min: {memory: 8Mi}}]}\n";
        let m = Manifests::from_yaml(crate::syntax::yaml::parse_stream(
            text,
            &crate::syntax::yaml::Limits::default(),
        ));
        let facts = NamespaceLimits::of(&m);
        let range = &m.objects[0];
        assert_eq!(facts.request_default_for("cpu", range).map(|r| r.value.as_str()), Some("100m"));
        assert_eq!(facts.default_for("cpu", range).map(|r| r.value.as_str()), Some("1"));
        // `min` defaults the request only
        assert_eq!(
            facts.request_default_for("memory", range).map(|r| r.value.as_str()),
            Some("8Mi")
        );
        assert!(facts.default_for("memory", range).is_none());
    }

    #[test]
    fn bounded_quantities_and_sums() {
        assert_eq!(bounded_quantity("1Gi").map(|q| q.value_ceil()), Some(1 << 30));
        assert_eq!(bounded_quantity(" 64Mi ").map(|q| q.value_ceil()), Some(64 << 20));
        assert_eq!(bounded_quantity("0"), None);
        assert_eq!(bounded_quantity("1K"), None);
        assert_eq!(bounded_quantity("${MEM}"), None);
        assert_eq!(sum_bounded([Some("1Mi"), Some("1k")]), Some(((1 << 20) + 1000) * 1000));
        assert_eq!(sum_bounded([Some("1Mi"), None]), None);
        assert_eq!(sum_bounded([Some("1Mi"), Some("0")]), None);
        assert_eq!(sum_bounded(std::iter::empty()), Some(0));
    }
}
