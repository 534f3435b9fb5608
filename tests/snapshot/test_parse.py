"""The /proc, sysctl, ss and uname text parsers on real samples from this machine kind and older kernels."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from tcplog.snapshot import parse

FIXTURES = Path(__file__).parent.parent / "fixtures"
VM = FIXTURES / "proc" / "vm-6.18"
RHEL5 = FIXTURES / "proc" / "rhel5-2.6.18"
RHEL7 = FIXTURES / "proc" / "rhel7-3.10"
NETNS = FIXTURES / "proc" / "netns-listeners"


def text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


# -- sockstat -------------------------------------------------------------------------------

def test_sockstat_real_6_18_reads_every_protocol():
    """The 6.18 sockstat gives sockets, TCP, UDP, UDPLITE, RAW and FRAG with their keys."""
    got = parse.sockstat(text(VM / "net" / "sockstat"))
    assert got.problems == []
    assert set(got.value) == {"sockets", "TCP", "UDP", "UDPLITE", "RAW", "FRAG"}
    assert set(got.value["TCP"]) == {"inuse", "orphan", "tw", "alloc", "mem"}
    assert got.value["FRAG"] == {"inuse": 0, "memory": 0}


def test_sockstat6_real_6_18():
    """sockstat6 has the TCP6..FRAG6 lines."""
    got = parse.sockstat(text(VM / "net" / "sockstat6"))
    assert set(got.value) == {"TCP6", "UDP6", "UDPLITE6", "RAW6", "FRAG6"} and got.problems == []


def test_sockstat_2_6_18_has_fewer_fields():
    """2.6.18 prints `UDP: inuse N` without mem and no UDPLITE line; both come through."""
    got = parse.sockstat(text(RHEL5 / "net" / "sockstat"))
    assert got.value["UDP"] == {"inuse": 9}
    assert "UDPLITE" not in got.value
    assert got.value["TCP"]["tw"] == 17826


def test_sockstat_3_10():
    """The RHEL 7 sample reads TIME_WAIT and memory pages."""
    got = parse.sockstat(text(RHEL7 / "net" / "sockstat"))
    assert got.value["TCP"] == {"inuse": 310, "orphan": 12, "tw": 64012, "alloc": 340, "mem": 45210}


def test_sockstat_tolerates_trailing_pressure_field():
    """A `pressure N` field after `mem` (patched kernels) is kept as one more key."""
    got = parse.sockstat(text(FIXTURES / "proc" / "sockstat-pressure" / "net" / "sockstat"))
    assert got.value["TCP"]["pressure"] == 1 and got.value["TCP"]["mem"] == 383900
    assert got.problems == []


def test_sockstat_skips_and_reports_a_bad_line():
    """A line with a non-integer value is skipped and named by number; the others stay."""
    got = parse.sockstat("sockets: used 3\nTCP: inuse 1 tw abc\nUDP: inuse 0\n")
    assert got.value == {"sockets": {"used": 3}, "UDP": {"inuse": 0}}
    assert len(got.problems) == 1 and got.problems[0].startswith("line 2: tw: not an integer")


def test_sockstat_reports_an_odd_number_of_tokens():
    """`TCP: inuse` (a value missing, a truncated copy) is reported, not guessed."""
    got = parse.sockstat("TCP: inuse")
    assert got.value == {} and got.problems[0].startswith("line 1:")


# -- netstat / snmp -------------------------------------------------------------------------

def test_netstat_real_6_18_has_more_than_130_tcpext_columns():
    """The live kernel's TcpExt is read by name: 130+ columns, new TCPAO* ones included."""
    got = parse.counters(text(VM / "net" / "netstat"))
    assert got.problems == []
    assert len(got.value["TcpExt"]) > 130
    assert "TCPAODroppedIcmps" in got.value["TcpExt"] and "ListenOverflows" in got.value["TcpExt"]
    assert set(got.value) == {"TcpExt", "IpExt", "MPTcpExt"}


def test_snmp_real_6_18_keeps_signed_and_new_columns():
    """Tcp MaxConn is -1 and Ip OutTransmits (6.x only) is kept."""
    got = parse.counters(text(VM / "net" / "snmp"))
    assert got.value["Tcp"]["MaxConn"] == -1
    assert "OutTransmits" in got.value["Ip"]
    assert set(got.value) == {"Ip", "Icmp", "IcmpMsg", "Tcp", "Udp", "UdpLite"}


def test_netstat_2_6_18_has_only_tcpext():
    """2.6.18's netstat: TcpExt with ~60 columns and no TCPTimeWaitOverflow counter."""
    got = parse.counters(text(RHEL5 / "net" / "netstat"))
    assert set(got.value) == {"TcpExt"}
    assert 55 < len(got.value["TcpExt"]) < 70
    assert "TCPTimeWaitOverflow" not in got.value["TcpExt"]
    assert got.value["TcpExt"]["TCPAbortOnMemory"] == 57


def test_snmp_2_6_18_has_no_udplite_and_no_csum_columns():
    """2.6.18's snmp lacks UdpLite and Tcp InCsumErrors; what is there reads by name."""
    got = parse.counters(text(RHEL5 / "net" / "snmp"))
    assert set(got.value) == {"Ip", "Icmp", "Tcp", "Udp"}
    assert "InCsumErrors" not in got.value["Tcp"] and got.value["Tcp"]["MaxConn"] == -1


def test_netstat_3_10_reads_counters_by_name():
    """The RHEL 7 sample gives TCPTimeWaitOverflow and ListenOverflows at their names."""
    got = parse.counters(text(RHEL7 / "net" / "netstat"))
    assert got.value["TcpExt"]["TCPTimeWaitOverflow"] == 18231
    assert got.value["TcpExt"]["ListenOverflows"] == 5120
    assert got.value["IpExt"]["InOctets"] == 88123456789


def test_counters_unknown_columns_are_kept():
    """A column no kernel has today is kept under its name."""
    got = parse.counters("TcpExt: TW FutureCounter\nTcpExt: 3 7\n")
    assert got.value == {"TcpExt": {"TW": 3, "FutureCounter": 7}}


def test_counters_truncated_file_reports_the_header_without_values():
    """A header whose value line was cut off is reported by line; earlier pairs stay."""
    got = parse.counters("Ip: A B\nIp: 1 2\nTcp: C D\n")
    assert got.value == {"Ip": {"A": 1, "B": 2}}
    assert got.problems == ["line 3: Tcp header without a value line: 'Tcp: C D'"]


def test_counters_length_mismatch_skips_the_pair():
    """A value line with fewer values than names is skipped, never shifted into wrong names."""
    got = parse.counters("Tcp: A B C\nTcp: 1 2\nUdp: X\nUdp: 5\n")
    assert got.value == {"Udp": {"X": 5}}
    assert "2 values for 3 names" in got.problems[0]


def test_counters_huge_number_is_reported():
    """A value beyond 64 bits is not a kernel counter: reported, not read."""
    got = parse.counters("Tcp: A\nTcp: 99999999999999999999999\n")
    assert got.value == {} and "not an integer" in got.problems[0]


def test_snmp6_real_6_18_groups_by_prefix():
    """snmp6 names split at the first 6: Ip6, Icmp6, Udp6, UdpLite6."""
    got = parse.snmp6(text(VM / "net" / "snmp6"))
    assert got.problems == []
    assert {"Ip6", "Icmp6", "Udp6", "UdpLite6"} <= set(got.value)
    assert "InReceives" in got.value["Ip6"]


def test_snmp6_reports_a_line_without_a_value():
    """A name with no value is reported."""
    got = parse.snmp6("Ip6InReceives 4\nIp6OutRequests\n")
    assert got.value == {"Ip6": {"InReceives": 4}} and got.problems[0].startswith("line 2:")


# -- meminfo ----------------------------------------------------------------------------------

def test_meminfo_real_reads_kb_and_counts():
    """MemTotal (kB) and HugePages_Total (a count) both read as ints."""
    got = parse.meminfo(text(VM / "meminfo"))
    assert got.problems == [] and got.value["MemTotal"] > 0
    assert "HugePages_Total" in got.value and "Active(anon)" in got.value


# -- sysctl -a --------------------------------------------------------------------------------

def test_sysctl_text_real_has_more_than_1000_keys():
    """The live `sysctl -a` of this machine reads fully, no key split at its dots."""
    got = parse.sysctl_text(text(FIXTURES / "sysctl" / "vm-6.18_sysctl_-a.txt"))
    assert len(got.value) > 1000 and got.problems == []
    assert got.value["net.netfilter.nf_conntrack_max"] == "262144"


def test_sysctl_text_collapses_tabs_to_single_spaces():
    """`4096<TAB>131072<TAB>33554432` becomes `4096 131072 33554432`."""
    got = parse.sysctl_text(text(FIXTURES / "sysctl" / "vm-6.18_sysctl_-a.txt"))
    assert got.value["net.ipv4.tcp_rmem"] == " ".join(got.value["net.ipv4.tcp_rmem"].split())
    assert "\t" not in got.value["net.ipv4.tcp_mem"] and len(got.value["net.ipv4.tcp_mem"].split()) == 3


def test_sysctl_text_reports_old_procps_error_lines():
    """`error: permission denied on key ...` (procps 3.2) is reported, not read as a key."""
    got = parse.sysctl_text(text(FIXTURES / "sysctl" / "rhel5-2.6.18_sysctl_-a.txt"))
    assert not any(k.startswith("error") for k in got.value)
    assert any("permission denied on key 'net.ipv4.route.flush'" in p for p in got.problems)


def test_sysctl_text_reports_new_procps_message_lines():
    """`sysctl: permission denied ...` and `sysctl: reading key ...` lines are reported."""
    got = parse.sysctl_text("a.b = 1\nsysctl: permission denied on key 'fs.x'\n"
                            'sysctl: reading key "net.ipv6.conf.all.stable_secret"\n')
    assert got.value == {"a.b": "1"} and len(got.problems) == 2


def test_sysctl_text_repeated_key_is_joined():
    """dev.cdrom.info printed on several lines becomes one value."""
    got = parse.sysctl_text(text(FIXTURES / "sysctl" / "rhel5-2.6.18_sysctl_-a.txt"))
    assert got.value["dev.cdrom.info"] == "CD-ROM information, Id: cdrom.c 3.20 2003/12/17 drive name: hdc"


def test_sysctl_text_empty_value_is_kept():
    """`key =` (an empty value) is a key with ''."""
    assert parse.sysctl_text("net.core.x =\n").value == {"net.core.x": ""}


def test_sysctl_text_garbage_line_is_reported():
    """A line with no ` = ` is reported by number."""
    got = parse.sysctl_text("net.a = 1\nthis is not sysctl\n")
    assert got.value == {"net.a": "1"} and got.problems[0].startswith("line 2: expected 'key = value'")


# -- /proc/net/stat ---------------------------------------------------------------------------

def test_hex_stat_conntrack_real_6_18():
    """The 6.18 nf_conntrack stat table reads every column, summed over the CPUs."""
    got = parse.hex_stat(text(VM / "net" / "stat" / "nf_conntrack"))
    assert got.problems == []
    assert {"entries", "found", "insert_failed", "drop", "early_drop", "search_restart"} <= set(got.value)


def test_hex_stat_sums_counters_and_keeps_entries_from_the_first_row():
    """3.10 conntrack stat over 4 CPUs: drop is the sum, entries the (global) first value."""
    got = parse.hex_stat(text(RHEL7 / "net" / "stat" / "nf_conntrack"))
    assert got.value["entries"] == 0x3FFFC
    assert got.value["drop"] == 0x1388 + 0xFA0 + 0 + 0x7D0
    assert got.value["insert_failed"] == 6


def test_hex_stat_arp_cache_real_6_18():
    """arp_cache: entries and table_fulls are there."""
    got = parse.hex_stat(text(VM / "net" / "stat" / "arp_cache"))
    assert "table_fulls" in got.value and got.value["entries"] >= 0 and got.problems == []


def test_hex_stat_2_6_18_ip_conntrack():
    """The 2.6.18 ip_conntrack stat table (searched, delete_list columns) reads the same way."""
    got = parse.hex_stat(text(RHEL5 / "net" / "stat" / "ip_conntrack"))
    assert got.value["entries"] == 0xFFF0 and got.value["drop"] == 0x1F4 + 0xC8


def test_hex_stat_bad_row_is_skipped():
    """A row with a non-hex value is skipped and reported; the good rows are summed."""
    got = parse.hex_stat("entries drop\n00000001 00000002\n00000001 zz\n00000001 00000003\n")
    assert got.value == {"entries": 1, "drop": 5} and got.problems[0].startswith("line 3:")


def test_hex_stat_without_a_header_gives_none():
    """A file that starts with values has no names to give them: None and a problem."""
    got = parse.hex_stat("00000001 00000002\n")
    assert got.value is None and got.problems


# -- listeners ---------------------------------------------------------------------------------

def test_tcp_listeners_real_netns_decodes_little_endian_addresses():
    """0100007F:1F90 is 127.0.0.1:8080, with its 3 unaccepted connections as the accept queue."""
    got = parse.tcp_listeners(text(NETNS / "net" / "tcp").splitlines())
    assert got.problems == []
    rows = {(r["address"], r["port"]): r for r in got.value}
    assert set(rows) == {("127.0.0.1", 8080), ("0.0.0.0", 22)}
    assert rows[("127.0.0.1", 8080)]["accept_queue"] == 3


def test_tcp_listeners_skips_established_rows():
    """Only state 0A rows are listeners; the ESTABLISHED ones (01) are not."""
    rows = parse.tcp_listeners(text(NETNS / "net" / "tcp").splitlines()).value
    assert len(rows) == 2


def test_tcp6_listeners_real_netns():
    """tcp6 rows decode to :: and ::1 (four little-endian words)."""
    rows = parse.tcp_listeners(text(NETNS / "net" / "tcp6").splitlines()).value
    assert {(r["address"], r["port"]) for r in rows} == {("::", 443), ("::1", 9042)}


def test_tcp_listeners_real_6_18_vm():
    """The live VM's listener on 2024 comes through with its inode."""
    rows = parse.tcp_listeners(text(VM / "net" / "tcp").splitlines()).value
    assert [(r["address"], r["port"]) for r in rows] == [("0.0.0.0", 2024)] and rows[0]["inode"] > 0


def test_tcp_listeners_big_endian_copy():
    """little_endian=False reads the address bytes as printed."""
    line = "   0: 7F000001:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 1 1 0"
    assert parse.tcp_listeners([line], little_endian=False).value[0]["address"] == "127.0.0.1"


def test_tcp_listeners_bad_row_is_reported():
    """A LISTEN row with a broken address is reported by line."""
    got = parse.tcp_listeners(["   0: XYZ:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 1 1"])
    assert got.value == [] and got.problems[0].startswith("line 1: bad socket row")


def test_ss_listeners_real_without_header():
    """`ss -ltnpH`: Send-Q is the backlog, Recv-Q the accept queue, users gives pid and process."""
    got = parse.ss_listeners(text(FIXTURES / "ss" / "netns-listeners_ss_-ltnpH.txt"))
    assert got.problems == []
    rows = {(r["address"], r["port"]): r for r in got.value}
    assert rows[("127.0.0.1", 8080)]["backlog"] == 5 and rows[("127.0.0.1", 8080)]["accept_queue"] == 3
    assert rows[("*", 443)]["backlog"] == 4096
    assert rows[("::1", 9042)]["process"] == "python3" and rows[("::1", 9042)]["pid"] > 0


def test_ss_listeners_real_with_header():
    """`ss -ltnp` (old iproute2 without -H) gives the same rows; the header is skipped."""
    with_header = parse.ss_listeners(text(FIXTURES / "ss" / "netns-listeners_ss_-ltnp.txt"))
    without = parse.ss_listeners(text(FIXTURES / "ss" / "netns-listeners_ss_-ltnpH.txt"))
    assert with_header.value == without.value and with_header.problems == []


def test_ss_listeners_interface_suffix_and_no_process():
    """`127.0.0.53%lo:53` drops the interface; a row without users: has pid None."""
    got = parse.ss_listeners("LISTEN 0      4096   127.0.0.53%lo:53        0.0.0.0:*\n")
    assert got.value == [{"address": "127.0.0.53", "port": 53, "accept_queue": 0, "backlog": 4096,
                          "pid": None, "process": None}]


# -- uname, btime, date -----------------------------------------------------------------------

def test_uname_a_rhel_with_three_arch_fields():
    """RHEL's `uname -a` (machine, processor, platform) keeps the version whole."""
    got = parse.uname_a("Linux web1 4.18.0-513.5.1.el8_9.x86_64 #1 SMP Fri Sep 29 05:21:10 EDT 2023 "
                        "x86_64 x86_64 x86_64 GNU/Linux\n")
    assert got.value == {"sysname": "Linux", "nodename": "web1", "release": "4.18.0-513.5.1.el8_9.x86_64",
                         "version": "#1 SMP Fri Sep 29 05:21:10 EDT 2023", "machine": "x86_64"}


def test_uname_a_this_machine():
    """This VM's `uname -a` shape (one arch field) reads too."""
    got = parse.uname_a("Linux vm 6.18.44-fc-v595 #1 SMP PREEMPT_DYNAMIC @0 x86_64 GNU/Linux")
    assert got.value["release"] == "6.18.44-fc-v595" and got.value["version"] == "#1 SMP PREEMPT_DYNAMIC @0"


def test_uname_a_garbage_is_a_problem():
    """Too few fields: None and a problem."""
    got = parse.uname_a("Linux")
    assert got.value is None and got.problems


def test_boot_time_real_stat():
    """btime of the copied /proc/stat is an epoch second."""
    assert parse.boot_time(text(VM / "stat")).value > 1_600_000_000


def test_date_output_utc():
    """`date --utc` output becomes an aware UTC time."""
    got = parse.date_output("Fri Nov 20 10:05:00 UTC 2026\n")
    assert got.value == datetime(2026, 11, 20, 10, 5, tzinfo=timezone.utc)


def test_date_output_ambiguous_zone_is_refused():
    """EST could be several offsets: no guess, a problem."""
    got = parse.date_output("Fri Nov 20 05:05:00 EST 2026\n")
    assert got.value is None and "ambiguous" in got.problems[0]


@pytest.mark.parametrize("parser", [parse.sockstat, parse.counters, parse.snmp6, parse.meminfo, parse.sysctl_text,
                                    parse.hex_stat, parse.ss_listeners, parse.uname_a, parse.boot_time,
                                    parse.date_output])
def test_parsers_never_raise_on_binary_garbage(parser):
    """Random bytes decoded with replacement give a value or problems, never an exception."""
    garbage = bytes(range(256)).decode("latin-1") * 4 + "\n\x00\n: : :\n= = =\n"
    result = parser(garbage)
    assert isinstance(result.problems, list)
