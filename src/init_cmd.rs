//! `edgelint init [--platform P ...] [--force]`: writes a commented `.edgelint.yaml` in the
//! current directory, with the fleet's platforms from `--platform`, asked on a terminal, or the
//! defaults offered (linux/amd64, linux/arm64) without one. Most single-arch findings on real
//! repositories come from the default `linux/arm/v7` target: a team that does not ship 32-bit
//! ARM says so once here.

use crate::values::platform::Platform;
use std::io::{self, BufRead, IsTerminal, Write};
use std::path::Path;

/// The platforms offered when none are given: what most fleets run today.
pub const OFFERED: [&str; 2] = ["linux/amd64", "linux/arm64"];

/// The file written, from `--platform` values or the terminal. Returns the exit code.
pub fn run(platforms: &[String], force: bool) -> i32 {
    let cwd = match std::env::current_dir() {
        Ok(d) => d,
        Err(e) => return fail(&format!("cannot read the current directory: {e}")),
    };
    run_in(&cwd, platforms, force, io::stdin().is_terminal())
}

fn fail(msg: &str) -> i32 {
    let _ = writeln!(io::stderr().lock(), "edgelint: {msg}");
    crate::cli::EXIT_ERROR
}

fn run_in(dir: &Path, platforms: &[String], force: bool, terminal: bool) -> i32 {
    let [name, others @ ..] = crate::config::FILE_NAMES;
    let target = dir.join(name);
    if let Some(other) = others.iter().find(|o| dir.join(o).exists()) {
        return fail(&format!(
            "{other} exists here; a directory holds one configuration file (edit that one)"
        ));
    }
    if target.exists() && !force {
        return fail(&format!(
            "{name} already exists; use `edgelint init --force` to overwrite it"
        ));
    }
    let chosen = if platforms.is_empty() {
        if terminal {
            match ask(&mut io::stdin().lock(), &mut io::stderr()) {
                Ok(p) => p,
                Err(e) => return fail(&e),
            }
        } else {
            let _ = writeln!(
                io::stderr().lock(),
                "edgelint: standard input is not a terminal: using the platforms {} (choose with --platform)",
                OFFERED.join(", ")
            );
            OFFERED.iter().map(|p| Platform::parse(p).expect("a valid default")).collect()
        }
    } else {
        match parse_platforms(platforms.iter().map(String::as_str)) {
            Ok(p) => p,
            Err(e) => return fail(&e),
        }
    };
    let text = template(&chosen);
    if let Err(e) = std::fs::write(&target, text) {
        return fail(&format!("cannot write {name}: {}", crate::source::io_message(&e)));
    }
    let shown: Vec<String> = chosen.iter().map(ToString::to_string).collect();
    let _ = writeln!(
        io::stderr().lock(),
        "edgelint: wrote {name} for {}; every other key is commented out with its default",
        shown.join(", ")
    );
    crate::cli::EXIT_OK
}

/// Platforms from words (`linux/arm64`, `arm64`), validated by the platform parser, each once.
fn parse_platforms<'a>(words: impl Iterator<Item = &'a str>) -> Result<Vec<Platform>, String> {
    let mut out = Vec::new();
    let separator = |c: char| c == ',' || c.is_whitespace();
    for w in words.flat_map(|w| w.split(separator)).filter(|w| !w.is_empty()) {
        let p = Platform::parse(w).map_err(|e| format!("invalid platform `{w}`: {e}"))?;
        if !out.contains(&p) {
            out.push(p);
        }
    }
    if out.is_empty() {
        return Err("give at least one platform".to_string());
    }
    Ok(out)
}

/// Asks on the terminal (`input`; the prompt on `prompt`, standard error); an empty answer
/// takes [`OFFERED`]. Asks again after an invalid answer, three times at most.
fn ask(input: &mut impl BufRead, prompt: &mut impl Write) -> Result<Vec<Platform>, String> {
    for _ in 0..3 {
        let _ = write!(
            prompt,
            "Which platforms does your fleet run (e.g. linux/amd64, linux/arm64, linux/arm/v7)? [{}] ",
            OFFERED.join(", ")
        );
        let _ = prompt.flush();
        let mut line = String::new();
        if input.read_line(&mut line).map_err(|e| e.to_string())? == 0 {
            return Err("no answer (end of input); pass --platform".to_string());
        }
        let answer = if line.trim().is_empty() { OFFERED.join(",") } else { line };
        match parse_platforms(std::iter::once(answer.as_str())) {
            Ok(p) => return Ok(p),
            Err(e) => {
                let _ = writeln!(prompt, "edgelint: {e}");
            }
        }
    }
    Err("no valid platform given; pass --platform".to_string())
}

/// The commented configuration. Explanations are `# text` lines; every key but `platforms` is
/// commented out with its default or an example (`#` directly followed by the key, `#  ` for
/// the lines under it), so uncommenting a key gives a valid file.
pub fn template(platforms: &[Platform]) -> String {
    let list: Vec<String> = platforms.iter().map(ToString::to_string).collect();
    format!(
        r#"# edgelint configuration, written by `edgelint init`. Every key is optional; the ones
# commented out show their default or an example. `edgelint --show-settings FILE` prints what
# applies to a file; `edgelint config --schema` prints the JSON Schema of this file.

# The platforms the fleet runs. Single-arch images, arch-specific commands and pinned platforms
# are checked against them. Default: linux/amd64, linux/arm64, linux/arm/v7 (say here if you do
# not ship 32-bit ARM: most single-arch findings come from linux/arm/v7).
platforms: [{platforms}]

# Another configuration this one builds on (a path relative to this file); its settings apply
# first and this file's replace them.
#extends: ../.edgelint.yaml

# Lowest severity that makes the exit code 1: error, warning, info or none. Default: info.
#failure-threshold: info

# Suppressions (`# edgelint: ignore[rule] -- why`) must give a reason; one without does not
# suppress. Default: false.
#require-reason: false

# Globs of paths not to lint, relative to this file's directory. Default: none.
#exclude:
#  - third_party/**
#  - "*.generated.yaml"

# Per rule: off, info, warning or error, or a mapping with `severity` and the rule's options
# (`edgelint rules` lists the rules; `edgelint explain RULE` their options and defaults).
# Default: every rule on at its own severity.
#rules:
#  missing-cpu-limit: off
#  aggressive-probe-timing:
#    min-timeout-seconds: 1

# Rule settings and `platforms` for the files a glob matches (relative to this file's
# directory); they come after the keys above. Default: none.
#per-path:
#  "examples/**":
#    missing-memory-limit: warning
#  "gateway/**":
#    platforms: [linux/arm/v7]

# Platforms of private images the built-in knowledge base cannot know (`edgelint images lock`
# asks the registries instead). Default: none.
#images:
#  registry.example.com/team/app: [linux/amd64, linux/arm64]

# Registry hosts that count as local (reachable without the uplink). Default: none.
#registries:
#  local: [registry.plant.local:5000]

# The device the workloads run on, for the rules that compare requests with it. Default: unset.
#device:
#  cpu: "4"
#  memory: 4Gi
#  reserved: {{cpu: 500m, memory: 512Mi}}

# A baseline written by `edgelint --write-baseline FILE` (relative to this file): only the
# findings it does not hold are reported. Default: none.
#baseline: edgelint-baseline.json
"#,
        platforms = list.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn platforms(words: &[&str]) -> Vec<Platform> {
        parse_platforms(words.iter().copied()).unwrap()
    }

    #[test]
    fn the_template_loads_and_every_key_is_shown() {
        let text = template(&platforms(&["linux/arm64", "linux/arm/v7"]));
        let layer = crate::config::parse::parse(".edgelint.yaml", &text).unwrap();
        assert_eq!(layer.platforms, Some(platforms(&["linux/arm64,linux/arm/v7"])));
        assert_eq!(layer.failure_threshold, None, "only platforms is set");
        for key in crate::config::schema::TOP {
            let shown = format!("\n#{}:", key.name);
            assert!(
                key.name == "platforms" || text.contains(&shown),
                "{} is not in the template",
                key.name
            );
        }
        // Uncommenting every key (and the lines under it) gives a valid configuration.
        let all: String = text
            .lines()
            // Drop the explanations (`# text`), keep the keys (`#key:`, `#  nested`).
            .filter(|l| (l.starts_with("#  ") || !l.starts_with("# ")) && *l != "#")
            .map(|l| l.strip_prefix('#').unwrap_or(l))
            .collect::<Vec<_>>()
            .join("\n");
        let layer = crate::config::parse::parse(".edgelint.yaml", &all)
            .unwrap_or_else(|e| panic!("{e:?}\n{all}"));
        assert_eq!(layer.failure_threshold, Some(Some(crate::diagnostic::Severity::Info)));
        assert_eq!(layer.require_reason, Some(false));
        assert!(layer.device.is_some() && layer.baseline.is_some() && !layer.per_path.is_empty());
    }

    #[test]
    fn the_question_takes_the_offer_on_enter_and_asks_again_after_a_bad_answer() {
        let answer = |input: &str| {
            let mut prompt = Vec::new();
            let got = ask(&mut input.as_bytes(), &mut prompt);
            (got, String::from_utf8(prompt).unwrap())
        };
        let (got, prompt) = answer("\n");
        assert_eq!(got.unwrap(), platforms(&OFFERED));
        assert!(prompt.ends_with("[linux/amd64, linux/arm64] "), "{prompt}");
        let (got, prompt) = answer("linux\narm64 linux/arm/v7\r\n");
        assert_eq!(got.unwrap(), platforms(&["linux/arm64", "linux/arm/v7"]));
        assert!(prompt.contains("edgelint: invalid platform `linux`"), "{prompt}");
        assert!(answer("").0.unwrap_err().contains("end of input"));
        assert!(answer("x\ny\nz\nlinux/arm64\n").0.unwrap_err().contains("no valid platform"));
    }

    #[test]
    fn platforms_are_validated_and_deduplicated() {
        assert_eq!(platforms(&["linux/amd64, linux/arm64", "linux/amd64"]).len(), 2);
        assert!(parse_platforms(["linux"].into_iter())
            .unwrap_err()
            .contains("add the architecture"));
        assert!(parse_platforms([" \n"].into_iter()).is_err());
        assert_eq!(platforms(&["arm64, linux/arm/v7\r\n"]).len(), 2);
    }
}
