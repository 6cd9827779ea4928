//! Label selector matching, exactly as `k8s.io/apimachinery/pkg/labels` does it for a
//! `metav1.LabelSelector`: every `matchLabels` pair and every `matchExpressions` requirement
//! must hold (AND). `In`: the key is present with one of the values; `NotIn`: the key is absent
//! or its value is none of them; `Exists` / `DoesNotExist`: the key is present / absent. An empty
//! selector (`{}`) matches every pod.

use crate::model::kubernetes::disruption::{LabelSelector, Operator};

/// Whether `selector` selects a pod with `labels`; `None` when the selector cannot be read
/// exactly (no conclusion either way).
pub fn matches(selector: &LabelSelector, labels: &[(String, String)]) -> Option<bool> {
    if selector.unreadable {
        return None;
    }
    let value = |key: &str| labels.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str());
    let pairs = selector.match_labels.iter().all(|(k, v)| value(k) == Some(v.as_str()));
    let expressions = selector.match_expressions.iter().all(|r| {
        let has = |v: &str| r.values.iter().any(|x| x == v);
        match r.operator {
            Operator::In => value(&r.key).is_some_and(has),
            Operator::NotIn => !value(&r.key).is_some_and(has),
            Operator::Exists => value(&r.key).is_some(),
            Operator::DoesNotExist => value(&r.key).is_none(),
        }
    });
    Some(pairs && expressions)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::kubernetes::disruption::Requirement;

    fn labels(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| ((*k).to_string(), (*v).to_string())).collect()
    }

    fn req(key: &str, operator: Operator, values: &[&str]) -> Requirement {
        Requirement {
            key: key.to_string(),
            operator,
            values: values.iter().map(|v| (*v).to_string()).collect(),
        }
    }

    #[test]
    fn empty_selects_everything() {
        assert_eq!(matches(&LabelSelector::default(), &[]), Some(true));
    }

    #[test]
    fn match_labels_and_expressions_all_hold() {
        let pod = labels(&[("app", "db"), ("tier", "data")]);
        let mut s =
            LabelSelector { match_labels: labels(&[("app", "db")]), ..LabelSelector::default() };
        assert_eq!(matches(&s, &pod), Some(true));
        s.match_expressions.push(req("tier", Operator::In, &["data", "cache"]));
        assert_eq!(matches(&s, &pod), Some(true));
        s.match_expressions.push(req("tier", Operator::NotIn, &["data"]));
        assert_eq!(matches(&s, &pod), Some(false));
    }

    #[test]
    fn operators_on_absent_keys() {
        let pod = labels(&[("app", "db")]);
        let one = |r| LabelSelector { match_expressions: vec![r], ..LabelSelector::default() };
        assert_eq!(matches(&one(req("zone", Operator::NotIn, &["a"])), &pod), Some(true));
        assert_eq!(matches(&one(req("zone", Operator::In, &["a"])), &pod), Some(false));
        assert_eq!(matches(&one(req("zone", Operator::DoesNotExist, &[])), &pod), Some(true));
        assert_eq!(matches(&one(req("app", Operator::Exists, &[])), &pod), Some(true));
        assert_eq!(matches(&one(req("app", Operator::DoesNotExist, &[])), &pod), Some(false));
    }

    #[test]
    fn a_value_must_match_exactly() {
        let s =
            LabelSelector { match_labels: labels(&[("app", "db")]), ..LabelSelector::default() };
        assert_eq!(matches(&s, &labels(&[("app", "DB")])), Some(false));
        assert_eq!(matches(&s, &labels(&[])), Some(false));
        let unreadable = LabelSelector { unreadable: true, ..LabelSelector::default() };
        assert_eq!(matches(&unreadable, &labels(&[("app", "db")])), None);
    }
}
