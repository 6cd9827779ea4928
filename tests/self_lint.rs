//! edgelint's own container image: the repository's `Dockerfile` passes edgelint's rules, and is
//! the multi-platform, static, non-root image the README promises.

mod common;

use common::{run, stderr, stdout};

#[test]
fn the_dockerfile_lints_clean() {
    let root = common::root();
    // Every rule, the default platforms and every platform the image is built for.
    for platforms in [&[][..], &["--platform", "linux/amd64,linux/arm64,linux/arm/v7"][..]] {
        let mut args = vec!["--isolated", "--format", "json"];
        args.extend_from_slice(platforms);
        args.push("Dockerfile");
        let o = run(&args, &root);
        let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
        assert_eq!(v["diagnostics"], serde_json::json!([]), "{}", stdout(&o));
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    }
    // It is read as a Dockerfile (a file edgelint skipped would also have no findings): with an
    // amd64-only final base, the same text fails.
    let text = std::fs::read_to_string(root.join("Dockerfile")).unwrap();
    let broken = text.replace("\nFROM scratch\n", "\nFROM centos:6\n");
    assert_ne!(broken, text);
    let args = ["--isolated", "--stdin-filename", "Dockerfile", "-"];
    let o = common::run_stdin(&args, &root, &broken);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stdout(&o).contains("error[single-arch-image] `centos:6`"), "{}", stdout(&o));
    let o = run(&["inspect", "Dockerfile"], &root);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
    assert_eq!(v["kind"], "dockerfile");
    assert_eq!(v["errors"], serde_json::json!([]));
}

#[test]
fn the_image_is_static_minimal_non_root_and_multi_platform() {
    let text = std::fs::read_to_string(common::root().join("Dockerfile")).unwrap();
    let from: Vec<&str> = text.lines().filter(|l| l.starts_with("FROM ")).collect();
    assert_eq!(from.len(), 2, "{from:?}");
    assert!(from[0].starts_with("FROM --platform=$BUILDPLATFORM "), "{}", from[0]);
    assert_eq!(from[1], "FROM scratch");
    let last_stage = text.split("\nFROM scratch\n").nth(1).unwrap();
    let user = last_stage.lines().find_map(|l| l.strip_prefix("USER ")).expect("a USER");
    assert!(!user.starts_with("root") && !user.starts_with('0'), "non-root: {user}");
    for target in [
        "x86_64-unknown-linux-musl",
        "aarch64-unknown-linux-musl",
        "armv7-unknown-linux-musleabihf",
    ] {
        assert!(text.contains(target), "builds {target}");
    }
    assert!(text.contains(
        "docker buildx build --platform linux/amd64,linux/arm64,linux/arm/v7 -t edgelint ."
    ));
    let ignore = std::fs::read_to_string(common::root().join(".dockerignore")).unwrap();
    assert!(ignore.lines().any(|l| l == "target"), "the build context leaves out target/");
}
