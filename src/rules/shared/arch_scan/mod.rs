//! Finds what ties a command to one CPU architecture (rule `arch-specific-command`): artifacts
//! named for an architecture, x86-only library paths, ISA flags, literal `GOARCH`, multiarch
//! apt, `uname -m` gates and qemu user-mode emulation.
//!
//! One scanner for the three formats. A caller hands it the texts of one instruction (a
//! Dockerfile `RUN` with its heredoc bodies, a `CMD`, the values of one `ENV`, a container's
//! `command` + `args`, a service's `entrypoint`) as [`Piece`]s, and gets back [`Hit`]s: byte
//! ranges of a piece, so the caller maps them to exact source spans. The scanner does the
//! suppressions that depend on the text only (the instruction derives the architecture, the
//! token sits in a branch keyed on it); the caller decides from the target platforms and the
//! build stage whether and how loudly a hit is reported.
//!
//! Shell text is read with the small lexer of [`crate::shell`] (quotes, `$(…)`, `${…}`,
//! comments), not a full shell parser: it is enough to skip comments, find `case … esac` and `if … fi` blocks and
//! `[ … ] &&` guards, and read `[ "$(uname -m)" = x86_64 ] || exit 1` gates.

pub use crate::shell::Syntax;
use crate::shell::{is_op, is_word, mask, tokenize, unquote, word, Kind, Tok};
pub use crate::values::platform::name_arch;
use crate::values::platform::Platform;
use regex::Regex;
use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

/// What the instruction is for; some hazards only exist in some roles.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// A build step (`RUN`).
    Build,
    /// What the container runs: `CMD`, `ENTRYPOINT`, a container's `command`/`args`, a
    /// service's `command`/`entrypoint`. The program word and qemu emulators are checked.
    Command,
    /// Environment values.
    Env,
    /// `ADD` sources that are URLs.
    Download,
    /// `COPY` and local `ADD` sources: a file named for an architecture
    /// (`/out/tool-linux-amd64`) counts without an artifact extension.
    Copy,
}

/// One text of an instruction.
#[derive(Clone, Copy, Debug)]
pub struct Piece<'a> {
    pub text: &'a str,
    pub syntax: Syntax,
}

/// What was found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Hazard {
    /// Trigger 1: an architecture token in a URL or an artifact file name; `artifact` is the
    /// file name (or the URL when it has none). `via`: the token is a variable set to a
    /// constant architecture (`XC_ARCH` for `XC_ARCH="amd64"`).
    Artifact { artifact: String, via: Option<String> },
    /// Trigger 1: the program a container runs is named for an architecture.
    Executable { program: String },
    /// Trigger 2: an x86-only loader or multiarch library path.
    LibraryPath,
    /// Trigger 3: `-march=native`, `-mtune=native`, `-mcpu=native`, `target-cpu=native`.
    NativeCpu,
    /// Trigger 3: an x86-only ISA flag (`-mavx2`, `-msse4.2`, `-mfma`, `-mbmi2`, `-mpopcnt`).
    IsaFlag,
    /// Trigger 4: a literal `GOARCH`. `cgo_native`: the same instruction enables cgo without a
    /// cross C toolchain.
    Goarch { cgo_native: bool },
    /// Trigger 5: `dpkg --add-architecture amd64|i386` or `apt-get install pkg:amd64|:i386`.
    ForeignApt,
    /// Trigger 6: the command fails unless the architecture is the literal; `subject` is what
    /// is compared (`uname -m`, `$TARGETARCH`).
    Gate { subject: String },
    /// Trigger 7: a qemu user-mode emulator runs the program (`qemu-x86_64 ./app`).
    Emulator,
    /// Trigger 8: an apt source limited to some architectures (`deb [arch=amd64] …`); `arches`
    /// are all those listed.
    AptSource { arches: Vec<Platform> },
}

/// A finding of the scanner: `pieces[piece].text[start..end]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hit {
    pub piece: usize,
    pub start: usize,
    pub end: usize,
    /// The matched text.
    pub text: String,
    pub hazard: Hazard,
    /// The platform the token ties the command to; `None` for [`Hazard::NativeCpu`] (any CPU
    /// but the build machine's).
    pub arch: Option<Platform>,
    /// Other places of the same cause in the instruction (`pieces[piece].text[start..end]`),
    /// e.g. the same artifact downloaded, unpacked and moved: one finding, these as labels.
    pub related: Vec<(usize, usize, usize)>,
}

/// What the scanner knows beyond the texts of the instruction.
#[derive(Clone, Debug, Default)]
pub struct Known {
    /// Variables set earlier to one constant architecture (`ENV OS_ARCH="amd64"`,
    /// `ARG XC_ARCH=amd64`): their expansion in a URL or an artifact name is a hard-coded
    /// architecture.
    pub arch_vars: Vec<(String, Platform)>,
    /// The image runs a full-system emulator (`qemu-system-*`): its disk images (`.img`,
    /// `.iso`, `.qcow2`) are the guest's, whatever the host.
    pub system_emulator: bool,
}

// -------------------------------------------------------------------------------------------
// Patterns

/// Architecture tokens of trigger 1 (catalogue), matched ASCII case-insensitively; bounded by
/// `[-_./=]` or the word's edges, checked in [`arch_tokens`]. In the order of the pattern
/// `amd64|x86[-_]64|x64|linux64|i[3-6]86|win64|aarch64|arm64|armv[5-8]l?|armhf|armel|arm32`
/// they replace (a hand-written scan: compiling that regex was a tenth of a one-file run): at a
/// position the first that matches is the token, and the scan goes on after it.
const ARCH_TOKENS: &[&str] = &[
    "amd64", "x86-64", "x86_64", "x64", "linux64", "i386", "i486", "i586", "i686", "win64",
    "aarch64", "arm64", "armv5l", "armv5", "armv6l", "armv6", "armv7l", "armv7", "armv8l", "armv8",
    "armhf", "armel", "arm32",
];

/// The [`ARCH_TOKENS`] in `s`, leftmost first, not overlapping: (start, end).
fn arch_token_matches(s: &str) -> Vec<(usize, usize)> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(rest) = b.get(at..).filter(|r| !r.is_empty()) {
        // Every token starts with one of these letters.
        let token = matches!(rest[0].to_ascii_lowercase(), b'a' | b'x' | b'l' | b'i' | b'w')
            .then(|| {
                ARCH_TOKENS.iter().find(|t| {
                    rest.get(..t.len()).is_some_and(|p| p.eq_ignore_ascii_case(t.as_bytes()))
                })
            })
            .flatten();
        match token {
            Some(t) => {
                out.push((at, at + t.len()));
                at += t.len();
            }
            None => at += 1,
        }
    }
    out
}

/// Whether `text` has a word that every match of [`DERIVE`] and [`DERIVED_VAR`] contains: a
/// pre-filter, so most texts are answered without compiling (or running) them.
fn may_derive(text: &str) -> bool {
    ["ARCH", "PLATFORM", "VARIANT", "HOSTTYPE", "uname", "arch"].iter().any(|w| text.contains(w))
}

/// Whether `text` derives the architecture from the build or the machine ([`DERIVE`]).
fn derives(text: &str) -> bool {
    may_derive(text) && DERIVE.is_match(text)
}

/// The instruction derives the architecture from the build or the machine.
static DERIVE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"\$\{?(?:TARGETARCH|TARGETPLATFORM|TARGETVARIANT|BUILDARCH|BUILDPLATFORM|BUILDVARIANT|HOSTTYPE)\b",
        r"|\buname\s+(?:-[a-z]*m[a-z]*|--machine)\b",
        r"|\$\(\s*arch\s*\)|`\s*arch\s*`",
        r"|\bdpkg\s+--print-architecture\b|\bdpkg-architecture\b",
        r"|\bapk\s+--print-arch\b",
        r"|\bgo\s+env\s+GOARCH\b",
    ))
    .expect("regex")
});

/// `var=$(uname -m)`, `arch="$(dpkg --print-architecture)"`, `a=${TARGETARCH}`: names of
/// variables that hold a derived architecture.
static DERIVED_VAR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?:^|[^A-Za-z0-9_])([A-Za-z_][A-Za-z0-9_]*)=[\x22']?",
        r"(?:\$\(\s*|`\s*)(?:uname\s+-[a-z]*m|arch\s*[)`]|dpkg\s+--print-architecture|apk\s+--print-arch|dpkg-architecture|go\s+env\s+GOARCH)",
        r"|(?:^|[^A-Za-z0-9_])([A-Za-z_][A-Za-z0-9_]*)=[\x22']?\$\{?(?:TARGETARCH|TARGETPLATFORM|TARGETVARIANT|BUILDARCH|BUILDPLATFORM)\b",
    ))
    .expect("regex")
});

/// The names of the variables `text` references (`$name`, `${name…`), in text order.
pub fn var_names(text: &str) -> Vec<&str> {
    var_refs(text).into_iter().map(|(_, _, name)| name).collect()
}

/// The variable references in `text` (`$name`, `${name…`: what `\$\{?([A-Za-z_][A-Za-z0-9_]*)`
/// matches, scanned by hand), in text order: (start of the `$`, end of the name, name).
fn var_refs(text: &str) -> Vec<(usize, usize, &str)> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(dollar) = b.get(at..).and_then(|r| r.iter().position(|&c| c == b'$')) {
        let start = at + dollar;
        let mut name = start + 1;
        if b.get(name) == Some(&b'{') {
            name += 1;
        }
        if !b.get(name).is_some_and(|c| c.is_ascii_alphabetic() || *c == b'_') {
            at = start + 1;
            continue;
        }
        let mut end = name + 1;
        while b.get(end).is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_') {
            end += 1;
        }
        out.push((start, end, &text[name..end]));
        at = end;
    }
    out
}

/// Whether `text` has a blank right before `=` or `!=`, as every match of [`COMPARISON`] does
/// (a pre-filter).
fn may_compare(text: &str) -> bool {
    text.char_indices().any(|(i, c)| {
        c.is_whitespace() && {
            let after = &text[i + c.len_utf8()..];
            after.starts_with('=') || after.starts_with("!=")
        }
    })
}

/// A comparison in a test: `a = b`, `a == b`, `a != b` (operands without blanks).
static COMPARISON: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(\S+)\s+(?:==?|!=)\s+(\S+)").expect("regex"));

/// Whether a variable's name says it holds an architecture: one of its `_`/camelCase parts is
/// `arch` or `architecture` (`ARCH`, `BUILD_ARCH`, `dpkgArch`, `QEMU_ARCH`), or it is a known
/// architecture variable (`GOARCH`, `TARGETARCH`). `ARCHIVE` or `SEARCH` are not.
fn arch_var_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    if matches!(lower.as_str(), "goarch" | "targetarch" | "buildarch" | "hostarch" | "hosttype") {
        return true;
    }
    let mut parts: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if (c == '_' || (c.is_ascii_uppercase() && prev_lower)) && !cur.is_empty() {
            parts.push(std::mem::take(&mut cur));
        }
        if c != '_' {
            cur.push(c.to_ascii_lowercase());
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
    }
    parts.push(cur);
    parts.iter().any(|p| p == "arch" || p == "architecture")
}

/// Whether `text` compares something with an architecture name (`[ "$X" = "aarch64" ]`).
fn compares_to_arch(text: &str) -> bool {
    may_compare(text)
        && COMPARISON.captures_iter(text).any(|c| {
            [c.get(1), c.get(2)].into_iter().flatten().any(|m| {
                let operand = unquote(m.as_str().trim_end_matches([']', ';']));
                Platform::from_arch_name(operand).is_some()
            })
        })
}

static LIBRARY_PATH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?:/usr)?(?:/local)?/lib/(x86_64|i386)-linux-gnu\b|/lib(?:64)?/ld-linux-(x86-64)\.so\.2|/usr/lib/jvm/[A-Za-z0-9.+-]+-(amd64|i386)\b",
    )
    .expect("regex")
});

static NATIVE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"-m(?:arch|tune|cpu)=native\b|\btarget-cpu=native\b").expect("regex")
});

static ISA_FLAG: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"-m(?:avx[0-9a-z_]*|ssse3|sse[0-9a-z._]*|fma4?|bmi2?|popcnt)").expect("regex")
});

/// The assignments `NAME=value` in `text` where `NAME` starts a word and the value, after an
/// optional quote, is `[A-Za-z0-9_]+` (what `(?:^|[^A-Za-z0-9_])(NAME=["']?([A-Za-z0-9_]+))`
/// matches, scanned by hand): (start of `NAME`, end of the value, value).
fn literal_assignments<'t>(text: &'t str, name: &str) -> Vec<(usize, usize, &'t str)> {
    let word = |c: &u8| c.is_ascii_alphanumeric() || *c == b'_';
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = text.get(from..).and_then(|r| r.find(name)) {
        let start = from + i;
        from = start + name.len();
        if start > 0 && b.get(start - 1).is_some_and(word) || b.get(from) != Some(&b'=') {
            continue;
        }
        let mut value = from + 1;
        if matches!(b.get(value), Some(b'"' | b'\'')) {
            value += 1;
        }
        let mut end = value;
        while b.get(end).is_some_and(word) {
            end += 1;
        }
        if end > value {
            out.push((start, end, &text[value..end]));
            from = end;
        }
    }
    out
}

static CGO_ON: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"(?:^|[^A-Za-z0-9_])CGO_ENABLED=["']?1\b"#).expect("regex"));

/// A cross C toolchain next to cgo.
static CROSS_CC: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?:^|[^A-Za-z0-9_])(?:CC|CXX|CC_FOR_TARGET)=",
        r"|-linux-(?:gnu|musl)(?:eabihf|eabi)?-gcc\b|\bzig\s+cc\b|\bxx-(?:clang|go|gcc|apk|apt-get|apt)\b",
    ))
    .expect("regex")
});

static ADD_ARCH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"\bdpkg\s+--add-architecture\s+["']?(amd64|i386)\b"#).expect("regex")
});

static APT_INSTALL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(?:apt-get|apt|aptitude)\s+(?:[^;&|\n]*\s)?install\b").expect("regex")
});

static APT_PKG_ARCH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[a-z0-9][a-z0-9.+-]*:(amd64|i386)(?:=[^\s]*)?$").expect("regex")
});

static QEMU: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^qemu-(?:system-)?([a-z0-9_]+?)(?:-static)?$").expect("regex"));

/// [`QEMU`]'s captures of `name`; names not starting with `qemu-` are answered without it.
fn qemu(name: &str) -> Option<regex::Captures<'_>> {
    name.starts_with("qemu-").then(|| QEMU.captures(name)).flatten()
}

/// File name endings of downloadable artifacts (after removing signature suffixes).
const ARTIFACT_EXT: &[&str] = &[
    ".tar.gz",
    ".tgz",
    ".tar.xz",
    ".txz",
    ".tar.bz2",
    ".tbz",
    ".tbz2",
    ".tar.zst",
    ".tar",
    ".zip",
    ".7z",
    ".gz",
    ".xz",
    ".bz2",
    ".zst",
    ".deb",
    ".rpm",
    ".apk",
    ".appimage",
    ".bin",
    ".run",
    ".sh",
    ".whl",
    ".exe",
    ".msi",
    ".img",
    ".iso",
    ".qcow2",
];

/// Suffixes of files that sit next to an artifact.
const SIGNATURE_EXT: &[&str] =
    &[".asc", ".sig", ".sha256", ".sha256sum", ".sha512", ".sha1", ".md5", ".sum"];

// -------------------------------------------------------------------------------------------
// Entry points

/// Scans the texts of one instruction. Hits are in text order, at most one artifact hit per
/// architecture and one hit per other token; the other places of the same cause are the hit's
/// `related` ranges.
pub fn scan(pieces: &[Piece<'_>], role: Role) -> Vec<Hit> {
    scan_with(pieces, role, &Known::default())
}

/// [`scan`], knowing what earlier instructions set ([`Known`]).
pub fn scan_with(pieces: &[Piece<'_>], role: Role, known: &Known) -> Vec<Hit> {
    let masked: Vec<String> = pieces.iter().map(|p| mask(p.text, p.syntax)).collect();
    let whole = masked.join("\n");
    let derived_vars = derived_vars(&whole);
    let derives = derives(&whole);
    let tokens: Vec<Vec<Tok>> = masked.iter().map(|t| tokenize(t)).collect();
    let regions: Vec<Vec<(usize, usize)>> = masked
        .iter()
        .zip(&tokens)
        .zip(pieces)
        .map(|((text, toks), piece)| {
            if piece.syntax == Syntax::Plain {
                Vec::new()
            } else {
                arch_regions(text, toks, &derived_vars)
            }
        })
        .collect();
    let arch_vars: ArchVars =
        constant_arch_vars(pieces, &masked, &tokens, &regions, known, &derived_vars)
            .into_iter()
            .collect();
    let mut hits = Vec::new();
    for (i, text) in masked.iter().enumerate() {
        let toks = &tokens[i];
        let mut found = Vec::new();
        if role == Role::Copy {
            named_file(text, &arch_vars, &mut found);
        } else {
            artifacts(text, role, i == 0, &arch_vars, known, &mut found);
        }
        if pieces[i].syntax != Syntax::Plain {
            moved_files(text, toks, &arch_vars, &mut found);
        }
        library_paths(text, &mut found);
        isa_flags(text, &mut found);
        goarch(text, &whole, &mut found);
        foreign_apt(text, &whole, &mut found);
        apt_sources(text, &mut found);
        if pieces[i].syntax != Syntax::Plain {
            gates(text, toks, &derived_vars, &mut found);
        }
        if role == Role::Command {
            emulators(text, &mut found);
        }
        for (start, end, hazard, arch) in found {
            let silenced = !matches!(hazard, Hazard::NativeCpu | Hazard::Gate { .. })
                && (derives || regions[i].iter().any(|r| r.0 <= start && end <= r.1));
            if !silenced {
                let text = pieces[i].text.get(start..end).unwrap_or_default().to_string();
                hits.push(Hit { piece: i, start, end, text, hazard, arch, related: Vec::new() });
            }
        }
    }
    dedup(hits)
}

/// The architecture a variable holds when it is set to `value`, a constant: an architecture
/// name (`amd64`, `x86_64`, `aarch64`, `armhf`); the short and ambiguous names (`arm`, `x86`,
/// `x64`, `386`) only in a variable named for an architecture (`ARCH`, `OS_ARCH`).
pub fn constant_arch(name: &str, value: &str) -> Option<Platform> {
    let value = unquote(value.trim());
    if value.contains('$') || (value.len() <= 3 && !arch_var_name(name)) {
        return None;
    }
    Platform::from_arch_name(value)
}

fn shell_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The variables holding one constant architecture where the instruction expands them: those
/// `known` from earlier instructions, then the instruction's own assignments (`ARCH=x86_64`,
/// `export XC_ARCH="amd64"`). A variable assigned inside an architecture branch, assigned
/// different values, assigned something else, or derived from the build or machine
/// (`arch=$(uname -m)`) holds no constant.
fn constant_arch_vars(
    pieces: &[Piece<'_>],
    masked: &[String],
    tokens: &[Vec<Tok>],
    regions: &[Vec<(usize, usize)>],
    known: &Known,
    derived: &[String],
) -> Vec<(String, Platform)> {
    // Per name, the one constant it is assigned, or `None`.
    let mut assigned: HashMap<&str, Option<Platform>> = HashMap::new();
    for (i, text) in masked.iter().enumerate() {
        if pieces[i].syntax == Syntax::Plain {
            continue;
        }
        for t in tokens[i].iter().filter(|t| t.kind == Kind::Word) {
            let Some((name, value)) = word(text, t).split_once('=') else { continue };
            if !shell_name(name) {
                continue;
            }
            let branch = regions[i].iter().any(|r| r.0 <= t.start && t.end <= r.1);
            let p = if branch { None } else { constant_arch(name, value) };
            assigned
                .entry(name)
                .and_modify(|v| {
                    if *v != p {
                        *v = None;
                    }
                })
                .or_insert(p);
        }
    }
    let derived: HashSet<&str> = derived.iter().map(String::as_str).collect();
    let mut out: Vec<(String, Platform)> = known
        .arch_vars
        .iter()
        .filter(|(n, _)| !assigned.contains_key(n.as_str()))
        .cloned()
        .collect();
    out.extend(assigned.into_iter().filter_map(|(n, p)| Some((n.to_string(), p?))));
    out.retain(|(n, _)| !derived.contains(n.as_str()));
    out
}

/// Scans the variables of one environment block (`ENV a=1 b=2`, a container's `env`, a
/// service's `environment`): the values as [`Role::Env`] text, plus `GOARCH=<literal>`
/// given as a variable (the hit covers the whole value).
pub fn scan_env(vars: &[(&str, &str)], known: &Known) -> Vec<Hit> {
    let pieces: Vec<Piece<'_>> =
        vars.iter().map(|(_, v)| Piece { text: v, syntax: Syntax::Plain }).collect();
    let mut hits = scan_with(&pieces, Role::Env, known);
    let get = |name: &str| vars.iter().rev().find(|(k, _)| *k == name).map(|(_, v)| *v);
    let cgo = get("CGO_ENABLED").is_some_and(|v| v.trim() == "1");
    let cross = ["CC", "CXX", "CC_FOR_TARGET"].iter().any(|k| get(k).is_some());
    let other_os =
        get("GOOS").is_some_and(|os| !os.is_empty() && os != "linux" && !os.contains('$'));
    for (i, (name, value)) in vars.iter().enumerate() {
        if *name != "GOARCH" || other_os || value.contains('$') {
            continue;
        }
        let goarm = get("GOARM");
        if let Some(arch) = goarch_platform(value.trim(), goarm) {
            hits.push(Hit {
                piece: i,
                start: 0,
                end: value.len(),
                text: value.to_string(),
                hazard: Hazard::Goarch { cgo_native: cgo && !cross },
                arch: Some(arch),
                related: Vec::new(),
            });
        }
    }
    hits.sort_by_key(|h| (h.piece, h.start));
    hits
}

/// A library path without its `/usr` and `/local` prefixes.
fn library_key(path: &str) -> &str {
    let p = path.strip_prefix("/usr").unwrap_or(path);
    p.strip_prefix("/local").unwrap_or(p)
}

/// One hit per cause: the first place; the others become its `related` ranges.
fn dedup(hits: Vec<Hit>) -> Vec<Hit> {
    let mut out: Vec<Hit> = Vec::new();
    for hit in hits {
        let same = out.iter_mut().find(|o| match (&o.hazard, &hit.hazard) {
            (
                Hazard::Artifact { .. } | Hazard::Executable { .. },
                Hazard::Artifact { .. } | Hazard::Executable { .. },
            ) => o.arch == hit.arch,
            // `/usr/lib/x86_64-linux-gnu`, `/lib/x86_64-linux-gnu` and
            // `/usr/local/lib/x86_64-linux-gnu` are one multiarch directory.
            (Hazard::LibraryPath, Hazard::LibraryPath) => {
                library_key(&o.text).eq_ignore_ascii_case(library_key(&hit.text))
            }
            (a, b) => {
                std::mem::discriminant(a) == std::mem::discriminant(b)
                    && o.text.eq_ignore_ascii_case(&hit.text)
            }
        });
        match same {
            Some(o) => o.related.push((hit.piece, hit.start, hit.end)),
            None => out.push(hit),
        }
    }
    out
}

type Found = Vec<(usize, usize, Hazard, Option<Platform>)>;

/// The variables that hold a constant architecture, by name.
type ArchVars = HashMap<String, Platform>;

// -------------------------------------------------------------------------------------------
// Suppression: derived architecture and arch-keyed regions

fn derived_vars(text: &str) -> Vec<String> {
    if !may_derive(text) {
        return Vec::new();
    }
    DERIVED_VAR
        .captures_iter(text)
        .filter_map(|c| c.get(1).or_else(|| c.get(2)).map(|m| m.as_str().to_string()))
        .collect()
}

fn references_var(text: &str, vars: &[String]) -> bool {
    vars.iter().any(|v| {
        [format!("${v}"), format!("${{{v}")].iter().any(|pat| {
            text.match_indices(pat.as_str()).any(|(i, _)| {
                let after = text.as_bytes().get(i + pat.len());
                !after.is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_')
            })
        })
    })
}

/// A condition or case subject that depends on the architecture.
fn arch_keyed(text: &str, vars: &[String]) -> bool {
    derives(text)
        || references_var(text, vars)
        || var_refs(text).into_iter().any(|(_, _, name)| arch_var_name(name))
        || compares_to_arch(text)
}

/// Byte ranges of `case … esac` blocks on the architecture, `if … fi` blocks with a condition
/// on it, and the rest of an and-or list after an arch test (`[ "$a" = arm64 ] && …`).
fn arch_regions(text: &str, toks: &[Tok], vars: &[String]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    for (i, t) in toks.iter().enumerate() {
        if is_word(text, t, "case") {
            let Some(j) = (i + 1..toks.len().min(i + 12)).find(|&j| is_word(text, &toks[j], "in"))
            else {
                continue;
            };
            let end = matching(text, toks, i, "case", "esac");
            let subject = text.get(t.end..toks[j].start).unwrap_or_default();
            let body = text.get(toks[j].end..end).unwrap_or_default();
            if arch_keyed(subject, vars) || case_patterns_name_arches(body) {
                out.push((t.start, end));
            }
        } else if is_word(text, t, "if") {
            let end = matching(text, toks, i, "if", "fi");
            let mut conditions = String::new();
            let mut k = i;
            let mut depth = 0;
            while k < toks.len() && toks[k].start < end {
                let w = &toks[k];
                if is_word(text, w, "if") {
                    depth += 1;
                } else if is_word(text, w, "fi") {
                    depth -= 1;
                }
                if depth == 1 && (is_word(text, w, "if") || is_word(text, w, "elif")) {
                    if let Some(then) =
                        (k + 1..toks.len()).find(|&m| is_word(text, &toks[m], "then"))
                    {
                        conditions.push_str(text.get(w.end..toks[then].start).unwrap_or_default());
                        conditions.push('\n');
                    }
                }
                k += 1;
            }
            if arch_keyed(&conditions, vars) {
                out.push((t.start, end));
            }
        }
    }
    for test in tests(text, toks) {
        let Some(next) = toks.get(test.end_tok + 1) else { continue };
        if !(is_op(text, next, "&&") || is_op(text, next, "||")) {
            continue;
        }
        let inner = text.get(test.start..test.end).unwrap_or_default();
        if arch_keyed(inner, vars) {
            out.push((test.start, list_end(text, toks, test.end_tok + 1)));
        }
    }
    out
}

/// Whether the branches of a case body are architecture names (`amd64|x86_64)`, `'arm64')`,
/// `*aarch64*)`).
fn case_patterns_name_arches(body: &str) -> bool {
    case_pattern_words(body).into_iter().any(|w| Platform::from_arch_name(w).is_some())
}

/// The words of `(?:^|[\s(|;])['"]?\*?([A-Za-z0-9_-]+)\*?['"]?\s*[|)]` in `body`, matches
/// leftmost first and not overlapping, as a regex finds them (scanned by hand: a one-file run
/// would spend more on compiling that regex than on the rest of the rule).
fn case_pattern_words(body: &str) -> Vec<&str> {
    let word_byte = |c: &u8| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-');
    let b = body.as_bytes();
    // The end of a match whose word starts at or after `at` (after the optional quote and
    // star), and the word.
    let tail = |mut at: usize| -> Option<(usize, &str)> {
        if matches!(b.get(at), Some(b'\'' | b'"')) {
            at += 1;
        }
        if b.get(at) == Some(&b'*') {
            at += 1;
        }
        let start = at;
        while b.get(at).is_some_and(word_byte) {
            at += 1;
        }
        let word = body.get(start..at).filter(|w| !w.is_empty())?;
        if b.get(at) == Some(&b'*') {
            at += 1;
        }
        if matches!(b.get(at), Some(b'\'' | b'"')) {
            at += 1;
        }
        let rest = body.get(at..)?;
        let blanks = rest.len() - rest.trim_start().len();
        at += blanks;
        matches!(b.get(at), Some(b'|' | b')')).then_some((at + 1, word))
    };
    let mut out = Vec::new();
    let mut from = 0;
    // `^` first, then each separator at or after the end of the last match.
    if let Some((end, word)) = tail(0) {
        out.push(word);
        from = end;
    }
    while let Some((i, c)) = body.get(from..).and_then(|r| {
        r.char_indices().find(|&(_, c)| c.is_whitespace() || matches!(c, '(' | '|' | ';'))
    }) {
        let sep = from + i;
        match tail(sep + c.len_utf8()) {
            Some((end, word)) => {
                out.push(word);
                from = end;
            }
            None => from = sep + c.len_utf8(),
        }
    }
    out
}

/// The end offset of the block opened by the word `open` at token `i`, nesting counted; the
/// text's end if it is not closed.
fn matching(text: &str, toks: &[Tok], i: usize, open: &str, close: &str) -> usize {
    let mut depth = 0usize;
    for t in &toks[i..] {
        if is_word(text, t, open) {
            depth += 1;
        } else if is_word(text, t, close) {
            depth = depth.saturating_sub(1);
            if depth == 0 {
                return t.end;
            }
        }
    }
    text.len()
}

/// The end of the and-or list that continues at token `from`.
fn list_end(text: &str, toks: &[Tok], from: usize) -> usize {
    let mut depth = 0usize;
    for t in &toks[from..] {
        match t.kind {
            Kind::Op => match word(text, t) {
                "(" => depth += 1,
                ")" if depth == 0 => return t.start,
                ")" => depth -= 1,
                ";" | ";;" | "\n" | "&" if depth == 0 => return t.start,
                _ => {}
            },
            Kind::Word => {
                let w = word(text, t);
                if w == "{" {
                    depth += 1;
                } else if w == "}" {
                    if depth == 0 {
                        return t.start;
                    }
                    depth -= 1;
                } else if depth == 0
                    && matches!(w, "fi" | "done" | "esac" | "then" | "else" | "elif")
                {
                    return t.start;
                }
            }
        }
    }
    text.len()
}

/// A test command: `[ … ]`, `[[ … ]]` or `test …`.
struct Test {
    /// Offsets of the whole test.
    start: usize,
    end: usize,
    /// Tokens of the operands (between the brackets).
    inner: std::ops::Range<usize>,
    /// Index of the test's last token.
    end_tok: usize,
    /// Preceded by `!`.
    negated: bool,
    /// Index of the first token.
    first_tok: usize,
}

fn tests(text: &str, toks: &[Tok]) -> Vec<Test> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        let t = &toks[i];
        let close = match (t.kind, word(text, t)) {
            (Kind::Word, "[") => Some("]"),
            (Kind::Word, "[[") => Some("]]"),
            (Kind::Word, "test") => None,
            _ => {
                i += 1;
                continue;
            }
        };
        let mut j = i + 1;
        let last = loop {
            match toks.get(j) {
                None => break j.saturating_sub(1),
                Some(n)
                    if n.kind == Kind::Op
                        && !(close == Some("]]") && matches!(word(text, n), "&&" | "||")) =>
                {
                    break j.saturating_sub(1)
                }
                Some(n) if close.is_some_and(|c| is_word(text, n, c)) => break j,
                _ => j += 1,
            }
        };
        let inner_end = if close.is_some()
            && last > i
            && close.is_some_and(|c| is_word(text, &toks[last], c))
        {
            last
        } else {
            last + 1
        };
        let negated = i > 0 && is_word(text, &toks[i - 1], "!");
        let first_tok = if negated { i - 1 } else { i };
        out.push(Test {
            start: toks[first_tok].start,
            end: toks[last].end,
            inner: i + 1..inner_end.max(i + 1),
            end_tok: last,
            negated,
            first_tok,
        });
        i = last + 1;
    }
    out
}

// -------------------------------------------------------------------------------------------
// Triggers

/// `[-_./=]` or a word edge around an architecture token.
fn bounded(s: &str, start: usize, end: usize) -> bool {
    let b = s.as_bytes();
    let before = start == 0 || matches!(b[start - 1], b'-' | b'_' | b'.' | b'/' | b'=');
    let after = end == b.len() || matches!(b[end], b'-' | b'_' | b'.' | b'/');
    before && after
}

/// Bounded architecture tokens in `s`, as (start, end, platform).
fn arch_tokens(s: &str) -> Vec<(usize, usize, Platform)> {
    arch_token_matches(s)
        .into_iter()
        .filter(|&(start, end)| bounded(s, start, end))
        .filter_map(|(start, end)| {
            Platform::from_arch_name(&s[start..end]).map(|p| (start, end, p))
        })
        .collect()
}

/// Fragments that can hold a URL or a file name: split at blanks, quotes and shell operators.
fn fragments(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        let sep = c.is_whitespace()
            || matches!(c, '\'' | '"' | '`' | ';' | '|' | '&' | '<' | '>' | '(' | ')');
        match (sep, start) {
            (true, Some(s)) => {
                out.push((s, i));
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((s, text.len()));
    }
    out
}

/// `name` without signature suffixes (`x.tar.gz.asc` → `x.tar.gz`).
fn strip_signature(name: &str) -> &str {
    let mut out = name;
    while let Some(ext) = SIGNATURE_EXT.iter().find(|e| {
        out.len() > e.len()
            && out.get(out.len() - e.len()..).is_some_and(|t| t.eq_ignore_ascii_case(e))
    }) {
        out = &out[..out.len() - ext.len()];
    }
    out
}

/// An apt repository index (`…/binary-amd64/Packages`, `…/Release`): read for metadata (a
/// version number), not installed or run.
fn apt_index(name: &str) -> bool {
    let lower = strip_signature(name).to_ascii_lowercase();
    let base = [".gz", ".xz", ".bz2", ".lz4", ".zst"]
        .iter()
        .find_map(|e| lower.strip_suffix(e))
        .unwrap_or(&lower);
    matches!(base, "packages" | "release" | "inrelease" | "release.gpg" | "sources" | "contents")
}

/// Where the architecture tokens of a URL are looked for: its path, without the host and,
/// on GitHub and GitLab, without the owner and repository names (`github.com/owner/repo/…`);
/// `None` for a Git repository URL (`….git`), which is source, not a binary.
fn url_search_range(url: &str) -> Option<(usize, usize)> {
    let path_end = url.find(['?', '#']).unwrap_or(url.len());
    let path = &url[..path_end];
    if path.trim_end_matches('/').ends_with(".git") {
        return None;
    }
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    let host_end = url[after_scheme..path_end].find('/').map_or(path_end, |i| after_scheme + i);
    let host = &url[after_scheme..host_end];
    let mut start = host_end;
    if matches!(host, "github.com" | "gitlab.com" | "www.github.com") {
        for _ in 0..2 {
            match url.get(start + 1..path_end).and_then(|r| r.find('/')) {
                Some(i) => start = start + 1 + i,
                None => return None,
            }
        }
    }
    Some((start, path_end))
}

/// The file name an artifact path ends with, if it looks like a downloadable artifact.
fn artifact_name(path: &str) -> Option<&str> {
    let name = path.rsplit('/').next().unwrap_or(path);
    let mut lower = name.to_ascii_lowercase();
    while let Some(ext) =
        SIGNATURE_EXT.iter().find(|e| lower.ends_with(*e) && lower.len() > e.len())
    {
        lower.truncate(lower.len() - ext.len());
    }
    ARTIFACT_EXT.iter().any(|e| lower.ends_with(e) && lower.len() > e.len()).then_some(name)
}

/// Whether the token at `start` of `s` is the architecture a qemu emulator emulates
/// (`qemu-aarch64-static`, `qemu-system-x86_64`, `qemu-${QEMU_ARCH}-static`): the guest's, not
/// the host's.
fn guest_arch(s: &str, start: usize) -> bool {
    let before = s[..start].to_ascii_lowercase();
    before.ends_with("qemu-") || before.ends_with("qemu-system-")
}

/// The disk image of a virtual machine (`….img`, `.iso`, `.qcow2`).
fn disk_image(name: &str) -> bool {
    let lower = strip_signature(name).to_ascii_lowercase();
    [".img", ".iso", ".qcow2"].iter().any(|e| lower.ends_with(e))
}

/// A bare `x86` in a file name (`tool-linux-x86.tar.gz`), bounded like the other tokens and
/// not the start of `x86_64`/`x86-64`; an `x86` inside a word (`x86info`) does not count.
fn x86_tokens(name: &str) -> Vec<(usize, usize, Platform)> {
    let lower = name.to_ascii_lowercase();
    lower
        .match_indices("x86")
        .map(|(i, _)| (i, i + 3))
        .filter(|&(s, e)| {
            bounded(name, s, e) && !lower[e..].starts_with("_64") && !lower[e..].starts_with("-64")
        })
        .filter_map(|(s, e)| Some((s, e, Platform::from_arch_name("x86")?)))
        .collect()
}

/// Expansions of `vars` (`$ARCH`, `${XC_ARCH}`) in `s`: (start, end, platform, name).
fn var_tokens(s: &str, vars: &ArchVars) -> Vec<(usize, usize, Platform, String)> {
    if vars.is_empty() {
        return Vec::new();
    }
    var_refs(s)
        .into_iter()
        .filter_map(|(start, name_end, name)| {
            let end = if s[start..].starts_with("${") {
                // `${NAME}` only: `${NAME:-x}` and other forms may give another value.
                s[name_end..].starts_with('}').then_some(name_end + 1)?
            } else {
                name_end
            };
            let p = vars.get(name)?;
            Some((start, end, p.clone(), name.to_string()))
        })
        .collect()
}

/// The architecture tokens of a file name or URL path `s` that tie it to the host's
/// architecture: the bounded tokens, a bare `x86` in `name` (the last segment, at
/// `name_start`), and the expansions of `vars`; not a qemu emulator's guest. (start, end,
/// platform, the variable when it is one).
fn host_tokens(
    s: &str,
    name_start: usize,
    vars: &ArchVars,
) -> Vec<(usize, usize, Platform, Option<String>)> {
    let mut out: Vec<(usize, usize, Platform, Option<String>)> =
        arch_tokens(s).into_iter().map(|(a, b, p)| (a, b, p, None)).collect();
    out.extend(
        x86_tokens(&s[name_start..])
            .into_iter()
            .map(|(a, b, p)| (name_start + a, name_start + b, p, None)),
    );
    out.extend(var_tokens(s, vars).into_iter().map(|(a, b, p, n)| (a, b, p, Some(n))));
    out.retain(|t| !guest_arch(s, t.0));
    out.sort_by_key(|t| t.0);
    out
}

fn artifacts(
    text: &str,
    role: Role,
    first_piece: bool,
    vars: &ArchVars,
    known: &Known,
    found: &mut Found,
) {
    let frags = fragments(text);
    for (k, &(fs, fe)) in frags.iter().enumerate() {
        let frag = &text[fs..fe];
        if let Some(scheme) = frag.find("://") {
            // From the scheme's first letter; the token may sit anywhere in the URL.
            let url_start = frag[..scheme]
                .char_indices()
                .rev()
                .take_while(|(_, c)| c.is_ascii_alphanumeric() || matches!(c, '+' | '.' | '-'))
                .last()
                .map_or(scheme, |(i, _)| i);
            let url = &frag[url_start..];
            let Some((from, to)) = url_search_range(url) else { continue };
            let path = &url[..to];
            let artifact = path.trim_end_matches('/').rsplit('/').next().unwrap_or(path);
            if apt_index(artifact) || (known.system_emulator && disk_image(artifact)) {
                continue;
            }
            let artifact = if artifact.is_empty() || artifact.contains(':') {
                url
            } else {
                strip_signature(artifact)
            };
            let searched = &url[from..to];
            let name_start = searched.trim_end_matches('/').rfind('/').map_or(0, |p| p + 1);
            for (s, e, p, via) in host_tokens(searched, name_start, vars) {
                let at = fs + url_start + from;
                found.push((
                    at + s,
                    at + e,
                    Hazard::Artifact { artifact: artifact.to_string(), via },
                    Some(p),
                ));
            }
            continue;
        }
        let program = role == Role::Command && first_piece && k == 0 && !frag.starts_with('-');
        let name_start = frag.rfind('/').map_or(0, |p| p + 1);
        let name = &frag[name_start..];
        let hazard = if let Some(name) = artifact_name(frag) {
            if known.system_emulator && disk_image(name) {
                continue;
            }
            Hazard::Artifact { artifact: strip_signature(name).to_string(), via: None }
        } else if program && qemu(name).is_some() {
            continue;
        } else if program {
            Hazard::Executable { program: name.to_string() }
        } else {
            continue;
        };
        // `KEY=value`: only the value is a file name.
        let value_start = name.find('=').map_or(0, |p| p + 1);
        for (s, e, p, via) in host_tokens(&name[value_start..], 0, vars) {
            let at = fs + name_start + value_start;
            let hazard = match (&hazard, via) {
                (Hazard::Artifact { artifact, .. }, via) => {
                    Hazard::Artifact { artifact: artifact.clone(), via }
                }
                (h, _) => h.clone(),
            };
            found.push((at + s, at + e, hazard, Some(p)));
        }
    }
}

/// A file whose name (the last path segment) is named for an architecture
/// (`/out/tool-linux-amd64`, `dist/*_linux_arm64`): the tokens of the name.
fn named_file(path: &str, vars: &ArchVars, found: &mut Found) {
    let trimmed = path.trim_end_matches('/');
    let name_start = trimmed.rfind('/').map_or(0, |p| p + 1);
    let name = &trimmed[name_start..];
    if name.contains("://") || !binary_name(name) {
        return;
    }
    let artifact = strip_signature(name).to_string();
    for (s, e, p, via) in host_tokens(name, 0, vars) {
        let hazard = Hazard::Artifact { artifact: artifact.clone(), via };
        found.push((name_start + s, name_start + e, hazard, Some(p)));
    }
}

/// Whether a file name can be a program or an archive: an artifact (`.tar.gz`, `.deb`…), a
/// library (`.so`, `.a`, `.node`), or no file-type extension at all (`tool-linux-amd64`,
/// `tool_1.2_linux_arm64`). A configuration or text file named for an architecture
/// (`debian-armv7.cmake`, `arm64.conf`) is not.
fn binary_name(name: &str) -> bool {
    let Some((_, ext)) = name.rsplit_once('.') else { return true };
    artifact_name(name).is_some()
        || !ext.chars().all(|c| c.is_ascii_alphabetic())
        || ext.is_empty()
        || matches!(ext.to_ascii_lowercase().as_str(), "so" | "a" | "node" | "exe" | "dll")
        || Platform::from_arch_name(ext).is_some()
}

/// The sources of `mv`, `cp` and `install` (every operand but the last): an artifact named for
/// an architecture moved into place (`mv tool-linux-amd64 /usr/local/bin/tool`).
fn moved_files(text: &str, toks: &[Tok], vars: &ArchVars, found: &mut Found) {
    for (i, t) in toks.iter().enumerate() {
        let command_position = i == 0
            || toks[i - 1].kind == Kind::Op
            || matches!(word(text, &toks[i - 1]), "sudo" | "then" | "do" | "else" | "{");
        if !command_position || !matches!(word(text, t), "mv" | "cp" | "install") {
            continue;
        }
        let operands: Vec<&Tok> = toks[i + 1..]
            .iter()
            .take_while(|n| n.kind == Kind::Word)
            .filter(|n| !word(text, n).starts_with('-'))
            .collect();
        let Some((_, sources)) = operands.split_last() else { continue };
        for src in sources {
            let w = word(text, src);
            if w.contains("://") || w.contains('=') {
                continue;
            }
            let mut here = Vec::new();
            named_file(w, vars, &mut here);
            found.extend(here.into_iter().map(|(s, e, h, p)| (src.start + s, src.start + e, h, p)));
        }
    }
}

fn library_paths(text: &str, found: &mut Found) {
    // Every match has one of these (a pre-filter).
    if !["-linux-gnu", "/ld-linux-", "/usr/lib/jvm/"].iter().any(|w| text.contains(w)) {
        return;
    }
    for c in LIBRARY_PATH.captures_iter(text) {
        let m = c.get(0).expect("match");
        let i386 = [c.get(1), c.get(3)].into_iter().flatten().any(|a| a.as_str() == "i386");
        let arch = if i386 { "i386" } else { "x86_64" };
        found.push((m.start(), m.end(), Hazard::LibraryPath, Platform::from_arch_name(arch)));
    }
}

/// Whether the byte before `start` ends a word (so `-mavx` is a flag, not part of a name).
fn flag_start(text: &str, start: usize) -> bool {
    start == 0
        || !text.as_bytes()[start - 1].is_ascii_alphanumeric() && text.as_bytes()[start - 1] != b'-'
}

fn flag_end(text: &str, end: usize) -> bool {
    text.as_bytes()
        .get(end)
        .is_none_or(|c| !(c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_')))
}

fn isa_flags(text: &str, found: &mut Found) {
    // Pre-filters: every match of NATIVE has `=native`, every match of ISA_FLAG one of these.
    let isa = ["-mavx", "-mssse3", "-msse", "-mfma", "-mbmi", "-mpopcnt"];
    if !text.contains("=native") && !isa.iter().any(|w| text.contains(w)) {
        return;
    }
    for m in NATIVE.find_iter(text) {
        if m.as_str().starts_with('-') && !flag_start(text, m.start()) {
            continue;
        }
        found.push((m.start(), m.end(), Hazard::NativeCpu, None));
    }
    for m in ISA_FLAG.find_iter(text) {
        if flag_start(text, m.start()) && flag_end(text, m.end()) {
            found.push((m.start(), m.end(), Hazard::IsaFlag, Platform::from_arch_name("amd64")));
        }
    }
}

fn goarch_platform(value: &str, goarm: Option<&str>) -> Option<Platform> {
    let p = Platform::from_arch_name(value)?;
    match goarm {
        Some(v @ ("5" | "6" | "7")) if p.arch == "arm" => {
            Some(Platform::new("linux", "arm", Some(v)))
        }
        _ => Some(p),
    }
}

fn goarch(text: &str, whole: &str, found: &mut Found) {
    let literals = literal_assignments(text, "GOARCH");
    if literals.is_empty() {
        return;
    }
    let mut distinct: Vec<&str> =
        literal_assignments(whole, "GOARCH").into_iter().map(|(_, _, v)| v).collect();
    distinct.sort_unstable();
    distinct.dedup();
    // Several architectures, or another OS: a release build of binaries for elsewhere.
    let other_os = literal_assignments(whole, "GOOS").into_iter().any(|(_, _, os)| os != "linux");
    if distinct.len() > 1 || other_os {
        return;
    }
    // `GOARM=` then `[5-7]`: the first digit of the first literal value, when it is one.
    let goarm = literal_assignments(whole, "GOARM")
        .into_iter()
        .find_map(|(_, _, v)| v.get(..1).filter(|d| matches!(*d, "5" | "6" | "7")));
    let cgo_on = ["CGO_ENABLED=1", "CGO_ENABLED=\"1", "CGO_ENABLED='1"];
    let cgo_native = cgo_on.iter().any(|w| whole.contains(w))
        && CGO_ON.is_match(whole)
        && !CROSS_CC.is_match(whole);
    for (start, end, value) in literals {
        if let Some(arch) = goarch_platform(value, goarm) {
            found.push((start, end, Hazard::Goarch { cgo_native }, Some(arch)));
        }
    }
}

fn foreign_apt(text: &str, whole: &str, found: &mut Found) {
    // Pre-filters: the words every match of ADD_ARCH, APT_INSTALL and APT_PKG_ARCH has.
    let add_arch = text.contains("--add-architecture");
    for c in add_arch.then(|| ADD_ARCH.captures_iter(text)).into_iter().flatten() {
        let m = c.get(1).expect("group");
        found.push((m.start(), m.end(), Hazard::ForeignApt, Platform::from_arch_name(m.as_str())));
    }
    if !(whole.contains("apt") && whole.contains("install") && APT_INSTALL.is_match(whole)) {
        return;
    }
    for (s, e) in fragments(text) {
        let w = &text[s..e];
        let arch = w.contains(":amd64") || w.contains(":i386");
        if let Some(c) = arch.then(|| APT_PKG_ARCH.captures(w)).flatten() {
            let m = c.get(1).expect("group");
            found.push((s, s + m.end(), Hazard::ForeignApt, Platform::from_arch_name(m.as_str())));
        }
    }
}

/// Trigger 8: `deb [arch=amd64 signed-by=…] https://…` (a one-line apt source): on another
/// architecture apt skips the repository and its packages are not found.
fn apt_sources(text: &str, found: &mut Found) {
    static APT_ARCH: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"\bdeb(?:-src)?\s+\[[^\]\n]*?\barch=([A-Za-z0-9_,-]+)[\s\]]").expect("regex")
    });
    // Every match has `deb` and `arch=` (a pre-filter).
    let may = text.contains("deb") && text.contains("arch=");
    for c in may.then(|| APT_ARCH.captures_iter(text)).into_iter().flatten() {
        let m = c.get(1).expect("group");
        let arches: Option<Vec<Platform>> =
            m.as_str().split(',').map(Platform::from_arch_name).collect();
        let Some(arches) = arches.filter(|a| !a.is_empty()) else { continue };
        let first = arches.first().cloned();
        found.push((m.start(), m.end(), Hazard::AptSource { arches }, first));
    }
}

fn emulators(text: &str, found: &mut Found) {
    for (s, e) in fragments(text) {
        let w = &text[s..e];
        let name_start = w.rfind('/').map_or(0, |p| p + 1);
        let name = &w[name_start..];
        // A full-system emulator runs a virtual machine, the image's purpose; a static
        // user-mode one is installed for binfmt_misc: neither ties the command to the host.
        if name.starts_with("qemu-system-") || name.ends_with("-static") {
            continue;
        }
        let Some(c) = qemu(name) else { continue };
        let arch = c.get(1).and_then(|m| Platform::from_arch_name(m.as_str()));
        if arch.is_some() {
            found.push((s, e, Hazard::Emulator, arch));
        }
    }
}

/// What a test operand derives the architecture from, if it does (`uname -m`, `$TARGETARCH`,
/// `$arch`).
fn derivation(operand: &str, vars: &[String]) -> Option<String> {
    if let Some(m) = may_derive(operand).then(|| DERIVE.find(operand)).flatten() {
        let s = m.as_str().trim_start_matches("$(").trim_start_matches('`').trim();
        let s = s.trim_end_matches(['`', ')']).trim();
        return Some(if s.starts_with("${") {
            format!("${}", s.trim_start_matches("${"))
        } else {
            s.to_string()
        });
    }
    let mut names: Vec<&String> = vars.iter().collect();
    names.sort_by_key(|v| std::cmp::Reverse(v.len()));
    names
        .into_iter()
        .find(|v| references_var(operand, std::slice::from_ref(v)))
        .map(|v| format!("${v}"))
}

/// Whether a command list fails: `exit` (not `exit 0`), `false`, `return` (not `return 0`).
fn fails(text: &str, toks: &[Tok]) -> bool {
    toks.iter().enumerate().any(|(i, t)| {
        if t.kind != Kind::Word {
            return false;
        }
        match word(text, t) {
            "false" => true,
            "exit" | "return" => {
                toks.get(i + 1).is_none_or(|n| n.kind == Kind::Op || unquote(word(text, n)) != "0")
            }
            _ => false,
        }
    })
}

/// Tokens of the command list after an `&&`/`||` at `from`: a `{ … }` or `( … )` group, or
/// one pipeline.
fn consequent(text: &str, toks: &[Tok], from: usize) -> std::ops::Range<usize> {
    let Some(first) = toks.get(from) else { return from..from };
    let (open, close) = if is_word(text, first, "{") {
        ("{", "}")
    } else if is_op(text, first, "(") {
        ("(", ")")
    } else {
        let end = (from..toks.len())
            .find(|&k| {
                toks[k].kind == Kind::Op
                    && matches!(word(text, &toks[k]), ";" | ";;" | "\n" | "&&" | "||" | "&" | ")")
            })
            .unwrap_or(toks.len());
        return from..end;
    };
    let mut depth = 0usize;
    for (k, t) in toks.iter().enumerate().skip(from) {
        let w = word(text, t);
        if w == open {
            depth += 1;
        } else if w == close {
            depth = depth.saturating_sub(1);
            if depth == 0 {
                return from..k;
            }
        }
    }
    from..toks.len()
}

/// Trigger 6: a test of the derived architecture against a literal, whose failure ends the
/// command (`[ "$(uname -m)" = x86_64 ] || exit 1`, `if [ "$a" != amd64 ]; then exit 1; fi`,
/// `uname -m | grep -q x86_64 || exit 1`).
fn gates(text: &str, toks: &[Tok], vars: &[String], found: &mut Found) {
    for test in tests(text, toks) {
        let inner = &toks[test.inner.clone()];
        let Some(op_at) = inner
            .iter()
            .position(|t| t.kind == Kind::Word && matches!(word(text, t), "=" | "==" | "!="))
        else {
            continue;
        };
        let (Some(lhs_first), Some(rhs_last)) = (inner.first(), inner.last()) else { continue };
        if op_at == 0 || op_at + 1 >= inner.len() {
            continue;
        }
        let lhs = (lhs_first.start, inner[op_at - 1].end);
        let rhs = (inner[op_at + 1].start, rhs_last.end);
        let side = |r: (usize, usize)| text.get(r.0..r.1).unwrap_or_default();
        let (subject, lit) = match (derivation(side(lhs), vars), derivation(side(rhs), vars)) {
            (Some(s), None) => (s, rhs),
            (None, Some(s)) => (s, lhs),
            _ => continue,
        };
        let lit_text = side(lit);
        let bare = unquote(lit_text);
        let Some(arch) = Platform::from_arch_name(bare) else { continue };
        let equal = matches!(word(text, &inner[op_at]), "=" | "==") != test.negated;
        // Where the test's failure leads.
        // Only a plain `if`: a test after `elif` is one branch of a detection chain.
        if test.first_tok > 0 && is_word(text, &toks[test.first_tok - 1], "elif") {
            continue;
        }
        let after_if = test.first_tok > 0 && is_word(text, &toks[test.first_tok - 1], "if");
        let gate = if after_if {
            let Some(then) =
                (test.end_tok + 1..toks.len()).find(|&k| is_word(text, &toks[k], "then"))
            else {
                continue;
            };
            let body_end = (then + 1..toks.len())
                .find(|&k| {
                    matches!(word(text, &toks[k]), "else" | "elif" | "fi")
                        && toks[k].kind == Kind::Word
                })
                .unwrap_or(toks.len());
            if !equal {
                fails(text, &toks[then + 1..body_end])
            } else if toks.get(body_end).is_some_and(|t| is_word(text, t, "else")) {
                let fi = (body_end + 1..toks.len())
                    .find(|&k| is_word(text, &toks[k], "fi"))
                    .unwrap_or(toks.len());
                fails(text, &toks[body_end + 1..fi])
            } else {
                false
            }
        } else {
            match toks.get(test.end_tok + 1) {
                Some(n) if (is_op(text, n, "||") && equal) || (is_op(text, n, "&&") && !equal) => {
                    let r = consequent(text, toks, test.end_tok + 2);
                    fails(text, &toks[r])
                }
                _ => false,
            }
        };
        if gate {
            let offset = lit_text.find(bare).unwrap_or(0);
            let start = lit.0 + offset;
            found.push((start, start + bare.len(), Hazard::Gate { subject }, Some(arch)));
        }
    }
    // `uname -m | grep -q x86_64 || exit 1`
    for (i, t) in toks.iter().enumerate() {
        if !is_word(text, t, "grep") || i < 2 || !is_op(text, &toks[i - 1], "|") {
            continue;
        }
        let list_start = (0..i - 1)
            .rev()
            .find(|&k| toks[k].kind == Kind::Op && word(text, &toks[k]) != "|")
            .map_or(0, |k| k + 1);
        let source = text.get(toks[list_start].start..toks[i - 1].start).unwrap_or_default();
        let Some(subject) = derivation(source, vars) else { continue };
        let mut k = i + 1;
        let mut inverted = false;
        while let Some(f) =
            toks.get(k).filter(|f| f.kind == Kind::Word && word(text, f).starts_with('-'))
        {
            inverted |= word(text, f).contains('v');
            k += 1;
        }
        let Some(pat) = toks.get(k).filter(|p| p.kind == Kind::Word) else { continue };
        let bare = unquote(word(text, pat));
        let Some(arch) = Platform::from_arch_name(bare) else { continue };
        let gate = !inverted
            && toks.get(k + 1).is_some_and(|n| is_op(text, n, "||"))
            && fails(text, &toks[consequent(text, toks, k + 2)]);
        if gate {
            let start = pat.start + word(text, pat).find(bare).unwrap_or(0);
            found.push((start, start + bare.len(), Hazard::Gate { subject }, Some(arch)));
        }
    }
}

#[cfg(test)]
pub(crate) mod tests;

#[cfg(test)]
mod robustness;
