use super::*;

fn shell(text: &str) -> Vec<Hit> {
    scan(&[Piece { text, syntax: Syntax::Shell }], Role::Build)
}

fn texts(hits: &[Hit]) -> Vec<&str> {
    hits.iter().map(|h| h.text.as_str()).collect()
}

#[test]
fn artifact_tokens_are_bounded() {
    let hits = shell("wget https://go.dev/dl/go1.23.1.linux-amd64.tar.gz");
    assert_eq!(texts(&hits), ["amd64"]);
    assert_eq!(
        hits[0].hazard,
        Hazard::Artifact { artifact: "go1.23.1.linux-amd64.tar.gz".into(), via: None }
    );
    assert!(shell("curl https://x/base64-tool.tar.gz https://x/x64dbg.zip").is_empty());
    assert!(shell("wget https://x/tool-v1.2.386.tar.gz").is_empty());
    assert!(shell("echo sha256:4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e")
        .is_empty());
    assert_eq!(texts(&shell("curl -O https://x/protoc-3.15.8-linux-x86_64.zip")), ["x86_64"]);
    assert_eq!(texts(&shell("dpkg -i foo_1.0_arm64.deb")), ["arm64"]);
    // A path that is neither a URL nor an artifact.
    assert!(shell("mv linux-amd64/helm /usr/local/bin/").is_empty());
}

#[test]
fn urls_outside_the_artifact_path() {
    // An apt index is read for a version number.
    assert!(shell(
        "curl -s https://repo.example.org/ubuntu/dists/x/main/binary-amd64/Packages | grep Version"
    )
    .is_empty());
    // Hosts, GitHub owners and repository names, and Git repositories are not artifacts.
    assert!(shell("curl -fsSLO https://arm64.example.com/tool.tar.gz").is_empty());
    assert!(
        shell("wget https://github.com/aarch64-laptops/x86_64-tools/archive/v1.tar.gz").is_empty()
    );
    assert!(shell("git clone https://gitlab.com/x/arm64-kernel.git").is_empty());
    assert_eq!(
        texts(&shell("wget https://github.com/o/r/releases/download/v1/r_linux_arm64.tar.gz")),
        ["arm64"]
    );
    // A package for all architectures, but from one architecture's repository.
    assert_eq!(
        texts(&shell("wget https://developer.download.nvidia.com/compute/cuda/repos/ubuntu2204/x86_64/cuda-keyring_1.1-1_all.deb")),
        ["x86_64"]
    );
}

#[test]
fn one_artifact_hit_per_architecture() {
    let hits = shell("wget https://x/a_linux_amd64.tar.gz.asc && wget https://x/a_linux_amd64.tar.gz && tar xf a_linux_amd64.tar.gz");
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].start, 23);
    assert_eq!(
        hits[0].hazard,
        Hazard::Artifact { artifact: "a_linux_amd64.tar.gz".into(), via: None }
    );
}

#[test]
fn derivation_anywhere_silences_artifacts() {
    for text in [
        "arch=\"$(dpkg --print-architecture)\"; case \"$arch\" in amd64) u=https://x/go.linux-amd64.tar.gz ;; *) exit 1 ;; esac",
        "curl -fsSLO https://x/tool-${TARGETARCH}.tgz https://x/other-amd64.tgz",
        "case \"$(apk --print-arch)\" in x86_64) u=https://x/n-x64.tar.xz ;; esac",
    ] {
        assert!(shell(text).is_empty(), "{text}");
    }
}

#[test]
fn arch_keyed_branches_silence() {
    assert!(shell(
        "if [ \"${BUILD_ARCH}\" = \"aarch64\" ]; then curl -o x.deb https://x/d_arm64.deb; fi"
    )
    .is_empty());
    assert!(shell("case \"$ARCH\" in amd64) wget https://x/t-amd64.zip ;; arm64) wget https://x/t-arm64.zip ;; esac").is_empty());
    assert!(shell(
        "[ \"$ARCH\" = arm64 ] && curl -LO https://x/y_arm64.deb && dpkg -i y_arm64.deb"
    )
    .is_empty());
    // After the guarded list ends, tokens count again.
    assert_eq!(
        texts(&shell("[ \"$ARCH\" = arm64 ] && echo hi; wget https://x/t-amd64.zip")),
        ["amd64"]
    );
}

#[test]
fn only_architecture_conditions_make_a_branch() {
    // The condition names the artifact, not the architecture.
    assert_eq!(
        texts(&shell(
            "if [ ! -f tool-linux-amd64.tar.gz ]; then wget https://x/tool-linux-amd64.tar.gz; fi"
        )),
        ["amd64"]
    );
    assert_eq!(texts(&shell("[ -n \"$ARCHIVE\" ] && wget https://x/t-amd64.zip")), ["amd64"]);
    assert!(shell("[ -n \"$QEMU_ARCH\" ] && wget https://x/t-amd64.zip").is_empty());
    assert!(arch_var_name("dpkgArch") && arch_var_name("BUILD_ARCH") && arch_var_name("arch"));
    assert!(!arch_var_name("SEARCH") && !arch_var_name("ARCHIVE_DIR"));
}

#[test]
fn comments_are_not_commands() {
    let raw = "set -eux; \\\n# https://x/tool-linux-amd64.tar.gz\n    echo hi";
    let hits =
        scan(&[Piece { text: raw, syntax: Syntax::DockerfileShell { escape: '\\' } }], Role::Build);
    assert!(hits.is_empty());
    assert!(shell("echo hi # https://x/t-amd64.tgz").is_empty());
    // `#` inside a word or quotes is not a comment.
    assert_eq!(texts(&shell("wget 'https://x/t-amd64.tgz#frag'")), ["amd64"]);
}

#[test]
fn library_paths_and_flags() {
    assert_eq!(
        texts(&shell("export LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu:$X")),
        ["/usr/lib/x86_64-linux-gnu"]
    );
    assert_eq!(
        texts(&shell("ln -s /lib64/ld-linux-x86-64.so.2 /lib/ld")),
        ["/lib64/ld-linux-x86-64.so.2"]
    );
    let hits = scan_env(&[("JAVA_HOME", "/usr/lib/jvm/java-17-openjdk-amd64")], &Known::default());
    assert_eq!(texts(&hits), ["/usr/lib/jvm/java-17-openjdk-amd64"]);
    assert!(scan_env(&[("JAVA_HOME", "/usr/lib/jvm/default-java")], &Known::default()).is_empty());
    assert_eq!(
        texts(&shell("gcc -O2 -march=native -mavx2 -mno-avx512f x.c")),
        ["-march=native", "-mavx2"]
    );
    assert_eq!(
        texts(&shell("RUSTFLAGS='-C target-cpu=native' cargo build")),
        ["target-cpu=native"]
    );
    assert!(shell("gcc -march=armv8-a x.c; echo x-mavx2").is_empty());
}

#[test]
fn native_is_not_silenced_by_derivation() {
    let hits = shell("case $(uname -m) in x86_64) CFLAGS=-march=native ;; esac");
    assert_eq!(texts(&hits), ["-march=native"]);
}

#[test]
fn goarch_literals() {
    let hits = shell("CGO_ENABLED=1 GOOS=linux GOARCH=amd64 go build ./...");
    assert_eq!(texts(&hits), ["GOARCH=amd64"]);
    assert_eq!(hits[0].hazard, Hazard::Goarch { cgo_native: true });
    let hits = shell("CGO_ENABLED=1 CC=aarch64-linux-gnu-gcc GOARCH=arm64 go build");
    assert_eq!(hits[0].hazard, Hazard::Goarch { cgo_native: false });
    assert!(shell("GOARCH=$TARGETARCH go build").is_empty());
    assert!(shell("GOARCH=amd64 go build -o a; GOARCH=arm64 go build -o b").is_empty());
    assert!(shell("GOOS=darwin GOARCH=arm64 go build").is_empty());
    let hits = shell("GOARCH=arm GOARM=6 go build");
    assert_eq!(hits[0].arch.as_ref().map(ToString::to_string).as_deref(), Some("linux/arm/v6"));
}

#[test]
fn multiarch_apt() {
    assert_eq!(
        texts(&shell(
            "dpkg --add-architecture i386 && apt-get update && apt-get install -y libc6:i386 wine"
        )),
        ["i386", "libc6:i386"]
    );
    assert!(shell("dpkg --add-architecture armhf").is_empty());
    assert!(shell("docker pull foo:amd64").is_empty());
}

#[test]
fn gates() {
    let hit = |t: &str| shell(t).into_iter().find(|h| matches!(h.hazard, Hazard::Gate { .. }));
    let g = hit("[ \"$(uname -m)\" = \"x86_64\" ] || exit 1").expect("gate");
    assert_eq!(g.text, "x86_64");
    assert_eq!(g.hazard, Hazard::Gate { subject: "uname -m".into() });
    assert!(hit("[ \"$(uname -m)\" != x86_64 ] && { echo 'x86 only' >&2; exit 1; }").is_some());
    assert!(hit("if [ \"$(uname -m)\" != \"x86_64\" ]; then echo no; exit 1; fi").is_some());
    assert!(hit("a=$(dpkg --print-architecture); test \"$a\" = amd64 || exit").is_some());
    assert!(hit("uname -m | grep -q x86_64 || exit 1").is_some());
    let g = hit("[ \"$TARGETARCH\" = amd64 ] || false").expect("gate");
    assert_eq!(g.hazard, Hazard::Gate { subject: "$TARGETARCH".into() });
    // Skipping a step is not a gate; neither is a branch.
    assert!(hit("[ \"$(uname -m)\" = x86_64 ] || exit 0").is_none());
    assert!(hit("[ \"$(uname -m)\" = x86_64 ] && exit 1").is_none());
    assert!(hit("if [ \"$(uname -m)\" = aarch64 ]; then apt-get install -y gold; fi").is_none());
    assert!(hit("[ \"$x\" = x86_64 ] || exit 1").is_none());
    // A detection chain with a failing default is not a gate (it may be incomplete:
    // that is `arch-detection-incomplete`).
    assert!(hit("A=\"$(apk --print-arch)\"; if [ $A = x86_64 ]; then A=amd64; elif [ $A = aarch64 ]; then A=arm64; else exit 1; fi").is_none());
    assert!(
        hit("if [ \"$(uname -m)\" = x86_64 ]; then echo ok; else echo no; exit 1; fi").is_some()
    );
}

#[test]
fn emulators_only_in_commands() {
    let piece = [Piece { text: "qemu-x86_64 ./app", syntax: Syntax::Shell }];
    assert_eq!(texts(&scan(&piece, Role::Command)), ["qemu-x86_64"]);
    assert!(scan(&piece, Role::Build).is_empty());
    let piece = [Piece { text: "/usr/bin/qemu-img resize x", syntax: Syntax::Shell }];
    assert!(scan(&piece, Role::Command).is_empty());
}

#[test]
fn program_names() {
    let pieces = [
        Piece { text: "/usr/local/bin/tool-linux-amd64", syntax: Syntax::Plain },
        Piece { text: "serve", syntax: Syntax::Plain },
    ];
    let hits = scan(&pieces, Role::Command);
    assert_eq!(hits[0].hazard, Hazard::Executable { program: "tool-linux-amd64".into() });
    // Only the first word is the program.
    let pieces = [Piece { text: "run --arch-file=x-amd64", syntax: Syntax::Shell }];
    assert!(scan(&pieces, Role::Command).is_empty());
}

#[test]
fn env_goarch() {
    let hits = scan_env(&[("CGO_ENABLED", "1"), ("GOARCH", "amd64")], &Known::default());
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].piece, 1);
    assert_eq!(hits[0].hazard, Hazard::Goarch { cgo_native: true });
    assert!(scan_env(&[("GOARCH", "${TARGETARCH}")], &Known::default()).is_empty());
    let hits = scan_env(&[("LD_LIBRARY_PATH", "/usr/lib/x86_64-linux-gnu")], &Known::default());
    assert_eq!(hits[0].hazard, Hazard::LibraryPath);
}

#[test]
fn continuation_masking_keeps_offsets() {
    let raw = "set -eux; \\\n    apt-get update; \\\n    wget https://x/t-linux-amd64.tgz";
    let hits =
        scan(&[Piece { text: raw, syntax: Syntax::DockerfileShell { escape: '\\' } }], Role::Build);
    assert_eq!(hits.len(), 1);
    assert_eq!(&raw[hits[0].start..hits[0].end], "amd64");
}

#[test]
fn full_system_and_static_emulators_are_not_findings() {
    for text in ["qemu-system-x86_64 -m 2G disk.img", "/usr/bin/qemu-aarch64-static /bin/sh"] {
        let piece = [Piece { text, syntax: Syntax::Shell }];
        assert!(scan(&piece, Role::Command).is_empty(), "{text}");
    }
    // The architecture after `qemu-` is the guest's, not the host's.
    assert!(shell("curl -LO https://x/releases/download/v7/qemu-aarch64-static.tar.gz").is_empty());
    // …but the host's in the same name still counts.
    assert_eq!(texts(&shell("wget https://x/v7/x86_64_qemu-aarch64-static.tar.gz")), ["x86_64"]);
    // A VM's disk image is the guest's when the image runs a full-system emulator.
    let known = Known { system_emulator: true, ..Known::default() };
    let piece =
        [Piece { text: "wget https://x/focal-server-cloudimg-amd64.img", syntax: Syntax::Shell }];
    assert!(scan_with(&piece, Role::Build, &known).is_empty());
    assert_eq!(texts(&scan(&piece, Role::Build)), ["amd64"]);
}

#[test]
fn bare_x86_only_in_file_names() {
    assert_eq!(texts(&shell("wget https://x/dl/sdk-linux-x86.tar.gz")), ["x86"]);
    assert_eq!(
        shell("wget https://x/dl/sdk-linux-x86.tar.gz")[0].arch,
        Platform::from_arch_name("386")
    );
    assert_eq!(texts(&shell("tar xf sdk_x86.zip")), ["x86"]);
    assert!(shell("wget https://x/x86/docs.tar.gz https://x/x86info-1.3.tar.gz").is_empty());
    // `x86_64` is one token, not `x86` plus `64`.
    assert_eq!(texts(&shell("wget https://x/t-x86_64.tgz")), ["x86_64"]);
}

#[test]
fn constant_architecture_variables() {
    let with = |vars: &[(&str, &str)], text: &str| {
        let known = Known {
            arch_vars: vars
                .iter()
                .filter_map(|(n, v)| Some((n.to_string(), constant_arch(n, v)?)))
                .collect(),
            ..Known::default()
        };
        scan_with(&[Piece { text, syntax: Syntax::Shell }], Role::Build, &known)
    };
    let hits = with(&[("XC_ARCH", "\"amd64\"")], "curl -O https://x/c_1.0_linux_${XC_ARCH}.zip");
    assert_eq!(texts(&hits), ["${XC_ARCH}"]);
    assert_eq!(
        hits[0].hazard,
        Hazard::Artifact {
            artifact: "c_1.0_linux_${XC_ARCH}.zip".into(),
            via: Some("XC_ARCH".into())
        }
    );
    assert_eq!(texts(&with(&[], "ARCH=x86_64 && wget https://x/t-$ARCH.tgz")), ["$ARCH"]);
    assert_eq!(texts(&with(&[], "export A=aarch64; tar xf t-${A}.tar.gz")), ["${A}"]);
    // Not expanded in a URL or artifact name.
    assert!(with(&[("OS_ARCH", "amd64")], "echo $OS_ARCH; install_packages curl").is_empty());
    // Derived, assigned two values, reassigned, or another expansion form.
    assert!(with(&[("ARCH", "amd64")], "ARCH=$(uname -m); wget https://x/t-$ARCH.tgz").is_empty());
    assert!(with(&[], "A=amd64; [ -n \"$X\" ] && A=arm64; wget https://x/t-$A.tgz").is_empty());
    assert!(with(&[("ARCH", "amd64")], "ARCH=$OTHER; wget https://x/t-$ARCH.tgz").is_empty());
    assert!(with(&[("ARCH", "amd64")], "wget https://x/t-${ARCH:-x}.tgz").is_empty());
    // Short, ambiguous values only in a variable named for an architecture.
    assert!(constant_arch("MODE", "arm").is_none());
    assert_eq!(constant_arch("QEMU_ARCH", "arm"), Platform::from_arch_name("arm"));
    assert!(constant_arch("ARCH", "${TARGETARCH:-amd64}").is_none());
}

#[test]
fn copied_and_moved_files_named_for_an_architecture() {
    let copy = |text: &str| scan(&[Piece { text, syntax: Syntax::Plain }], Role::Copy);
    assert_eq!(texts(&copy("/out/tool-linux-amd64")), ["amd64"]);
    assert_eq!(texts(&copy("dist/lib-aarch64.so")), ["aarch64"]);
    assert!(copy("toolchains/debian-armv7.cmake").is_empty());
    assert!(copy("/out/linux-amd64/tool").is_empty());
    assert_eq!(texts(&shell("mv /tmp/t-linux-arm64 /usr/bin/t && chmod +x /usr/bin/t")), ["arm64"]);
    assert_eq!(texts(&shell("install -m 0755 t_linux_amd64 /usr/local/bin/t")), ["amd64"]);
    // The destination is not a source; a directory is not the file.
    assert!(shell("cp /tmp/t /opt/t-amd64").is_empty());
    assert!(shell("mv linux-amd64/helm /usr/local/bin/").is_empty());
}

#[test]
fn apt_sources_limited_to_architectures() {
    let hits = shell("echo \"deb [arch=amd64 signed-by=/k.gpg] https://r/debian bookworm main\" > /etc/apt/sources.list.d/r.list");
    assert_eq!(texts(&hits), ["amd64"]);
    let hits =
        shell("echo 'deb [signed-by=/k.gpg arch=amd64,arm64] https://r/debian bookworm main'");
    assert_eq!(
        hits[0].hazard,
        Hazard::AptSource {
            arches: ["amd64", "arm64"].iter().filter_map(|a| Platform::from_arch_name(a)).collect()
        }
    );
    assert!(shell(
        "echo \"deb [arch=$(dpkg --print-architecture)] https://r/debian bookworm main\""
    )
    .is_empty());
    assert!(shell("echo 'deb [trusted=yes] https://r/debian bookworm main'").is_empty());
}

#[test]
fn one_hit_per_cause_with_related_places() {
    let hits = shell(
        "wget https://x/t_linux_amd64.tgz && tar xf t_linux_amd64.tgz && rm t_linux_amd64.tgz",
    );
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].related.len(), 2);
    // `wget https://x/t_linux_` is 23 bytes, `amd64.tgz && tar xf t_linux_` 28 more.
    assert_eq!(hits[0].related[0], (0, 51, 56));
}

#[test]
fn one_multiarch_directory_is_one_cause() {
    let hits = shell("ln -s /usr/lib/x86_64-linux-gnu/a.so /lib/x86_64-linux-gnu/a.so && cp b /usr/local/lib/x86_64-linux-gnu/");
    assert_eq!(texts(&hits), ["/usr/lib/x86_64-linux-gnu"]);
    assert_eq!(hits[0].related.len(), 2);
    // A JDK home is another cause.
    let hits = shell("cp -r /usr/lib/x86_64-linux-gnu/x /usr/lib/jvm/java-17-openjdk-amd64/lib/");
    assert_eq!(hits.len(), 2);
}

// The hand-written scans that replaced regexes (to keep them off the start-up of every run)
// answer exactly as those regexes do: on hand-picked texts and on many texts made of the
// fragments that matter to each.

/// Words of the commands that print the architecture, and what surrounds them, for generated
/// texts.
pub(crate) const ARCH_COMMAND_WORDS: &[&str] = &[
    "$(",
    "`",
    " ",
    "uname",
    "-m",
    "--machine",
    "arch",
    ")",
    "dpkg",
    "--print-architecture",
    "apk",
    "--print-arch",
    "x",
];

/// `count` texts of 1 to 8 `pieces` each, deterministic (a fixed-seed generator).
pub(crate) fn samples(pieces: &[&str], count: usize) -> Vec<String> {
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move |n: usize| {
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        usize::try_from(seed >> 33).unwrap() % n
    };
    let mut out: Vec<String> = pieces.iter().map(|p| (*p).to_string()).collect();
    for _ in 0..count {
        let n = 1 + next(8);
        out.push((0..n).map(|_| pieces[next(pieces.len())]).collect());
    }
    out
}

#[test]
fn arch_tokens_match_the_regex_they_replace() {
    let re = Regex::new(
        r"(?i)amd64|x86[-_]64|x64|linux64|i[3-6]86|win64|aarch64|arm64|armv[5-8]l?|armhf|armel|arm32",
    )
    .unwrap();
    let pieces = [
        "amd64", "AMD", "64", "x86", "-", "_", "X86_64", "x6", "4", "linux", "i3", "86", "i7",
        "win", "aarch", "ARM", "arm", "v", "5", "8", "l", "L", "hf", "el", "32", "é", "/", ".",
        "=", "ı", "K", "armv9", " ",
    ];
    for text in samples(&pieces, 20_000) {
        let expected: Vec<(usize, usize)> =
            re.find_iter(&text).map(|m| (m.start(), m.end())).collect();
        assert_eq!(arch_token_matches(&text), expected, "{text:?}");
    }
}

#[test]
fn var_refs_match_the_regex_they_replace() {
    let re = Regex::new(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)").unwrap();
    let pieces = ["$", "{", "}", "A", "a_1", "_", "9", "$$", "${", "-", "é", " ", "x"];
    for text in samples(&pieces, 20_000) {
        let expected: Vec<(usize, usize, &str)> = re
            .captures_iter(&text)
            .map(|c| {
                let name = c.get(1).unwrap();
                (c.get(0).unwrap().start(), name.end(), name.as_str())
            })
            .collect();
        assert_eq!(var_refs(&text), expected, "{text:?}");
    }
}

#[test]
fn case_pattern_words_match_the_regex_they_replace() {
    let re = Regex::new(r#"(?:^|[\s(|;])['"]?\*?([A-Za-z0-9_-]+)\*?['"]?\s*[|)]"#).unwrap();
    let pieces = [
        "amd64", "x86_64", "|", ")", "(", ";", " ", "\t", "\u{a0}", "\u{3000}", "*", "'", "\"",
        "arm-v7", "_", "é", "in", "\n", ";;", "esac", "a",
    ];
    for text in samples(&pieces, 20_000) {
        let expected: Vec<&str> =
            re.captures_iter(&text).map(|c| c.get(1).unwrap().as_str()).collect();
        assert_eq!(case_pattern_words(&text), expected, "{text:?}");
    }
}

#[test]
fn literal_assignments_match_the_regexes_they_replace() {
    let goarch = Regex::new(r#"(?:^|[^A-Za-z0-9_])(GOARCH=["']?([A-Za-z0-9_]+))"#).unwrap();
    let goarm = Regex::new(r#"(?:^|[^A-Za-z0-9_])GOARM=["']?([5-7])"#).unwrap();
    let pieces = [
        "GOARCH",
        "GOARM",
        "=",
        "\"",
        "'",
        "arm",
        "64",
        "7",
        "5",
        "9",
        "x",
        "_",
        " ",
        "$X",
        "é",
        "-",
        "GOARCHGOARCH=",
    ];
    for text in samples(&pieces, 20_000) {
        let expected: Vec<(usize, usize, &str)> = goarch
            .captures_iter(&text)
            .map(|c| {
                let (all, value) = (c.get(1).unwrap(), c.get(2).unwrap());
                (all.start(), all.end(), value.as_str())
            })
            .collect();
        assert_eq!(literal_assignments(&text, "GOARCH"), expected, "{text:?}");
        let expected = goarm.captures(&text).map(|c| c.get(1).unwrap().as_str());
        let actual = literal_assignments(&text, "GOARM")
            .into_iter()
            .find_map(|(_, _, v)| v.get(..1).filter(|d| matches!(*d, "5" | "6" | "7")));
        assert_eq!(actual, expected, "{text:?}");
    }
}

#[test]
fn pre_filters_never_hide_a_match() {
    let more = [
        "$",
        "{",
        "(",
        "\u{a0}",
        "=",
        "==",
        "!=",
        "TARGETARCH",
        "BUILDPLATFORM",
        "HOSTTYPE",
        "dpkg-architecture",
        "go env GOARCH",
        "\"",
        "'",
    ];
    let pieces = [&more[..], ARCH_COMMAND_WORDS].concat();
    for text in samples(&pieces, 20_000) {
        if DERIVE.is_match(&text) || DERIVED_VAR.is_match(&text) {
            assert!(may_derive(&text), "{text:?}");
        }
        if COMPARISON.is_match(&text) {
            assert!(may_compare(&text), "{text:?}");
        }
    }
}

#[test]
fn name_tokens_match_the_regex_they_replace() {
    let re = Regex::new(concat!(
        r"(?i)(?:^|[-_.])(x86[-_]64|amd64|x64|aarch64|arm64v8|arm64|arm32v[5-7]|armv[5-8]l?|armhf|armel|arm32|arm|i[3-6]86|x86",
        r"|ppc64le|ppc64el|s390x|riscv64)",
        r"(?:$|[-_.])"
    ))
    .unwrap();
    let reference = |name: &str| -> Option<Platform> {
        let mut found: Option<Platform> = None;
        let mut at = 0;
        while let Some(c) = re.captures_at(name, at) {
            let m = c.get(1).unwrap();
            let token = m.as_str().to_ascii_lowercase();
            let token = if token == "x86" { "amd64" } else { token.as_str() };
            let p = Platform::from_arch_name(token)?;
            if found.as_ref().is_some_and(|f| *f != p) {
                return None;
            }
            found = Some(p);
            at = m.end();
        }
        found
    };
    let pieces = [
        "Dockerfile",
        ".",
        "-",
        "_",
        "x86",
        "64",
        "amd64",
        "ARM",
        "arm",
        "64v8",
        "32v7",
        "v",
        "6",
        "l",
        "hf",
        "el",
        "i686",
        "ppc64le",
        "s390x",
        "ſ390x",
        "riscv64",
        "build",
        "é",
        "x",
    ];
    for name in samples(&pieces, 20_000) {
        assert_eq!(name_arch(&name), reference(&name), "{name:?}");
    }
}
