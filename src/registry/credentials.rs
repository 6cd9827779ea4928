//! Registry credentials from the Docker config file, as the docker CLI finds them:
//! `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`.
//!
//! For a registry host, in order: its `credHelpers` entry (`docker-credential-<helper> get`),
//! the `credsStore` helper, then its `auths` entry (`auth`: base64 `user:password`, or
//! `username`/`password`, or `identitytoken`). A helper that has nothing for the host falls
//! back to `auths`. Keys of `auths` are compared by host, as docker does (`https://` and any
//! path are dropped; Docker Hub is `https://index.docker.io/v1/`).

use base64::Engine as _;
use serde_json::Value;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How long a credential helper may take.
const HELPER_TIMEOUT: Duration = Duration::from_secs(30);

/// The server address docker uses for Docker Hub credentials.
pub const DOCKER_HUB_SERVER: &str = "https://index.docker.io/v1/";

/// Credentials for one registry.
#[derive(Clone, PartialEq, Eq)]
pub enum Credential {
    Basic {
        username: String,
        password: String,
    },
    /// An OAuth refresh token (`identitytoken`, or a helper's `<token>` user), exchanged at the
    /// token endpoint.
    IdentityToken(String),
}

impl std::fmt::Debug for Credential {
    /// Never prints a secret.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Credential::Basic { username, .. } => write!(f, "Basic({username}, ***)"),
            Credential::IdentityToken(_) => write!(f, "IdentityToken(***)"),
        }
    }
}

/// The Docker config file, read once.
#[derive(Clone, Debug, Default)]
pub struct DockerConfig {
    /// Where it was looked for (it may not exist).
    pub path: Option<PathBuf>,
    /// `auths`: host → credential.
    auths: Vec<(String, Credential)>,
    /// `credHelpers`: host → helper name.
    helpers: Vec<(String, String)>,
    /// `credsStore`.
    store: Option<String>,
}

/// `$DOCKER_CONFIG/config.json`, else `$HOME/.docker/config.json`.
pub fn default_path() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("DOCKER_CONFIG").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(dir).join("config.json"));
    }
    std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".docker/config.json"))
}

/// docker's `ConvertToHostname`: `https://index.docker.io/v1/` → `index.docker.io`.
pub fn key_host(key: &str) -> String {
    let k = key.strip_prefix("https://").or_else(|| key.strip_prefix("http://")).unwrap_or(key);
    k.split('/').next().unwrap_or(k).to_ascii_lowercase()
}

/// The hosts a registry's credentials may be stored under.
fn candidate_hosts(registry: &str) -> Vec<String> {
    let r = registry.to_ascii_lowercase();
    if r == "docker.io" || r == "index.docker.io" || r == "registry-1.docker.io" {
        vec!["index.docker.io".into(), "docker.io".into(), "registry-1.docker.io".into()]
    } else {
        vec![r]
    }
}

impl DockerConfig {
    /// Reads the file at `path`; a missing file is an empty configuration.
    pub fn load(path: Option<&Path>) -> Result<DockerConfig, String> {
        let Some(path) = path else { return Ok(DockerConfig::default()) };
        match std::fs::read(path) {
            Ok(bytes) => {
                let mut c =
                    DockerConfig::parse(&bytes).map_err(|e| format!("{}: {e}", path.display()))?;
                c.path = Some(path.to_path_buf());
                Ok(c)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                Ok(DockerConfig { path: Some(path.to_path_buf()), ..DockerConfig::default() })
            }
            Err(e) => Err(format!("cannot read {}: {e}", path.display())),
        }
    }

    /// Parses the JSON of a Docker config file.
    pub fn parse(bytes: &[u8]) -> Result<DockerConfig, String> {
        let doc: Value = serde_json::from_slice(bytes).map_err(|e| format!("not JSON: {e}"))?;
        let mut config = DockerConfig::default();
        if let Some(auths) = doc.get("auths").and_then(Value::as_object) {
            for (key, entry) in auths {
                if let Some(c) =
                    entry_credential(entry).map_err(|e| format!("`auths` entry `{key}`: {e}"))?
                {
                    config.auths.push((key_host(key), c));
                }
            }
        }
        if let Some(helpers) = doc.get("credHelpers").and_then(Value::as_object) {
            for (key, helper) in helpers {
                if let Some(h) = helper.as_str().filter(|h| !h.is_empty()) {
                    config.helpers.push((key_host(key), h.to_string()));
                }
            }
        }
        config.store =
            doc.get("credsStore").and_then(Value::as_str).filter(|s| !s.is_empty()).map(Into::into);
        Ok(config)
    }

    /// The helper that holds a registry's credentials, if any: its `credHelpers` entry, else
    /// `credsStore`.
    pub fn helper_for(&self, registry: &str) -> Option<&str> {
        let hosts = candidate_hosts(registry);
        self.helpers
            .iter()
            .find(|(h, _)| hosts.contains(h))
            .map(|(_, helper)| helper.as_str())
            .or(self.store.as_deref())
    }

    /// The `auths` entry of a registry.
    pub fn auths_for(&self, registry: &str) -> Option<&Credential> {
        let hosts = candidate_hosts(registry);
        // The first candidate is the preferred key: for Docker Hub, `index.docker.io`.
        hosts.iter().find_map(|h| self.auths.iter().find(|(k, _)| k == h).map(|(_, c)| c))
    }

    /// The credential for a registry: from its helper (run now), else its `auths` entry.
    /// A helper that fails is an error; one that has nothing for the host is not.
    pub fn credential_for(&self, registry: &str) -> Result<Option<Credential>, String> {
        if let Some(helper) = self.helper_for(registry) {
            let server = if candidate_hosts(registry)[0] == "index.docker.io" {
                DOCKER_HUB_SERVER.to_string()
            } else {
                registry.to_string()
            };
            if let Some(c) = run_helper(helper, &server)? {
                return Ok(Some(c));
            }
        }
        Ok(self.auths_for(registry).cloned())
    }
}

/// One `auths` entry: `auth` (base64 `user:password`), `username`/`password`, or
/// `identitytoken`. `None` when it holds none of them (docker writes `{}` for helpers).
fn entry_credential(entry: &Value) -> Result<Option<Credential>, String> {
    let s = |k: &str| entry.get(k).and_then(Value::as_str).filter(|v| !v.is_empty());
    if let Some(token) = s("identitytoken") {
        return Ok(Some(Credential::IdentityToken(token.to_string())));
    }
    if let Some(auth) = s("auth") {
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(auth.trim())
            .map_err(|_| "`auth` is not base64".to_string())?;
        let text = String::from_utf8(decoded).map_err(|_| "`auth` is not UTF-8".to_string())?;
        let (username, password) =
            text.split_once(':').ok_or("`auth` is not `user:password`".to_string())?;
        return Ok(Some(Credential::Basic {
            username: username.to_string(),
            password: password.to_string(),
        }));
    }
    if let (Some(u), Some(p)) = (s("username"), s("password")) {
        return Ok(Some(Credential::Basic { username: u.to_string(), password: p.to_string() }));
    }
    Ok(None)
}

/// Runs `docker-credential-<helper> get` with the server address on stdin. `None` when the
/// helper has no credentials for it.
pub fn run_helper(helper: &str, server: &str) -> Result<Option<Credential>, String> {
    if !helper.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.') {
        return Err(format!("credential helper name `{helper}` is not valid"));
    }
    let program = format!("docker-credential-{helper}");
    let mut child = Command::new(&program)
        .arg("get")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run credential helper `{program}`: {e}"))?;
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.write_all(server.as_bytes());
    }
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() > HELPER_TIMEOUT => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("credential helper `{program}` did not answer in 30 s"));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(e) => return Err(format!("credential helper `{program}`: {e}")),
        }
    };
    let mut out = String::new();
    if let Some(mut o) = child.stdout.take() {
        let _ = o.read_to_string(&mut out);
    }
    if !status.success() {
        // The helper protocol's "nothing stored" answer.
        if out.contains("credentials not found") {
            return Ok(None);
        }
        let mut err = String::new();
        if let Some(mut e) = child.stderr.take() {
            let _ = e.read_to_string(&mut err);
        }
        let said = if err.trim().is_empty() { out.trim() } else { err.trim() };
        return Err(format!("credential helper `{program}` failed: {said}"));
    }
    parse_helper_output(&out).map_err(|e| format!("credential helper `{program}`: {e}"))
}

/// The helper's JSON answer: `{"ServerURL": …, "Username": …, "Secret": …}`; the user
/// `<token>` means the secret is an identity token.
pub fn parse_helper_output(out: &str) -> Result<Option<Credential>, String> {
    let v: Value =
        serde_json::from_str(out.trim()).map_err(|_| "answer is not JSON".to_string())?;
    let user = v.get("Username").and_then(Value::as_str).unwrap_or("");
    let secret = v.get("Secret").and_then(Value::as_str).unwrap_or("");
    if secret.is_empty() {
        return Ok(None);
    }
    if user == "<token>" || user.is_empty() {
        return Ok(Some(Credential::IdentityToken(secret.to_string())));
    }
    Ok(Some(Credential::Basic { username: user.to_string(), password: secret.to_string() }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn basic(u: &str, p: &str) -> Credential {
        Credential::Basic { username: u.into(), password: p.into() }
    }

    #[test]
    fn auths_entries() {
        // "alice:s3cr:et" and "bob:pw"
        let json = br#"{
          "auths": {
            "https://index.docker.io/v1/": {"auth": "YWxpY2U6czNjcjpldA=="},
            "127.0.0.1:5001": {"auth": "Ym9iOnB3"},
            "http://registry.example.com/v2/": {"username": "carol", "password": "x"},
            "ghcr.io": {"identitytoken": "refresh"},
            "quay.io": {}
          },
          "credHelpers": {"gcr.io": "gcloud", "eu.gcr.io": ""}
        }"#;
        let c = DockerConfig::parse(json).unwrap();
        assert_eq!(c.auths_for("docker.io"), Some(&basic("alice", "s3cr:et")));
        assert_eq!(c.auths_for("127.0.0.1:5001"), Some(&basic("bob", "pw")));
        assert_eq!(c.auths_for("registry.example.com"), Some(&basic("carol", "x")));
        assert_eq!(c.auths_for("ghcr.io"), Some(&Credential::IdentityToken("refresh".into())));
        assert_eq!(c.auths_for("quay.io"), None);
        assert_eq!(c.auths_for("127.0.0.1:5002"), None);
        assert_eq!(c.helper_for("gcr.io"), Some("gcloud"));
        assert_eq!(c.helper_for("eu.gcr.io"), None);
        assert_eq!(c.helper_for("ghcr.io"), None);
        // No secret in debug output.
        assert!(!format!("{c:?}").contains("s3cr"));
    }

    #[test]
    fn creds_store_applies_to_every_host() {
        let c = DockerConfig::parse(br#"{"credsStore": "desktop", "credHelpers": {"a.io": "x"}}"#)
            .unwrap();
        assert_eq!(c.helper_for("a.io"), Some("x"));
        assert_eq!(c.helper_for("b.io"), Some("desktop"));
    }

    #[test]
    fn bad_entries_are_errors() {
        assert!(DockerConfig::parse(br#"{"auths": {"a": {"auth": "!!"}}}"#).is_err());
        assert!(DockerConfig::parse(br#"{"auths": {"a": {"auth": "bm9jb2xvbg=="}}}"#).is_err());
        assert!(DockerConfig::parse(b"not json").is_err());
        assert!(DockerConfig::parse(b"{}").is_ok());
    }

    #[test]
    fn helper_answers() {
        assert_eq!(
            parse_helper_output(r#"{"ServerURL":"x","Username":"u","Secret":"s"}"#),
            Ok(Some(basic("u", "s")))
        );
        assert_eq!(
            parse_helper_output(r#"{"ServerURL":"x","Username":"<token>","Secret":"t"}"#),
            Ok(Some(Credential::IdentityToken("t".into())))
        );
        assert_eq!(parse_helper_output(r#"{"Username":"u","Secret":""}"#), Ok(None));
        assert!(parse_helper_output("oops").is_err());
        assert!(run_helper("../../bin/sh", "x").is_err());
    }

    #[test]
    fn hosts_of_keys() {
        assert_eq!(key_host("https://index.docker.io/v1/"), "index.docker.io");
        assert_eq!(key_host("Registry.Example.com:5000"), "registry.example.com:5000");
    }
}
