#!/usr/bin/env python3
"""The rule reference site: generated from rules/*.md and the rule registry, built by MkDocs.

    python3 docs/site.py generate EDGELINT OUT   # OUT/mkdocs.yml and OUT/src/ (MkDocs source)
    python3 docs/site.py check EDGELINT SITE     # offline link check of the built site

EDGELINT is an edgelint binary: `edgelint rules --format json` gives every rule's metadata and
its documentation link (`doc_url`, built from the one setting DOC_BASE_URL in
src/diagnostic.rs), `edgelint config --schema` the configuration schema. Every rules/*.md page
is picked up (a new rule needs no edit here); rules are grouped by their `group` (the table
src/rules/groups.rs), in the order of GROUPS.
The site is laid out so that each rule's `doc_url` is a page of it: `<base><rule>` is
`rules/<rule>/index.html` (MkDocs' directory URLs), and `check` fails if one is not.

`check` follows every internal link and anchor of the built HTML and lists the external links
without fetching them. Standard library only.
"""

import html.parser
import json
import os
import re
import subprocess
import sys
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KINDS = [("dockerfile", "Dockerfile"), ("compose", "Compose"), ("kubernetes", "Kubernetes")]
# `edgelint rules --format json` group ids, in index order, with their headings.
GROUPS = [
    ("architecture", "Architecture"),
    ("pulls", "Image pulls and network"),
    ("resources", "Resources"),
    ("availability", "Availability"),
    ("health", "Probes and health"),
    ("storage", "Storage"),
    ("security", "Security basics"),
    ("hygiene", "Suppressions and hygiene"),
]
# README sections that become pages, so the rule docs' links into the README resolve.
README_PAGES = {"configuration": "Configuration", "suppressing-findings": "Suppressing findings"}


def edgelint(binary, *args):
    return subprocess.run([binary, *args], check=True, capture_output=True, text=True).stdout


def registry(binary):
    rules = json.loads(edgelint(binary, "rules", "--format", "json"))
    if not rules:
        sys.exit("site.py: the registry lists no rules")
    return rules


def split_doc_url(url, name):
    """`https://host/path/rules/<name>` -> (`https://host/path/`, `rules/<name>`)."""
    suffix = "rules/" + name
    if not url.endswith(suffix):
        sys.exit(f"site.py: doc_url {url} does not end in {suffix}; the site layout would not match")
    return url[: -len(suffix)], suffix


def slug(title):
    """GitHub's and MkDocs' heading anchor for simple titles."""
    s = re.sub(r"[^\w\- ]", "", title.strip().lower())
    return s.replace(" ", "-")


def readme_sections():
    text = (ROOT / "README.md").read_text()
    sections = {}
    for part in re.split(r"(?m)^(?=## )", text):
        first, _, body = part.partition("\n")
        if first.startswith("## "):
            sections[slug(first[3:])] = (first[3:], body)
    return sections


def page_for_readme_anchor(anchor):
    return f"{anchor}.md" if anchor in README_PAGES else None


def rewrite_links(text, depth, external_base, readme_section=False):
    """Links of a page written for the repository, placed `depth` directories deep in the site.

    `README.md#section` becomes that section's page when it is one; `rules/x.md` and
    `docs/json-format.md` stay in the site; any other repository file (not in the site) keeps
    its text and loses the link, so the site never links to a file it does not have."""
    up = "../" * depth
    own_anchors = {slug(h) for h in re.findall(r"(?m)^#{2,6} (.+)$", text)}

    def repl(m):
        label, target = m.group(1), m.group(2)
        if re.match(r"^[a-z]+:", target):
            return m.group(0)
        if target.startswith("#"):
            # A README section's in-page link to another section of the README: that section
            # is its own page, or not in the site at all.
            if readme_section and target[1:] not in own_anchors:
                target = "README.md" + target
            else:
                return m.group(0)
        path, _, anchor = target.partition("#")
        # Resolve against the repository layout the page was written in.
        norm = os.path.normpath(os.path.join(external_base, path)) if path else external_base
        if norm == "README.md":
            page = page_for_readme_anchor(anchor)
            return f"[{label}]({up}{page})" if page else label
        if norm == "rules/README.md" or norm == "rules":
            return f"[{label}]({up}index.md{'#' + anchor if anchor else ''})"
        if re.fullmatch(r"rules/[a-z0-9-]+\.md", norm) or norm == "docs/json-format.md":
            dest = "json-format.md" if norm.startswith("docs/") else norm
            return f"[{label}]({up}{dest}{'#' + anchor if anchor else ''})"
        return label

    return re.sub(r"\[([^\]]+)\]\(([^)\s]+)\)", repl, text)


def site_rule_doc(doc, meta):
    """A rule's doc for the site: the title, then its metadata; code fences get their language
    only (`yaml compose` -> `yaml`); the test harness's `# fixture:` lines become a comment
    saying which platforms the example is linted for."""
    lines = doc.splitlines()
    out = []
    in_code = False
    for line in lines:
        fence = re.match(r"^(\s*)```(\S*)(.*)$", line)
        if fence:
            out.append(f"{fence.group(1)}```{fence.group(2)}")
            in_code = not in_code
            continue
        if in_code:
            m = re.match(r"^(\s*)# fixture: (.*)$", line)
            if m:
                said = []
                for setting in m.group(2).split():
                    if setting.startswith("platforms="):
                        said.append(f"--platform {setting[len('platforms='):]}")
                    else:
                        said.append(setting)
                out.append(f"{m.group(1)}# linted with {' '.join(said)}")
                continue
        out.append(line)
    title, rest = out[0], out[1:]
    formats = ", ".join(meta["formats"])
    header = [
        title,
        "",
        f"**Severity:** {meta['severity']} · **Lints:** {formats}"
        + (f" · **Equivalents:** {', '.join(meta['equivalents'])}" if meta["equivalents"] else ""),
        "",
        f"*{meta['summary']}.* Offline: `edgelint explain {meta['name']}`.",
    ]
    return "\n".join(header + rest) + "\n"


def generate(binary, out):
    out = Path(out)
    src = out / "src"
    rules = registry(binary)
    bases = set()
    for r in rules:
        base, _ = split_doc_url(r["doc_url"], r["name"])
        bases.add(base)
    if len(bases) != 1:
        sys.exit(f"site.py: rules link to different bases: {sorted(bases)}")
    base = bases.pop()

    docs = sorted(p for p in (ROOT / "rules").glob("*.md") if p.name != "README.md")
    by_name = {r["name"]: r for r in rules}
    missing = [p.stem for p in docs if p.stem not in by_name]
    if missing:
        sys.exit(f"site.py: rules/*.md without a registered rule: {missing}")

    if src.exists():
        for p in sorted(src.rglob("*"), reverse=True):
            p.rmdir() if p.is_dir() else p.unlink()
    (src / "rules").mkdir(parents=True)
    (src / "schema").mkdir()

    for p in docs:
        meta = by_name[p.stem]
        text = site_rule_doc(p.read_text(), meta)
        (src / "rules" / p.name).write_text(rewrite_links(text, 1, "rules"))

    index = [
        "# edgelint rules",
        "",
        "edgelint lints Dockerfiles, Docker Compose files and Kubernetes manifests for the",
        "mistakes that make containers fail on edge devices. This is the reference of its",
        f"{len(rules)} rules, generated from `rules/*.md`; every finding links to its rule's page.",
        "",
        "Without network, `edgelint explain <rule>` prints the same documentation,",
        "and `edgelint rules` lists the rules.",
        "",
        "See also: [configuration](configuration.md), [suppressing findings](suppressing-findings.md),",
        "[the JSON output](json-format.md) and the [configuration schema](schema/edgelint.json).",
        "",
    ]
    for group_id, title in GROUPS:
        group = [r for r in rules if r.get("group") == group_id]
        if not group:
            continue
        index += [f"## {title}", "", "| rule | severity | applies to | summary |", "|---|---|---|---|"]
        for r in group:
            kinds = ", ".join(t for k, t in KINDS if k in r["formats"])
            index.append(
                f"| [`{r['name']}`](rules/{r['name']}.md) | {r['severity']} | {kinds} | {r['summary']} |"
            )
        index.append("")
    other = [r["name"] for r in rules if r.get("group") not in dict(GROUPS)]
    if other:
        sys.exit(f"site.py: rules of no known group (src/rules/groups.rs): {other}")
    (src / "index.md").write_text("\n".join(index))

    sections = readme_sections()
    for anchor in README_PAGES:
        if anchor not in sections:
            sys.exit(f"site.py: README.md has no section #{anchor}")
        title, body = sections[anchor]
        (src / f"{anchor}.md").write_text(f"# {title}\n{rewrite_links(body, 0, '.', readme_section=True)}")
    json_format = (ROOT / "docs" / "json-format.md").read_text()
    (src / "json-format.md").write_text(rewrite_links(json_format, 0, "docs"))
    (src / "schema" / "edgelint.json").write_text(edgelint(binary, "config", "--schema"))

    nav = ["  - Rules: index.md"]
    nav += [f"  - {p.stem}: rules/{p.name}" for p in docs]
    nav += [
        f"  - {README_PAGES['configuration']}: configuration.md",
        f"  - {README_PAGES['suppressing-findings']}: suppressing-findings.md",
        "  - JSON output: json-format.md",
    ]
    (out / "mkdocs.yml").write_text(
        "\n".join(
            [
                "# Generated by docs/site.py; do not edit.",
                "site_name: edgelint",
                f"site_url: {base}",
                "docs_dir: src",
                "site_dir: site",
                "use_directory_urls: true",
                "theme: {name: mkdocs, highlightjs: false}",
                "markdown_extensions: [tables, fenced_code, toc]",
                "validation:",
                "  omitted_files: warn",
                "  absolute_links: warn",
                "  unrecognized_links: warn",
                "  anchors: warn",
                "nav:",
                *nav,
                "",
            ]
        )
    )
    print(f"site.py: {len(docs)} rule pages, base {base}, source in {src}")


class Links(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids = set()
        self.links = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "a" and "name" in a:
            self.ids.add(a["name"])
        for attr in ("href", "src"):
            if a.get(attr) and not (tag == "link" and a.get("rel") == "canonical"):
                self.links.append(a[attr])


def parse(path):
    p = Links()
    p.feed(path.read_text(errors="replace"))
    return p


def check(binary, site):
    site = Path(site).resolve()
    rules = registry(binary)
    # Root-relative links (MkDocs' 404 page has them) start with the base URL's path.
    base = split_doc_url(rules[0]["doc_url"], rules[0]["name"])[0]
    base_path = urllib.parse.urlsplit(base).path
    pages = {p: parse(p) for p in site.rglob("*.html")}
    broken, external = [], set()
    for page, parsed in pages.items():
        for link in parsed.links:
            url = urllib.parse.urlsplit(link)
            if url.scheme or link.startswith("//"):
                if url.scheme in ("http", "https", "mailto"):
                    external.add(link)
                continue
            path = urllib.parse.unquote(url.path)
            if path.startswith("/"):
                if not path.startswith(base_path):
                    broken.append(f"{page.relative_to(site)}: {link} (outside {base_path})")
                    continue
                target = site / path[len(base_path) :]
            else:
                target = page.parent / path if path else page
            target = Path(os.path.normpath(target))
            if target.is_dir():
                target = target / "index.html"
            if not target.is_file():
                broken.append(f"{page.relative_to(site)}: {link} (no file)")
                continue
            if url.fragment and target.suffix == ".html":
                ids = pages[target].ids if target in pages else parse(target).ids
                if url.fragment not in ids:
                    broken.append(f"{page.relative_to(site)}: {link} (no anchor)")
    # Every finding's link is a page of the site.
    for r in rules:
        _, path = split_doc_url(r["doc_url"], r["name"])
        if not (site / path / "index.html").is_file():
            broken.append(f"doc_url {r['doc_url']}: no {path}/index.html in the site")
    # The configuration schema's `$id` is a file of the site too.
    schema_id = json.loads(edgelint(binary, "config", "--schema"))["$id"]
    if not schema_id.startswith(base) or not (site / schema_id[len(base) :]).is_file():
        broken.append(f"the schema's $id {schema_id} is no file of the site")
    print(f"site.py: {len(pages)} pages checked; {len(external)} external links (not fetched):")
    for link in sorted(external):
        print(f"  {link}")
    if broken:
        print(f"site.py: {len(broken)} broken links:", file=sys.stderr)
        for b in broken:
            print(f"  {b}", file=sys.stderr)
        sys.exit(1)
    print("site.py: every internal link and anchor resolves")


if __name__ == "__main__":
    if len(sys.argv) != 4 or sys.argv[1] not in ("generate", "check"):
        sys.exit(__doc__)
    {"generate": generate, "check": check}[sys.argv[1]](sys.argv[2], sys.argv[3])
