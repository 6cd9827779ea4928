//! `heavy-final-stage`: the image a Dockerfile ships is a toolchain image that also compiles,
//! so every device pulls the compiler, the SDK and the build cache with the program
//! (documented in `rules/heavy-final-stage.md`).
//!
//! The shipped image is the final stage, through its chain of `FROM <earlier stage>` bases: the
//! image at the root of that chain is what the devices pull, and the `RUN`s of every stage of
//! the chain are layers of it. A finding needs both: the root image is a toolchain
//! ([`toolchain`]) and a `RUN` of the chain compiles ([`compile_command`]).

use crate::declare_rule;
use crate::rules::{Ctx, Rule, RuleMeta};
use crate::shell::{mask, program_name, simple_commands, unquote, word, Syntax};
use crate::source::Span;
use crate::syntax::dockerfile::{Args, Dockerfile, Instruction};
use crate::values::image_ref::{has_variable, ImageRef};

declare_rule! {
    /// A toolchain image as the final stage, compiling in place.
    HeavyFinalStage {
        name: "heavy-final-stage",
        summary: "the final stage is a toolchain image that compiles in place: devices pull the whole SDK",
        severity: Warning,
        formats: [Dockerfile],
        equivalents: [],
    }
}

impl Rule for HeavyFinalStage {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn dockerfile(&self, file: &Dockerfile, cx: &mut Ctx) {
        let chain = file.final_chain();
        let Some(&last) = chain.first() else { return };
        let Some(root) = chain.last().and_then(|&s| file.stages.get(s)) else { return };
        let Some(resolved) = &root.resolved_image else { return };
        if has_variable(resolved) {
            return;
        }
        let Ok(image) = ImageRef::parse(resolved) else { return };
        let Some(kind) = toolchain(&image) else { return };
        if !ships_a_program(file, &chain) {
            return;
        }
        let shown = match &image.tag {
            Some(tag) => format!("{}:{tag}", image.familiar_name()),
            None => image.familiar_name(),
        };
        // the first compile command, in build order
        let compile = chain.iter().rev().find_map(|&s| {
            let range = file.stages.get(s)?.instructions.clone();
            file.instructions.get(range)?.iter().find_map(|ins| compiles(file, ins))
        });
        let Some((span, command)) = compile else { return };
        let final_from = &file.stages[last];
        let report = cx
            .report(
                final_from.image.span,
                format!(
                    "the final image is based on `{shown}`, {kind}, and compiles in it \
                     (`{command}`): every device pulls the toolchain with the program"
                ),
            )
            .label(span, "compiles here")
            .help(
                "build in a first stage and copy only the artifacts into a small final stage \
                 (`distroless`, `*-slim`, `alpine` or `scratch`): `COPY --from=build /out/app /app`",
            );
        if chain.len() > 1 {
            report.label(root.image.span, "the final stage is built from this image");
        }
    }
}

/// Whether the image the chain builds runs a program of its own: its last `ENTRYPOINT`/`CMD`
/// (in build order) is more than a bare interpreter or shell. An image with neither, or with
/// `CMD ["python3"]` / `ENTRYPOINT ["docker-entrypoint.sh"] CMD ["node"]`, is a base or
/// tool image (the official `python` recipes, code generators) whose purpose is the
/// toolchain; what the devices run is built on it elsewhere.
fn ships_a_program(file: &Dockerfile, chain: &[usize]) -> bool {
    let words_of = |ins: &Instruction| -> Vec<String> {
        match &ins.args {
            Args::Exec(items) => items.iter().map(|i| i.value.clone()).collect(),
            Args::Shell(s) => s.raw.split_whitespace().map(|w| unquote(w).to_string()).collect(),
            _ => Vec::new(),
        }
    };
    let (mut entrypoint, mut cmd) = (None, None);
    for &s in chain.iter().rev() {
        let Some(range) = file.stages.get(s).map(|st| st.instructions.clone()) else { continue };
        for ins in file.instructions.get(range).unwrap_or_default() {
            match ins.keyword.as_str() {
                "ENTRYPOINT" => entrypoint = Some(words_of(ins)),
                "CMD" => cmd = Some(words_of(ins)),
                _ => {}
            }
        }
    }
    if entrypoint.is_none() && cmd.is_none() {
        return false;
    }
    let command: Vec<String> =
        entrypoint.into_iter().flatten().chain(cmd.into_iter().flatten()).collect();
    let program: Vec<&str> = command
        .iter()
        .map(|w| program_name(w))
        .filter(|w| !w.starts_with('-') && !w.contains("entrypoint"))
        .collect();
    const BARE: &[&str] = &[
        "python", "python2", "python3", "node", "bash", "sh", "ash", "zsh", "irb", "ruby", "perl",
        "php", "jshell", "ghci", "iex", "erl", "R", "dotnet", "go", "cargo", "rustc", "gcc", "mvn",
        "gradle",
    ];
    let bare = matches!(program.as_slice(), [only] if BARE.contains(only));
    !command.is_empty() && !bare
}

/// What makes `image` a toolchain image, for the message; `None` when it is not one.
///
/// - official `golang`, `rust`, `gcc`, `maven`, `gradle`, `buildpack-deps` (any tag);
/// - a name or tag with an `sdk`, `devel` or `jdk` word (`dotnet/sdk`, `cuda:12-devel`,
///   `eclipse-temurin:21-jdk`);
/// - official `node`, `python`, `ruby`, `perl`, `php`, `openjdk` with a tag that is neither
///   `slim` nor `alpine` (nor a Windows variant): these default tags are based on
///   `buildpack-deps`.
pub fn toolchain(image: &ImageRef) -> Option<&'static str> {
    let official = image.official_name();
    if let Some(name) = official {
        // `buildpack-deps:*-curl` and `*-scm` hold curl and version control, no compiler
        let tag = image.tag.as_deref().unwrap_or("");
        let no_compiler =
            name == "buildpack-deps" && tag.split('-').any(|w| w == "curl" || w == "scm");
        if ["golang", "rust", "gcc", "maven", "gradle", "buildpack-deps"].contains(&name)
            && !no_compiler
        {
            return Some("a compiler toolchain image");
        }
    }
    let tag = image.tag.as_deref().unwrap_or("latest").to_ascii_lowercase();
    let words = |s: &str| -> Vec<String> {
        s.split(['-', '/', '.', '_', ':']).map(str::to_ascii_lowercase).collect()
    };
    let mut all = words(&image.repository);
    all.extend(words(&tag));
    if all.iter().any(|w| w == "sdk" || w == "devel" || w == "jdk") {
        return Some("an SDK image");
    }
    if let Some(name) = official {
        let full_family = ["node", "python", "ruby", "perl", "php", "openjdk"].contains(&name);
        let small = ["slim", "alpine", "windowsservercore", "nanoserver", "jre"]
            .iter()
            .any(|s| tag.contains(s));
        if full_family && !small {
            return Some("a full image based on `buildpack-deps`");
        }
    }
    None
}

/// The span and text of the first command of a `RUN` that compiles.
fn compiles(file: &Dockerfile, ins: &Instruction) -> Option<(Span, String)> {
    if ins.keyword != "RUN" {
        return None;
    }
    let mut pieces: Vec<(String, usize, Syntax)> = Vec::new();
    match &ins.args {
        Args::Shell(s) => {
            pieces.push((
                s.raw.clone(),
                s.span.start,
                Syntax::DockerfileShell { escape: file.escape },
            ));
        }
        Args::Exec(items) => {
            // `["sh", "-c", "go build"]` is read as the script; otherwise the words themselves
            let words: Vec<&str> = items.iter().map(|i| i.value.as_str()).collect();
            let start = items.first().map_or(ins.span.start, |i| i.span.start);
            if let [shell, "-c", script, ..] = words.as_slice() {
                if program_name(shell).ends_with("sh") {
                    let at = items.get(2).map_or(start, |i| i.span.start);
                    pieces.push(((*script).to_string(), at, Syntax::Shell));
                }
            }
            if pieces.is_empty() {
                // the words are the command: shown at the whole instruction
                return compile_command(&words).map(|c| (ins.span, c));
            }
        }
        _ => {}
    }
    for h in &ins.heredocs {
        pieces.push((h.body.value.clone(), h.body.span.start, Syntax::Shell));
    }
    pieces.iter().find_map(|(text, start, syntax)| {
        let masked = mask(text, *syntax);
        for cmd in simple_commands(&masked) {
            let words: Vec<&str> = cmd.iter().map(|t| word(&masked, t)).collect();
            if let Some(shown) = compile_command(&words) {
                let (first, last) = (cmd.first()?, cmd.last()?);
                let span = Span::new(start + first.start, start + last.end);
                return Some((span, shown));
            }
        }
        None
    })
}

/// Whether a simple command (its words, the command word first) compiles, and how to show it
/// (the program and its subcommand: `go build`, `mvn package`, `gcc`).
///
/// | program | compiles when |
/// |---|---|
/// | `go` | `build`, `install` |
/// | `cargo` | `build`, `install`, `rustc` |
/// | `mvn`, `mvnw` | `package`, `install`, `compile`, `verify`, `deploy` |
/// | `gradle`, `gradlew` | `build`, `assemble`, `jar`, `bootJar`, `shadowJar`, `installDist` |
/// | `npm`, `yarn`, `pnpm` | `run build` (also `yarn build`, `pnpm build`) |
/// | `pip`, `pip3` | `wheel` |
/// | `dotnet` | `build`, `publish` |
/// | `cmake` | `--build` |
/// | `make`, `gcc`, `g++`, `cc`, `c++`, `clang`, `clang++`, `rustc`, `javac` | always |
pub fn compile_command(words: &[&str]) -> Option<String> {
    let program = program_name(words.first()?);
    let args: Vec<&str> = words[1..].iter().map(|w| unquote(w)).collect();
    let first_sub = args.iter().copied().find(|a| !a.starts_with('-'));
    let any = |subs: &[&str]| args.iter().copied().find(|a| subs.contains(a));
    let sub = match program {
        "make" | "gcc" | "g++" | "cc" | "c++" | "clang" | "clang++" | "rustc" | "javac" => {
            return Some(program.to_string());
        }
        "go" => first_sub.filter(|s| ["build", "install"].contains(s)),
        "cargo" => first_sub.filter(|s| ["build", "install", "rustc"].contains(s)),
        "mvn" | "mvnw" => any(&["package", "install", "compile", "verify", "deploy"]),
        "gradle" | "gradlew" => {
            any(&["build", "assemble", "jar", "bootJar", "shadowJar", "installDist"])
        }
        "npm" | "yarn" | "pnpm" => {
            let run = matches!(first_sub, Some("run" | "run-script"));
            let script = if run {
                args.iter().copied().filter(|a| !a.starts_with('-')).nth(1)
            } else if program == "npm" {
                None
            } else {
                first_sub
            };
            return (script == Some("build")).then(|| {
                if run {
                    format!("{program} run build")
                } else {
                    format!("{program} build")
                }
            });
        }
        "pip" | "pip3" => first_sub.filter(|s| *s == "wheel"),
        "dotnet" => first_sub.filter(|s| ["build", "publish"].contains(s)),
        "cmake" => any(&["--build"]),
        _ => None,
    }?;
    Some(format!("{program} {sub}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn is_toolchain(s: &str) -> bool {
        toolchain(&ImageRef::parse(s).unwrap()).is_some()
    }

    #[test]
    fn toolchain_images() {
        for yes in [
            "golang:1.22-alpine",
            "rust",
            "maven:3.9-eclipse-temurin-21",
            "mcr.microsoft.com/dotnet/sdk:8.0",
            "nvidia/cuda:12.2.0-devel-ubuntu22.04",
            "eclipse-temurin:21-jdk",
            "node:20",
            "python:3.12-bookworm",
            "node",
            "openjdk:17",
        ] {
            assert!(is_toolchain(yes), "{yes}");
        }
        for no in [
            "node:20-alpine",
            "python:3.12-slim",
            "eclipse-temurin:21-jre",
            "debian:bookworm",
            "gcr.io/distroless/static",
            "mcr.microsoft.com/dotnet/aspnet:8.0",
            "ghcr.io/acme/golang-tools:1",
            "alpine:3.20",
            "buildpack-deps:stretch-scm",
            "buildpack-deps:bookworm-curl",
            "buildpack-deps:curl",
        ] {
            assert!(!is_toolchain(no), "{no}");
        }
    }

    fn ships(dockerfile: &str) -> bool {
        let file = crate::syntax::dockerfile::parse(dockerfile);
        ships_a_program(&file, &file.final_chain())
    }

    #[test]
    fn programs_of_their_own() {
        assert!(ships("FROM golang\nCMD [\"/app\"]\n"));
        assert!(ships("FROM python:3\nCMD python -m collector\n"));
        assert!(ships("FROM node:20\nENTRYPOINT [\"/entrypoint.sh\"]\n"));
        assert!(ships("FROM golang AS b\nENTRYPOINT [\"/app\"]\nFROM b\n"));
        // no CMD or ENTRYPOINT; a bare interpreter or shell, behind an entrypoint script too
        assert!(!ships("FROM buildpack-deps:bookworm\nRUN make\n"));
        assert!(!ships("FROM buildpack-deps:bookworm\nCMD [\"python3\"]\n"));
        assert!(!ships("FROM x\nENTRYPOINT [\"docker-entrypoint.sh\"]\nCMD [\"node\"]\n"));
        assert!(!ships("FROM x\nCMD /bin/bash\n"));
        assert!(!ships("FROM x\nCMD [\"php\", \"-a\"]\n"));
    }

    #[test]
    fn compile_commands() {
        let c = |s: &str| compile_command(&s.split(' ').collect::<Vec<_>>());
        assert_eq!(c("go build -o /app ."), Some("go build".into()));
        assert_eq!(c("/usr/local/go/bin/go install ./cmd/x"), Some("go install".into()));
        assert_eq!(c("go mod download"), None);
        assert_eq!(c("cargo build --release"), Some("cargo build".into()));
        assert_eq!(c("cargo fetch"), None);
        assert_eq!(c("mvn -B -DskipTests package"), Some("mvn package".into()));
        assert_eq!(c("mvn dependency:go-offline"), None);
        assert_eq!(c("./gradlew --no-daemon bootJar"), Some("gradlew bootJar".into()));
        assert_eq!(c("npm run build"), Some("npm run build".into()));
        assert_eq!(c("npm ci"), None);
        assert_eq!(c("npm run start"), None);
        assert_eq!(c("yarn build"), Some("yarn build".into()));
        assert_eq!(c("pip wheel ."), Some("pip wheel".into()));
        assert_eq!(c("pip install -r requirements.txt"), None);
        assert_eq!(c("make -j4"), Some("make".into()));
        assert_eq!(c("dotnet publish -c Release"), Some("dotnet publish".into()));
    }
}
