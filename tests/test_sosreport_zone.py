"""A sosreport's logs are read in the report's own time zone.

rsyslog writes RFC 3164 dates in the host's local time and says nothing of the zone; the report
records the zone (timedatectl, /etc/localtime, /etc/timezone, /etc/sysconfig/clock). Read as UTC,
a New York host's 05:00 line is placed five hours before its snapshot, and judged by the wrong one.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import orjson
import pytest

from tcplog.connectors import sosreport
from tests.test_cli import events, tcplog

FIXTURE = Path(__file__).parent / "fixtures" / "sosreport-web1"
NEW_YORK = Path("/usr/share/zoneinfo/America/New_York")
# the fixture's report was taken at 05:05 EST (10:05 UTC); its host's rsyslog wrote local time
LINE = b"Nov 20 05:00:00 web1 kernel: TCP: time wait bucket table overflow\n"


def report(tmp_path: Path, place) -> Path:
    """The fixture report with its messages in local time, and the zone recorded by `place(root)`."""
    root = tmp_path / "sosreport-web1"
    shutil.copytree(FIXTURE, root, symlinks=True)
    (root / "var" / "log" / "messages").write_bytes(LINE)
    (root / "var" / "log" / "messages-20261116").unlink()
    place(root)
    return root


def write(rel: str, data: bytes):
    def place(root: Path) -> None:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)
    return place


def link(root: Path) -> None:
    (root / "etc" / "localtime").symlink_to("../usr/share/zoneinfo/America/New_York")  # dangling in the report


def tzif(root: Path) -> None:
    if not NEW_YORK.exists():
        pytest.fail("the system's tzdata (/usr/share/zoneinfo) is needed")
    shutil.copy(NEW_YORK, root / "etc" / "localtime")


WAYS = {
    "timedatectl": write("sos_commands/systemd/timedatectl",
                         b"               Local time: Fri 2026-11-20 05:05:00 EST\n"
                         b"                Time zone: America/New_York (EST, -0500)\n"),
    "localtime link": link,
    "localtime file": tzif,
    "etc/timezone": write("etc/timezone", b"America/New_York\n"),
    "sysconfig/clock": write("etc/sysconfig/clock", b'ZONE="America/New_York"\nUTC=true\n'),
}


@pytest.mark.parametrize("way", list(WAYS))
def test_sosreport_logs_read_in_the_reports_zone(tmp_path, way):
    """Each place a report records the zone: the 05:00 EST line is 10:00 UTC, five minutes before the
    report's snapshot (10:05 UTC), with one worker and two; a note on stderr names where the zone
    came from."""
    root = report(tmp_path, WAYS[way])
    for workers in ("1", "2"):
        r = tcplog("scan", str(root), "--workers", workers)
        assert r.returncode == 0, r.stderr
        (event,) = events(r.stdout)
        assert event["time"] == "2026-11-20T10:00:00.000000Z", way
        assert event["snapshot"]["before"] is None and event["snapshot"]["after"]["age_s"] == -300.0
        assert b"log dates read in" in r.stderr and b"--tz overrides" in r.stderr


def test_tz_given_overrides_the_reports_zone(tmp_path):
    root = report(tmp_path, WAYS["timedatectl"])
    r = tcplog("scan", str(root), "--tz", "UTC")
    (event,) = events(r.stdout)
    assert event["time"] == "2026-11-20T05:00:00.000000Z" and b"log dates read in" not in r.stderr


def test_a_report_without_a_zone_or_with_a_bad_one_reads_utc(tmp_path):
    """No zone recorded, an unknown name, a localtime link outside zoneinfo, garbage for TZif: UTC, as before."""
    for i, place in enumerate((lambda root: None, write("etc/timezone", b"Mars/Olympus_Mons\n"),
                  lambda root: (root / "etc" / "localtime").symlink_to("/nowhere"),
                  write("etc/localtime", b"not a zone file"))):
        root = report(tmp_path / str(i), place)
        assert sosreport.zone(str(root)) is None
        (event,) = events(tcplog("scan", str(root)).stdout)
        assert event["time"] == "2026-11-20T05:00:00.000000Z"


def test_zone_reports_where_it_was_found(tmp_path):
    root = report(tmp_path, WAYS["etc/timezone"])
    found = sosreport.zone(str(root))
    assert found is not None and str(found[0]) == "America/New_York"
    assert found[1] == str(root / "etc" / "timezone")
    r = tcplog("scan", str(root), "--stats")
    assert orjson.loads(r.stderr.splitlines()[-1])["events"] == 1
