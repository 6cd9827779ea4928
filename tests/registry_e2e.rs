//! `edgelint images lock` and `images check` against a real OCI registry (the CNCF
//! distribution registry) on loopback, started by `.ci/registry-e2e.sh`, which sets:
//!
//! - `EDGELINT_E2E_REGISTRY`: `127.0.0.1:PORT` of an open registry;
//! - `EDGELINT_E2E_AUTH_REGISTRY`: `127.0.0.1:PORT` of one behind htpasswd (Basic auth), with
//!   `EDGELINT_E2E_AUTH_USER` / `EDGELINT_E2E_AUTH_PASSWORD`;
//! - `EDGELINT_E2E_TOKEN_REGISTRY`: one with token auth (the Bearer flow every public registry
//!   uses), whose token service the test serves on `EDGELINT_E2E_TOKEN_PORT`, signing with
//!   `EDGELINT_E2E_TOKEN_KEY` (PKCS#8) for `EDGELINT_E2E_TOKEN_CERT` (DER), both made by the
//!   script; it grants tokens only for the same user and password.
//!
//! Without them every test here returns at once (plain `cargo test` has no registry). The test
//! images are written here as OCI layouts (tiny blobs, configs naming os/architecture/variant,
//! manifests, an index with a BuildKit-style attestation manifest) and pushed with
//! `skopeo copy --all`.

// Helpers outside #[test] functions unwrap too: a failure there is a test failure.
#![allow(clippy::unwrap_used)]

mod common;

use base64::Engine as _;
use edgelint::registry::media::sha256_digest;
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

struct Env {
    open: String,
    auth: String,
    user: String,
    password: String,
}

fn env() -> Option<Env> {
    let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    let Some(open) = var("EDGELINT_E2E_REGISTRY") else {
        eprintln!("EDGELINT_E2E_REGISTRY is not set (.ci/registry-e2e.sh sets it); skipped");
        return None;
    };
    Some(Env {
        open,
        auth: var("EDGELINT_E2E_AUTH_REGISTRY").expect("EDGELINT_E2E_AUTH_REGISTRY"),
        user: var("EDGELINT_E2E_AUTH_USER").expect("EDGELINT_E2E_AUTH_USER"),
        password: var("EDGELINT_E2E_AUTH_PASSWORD").expect("EDGELINT_E2E_AUTH_PASSWORD"),
    })
}

fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("registry-e2e").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// An OCI image layout being written.
struct Layout {
    dir: PathBuf,
    refs: Vec<serde_json::Value>,
}

impl Layout {
    fn new(dir: &Path) -> Layout {
        std::fs::create_dir_all(dir.join("blobs/sha256")).unwrap();
        std::fs::write(dir.join("oci-layout"), r#"{"imageLayoutVersion":"1.0.0"}"#).unwrap();
        Layout { dir: dir.to_path_buf(), refs: Vec::new() }
    }

    /// Stores a blob; returns its descriptor fields (digest, size).
    fn blob(&self, bytes: &[u8]) -> (String, usize) {
        let digest = sha256_digest(bytes);
        let hex = digest.strip_prefix("sha256:").unwrap();
        std::fs::write(self.dir.join("blobs/sha256").join(hex), bytes).unwrap();
        (digest, bytes.len())
    }

    /// A single-platform image manifest: an empty tar layer and a config naming the platform.
    /// `variant` may be empty. Returns the manifest's descriptor.
    fn image(&self, os: &str, arch: &str, variant: &str) -> serde_json::Value {
        let tar = vec![0u8; 1024]; // an empty tar archive
        let (layer, layer_size) = self.blob(&tar);
        let mut config = json!({
            "architecture": arch, "os": os,
            "rootfs": {"type": "layers", "diff_ids": [layer.clone()]},
            "config": {"Cmd": ["/bin/true"]},
        });
        if !variant.is_empty() {
            config["variant"] = json!(variant);
        }
        let (config_digest, config_size) = self.blob(config.to_string().as_bytes());
        let manifest = json!({
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config_digest, "size": config_size},
            "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": layer, "size": layer_size}],
        });
        let (digest, size) = self.blob(manifest.to_string().as_bytes());
        let mut platform = json!({"os": os, "architecture": arch});
        if !variant.is_empty() {
            platform["variant"] = json!(variant);
        }
        json!({"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": digest, "size": size, "platform": platform})
    }

    /// A BuildKit-style attestation manifest for `subject` (platform unknown/unknown).
    fn attestation(&self, subject: &str) -> serde_json::Value {
        let (statement, statement_size) =
            self.blob(br#"{"_type":"https://in-toto.io/Statement/v0.1"}"#);
        let (config, config_size) = self.blob(br#"{"architecture":"unknown","os":"unknown","rootfs":{"type":"layers","diff_ids":[]}}"#);
        let manifest = json!({
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config, "size": config_size},
            "layers": [{"mediaType": "application/vnd.in-toto+json", "digest": statement, "size": statement_size,
                        "annotations": {"in-toto.io/predicate-type": "https://spdx.dev/Document"}}],
        });
        let (digest, size) = self.blob(manifest.to_string().as_bytes());
        json!({
            "mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": digest, "size": size,
            "platform": {"os": "unknown", "architecture": "unknown"},
            "annotations": {"vnd.docker.reference.digest": subject, "vnd.docker.reference.type": "attestation-manifest"},
        })
    }

    /// Names a descriptor in the layout's index.json.
    fn tag(&mut self, name: &str, mut descriptor: serde_json::Value) {
        descriptor.as_object_mut().unwrap().remove("platform");
        descriptor["annotations"] = json!({"org.opencontainers.image.ref.name": name});
        self.refs.push(descriptor);
    }

    /// An index over `images`; returns its descriptor and digest.
    fn index(&self, images: &[serde_json::Value]) -> (serde_json::Value, String) {
        let index = json!({
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.index.v1+json",
            "manifests": images,
        });
        let (digest, size) = self.blob(index.to_string().as_bytes());
        (
            json!({"mediaType": "application/vnd.oci.image.index.v1+json", "digest": digest, "size": size}),
            digest,
        )
    }

    fn finish(&self) {
        let index = json!({"schemaVersion": 2, "manifests": self.refs});
        std::fs::write(self.dir.join("index.json"), index.to_string()).unwrap();
    }
}

fn skopeo_copy(layout: &Path, name: &str, dest: &str, creds: Option<(&str, &str)>) {
    let mut cmd = Command::new("skopeo");
    cmd.args([
        "--insecure-policy",
        "copy",
        "--all",
        "--preserve-digests",
        "--quiet",
        "--dest-tls-verify=false",
    ]);
    if let Some((u, p)) = creds {
        cmd.arg(format!("--dest-creds={u}:{p}"));
    }
    let o = cmd
        .arg(format!("oci:{}:{name}", layout.display()))
        .arg(format!("docker://{dest}"))
        .stdin(Stdio::null())
        .output()
        .expect("run skopeo");
    assert!(
        o.status.success(),
        "skopeo copy {name} → {dest}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// A project directory (a git root) with a Dockerfile, a Compose file and a manifest.
fn project(name: &str, files: &[(&str, String)]) -> PathBuf {
    let dir = scratch(name);
    std::fs::create_dir_all(dir.join(".git")).unwrap();
    for (path, text) in files {
        std::fs::write(dir.join(path), text).unwrap();
    }
    std::fs::create_dir_all(dir.join("docker-config")).unwrap();
    dir
}

fn edgelint(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_edgelint"))
        .args(args)
        .current_dir(dir)
        .env("DOCKER_CONFIG", dir.join("docker-config"))
        .env("NO_COLOR", "1")
        .env_remove("HTTPS_PROXY")
        .env_remove("HTTP_PROXY")
        .env_remove("ALL_PROXY")
        .env_remove("https_proxy")
        .env_remove("http_proxy")
        .env_remove("all_proxy")
        .stdin(Stdio::null())
        .output()
        .expect("run edgelint")
}

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// Data lines of a lockfile: (reference, digest, platforms).
fn lock_lines(dir: &Path) -> Vec<(String, String, String)> {
    let text = std::fs::read_to_string(dir.join("edgelint.lock")).expect("edgelint.lock");
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            assert_eq!(f.len(), 4, "{l}");
            (f[0].to_string(), f[1].to_string(), f[2].to_string())
        })
        .collect()
}

/// A loopback port nothing listens on.
fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

#[test]
fn lock_check_and_drift_against_a_real_registry() {
    let Some(env) = env() else { return };
    let r = &env.open;
    let layouts = scratch("layouts");
    let mut layout = Layout::new(&layouts.join("oci"));
    let amd64 = layout.image("linux", "amd64", "");
    let arm64 = layout.image("linux", "arm64", "v8");
    let armv7 = layout.image("linux", "arm", "v7");
    let att = layout.attestation(amd64["digest"].as_str().unwrap());
    let (multi, multi_digest) =
        layout.index(&[amd64.clone(), arm64.clone(), armv7.clone(), att.clone()]);
    layout.tag("multi", multi);
    // The same tag later, without arm64 ("latest lost arm64 overnight").
    let (reduced, reduced_digest) = layout.index(&[amd64.clone(), armv7.clone(), att]);
    layout.tag("reduced", reduced);
    // A single-arch image: a manifest without an index; its platform is in its config blob.
    let single_digest = arm64["digest"].as_str().unwrap().to_string();
    layout.tag("single", arm64.clone());
    layout.tag("gone", amd64.clone());
    layout.finish();
    let oci = layouts.join("oci");
    skopeo_copy(&oci, "multi", &format!("{r}/e2e/multi:1"), None);
    skopeo_copy(&oci, "single", &format!("{r}/e2e/single:1"), None);
    skopeo_copy(&oci, "gone", &format!("{r}/e2e/gone:1"), None);

    let dir = project(
        "drift",
        &[
            (
                "Dockerfile",
                format!("FROM {r}/e2e/multi:1 AS build\nCOPY --from={r}/e2e/gone:1 /x /x\nFROM {r}/e2e/single:1\n"),
            ),
            (
                "compose.yaml",
                format!("services:\n  a:\n    image: {r}/e2e/multi:1\n  b:\n    image: {r}/e2e/multi:1\n"),
            ),
            (
                "pod.yaml",
                format!("apiVersion: v1\nkind: Pod\nmetadata: {{name: p}}\nspec:\n  initContainers:\n  - name: i\n    image: {r}/e2e/single:1\n  containers:\n  - name: c\n    image: {r}/e2e/multi@{multi_digest}\n"),
            ),
        ],
    );

    // Lock: correct platforms and digests; the attestation is not a platform.
    let o = edgelint(&dir, &["images", "lock"]);
    let (out, err) = text(&o);
    eprintln!("images lock:\n{out}{err}");
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(err.contains("4 images locked (4 added, 0 changed, 0 removed)"), "{err}");
    let lines = lock_lines(&dir);
    let expect = |reference: String, digest: &str, platforms: &str| {
        assert!(
            lines.contains(&(reference.clone(), digest.to_string(), platforms.to_string())),
            "{reference} {digest} {platforms} not in {lines:#?}"
        );
    };
    expect(format!("{r}/e2e/multi:1"), &multi_digest, "linux/amd64,linux/arm/v7,linux/arm64");
    expect(
        format!("{r}/e2e/multi@{multi_digest}"),
        &multi_digest,
        "linux/amd64,linux/arm/v7,linux/arm64",
    );
    expect(format!("{r}/e2e/single:1"), &single_digest, "linux/arm64");
    expect(format!("{r}/e2e/gone:1"), amd64["digest"].as_str().unwrap(), "linux/amd64");
    let sorted = {
        let mut s = lines.clone();
        s.sort();
        s
    };
    assert_eq!(lines, sorted, "lockfile lines are sorted");
    let before = std::fs::read_to_string(dir.join("edgelint.lock")).unwrap();

    // Relocking an unchanged registry changes nothing.
    let o = edgelint(&dir, &["images", "lock"]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(std::fs::read_to_string(dir.join("edgelint.lock")).unwrap(), before);

    // Lint runs read the lockfile, offline: the single-arch image is reported, the index is not.
    let o = edgelint(
        &dir,
        &["--format", "concise", "--select", "single-arch-image", "Dockerfile", "pod.yaml"],
    );
    let (out, err) = text(&o);
    eprintln!("lint with the lockfile:\n{out}{err}");
    assert!(
        out.contains(
            "e2e/single:1` is published for linux/arm64; not for linux/amd64, linux/arm/v7"
        ),
        "{out}"
    );
    assert!(!out.contains("e2e/multi"), "{out}");
    assert_eq!(out.lines().count(), 2, "{out}");

    // Check: no drift yet.
    let o = edgelint(&dir, &["images", "check", "--strict"]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}{err}");
    assert!(out.is_empty(), "{out}");

    // Re-push the tag with arm64 removed, delete another: drift in every format.
    skopeo_copy(&oci, "reduced", &format!("{r}/e2e/multi:1"), None);
    let o = Command::new("skopeo")
        .args(["--insecure-policy", "delete", "--tls-verify=false"])
        .arg(format!("docker://{r}/e2e/gone:1"))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = edgelint(&dir, &["images", "check", "--format", "concise"]);
    let (out, err) = text(&o);
    eprintln!("images check (concise):\n{out}{err}");
    assert_eq!(o.status.code(), Some(0), "not --strict: {err}");
    let line_of = |reference: &str| {
        before.lines().position(|l| l.starts_with(&format!("{reference}\t"))).unwrap() + 1
    };
    let multi_line = line_of(&format!("{r}/e2e/multi:1"));
    let gone_line = line_of(&format!("{r}/e2e/gone:1"));
    assert!(out.contains(&format!(
        "edgelint.lock:{multi_line}:1: error[image-drift] `{r}/e2e/multi:1` lost linux/arm64: it is now published for linux/amd64, linux/arm/v7; it now points at {}",
        &reduced_digest[..19]
    )), "{out}");
    assert!(out.contains(&format!("edgelint.lock:{gone_line}:1: error[image-drift] `{r}/e2e/gone:1` is gone: tag `1` not found")), "{out}");
    // The digest-pinned reference and the single image did not move.
    assert_eq!(out.lines().count(), 2, "{out}");
    let o = edgelint(&dir, &["images", "check", "--strict", "--format", "json"]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let d = v["diagnostics"].as_array().unwrap();
    assert_eq!(d.len(), 2, "{v}");
    assert!(d.iter().all(|d| d["rule"] == "image-drift" && d["path"] == "edgelint.lock"), "{v}");
    let o = edgelint(&dir, &["images", "check", "--format", "human"]);
    let (out, _) = text(&o);
    eprintln!("images check (human):\n{out}");
    assert!(out.contains("image-drift") && out.contains("lost linux/arm64"), "{out}");

    // Relock: the new platforms, the gone tag kept with a message per image.
    let o = edgelint(&dir, &["images", "lock", "--strict"]);
    let (_, err) = text(&o);
    eprintln!("images lock after drift:\n{err}");
    assert_eq!(o.status.code(), Some(1), "--strict with an unresolved image: {err}");
    assert!(err.contains(&format!("edgelint: cannot resolve {r}/e2e/gone:1: tag `1` not found in {r}/e2e/gone (MANIFEST_UNKNOWN")), "{err}");
    assert!(err.contains("its locked entry is kept"), "{err}");
    expect_line(&dir, &format!("{r}/e2e/multi:1"), &reduced_digest, "linux/amd64,linux/arm/v7");
    // Now the lint run says multi:1 has no arm64 build.
    let o =
        edgelint(&dir, &["--format", "concise", "--select", "single-arch-image", "compose.yaml"]);
    let (out, _) = text(&o);
    assert!(out.contains("e2e/multi:1` is published for linux/amd64, linux/arm/v7"), "{out}");
}

fn expect_line(dir: &Path, reference: &str, digest: &str, platforms: &str) {
    let lines = lock_lines(dir);
    assert!(
        lines.contains(&(reference.to_string(), digest.to_string(), platforms.to_string())),
        "{reference} {digest} {platforms} not in {lines:#?}"
    );
}

#[test]
fn missing_tags_and_a_registry_that_is_down() {
    let Some(env) = env() else { return };
    let r = &env.open;
    let down = format!("127.0.0.1:{}", closed_port());
    let dir = project(
        "missing",
        &[(
            "compose.yaml",
            format!("services:\n  a:\n    image: {r}/e2e/nothing-here:1\n  b:\n    image: {down}/e2e/app:1\n"),
        )],
    );
    let started = std::time::Instant::now();
    let o = edgelint(&dir, &["images", "lock", "--timeout", "5"]);
    let (_, err) = text(&o);
    eprintln!("images lock (missing, down):\n{err}");
    assert_eq!(o.status.code(), Some(0), "not --strict: {err}");
    assert!(err.contains(&format!("edgelint: cannot resolve {r}/e2e/nothing-here:1: tag `1` not found in {r}/e2e/nothing-here (MANIFEST_UNKNOWN")), "{err}");
    assert!(err.contains(&format!("edgelint: cannot resolve {down}/e2e/app:1: cannot connect to {down}: connection refused (after 3 attempts)")), "{err}");
    assert!(
        err.contains("0 images locked (0 added, 0 changed, 0 removed); 2 could not be resolved"),
        "{err}"
    );
    assert!(started.elapsed().as_secs() < 30, "retries are bounded");
    assert_eq!(lock_lines(&dir), []);
    let o = edgelint(&dir, &["images", "lock", "--strict"]);
    assert_eq!(o.status.code(), Some(1));

    // A lockfile entry on a registry that is down: a warning, the entry is kept.
    let a = format!("sha256:{}", "a".repeat(64));
    std::fs::write(
        dir.join("edgelint.lock"),
        format!("# edgelint.lock format 1\n{down}/e2e/app:1\t{a}\tlinux/arm64\t2026-12-01\n"),
    )
    .unwrap();
    let o = edgelint(&dir, &["images", "check", "--format", "concise"]);
    let (out, _) = text(&o);
    assert!(out.contains(&format!("edgelint.lock:2:1: warning[image-drift] `{down}/e2e/app:1` could not be checked: cannot connect to {down}")), "{out}");
}

#[test]
fn credentials_from_the_docker_config() {
    let Some(env) = env() else { return };
    let r = &env.auth;
    let layouts = scratch("auth-layouts");
    let mut layout = Layout::new(&layouts.join("oci"));
    let riscv = layout.image("linux", "riscv64", "");
    let arm = layout.image("linux", "arm", "v6");
    let (index, index_digest) = layout.index(&[riscv, arm]);
    layout.tag("private", index);
    layout.finish();
    skopeo_copy(
        &layouts.join("oci"),
        "private",
        &format!("{r}/e2e/private:1"),
        Some((&env.user, &env.password)),
    );

    let dir = project("auth", &[("Dockerfile", format!("FROM {r}/e2e/private:1\n"))]);
    // No credentials: a clear message.
    let o = edgelint(&dir, &["images", "lock"]);
    let (_, err) = text(&o);
    eprintln!("images lock without credentials:\n{err}");
    assert!(
        err.contains(&format!("cannot resolve {r}/e2e/private:1: {r} needs credentials and")),
        "{err}"
    );
    assert!(err.contains(&format!("has none for it (`docker login {r}`)")), "{err}");

    // Wrong credentials in `auths`.
    let config = |auth: &str| json!({"auths": {r.clone(): {"auth": auth}}}).to_string();
    let b64 = |s: String| base64::engine::general_purpose::STANDARD.encode(s);
    std::fs::write(
        dir.join("docker-config/config.json"),
        config(&b64(format!("{}:wrong", env.user))),
    )
    .unwrap();
    let o = edgelint(&dir, &["images", "lock"]);
    let (_, err) = text(&o);
    assert!(err.contains(&format!("{r} refused the credentials from")), "{err}");

    // `auths` with the right password (base64 `user:password`, as `docker login` writes it).
    std::fs::write(
        dir.join("docker-config/config.json"),
        config(&b64(format!("{}:{}", env.user, env.password))),
    )
    .unwrap();
    let o = edgelint(&dir, &["images", "lock"]);
    let (_, err) = text(&o);
    eprintln!("images lock with auths:\n{err}");
    assert_eq!(o.status.code(), Some(0), "{err}");
    expect_line(&dir, &format!("{r}/e2e/private:1"), &index_digest, "linux/arm/v6,linux/riscv64");

    // A credential helper (`credHelpers`), run as `docker-credential-<name> get`.
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let helper = bin.join("docker-credential-e2etest");
    let log = dir.join("helper.log");
    std::fs::write(
        &helper,
        format!(
            "#!/bin/sh\n[ \"$1\" = get ] || exit 2\nread -r server\necho \"$server\" >> '{}'\nprintf '{{\"ServerURL\":\"%s\",\"Username\":\"{}\",\"Secret\":\"{}\"}}' \"$server\"\n",
            log.display(),
            env.user,
            env.password
        ),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&helper, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    std::fs::write(
        dir.join("docker-config/config.json"),
        json!({"auths": {}, "credHelpers": {r.clone(): "e2etest"}}).to_string(),
    )
    .unwrap();
    std::fs::remove_file(dir.join("edgelint.lock")).unwrap();
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
    let o = Command::new(env!("CARGO_BIN_EXE_edgelint"))
        .args(["images", "lock"])
        .current_dir(&dir)
        .env("DOCKER_CONFIG", dir.join("docker-config"))
        .env("PATH", &path)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    expect_line(&dir, &format!("{r}/e2e/private:1"), &index_digest, "linux/arm/v6,linux/riscv64");
    // Asked once for the registry, with its address.
    assert_eq!(std::fs::read_to_string(&log).unwrap().trim(), r.as_str());
    let o = Command::new(env!("CARGO_BIN_EXE_edgelint"))
        .args(["images", "check", "--strict"])
        .current_dir(&dir)
        .env("DOCKER_CONFIG", dir.join("docker-config"))
        .env("PATH", &path)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stdout));
}

/// A token service for the registry with `auth: token`: it answers `GET /token` with a JWT
/// (ES256, the certificate in `x5c`) granting pull and push on the requested repository, but
/// only to requests with the right Basic credentials. Returns the requests' paths as seen.
fn serve_tokens(env: &Env, port: u16) -> std::sync::Arc<std::sync::Mutex<Vec<String>>> {
    use ring::signature::{EcdsaKeyPair, ECDSA_P256_SHA256_FIXED_SIGNING};
    use std::io::{BufRead, BufReader, Write};
    let var = |k: &str| std::env::var(k).unwrap_or_else(|_| panic!("{k}"));
    let key = std::fs::read(var("EDGELINT_E2E_TOKEN_KEY")).unwrap();
    let cert = std::fs::read(var("EDGELINT_E2E_TOKEN_CERT")).unwrap();
    let rng = ring::rand::SystemRandom::new();
    let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &key, &rng)
        .expect("the token key (PKCS#8 P-256)");
    let std_b64 = base64::engine::general_purpose::STANDARD;
    let url_b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let expected = format!("Basic {}", std_b64.encode(format!("{}:{}", env.user, env.password)));
    let listener = std::net::TcpListener::bind(("127.0.0.1", port)).expect("bind the token port");
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = seen.clone();
    let header = url_b64
        .encode(json!({"alg": "ES256", "typ": "JWT", "x5c": [std_b64.encode(&cert)]}).to_string());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request = String::new();
            let _ = reader.read_line(&mut request);
            let mut authorization = None;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line.trim().is_empty() {
                    break;
                }
                if let Some((k, v)) = line.split_once(':') {
                    if k.eq_ignore_ascii_case("authorization") {
                        authorization = Some(v.trim().to_string());
                    }
                }
            }
            let path = request.split_whitespace().nth(1).unwrap_or("").to_string();
            log.lock().unwrap().push(path.clone());
            let query = path.split_once('?').map_or("", |(_, q)| q);
            let scopes: Vec<String> = query
                .split('&')
                .filter_map(|kv| kv.strip_prefix("scope="))
                .map(percent_decode)
                .collect();
            let (status, body) = if authorization.as_deref() != Some(expected.as_str()) {
                ("401 Unauthorized", r#"{"details":"credentials required"}"#.to_string())
            } else {
                let access: Vec<serde_json::Value> = scopes
                    .iter()
                    .filter_map(|s| {
                        let rest = s.strip_prefix("repository:")?;
                        let (name, _) = rest.rsplit_once(':')?;
                        Some(json!({"type": "repository", "name": name, "actions": ["pull", "push"]}))
                    })
                    .collect();
                let now = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap()
                    .as_secs();
                let claims = json!({
                    "iss": "edgelint-e2e-issuer", "sub": "edgelint", "aud": "edgelint-e2e",
                    "exp": now + 300, "nbf": now - 10, "iat": now, "jti": format!("{now}-{}", path.len()),
                    "access": access,
                });
                let input = format!("{header}.{}", url_b64.encode(claims.to_string()));
                let rng = ring::rand::SystemRandom::new();
                let signature = pair.sign(&rng, input.as_bytes()).unwrap();
                let jwt = format!("{input}.{}", url_b64.encode(signature.as_ref()));
                (
                    "200 OK",
                    json!({"token": jwt, "access_token": jwt, "expires_in": 300}).to_string(),
                )
            };
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    seen
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let Ok(v) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(if b[i] == b'+' { b' ' } else { b[i] });
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[test]
fn bearer_token_auth_with_credentials_from_the_docker_config() {
    let Some(env) = env() else { return };
    let r = std::env::var("EDGELINT_E2E_TOKEN_REGISTRY").expect("EDGELINT_E2E_TOKEN_REGISTRY");
    let port: u16 = std::env::var("EDGELINT_E2E_TOKEN_PORT").unwrap().parse().unwrap();
    let seen = serve_tokens(&env, port);
    let layouts = scratch("token-layouts");
    let mut layout = Layout::new(&layouts.join("oci"));
    let amd64 = layout.image("linux", "amd64", "");
    let arm64 = layout.image("linux", "arm64", "");
    let (index, index_digest) = layout.index(&[amd64, arm64]);
    layout.tag("tokened", index);
    layout.finish();
    skopeo_copy(
        &layouts.join("oci"),
        "tokened",
        &format!("{r}/e2e/tokened:1"),
        Some((&env.user, &env.password)),
    );

    let dir = project(
        "token",
        &[("compose.yaml", format!("services:\n  a:\n    image: {r}/e2e/tokened:1\n"))],
    );
    // Anonymous: the token service refuses, and the message says how to log in.
    let o = edgelint(&dir, &["images", "lock"]);
    let (_, err) = text(&o);
    eprintln!("images lock, token registry, no credentials:\n{err}");
    assert!(
        err.contains(&format!("cannot resolve {r}/e2e/tokened:1: {r} needs credentials")),
        "{err}"
    );
    // With `auths`: the bearer flow (challenge → token with Basic credentials → manifest).
    let auth =
        base64::engine::general_purpose::STANDARD.encode(format!("{}:{}", env.user, env.password));
    std::fs::write(
        dir.join("docker-config/config.json"),
        json!({"auths": {r.clone(): {"auth": auth}}}).to_string(),
    )
    .unwrap();
    let o = edgelint(&dir, &["images", "lock"]);
    let (_, err) = text(&o);
    eprintln!("images lock, token registry, auths:\n{err}");
    assert_eq!(o.status.code(), Some(0), "{err}");
    expect_line(&dir, &format!("{r}/e2e/tokened:1"), &index_digest, "linux/amd64,linux/arm64");
    let asked = seen.lock().unwrap().clone();
    assert!(
        asked.iter().any(|p| p.contains("service=edgelint-e2e")
            && p.contains("scope=repository%3Ae2e%2Ftokened%3Apull")),
        "{asked:#?}"
    );
    let o = edgelint(&dir, &["images", "check", "--strict"]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stdout));
}
