//! Architecture knowledge base: the OCI platforms each image tag is published for, so rules can
//! tell that `mysql:8.4` has no `linux/arm/v7` build without network access.
//!
//! Two tables are embedded and parsed once, on first use:
//! - `data/archdb.tsv`, generated from the official-images `library/` files by
//!   [`generate::generate`] (Docker Official Images, `docker.io/library/<image>`);
//! - `data/archdb-extra.tsv`, hand-written facts about images outside that library (retired
//!   `centos` tags, `mcr.microsoft.com/mssql/server`, Windows base images), each with its source.
//!
//! Lookups never do I/O and never allocate.

pub mod generate;

use std::collections::HashMap;
use std::sync::LazyLock;

/// The generated table (see the header of the file for its format and provenance).
const TABLE: &str = include_str!("../../data/archdb.tsv");
/// The hand-written supplement (see the header of the file for its format).
const EXTRA: &str = include_str!("../../data/archdb-extra.tsv");

/// The date of the official-images commit the generated table was made from, as its header
/// says (`… at commit <sha> (YYYY-MM-DD).`), for `edgelint --version`; `unknown` if the header
/// does not say.
pub fn table_date() -> &'static str {
    TABLE
        .lines()
        .take_while(|l| l.starts_with('#'))
        .find_map(|l| {
            let (_, rest) = l.split_once(" at commit ")?;
            let date = rest.split_once('(')?.1.split_once(')')?.0;
            let is_date = date.len() == 10
                && date.char_indices().all(|(i, c)| {
                    if i == 4 || i == 7 {
                        c == '-'
                    } else {
                        c.is_ascii_digit()
                    }
                });
            is_date.then_some(date)
        })
        .unwrap_or("unknown")
}

/// Architecture names used by official-images (bashbrew) and in both tables, with their OCI
/// platforms (`docker-library/bashbrew:architecture/oci-platform.go`). `arm64v8` is written
/// `linux/arm64`: bashbrew says `linux/arm64/v8`, but containerd's
/// `normalizeArch` drops the `v8` variant of arm64, so `linux/arm64` is what hosts compare.
const ARCHES: &[(&str, &str)] = &[
    ("amd64", "linux/amd64"),
    ("arm32v5", "linux/arm/v5"),
    ("arm32v6", "linux/arm/v6"),
    ("arm32v7", "linux/arm/v7"),
    ("arm64v8", "linux/arm64"),
    ("i386", "linux/386"),
    ("mips64le", "linux/mips64le"),
    ("ppc64le", "linux/ppc64le"),
    ("riscv64", "linux/riscv64"),
    ("s390x", "linux/s390x"),
    ("windows-amd64", "windows/amd64"),
];

/// The OCI platform of an official-images architecture name (`arm32v7` → `linux/arm/v7`).
pub fn oci_platform(arch: &str) -> Option<&'static str> {
    ARCHES.iter().find(|(name, _)| *name == arch).map(|(_, platform)| *platform)
}

/// Normalised-name prefix of the Docker Official Images.
const OFFICIAL_PREFIX: &str = "docker.io/library/";

/// What the knowledge base says about an image reference.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lookup {
    /// The tag is published for exactly these OCI platforms (`linux/amd64`, `linux/arm/v7`,
    /// `windows/amd64`, …), sorted. `arm64` is written `linux/arm64` (no `v8` variant).
    Known(&'static [&'static str]),
    /// The image is known but this tag is not (a newer, older or misspelt tag).
    UnknownTag,
    /// Nothing is known about the image.
    UnknownImage,
}

/// Looks up the platforms of `name:tag`. `name` is the normalised repository name:
/// `docker.io/library/python` for official images, `mcr.microsoft.com/mssql/server` otherwise.
/// Tags compare exactly (they are case-sensitive).
pub fn lookup(name: &str, tag: &str) -> Lookup {
    let db: &'static Db = &DB;
    let mut known = false;
    for image in db.images_for(name) {
        known = true;
        if let Some(platforms) = image.platforms(tag).and_then(|set| db.set(set)) {
            return Lookup::Known(platforms);
        }
    }
    if known {
        Lookup::UnknownTag
    } else {
        Lookup::UnknownImage
    }
}

/// Whether the knowledge base knows any tag of the image `name` (normalised, as in [`lookup`]).
pub fn knows_image(name: &str) -> bool {
    DB.images_for(name).next().is_some()
}

/// The tags of one image; values index [`Db::sets`].
#[derive(Default)]
struct Image {
    tags: HashMap<&'static str, usize>,
    /// Platforms of every other tag (`*` in the extra table).
    any_tag: Option<usize>,
}

impl Image {
    fn platforms(&self, tag: &str) -> Option<usize> {
        self.tags.get(tag).copied().or(self.any_tag)
    }
}

/// Both tables, parsed.
#[derive(Default)]
struct Db {
    /// Distinct platform sets, each sorted and deduplicated.
    sets: Vec<Box<[&'static str]>>,
    /// Generated table, keyed by the official image name without `docker.io/library/`.
    official: HashMap<&'static str, Image>,
    /// Extra table, exact repository names.
    extra: HashMap<&'static str, Image>,
    /// Extra table, `prefix/*` repository wildcards: (`prefix/`, image), longest prefix first.
    extra_prefixes: Vec<(&'static str, Image)>,
    /// Data lines that did not parse (a test asserts there are none).
    malformed_lines: usize,
}

static DB: LazyLock<Db> = LazyLock::new(|| {
    let mut builder = Builder::default();
    builder.load_table(TABLE);
    builder.load_extra(EXTRA);
    builder.finish()
});

impl Db {
    fn set(&'static self, index: usize) -> Option<&'static [&'static str]> {
        self.sets.get(index).map(|set| &**set)
    }

    /// Every table entry that describes `name`, most specific first: the generated table, the
    /// exact extra entry, then matching extra wildcards (longest prefix first).
    fn images_for<'a>(&'static self, name: &'a str) -> impl Iterator<Item = &'static Image> + 'a {
        let official =
            name.strip_prefix(OFFICIAL_PREFIX).and_then(|short| self.official.get(short));
        let extra = self.extra.get(name);
        let prefixed = self.extra_prefixes.iter().filter_map(move |(prefix, image)| {
            (name.len() > prefix.len() && name.starts_with(prefix)).then_some(image)
        });
        official.into_iter().chain(extra).chain(prefixed)
    }
}

#[derive(Default)]
struct Builder {
    db: Db,
    set_index: HashMap<Vec<&'static str>, usize>,
}

impl Builder {
    /// Interns a comma-separated architecture list as OCI platforms; `None` if it is empty or
    /// names an unknown architecture.
    fn intern(&mut self, arches: &str) -> Option<usize> {
        let mut set = arches
            .split(',')
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .map(oci_platform)
            .collect::<Option<Vec<&'static str>>>()?;
        if set.is_empty() {
            return None;
        }
        set.sort_unstable();
        set.dedup();
        if let Some(&index) = self.set_index.get(&set) {
            return Some(index);
        }
        let index = self.db.sets.len();
        self.db.sets.push(set.clone().into_boxed_slice());
        self.set_index.insert(set, index);
        Some(index)
    }

    /// Data lines of a table: not blank, not `#` comments, split on tabs.
    fn rows(text: &'static str) -> impl Iterator<Item = Vec<&'static str>> {
        text.lines()
            .filter(|line| !line.trim().is_empty() && !line.starts_with('#'))
            .map(|line| line.split('\t').map(str::trim).collect())
    }

    /// Generated table rows: `image TAB architectures TAB tags`.
    fn load_table(&mut self, text: &'static str) {
        for row in Self::rows(text) {
            let [name, arches, tags] = row[..] else {
                self.db.malformed_lines = self.db.malformed_lines.saturating_add(1);
                continue;
            };
            let Some(set) = self.intern(arches).filter(|_| !name.is_empty()) else {
                self.db.malformed_lines = self.db.malformed_lines.saturating_add(1);
                continue;
            };
            let image = self.db.official.entry(name).or_default();
            add_tags(image, tags, set);
        }
    }

    /// Extra table rows: `repository TAB architectures TAB tags TAB source`, where the repository
    /// may end in `/*` and the tags may be `*`.
    fn load_extra(&mut self, text: &'static str) {
        for row in Self::rows(text) {
            let [name, arches, tags, _source] = row[..] else {
                self.db.malformed_lines = self.db.malformed_lines.saturating_add(1);
                continue;
            };
            let Some(set) = self.intern(arches).filter(|_| !name.is_empty()) else {
                self.db.malformed_lines = self.db.malformed_lines.saturating_add(1);
                continue;
            };
            let image = match name.strip_suffix('*').filter(|prefix| prefix.ends_with('/')) {
                Some(prefix) => {
                    let position = self.db.extra_prefixes.iter().position(|(p, _)| *p == prefix);
                    let position = position.unwrap_or_else(|| {
                        self.db.extra_prefixes.push((prefix, Image::default()));
                        self.db.extra_prefixes.len().saturating_sub(1)
                    });
                    match self.db.extra_prefixes.get_mut(position) {
                        Some((_, image)) => image,
                        None => continue,
                    }
                }
                None => self.db.extra.entry(name).or_default(),
            };
            add_tags(image, tags, set);
        }
    }

    fn finish(mut self) -> Db {
        // Longest prefix first, so the most specific wildcard answers.
        self.db.extra_prefixes.sort_by(|(a, _), (b, _)| b.len().cmp(&a.len()).then(a.cmp(b)));
        self.db
    }
}

/// Records `set` for each comma-separated tag; `*` stands for every tag not listed elsewhere.
/// A tag listed on several rows keeps its first row.
fn add_tags(image: &mut Image, tags: &'static str, set: usize) {
    image.tags.reserve(tags.bytes().filter(|&b| b == b',').count().saturating_add(1));
    for tag in tags.split(',').map(str::trim).filter(|t| !t.is_empty()) {
        if tag == "*" {
            image.any_tag.get_or_insert(set);
        } else {
            image.tags.entry(tag).or_insert(set);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const AMD64: &str = "linux/amd64";
    const ARM64: &str = "linux/arm64";
    const ARM_V5: &str = "linux/arm/v5";
    const ARM_V6: &str = "linux/arm/v6";
    const ARM_V7: &str = "linux/arm/v7";
    const I386: &str = "linux/386";
    const PPC64LE: &str = "linux/ppc64le";
    const RISCV64: &str = "linux/riscv64";
    const S390X: &str = "linux/s390x";
    const WINDOWS: &str = "windows/amd64";

    fn official(image: &str, tag: &str) -> Lookup {
        lookup(&format!("{OFFICIAL_PREFIX}{image}"), tag)
    }

    fn known(platforms: &'static [&'static str]) -> Lookup {
        Lookup::Known(platforms)
    }

    #[test]
    fn tables_parse_completely() {
        assert_eq!(DB.malformed_lines, 0);
        let platforms = [
            AMD64,
            ARM64,
            ARM_V5,
            ARM_V6,
            ARM_V7,
            I386,
            "linux/mips64le",
            PPC64LE,
            RISCV64,
            S390X,
            WINDOWS,
        ];
        for set in &DB.sets {
            assert!(set.windows(2).all(|w| w[0] < w[1]), "{set:?} not sorted");
            assert!(set.iter().all(|p| platforms.contains(p)), "{set:?}");
        }
        assert!(DB.official.len() > 100);
    }

    #[test]
    fn python_linux_tags_and_windows_union() {
        // library/python: `3.12` is a SharedTag of the trixie entry only (no Windows 3.12 entry
        // at this commit); `3.14`/`latest` are shared with the two windowsservercore entries.
        assert_eq!(
            official("python", "3.12"),
            known(&[I386, AMD64, ARM_V5, ARM_V7, ARM64, PPC64LE, RISCV64, S390X])
        );
        assert_eq!(official("python", "3.12-trixie"), official("python", "3.12"));
        assert_eq!(
            official("python", "3.14"),
            known(&[I386, AMD64, ARM_V5, ARM_V7, ARM64, PPC64LE, RISCV64, S390X, WINDOWS])
        );
        assert_eq!(official("python", "latest"), official("python", "3.14"));
        assert_eq!(official("python", "3.14-windowsservercore"), known(&[WINDOWS]));
        assert_eq!(official("python", "3.14-windowsservercore-ltsc2022"), known(&[WINDOWS]));
    }

    #[test]
    fn mysql_has_no_arm32() {
        assert_eq!(official("mysql", "8.4"), known(&[AMD64, ARM64]));
        assert_eq!(official("mysql", "8.4-oracle"), known(&[AMD64, ARM64]));
    }

    #[test]
    fn eclipse_mosquitto_inherits_global_architectures_with_arm_v6() {
        assert_eq!(
            official("eclipse-mosquitto", "2"),
            known(&[I386, AMD64, ARM_V6, ARM64, PPC64LE, S390X])
        );
    }

    #[test]
    fn node_24_dropped_arm32_but_node_22_has_it() {
        assert_eq!(official("node", "24"), known(&[AMD64, ARM64, PPC64LE]));
        assert_eq!(official("node", "24-alpine"), known(&[AMD64, ARM64, S390X]));
        assert_eq!(official("node", "22"), known(&[AMD64, ARM_V7, ARM64, PPC64LE]));
        assert_eq!(official("node", "22-alpine"), known(&[AMD64, ARM_V6, ARM_V7, ARM64, S390X]));
    }

    #[test]
    fn percona_is_amd64_only() {
        for tag in ["8.0", "8", "8-centos", "ps-8.0", "psmdb-8.0", "psmdb-6.0"] {
            assert_eq!(official("percona", tag), known(&[AMD64]), "percona:{tag}");
        }
    }

    #[test]
    fn mongo_has_no_arm32_and_shares_tags_with_windows() {
        assert_eq!(official("mongo", "8.0"), known(&[AMD64, ARM64, WINDOWS]));
        assert_eq!(official("mongo", "8.0-noble"), known(&[AMD64, ARM64]));
        assert_eq!(official("mongo", "8.0-nanoserver"), known(&[WINDOWS]));
        assert_eq!(official("mongo", "7"), known(&[AMD64, ARM64, WINDOWS]));
        assert_eq!(official("mongo", "7-jammy"), known(&[AMD64, ARM64]));
    }

    #[test]
    fn centos_comes_from_the_extra_table() {
        assert!(knows_image("docker.io/library/centos"));
        assert_eq!(official("centos", "6"), known(&[I386, AMD64]));
        assert_eq!(official("centos", "centos6"), known(&[I386, AMD64]));
        assert_eq!(official("centos", "8"), known(&[AMD64, ARM64, PPC64LE]));
        assert_eq!(official("centos", "7"), known(&[I386, AMD64, ARM_V7, ARM64, PPC64LE]));
        assert_eq!(official("centos", "6.10"), Lookup::UnknownTag);
    }

    #[test]
    fn retired_mysql_5_comes_from_the_extra_table() {
        assert_eq!(official("mysql", "5.7"), known(&[AMD64]));
        assert_eq!(official("mysql", "5.6"), known(&[AMD64]));
        assert_eq!(official("mysql", "5.5"), Lookup::UnknownTag);
    }

    #[test]
    fn mssql_is_amd64_only_for_every_tag() {
        let name = "mcr.microsoft.com/mssql/server";
        assert!(knows_image(name));
        assert_eq!(lookup(name, "2022-latest"), known(&[AMD64]));
        assert_eq!(lookup(name, "2019-CU27-ubuntu-20.04"), known(&[AMD64]));
        assert_eq!(lookup("mcr.microsoft.com/mssql/server2", "x"), Lookup::UnknownImage);
    }

    #[test]
    fn windows_repositories_match_by_prefix() {
        for name in [
            "mcr.microsoft.com/windows/servercore",
            "mcr.microsoft.com/windows/nanoserver",
            "mcr.microsoft.com/windows/servercore/iis",
            "mcr.microsoft.com/windows",
        ] {
            assert!(knows_image(name), "{name}");
            assert_eq!(lookup(name, "ltsc2022"), known(&[WINDOWS]), "{name}");
        }
        assert!(!knows_image("mcr.microsoft.com/windowsfoo"));
        assert!(!knows_image("mcr.microsoft.com/windows/"));
    }

    #[test]
    fn unknown_image_and_unknown_tag() {
        assert_eq!(official("no-such-image-xyz", "latest"), Lookup::UnknownImage);
        assert!(!knows_image("docker.io/library/no-such-image-xyz"));
        assert_eq!(lookup("ghcr.io/example/app", "1.0"), Lookup::UnknownImage);
        // Only the normalised name is accepted.
        assert_eq!(lookup("python", "3.12"), Lookup::UnknownImage);
        assert!(knows_image("docker.io/library/python"));
        assert_eq!(official("python", "2.7"), Lookup::UnknownTag);
        assert_eq!(official("python", ""), Lookup::UnknownTag);
        // Withdrawn images (library file without tagged entries) are unknown.
        assert_eq!(official("clefos", "latest"), Lookup::UnknownImage);
    }

    #[test]
    fn builder_wildcards_and_precedence() {
        let mut builder = Builder::default();
        builder.load_table(
            "# comment\nimg\tarm64v8, amd64,amd64\t1,2\nbad line\nimg\tsparc\t5\nimg\t\t6\n",
        );
        builder.load_extra(
            "example.com/a/*\ts390x\t*\ts\n\
             example.com/a/b/*\ti386\t*\ts\n\
             example.com/a/b/c\tarm32v7\t1\ts\n\
             docker.io/library/img\twindows-amd64\t3,*\ts\n\
             \tamd64\t*\ts\n\
             example.com/x\tamd64\t*\n",
        );
        let db: &'static Db = Box::leak(Box::new(builder.finish()));
        assert_eq!(db.malformed_lines, 5);
        let get = |name: &str, tag: &str| {
            db.images_for(name).find_map(|i| i.platforms(tag)).and_then(|s| db.set(s))
        };
        assert_eq!(get("docker.io/library/img", "1"), Some(&[AMD64, ARM64][..]));
        assert_eq!(get("docker.io/library/img", "3"), Some(&[WINDOWS][..]));
        assert_eq!(get("docker.io/library/img", "9"), Some(&[WINDOWS][..]));
        assert_eq!(get("example.com/a/b/c", "1"), Some(&[ARM_V7][..]));
        assert_eq!(get("example.com/a/b/c", "2"), Some(&[I386][..]));
        assert_eq!(get("example.com/a/x", "2"), Some(&[S390X][..]));
        assert_eq!(get("example.com/a", "2"), None);
    }
}
