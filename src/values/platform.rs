//! OCI platforms (`os/arch[/variant]`), their normalisation and host compatibility, following
//! containerd's `platforms` package, and the many namings of an architecture.
//!
//! Every `Platform` this module returns is normalised like containerd `platforms.Normalize`:
//! lowercase, `x86_64` → `amd64`, `aarch64` → `arm64` (variant `v8` dropped), `armhf` →
//! `arm/v7`, `armel` → `arm/v6`, `arm` → `arm/v7`, `i386` → `386`. containerd maps nothing else:
//! `i686` and `armv7l` stay as written (unknown architectures that match only themselves).
//!
//! Note the naming clash: containerd (and so Docker) reads `armhf` as ARMv7, while Alpine's
//! `armhf` port is ARMv6; this module follows containerd.

use std::fmt;

/// A normalised platform: `linux/arm/v7`, `linux/arm64`, `windows/amd64`.
///
/// `variant` is `None` when the platform has none. For 32-bit ARM, [`Platform::from_k8s_arch`]
/// returns `arm` with `variant: None`, meaning "some 32-bit ARM, variant unknown" (Kubernetes
/// node labels cannot tell ARMv6 from ARMv7); [`compat`] treats it as ARMv7, as containerd
/// normalises a bare `arm`, since ARMv7 is what nearly all such nodes are.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Platform {
    pub os: String,
    pub arch: String,
    pub variant: Option<String>,
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.os, self.arch)?;
        if let Some(v) = &self.variant {
            write!(f, "/{v}")?;
        }
        Ok(())
    }
}

/// Operating systems containerd knows (`isKnownOS`, from Go's `syslist.go`).
const KNOWN_OS: &[&str] = &[
    "aix",
    "android",
    "darwin",
    "dragonfly",
    "freebsd",
    "hurd",
    "illumos",
    "ios",
    "js",
    "linux",
    "nacl",
    "netbsd",
    "openbsd",
    "plan9",
    "solaris",
    "windows",
    "zos",
];

/// Architectures containerd knows (`isKnownArch`): Go GOARCH values, which is also what the
/// Kubernetes `kubernetes.io/arch` label holds.
const KNOWN_ARCH: &[&str] = &[
    "386",
    "amd64",
    "amd64p32",
    "arm",
    "armbe",
    "arm64",
    "arm64be",
    "ppc64",
    "ppc64le",
    "loong64",
    "mips",
    "mipsle",
    "mips64",
    "mips64le",
    "mips64p32",
    "mips64p32le",
    "ppc",
    "riscv",
    "riscv64",
    "s390",
    "s390x",
    "sparc",
    "sparc64",
    "wasm",
];

/// The platforms a target may be: those of the Docker Official Images (the bashbrew table of
/// the reference, `docker-library/bashbrew` `architecture/oci-platform.go`), normalised.
pub const TARGET_PLATFORMS: &[&str] = &[
    "linux/amd64",
    "linux/arm64",
    "linux/arm/v7",
    "linux/arm/v6",
    "linux/arm/v5",
    "linux/386",
    "linux/riscv64",
    "linux/ppc64le",
    "linux/s390x",
    "linux/mips64le",
    "windows/amd64",
];

/// The target platform a mistyped one most likely means: an architecture written in another
/// naming (`linux/armv7` → `linux/arm/v7`, `aarch64`), else the closest name.
fn target_suggestion(s: &str) -> Option<&'static str> {
    let lower = s.trim().to_ascii_lowercase();
    let arch_part = lower.strip_prefix("linux/").unwrap_or(&lower);
    let by_name = Platform::from_arch_name(arch_part)
        .or_else(|| Platform::from_arch_name(&arch_part.replace('/', "")))
        .map(|p| p.to_string());
    if let Some(name) = by_name {
        if let Some(found) = TARGET_PLATFORMS.iter().find(|t| **t == name) {
            return Some(found);
        }
    }
    let with_os = if lower.contains('/') { lower.clone() } else { format!("linux/{lower}") };
    crate::suggest::closest(&with_os, TARGET_PLATFORMS)
}

/// containerd `normalizeOS`.
fn normalize_os(os: &str) -> String {
    let os = os.to_lowercase();
    if os == "macos" {
        "darwin".to_string()
    } else {
        os
    }
}

/// containerd `normalizeArch`, with `""` as "no variant".
fn normalize_arch(arch: &str, variant: &str) -> (String, String) {
    let arch = arch.to_lowercase();
    let variant = variant.to_lowercase();
    match arch.as_str() {
        "i386" => ("386".into(), String::new()),
        "x86_64" | "x86-64" | "amd64" => {
            ("amd64".into(), if variant == "v1" { String::new() } else { variant })
        }
        "aarch64" | "arm64" => (
            "arm64".into(),
            if variant == "8" || variant == "v8" { String::new() } else { variant },
        ),
        "armhf" => ("arm".into(), "v7".into()),
        "armel" => ("arm".into(), "v6".into()),
        "arm" => {
            let variant = match variant.as_str() {
                "" | "7" => "v7".to_string(),
                "5" | "6" | "8" => format!("v{variant}"),
                _ => variant,
            };
            ("arm".into(), variant)
        }
        _ => (arch, variant),
    }
}

fn some_variant(variant: String) -> Option<String> {
    (!variant.is_empty()).then_some(variant)
}

/// containerd's `specifierRe`: `^[A-Za-z0-9_.-]+$`.
fn is_specifier_part(part: &str) -> bool {
    !part.is_empty()
        && part.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
}

/// containerd's OS component: `name[(version[+feature]*)]`; returns the name.
fn os_name(part: &str) -> Option<&str> {
    let (name, options) = match part.split_once('(') {
        Some((name, rest)) => (name, Some(rest.strip_suffix(')')?)),
        None => (part, None),
    };
    let name_ok = !name.is_empty()
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-'));
    let options_ok = options.is_none_or(|o| {
        o.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'%' | b'-' | b'+'))
    });
    (name_ok && options_ok).then_some(name)
}

impl Platform {
    /// A normalised platform from its parts (`("linux", "aarch64", None)` → `linux/arm64`).
    pub fn new(os: &str, arch: &str, variant: Option<&str>) -> Platform {
        let (arch, variant) = normalize_arch(arch, variant.unwrap_or(""));
        Platform { os: normalize_os(os), arch, variant: some_variant(variant) }
    }

    /// This platform normalised (see the module doc); `arm` without a variant becomes `arm/v7`.
    pub fn normalize(&self) -> Platform {
        Platform::new(&self.os, &self.arch, self.variant.as_deref())
    }

    /// Whether [`Platform::normalize`] would return it unchanged, told without building the
    /// normalised copy (compatibility is checked for every image reference and target).
    pub fn is_normal(&self) -> bool {
        let lower = |s: &str| s.bytes().all(|b| b.is_ascii() && !b.is_ascii_uppercase());
        let variant = self.variant.as_deref();
        let os_ok = lower(&self.os) && self.os != "macos";
        let variant_ok = variant.is_none_or(|v| !v.is_empty() && lower(v));
        let arch_ok = lower(&self.arch)
            && match self.arch.as_str() {
                "i386" | "x86_64" | "x86-64" | "aarch64" | "armhf" | "armel" => false,
                "amd64" => variant != Some("v1"),
                "arm64" => !matches!(variant, Some("8" | "v8")),
                "arm" => !matches!(variant, None | Some("5" | "6" | "7" | "8")),
                _ => true,
            };
        os_ok && variant_ok && arch_ok
    }

    /// This platform normalised, borrowed when it already is.
    fn normalized(&self) -> std::borrow::Cow<'_, Platform> {
        if self.is_normal() {
            std::borrow::Cow::Borrowed(self)
        } else {
            std::borrow::Cow::Owned(self.normalize())
        }
    }

    /// Parse a platform specifier as `docker buildx --platform` and Compose `platform:` take it:
    /// `os/arch[/variant]`, or a bare architecture meaning Linux (`arm64` → `linux/arm64`).
    ///
    /// containerd's grammar and normalisation. Differences: a bare OS (`linux`) is an error here,
    /// because containerd fills in the host's architecture, which a linter cannot know; an OS
    /// version in parentheses (`windows(10.0.17763)`) is accepted and dropped.
    pub fn parse(s: &str) -> Result<Platform, String> {
        if s.contains('*') {
            return Err("wildcards are not supported in a platform".to_string());
        }
        let parts: Vec<&str> = s.splitn(4, '/').collect();
        let first = parts.first().copied().unwrap_or_default();
        let os = os_name(first).ok_or_else(|| {
            format!("`{first}` is not a valid OS; expected e.g. `linux/arm64` or `linux/arm/v7`")
        })?;
        for part in parts.iter().skip(1) {
            if !is_specifier_part(part) {
                return Err(format!(
                    "`{part}` is not a valid platform component; use letters, digits, `_`, `.` \
                     or `-`, e.g. `linux/arm/v7`"
                ));
            }
        }
        match parts.as_slice() {
            [single] => {
                let os = normalize_os(os);
                if KNOWN_OS.contains(&os.as_str()) {
                    return Err(format!(
                        "`{single}` names only an operating system; add the architecture, \
                         e.g. `{os}/arm64`"
                    ));
                }
                let (arch, variant) = normalize_arch(single, "");
                if !KNOWN_ARCH.contains(&arch.as_str()) {
                    return Err(format!(
                        "`{single}` is not a known operating system or architecture; \
                         expected e.g. `linux/arm64` or `arm64`"
                    ));
                }
                Ok(Platform { os: "linux".into(), arch, variant: some_variant(variant) })
            }
            [_, arch] => Ok(Platform::new(os, arch, None)),
            [_, arch, variant] => Ok(Platform::new(os, arch, Some(variant))),
            _ => Err(format!("`{s}` has too many parts; expected `os/arch[/variant]`")),
        }
    }

    /// Parse a *target* platform (`--platform`, `platforms:` in the configuration): what
    /// [`Platform::parse`] accepts, limited to the platforms the Docker Official Images publish
    /// ([`TARGET_PLATFORMS`], the reference's bashbrew table), so that a typo (`linux/arm65`,
    /// `linux/armv7`) is an error with the canonical name instead of a target no image serves.
    pub fn parse_target(s: &str) -> Result<Platform, String> {
        let parsed = Platform::parse(s);
        if let Ok(p) = &parsed {
            if TARGET_PLATFORMS.contains(&p.to_string().as_str()) {
                return Ok(p.clone());
            }
        }
        let hint = match target_suggestion(s) {
            Some(name) => format!("; did you mean `{name}`?"),
            None => format!("; known: {}", TARGET_PLATFORMS.join(", ")),
        };
        match parsed {
            Err(e) => Err(format!("{e}{hint}")),
            Ok(p) => Err(format!("`{p}` is not a platform edgelint knows as a target{hint}")),
        }
    }

    /// The platform of an official-images (bashbrew) architecture key (`arm32v6` →
    /// `linux/arm/v6`, `arm64v8` → `linux/arm64`, `windows-amd64` → `windows/amd64`).
    pub fn from_bashbrew(arch: &str) -> Option<Platform> {
        let (os, arch, variant) = match arch {
            "amd64" => ("linux", "amd64", None),
            "arm32v5" => ("linux", "arm", Some("v5")),
            "arm32v6" => ("linux", "arm", Some("v6")),
            "arm32v7" => ("linux", "arm", Some("v7")),
            "arm64v8" => ("linux", "arm64", Some("v8")),
            "i386" => ("linux", "386", None),
            "mips64le" => ("linux", "mips64le", None),
            "ppc64le" => ("linux", "ppc64le", None),
            "riscv64" => ("linux", "riscv64", None),
            "s390x" => ("linux", "s390x", None),
            "windows-amd64" => ("windows", "amd64", None),
            _ => return None,
        };
        Some(Platform::new(os, arch, variant))
    }

    /// The platform a Kubernetes `kubernetes.io/arch` label value selects (a Go GOARCH value,
    /// exact and lowercase, as the kubelet sets it). `arm` gives `linux/arm` with no variant:
    /// "any 32-bit ARM" (see [`Platform`]). Anything that is not a GOARCH value (`x86_64`,
    /// `aarch64`, `AMD64`) gives `None`: no node carries such a label.
    pub fn from_k8s_arch(label_value: &str) -> Option<Platform> {
        KNOWN_ARCH.contains(&label_value).then(|| Platform {
            os: "linux".into(),
            arch: label_value.into(),
            variant: None,
        })
    }
}

impl Platform {
    /// The Linux platform an architecture *name* stands for, in any of its namings:
    /// `TARGETARCH`/GOARCH (`amd64`, `arm`, `386`), `uname -m` (`x86_64`,
    /// `aarch64`, `armv7l`, `i686`), `dpkg --print-architecture` (`armhf`, `armel`, `i386`,
    /// `ppc64el`), `apk --print-arch` (`x86`, `armv7`) and release file names (`x64`, `linux64`,
    /// `win64`, `arm32`, `armv6l`). Case-insensitive; `None` for anything else.
    ///
    /// `armhf` is ARMv7 (Debian and containerd; Alpine's ARMv6 `armhf` is the clash noted above),
    /// `arm32` and a bare `arm` are ARMv7 too, `armv8l` (a 32-bit userland on an ARMv8 CPU) is
    /// `arm/v8`.
    pub fn from_arch_name(name: &str) -> Option<Platform> {
        let lower = name.to_ascii_lowercase();
        let (arch, variant) = match lower.as_str() {
            "amd64" | "x86_64" | "x86-64" | "x64" | "linux64" | "win64" => ("amd64", None),
            "386" | "i386" | "i486" | "i586" | "i686" | "x86" => ("386", None),
            "arm64" | "aarch64" | "armv8" | "arm64v8" => ("arm64", None),
            "arm" | "armhf" | "armv7" | "armv7l" | "armv7hl" | "arm32" | "arm32v7" => {
                ("arm", Some("v7"))
            }
            "armel" | "armv6" | "armv6l" | "armv6hl" | "arm32v6" => ("arm", Some("v6")),
            "armv5" | "armv5l" | "armv5tel" | "arm32v5" => ("arm", Some("v5")),
            "armv8l" => ("arm", Some("v8")),
            "ppc64le" | "ppc64el" => ("ppc64le", None),
            "s390x" => ("s390x", None),
            "riscv64" => ("riscv64", None),
            "mips64le" | "mips64el" => ("mips64le", None),
            "loong64" | "loongarch64" => ("loong64", None),
            _ => return None,
        };
        Some(Platform::new("linux", arch, variant))
    }
}

/// The architecture a file or stage name says it is for (`Dockerfile.arm64`, `build-amd64`,
/// `cross-builder-armv7`, `Dockerfile.x86`); `None` when it names none or several. A bare
/// `x86` in a name means amd64 here (`Dockerfile.x86` next to `Dockerfile.arm64`). Tokens are the
/// architecture names below, each bounded by `-`, `_`, `.` or the name's edges, so `charmed` or
/// `armbian` name none.
pub fn name_arch(name: &str) -> Option<Platform> {
    let mut found: Option<Platform> = None;
    let mut at = 0;
    while let Some((start, end)) = next_name_token(name, at) {
        let token = name[start..end].to_ascii_lowercase();
        let p = if token == "x86" {
            Platform::from_arch_name("amd64")
        } else {
            Platform::from_arch_name(&token)
        }?;
        if found.as_ref().is_some_and(|f| *f != p) {
            return None;
        }
        found = Some(p);
        at = end;
    }
    found
}

/// The architecture tokens of names, in the order of the alternation they replace:
/// `(?i)(?:^|[-_.])(x86[-_]64|amd64|x64|aarch64|arm64v8|arm64|arm32v[5-7]|armv[5-8]l?|armhf|armel|arm32|arm|i[3-6]86|x86|ppc64le|ppc64el|s390x|riscv64)(?:$|[-_.])`
/// (a hand-written scan: compiling that regex was an eighth of a one-file run).
const NAME_TOKENS: &[&str] = &[
    "x86-64", "x86_64", "amd64", "x64", "aarch64", "arm64v8", "arm64", "arm32v5", "arm32v6",
    "arm32v7", "armv5l", "armv5", "armv6l", "armv6", "armv7l", "armv7", "armv8l", "armv8", "armhf",
    "armel", "arm32", "arm", "i386", "i486", "i586", "i686", "x86", "ppc64le", "ppc64el", "s390x",
    "riscv64",
];

/// The first token of [`NAME_TOKENS`] whose separator before it (or the name's start) is at or
/// after `at`, bounded by `-`, `_`, `.` or the name's edges: (start, end) of the token. At a
/// position the first token in that order that is bounded wins, as in the regex; letters
/// compare as the regex's case-insensitive match does (ASCII case, and `ſ` for `s`).
fn next_name_token(name: &str, at: usize) -> Option<(usize, usize)> {
    let sep = |c: char| matches!(c, '-' | '_' | '.');
    // The end of `token` when `name` has it at `start`, then a separator or the end.
    let bounded_at = |start: usize, token: &str| -> Option<usize> {
        let mut chars = name.get(start..)?.char_indices();
        for want in token.chars() {
            let (_, c) = chars.next()?;
            let folded = if c == '\u{17f}' { 's' } else { c.to_ascii_lowercase() };
            if folded != want {
                return None;
            }
        }
        match chars.next() {
            None => Some(name.len()),
            Some((i, c)) if sep(c) => Some(start + i),
            Some(_) => None,
        }
    };
    let try_at =
        |start: usize| NAME_TOKENS.iter().find_map(|t| Some((start, bounded_at(start, t)?)));
    if at == 0 {
        if let Some(m) = try_at(0) {
            return Some(m);
        }
    }
    let rest = name.get(at..)?;
    rest.char_indices().filter(|&(_, c)| sep(c)).find_map(|(i, c)| try_at(at + i + c.len_utf8()))
}

/// Whether an image platform runs on a host platform.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Compat {
    /// Runs as is: the same platform, or one containerd picks for this host without help
    /// (an older ARM variant on 32-bit ARM, `386` on `amd64`, a lower micro-architecture level).
    Native,
    /// containerd accepts it but it needs optional support: 32-bit ARM images on an `arm64` host
    /// need a CPU with AArch32 and a kernel with `CONFIG_COMPAT` (absent on some SoCs and
    /// kernels, e.g. Apple silicon, recent Cortex-A cores, and 16K/64K-page kernels).
    Fallback,
    /// The host cannot run it (without emulation).
    Incompatible,
}

impl Compat {
    fn rank(self) -> u8 {
        match self {
            Compat::Native => 2,
            Compat::Fallback => 1,
            Compat::Incompatible => 0,
        }
    }
}

/// `"v7"` → 7, `"7"` → 7 (containerd trims one leading `v` and reads the rest as an integer).
fn variant_number(variant: &str) -> Option<u32> {
    variant.strip_prefix('v').unwrap_or(variant).parse().ok()
}

/// An arm64 variant as (major, minor): `""` is v8.0, `v8.2` → (8, 2), `v9` → (9, 0).
fn arm64_level(variant: &str) -> Option<(u32, u32)> {
    let variant = if variant.is_empty() { "v8" } else { variant };
    let (major, minor) = match variant.split_once('.') {
        Some((major, minor)) => (major, minor.parse().ok()?),
        None => (variant, 0),
    };
    Some((variant_number(major)?, minor))
}

/// Whether an `image` platform runs on a `host` platform, following containerd's
/// `platforms.Only(host)` (the `platformVector` order of compare.go):
///
/// - the OS must match;
/// - `arm/vN` hosts run `arm/vM` images for 5 ≤ M ≤ N (so an arm32v6-only image runs on
///   `linux/arm/v7`): [`Compat::Native`];
/// - `arm64` hosts run `arm64` images of the same or a lower level (`v9.x` also runs
///   `v8.{0..x+5}`): Native; and `arm/v8`…`arm/v5` images: [`Compat::Fallback`];
/// - `amd64` hosts run `amd64` images of the same or a lower level (`v3` runs `v2`, `v1`) and
///   `386` images: Native. `386` needs the kernel's IA32 emulation (`CONFIG_IA32_EMULATION`),
///   which standard distribution kernels enable;
/// - anything else must be equal.
///
/// Both sides are normalised first; `arm` without a variant counts as `arm/v7`.
pub fn compat(host: &Platform, image: &Platform) -> Compat {
    let host = host.normalized();
    let image = image.normalized();
    if host.os != image.os {
        return Compat::Incompatible;
    }
    if host == image {
        return Compat::Native;
    }
    let host_variant = host.variant.as_deref().unwrap_or("");
    let image_variant = image.variant.as_deref().unwrap_or("");
    let arm_accepts = |top: &str| {
        matches!(
            (variant_number(top), variant_number(image_variant)),
            (Some(top), Some(v)) if (5..=top).contains(&v)
        )
    };
    let accepted = match (host.arch.as_str(), image.arch.as_str()) {
        ("amd64", "amd64") => {
            let level = |v: &str| if v.is_empty() { Some(1) } else { variant_number(v) };
            matches!((level(host_variant), level(image_variant)), (Some(h), Some(i)) if i <= h)
        }
        ("amd64", "386") => image_variant.is_empty(),
        ("arm", "arm") => arm_accepts(host_variant),
        ("arm64", "arm64") => match (arm64_level(host_variant), arm64_level(image_variant)) {
            (Some((8, h)), Some((8, i))) => i <= h,
            (Some((9, h)), Some((9, i))) => i <= h,
            (Some((9, h)), Some((8, i))) => i <= h.saturating_add(5),
            _ => false,
        },
        ("arm64", "arm") => {
            // containerd appends platformVector(arm/<host variant>), with v8.x/v9.x as v8.
            let top = if host_variant.is_empty()
                || host_variant.starts_with("v8.")
                || host_variant.starts_with("v9.")
            {
                "v8"
            } else {
                host_variant
            };
            if arm_accepts(top) || top == image_variant {
                return Compat::Fallback;
            }
            false
        }
        _ => false,
    };
    if accepted {
        Compat::Native
    } else {
        Compat::Incompatible
    }
}

/// The best [`compat`] of any of `images` on `host` (`Incompatible` for an empty list).
pub fn best_compat(host: &Platform, images: &[Platform]) -> Compat {
    images
        .iter()
        .map(|image| compat(host, image))
        .max_by_key(|c| c.rank())
        .unwrap_or(Compat::Incompatible)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Platform {
        match Platform::parse(s) {
            Ok(p) => p,
            Err(e) => panic!("{s:?} should parse: {e}"),
        }
    }

    fn plat(os: &str, arch: &str, variant: Option<&str>) -> Platform {
        Platform { os: os.into(), arch: arch.into(), variant: variant.map(str::to_string) }
    }

    #[test]
    fn is_normal_says_exactly_whether_normalising_changes_it() {
        let oses = ["linux", "Linux", "windows", "macos", "darwin", "LİNUX", ""];
        let arches = [
            "amd64", "AMD64", "x86_64", "x86-64", "386", "i386", "arm64", "aarch64", "arm", "ARM",
            "armhf", "armel", "riscv64", "ppc64le", "s390x", "mips64le", "",
        ];
        let variants =
            [None, Some(""), Some("v1"), Some("v2"), Some("V2"), Some("v5"), Some("5"), Some("6")]
                .into_iter()
                .chain([Some("7"), Some("v7"), Some("8"), Some("v8"), Some("v8.2"), Some("v9")]);
        let variants: Vec<Option<&str>> = variants.collect();
        let mut normal = 0;
        for os in oses {
            for arch in arches {
                for &variant in &variants {
                    let platform = plat(os, arch, variant);
                    let expected = platform.normalize() == platform;
                    assert_eq!(platform.is_normal(), expected, "{platform:?}");
                    normal += usize::from(expected);
                }
            }
        }
        assert!(normal > 50, "the table must hold normal platforms too ({normal})");
    }

    #[test]
    fn normalisation_table() {
        // containerd `platforms.Normalize` cases.
        assert_eq!(p("linux/x86_64"), plat("linux", "amd64", None));
        assert_eq!(p("linux/x86-64"), plat("linux", "amd64", None));
        assert_eq!(p("linux/aarch64"), plat("linux", "arm64", None));
        assert_eq!(p("linux/aarch64/v8"), plat("linux", "arm64", None));
        assert_eq!(p("linux/arm64/v8"), plat("linux", "arm64", None));
        assert_eq!(p("linux/arm64/8"), plat("linux", "arm64", None));
        assert_eq!(p("linux/armhf"), plat("linux", "arm", Some("v7")));
        assert_eq!(p("linux/armel"), plat("linux", "arm", Some("v6")));
        assert_eq!(p("linux/arm"), plat("linux", "arm", Some("v7")));
        assert_eq!(p("linux/i386"), plat("linux", "386", None));
        // Variants.
        assert_eq!(p("linux/arm/7"), plat("linux", "arm", Some("v7")));
        assert_eq!(p("linux/arm/6"), plat("linux", "arm", Some("v6")));
        assert_eq!(p("linux/arm/5"), plat("linux", "arm", Some("v5")));
        assert_eq!(p("linux/arm/8"), plat("linux", "arm", Some("v8")));
        assert_eq!(p("linux/arm/v6"), plat("linux", "arm", Some("v6")));
        assert_eq!(p("linux/amd64/v1"), plat("linux", "amd64", None));
        assert_eq!(p("linux/amd64/v3"), plat("linux", "amd64", Some("v3")));
        assert_eq!(p("linux/arm64/v8.2"), plat("linux", "arm64", Some("v8.2")));
        // Case, OS aliases, and what containerd does *not* map.
        assert_eq!(p("Linux/ARM64"), plat("linux", "arm64", None));
        assert_eq!(p("linux/arm/V7"), plat("linux", "arm", Some("v7")));
        assert_eq!(p("macos/arm64"), plat("darwin", "arm64", None));
        assert_eq!(p("linux/i686"), plat("linux", "i686", None));
        assert_eq!(p("linux/armv7l"), plat("linux", "armv7l", None));
        assert_eq!(p("windows/amd64"), plat("windows", "amd64", None));
        assert_eq!(p("windows(10.0.17763)/amd64"), plat("windows", "amd64", None));
        assert_eq!(p("linux/ppc64le"), plat("linux", "ppc64le", None));
    }

    #[test]
    fn bare_architecture_means_linux() {
        assert_eq!(p("arm64"), plat("linux", "arm64", None));
        assert_eq!(p("amd64"), plat("linux", "amd64", None));
        assert_eq!(p("x86_64"), plat("linux", "amd64", None));
        assert_eq!(p("aarch64"), plat("linux", "arm64", None));
        assert_eq!(p("arm"), plat("linux", "arm", Some("v7")));
        assert_eq!(p("armhf"), plat("linux", "arm", Some("v7")));
        assert_eq!(p("armel"), plat("linux", "arm", Some("v6")));
        assert_eq!(p("i386"), plat("linux", "386", None));
        assert_eq!(p("riscv64"), plat("linux", "riscv64", None));
    }

    #[test]
    fn parse_errors() {
        for bad in ["", "linux/", "/arm64", "linux//v7", "linux/arm/v7/x", "linux/*", "a b/c"] {
            assert!(Platform::parse(bad).is_err(), "{bad:?}");
        }
        assert!(Platform::parse("linux").unwrap_err().contains("add the architecture"));
        assert!(Platform::parse("i686").unwrap_err().contains("not a known"));
        assert!(Platform::parse("linux/arm v7").is_err());
        assert!(Platform::parse("windows(10/amd64").is_err());
    }

    #[test]
    fn targets_are_the_official_platforms_with_suggestions() {
        let t = |s: &str| Platform::parse_target(s).map(|p| p.to_string());
        for (input, want) in [
            ("linux/arm/v7", "linux/arm/v7"),
            ("linux/arm", "linux/arm/v7"),
            ("armhf", "linux/arm/v7"),
            ("aarch64", "linux/arm64"),
            ("linux/arm64/v8", "linux/arm64"),
            ("riscv64", "linux/riscv64"),
            ("linux/x86_64", "linux/amd64"),
            ("windows/amd64", "windows/amd64"),
        ] {
            assert_eq!(t(input).as_deref(), Ok(want), "{input}");
        }
        let err = |s: &str| Platform::parse_target(s).unwrap_err();
        assert!(
            err("linux/armv7").ends_with("did you mean `linux/arm/v7`?"),
            "{}",
            err("linux/armv7")
        );
        assert!(err("linux/armv7l").ends_with("did you mean `linux/arm/v7`?"));
        assert!(err("armv6l").ends_with("did you mean `linux/arm/v6`?"), "{}", err("armv6l"));
        assert!(
            err("linux/arm65").ends_with("did you mean `linux/arm64`?"),
            "{}",
            err("linux/arm65")
        );
        assert!(err("linux/riscv46").ends_with("did you mean `linux/riscv64`?"));
        assert!(err("linux/arm/7a").contains("not a platform edgelint knows"));
        assert!(err("linux").contains("add the architecture"));
        assert!(err("plan9/zzz").contains("known: linux/amd64, "), "{}", err("plan9/zzz"));
        // Every listed target parses to itself.
        for name in TARGET_PLATFORMS {
            assert_eq!(t(name).as_deref(), Ok(*name));
        }
    }

    #[test]
    fn display_round_trips() {
        for s in ["linux/arm/v7", "linux/arm64", "windows/amd64", "linux/amd64/v3"] {
            assert_eq!(p(s).to_string(), s);
        }
    }

    #[test]
    fn architecture_names_of_every_naming() {
        let name = |s: &str| Platform::from_arch_name(s).map(|p| p.to_string());
        for (input, want) in [
            ("x86_64", "linux/amd64"),
            ("AMD64", "linux/amd64"),
            ("x64", "linux/amd64"),
            ("linux64", "linux/amd64"),
            ("i686", "linux/386"),
            ("x86", "linux/386"),
            ("aarch64", "linux/arm64"),
            ("armv8", "linux/arm64"),
            ("armhf", "linux/arm/v7"),
            ("armv7l", "linux/arm/v7"),
            ("arm", "linux/arm/v7"),
            ("armel", "linux/arm/v6"),
            ("armv6l", "linux/arm/v6"),
            ("armv5l", "linux/arm/v5"),
            ("armv8l", "linux/arm/v8"),
            ("ppc64el", "linux/ppc64le"),
        ] {
            assert_eq!(name(input).as_deref(), Some(want), "{input}");
        }
        assert_eq!(name("base64"), None);
        assert_eq!(name(""), None);
    }

    #[test]
    fn bashbrew_keys() {
        let b = |k: &str| Platform::from_bashbrew(k);
        assert_eq!(b("amd64"), Some(plat("linux", "amd64", None)));
        assert_eq!(b("arm32v5"), Some(plat("linux", "arm", Some("v5"))));
        assert_eq!(b("arm32v6"), Some(plat("linux", "arm", Some("v6"))));
        assert_eq!(b("arm32v7"), Some(plat("linux", "arm", Some("v7"))));
        assert_eq!(b("arm64v8"), Some(plat("linux", "arm64", None)));
        assert_eq!(b("i386"), Some(plat("linux", "386", None)));
        assert_eq!(b("mips64le"), Some(plat("linux", "mips64le", None)));
        assert_eq!(b("ppc64le"), Some(plat("linux", "ppc64le", None)));
        assert_eq!(b("riscv64"), Some(plat("linux", "riscv64", None)));
        assert_eq!(b("s390x"), Some(plat("linux", "s390x", None)));
        assert_eq!(b("windows-amd64"), Some(plat("windows", "amd64", None)));
        assert_eq!(b("arm64"), None);
        assert_eq!(b("windows-1809"), None);
    }

    #[test]
    fn k8s_arch_labels() {
        let k = |v: &str| Platform::from_k8s_arch(v);
        assert_eq!(k("amd64"), Some(plat("linux", "amd64", None)));
        assert_eq!(k("arm64"), Some(plat("linux", "arm64", None)));
        assert_eq!(k("arm"), Some(plat("linux", "arm", None)));
        assert_eq!(k("386"), Some(plat("linux", "386", None)));
        assert_eq!(k("riscv64"), Some(plat("linux", "riscv64", None)));
        assert_eq!(k("x86_64"), None);
        assert_eq!(k("aarch64"), None);
        assert_eq!(k("AMD64"), None);
        assert_eq!(k("armhf"), None);
        assert_eq!(k(""), None);
    }

    #[test]
    fn compat_table() {
        use Compat::*;
        let c = |h: &str, i: &str| compat(&p(h), &p(i));
        // arm/v7 host: v7, v6, v5.
        assert_eq!(c("linux/arm/v7", "linux/arm/v7"), Native);
        assert_eq!(c("linux/arm/v7", "linux/arm/v6"), Native);
        assert_eq!(c("linux/arm/v7", "linux/arm/v5"), Native);
        assert_eq!(c("linux/arm/v7", "linux/arm/v8"), Incompatible);
        assert_eq!(c("linux/arm/v7", "linux/arm64"), Incompatible);
        assert_eq!(c("linux/arm/v7", "linux/amd64"), Incompatible);
        // arm/v6 host: v6, v5 only.
        assert_eq!(c("linux/arm/v6", "linux/arm/v6"), Native);
        assert_eq!(c("linux/arm/v6", "linux/arm/v5"), Native);
        assert_eq!(c("linux/arm/v6", "linux/arm/v7"), Incompatible);
        assert_eq!(c("linux/arm/v5", "linux/arm/v6"), Incompatible);
        // arm64 host: arm64 natively, 32-bit ARM as a fallback.
        assert_eq!(c("linux/arm64", "linux/arm64"), Native);
        assert_eq!(c("linux/arm64", "linux/arm64/v8"), Native);
        assert_eq!(c("linux/arm64", "linux/arm/v8"), Fallback);
        assert_eq!(c("linux/arm64", "linux/arm/v7"), Fallback);
        assert_eq!(c("linux/arm64", "linux/arm/v6"), Fallback);
        assert_eq!(c("linux/arm64", "linux/arm/v5"), Fallback);
        assert_eq!(c("linux/arm64", "linux/amd64"), Incompatible);
        assert_eq!(c("linux/arm64", "linux/arm64/v8.2"), Incompatible);
        assert_eq!(c("linux/arm64/v8.2", "linux/arm64"), Native);
        assert_eq!(c("linux/arm64/v8.2", "linux/arm64/v8.1"), Native);
        assert_eq!(c("linux/arm64/v9.1", "linux/arm64/v8.6"), Native);
        assert_eq!(c("linux/arm64/v9.1", "linux/arm64/v8.7"), Incompatible);
        assert_eq!(c("linux/arm64/v9", "linux/arm64/v9.1"), Incompatible);
        assert_eq!(c("linux/arm64/v9.2", "linux/arm/v7"), Fallback);
        // amd64 host: amd64 and 386.
        assert_eq!(c("linux/amd64", "linux/amd64"), Native);
        assert_eq!(c("linux/amd64", "linux/386"), Native);
        assert_eq!(c("linux/amd64", "linux/amd64/v2"), Incompatible);
        assert_eq!(c("linux/amd64/v3", "linux/amd64/v2"), Native);
        assert_eq!(c("linux/amd64/v3", "linux/amd64"), Native);
        assert_eq!(c("linux/amd64/v3", "linux/386"), Native);
        assert_eq!(c("linux/amd64", "linux/arm64"), Incompatible);
        assert_eq!(c("linux/386", "linux/amd64"), Incompatible);
        // The OS must match.
        assert_eq!(c("linux/amd64", "windows/amd64"), Incompatible);
        assert_eq!(c("windows/amd64", "windows/amd64"), Native);
        // Others: equality only.
        assert_eq!(c("linux/riscv64", "linux/riscv64"), Native);
        assert_eq!(c("linux/s390x", "linux/ppc64le"), Incompatible);
    }

    #[test]
    fn arm32v6_only_image_satisfies_arm_v7_target() {
        let target = p("linux/arm/v7");
        let images: Vec<Platform> = ["amd64", "arm32v6", "arm64v8"]
            .iter()
            .filter_map(|k| Platform::from_bashbrew(k))
            .collect();
        assert_eq!(best_compat(&target, &images), Compat::Native);
    }

    #[test]
    fn unspecified_arm_node_is_treated_as_v7() {
        let node = Platform::from_k8s_arch("arm").expect("arm is a GOARCH");
        assert_eq!(compat(&node, &p("linux/arm/v7")), Compat::Native);
        assert_eq!(compat(&node, &p("linux/arm/v6")), Compat::Native);
        assert_eq!(compat(&node, &p("linux/arm64")), Compat::Incompatible);
        // An image manifest that says just `arm` is arm/v7 too.
        assert_eq!(compat(&p("linux/arm/v6"), &plat("linux", "arm", None)), Compat::Incompatible);
        assert_eq!(compat(&p("linux/arm/v7"), &plat("linux", "arm", None)), Compat::Native);
    }

    #[test]
    fn best_over_a_list() {
        let host = p("linux/arm64");
        assert_eq!(best_compat(&host, &[]), Compat::Incompatible);
        assert_eq!(best_compat(&host, &[p("linux/amd64")]), Compat::Incompatible);
        assert_eq!(best_compat(&host, &[p("linux/amd64"), p("linux/arm/v7")]), Compat::Fallback);
        assert_eq!(
            best_compat(&host, &[p("linux/arm/v7"), p("linux/arm64"), p("linux/amd64")]),
            Compat::Native
        );
        // A mongo-like image: amd64 + arm64 only, on a Pi running 32-bit Raspberry Pi OS.
        let pi32 = p("linux/arm/v7");
        assert_eq!(best_compat(&pi32, &[p("linux/amd64"), p("linux/arm64")]), Compat::Incompatible);
    }
}
