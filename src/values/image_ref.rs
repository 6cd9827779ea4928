//! Container image references, parsed and normalised the way Docker,
//! containerd and the kubelet do (distribution `reference.ParseNormalizedNamed`).
//!
//! `python` is `docker.io/library/python`, `bitnami/redis:7` is `docker.io/bitnami/redis:7`,
//! `localhost:5000/app:1` keeps its registry. The first path component is a registry when it
//! contains `.` or `:`, is `localhost`, **or has an uppercase letter** (upstream's rule; the
//! reference omits the last case): `MyRegistry/app` has registry `MyRegistry`.

use std::fmt;

/// The registry of unqualified names.
pub const DOCKER_HUB: &str = "docker.io";

/// The longest name (`registry/repository`) the grammar allows.
const NAME_MAX: usize = 255;

/// A parsed, normalised image reference.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ImageRef {
    /// `docker.io`, `ghcr.io`, `localhost:5000`, `[::1]:5000` (`index.docker.io` becomes
    /// `docker.io`).
    pub registry: String,
    /// The path within the registry: `library/python`, `bitnami/redis`, `org/x`.
    pub repository: String,
    /// The tag as written, without the `:` (no default filled in).
    pub tag: Option<String>,
    /// The digest as written, `sha256:<64 hex>`.
    pub digest: Option<String>,
}

/// Parse an image reference (see [`ImageRef::parse`]).
pub fn parse(s: &str) -> Result<ImageRef, String> {
    ImageRef::parse(s)
}

/// Whether `s` holds an unresolved variable or template: `$VAR`, `${VAR}` (Compose and
/// Dockerfile interpolation; Compose's `$$` escape is not one) or `{{ … }}` (Helm, Go
/// templates, Jinja). Callers skip such references instead of guessing their value.
pub fn has_variable(s: &str) -> bool {
    if s.contains("{{") {
        return true;
    }
    let bytes = s.as_bytes();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'$' {
            match bytes.get(i + 1) {
                Some(b'$') => {
                    i += 2;
                    continue;
                }
                Some(&c) if c == b'{' || c == b'_' || c.is_ascii_alphabetic() => return true,
                _ => {}
            }
        }
        i += 1;
    }
    false
}

impl ImageRef {
    /// Parse and normalise an image reference: `name[:tag][@digest]` per the distribution
    /// reference grammar, with Docker Hub defaults (`docker.io`, `library/`).
    ///
    /// Errors (plain-words messages): empty, unresolved variables (see [`has_variable`]),
    /// uppercase in the repository, bad registry host, path component, tag or digest, a name
    /// over 255 characters, and a bare 64-hex image ID. Only the digest algorithms Docker can
    /// verify (`sha256`, `sha384`, `sha512`, lowercase hex of the right length) are accepted.
    pub fn parse(s: &str) -> Result<ImageRef, String> {
        if s.is_empty() {
            return Err("the image reference is empty".to_string());
        }
        if has_variable(s) {
            return Err(format!(
                "`{s}` contains an unresolved variable or template; its value is only known \
                 when it is deployed"
            ));
        }
        if s.chars().any(char::is_whitespace) {
            return Err(format!("image reference `{s}` contains whitespace"));
        }
        if s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
            return Err(format!(
                "`{s}` is an image ID, not a reference; use a name such as `python:3.12`"
            ));
        }

        // splitDockerDomain.
        let (registry, remainder) = match s.split_once('/') {
            Some((first, rest))
                if first.contains(['.', ':'])
                    || first == "localhost"
                    || first.to_lowercase() != first =>
            {
                (first, rest)
            }
            _ => (DOCKER_HUB, s),
        };
        let registry = if registry == "index.docker.io" { DOCKER_HUB } else { registry };

        let (before_digest, digest) = match remainder.split_once('@') {
            Some((before, digest)) => (before, Some(digest)),
            None => (remainder, None),
        };
        let (path, tag) = match before_digest.split_once(':') {
            Some((path, tag)) => (path, Some(tag)),
            None => (before_digest, None),
        };
        if path.is_empty() {
            return Err(format!("`{s}` has no image name"));
        }
        if path.to_lowercase() != path {
            return Err(format!("repository name `{path}` must be lowercase"));
        }
        if !is_valid_host(registry) {
            return Err(format!("`{registry}` is not a valid registry host"));
        }
        for component in path.split('/') {
            if component.is_empty() {
                return Err(format!("`{s}` has an empty path component (`//` or a trailing `/`)"));
            }
            if !is_path_component(component) {
                return Err(format!(
                    "`{component}` is not a valid repository name component: use lowercase \
                     letters and digits, separated by `.`, `_`, `__` or dashes"
                ));
            }
        }
        let repository = if registry == DOCKER_HUB && !path.contains('/') {
            format!("library/{path}")
        } else {
            path.to_string()
        };
        if registry.len() + 1 + repository.len() > NAME_MAX {
            return Err(format!("image name `{s}` is longer than {NAME_MAX} characters"));
        }
        if let Some(tag) = tag {
            if !is_tag(tag) {
                return Err(if tag.is_empty() {
                    format!("`{s}` has an empty tag after `:`")
                } else {
                    format!(
                        "`{tag}` is not a valid tag: up to 128 letters, digits, `_`, `.` or `-`, \
                         not starting with `.` or `-`"
                    )
                });
            }
        }
        if let Some(digest) = digest {
            check_digest(digest)?;
        }
        Ok(ImageRef {
            registry: registry.to_string(),
            repository,
            tag: tag.map(str::to_string),
            digest: digest.map(str::to_string),
        })
    }

    /// The full name without tag or digest: `docker.io/library/python`.
    pub fn name(&self) -> String {
        format!("{}/{}", self.registry, self.repository)
    }

    /// The Docker Hub name ([`ImageRef::name`]) of an image pulled through a known mirror of
    /// Docker Hub, which serves the same manifests (`public.ecr.aws/docker/library/redis` and
    /// `mirror.gcr.io/redis` are `docker.io/library/redis`); otherwise its own name.
    pub fn hub_name(&self) -> String {
        match self.registry.as_str() {
            "public.ecr.aws" => match self.repository.strip_prefix("docker/library/") {
                Some(r) if !r.contains('/') => format!("{DOCKER_HUB}/library/{r}"),
                _ => self.name(),
            },
            "mirror.gcr.io" if !self.repository.contains('/') => {
                format!("{DOCKER_HUB}/library/{}", self.repository)
            }
            "mirror.gcr.io" => format!("{DOCKER_HUB}/{}", self.repository),
            _ => self.name(),
        }
    }

    /// The name as Docker prints it: `python`, `bitnami/redis`, `ghcr.io/org/x`.
    pub fn familiar_name(&self) -> String {
        if self.registry == DOCKER_HUB {
            let short = self.repository.strip_prefix("library/").filter(|r| !r.contains('/'));
            short.unwrap_or(&self.repository).to_string()
        } else {
            self.name()
        }
    }

    /// The tag that will be pulled: the tag if written, `latest` when there is neither tag nor
    /// digest, and `None` for a digest-only reference (the digest decides).
    pub fn effective_tag(&self) -> Option<&str> {
        match (&self.tag, &self.digest) {
            (Some(tag), _) => Some(tag),
            (None, None) => Some("latest"),
            (None, Some(_)) => None,
        }
    }

    /// The Docker official-image name (`python` for `docker.io/library/python`), else `None`.
    pub fn official_name(&self) -> Option<&str> {
        if self.registry != DOCKER_HUB {
            return None;
        }
        self.repository.strip_prefix("library/").filter(|r| !r.contains('/'))
    }

    /// `:latest` or no tag and no digest, i.e. [`ImageRef::effective_tag`] is `latest`.
    /// This is exactly when Kubernetes defaults `imagePullPolicy` to `Always` (a digest next to
    /// `:latest` does not change that) and when Compose's `missing` policy still pulls.
    pub fn is_latest_or_untagged(&self) -> bool {
        self.effective_tag() == Some("latest")
    }
}

impl fmt::Display for ImageRef {
    /// The normalised full form: `docker.io/library/python:3.12`, `ghcr.io/org/x@sha256:…`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.registry, self.repository)?;
        if let Some(tag) = &self.tag {
            write!(f, ":{tag}")?;
        }
        if let Some(digest) = &self.digest {
            write!(f, "@{digest}")?;
        }
        Ok(())
    }
}

impl std::str::FromStr for ImageRef {
    type Err = String;

    fn from_str(s: &str) -> Result<ImageRef, String> {
        ImageRef::parse(s)
    }
}

/// `host[:port]`, host being a domain name or a bracketed IPv6 address (`[a-fA-F0-9:]+`).
fn is_valid_host(domain: &str) -> bool {
    let (host_ok, port) = if let Some(rest) = domain.strip_prefix('[') {
        let Some((ip, after)) = rest.split_once(']') else {
            return false;
        };
        let ip_ok = !ip.is_empty() && ip.bytes().all(|b| b.is_ascii_hexdigit() || b == b':');
        let port = match after {
            "" => None,
            _ => match after.strip_prefix(':') {
                Some(port) => Some(port),
                None => return false,
            },
        };
        (ip_ok, port)
    } else {
        let (host, port) = match domain.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (domain, None),
        };
        (host.split('.').all(is_domain_component), port)
    };
    let port_ok = port.is_none_or(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    host_ok && port_ok
}

/// `[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]`.
fn is_domain_component(c: &str) -> bool {
    let b = c.as_bytes();
    match (b.first(), b.last()) {
        (Some(first), Some(last)) => {
            first.is_ascii_alphanumeric()
                && last.is_ascii_alphanumeric()
                && b.iter().all(|x| x.is_ascii_alphanumeric() || *x == b'-')
        }
        _ => false,
    }
}

/// `[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*`.
fn is_path_component(c: &str) -> bool {
    let alnum = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    let bytes = c.as_bytes();
    if !bytes.first().is_some_and(|&b| alnum(b)) || !bytes.last().is_some_and(|&b| alnum(b)) {
        return false;
    }
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if alnum(b) {
            i += 1;
            continue;
        }
        // A separator run: `.`, `_`, `__`, or one or more `-`.
        let start = i;
        while bytes.get(i).is_some_and(|&x| !alnum(x)) {
            i += 1;
        }
        let sep = c.get(start..i).unwrap_or_default();
        let ok = matches!(sep, "." | "_" | "__") || sep.bytes().all(|x| x == b'-');
        if !ok {
            return false;
        }
    }
    true
}

/// `[\w][\w.-]{0,127}`.
fn is_tag(tag: &str) -> bool {
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let bytes = tag.as_bytes();
    bytes.first().is_some_and(|&b| word(b))
        && bytes.len() <= 128
        && bytes.iter().all(|&b| word(b) || b == b'.' || b == b'-')
}

/// A digest Docker accepts: the grammar `algo:hex{32,}`, then a registered algorithm with
/// lowercase hex of its exact length (go-digest `Digest.Validate`).
fn check_digest(digest: &str) -> Result<(), String> {
    let bad = || {
        format!(
            "`{digest}` is not a valid digest; expected `sha256:` followed by 64 lowercase \
             hexadecimal digits"
        )
    };
    let (algorithm, hex) = digest.split_once(':').ok_or_else(bad)?;
    let algorithm_ok = algorithm.split(['+', '.', '-', '_']).all(|part| {
        let b = part.as_bytes();
        b.first().is_some_and(u8::is_ascii_alphabetic) && b.iter().all(u8::is_ascii_alphanumeric)
    });
    if !algorithm_ok || hex.len() < 32 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(bad());
    }
    let expected_len = match algorithm {
        "sha256" => 64,
        "sha384" => 96,
        "sha512" => 128,
        _ => return Err(format!("unsupported digest algorithm `{algorithm}`; use sha256")),
    };
    if hex.len() != expected_len || hex.bytes().any(|b| b.is_ascii_uppercase()) {
        return Err(format!(
            "`{digest}` is not a valid {algorithm} digest: it needs exactly {expected_len} \
             lowercase hexadecimal digits"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEX: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    fn r(s: &str) -> ImageRef {
        match parse(s) {
            Ok(r) => r,
            Err(e) => panic!("{s:?} should parse: {e}"),
        }
    }

    #[test]
    fn docker_hub_mirrors() {
        let hub = |s: &str| r(s).hub_name();
        assert_eq!(hub("public.ecr.aws/docker/library/redis:8-alpine"), "docker.io/library/redis");
        assert_eq!(hub("mirror.gcr.io/redis"), "docker.io/library/redis");
        assert_eq!(hub("mirror.gcr.io/bitnami/redis"), "docker.io/bitnami/redis");
        // other ECR Public repositories are their own images
        assert_eq!(hub("public.ecr.aws/docker/library/a/b"), "public.ecr.aws/docker/library/a/b");
        assert_eq!(hub("public.ecr.aws/nginx/nginx"), "public.ecr.aws/nginx/nginx");
        assert_eq!(hub("redis"), "docker.io/library/redis");
        assert_eq!(hub("ghcr.io/acme/x"), "ghcr.io/acme/x");
    }

    fn e(s: &str) -> String {
        match parse(s) {
            Ok(r) => panic!("{s:?} should fail, got {r:?}"),
            Err(e) => e,
        }
    }

    fn parts(s: &str) -> (String, String, Option<String>, Option<String>) {
        let r = r(s);
        (r.registry, r.repository, r.tag, r.digest)
    }

    fn own(
        a: &str,
        b: &str,
        t: Option<&str>,
        d: Option<&str>,
    ) -> (String, String, Option<String>, Option<String>) {
        (a.into(), b.into(), t.map(Into::into), d.map(Into::into))
    }

    #[test]
    fn docker_hub_defaults() {
        assert_eq!(parts("python"), own("docker.io", "library/python", None, None));
        assert_eq!(parts("python:3.12"), own("docker.io", "library/python", Some("3.12"), None));
        assert_eq!(parts("library/python"), own("docker.io", "library/python", None, None));
        assert_eq!(
            parts("docker.io/library/python:3"),
            own("docker.io", "library/python", Some("3"), None)
        );
        assert_eq!(parts("docker.io/python"), own("docker.io", "library/python", None, None));
        assert_eq!(parts("index.docker.io/python"), own("docker.io", "library/python", None, None));
        assert_eq!(parts("bitnami/redis:7"), own("docker.io", "bitnami/redis", Some("7"), None));
        assert_eq!(r("python").name(), "docker.io/library/python");
        assert_eq!(r("python:3.12").to_string(), "docker.io/library/python:3.12");
    }

    #[test]
    fn registries() {
        assert_eq!(parts("localhost/app"), own("localhost", "app", None, None));
        assert_eq!(parts("localhost:5000/app:1"), own("localhost:5000", "app", Some("1"), None));
        let full = format!("registry.example.com:5000/team/app:1.2@sha256:{HEX}");
        let sha = format!("sha256:{HEX}");
        assert_eq!(
            parts(&full),
            own("registry.example.com:5000", "team/app", Some("1.2"), Some(&sha))
        );
        assert_eq!(r(&full).to_string(), full);
        assert_eq!(parts("ghcr.io/org/x"), own("ghcr.io", "org/x", None, None));
        assert_eq!(parts("nvcr.io/nvidia/l4t-base:r32.4.3").1, "nvidia/l4t-base");
        assert_eq!(parts("[::1]:5000/app").0, "[::1]:5000");
        assert_eq!(parts("[fe80::1]/app").0, "[fe80::1]");
        assert_eq!(parts("registry:5000/app").0, "registry:5000");
        // Upstream also takes an uppercase first component as a registry.
        assert_eq!(parts("MyRegistry/app"), own("MyRegistry", "app", None, None));
        assert_eq!(parts("quay.io/a/b/c:v1").1, "a/b/c");
        // A single-component name on a non-Hub registry gets no library/ prefix.
        assert_eq!(parts("ghcr.io/app").1, "app");
    }

    #[test]
    fn digests() {
        let s = format!("nginx@sha256:{HEX}");
        assert_eq!(
            parts(&s),
            own("docker.io", "library/nginx", None, Some(&format!("sha256:{HEX}")))
        );
        let both = format!("nginx:1.27@sha256:{HEX}");
        assert_eq!(r(&both).tag.as_deref(), Some("1.27"));
        assert!(e(&format!("nginx@sha256:{}", &HEX[..63])).contains("exactly 64"));
        assert!(e(&format!("nginx@sha256:{}", HEX.to_uppercase())).contains("lowercase"));
        assert!(e(&format!("nginx@md5:{HEX}")).contains("unsupported digest algorithm `md5`"));
        assert!(e("nginx@sha256:xyz").contains("not a valid digest"));
        assert!(e("nginx@sha256").contains("not a valid digest"));
        assert!(e("nginx@").contains("not a valid digest"));
        assert!(parse(&format!("nginx@sha512:{HEX}{HEX}")).is_ok());
    }

    #[test]
    fn tags() {
        assert_eq!(r("python:3.12-slim-bookworm").tag.as_deref(), Some("3.12-slim-bookworm"));
        assert_eq!(r("app:V1_RC").tag.as_deref(), Some("V1_RC"), "tags may be uppercase");
        assert!(e("a:b:c").contains("`b:c` is not a valid tag"));
        assert!(e("python:").contains("empty tag"));
        assert!(e("python:-1").contains("not a valid tag"));
        assert!(e("python:.1").contains("not a valid tag"));
        assert!(parse(&format!("python:{}", "a".repeat(128))).is_ok());
        assert!(e(&format!("python:{}", "a".repeat(129))).contains("not a valid tag"));
    }

    #[test]
    fn invalid_names() {
        assert!(e("").contains("empty"));
        assert!(e(":tag").contains("no image name"));
        assert!(e("Python").contains("must be lowercase"));
        assert!(
            e("library/Python:3").contains("repository name `library/Python` must be lowercase")
        );
        assert!(e("ghcr.io/Org/app").contains("must be lowercase"));
        assert!(e("a//b").contains("empty path component"));
        assert!(e("a/").contains("empty path component"));
        assert!(e("-app").contains("not a valid repository name component"));
        assert!(e("app-").contains("not a valid repository name component"));
        assert!(e("a..b").contains("not a valid repository name component"));
        assert!(e("a___b").contains("not a valid repository name component"));
        assert!(e("py thon").contains("whitespace"));
        assert!(e(HEX).contains("image ID"));
        assert!(e("foo_bar.com/x").contains("not a valid registry host"));
        assert!(e("host:port/x").contains("not a valid registry host"));
        assert!(e("-bad.com/x").contains("not a valid registry host"));
        assert!(e("[zz]:5000/x").contains("not a valid registry host"));
        assert!(e(&format!("{}/x", "a".repeat(250))).contains("longer than 255"));
        // Separators that are allowed.
        assert_eq!(r("x/a.b_c__d-e---f").repository, "x/a.b_c__d-e---f");
    }

    #[test]
    fn variables() {
        assert!(has_variable("${IMAGE}"));
        assert!(has_variable("$IMAGE"));
        assert!(has_variable("repo:${TAG}"));
        assert!(has_variable("repo:${TAG:-latest}"));
        assert!(has_variable("{{ .Values.image }}"));
        assert!(has_variable("repo:{{.Chart.AppVersion}}"));
        assert!(has_variable("$_x"));
        assert!(!has_variable("python:3.12"));
        assert!(!has_variable("price$$"));
        assert!(!has_variable("a$$b"));
        assert!(!has_variable("$"));
        assert!(!has_variable("a$1"));
        assert!(e("${IMAGE}").contains("unresolved variable"));
        assert!(e("repo:${TAG}").contains("unresolved variable"));
        assert!(e("{{ .Values.image }}").contains("unresolved variable"));
    }

    #[test]
    fn tags_and_names() {
        assert_eq!(r("python").effective_tag(), Some("latest"));
        assert_eq!(r("python:3").effective_tag(), Some("3"));
        assert_eq!(r(&format!("python@sha256:{HEX}")).effective_tag(), None);
        assert_eq!(r(&format!("python:3@sha256:{HEX}")).effective_tag(), Some("3"));
        assert!(r("python").is_latest_or_untagged());
        assert!(r("python:latest").is_latest_or_untagged());
        assert!(r(&format!("python:latest@sha256:{HEX}")).is_latest_or_untagged());
        assert!(!r("python:3").is_latest_or_untagged());
        assert!(!r(&format!("python@sha256:{HEX}")).is_latest_or_untagged());
        assert!(!r("python:Latest").is_latest_or_untagged(), "tags are case-sensitive");

        assert_eq!(r("python").official_name(), Some("python"));
        assert_eq!(r("docker.io/library/python:3").official_name(), Some("python"));
        assert_eq!(r("library/python").official_name(), Some("python"));
        assert_eq!(r("bitnami/redis").official_name(), None);
        assert_eq!(r("ghcr.io/library/python").official_name(), None);
        assert_eq!(r("library/a/b").official_name(), None);

        assert_eq!(r("python:3").familiar_name(), "python");
        assert_eq!(r("bitnami/redis").familiar_name(), "bitnami/redis");
        assert_eq!(r("ghcr.io/org/x").familiar_name(), "ghcr.io/org/x");
        assert_eq!(r("localhost:5000/app").name(), "localhost:5000/app");
        assert_eq!(
            "nginx".parse::<ImageRef>().map(|r| r.to_string()),
            Ok("docker.io/library/nginx".into())
        );
    }
}
