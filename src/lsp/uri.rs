//! Document URIs: `file:` URIs to paths (percent-decoded), and a name for the others.

use std::path::PathBuf;

/// The path of a `file:` URI (`file:///home/a%20b/x.yaml` → `/home/a b/x.yaml`); `None` for
/// another scheme, a remote host, or a path that is not absolute.
pub fn file_path(uri: &str) -> Option<PathBuf> {
    let scheme_end = uri.find(':')?;
    if !uri[..scheme_end].eq_ignore_ascii_case("file") {
        return None;
    }
    let rest = uri[scheme_end + 1..].split(['?', '#']).next().unwrap_or("");
    let path = match rest.strip_prefix("//") {
        Some(after) => {
            let slash = after.find('/')?;
            let host = &after[..slash];
            if !(host.is_empty() || host.eq_ignore_ascii_case("localhost")) {
                return None;
            }
            &after[slash..]
        }
        None if rest.starts_with('/') => rest,
        None => return None,
    };
    let bytes = percent_decode(path);
    // `/C:/x` on Windows is `C:/x`.
    #[cfg(windows)]
    let bytes = match bytes.get(..3) {
        Some([b'/', drive, b':']) if drive.is_ascii_alphabetic() => bytes[1..].to_vec(),
        _ => bytes,
    };
    to_path(bytes)
}

#[cfg(unix)]
fn to_path(bytes: Vec<u8>) -> Option<PathBuf> {
    use std::os::unix::ffi::OsStringExt;
    Some(PathBuf::from(std::ffi::OsString::from_vec(bytes)))
}

#[cfg(not(unix))]
fn to_path(bytes: Vec<u8>) -> Option<PathBuf> {
    String::from_utf8(bytes).ok().map(PathBuf::from)
}

/// The last path segment of any URI, decoded: the name a document without a file is
/// classified by (`untitled:Dockerfile` → `Dockerfile`).
pub fn last_segment(uri: &str) -> String {
    let rest = uri.split_once(':').map_or(uri, |(_, r)| r);
    let path = rest.split(['?', '#']).next().unwrap_or("");
    let last = path.rsplit('/').next().unwrap_or("");
    String::from_utf8_lossy(&percent_decode(last)).into_owned()
}

/// `%XX` escapes decoded; a malformed escape is kept as written.
fn percent_decode(s: &str) -> Vec<u8> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    out
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn file_uris_become_paths() {
        for (uri, path) in [
            ("file:///srv/app/k8s.yaml", "/srv/app/k8s.yaml"),
            ("file:///a%20b/%C3%A9.yaml", "/a b/é.yaml"),
            ("file://localhost/x/Dockerfile", "/x/Dockerfile"),
            ("FILE:///x", "/x"),
            // A malformed escape stays as written.
            ("file:///x%2", "/x%2"),
            ("file:///x%zz", "/x%zz"),
        ] {
            assert_eq!(file_path(uri), Some(PathBuf::from(path)), "{uri}");
        }
        for other in [
            "untitled:Untitled-1",
            "file://server/share/x",
            "file:relative",
            "https://x/y",
            "",
            "file:",
        ] {
            assert_eq!(file_path(other), None, "{other}");
        }
    }

    #[test]
    fn other_uris_are_named_by_their_last_segment() {
        assert_eq!(last_segment("untitled:Dockerfile"), "Dockerfile");
        assert_eq!(last_segment("vscode-remote://host/srv/compose%2Eyaml"), "compose.yaml");
        assert_eq!(last_segment("untitled:"), "");
    }
}
