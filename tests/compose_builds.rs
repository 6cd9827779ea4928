//! The targets a Dockerfile takes from the files around it, through the real binary: a Compose
//! service's `build:` judges the Dockerfile for the platforms the service builds it for, when
//! both files are in the run (a Dockerfile linted alone keeps the configured targets); a plain
//! `Dockerfile` beside `Dockerfile.<arch>` files is the amd64 one.

mod common;

use std::path::Path;

use common::{repo, run, stdout};

/// An amd64-only download: wrong on any other platform.
const DOCKERFILE: &str =
    "FROM debian:12\nRUN curl -fsSL -o /usr/local/bin/tool https://example.com/tool-linux-amd64\n";

fn lint(dir: &Path, paths: &[&str]) -> std::process::Output {
    let mut args = vec![
        "--isolated",
        "--format",
        "concise",
        "--platform",
        "linux/amd64",
        "--select",
        "arch-specific-command",
    ];
    args.extend_from_slice(paths);
    run(&args, dir)
}

const FINDING: &str = "app/Dockerfile:2:70: warning[arch-specific-command] hard-coded linux/amd64 artifact `tool-linux-amd64` cannot serve linux/arm64\n";

#[test]
fn a_service_platform_judges_the_dockerfile_it_builds() {
    let compose = "services:\n  web:\n    build: ./app\n    platform: linux/arm64\n";
    let dir = repo(
        "compose-builds",
        "platform",
        &[("compose.yaml", compose), ("app/Dockerfile", DOCKERFILE)],
    );
    // The configured target is amd64 only, where the download is right; the service builds the
    // image for arm64.
    let o = lint(&dir, &["."]);
    assert_eq!(stdout(&o), FINDING);
    assert_eq!(o.status.code(), Some(1));
    let o = lint(&dir, &["compose.yaml", "app/Dockerfile"]);
    assert_eq!(stdout(&o), FINDING);
    // The Dockerfile alone: the configured amd64 target only.
    let o = lint(&dir, &["app/Dockerfile"]);
    assert_eq!(stdout(&o), "");
    assert_eq!(o.status.code(), Some(0));
}

#[test]
fn the_compose_files_platforms_flow_into_its_builds() {
    let compose = "x-edgelint:\n  platforms: [linux/arm64]\nservices:\n  web:\n    build:\n      context: app\n";
    let dir = repo(
        "compose-builds",
        "file",
        &[("compose.yaml", compose), ("app/Dockerfile", DOCKERFILE)],
    );
    assert_eq!(stdout(&lint(&dir, &["."])), FINDING);
}

#[test]
fn a_service_built_for_the_configured_target_changes_nothing() {
    let compose = "services:\n  web:\n    build: ./app\n    platform: linux/amd64\n";
    let dir = repo(
        "compose-builds",
        "same",
        &[("compose.yaml", compose), ("app/Dockerfile", DOCKERFILE)],
    );
    assert_eq!(stdout(&lint(&dir, &["."])), "");
}

#[test]
fn a_multi_platform_build_judges_the_dockerfile_for_every_platform_it_lists() {
    let compose = "services:\n  web:\n    build:\n      context: ./app\n      platforms: [linux/amd64, linux/arm64]\n    platform: linux/amd64\n";
    let dir = repo(
        "compose-builds",
        "multi",
        &[("compose.yaml", compose), ("app/Dockerfile", DOCKERFILE)],
    );
    assert_eq!(stdout(&lint(&dir, &["."])), FINDING);
}

#[test]
fn a_plain_dockerfile_beside_per_architecture_ones_is_the_amd64_one() {
    let amd64_only = "FROM debian:12\nRUN curl -fsSL -o /usr/local/bin/tool https://example.com/tool-linux-amd64\n";
    let arm64_only = "FROM debian:12\nRUN curl -fsSL -o /usr/local/bin/tool https://example.com/tool-linux-arm64\n";
    let dir = repo(
        "compose-builds",
        "siblings",
        &[
            ("app/Dockerfile", amd64_only),
            ("app/Dockerfile.aarch64", arm64_only),
            ("solo/Dockerfile", amd64_only),
        ],
    );
    let o =
        run(&["--isolated", "--format", "concise", "--select", "arch-specific-command", "."], &dir);
    // `app/` keeps one file per architecture; `solo/` has one Dockerfile for every target.
    assert_eq!(
        stdout(&o),
        "solo/Dockerfile:2:70: warning[arch-specific-command] hard-coded linux/amd64 artifact `tool-linux-amd64` cannot serve linux/arm64, linux/arm/v7\n"
    );
    // Named alone, the plain file still sees its sibling on disk.
    let o = run(
        &[
            "--isolated",
            "--format",
            "concise",
            "--select",
            "arch-specific-command",
            "app/Dockerfile",
        ],
        &dir,
    );
    assert_eq!(stdout(&o), "");
}
