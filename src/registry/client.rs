//! A small, blocking client of the OCI distribution API over ureq (rustls): manifest and
//! blob GETs with the auth challenge flow, timeouts and retries with backoff. Only
//! `edgelint images lock|check` create one.

use super::auth::{parse_challenge, token_url, Challenge};
use super::credentials::{Credential, DockerConfig};
use super::media::{self, Manifest};
use super::{ErrorKind, ResolveError, Resolved};
use crate::document::image_ref::{ImageRef, DOCKER_HUB};
use base64::Engine as _;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

/// Largest manifest or config blob read.
const MAX_DOCUMENT: u64 = 4 * 1024 * 1024;

/// Redirects followed per request (registry.k8s.io sends manifests to a regional registry,
/// Docker Hub sends blobs to a CDN).
const MAX_REDIRECTS: usize = 5;

/// Settings of a client.
#[derive(Clone, Debug)]
pub struct Options {
    /// Registry hosts spoken to over plain HTTP, besides loopback ones (`--insecure-registry`).
    pub insecure: Vec<String>,
    /// Per request, connect to end of body.
    pub timeout: Duration,
    /// Attempts per request (network errors, 429 and 5xx are retried).
    pub attempts: u32,
    /// First pause between attempts; doubled each time.
    pub backoff: Duration,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            insecure: Vec::new(),
            timeout: Duration::from_secs(30),
            attempts: 3,
            backoff: Duration::from_millis(250),
        }
    }
}

/// What to send for a registry after a challenge.
#[derive(Clone, Debug)]
enum AuthHeader {
    Value(String),
}

pub struct Client {
    /// Registry requests: redirects are followed by [`Client::request`], which knows which
    /// host an `Authorization` header belongs to.
    agent: ureq::Agent,
    /// Token service requests: redirects followed by ureq (never with `Authorization`).
    token_agent: ureq::Agent,
    options: Options,
    docker: DockerConfig,
    /// (host, repository) → the Authorization header that worked there.
    auth: Mutex<HashMap<(String, String), AuthHeader>>,
    /// registry → its credential (helpers run once per registry).
    credentials: Mutex<HashMap<String, Result<Option<Credential>, String>>>,
}

/// A response read whole.
struct Fetched {
    status: u16,
    location: Option<String>,
    content_type: Option<String>,
    digest_header: Option<String>,
    challenge: Option<String>,
    body: Vec<u8>,
}

/// Whether a registry host is loopback, which docker (and edgelint) speak to over plain HTTP.
pub fn is_loopback(host: &str) -> bool {
    let name = match host.strip_prefix('[') {
        Some(rest) => rest.split(']').next().unwrap_or(""),
        None => host.split(':').next().unwrap_or(""),
    };
    name == "localhost" || name.ends_with(".localhost") || name.starts_with("127.") || name == "::1"
}

/// The API endpoint of a registry: `docker.io` is served by `registry-1.docker.io`.
pub fn endpoint_host(registry: &str) -> &str {
    if registry == DOCKER_HUB {
        "registry-1.docker.io"
    } else {
        registry
    }
}

impl Client {
    pub fn new(options: Options, docker: DockerConfig) -> Client {
        let config = |redirects: u32| {
            ureq::Agent::config_builder()
                .http_status_as_error(false)
                .timeout_global(Some(options.timeout))
                .timeout_connect(Some(options.timeout.min(Duration::from_secs(10))))
                .max_redirects(redirects)
                .user_agent(concat!("edgelint/", env!("CARGO_PKG_VERSION")))
                .build()
        };
        Client {
            agent: config(0).into(),
            token_agent: config(5).into(),
            options,
            docker,
            auth: Mutex::new(HashMap::new()),
            credentials: Mutex::new(HashMap::new()),
        }
    }

    fn base_url(&self, registry: &str) -> String {
        let scheme = if is_loopback(registry) || self.options.insecure.iter().any(|h| h == registry)
        {
            "http"
        } else {
            "https"
        };
        format!("{scheme}://{}", endpoint_host(registry))
    }

    /// The platforms and digest the registry serves for `image` now: by digest when the
    /// reference has one, else by its tag (`latest` when none is written).
    pub fn resolve(&self, image: &ImageRef) -> Result<Resolved, ResolveError> {
        self.resolve_with(image, None)
    }

    /// As [`Client::resolve`], knowing what was locked: a `HEAD` request first, and when the
    /// registry's `Docker-Content-Digest` is the locked digest, the locked platforms stand (a
    /// digest names the content, platforms included) without downloading anything. Docker
    /// Hub does not count `HEAD` requests against its pull rate limit.
    pub fn resolve_with(
        &self,
        image: &ImageRef,
        known: Option<&Resolved>,
    ) -> Result<Resolved, ResolveError> {
        let reference = match (&image.digest, image.effective_tag()) {
            (Some(d), _) => d.clone(),
            (None, Some(t)) => t.to_string(),
            (None, None) => unreachable!("a reference has a tag or a digest"),
        };
        if let Some(known) = known {
            let url = format!(
                "{}/v2/{}/manifests/{}",
                self.base_url(&image.registry),
                image.repository,
                reference
            );
            match self.request(image, &url, Some(media::ACCEPT), true) {
                Ok(f) if f.status == 200 && f.digest_header.as_deref() == Some(&known.digest) => {
                    return Ok(known.clone());
                }
                // Unreachable or refused: asking again with GET would say the same, slower.
                Err(e) => return Err(e),
                Ok(_) => {}
            }
        }
        self.fetch(image, reference)
    }

    fn fetch(&self, image: &ImageRef, reference: String) -> Result<Resolved, ResolveError> {
        let url = format!(
            "{}/v2/{}/manifests/{}",
            self.base_url(&image.registry),
            image.repository,
            reference
        );
        let fetched = self.request(image, &url, Some(media::ACCEPT), false)?;
        match fetched.status {
            200 => {}
            404 => {
                let what = if image.digest.is_some() { "digest" } else { "tag" };
                return Err(ResolveError::new(
                    ErrorKind::NotFound,
                    format!(
                        "{what} `{reference}` not found in {}/{}{}",
                        image.registry,
                        image.repository,
                        registry_error(&fetched.body)
                    ),
                ));
            }
            s => return Err(status_error(s, &fetched, &image.registry)),
        }
        let digest = media::sha256_digest(&fetched.body);
        if let Some(expected) = &image.digest {
            if expected.starts_with("sha256:") && *expected != digest {
                return Err(ResolveError::new(
                    ErrorKind::Registry,
                    format!(
                        "the registry sent a manifest whose digest is {digest}, not {expected}"
                    ),
                ));
            }
        }
        if let Some(h) = &fetched.digest_header {
            if h.starts_with("sha256:") && *h != digest {
                return Err(ResolveError::new(
                    ErrorKind::Registry,
                    format!("the manifest's digest is {digest} but the registry says {h}"),
                ));
            }
        }
        let manifest = media::parse_manifest(fetched.content_type.as_deref(), &fetched.body)
            .map_err(|e| ResolveError::new(ErrorKind::Registry, e))?;
        let platforms = match manifest {
            Manifest::Index(list) if list.is_empty() => {
                return Err(ResolveError::new(
                    ErrorKind::Registry,
                    "the index lists no image platform (only attestations or artifacts)",
                ))
            }
            Manifest::Index(list) => list,
            Manifest::Schema1(p) => vec![p],
            Manifest::Image { config_digest } => {
                let url = format!(
                    "{}/v2/{}/blobs/{}",
                    self.base_url(&image.registry),
                    image.repository,
                    config_digest
                );
                let blob = self.request(image, &url, None, false)?;
                if blob.status != 200 {
                    return Err(status_error(blob.status, &blob, &image.registry));
                }
                if config_digest.starts_with("sha256:")
                    && media::sha256_digest(&blob.body) != config_digest
                {
                    return Err(ResolveError::new(
                        ErrorKind::Registry,
                        format!("the config blob does not match its digest {config_digest}"),
                    ));
                }
                vec![media::config_platform(&blob.body)
                    .map_err(|e| ResolveError::new(ErrorKind::Registry, e))?]
            }
        };
        Ok(Resolved { digest, platforms })
    }

    /// A GET (or HEAD) that follows redirects itself: each host gets only the authorization
    /// obtained for it, so a token or password never travels to the host a registry redirects
    /// to (a CDN, a regional mirror), which gets its own challenge answered instead.
    fn request(
        &self,
        image: &ImageRef,
        url: &str,
        accept: Option<&str>,
        head: bool,
    ) -> Result<Fetched, ResolveError> {
        let mut url = url.to_string();
        for _ in 0..=MAX_REDIRECTS {
            let fetched = self.request_at(image, &url, accept, head)?;
            match (fetched.status, &fetched.location) {
                (301 | 302 | 303 | 307 | 308, Some(location)) => {
                    url = redirect_target(&url, location).map_err(|e| {
                        ResolveError::new(ErrorKind::Registry, format!("{}: {e}", host_of(&url)))
                    })?;
                }
                _ => return Ok(fetched),
            }
        }
        Err(ResolveError::new(
            ErrorKind::Registry,
            format!("more than {MAX_REDIRECTS} redirects for {}", image.registry),
        ))
    }

    /// One GET (or HEAD) at one URL with the authorization cached for its host; on a 401,
    /// answers the challenge once and retries. The Docker config's credentials for the image's
    /// registry are only used at that registry's own endpoint; elsewhere only anonymous tokens.
    fn request_at(
        &self,
        image: &ImageRef,
        url: &str,
        accept: Option<&str>,
        head: bool,
    ) -> Result<Fetched, ResolveError> {
        let host = host_of(url).to_string();
        let key = (host.clone(), image.repository.clone());
        let cached = self.auth.lock().map(|m| m.get(&key).cloned()).unwrap_or(None);
        let first = self.with_retries(url, accept, cached.as_ref(), head)?;
        if first.status != 401 {
            return Ok(first);
        }
        let Some(challenge) = first.challenge.as_deref().and_then(parse_challenge) else {
            return Err(ResolveError::new(
                ErrorKind::Unauthorized,
                format!(
                    "{} refused access and sent no challenge edgelint can answer",
                    image.registry
                ),
            ));
        };
        let credential = if host == endpoint_host(&image.registry) {
            self.credential(&image.registry)?
        } else {
            None
        };
        let header = match challenge {
            Challenge::Basic => match &credential {
                Some(Credential::Basic { username, password }) => AuthHeader::Value(format!(
                    "Basic {}",
                    base64::engine::general_purpose::STANDARD.encode(format!("{username}:{password}"))
                )),
                Some(Credential::IdentityToken(_)) => {
                    return Err(ResolveError::new(
                        ErrorKind::Unauthorized,
                        format!("{} asks for a password; the Docker config has only an identity token for it", image.registry),
                    ))
                }
                None => return Err(self.no_credentials(&image.registry)),
            },
            Challenge::Bearer { realm, service, scope } => {
                let token = self.token(image, &realm, service.as_deref(), scope.as_deref(), credential.as_ref())?;
                AuthHeader::Value(format!("Bearer {token}"))
            }
        };
        let second = self.with_retries(url, accept, Some(&header), head)?;
        if second.status == 401 || second.status == 403 {
            return Err(ResolveError::new(
                ErrorKind::Unauthorized,
                match credential {
                    Some(_) => format!(
                        "{} refused the credentials from {} (HTTP {})",
                        image.registry,
                        self.docker_config_name(),
                        second.status
                    ),
                    None => format!(
                        "{} refused anonymous access to {} (HTTP {}): a private image? log in with `docker login {}`",
                        image.registry, image.repository, second.status, image.registry
                    ),
                },
            ));
        }
        if let Ok(mut m) = self.auth.lock() {
            m.insert(key, header);
        }
        Ok(second)
    }

    fn docker_config_name(&self) -> String {
        self.docker
            .path
            .as_ref()
            .map_or_else(|| "the Docker config".to_string(), |p| p.display().to_string())
    }

    fn no_credentials(&self, registry: &str) -> ResolveError {
        ResolveError::new(
            ErrorKind::Unauthorized,
            format!(
                "{registry} needs credentials and {} has none for it (`docker login {registry}`)",
                self.docker_config_name()
            ),
        )
    }

    /// The registry's credential, looked up (and its helper run) once per run.
    fn credential(&self, registry: &str) -> Result<Option<Credential>, ResolveError> {
        let mut cache = self.credentials.lock().map_err(|_| {
            ResolveError::new(ErrorKind::Registry, "internal error: poisoned credential cache")
        })?;
        let entry = cache
            .entry(registry.to_string())
            .or_insert_with(|| self.docker.credential_for(registry));
        entry.clone().map_err(|e| ResolveError::new(ErrorKind::Unauthorized, e))
    }

    /// A pull token from a Bearer realm: anonymous, with Basic credentials, or by exchanging an
    /// identity (refresh) token.
    fn token(
        &self,
        image: &ImageRef,
        realm: &str,
        service: Option<&str>,
        scope: Option<&str>,
        credential: Option<&Credential>,
    ) -> Result<String, ResolveError> {
        if !realm.starts_with("https://") && !realm.starts_with("http://") {
            return Err(ResolveError::new(
                ErrorKind::Registry,
                format!("the token realm `{realm}` is not an http(s) URL"),
            ));
        }
        let scope_value =
            scope.map_or_else(|| format!("repository:{}:pull", image.repository), str::to_string);
        let mut last = None;
        for attempt in 0..self.options.attempts {
            if attempt > 0 {
                std::thread::sleep(self.options.backoff * 2u32.pow(attempt - 1));
            }
            let result = match credential {
                Some(Credential::IdentityToken(refresh)) => {
                    let mut form = vec![
                        ("grant_type", "refresh_token"),
                        ("refresh_token", refresh.as_str()),
                        ("client_id", "edgelint"),
                        ("scope", scope_value.as_str()),
                    ];
                    if let Some(s) = service {
                        form.push(("service", s));
                    }
                    self.token_agent.post(realm).send_form(form)
                }
                Some(Credential::Basic { username, password }) => {
                    let basic = base64::engine::general_purpose::STANDARD
                        .encode(format!("{username}:{password}"));
                    self.token_agent
                        .get(token_url(realm, service, scope, &image.repository))
                        .header("Authorization", format!("Basic {basic}"))
                        .call()
                }
                None => {
                    self.token_agent.get(token_url(realm, service, scope, &image.repository)).call()
                }
            };
            match result {
                Ok(mut resp) => {
                    let status = resp.status().as_u16();
                    let body = resp
                        .body_mut()
                        .with_config()
                        .limit(MAX_DOCUMENT)
                        .read_to_vec()
                        .unwrap_or_default();
                    if status == 200 {
                        let v: serde_json::Value = serde_json::from_slice(&body).map_err(|_| {
                            ResolveError::new(
                                ErrorKind::Registry,
                                "the token service did not answer JSON",
                            )
                        })?;
                        let token = v
                            .get("token")
                            .or_else(|| v.get("access_token"))
                            .and_then(serde_json::Value::as_str)
                            .filter(|t| !t.is_empty());
                        return token.map(str::to_string).ok_or_else(|| {
                            ResolveError::new(
                                ErrorKind::Registry,
                                "the token service sent no token",
                            )
                        });
                    }
                    if status == 401 || status == 403 {
                        return Err(match credential {
                            Some(_) => ResolveError::new(
                                ErrorKind::Unauthorized,
                                format!(
                                    "the token service of {} refused the credentials from {} (HTTP {status})",
                                    image.registry,
                                    self.docker_config_name()
                                ),
                            ),
                            None => self.no_credentials(&image.registry),
                        });
                    }
                    let e = ResolveError::new(
                        ErrorKind::Registry,
                        format!("the token service answered HTTP {status}"),
                    );
                    if !(status == 429 || status >= 500) {
                        return Err(e);
                    }
                    last = Some(e);
                }
                Err(e) => {
                    let (retry, e) = transport_error(&e, realm);
                    if !retry {
                        return Err(e);
                    }
                    last = Some(e);
                }
            }
        }
        Err(last.unwrap_or_else(|| ResolveError::new(ErrorKind::Network, "no attempt made")))
    }

    /// One GET (or HEAD), retried on network errors, 429 and 5xx with exponential backoff.
    fn with_retries(
        &self,
        url: &str,
        accept: Option<&str>,
        auth: Option<&AuthHeader>,
        head: bool,
    ) -> Result<Fetched, ResolveError> {
        let mut last = None;
        for attempt in 0..self.options.attempts.max(1) {
            if attempt > 0 {
                std::thread::sleep(self.options.backoff * 2u32.pow(attempt - 1));
            }
            let mut req = if head { self.agent.head(url) } else { self.agent.get(url) };
            if let Some(a) = accept {
                req = req.header("Accept", a);
            }
            if let Some(AuthHeader::Value(v)) = auth {
                req = req.header("Authorization", v);
            }
            match req.call() {
                Ok(mut resp) => {
                    let status = resp.status().as_u16();
                    let header = |name: &str| {
                        resp.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_string)
                    };
                    let location = header("location");
                    let content_type = header("content-type");
                    let digest_header = header("docker-content-digest");
                    let challenge = header("www-authenticate");
                    let body = match resp.body_mut().with_config().limit(MAX_DOCUMENT).read_to_vec()
                    {
                        Ok(b) => b,
                        Err(ureq::Error::BodyExceedsLimit(_)) => {
                            return Err(ResolveError::new(
                                ErrorKind::Registry,
                                format!("{url}: the document is over {MAX_DOCUMENT} bytes"),
                            ))
                        }
                        Err(e) => {
                            last = Some(transport_error(&e, url).1);
                            continue;
                        }
                    };
                    let fetched =
                        Fetched { status, location, content_type, digest_header, challenge, body };
                    if status == 429 || status >= 500 {
                        last = Some(status_error(status, &fetched, host_of(url)));
                        continue;
                    }
                    return Ok(fetched);
                }
                Err(e) => {
                    let (retry, err) = transport_error(&e, url);
                    if !retry {
                        return Err(err);
                    }
                    last = Some(err);
                }
            }
        }
        let mut e =
            last.unwrap_or_else(|| ResolveError::new(ErrorKind::Network, "no attempt made"));
        e.message.push_str(&format!(" (after {} attempts)", self.options.attempts.max(1)));
        Err(e)
    }
}

/// Where a redirect goes: an absolute URL, or a path on the same host. `https` never
/// redirects to `http`.
fn redirect_target(from: &str, location: &str) -> Result<String, String> {
    let target = if location.starts_with("https://") || location.starts_with("http://") {
        location.to_string()
    } else if location.starts_with('/') {
        let (scheme, rest) = from.split_once("://").unwrap_or(("https", from));
        let host = rest.split('/').next().unwrap_or(rest);
        format!("{scheme}://{host}{location}")
    } else {
        let base = from.split('?').next().unwrap_or(from);
        let dir = base.rsplit_once('/').map_or(base, |(d, _)| d);
        format!("{dir}/{location}")
    };
    if from.starts_with("https://") && target.starts_with("http://") {
        return Err(format!("refused a redirect from https to {target}"));
    }
    Ok(target)
}

fn host_of(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    rest.split('/').next().unwrap_or(rest)
}

/// A transport error in words, and whether it is worth retrying.
fn transport_error(e: &ureq::Error, url: &str) -> (bool, ResolveError) {
    let host = host_of(url);
    let (retry, message) = match e {
        ureq::Error::HostNotFound => (false, format!("cannot resolve host {host}")),
        ureq::Error::ConnectionFailed => (true, format!("cannot connect to {host}")),
        ureq::Error::Timeout(t) => (true, format!("{host} did not answer in time ({t})")),
        ureq::Error::Io(io) => {
            let said = io.to_string();
            let said = said.split(" (os error").next().unwrap_or(&said).to_lowercase();
            match io.kind() {
                std::io::ErrorKind::ConnectionRefused => {
                    (true, format!("cannot connect to {host}: connection refused"))
                }
                _ => (true, format!("cannot talk to {host}: {said}")),
            }
        }
        ureq::Error::Tls(t) => (false, format!("TLS with {host} failed: {t}")),
        ureq::Error::Rustls(t) => (false, format!("TLS with {host} failed: {t}")),
        other => (true, format!("request to {host} failed: {other}")),
    };
    (retry, ResolveError::new(ErrorKind::Network, message))
}

fn status_error(status: u16, fetched: &Fetched, registry: &str) -> ResolveError {
    let kind = match status {
        401 | 403 => ErrorKind::Unauthorized,
        _ => ErrorKind::Registry,
    };
    ResolveError::new(
        kind,
        format!("{registry} answered HTTP {status}{}", registry_error(&fetched.body)),
    )
}

/// `: CODE: message` from a distribution error body, if it is one.
fn registry_error(body: &[u8]) -> String {
    let Ok(v) = serde_json::from_slice::<serde_json::Value>(body) else { return String::new() };
    let Some(first) = v.pointer("/errors/0") else { return String::new() };
    let code = first.get("code").and_then(serde_json::Value::as_str).unwrap_or("");
    let message = first.get("message").and_then(serde_json::Value::as_str).unwrap_or("");
    match (code.is_empty(), message.is_empty()) {
        (true, true) => String::new(),
        (false, true) => format!(" ({code})"),
        (true, false) => format!(" ({message})"),
        (false, false) => format!(" ({code}: {message})"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_and_endpoints() {
        for h in ["localhost:5000", "127.0.0.1:5001", "[::1]:5000", "app.localhost", "localhost"] {
            assert!(is_loopback(h), "{h}");
        }
        for h in ["registry.example.com", "10.0.0.1:5000", "ghcr.io", "localhost.example.com"] {
            assert!(!is_loopback(h), "{h}");
        }
        assert_eq!(endpoint_host("docker.io"), "registry-1.docker.io");
        assert_eq!(endpoint_host("ghcr.io"), "ghcr.io");
        let c = Client::new(
            Options { insecure: vec!["registry.plant.local:5000".into()], ..Options::default() },
            DockerConfig::default(),
        );
        assert_eq!(c.base_url("docker.io"), "https://registry-1.docker.io");
        assert_eq!(c.base_url("127.0.0.1:5000"), "http://127.0.0.1:5000");
        assert_eq!(c.base_url("registry.plant.local:5000"), "http://registry.plant.local:5000");
        assert_eq!(c.base_url("quay.io"), "https://quay.io");
    }

    #[test]
    fn registry_error_bodies() {
        let body =
            br#"{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown","detail":{}}]}"#;
        assert_eq!(registry_error(body), " (MANIFEST_UNKNOWN: manifest unknown)");
        assert_eq!(registry_error(b"<html>"), "");
        assert_eq!(host_of("http://127.0.0.1:5000/v2/x"), "127.0.0.1:5000");
    }

    #[test]
    fn redirect_targets() {
        let from = "https://registry.k8s.io/v2/pause/manifests/3.9";
        assert_eq!(
            redirect_target(from, "https://us-west2-docker.pkg.dev/v2/p/pause/manifests/3.9"),
            Ok("https://us-west2-docker.pkg.dev/v2/p/pause/manifests/3.9".to_string())
        );
        assert_eq!(
            redirect_target(from, "/v2/other/manifests/1"),
            Ok("https://registry.k8s.io/v2/other/manifests/1".to_string())
        );
        assert_eq!(
            redirect_target(from, "latest"),
            Ok("https://registry.k8s.io/v2/pause/manifests/latest".to_string())
        );
        assert!(redirect_target(from, "http://evil.example/x").is_err());
        assert!(redirect_target("http://127.0.0.1:5000/v2/x", "http://127.0.0.1:5001/y").is_ok());
    }
}
