"""Seeded benchmark corpus: RFC 3164 syslog as rsyslog writes it, the same records as `journalctl -o json`.

    python bench/corpus.py --lines 1000000 --kernel-ratio 0.01 --seed 1 --out DIR

writes into DIR:

    syslog.log      N lines, RSYSLOG_TraditionalFileFormat ("Nov 21 10:00:00 web-03 sshd[812]: ...")
    journal.json    the same records as `journalctl -o json` lines (minus the lines only rsyslog
                    writes: its repeat notices and internal messages)
    manifest.json   what tcplog must find in each file: events by family and by message id,
                    plus lines, bytes, net-stack lines and look-alikes written

About `--kernel-ratio` of the lines are network-stack lines (0.001, 0.01, 0.2 "incident"): every
message id of `tcplog families`, as singles, floods of one repeated text followed by
`net_ratelimit: N callbacks suppressed`, martian lines with their `ll header:` continuation,
rsyslog/syslogd/syslog-ng repeat notices and journald/rsyslog loss notices. The rest is many
programs' ordinary lines (sshd, CRON, systemd, nginx, postfix, dbus, kubelet, ..., and kernel
lines that are not network: EXT4-fs, usb, audit, oom, UFW, link state), with `--lookalike-ratio`
of them quoting trigger words or whole kernel wordings from user space, or kernel lines of other
subsystems: none of those may count.

The expected counts follow tcplog's documented rules: a kernel wording counts only from a kernel
record; log-daemon notices count from their daemon, from a tag-less line, or (rsyslog's
"message repeated", syslog-ng's "Last message ... repeated") from any program; an `ll header:`
line directly after a martian source line of the same host joins that event. Same seed, same
bytes.
"""

from __future__ import annotations

import argparse
import calendar
import json
import random
import sys
import time
import zlib
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import background  # noqa: E402
import netlines  # noqa: E402

VERSION = 2  # bump when the output for a given seed changes (run.py regenerates cached corpora)
START = calendar.timegm((2026, 11, 21, 0, 0, 0))
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_HOSTS = ("web-01", "web-02", "web-03", "lb-01", "db-01", "k8s-node-1", "k8s-node-2", "k8s-node-3",
          "mail-01", "fw-01", "legacy-db", "vz-01")
ALL_IDS = tuple(netlines.TEMPLATES)


def family(message_id: str) -> str:
    return message_id.split(".", 1)[0]


class Host:
    def __init__(self, name: str, r: random.Random):
        self.name = name
        self.printk = r.random() < 0.4  # imklog-era hosts keep the printk timestamp in the text
        self.boot = START - r.randrange(3600, 90 * 86400)
        self.boot_id = "%032x" % r.getrandbits(128)
        self.machine_id = "%032x" % r.getrandbits(128)
        self.seqnum_id = "%032x" % r.getrandbits(128)
        self.seq = r.randrange(1, 1 << 20)
        self.pids = {}

    def pid(self, program: str, r: random.Random) -> int:
        if program == "systemd":
            return 1
        p = self.pids.get(program)
        if p is None or r.random() < 0.02:
            p = self.pids[program] = r.randrange(300, 99999)
        return p


class Rec:
    """One log record: who wrote it, its text, and the event tcplog must make of it (or None)."""

    __slots__ = ("host", "kind", "program", "text", "level", "expect", "journal", "transport", "unit")

    def __init__(self, host, kind, program, text, level=6, expect=None, journal=True, transport=None, unit=None):
        self.host, self.kind, self.program, self.text, self.level = host, kind, program, text, level
        self.expect, self.journal, self.transport, self.unit = expect, journal, transport, unit


class Generator:
    def __init__(self, lines: int, ratio: float, seed: int, lookalike_ratio: float = 0.002):
        self.n, self.ratio, self.seed, self.lookalike_ratio = lines, ratio, seed, lookalike_ratio
        self.r = random.Random(seed)
        self.hosts = [Host(h, self.r) for h in _HOSTS]
        self.net_hosts = self.hosts[:6] * 4 + self.hosts  # a few hosts have most of the trouble
        self.plain_hosts = [h for h in self.hosts if not h.printk] or self.hosts
        self.incident = ratio >= 0.1
        self.last_event = {"syslog": None, "journal": None}  # (message id, host) of the last event per stream
        weights = []
        for mid in ALL_IDS:
            w = 3.0 if mid in netlines.FLOODS else 1.0
            if family(mid) == "log_suppressed":
                w = 0.4
            weights.append(w)
        self.weights = weights
        self._bg = background.PROGRAMS
        self._bg_weights = [p[0] for p in self._bg]

    # -- units of network-stack lines -----------------------------------------------------------
    def kernel(self, mid: str, host=None, text=None) -> Rec:
        r = self.r
        host = host or r.choice(self.net_hosts)
        text = text if text is not None else r.choice(netlines.TEMPLATES[mid])(r)
        return Rec(host, "kernel", "kernel", text, netlines.LEVEL[family(mid)], mid)

    def unit(self, mid: str) -> list[Rec]:
        r = self.r
        fam = family(mid)
        origin = netlines.ORIGIN[mid]
        if fam == "martian_source" and mid != "martian_source.ll_header":
            rec = self.kernel(mid)
            out = [rec]
            if r.random() < 0.7:
                ll = netlines._ll_colon(r) if mid == "martian_source.plain" else netlines._ll_hexdump(r)
                out.append(Rec(rec.host, "kernel", "kernel", ll, 4, None))  # joins the martian event
            return out
        if mid == "martian_source.ll_header":
            host = r.choice(self.net_hosts)
            while any(e and e[0].startswith("martian_source.") and e[0] != mid and e[1] is host
                      for e in self.last_event.values()):
                host = r.choice(self.hosts)
            return [self.kernel(mid, host)]
        if origin == "journald":
            host = r.choice(self.net_hosts)
            return [Rec(host, "prog", "systemd-journald", r.choice(netlines.TEMPLATES[mid])(r), 5, mid,
                        transport="driver", unit="systemd-journald.service")]
        if origin == "rsyslogd":
            host = r.choice(self.net_hosts)
            prog = "rsyslogd-2177" if mid.startswith("log_suppressed.imuxsock") else "rsyslogd"
            return [Rec(host, "daemon", prog, r.choice(netlines.TEMPLATES[mid])(r), 5, mid, journal=False)]
        if origin == "tagless":
            first = self.kernel(self.pick_flood())
            return [first, Rec(first.host, "tagless", None, r.choice(netlines.TEMPLATES[mid])(r), 5, mid,
                               journal=False)]
        if origin == "repeat":
            n = r.randrange(2, 200)
            if r.random() < 0.6:
                first = self.kernel(self.pick_flood(), host=r.choice(self.plain_hosts))
                return [first, Rec(first.host, "kernel", "kernel", f"message repeated {n} times: [ {first.text}]",
                                   first.level, mid, journal=False)]
            host = r.choice(self.hosts)
            text = f"Failed password for root from {netlines.ip4(r)} port {r.randrange(1024, 65536)} ssh2"
            return [Rec(host, "prog", "sshd", text, 6, None, transport="syslog", unit="ssh.service"),
                    Rec(host, "prog", "sshd", f"message repeated {n} times: [ {text}]", 6, mid, journal=False)]
        if origin == "syslog-ng":
            first = self.kernel(self.pick_flood(), host=r.choice(self.plain_hosts))
            note = (f"Last message '{first.text[:20]}' repeated {r.randrange(1, 90)} times, suppressed by syslog-ng "
                    f"on {first.host.name}")
            return [first, Rec(first.host, "kernel", "kernel", note, first.level, mid, journal=False)]
        if fam == "ratelimit_suppressed":
            if r.random() < 0.3:
                return [self.kernel(mid)]
            return self.burst(self.pick_flood(), notice=mid)
        if mid in netlines.FLOODS and r.random() < (0.7 if self.incident else 0.4):
            return self.burst(mid)
        return [self.kernel(mid)]

    def burst(self, mid: str, notice: str | None = None) -> list[Rec]:
        """One text repeated k times on one host, then often a rate-limit notice and a few more."""
        r = self.r
        first = self.kernel(mid)
        k = 2 + int(r.expovariate(1 / (25 if self.incident else 5)))
        out = [first] + [Rec(first.host, "kernel", "kernel", first.text, first.level, mid) for _ in range(min(k, 400))]
        if notice is None and r.random() < 0.4:
            notice = "ratelimit_suppressed.callbacks"
        if notice is not None:
            text = (f"net_ratelimit: {r.randrange(1, 40000)} callbacks suppressed"
                    if notice == "ratelimit_suppressed.callbacks" else r.choice(netlines.TEMPLATES[notice])(r))
            out.append(Rec(first.host, "kernel", "kernel", text, 4, notice))
            out += [Rec(first.host, "kernel", "kernel", first.text, first.level, mid) for _ in range(r.randrange(0, 4))]
        return out

    def pick_flood(self) -> str:
        return self.r.choice(netlines.FLOODS)

    def note_events(self, unit: list[Rec]) -> None:
        for rec in unit:
            if rec.expect is not None:
                self.last_event["syslog"] = (rec.expect, rec.host)
                if rec.journal:
                    self.last_event["journal"] = (rec.expect, rec.host)

    def units(self) -> list[list[Rec]]:
        r = self.r
        target = round(self.n * self.ratio)
        todo = list(ALL_IDS)
        r.shuffle(todo)
        singles = [m for m in ALL_IDS if netlines.ORIGIN[m] == "kernel" and family(m) != "martian_source"]
        units, total = [], 0
        while total < target:
            mid = todo.pop() if todo else r.choices(ALL_IDS, self.weights)[0]
            unit = self.unit(mid)
            if total + len(unit) > target:
                unit = [self.kernel(r.choice(singles))]
            self.note_events(unit)
            units.append(unit)
            total += len(unit)
        return units

    # -- background -----------------------------------------------------------------------------
    def filler(self) -> tuple[Rec, bool]:
        """A background line, and whether it is a look-alike."""
        r = self.r
        host = r.choice(self.hosts)
        if r.random() < self.lookalike_ratio:
            prog, text = r.choice(netlines.LOOKALIKES)(r)
            if prog == "kernel":
                return Rec(host, "kernel", "kernel", text, 4, None), True
            return Rec(host, "prog", prog, text, 4, None, transport="stdout", unit=f"{prog}.service"), True
        _, prog, has_pid, transport, unit, templates = r.choices(self._bg, self._bg_weights)[0]
        text = r.choice(templates)(r)
        if prog == "kernel":
            return Rec(host, "kernel", "kernel", text, 6, None), False
        if prog == "rsyslogd":
            return Rec(host, "daemon", prog, text, 6, None, journal=False), False
        return Rec(host, "prog" if has_pid else "nopid", prog, text, 6, None, transport=transport, unit=unit), False

    # -- output ---------------------------------------------------------------------------------
    def write(self, out: Path) -> dict:
        r = self.r
        out.mkdir(parents=True, exist_ok=True)
        units = self.units()
        fill = self.n - sum(len(u) for u in units)
        slots = sorted(r.randrange(fill + 1) for _ in units)
        step = 86400.0 / max(self.n, 1)
        t = float(START)
        counts = {"syslog.log": Counter(), "journal.json": Counter()}
        written = {"syslog.log": [0, 0], "journal.json": [0, 0]}  # lines, bytes
        lookalikes = 0
        stamp_cache = [None, ""]
        with open(out / "syslog.log", "wb") as fs, open(out / "journal.json", "wb") as fj:
            sbuf, jbuf = [], []

            def emit(rec: Rec, t: float) -> None:
                sec = int(t)
                if stamp_cache[0] != sec:
                    g = time.gmtime(sec)
                    stamp_cache[0], stamp_cache[1] = sec, f"{_MONTHS[g.tm_mon - 1]} {g.tm_mday:2d} " \
                                                          f"{g.tm_hour:02d}:{g.tm_min:02d}:{g.tm_sec:02d}"
                line = self.syslog_line(rec, stamp_cache[1], t)
                sbuf.append(line)
                if rec.expect is not None:
                    counts["syslog.log"][rec.expect] += 1
                if rec.journal:
                    jline = self.journal_line(rec, t)
                    jbuf.append(jline)
                    if rec.expect is not None:
                        counts["journal.json"][rec.expect] += 1

            ui = 0
            for i in range(fill + 1):
                while ui < len(units) and slots[ui] == i:
                    for rec in units[ui]:
                        t += step * 0.02
                        emit(rec, t)
                    ui += 1
                if i < fill:
                    t += step * (0.5 + r.random())
                    rec, lookalike = self.filler()
                    lookalikes += lookalike
                    emit(rec, t)
                if len(sbuf) >= 8192:
                    self._flush(fs, sbuf, written["syslog.log"])
                    self._flush(fj, jbuf, written["journal.json"])
            self._flush(fs, sbuf, written["syslog.log"])
            self._flush(fj, jbuf, written["journal.json"])
        manifest = {
            "generator": "bench/corpus.py", "version": VERSION, "seed": self.seed, "lines": self.n,
            "kernel_ratio": self.ratio, "lookalike_ratio": self.lookalike_ratio,
            "net_lines": sum(len(u) for u in units), "lookalikes": lookalikes,
            "files": {},
        }
        for name, c in counts.items():
            fams = Counter()
            for mid, n in c.items():
                fams[family(mid)] += n
            manifest["files"][name] = {
                "framing": "rfc3164" if name == "syslog.log" else "journal-json",
                "lines": written[name][0], "bytes": written[name][1],
                "events": sum(c.values()),
                "events_by_family": dict(sorted(fams.items())),
                "events_by_message": dict(sorted(c.items())),
            }
        (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
        return manifest

    @staticmethod
    def _flush(f, buf: list, acc: list) -> None:
        if buf:
            data = "".join(buf).encode("utf-8")
            f.write(data)
            acc[0] += len(buf)
            acc[1] += len(data)
            buf.clear()

    def syslog_line(self, rec: Rec, stamp: str, t: float) -> str:
        host = rec.host
        if rec.kind == "kernel":
            if host.printk:
                mono = t - host.boot
                return f"{stamp} {host.name} kernel: [{int(mono):5d}.{int(mono * 1e6) % 1000000:06d}] {rec.text}\n"
            return f"{stamp} {host.name} kernel: {rec.text}\n"
        if rec.kind == "tagless":
            return f"{stamp} {host.name} {rec.text}\n"
        if rec.kind in ("daemon", "nopid"):
            return f"{stamp} {host.name} {rec.program}: {rec.text}\n"
        return f"{stamp} {host.name} {rec.program}[{host.pid(rec.program, self.r)}]: {rec.text}\n"

    def journal_line(self, rec: Rec, t: float) -> str:
        host = rec.host
        host.seq += 1
        rt = int(t * 1e6)
        mono = int((t - host.boot) * 1e6)
        entry = {
            "__CURSOR": f"s={host.seqnum_id};i={host.seq:x};b={host.boot_id};m={mono:x};t={rt:x};x={(rt ^ host.seq) & 0xffffffffffff:x}",
            "__REALTIME_TIMESTAMP": str(rt), "__MONOTONIC_TIMESTAMP": str(mono), "_BOOT_ID": host.boot_id,
        }
        if rec.kind == "kernel":
            entry.update({"_MACHINE_ID": host.machine_id, "_HOSTNAME": host.name, "PRIORITY": str(rec.level),
                          "SYSLOG_FACILITY": "0", "SYSLOG_IDENTIFIER": "kernel", "_TRANSPORT": "kernel",
                          "_SOURCE_MONOTONIC_TIMESTAMP": str(mono - 37), "MESSAGE": rec.text})
        else:
            pid = host.pid(rec.program, self.r)
            comm = rec.program.split("/")[-1][:15]
            unit = rec.unit or f"{comm}.service"
            entry.update({
                "_MACHINE_ID": host.machine_id, "_HOSTNAME": host.name, "PRIORITY": str(rec.level),
                "SYSLOG_FACILITY": "3" if rec.transport != "syslog" else "4",
                "SYSLOG_IDENTIFIER": rec.program, "_TRANSPORT": rec.transport or "syslog",
                "_UID": "0", "_GID": "0", "_COMM": comm, "_EXE": f"/usr/sbin/{comm}",
                "_CMDLINE": f"/usr/sbin/{comm}", "_CAP_EFFECTIVE": "1ffffffffff",
                "_SYSTEMD_CGROUP": f"/system.slice/{unit}", "_SYSTEMD_UNIT": unit, "_SYSTEMD_SLICE": "system.slice",
                "_SYSTEMD_INVOCATION_ID": f"{zlib.crc32(f'{host.name}/{unit}'.encode()):08x}" * 4,
                "_PID": str(pid), "SYSLOG_PID": str(pid), "MESSAGE": rec.text,
            })
            if rec.transport == "stdout":
                entry["_STREAM_ID"] = host.boot_id[:32]
                del entry["SYSLOG_PID"]
        return json.dumps(entry, ensure_ascii=False, separators=(",", ":")) + "\n"


def generate(out: Path, lines: int = 1_000_000, ratio: float = 0.01, seed: int = 1,
             lookalike_ratio: float = 0.002) -> dict:
    return Generator(lines, ratio, seed, lookalike_ratio).write(Path(out))


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--lines", type=int, default=1_000_000, help="lines in syslog.log (default 1,000,000)")
    p.add_argument("--kernel-ratio", type=float, default=0.01, help="share of network-stack lines (default 0.01)")
    p.add_argument("--lookalike-ratio", type=float, default=0.002,
                   help="share of background lines that quote trigger words and must not count (default 0.002)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--out", type=Path, required=True, help="directory to write syslog.log, journal.json, manifest.json")
    a = p.parse_args(argv)
    if not 0 <= a.kernel_ratio <= 1 or a.lines < 1:
        p.error("--kernel-ratio must be within 0..1 and --lines positive")
    t0 = time.perf_counter()
    m = generate(a.out, a.lines, a.kernel_ratio, a.seed, a.lookalike_ratio)
    s = m["files"]["syslog.log"]
    print(f"{a.out}: {s['lines']} lines, {s['bytes'] / 1e6:.1f} MB, {s['events']} events expected "
          f"({time.perf_counter() - t0:.1f} s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
