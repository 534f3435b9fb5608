"""Multi-line joins: the martian ll header belongs to the martian line before it, and only to it."""

from __future__ import annotations

from tests import golden

MARTIAN = "Nov 20 10:00:0{s} web1 kernel: martian source 10.0.0.255 from 10.0.0.3, on dev eth0"
LL = "Nov 20 10:00:0{s} web1 kernel: ll header: 00000000: ff ff ff ff ff ff 52 54 00 12 34 56 08 00"


def test_ll_header_joins_the_martian_before_it():
    """A martian line and its ll header make one event with the MAC addresses."""
    (event,) = golden.run([MARTIAN.format(s=1), LL.format(s=1)])
    assert event["fields"]["src_mac"] == "52:54:00:12:34:56" and event["raw"].count("\n") == 1


def test_identical_martian_without_ll_header_keeps_its_own_fields():
    """A second identical martian line (no ll header) is not given the first one's header (no aliasing)."""
    first, second = golden.run([MARTIAN.format(s=1), LL.format(s=1), MARTIAN.format(s=2), "Nov 20 10:00:03 web1 "
                                "kernel: TCP: too many orphaned sockets"])[:2]
    assert first["fields"]["ll_header"] is not None
    assert second["fields"]["ll_header"] is None


def test_ll_header_of_another_host_does_not_join():
    """An ll header line from another host stays apart."""
    events = golden.run([MARTIAN.format(s=1), LL.format(s=1).replace("web1", "web2")])
    assert [e["message_id"] for e in events] == ["martian_source.plain", "martian_source.ll_header"]
