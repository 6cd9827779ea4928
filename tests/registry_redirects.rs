//! A registry that redirects manifests to another host (as registry.k8s.io does to regional
//! registries), which asks for its own Bearer token: `images lock` follows the redirect, gets
//! an anonymous token from the second host's realm, and never sends the first registry's
//! credentials there. Two tiny HTTP servers on 127.0.0.1 play the hosts (no real registry
//! needed, so this runs with plain `cargo test`).

// Helpers outside #[test] functions unwrap too: a failure there is a test failure.
#![allow(clippy::unwrap_used)]

mod common;

use base64::Engine as _;
use edgelint::registry::media::sha256_digest;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};

/// (request line, authorization header) of every request a server saw.
type Seen = Arc<Mutex<Vec<(String, Option<String>)>>>;

/// Serves on `listener`: `answer(request line, authorization)` → (status line, headers, body).
fn serve(
    listener: TcpListener,
    seen: Seen,
    answer: impl Fn(&str, Option<&str>) -> (String, Vec<String>, String) + Send + 'static,
) {
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request = String::new();
            let _ = reader.read_line(&mut request);
            let request = request.trim().to_string();
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
            seen.lock().unwrap().push((request.clone(), authorization.clone()));
            let (status, headers, body) = answer(&request, authorization.as_deref());
            let head = request.starts_with("HEAD ");
            let mut response = format!(
                "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n",
                body.len()
            );
            for h in headers {
                response.push_str(&h);
                response.push_str("\r\n");
            }
            response.push_str("\r\n");
            if !head {
                response.push_str(&body);
            }
            let _ = stream.write_all(response.as_bytes());
        }
    });
}

#[test]
fn redirects_to_another_host_get_their_own_anonymous_token() {
    let index = r#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[
      {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:1111111111111111111111111111111111111111111111111111111111111111","size":1,"platform":{"os":"linux","architecture":"arm64"}},
      {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:2222222222222222222222222222222222222222222222222222222222222222","size":1,"platform":{"os":"linux","architecture":"riscv64"}}]}"#;
    let digest = sha256_digest(index.as_bytes());

    let mirror = TcpListener::bind("127.0.0.1:0").unwrap();
    let mirror_host = mirror.local_addr().unwrap().to_string();
    let front = TcpListener::bind("127.0.0.1:0").unwrap();
    let front_host = front.local_addr().unwrap().to_string();
    let mirror_seen: Seen = Arc::default();
    let front_seen: Seen = Arc::default();

    let realm = format!("http://{mirror_host}/token");
    let body = index.to_string();
    let header_digest = digest.clone();
    serve(mirror, mirror_seen.clone(), move |request, auth| {
        if request.starts_with("GET /token?") {
            return ("200 OK".into(), vec![], r#"{"token":"mirror-token"}"#.into());
        }
        if request.contains(" /v2/prod/app/manifests/1 ") {
            if auth != Some("Bearer mirror-token") {
                let challenge = format!(
                    r#"WWW-Authenticate: Bearer realm="{realm}",service="mirror",scope="repository:prod/app:pull""#
                );
                return ("401 Unauthorized".into(), vec![challenge], String::new());
            }
            return (
                "200 OK".into(),
                vec![
                    "Content-Type: application/vnd.oci.image.index.v1+json".into(),
                    format!("Docker-Content-Digest: {header_digest}"),
                ],
                body.clone(),
            );
        }
        ("404 Not Found".into(), vec![], String::new())
    });
    let target = format!("http://{mirror_host}/v2/prod/app/manifests/1");
    serve(front, front_seen.clone(), move |request, auth| {
        if request.contains(" /v2/app/manifests/1 ") {
            if auth.is_none() {
                return (
                    "401 Unauthorized".into(),
                    vec![r#"WWW-Authenticate: Basic realm="front""#.into()],
                    String::new(),
                );
            }
            return (
                "307 Temporary Redirect".into(),
                vec![format!("Location: {target}")],
                String::new(),
            );
        }
        ("404 Not Found".into(), vec![], String::new())
    });

    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("registry-redirects");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join(".git")).unwrap();
    std::fs::create_dir_all(dir.join("docker")).unwrap();
    std::fs::write(
        dir.join("compose.yaml"),
        format!("services:\n  a:\n    image: {front_host}/app:1\n"),
    )
    .unwrap();
    let secret = base64::engine::general_purpose::STANDARD.encode("alice:front-secret");
    std::fs::write(
        dir.join("docker/config.json"),
        format!(r#"{{"auths": {{"{front_host}": {{"auth": "{secret}"}}}}}}"#),
    )
    .unwrap();
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_edgelint"))
            .args(args)
            .current_dir(&dir)
            .env("DOCKER_CONFIG", dir.join("docker"))
            .env_remove("HTTP_PROXY")
            .env_remove("http_proxy")
            .env_remove("ALL_PROXY")
            .env_remove("all_proxy")
            .stdin(Stdio::null())
            .output()
            .unwrap()
    };
    let o = run(&["images", "lock", "--strict"]);
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert_eq!(o.status.code(), Some(0), "{err}");
    let lock = std::fs::read_to_string(dir.join("edgelint.lock")).unwrap();
    assert!(
        lock.contains(&format!("{front_host}/app:1\t{digest}\tlinux/arm64,linux/riscv64\t")),
        "{lock}"
    );
    // The front registry got the password; the mirror and its realm never did.
    let front_seen = front_seen.lock().unwrap().clone();
    assert!(
        front_seen.iter().any(|(_, a)| a.as_deref() == Some(&format!("Basic {secret}") as &str)),
        "{front_seen:?}"
    );
    let mirror_seen = mirror_seen.lock().unwrap().clone();
    assert!(mirror_seen.iter().any(|(r, _)| r.starts_with("GET /token?")), "{mirror_seen:?}");
    assert!(
        mirror_seen.iter().all(|(_, a)| a.is_none() || a.as_deref() == Some("Bearer mirror-token")),
        "{mirror_seen:?}"
    );

    // `images check`: HEAD first; the digest is unchanged, so no drift.
    let o = run(&["images", "check", "--strict", "--format", "concise"]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stdout));
}
