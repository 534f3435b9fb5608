"""Shared test setup: UTC pinned, `--update-goldens`, system components that skip outside CI."""

from __future__ import annotations

import os
import shutil
import time

import pytest

os.environ["TZ"] = "UTC"
time.tzset()

UPDATES: dict = {}


def pytest_addoption(parser):
    parser.addoption("--update-goldens", action="store_true", help="rewrite golden expectations from the code")


@pytest.fixture(scope="session")
def update_goldens(request) -> bool:
    return request.config.getoption("--update-goldens")


def pytest_sessionfinish(session, exitstatus):
    from tests import golden

    for path, (header, cases) in UPDATES.items():
        golden.write(path, header, cases)


def require_tool(path_or_name: str, why: str) -> str:
    """The tool's path; skips the test outside CI when it is missing, fails under CI=true."""
    found = path_or_name if os.path.isabs(path_or_name) and os.access(path_or_name, os.X_OK) \
        else shutil.which(path_or_name)
    if found:
        return found
    message = f"{path_or_name} not installed ({why}); `make test` installs it"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def real_journal(directory, export: bytes) -> str:
    """A real .journal file written by systemd-journal-remote from `export` (journalctl -o export
    bytes), in `directory`; journalctl must be there to read it back."""
    import subprocess

    remote = require_tool("/lib/systemd/systemd-journal-remote", "writes real .journal files")
    require_tool("journalctl", "reads .journal files")
    (directory / "in.export").write_bytes(export)
    out = directory / "kern.journal"
    subprocess.run([remote, f"--output={out}", str(directory / "in.export")], check=True, capture_output=True,
                   timeout=60)
    return str(out)
