//! Target platforms a file declares for itself, replacing the configured ones (`platforms`,
//! `per-path`, `--platform`) for what they cover:
//!
//! - Compose: a top-level `x-edgelint: {platforms: [linux/arm64]}` → the whole file;
//! - Kubernetes: the annotation `edgelint.io/platforms: "linux/arm64, linux/arm/v7"` (commas or
//!   blanks between) on a pod template, else on its object → that pod template.
//!
//! A value with a platform that does not parse is ignored here (the configured targets stay)
//! and reported by the suppression checks as `invalid-suppression`, with the place
//! ([`crate::suppress`]).

use crate::model::compose::ComposeFile;
use crate::model::kubernetes::{Object, PodTemplate};
use crate::values::platform::Platform;

/// The Compose extension key.
pub const COMPOSE_KEY: &str = "x-edgelint";
/// The Kubernetes annotation.
pub const ANNOTATION: &str = "edgelint.io/platforms";

/// `x-edgelint.platforms` of a Compose file's first document with one.
pub fn compose(file: &ComposeFile) -> Option<Vec<Platform>> {
    let value = file
        .yaml
        .documents
        .iter()
        .filter_map(|d| d.root()?.get(COMPOSE_KEY)?.value.get("platforms"))
        .next()?
        .value;
    let items: Vec<&str> = value.items().iter().map(|i| i.as_str()).collect::<Option<_>>()?;
    parse_all(items)
}

/// `edgelint.io/platforms` of a pod template, else of its object.
pub fn kubernetes(object: &Object, template: &PodTemplate) -> Option<Vec<Platform>> {
    let find =
        |annotations: &[(crate::source::Spanned<String>, crate::source::Spanned<String>)]| {
            annotations.iter().find(|(k, _)| k.value == ANNOTATION).map(|(_, v)| v.value.clone())
        };
    let value = find(&template.annotations).or_else(|| find(&object.annotations))?;
    parse_all(split(&value))
}

/// The platforms of an annotation value: separated by commas or blanks.
pub fn split(value: &str) -> Vec<&str> {
    value.split([',', ' ', '\t', '\n']).filter(|s| !s.is_empty()).collect()
}

/// Every item parsed, or `None` when one does not parse or there is none.
fn parse_all(items: Vec<&str>) -> Option<Vec<Platform>> {
    let parsed: Vec<Platform> =
        items.iter().map(|i| Platform::parse(i.trim()).ok()).collect::<Option<_>>()?;
    (!parsed.is_empty()).then_some(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::{Document, FileKind};
    use crate::settings::Settings;
    use crate::source::SourceFile;

    fn shown(ps: &[Platform]) -> String {
        ps.iter().map(ToString::to_string).collect::<Vec<_>>().join(" ")
    }

    #[test]
    fn a_compose_file_narrows_its_targets() {
        let text = "x-edgelint:\n  platforms: [linux/arm64]\nservices:\n  a: {image: x}\n  b: {image: y, platform: linux/amd64}\n";
        let (doc, _) = crate::parse(&SourceFile::new("c.yaml", text), FileKind::Compose);
        let settings = Settings::default();
        let semantic = crate::semantic::Semantic::new(&doc, &settings);
        assert_eq!(shown(semantic.targets()), "linux/arm64");
        let Document::Compose(c) = &doc else { panic!("compose") };
        assert_eq!(shown(&compose(c).unwrap()), "linux/arm64");
        // an unreadable list leaves the configured targets
        let text =
            "x-edgelint:\n  platforms: [linux/arm64, \"not a/platform/x/y\"]\nservices: {}\n";
        let (doc, _) = crate::parse(&SourceFile::new("c.yaml", text), FileKind::Compose);
        let semantic = crate::semantic::Semantic::new(&doc, &settings);
        assert_eq!(semantic.targets().len(), 3);
    }

    #[test]
    fn a_pod_annotation_narrows_its_targets() {
        let text = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\n  annotations: {edgelint.io/platforms: \"linux/amd64, linux/arm64\"}\nspec:\n  template:\n    metadata:\n      annotations: {edgelint.io/platforms: linux/arm64}\n    spec:\n      containers: [{name: a, image: a}]\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations: {edgelint.io/platforms: \"linux/amd64 linux/arm64\"}\nspec:\n  containers: [{name: a, image: a}]\n";
        let (doc, _) = crate::parse(&SourceFile::new("k.yaml", text), FileKind::Kubernetes);
        let Document::Kubernetes(m) = &doc else { panic!("kubernetes") };
        let d = &m.objects[0];
        assert_eq!(shown(&kubernetes(d, &d.pod_templates[0]).unwrap()), "linux/arm64");
        let p = &m.objects[1];
        assert_eq!(shown(&kubernetes(p, &p.pod_templates[0]).unwrap()), "linux/amd64 linux/arm64");
        let settings = Settings::default();
        let semantic = crate::semantic::Semantic::new(&doc, &settings);
        let pod = crate::model::container::Pod {
            object: d,
            template: &d.pod_templates[0],
            object_index: 0,
            template_index: 0,
        };
        assert_eq!(shown(semantic.pod_targets(&pod)), "linux/arm64");
    }
}
