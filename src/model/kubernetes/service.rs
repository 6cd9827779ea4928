//! Services as written: the selector and the ports, for `unresolved-named-port`. Read on demand
//! from an [`Object`]'s node.

use super::disruption::{string_map, LabelSelector};
use super::{get_scalar, Manifests, Object, Scalar};
use crate::source::Spanned;

/// A Service (`v1`).
#[derive(Clone, Debug)]
pub struct Service {
    /// `spec.selector` (a map: every pair must hold); `None` when absent, empty or `null`: the
    /// endpoints of such a Service are not the controller's.
    pub selector: Option<LabelSelector>,
    /// `spec.type: ExternalName`: a DNS alias, no endpoints.
    pub external_name: bool,
    pub ports: Vec<ServicePort>,
}

/// One entry of a Service's `spec.ports`.
#[derive(Clone, Debug)]
pub struct ServicePort {
    /// `protocol`, `TCP` when absent (the API server's default); `None` when not a plain string.
    pub protocol: Option<String>,
    /// `targetPort` (an `IntOrString`; `port` when absent).
    pub target_port: Option<Spanned<Scalar>>,
}

impl Manifests {
    /// The Service `object` declares, if it is one.
    pub fn service(&self, object: &Object) -> Option<Service> {
        if object.kind.value != "Service" {
            return None;
        }
        let spec = self.node(object.doc, object.node)?.get("spec")?.value;
        let selector =
            spec.get("selector").map(|e| string_map(e.value)).and_then(|(pairs, bad)| {
                let selector = LabelSelector {
                    match_labels: pairs,
                    unreadable: bad,
                    ..LabelSelector::default()
                };
                (bad || !selector.match_labels.is_empty()).then_some(selector)
            });
        let external_name = spec.get("type").and_then(|t| t.value.as_str()) == Some("ExternalName");
        let ports = spec
            .get("ports")
            .map(|e| e.value.items())
            .unwrap_or_default()
            .into_iter()
            .filter(|p| p.is_mapping())
            .map(|p| ServicePort {
                protocol: match p.get("protocol").filter(|e| !e.value.is_null()) {
                    None => Some("TCP".to_string()),
                    Some(e) => e.value.as_str().map(str::to_string),
                },
                target_port: get_scalar(p, "targetPort"),
            })
            .collect();
        Some(Service { selector, external_name, ports })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::yaml;

    fn manifests(text: &str) -> Manifests {
        Manifests::from_yaml(yaml::parse_stream(text, &yaml::Limits::default()))
    }

    #[test]
    fn reads_a_service() {
        let m = manifests(
            "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  selector: {app: web}\n  ports:\n  - {name: http, port: 80, targetPort: http}\n  - {name: dns, port: 53, protocol: UDP, targetPort: \"53\"}\n  - {port: 8080}\n",
        );
        let s = m.service(&m.objects[0]).expect("a service");
        let selector = s.selector.expect("a selector");
        assert_eq!(selector.match_labels, [("app".to_string(), "web".to_string())]);
        assert!(!s.external_name);
        let target = |i: usize| s.ports[i].target_port.as_ref().map(|t| t.value.clone());
        assert_eq!(target(0), Some(Scalar::Other("http".into())));
        assert_eq!(target(1), Some(Scalar::Other("53".into())));
        assert_eq!(target(2), None);
        assert_eq!(s.ports[0].protocol.as_deref(), Some("TCP"));
        assert_eq!(s.ports[1].protocol.as_deref(), Some("UDP"));
    }

    #[test]
    fn an_empty_selector_selects_nothing_the_controller_manages() {
        let m = manifests("kind: Service\nspec:\n  selector: {}\n  type: ExternalName\n");
        let s = m.service(&m.objects[0]).expect("a service");
        assert!(s.selector.is_none());
        assert!(s.external_name);
    }
}
