//! The dependency policy of `deny.toml`, checked over `cargo metadata` without cargo-deny:
//! every crate that ships (normal and build dependencies, all platforms) has a licence the
//! policy allows, and none of the banned networking crates is among them. `cargo deny check
//! licenses bans` applies the same file when it is installed.

// Helpers outside #[test] functions unwrap too: a failure there is a test failure.
#![allow(clippy::unwrap_used)]

mod common;

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// The quoted strings of `allow = [ … ]` and the `crate = "…"` names of deny.toml.
fn policy() -> (BTreeSet<String>, BTreeSet<String>) {
    let text = std::fs::read_to_string(common::root().join("deny.toml")).expect("deny.toml");
    let mut allow = BTreeSet::new();
    let mut deny = BTreeSet::new();
    let mut section = String::new();
    let mut in_allow = false;
    for line in text.lines() {
        let line = line.split('#').next().unwrap_or("").trim();
        if line.starts_with('[') && !line.starts_with("[[") && line.ends_with(']') {
            section = line.to_string();
            continue;
        }
        if section == "[licenses]" && line.starts_with("allow") {
            in_allow = true;
        }
        if in_allow {
            allow.extend(quoted(line));
            if line.ends_with(']') {
                in_allow = false;
            }
        }
        if section == "[bans]" {
            if let Some(rest) = line.split("crate = ").nth(1) {
                deny.extend(quoted(rest).into_iter().take(1));
            }
        }
    }
    (allow, deny)
}

fn quoted(s: &str) -> Vec<String> {
    s.split('"').skip(1).step_by(2).map(str::to_string).collect()
}

/// Whether an SPDX expression is satisfied by the allowed licences: `OR` needs one side,
/// `AND` both, `A WITH E` the whole `A WITH E` allowed (or `A` alone, an exception only adds
/// permissions). The legacy `A/B` means `A OR B`. A malformed expression is not satisfied.
fn satisfied(expr: &str, allow: &BTreeSet<String>) -> bool {
    let spaced = expr.replace('(', " ( ").replace(')', " ) ").replace('/', " OR ");
    let tokens: Vec<&str> = spaced.split_whitespace().collect();
    let mut pos = 0;
    let ok = or_expr(&tokens, &mut pos, allow);
    ok == Some(true) && pos == tokens.len()
}

fn or_expr(t: &[&str], pos: &mut usize, allow: &BTreeSet<String>) -> Option<bool> {
    let mut ok = and_expr(t, pos, allow)?;
    while t.get(*pos) == Some(&"OR") {
        *pos += 1;
        ok |= and_expr(t, pos, allow)?;
    }
    Some(ok)
}

fn and_expr(t: &[&str], pos: &mut usize, allow: &BTreeSet<String>) -> Option<bool> {
    let mut ok = atom(t, pos, allow)?;
    while t.get(*pos) == Some(&"AND") {
        *pos += 1;
        ok &= atom(t, pos, allow)?;
    }
    Some(ok)
}

fn atom(t: &[&str], pos: &mut usize, allow: &BTreeSet<String>) -> Option<bool> {
    let token = *t.get(*pos)?;
    *pos += 1;
    match token {
        "(" => {
            let ok = or_expr(t, pos, allow)?;
            (t.get(*pos) == Some(&")")).then(|| *pos += 1)?;
            Some(ok)
        }
        ")" | "OR" | "AND" | "WITH" => None,
        id => {
            let id = id.trim_end_matches('+');
            if t.get(*pos) == Some(&"WITH") {
                let exception = t.get(*pos + 1)?;
                *pos += 2;
                Some(allow.contains(&format!("{id} WITH {exception}")) || allow.contains(id))
            } else {
                Some(allow.contains(id))
            }
        }
    }
}

/// name@version → licence expression, for every package that ships.
fn shipped_packages() -> BTreeMap<String, Option<String>> {
    let cargo = option_env!("CARGO").unwrap_or("cargo");
    let output = std::process::Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--locked", "--manifest-path"])
        .arg(common::root().join("Cargo.toml"))
        .output()
        .expect("run cargo metadata");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let meta: Value = serde_json::from_slice(&output.stdout).expect("metadata JSON");
    let packages: BTreeMap<&str, &Value> = meta["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["id"].as_str().unwrap(), p))
        .collect();
    let nodes: BTreeMap<&str, &Value> = meta["resolve"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| (n["id"].as_str().unwrap(), n))
        .collect();
    let root = meta["resolve"]["root"].as_str().unwrap();
    let mut seen = BTreeSet::new();
    let mut stack = vec![root];
    while let Some(id) = stack.pop() {
        if !seen.insert(id) {
            continue;
        }
        for dep in nodes[id]["deps"].as_array().unwrap() {
            let kinds = dep["dep_kinds"].as_array().unwrap();
            if kinds.iter().all(|k| k["kind"] == "dev") {
                continue;
            }
            stack.push(dep["pkg"].as_str().unwrap());
        }
    }
    seen.iter()
        .map(|id| {
            let p = packages[id];
            let name =
                format!("{}@{}", p["name"].as_str().unwrap(), p["version"].as_str().unwrap());
            (name, p["license"].as_str().map(str::to_string))
        })
        .collect()
}

#[test]
fn licences_and_bans() {
    let (allow, deny) = policy();
    assert!(allow.contains("MIT") && allow.contains("Apache-2.0"), "{allow:?}");
    assert!(deny.contains("reqwest") && deny.contains("tokio"), "{deny:?}");
    let packages = shipped_packages();
    assert!(packages.len() > 20, "{packages:?}");
    let mut problems = Vec::new();
    for (name, licence) in &packages {
        match licence {
            None => problems.push(format!("{name}: no SPDX licence expression")),
            Some(l) if !satisfied(l, &allow) => {
                problems.push(format!("{name}: licence `{l}` is not allowed by deny.toml"));
            }
            Some(_) => {}
        }
        let crate_name = name.split('@').next().unwrap();
        if deny.contains(crate_name) {
            problems.push(format!("{name}: banned by deny.toml (network access)"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn spdx_expressions() {
    let allow: BTreeSet<String> =
        ["MIT", "Apache-2.0", "Unicode-3.0", "Apache-2.0 WITH LLVM-exception"]
            .iter()
            .map(ToString::to_string)
            .collect();
    for ok in [
        "MIT",
        "MIT OR Apache-2.0",
        "Unlicense/MIT",
        "(MIT OR Apache-2.0) AND Unicode-3.0",
        "Apache-2.0 WITH LLVM-exception OR Apache-2.0 OR MIT",
        "GPL-3.0 OR MIT",
    ] {
        assert!(satisfied(ok, &allow), "{ok}");
    }
    for bad in [
        "GPL-3.0",
        "MIT AND GPL-3.0",
        "(MIT OR Apache-2.0) AND BSD-3-Clause",
        "",
        "MIT OR",
        "(MIT",
        "MIT)",
    ] {
        assert!(!satisfied(bad, &allow), "{bad}");
    }
}
