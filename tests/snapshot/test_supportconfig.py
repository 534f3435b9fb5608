"""The supportconfig loader: detection, the snapshot its sections hold, its one log source, and
sections that are missing or malformed (errors, never a crash)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tcplog.connectors import supportconfig
from tcplog.connectors.snapshot_sources import load_all
from tcplog.errors import InputError
from tcplog.snapshot import document

FIXTURES = Path(__file__).parent.parent / "fixtures"
SCC = FIXTURES / "supportconfig-web1"


@pytest.fixture(scope="module")
def loaded() -> tuple[dict, list]:
    return supportconfig.load(str(SCC))


@pytest.fixture
def copy(tmp_path) -> Path:
    dst = tmp_path / "scc_web1_261120_1105"
    shutil.copytree(SCC, dst)
    return dst


def errors(doc: dict, section: str) -> list[str]:
    return [e["error"] for e in doc["errors"] if e["section"] == section]


def test_detect():
    """basic-environment.txt tells a supportconfig (as `supportconfig -f DIR` itself looks for it)."""
    assert supportconfig.detect(str(SCC))
    assert not supportconfig.detect(str(FIXTURES / "sosreport-web1"))
    assert not supportconfig.detect(str(SCC / "env.txt"))


def test_document_is_valid_and_sourced_from_the_sections(loaded):
    doc = loaded[0]
    document.validate(doc, str(SCC))
    assert doc["host"] == "web1" and doc["sources"]["host"] == f"{SCC}/network.txt (hostname)"
    assert doc["kernel"]["release"] == "5.14.21-150500.55.39-default"
    assert doc["sources"]["kernel"] == f"{SCC}/basic-environment.txt (uname -a)"
    assert doc["boot"]["id"] == "3f0c1b8e-9d57-4a43-8b1e-52a6c0f3d7aa"
    assert doc["page_size"] == 4096
    assert doc["sysctl"]["net.ipv4.tcp_max_tw_buckets"] == "180000"
    assert doc["sources"]["sysctl"] == f"{SCC}/env.txt (sysctl -a)"
    assert doc["sockstat"]["TCP"]["tw"] == 180000 and doc["sources"]["sockstat"] == f"{SCC}/proc.txt (/proc/net/sockstat)"
    assert doc["sockstat6"]["TCP6"]["inuse"] == 3
    assert "TcpExt" in doc["netstat"] and "Tcp" in doc["snmp"]
    assert doc["memory"]["MemTotal"] > 0 and doc["sources"]["memory"] == f"{SCC}/memory.txt (/proc/meminfo)"
    assert {(row["port"], row["accept_queue"]) for row in doc["listeners"]} == {(22, 0), (443, 129)}


def test_the_date_is_read_in_the_zone_timedatectl_names(loaded):
    """`Fri Nov 20 11:05:00 CET 2026` with timedatectl's `Time zone: Europe/Berlin`: 10:05 UTC."""
    doc = loaded[0]
    assert doc["time"] == "2026-11-20T10:05:00.000000Z"
    assert "Europe/Berlin" in doc["sources"]["time"] and not errors(doc, "time")
    found = supportconfig.zone(str(SCC))
    assert found is not None and str(found[0]) == "Europe/Berlin" and found[1].endswith("systemd.txt (timedatectl --no-pager status)")


def test_what_supportconfig_does_not_collect_is_named(loaded):
    doc = loaded[0]
    assert any("/proc/net/snmp6" in e for e in errors(doc, "snmp"))
    assert any("not collected by supportconfig" in e and "/proc/net/stat/arp_cache" in e for e in errors(doc, "neighbour"))


def test_the_log_source_is_the_messages_section_only(loaded):
    """messages.txt's /var/log/messages section; boot.txt's journal and dmesg repeat it and are not read."""
    (log,) = loaded[1]
    assert log.name == "messages.txt" and log.what == "/var/log/messages" and log.ranges == ((3, 9),)


def test_extract_blanks_everything_but_the_section(loaded, tmp_path):
    (path,) = supportconfig.extract(str(SCC), loaded[1], str(tmp_path))
    original, written = (SCC / "messages.txt").read_bytes(), Path(path).read_bytes()
    assert len(written) == len(original) and written.count(b"\n") == original.count(b"\n")
    lines = written.split(b"\n")
    assert lines[0].strip() == b"" and lines[1].strip() == b""  # the header and label are no records
    assert lines[3] == original.split(b"\n")[3]


def test_without_messages_the_journal_of_boot_txt_then_dmesg(copy):
    (copy / "messages.txt").unlink()
    (log,) = supportconfig.load(str(copy))[1]
    assert log.name == "boot.txt" and log.what.startswith("journalctl --no-pager --boot")
    text = (copy / "boot.txt").read_text()
    (copy / "boot.txt").write_text(text.replace("# /usr/bin/journalctl --no-pager --boot 0", "# /usr/bin/last -wxF"))
    (log,) = supportconfig.load(str(copy))[1]
    assert log.what == "dmesg -T"


def test_the_journal_section_of_a_host_without_var_log_messages(copy):
    """SLES 15 without rsyslog: messages.txt holds `journalctl --no-pager --output=short-iso --lines N`."""
    (copy / "messages.txt").write_text(
        "#==[ Command ]======================================#\n"
        "# /usr/bin/journalctl --no-pager --output=short-iso --lines 200000\n"
        "2026-11-20T11:00:00+0100 web1 kernel: TCP: time wait bucket table overflow\n\n")
    (log,) = supportconfig.load(str(copy))[1]
    assert log.name == "messages.txt" and log.ranges == ((3, 3),)


def test_rotated_copies_come_first(copy):
    (copy / "messages-20261115.txt").write_text("Nov 15 10:00:00 web1 kernel: TCP: time wait bucket table overflow\n")
    logs = supportconfig.load(str(copy))[1]
    assert [log.name for log in logs] == ["messages-20261115.txt", "messages.txt"]


@pytest.mark.parametrize("name", ["env.txt", "proc.txt", "memory.txt", "basic-environment.txt", "network.txt",
                                  "messages.txt", "boot.txt", "systemd.txt"])
def test_a_missing_file_is_an_error_not_a_crash(copy, name):
    (copy / name).unlink() if name != "basic-environment.txt" else (copy / name).write_text("")
    doc, _ = supportconfig.load(str(copy))
    document.validate(doc, str(copy))
    assert doc["errors"]


@pytest.mark.parametrize("text", [
    "",  # empty
    "#==[ Command ]======================================#\n",  # a header, nothing after
    "#==[ Command ]======================================#\n# /usr/sbin/sysctl -a\nnot a sysctl line\n\x00\xff\n",
    "#==[ Command ]======================================#\n# sysctl -a\nERROR: Command not found or not executable\n\n",
    "#==[ Configuration File ]===========================#\n# /proc/net/sockstat - File not found\n\n",
    "garbage before any header\n#==[ Log File ]====#\n# /var/log/messages\n",
    "#==[ Command\n# /usr/sbin/sysctl -a\nnet.core.somaxconn = 1\n",  # a broken header: no section
])
@pytest.mark.parametrize("name", ["env.txt", "proc.txt", "memory.txt", "messages.txt", "basic-environment.txt"])
def test_malformed_sections_are_errors_not_crashes(copy, name, text):
    (copy / name).write_bytes(text.encode("utf-8", "surrogateescape") if isinstance(text, str) else text)
    doc, logs = supportconfig.load(str(copy))
    document.validate(doc, str(copy))
    assert doc["errors"]


def test_an_empty_section_is_named(copy):
    proc = (copy / "proc.txt").read_text()
    start = proc.index("# /proc/net/sockstat\n") + len("# /proc/net/sockstat\n")
    end = proc.index("#==[", start)
    (copy / "proc.txt").write_text(proc[:start] + "\n\n" + proc[end:])
    doc, _ = supportconfig.load(str(copy))
    assert doc["sockstat"] is None and any(e.startswith("empty section: ") for e in errors(doc, "sockstat"))


def test_a_symlink_out_of_the_folder_is_refused(copy, tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("#==[ Command ]======================================#\n# /usr/sbin/sysctl -a\n"
                      "net.core.somaxconn = 4096\n")
    (copy / "env.txt").unlink()
    (copy / "env.txt").symlink_to(secret)
    doc, _ = supportconfig.load(str(copy))
    assert doc["sysctl"]["net.core.somaxconn"] == "128"  # proc.txt's, not the file outside
    assert any("outside" in e for e in errors(doc, "sysctl"))


def test_without_sysctl_a_the_proc_sys_sections_are_read(copy):
    env = (copy / "env.txt").read_text()
    (copy / "env.txt").write_text(env.replace("# /usr/sbin/sysctl -a", "# /usr/sbin/sysctl -A"))
    doc, _ = supportconfig.load(str(copy))
    assert doc["sysctl"]["net.ipv4.tcp_max_tw_buckets"] == "180000"
    assert doc["sysctl"]["net.ipv4.tcp_mem"] == "189981 253310 379962"
    assert doc["sources"]["sysctl"] == f"{copy}/proc.txt (/proc/sys/)"


def test_an_ambiguous_date_without_a_zone_falls_back_to_the_folder_name_then_mtime(copy):
    (copy / "systemd.txt").unlink()
    doc, _ = supportconfig.load(str(copy))
    assert doc["sources"]["time"].startswith("mtime of ") and any("'CET' is ambiguous" in e for e in errors(doc, "time"))
    (copy / "sysconfig.txt").write_text("#==[ Configuration File ]===========================#\n"
                                        "# /etc/sysconfig/clock\nTIMEZONE=\"Europe/Berlin\"\n\n\n")
    doc, _ = supportconfig.load(str(copy))
    assert doc["time"] == "2026-11-20T10:05:00.000000Z"


def test_host_from_summary_xml_then_the_folder_name(copy):
    (copy / "network.txt").unlink()
    doc, _ = supportconfig.load(str(copy))
    assert doc["host"] == "web1.example.com"
    (copy / "summary.xml").unlink()
    doc, _ = supportconfig.load(str(copy))
    assert doc["host"] == "web1"  # sysctl kernel.hostname


def test_a_given_host_wins(loaded):
    doc, _ = supportconfig.load(str(SCC), host="other")
    assert doc["host"] == "other" and doc["sources"]["host"] == "given"


def test_load_all_reads_the_folder():
    (doc,) = load_all(str(SCC))
    assert doc["host"] == "web1" and doc["sockstat"]["TCP"]["tw"] == 180000


def test_not_a_folder(tmp_path):
    with pytest.raises(InputError):
        supportconfig.load(str(tmp_path / "nothing"))
