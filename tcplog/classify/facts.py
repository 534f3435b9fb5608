"""The facts a rule sees: one event, the snapshots around it and a kernel version, by path.

Rules never touch documents; they name facts by path and the engine resolves them here:

    event.family, event.message_id, event.fields.port       the event
    kernel.release, kernel.version (tuple), kernel.el,      the kernel release used (the --kernel
      kernel.openvz, kernel.stab, kernel.arch                 one, else the snapshot's uname -r)
    before.<section>.<key>...   e.g. before.sockstat.TCP.tw  the latest snapshot at/before the event
                                (the one after it when there is none before: lower confidence)
    after.<section>.<key>...                                 the next snapshot after it
    delta.<section>.<key>...    after − before, numbers only; `delta.time` = seconds between them
    before.page_size            the snapshot's page size; where it has none (copies of /proc, sosreports,
                                `sysctl -a` files) the one the kernel's architecture implies
                                (kernel_page_size), else UNKNOWN
    sysctl:<name>               from before (else after): `sysctl:net.ipv4.tcp_max_tw_buckets`;
    sysctl:<name>[i]            the i-th value of a multi-value sysctl (`sysctl:net.ipv4.tcp_mem[2]`);
                                numeric values become ints
    listener, listener.<key>    the LISTEN socket the event names (port, address, ip version):
                                address, port, accept_queue, backlog, pid, process, and `name`
                                ("0.0.0.0:443 (nginx, pid 1234)"); an event without a port field
                                (accept-queue counter events): the fullest listener, if at ≥ 90 %
    neigh, neigh.<key>          the neighbour table the event names (arp_cache / ndisc_cache):
                                entries, gc_thresh1..3, table_fulls, and `table`
    mib                         the SNMP group counting the event's UDP datagram (udp_mib): Udp,
                                UdpLite (/proc/net/snmp), Udp6, UdpLite6 (/proc/net/snmp6), for
                                paths such as `delta.snmp.{mib}.InErrors`

A path may embed `{event.fields.X}`, replaced by that field first:
`sysctl:net.ipv4.conf.{event.fields.interface}.rp_filter`.

Anything that cannot be resolved — a missing snapshot, a null section, an absent key, a counter
that went backwards, a reboot between the two snapshots (tcplog.boots.apart: boot ids differ in
any spelling, or the later one booted after the earlier one was taken), a field the wording lacks — is UNKNOWN, never False and never
None. UNKNOWN refuses to act as a bool, so no code can silently treat "don't know" as "no".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timezone

from tcplog import boots
from tcplog.kernelver import KernelVersion
from tcplog.kernelver import parse as parse_kernel


class _Unknown:
    """The one 'cannot tell' value of three-valued logic (True / False / UNKNOWN)."""

    _instance: _Unknown | None = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"

    def __bool__(self):
        raise TypeError("UNKNOWN has no truth value: test `x is UNKNOWN`")


UNKNOWN = _Unknown()

ROOTS = ("event", "kernel", "before", "after", "delta", "listener", "neigh", "mib")
_TEMPLATE = re.compile(r"\{([^{}]+)\}")
_INDEX = re.compile(r"^(.*)\[(\d{1,3})\]$")
_PER_DEVICE = re.compile(r"(net\.ipv[46]\.(?:conf|neigh)\.)(.+)\.([^.]+)")


def sysctl_spellings(name: str) -> tuple[str, ...]:
    """The names a per-device sysctl goes by: procps `sysctl -a` prints a VLAN interface's dots as
    `/` (`net.ipv4.conf.eth0/100.rp_filter`, also what `sysctl -w` takes), busybox and procps 3.2
    as dots (`eth0.100`). The `/` form first; any other name as it is."""
    m = _PER_DEVICE.fullmatch(name)
    if m is None or not ({".", "/"} & set(m.group(2))):
        return (name,)
    head, device, key = m.groups()
    return f"{head}{device.replace('.', '/')}.{key}", f"{head}{device.replace('/', '.')}.{key}"
_INT = re.compile(r"^-?\d+$")
_NEIGH_TABLES = {4: "arp_cache", 6: "ndisc_cache"}


def is_unknown(value) -> bool:
    return value is UNKNOWN


def number(value):
    """An int/float (never a bool), else UNKNOWN."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return UNKNOWN
    return value


@dataclass
class Facts:
    """Resolves paths for one event; records every path it could not resolve."""

    event: dict
    before: dict | None
    after: dict | None
    kernel: KernelVersion | None
    kernel_release: str | None = None
    # With no snapshot before the event, `before.*` state is read from the one after it (a
    # sosreport is taken after the incident); `substituted` records that, and the engine
    # lowers its confidence one step.
    substituted: bool = False
    _cache: dict = field(default_factory=dict, repr=False)

    def get(self, path: str):
        """The value at `path`, or UNKNOWN."""
        if path in self._cache:
            return self._cache[path]
        value = self._resolve(path)
        self._cache[path] = value
        return value

    def expand(self, path: str):
        """`path` with its `{event.fields.X}` parts filled in, or UNKNOWN when one is unknown."""
        if "{" not in path:
            return path
        missing = False

        def fill(m):
            nonlocal missing
            v = self.get(m.group(1))
            if v is UNKNOWN or isinstance(v, (dict, list)):
                missing = True
                return ""
            return str(v)

        out = _TEMPLATE.sub(fill, path)
        return UNKNOWN if missing else out

    # -- resolution ---------------------------------------------------------------------------

    def _resolve(self, path: str):
        path = self.expand(path)
        if path is UNKNOWN:
            return UNKNOWN
        if path in ("before.page_size", "after.page_size"):
            value = self._resolve_path(path)
            return kernel_page_size(self.kernel) if value is UNKNOWN else value
        return self._resolve_path(path)

    def _resolve_path(self, path: str):
        if path.startswith("sysctl:"):
            return self._sysctl(path[len("sysctl:"):])
        root, _, rest = path.partition(".")
        tokens = rest.split(".") if rest else []
        if root == "event":
            return _dig(self.event, tokens)
        if root == "kernel":
            return self._kernel(tokens)
        if root == "before" and self._doc("before") is None and self._doc("after") is not None:
            value = _dig(self._doc("after"), tokens)
            if value is not UNKNOWN:
                self.substituted = True
            return value
        if root in ("before", "after"):
            return _dig(self._doc(root), tokens)
        if root == "delta":
            return self._delta(tokens)
        if root == "listener":
            return _dig(self._listener(), tokens)
        if root == "neigh":
            return _dig(self._neigh(self._doc("before")) or self._neigh(self._doc("after")), tokens)
        if root == "mib" and not tokens:
            return udp_mib(self.event.get("fields") or {})
        return UNKNOWN

    def _doc(self, which: str) -> dict | None:
        doc = self.before if which == "before" else self.after
        return doc if isinstance(doc, dict) else None

    def _kernel(self, tokens: list[str]):
        k = self.kernel
        if k is None or len(tokens) != 1:
            return UNKNOWN
        name = tokens[0]
        if name == "release":
            return k.release
        if name == "version":
            return k.key
        hints = k.hints()
        if name in hints:
            v = hints[name]
            return UNKNOWN if v is None else v
        return UNKNOWN

    def _sysctl(self, spec: str):
        m = _INDEX.match(spec)
        name, index = (m.group(1), int(m.group(2))) if m else (spec, None)
        raw = self.sysctl_raw(name)
        if raw is UNKNOWN:
            return UNKNOWN
        if self._doc("before") is None:
            self.substituted = True  # read from the snapshot after the event, like before.* (a gauge such
            # as ip_conntrack_count, or a setting changed since: a sosreport is taken after the incident)
        parts = str(raw).split()
        if index is not None:
            return _scalar(parts[index]) if index < len(parts) else UNKNOWN
        if len(parts) == 1:
            return _scalar(parts[0])
        return str(raw)

    def sysctl_raw(self, name: str):
        """The sysctl's value exactly as the snapshot holds it (a string), or UNKNOWN; a
        per-device name under either spelling (sysctl_spellings)."""
        for doc in (self._doc("before"), self._doc("after")):
            table = doc.get("sysctl") if doc else None
            if isinstance(table, dict):
                for spelling in sysctl_spellings(name):
                    if table.get(spelling) is not None:
                        return str(table[spelling])
        return UNKNOWN

    def _delta(self, tokens: list[str]):
        before, after = self._doc("before"), self._doc("after")
        if before is None or after is None or not tokens:
            return UNKNOWN
        if boots.apart(before, after):
            return UNKNOWN  # a reboot between them reset every counter (boot ids, else boot times)
        if tokens == ["time"]:
            t0, t1 = _time(before.get("time")), _time(after.get("time"))
            if t0 is None or t1 is None or t1 < t0:
                return UNKNOWN
            return (t1 - t0).total_seconds()
        if tokens[0] == "neigh":
            b, a = _dig(self._neigh(before), tokens[1:]), _dig(self._neigh(after), tokens[1:])
        else:
            b, a = _dig(before, tokens), _dig(after, tokens)
        b, a = number(b), number(a)
        if b is UNKNOWN or a is UNKNOWN or a < b:
            return UNKNOWN  # counters only grow; a drop means a reset we cannot see across
        return a - b

    def _listener(self):
        """The LISTEN socket the event names, from before (else after); None when not found. An
        event that names no port (the accept-queue counter event) gets the fullest listener of the
        snapshots, after (the state the overflows left) before before, when its queue is at 90 % or
        more of its backlog: the one that overflowed, or None."""
        fields = self.event.get("fields") or {}
        port = fields.get("port")
        if port is None and "port" not in fields:
            for doc in (self._doc("after"), self._doc("before")):
                found = _fullest_listener(doc.get("listeners") if doc else None)
                if found is not None:
                    return found
            return None
        if not isinstance(port, int) or isinstance(port, bool):
            return None
        for doc in (self._doc("before"), self._doc("after")):
            found = _pick_listener(doc.get("listeners") if doc else None, port, fields)
            if found is not None:
                return found
        return None

    def _neigh(self, doc: dict | None):
        """The neighbour table the event names (by table id, else IP version, else ARP)."""
        if doc is None or not isinstance(doc.get("neighbour"), dict):
            return None
        fields = self.event.get("fields") or {}
        table = fields.get("table") or _NEIGH_TABLES.get(fields.get("ip_version"), "arp_cache")
        found = doc["neighbour"].get(table)
        return {**found, "table": table} if isinstance(found, dict) else None


def udp_mib(fields: dict):
    """The SNMP group that counts a UDP datagram the event names, from its protocol tag and IP version:
    __udp4_lib_rcv() counts UDP in `Udp` and UDP-Lite in `UdpLite` (/proc/net/snmp), __udp6_lib_rcv()
    in `Udp6` and `UdpLite6` (/proc/net/snmp6). UNKNOWN for an event without a protocol tag."""
    protocol, version = fields.get("protocol"), fields.get("ip_version")
    if not isinstance(protocol, str) or not protocol.upper().startswith("UDP") or version not in (4, 6, None):
        return UNKNOWN
    return ("UdpLite" if "lite" in protocol.lower() else "Udp") + ("6" if version == 6 else "")


def kernel_page_size(kernel: KernelVersion | None):
    """The page size a kernel build has, where its release says (UNKNOWN otherwise): sockstat `mem` and
    tcp_mem count pages, and copies of /proc, sosreports and `sysctl -a` files do not record their size.
    x86 and s390x have 4 KiB base pages only; the ppc64/ppc64le kernels of RHEL, SLES, Debian and Ubuntu
    are built with 64 KiB pages; an arm64 release that says so (`+64k` of RHEL 9, `-64k` of Ubuntu) and
    RHEL 7/8 on aarch64 have 64 KiB. Other arm64 kernels exist with either, so they stay UNKNOWN."""
    if kernel is None:
        return UNKNOWN
    if re.search(r"[+\-_.]64k(?:$|[+\-_.])", kernel.tail):
        return 65536
    if kernel.arch in ("x86_64", "i386", "i486", "i586", "i686", "s390x", "armv7hl"):
        return 4096
    if kernel.arch in ("ppc64le", "ppc64"):
        return 65536
    if kernel.arch == "aarch64" and kernel.el in (7, 8):
        return 65536
    return UNKNOWN


def build(event: dict, before: dict | None, after: dict | None, kernel_release: str | None = None) -> Facts:
    """Facts for one event. The kernel is `kernel_release` if given, else the snapshots' uname -r."""
    release = kernel_release
    if release is None:
        for doc in (before, after):
            r = _dig(doc, ["kernel", "release"]) if isinstance(doc, dict) else UNKNOWN
            if isinstance(r, str):
                release = r
                break
    return Facts(event=event, before=before, after=after, kernel=parse_kernel(release), kernel_release=release)


def _dig(node, tokens: list[str]):
    """Walk dicts (and lists by `[i]`); a dotted key (sysctl names) is matched whole. None → UNKNOWN."""
    i = 0
    while i < len(tokens):
        if node is None:
            return UNKNOWN
        token = tokens[i]
        m = _INDEX.match(token)
        key, index = (m.group(1), int(m.group(2))) if m else (token, None)
        if isinstance(node, dict):
            if key in node:
                node = node[key]
            else:
                joined = ".".join(tokens[i:])
                if joined in node:
                    node, i = node[joined], len(tokens)
                    continue
                return UNKNOWN
        else:
            return UNKNOWN
        if index is not None:
            if isinstance(node, list) and index < len(node):
                node = node[index]
            elif isinstance(node, str) and index < len(node.split()):
                node = _scalar(node.split()[index])
            else:
                return UNKNOWN
        i += 1
    return UNKNOWN if node is None else node


def _scalar(text: str):
    return int(text) if _INT.match(text) else text


def _time(text) -> datetime | None:
    """An ISO 8601 time (UTC when it names no zone), or None."""
    if not isinstance(text, str):
        return None
    try:
        t = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return t if t.tzinfo is not None else t.replace(tzinfo=timezone.utc)


def _pick_listener(listeners, port: int, fields: dict) -> dict | None:
    """The listener on `port`; the event's address and IP version break ties, then the fullest queue."""
    if not isinstance(listeners, list):
        return None
    on_port = [x for x in listeners if isinstance(x, dict) and x.get("port") == port
               and x.get("proto", "tcp") in ("tcp", "tcp6", None)]
    if not on_port:
        return None
    address = fields.get("listen_address")
    if address:
        exact = [x for x in on_port if _same_address(x.get("address"), address)]
        on_port = exact or on_port
    version = fields.get("ip_version")
    if version in (4, 6) and len(on_port) > 1:
        same = [x for x in on_port if (":" in str(x.get("address") or "")) == (version == 6)]
        on_port = same or on_port
    best = max(on_port, key=_fill)
    return {**best, "name": _listener_name(best)}


def _fullest_listener(listeners) -> dict | None:
    """The TCP listener whose accept queue is fullest, when it holds 90 % or more of its backlog."""
    if not isinstance(listeners, list):
        return None
    tcp = [x for x in listeners if isinstance(x, dict) and x.get("proto", "tcp") in ("tcp", "tcp6", None)]
    if not tcp:
        return None
    best = max(tcp, key=_fill)
    return {**best, "name": _listener_name(best)} if _fill(best) >= 0.9 else None


def _same_address(a, b) -> bool:
    a, b = str(a or "").strip("[]"), str(b or "").strip("[]")
    if a == b:
        return True
    return a.removeprefix("::ffff:") == b.removeprefix("::ffff:")


def _fill(listener: dict) -> float:
    q, b = listener.get("accept_queue"), listener.get("backlog")
    if isinstance(q, int) and isinstance(b, int) and b > 0:
        return q / b
    return -1.0


def _listener_name(x: dict) -> str:
    address = str(x.get("address") or "*")
    host = f"[{address}]" if ":" in address else address
    name = f"{host}:{x.get('port')}"
    owner = [str(x["process"])] if x.get("process") else []
    if x.get("pid") is not None:
        owner.append(f"pid {x['pid']}")
    return f"{name} ({', '.join(owner)})" if owner else name
