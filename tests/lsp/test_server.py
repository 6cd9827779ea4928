"""`edgelint server` driven by a real LSP client (pytest-lsp): diagnostics on open, change and
save with exact ranges (UTF-16 by default, UTF-8 when offered, after non-ASCII text on the
finding's line), the project's configuration, the suppression quick fix, hover, files that are
not linted, protocol edge cases, and the didChange → publishDiagnostics latency on a 500-line
manifest (printed, never asserted).

Expected positions are computed here from the text, independently of the server: the finding's
line and its column in the encoding's code units.
"""

import asyncio
import json
import pathlib
import statistics
import subprocess
import time

from lsprotocol import types
from pytest_lsp import LanguageClient

from conftest import BIN, ROOT, SUMMARY

# A Deployment whose container has no memory limit and runs `nginx:latest`. The container's
# line has non-ASCII text before the image: `ä` (2 UTF-8 bytes, 1 UTF-16 unit) and `🌡`
# (4 bytes, 2 UTF-16 units: a surrogate pair).
CONTAINER = '        - {name: "wärme-🌡", image: "nginx:latest", resources: {limits: {cpu: 500m}}}\n'
MANIFEST = (
    "apiVersion: apps/v1\n"
    "kind: Deployment\n"
    "metadata:\n"
    "  name: greenhouse\n"
    "spec:\n"
    "  selector:\n"
    "    matchLabels: {app: greenhouse}\n"
    "  template:\n"
    "    metadata:\n"
    "      labels: {app: greenhouse}\n"
    "    spec:\n"
    "      containers:\n" + CONTAINER
)
FIXED = MANIFEST.replace("{cpu: 500m}", "{cpu: 500m, memory: 64Mi}")


def units(text: str, encoding: str) -> int:
    """The length of `text` in code units of a position encoding."""
    if encoding == "utf-16":
        return len(text.encode("utf-16-le")) // 2
    return len(text.encode("utf-8"))


def span_range(text: str, needle: str, encoding: str) -> types.Range:
    """The range of the first `needle` in `text`, as the protocol counts it."""
    offset = text.index(needle)
    line = text.count("\n", 0, offset)
    line_start = text.rfind("\n", 0, offset) + 1
    start = units(text[line_start:offset], encoding)
    return types.Range(
        start=types.Position(line=line, character=start),
        end=types.Position(line=line, character=start + units(needle, encoding)),
    )


def by_rule(client: LanguageClient, uri: str) -> dict[str, list[types.Diagnostic]]:
    out: dict[str, list[types.Diagnostic]] = {}
    for d in client.diagnostics.get(uri, []):
        out.setdefault(d.code, []).append(d)
    return out


async def published(client: LanguageClient, uri: str, send) -> list[types.Diagnostic]:
    """Sends with `send()` and waits for the next diagnostics of `uri`."""
    while True:
        waiter = client.protocol.wait_for_notification_async("textDocument/publishDiagnostics")
        send()
        params = await asyncio.wait_for(waiter, timeout=30)
        if params.uri == uri:
            return list(params.diagnostics)
        send = lambda: None  # noqa: E731 (another document's diagnostics: keep waiting)


def open_doc(client: LanguageClient, uri: str, text: str, language: str = "yaml"):
    return lambda: client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id=language, version=1, text=text)
        )
    )


def change_doc(client: LanguageClient, uri: str, version: int, text: str):
    return lambda: client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )


async def test_diagnostics_on_open_change_and_save(client: LanguageClient, workspace):
    assert client.init_result.capabilities.position_encoding == "utf-16"
    path = workspace / "k8s" / "deploy.yaml"
    path.parent.mkdir()
    path.write_text("# not what the editor holds\n")
    uri = path.as_uri()

    await published(client, uri, open_doc(client, uri, MANIFEST))
    found = by_rule(client, uri)
    [memory] = found["missing-memory-limit"]
    assert memory.range == span_range(MANIFEST, '"wärme-🌡"', "utf-16")
    assert memory.severity == types.DiagnosticSeverity.Error
    assert memory.source == "edgelint"
    assert memory.message.startswith("container `wärme-🌡` has no memory limit")
    assert memory.code_description.href == "https://edgelint.dev/rules/missing-memory-limit"
    [tag] = found["mutable-image-tag"]
    # After `ä` and `🌡`: 36 UTF-16 units before it (35 characters, 39 bytes).
    assert tag.range == span_range(MANIFEST, '"nginx:latest"', "utf-16")
    assert tag.range.start == types.Position(line=12, character=36)
    # The workspace's .edgelint.yaml raises it to error and turns runs-as-root off.
    assert tag.severity == types.DiagnosticSeverity.Error
    assert "runs-as-root" not in found

    # Fix the memory limit: that finding goes, the tag stays where it was.
    await published(client, uri, change_doc(client, uri, 2, FIXED))
    found = by_rule(client, uri)
    assert "missing-memory-limit" not in found
    [tag] = found["mutable-image-tag"]
    assert tag.range == span_range(FIXED, '"nginx:latest"', "utf-16")

    # Saving lints the text the editor holds again (never the file on disk).
    save = lambda: client.text_document_did_save(  # noqa: E731
        types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    diagnostics = await published(client, uri, save)
    assert [d.code for d in diagnostics] == [d.code for d in client.diagnostics[uri]]
    assert "mutable-image-tag" in by_rule(client, uri)

    # Closing clears them.
    close = lambda: client.text_document_did_close(  # noqa: E731
        types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    assert await published(client, uri, close) == []


async def test_utf8_positions_when_the_client_offers_them(nvim: LanguageClient, workspace):
    assert nvim.init_result.capabilities.position_encoding == "utf-8"
    uri = (workspace / "deploy.yaml").as_uri()
    await published(nvim, uri, open_doc(nvim, uri, MANIFEST))
    [tag] = by_rule(nvim, uri)["mutable-image-tag"]
    assert tag.range == span_range(MANIFEST, '"nginx:latest"', "utf-8")
    assert tag.range.start == types.Position(line=12, character=39)


async def test_quick_fix_inserts_a_suppression_that_works(client: LanguageClient, workspace):
    uri = (workspace / "deploy.yaml").as_uri()
    await published(client, uri, open_doc(client, uri, MANIFEST))
    [tag] = by_rule(client, uri)["mutable-image-tag"]
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=tag.range,
            context=types.CodeActionContext(diagnostics=[tag]),
        )
    )
    fixes = {a.diagnostics[0].code: a for a in actions}
    fix = fixes["mutable-image-tag"]
    assert fix.kind == types.CodeActionKind.QuickFix
    [edit] = fix.edit.changes[uri]
    # An own-line comment before the container's list item, indented like it.
    assert edit.new_text == "        # edgelint: ignore[mutable-image-tag] -- reason\n"
    assert edit.range.start == edit.range.end == types.Position(line=12, character=0)

    # Apply it as an editor would, and send the result: the finding is gone, nothing new.
    lines = MANIFEST.splitlines(keepends=True)
    lines.insert(edit.range.start.line, edit.new_text)
    edited = "".join(lines)
    before = {d.code for d in client.diagnostics[uri]}
    await published(client, uri, change_doc(client, uri, 2, edited))
    after = {d.code for d in client.diagnostics[uri]}
    assert after == before - {"mutable-image-tag"}

    # Only quick fixes are offered: asking for refactorings gives none.
    none = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=tag.range,
            context=types.CodeActionContext(diagnostics=[], only=[types.CodeActionKind.Refactor]),
        )
    )
    assert not none


async def test_hover_shows_the_rule_doc(client: LanguageClient, workspace):
    uri = (workspace / "deploy.yaml").as_uri()
    await published(client, uri, open_doc(client, uri, MANIFEST))
    [tag] = by_rule(client, uri)["mutable-image-tag"]
    inside = types.Position(line=tag.range.start.line, character=tag.range.start.character + 3)
    hover = await client.text_document_hover_async(
        types.HoverParams(text_document=types.TextDocumentIdentifier(uri=uri), position=inside)
    )
    assert hover.contents.kind == types.MarkupKind.Markdown
    # The Markdown `edgelint explain mutable-image-tag` prints, whole.
    doc = (ROOT / "rules" / "mutable-image-tag.md").read_text()
    assert doc in hover.contents.value
    assert hover.range == tag.range
    # No finding on the first line: no hover.
    nothing = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=0, character=2),
        )
    )
    assert nothing is None


async def test_files_that_are_not_linted_get_no_diagnostics(client: LanguageClient, workspace):
    # YAML that is neither Compose nor Kubernetes.
    values = (workspace / "values.yaml").as_uri()
    assert await published(client, values, open_doc(client, values, "replicas: 3\nimage: {tag: latest}\n")) == []
    # An `untitled:` buffer has no path: it is classified by its content.
    untitled = "untitled:Untitled-1"
    diagnostics = await published(client, untitled, open_doc(client, untitled, MANIFEST))
    assert "missing-memory-limit" in {d.code for d in diagnostics}
    # Hover and code actions on a document that is not open: empty answers, no error.
    ghost = types.TextDocumentIdentifier(uri=(workspace / "ghost.yaml").as_uri())
    hover = await client.text_document_hover_async(
        types.HoverParams(text_document=ghost, position=types.Position(line=0, character=0))
    )
    assert hover is None
    # Positions past the end of a line and of the document are clamped, not errors.
    far = types.Range(
        start=types.Position(line=12, character=500), end=types.Position(line=9999, character=9)
    )
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=untitled),
            range=far,
            context=types.CodeActionContext(diagnostics=[]),
        )
    )
    assert all(a.kind == types.CodeActionKind.QuickFix for a in actions)


async def test_a_broken_configuration_is_reported(client: LanguageClient, workspace):
    (workspace / ".edgelint.yaml").write_text("rules: {no-such-rule: off}\n")
    uri = (workspace / "deploy.yaml").as_uri()
    waiter = client.protocol.wait_for_notification_async("window/showMessage")
    assert await published(client, uri, open_doc(client, uri, MANIFEST)) == []
    message = await asyncio.wait_for(waiter, timeout=30)
    assert message.type == types.MessageType.Error
    assert "no-such-rule" in message.message


def frame(message: dict) -> bytes:
    body = json.dumps(message).encode()
    return b"Content-Length: %d\r\n\r\n%s" % (len(body), body)


def responses(stdout: bytes) -> list[dict]:
    out = []
    while stdout:
        header, _, rest = stdout.partition(b"\r\n\r\n")
        length = int(header.split(b":")[1])
        out.append(json.loads(rest[:length]))
        stdout = rest[length:]
    return out


def test_bad_input_and_shutdown_over_raw_stdio(workspace):
    """Requests no client library sends: unknown documents, invalid parameters, a request after
    `shutdown`; then `exit` gives 0. Without `shutdown`, `exit` gives 1."""
    init = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}}
    pos = {"line": 0, "character": 0}
    messages = [
        init,
        {"jsonrpc": "2.0", "method": "initialized", "params": {}},
        {"jsonrpc": "2.0", "id": 2, "method": "textDocument/hover",
         "params": {"textDocument": {"uri": "file:///nowhere.yaml"}, "position": pos}},
        {"jsonrpc": "2.0", "id": 3, "method": "textDocument/hover", "params": {"bogus": True}},
        {"jsonrpc": "2.0", "method": "textDocument/didChange",
         "params": {"textDocument": {"uri": "file:///never-opened.yaml", "version": 2},
                    "contentChanges": [{"text": "x"}]}},
        {"jsonrpc": "2.0", "method": "textDocument/didOpen",
         "params": {"textDocument": {"uri": "ftp://host/Dockerfile", "languageId": "dockerfile",
                                     "version": 1, "text": "FROM alpine\n"}}},
        {"jsonrpc": "2.0", "id": 4, "method": "workspace/symbol", "params": {"query": ""}},
        {"jsonrpc": "2.0", "id": 5, "method": "shutdown"},
        {"jsonrpc": "2.0", "id": 6, "method": "textDocument/hover",
         "params": {"textDocument": {"uri": "file:///x"}, "position": pos}},
        {"jsonrpc": "2.0", "method": "exit"},
    ]
    run = subprocess.run(
        [BIN, "server"], input=b"".join(map(frame, messages)), capture_output=True,
        cwd=workspace, timeout=60,
    )
    assert run.returncode == 0, run.stderr.decode()
    by_id = {m["id"]: m for m in responses(run.stdout) if "id" in m}
    assert by_id[1]["result"]["capabilities"]["positionEncoding"] == "utf-16"
    assert by_id[2]["result"] is None
    assert by_id[3]["error"]["code"] == -32602  # InvalidParams
    assert by_id[4]["error"]["code"] == -32601  # MethodNotFound
    assert by_id[5]["result"] is None
    assert by_id[6]["error"]["code"] == -32600  # InvalidRequest after shutdown
    published = [m for m in responses(run.stdout) if m.get("method") == "textDocument/publishDiagnostics"]
    # `ftp://host/Dockerfile` is linted by its name, with the working directory's configuration.
    assert published[0]["params"]["uri"] == "ftp://host/Dockerfile"
    assert published[0]["params"]["diagnostics"]

    run = subprocess.run(
        [BIN, "server"], input=frame(init) + frame({"jsonrpc": "2.0", "method": "exit"}),
        capture_output=True, cwd=workspace, timeout=60,
    )
    assert run.returncode == 1
    # Garbage instead of a message: the server ends with an error, it does not hang or panic.
    run = subprocess.run(
        [BIN, "server"], input=b"Content-Length: 5\r\n\r\n{oops", capture_output=True,
        cwd=workspace, timeout=60,
    )
    assert run.returncode == 1
    assert b"panicked" not in run.stderr


def raw_session(args: list[str], documents: dict[str, str], cwd) -> dict[str, list[dict]]:
    """Opens `documents` (URI → text) in a server started with `args`, then shuts it down;
    returns the diagnostics published for each URI."""
    messages = [
        {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}},
        {"jsonrpc": "2.0", "method": "initialized", "params": {}},
    ]
    for uri, text in documents.items():
        item = {"uri": uri, "languageId": "yaml", "version": 1, "text": text}
        messages.append(
            {"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": item}}
        )
    messages += [
        {"jsonrpc": "2.0", "id": 2, "method": "shutdown"},
        {"jsonrpc": "2.0", "method": "exit"},
    ]
    run = subprocess.run(
        [BIN, "server", *args], input=b"".join(map(frame, messages)), capture_output=True,
        cwd=cwd, timeout=60,
    )
    assert run.returncode == 0, run.stderr.decode()
    return {
        m["params"]["uri"]: m["params"]["diagnostics"]
        for m in responses(run.stdout)
        if m.get("method") == "textDocument/publishDiagnostics"
    }


def test_config_option_and_exclude(workspace):
    """`--config PATH` replaces the discovered configuration, as on the command line; a file
    the configuration excludes gets no diagnostics."""
    (workspace / "strict.yaml").write_text("rules:\n  mutable-image-tag: off\n")
    (workspace / ".edgelint.yaml").write_text(CONFIG_WITH_EXCLUDE)
    deploy = (workspace / "deploy.yaml").as_uri()
    vendored = (workspace / "vendor" / "deploy.yaml").as_uri()
    codes = lambda found, uri: {d["code"] for d in found[uri]}  # noqa: E731

    found = raw_session([], {deploy: MANIFEST, vendored: MANIFEST}, workspace)
    assert {"mutable-image-tag", "missing-memory-limit"} <= codes(found, deploy)
    assert found[vendored] == []

    found = raw_session(["--config", "strict.yaml"], {deploy: MANIFEST}, workspace)
    assert "mutable-image-tag" not in codes(found, deploy)
    assert "missing-memory-limit" in codes(found, deploy)

    found = raw_session(["--isolated"], {deploy: MANIFEST}, workspace)
    # Without configuration, runs-as-root (off in the workspace's file) is back.
    assert "runs-as-root" in codes(found, deploy)


CONFIG_WITH_EXCLUDE = """\
exclude: ["vendor/**"]
rules:
  runs-as-root: off
"""


def big_manifest(deployments: int) -> str:
    """`deployments` Deployments of 25 lines each."""
    one = """\
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: sensor-{i}
  labels: {{app: sensor-{i}, tier: edge}}
spec:
  replicas: 1
  selector:
    matchLabels: {{app: sensor-{i}}}
  template:
    metadata:
      labels: {{app: sensor-{i}}}
    spec:
      containers:
        - name: reader
          image: registry.example.com/plant/sensor:1.4.{i}
          args: ["--interval", "5s"]
          resources:
            requests: {{cpu: 50m, memory: 32Mi}}
            limits: {{cpu: 200m, memory: 64Mi}}
          livenessProbe:
            httpGet: {{path: /health, port: 8080}}
            periodSeconds: 10
            failureThreshold: 6
"""
    return "".join(one.format(i=i) for i in range(deployments))


async def test_latency_on_a_500_line_manifest(client: LanguageClient, workspace):
    """Prints the median time from sending didChange to receiving publishDiagnostics over a
    few edits of a 500-line manifest. Measured, not asserted: the machine may be busy."""
    text = big_manifest(20)
    assert text.count("\n") == 500
    uri = (workspace / "fleet.yaml").as_uri()
    first = await published(client, uri, open_doc(client, uri, text))
    times = []
    for version in range(2, 13):
        edited = text.replace("replicas: 1", f"replicas: {version}", 1)
        start = time.perf_counter()
        diagnostics = await published(client, uri, change_doc(client, uri, version, edited))
        times.append(time.perf_counter() - start)
        assert len(diagnostics) == len(first)
    median = statistics.median(times) * 1000
    SUMMARY.append(
        f"LSP latency, didChange -> publishDiagnostics, 500-line manifest "
        f"({len(first)} findings): median {median:.1f} ms over {len(times)} edits "
        f"(min {min(times) * 1000:.1f}, max {max(times) * 1000:.1f})"
    )
