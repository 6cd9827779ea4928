"""Fixtures for the end-to-end test of `edgelint server` with a real LSP client (pytest-lsp).

The server binary is $EDGELINT_BIN (set by .ci/lsp-e2e.sh), else target/debug/edgelint of this
checkout. Each test gets a fresh server and a workspace in a temporary directory holding a
`.edgelint.yaml`, so the server's configuration discovery for the document's path is exercised.
"""

import os
import pathlib

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

ROOT = pathlib.Path(__file__).resolve().parents[2]
BIN = os.environ.get("EDGELINT_BIN", str(ROOT / "target" / "debug" / "edgelint"))
SERVER = ClientServerConfig(server_command=[BIN, "server"])

# Lines the tests want shown after the run whatever the capture mode (the measured latency).
SUMMARY: list[str] = []


def pytest_terminal_summary(terminalreporter):
    for line in SUMMARY:
        terminalreporter.write_line(line)

# The workspace configuration: `mutable-image-tag` is raised to `error` and `runs-as-root`
# turned off, so the published severities show that the configuration for the document's
# path was used.
CONFIG = """\
rules:
  mutable-image-tag: error
  runs-as-root: off
"""


@pytest.fixture
def workspace(tmp_path: pathlib.Path) -> pathlib.Path:
    (tmp_path / ".git").mkdir()  # the repository root: discovery stops here
    (tmp_path / ".edgelint.yaml").write_text(CONFIG)
    return tmp_path


async def _start(client: LanguageClient, capabilities: types.ClientCapabilities, root):
    # Kept for the tests: the negotiated position encoding is in it.
    client.init_result = await client.initialize_session(
        types.InitializeParams(
            capabilities=capabilities,
            root_uri=root.as_uri(),
            workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name="ws")],
        )
    )


@pytest_lsp.fixture(config=SERVER)
async def client(lsp_client: LanguageClient, workspace: pathlib.Path):
    """A client with VS Code's capabilities: no `positionEncodings`, so UTF-16."""
    await _start(lsp_client, client_capabilities("visual-studio-code"), workspace)
    yield
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(config=SERVER)
async def nvim(lsp_client: LanguageClient, workspace: pathlib.Path):
    """A client with Neovim 0.11's capabilities: it offers utf-8 first."""
    await _start(lsp_client, client_capabilities("neovim@v0.11.0"), workspace)
    yield
    await lsp_client.shutdown_session()
