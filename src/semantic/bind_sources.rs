//! Which relative bind-mount sources of a Compose file do not exist on disk: the one fact about
//! the file system next to a Compose file that rules need (`volume-permission-mismatch`: Docker
//! creates a missing source directory as root).
//!
//! A source is judged only when it is relative (`./data`, `../x`, or a long-syntax `source:
//! data` of `type: bind`): Compose resolves it against the Compose file's directory, which is
//! in the repository being linted. An absolute source (`/srv/x`, `~/x`, `C:\x`) lives on the
//! device and cannot be judged; a source with a variable is unknown. Nothing is judged when
//! the document has no directory: a path that is empty ([`crate::semantic::Semantic::new`]) or
//! `-` (standard input without `--stdin-filename`), or whose directory does not exist (a name
//! an editor or a test made up).
//!
//! Mounts are identified by their span, so a mount reached twice through a YAML alias has one
//! answer (it names the same path).

use std::path::{Path, PathBuf};

use crate::model::compose::{is_windows_path, ComposeFile, MountType, VolumeMount};
use crate::source::Span;
use crate::values::image_ref::has_variable;

/// The spans of the bind mounts of `file` (read from `path`) whose relative source does not
/// exist, sorted.
pub fn missing_bind_sources(file: &ComposeFile, path: &str) -> Vec<Span> {
    let Some(dir) = compose_dir(path) else { return Vec::new() };
    let mut out: Vec<Span> = file
        .services
        .iter()
        .flat_map(|s| &s.volumes)
        .filter(|m| relative_source(m).is_some_and(|src| !dir.join(src).exists()))
        .map(|m| m.span)
        .collect();
    out.sort_unstable_by_key(|s| (s.start, s.end));
    out.dedup();
    out
}

/// The directory relative sources resolve against: the Compose file's own, when it exists.
fn compose_dir(path: &str) -> Option<PathBuf> {
    if path.is_empty() || path == "-" {
        return None;
    }
    let parent = Path::new(path).parent()?;
    let dir = if parent.as_os_str().is_empty() { Path::new(".") } else { parent };
    dir.is_dir().then(|| dir.to_path_buf())
}

/// The source of a bind mount when it is a literal relative path.
pub fn relative_source(mount: &VolumeMount) -> Option<&str> {
    if mount.kind != MountType::Bind {
        return None;
    }
    let source = mount.source.as_ref()?.value.as_str();
    if source.is_empty()
        || has_variable(source)
        || source.starts_with(['/', '\\', '~'])
        || is_windows_path(source)
    {
        return None;
    }
    Some(source)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::yaml::{parse_stream, Limits};

    fn missing(text: &str, path: &str) -> Vec<String> {
        let file = ComposeFile::from_yaml(parse_stream(text, &Limits::default()));
        let spans = missing_bind_sources(&file, path);
        file.services
            .iter()
            .flat_map(|s| &s.volumes)
            .filter(|m| spans.contains(&m.span))
            .filter_map(|m| m.source.as_ref().map(|s| s.value.clone()))
            .collect()
    }

    const TEXT: &str = "services:\n  a:\n    volumes:\n      - ./src:/src\n      - ./no-such-dir:/data\n      - ../no-such-either/x:/x\n      - /srv/absent:/srv\n      - ~/absent:/home\n      - ${DATA:-./absent}:/v\n      - named:/named\n      - type: bind\n        source: absent-long\n        target: /l\n      - type: volume\n        source: absent-volume\n        target: /v2\n";

    #[test]
    fn relative_sources_resolve_against_the_compose_files_directory() {
        // The crate's root: `src` exists there, the others do not.
        let want = vec!["./no-such-dir", "../no-such-either/x", "absent-long"];
        assert_eq!(missing(TEXT, "compose.yaml"), want);
        let here = env!("CARGO_MANIFEST_DIR");
        assert_eq!(missing(TEXT, &format!("{here}/compose.yaml")), want);
        // From `src/`, `./src` does not exist either.
        assert_eq!(missing(TEXT, &format!("{here}/src/compose.yaml"))[0], "./src");
    }

    #[test]
    fn nothing_is_judged_without_a_directory() {
        assert!(missing(TEXT, "").is_empty());
        assert!(missing(TEXT, "-").is_empty());
        assert!(missing(TEXT, "/no/such/directory/compose.yaml").is_empty());
    }
}
