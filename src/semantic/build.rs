//! The Dockerfile a Compose service builds (`build:` in its short or long form), as a path
//! beside the Compose file, so cross-file rules can find it among the files of a run.

use std::path::{Path, PathBuf};

use crate::model::compose::Build;
use crate::source::normalize_path;

/// The path of the Dockerfile `build` names, relative to the Compose file at `compose_path`:
/// `context` (default `.`) joined with `dockerfile` (default `Dockerfile`; an absolute one is
/// taken as is), `.` and `..` resolved lexically. `None` for a remote context (a Git or HTTP
/// URL), an inline `dockerfile_inline`, or a path with a variable.
pub fn dockerfile_path(compose_path: &str, build: &Build) -> Option<PathBuf> {
    let context = build.context.as_ref().map_or(".", |c| c.value.as_str());
    let dockerfile = build.dockerfile.as_ref().map_or("Dockerfile", |d| d.value.as_str());
    if context.contains("://") || context.starts_with("git@") || context.contains('$') {
        return None;
    }
    if context.is_empty() || dockerfile.is_empty() || dockerfile.contains('$') {
        return None;
    }
    let base = Path::new(compose_path).parent().unwrap_or(Path::new(""));
    let file = if Path::new(dockerfile).is_absolute() {
        PathBuf::from(dockerfile)
    } else {
        base.join(context).join(dockerfile)
    };
    Some(normalize_path(&file))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Spanned;

    fn build(context: Option<&str>, dockerfile: Option<&str>) -> Build {
        Build {
            span: Default::default(),
            context: context.map(|c| Spanned::new(c.to_string(), Default::default())),
            dockerfile: dockerfile.map(|d| Spanned::new(d.to_string(), Default::default())),
            platforms: Vec::new(),
        }
    }

    #[test]
    fn paths() {
        let p = |c, d| {
            dockerfile_path("site/compose.yaml", &build(c, d)).map(|p| p.display().to_string())
        };
        assert_eq!(p(Some("."), None).as_deref(), Some("site/Dockerfile"));
        assert_eq!(
            p(Some("./api"), Some("Dockerfile.arm64")).as_deref(),
            Some("site/api/Dockerfile.arm64")
        );
        assert_eq!(p(Some("../shared"), None).as_deref(), Some("shared/Dockerfile"));
        assert_eq!(p(None, None).as_deref(), Some("site/Dockerfile"));
        assert_eq!(p(Some("https://github.com/o/r.git"), None), None);
        assert_eq!(p(Some("${CTX}"), None), None);
    }
}
