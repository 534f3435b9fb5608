"""The other 80 - 99.9 % of a syslog file: what many programs write, none of it a tcplog event.

PROGRAMS lists (weight, program, has_pid, journald metadata, templates). The kernel's own
non-network lines (EXT4, usb, audit, oom, link state, UFW) are here too: they are kernel records
that must stay unmatched. Systemd's "Start request repeated too quickly." (a rare crash-looping
unit) holds the `repeated` trigger and is a natural near-miss.
"""

from __future__ import annotations

import random

from netlines import ifname, ip4, mac, port

R = random.Random
_USERS = ("admin", "test", "oracle", "ubuntu", "pi", "git", "postgres", "user", "guest", "ftp")
_SERVICES = (("apt-daily.service", "Daily apt download activities"), ("logrotate.service", "Rotate log files"),
             ("man-db.service", "Daily man-db regeneration"), ("certbot.service", "Certbot"),
             ("phpsessionclean.service", "Clean php session files"), ("sysstat-collect.service",
                                                                       "system activity accounting tool"),
             ("fstrim.service", "Discard unused blocks on filesystems from /etc/fstab"))
_PATHS = ("/", "/api/v1/items", "/api/v1/orders/{}", "/static/app.{}.js", "/health", "/login", "/metrics",
          "/images/p/{}.jpg", "/search?q=shoes&page={}")
_UA = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36",
       "curl/8.4.0", "kube-probe/1.28", "Prometheus/2.48.0", "Go-http-client/1.1",
       "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148")


def _hex(r: R, n: int) -> str:
    return f"{r.getrandbits(4 * n):0{n}x}"


def _qid(r: R) -> str:
    return "".join(r.choice("0123456789ABCDEF") for _ in range(10))


def _path(r: R) -> str:
    return r.choice(_PATHS).format(r.randrange(1, 99999))


def _svc(r: R):
    return r.choice(_SERVICES)


SSHD = [
    lambda r: f"Accepted publickey for deploy from {ip4(r)} port {r.randrange(1024, 65536)} ssh2: ED25519 SHA256:"
              f"{_hex(r, 43)}",
    lambda r: f"Connection closed by authenticating user root {ip4(r)} port {r.randrange(1024, 65536)} [preauth]",
    lambda r: f"Failed password for invalid user {r.choice(_USERS)} from {ip4(r)} port {r.randrange(1024, 65536)} ssh2",
    lambda r: f"Invalid user {r.choice(_USERS)} from {ip4(r)} port {r.randrange(1024, 65536)}",
    lambda r: "pam_unix(sshd:session): session opened for user deploy(uid=1000) by (uid=0)",
    lambda r: "pam_unix(sshd:session): session closed for user deploy",
    lambda r: f"Received disconnect from {ip4(r)} port {r.randrange(1024, 65536)}:11: disconnected by user",
    lambda r: f"Disconnected from user deploy {ip4(r)} port {r.randrange(1024, 65536)}",
]
CRON = [
    lambda r: "(root) CMD (command -v debian-sa1 > /dev/null && debian-sa1 1 1)",
    lambda r: "pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)",
    lambda r: "pam_unix(cron:session): session closed for user root",
    lambda r: "(www-data) CMD (php /var/www/app/artisan schedule:run >> /dev/null 2>&1)",
    lambda r: "(root) CMD (   test -x /etc/cron.daily/popularity-contest && /etc/cron.daily/popularity-contest "
              "--crond)",
]
SYSTEMD = [
    lambda r: f"Started session-{r.randrange(1, 9999)}.scope - Session {r.randrange(1, 9999)} of User deploy.",
    lambda r: "Starting {} - {}...".format(*_svc(r)),
    lambda r: "Finished {} - {}.".format(*_svc(r)),
    lambda r: f"{_svc(r)[0]}: Deactivated successfully.",
    lambda r: f"{_svc(r)[0]}: Consumed {r.randrange(1, 900) / 100:.3f}s CPU time.",
    lambda r: f"run-containerd-runc-k8s.io-{_hex(r, 64)}-runc.{_hex(r, 6)}.mount: Deactivated successfully.",
    lambda r: "Reloading.",
]
# A crash-looping unit: rare, and "repeated" is a prefilter trigger (a natural near-miss).
SYSTEMD_FAILING = [
    lambda r: f"{r.choice(('php8.2-fpm.service', 'gunicorn.service'))}: Start request repeated too quickly.",
    lambda r: f"{r.choice(('php8.2-fpm.service', 'gunicorn.service'))}: Failed with result 'exit-code'.",
]
LOGIND = [
    lambda r: f"New session {r.randrange(1, 9999)} of user deploy.",
    lambda r: f"Session {r.randrange(1, 9999)} logged out. Waiting for processes to exit.",
    lambda r: f"Removed session {r.randrange(1, 9999)}.",
]
NGINX = [
    lambda r: f"{ip4(r)} - - [21/Nov/2026:10:{r.randrange(60):02d}:{r.randrange(60):02d} +0000] \"GET {_path(r)} "
              f"HTTP/1.1\" {r.choice((200, 200, 200, 304, 404, 301, 502))} {r.randrange(0, 90000)} \"-\" "
              f"\"{r.choice(_UA)}\"",
    lambda r: f"{ip4(r)} - - [21/Nov/2026:10:{r.randrange(60):02d}:{r.randrange(60):02d} +0000] \"POST /api/v1/orders "
              f"HTTP/2.0\" 201 {r.randrange(100, 900)} \"https://shop.example.com/cart\" \"{r.choice(_UA)}\"",
    lambda r: f"2026/11/21 10:{r.randrange(60):02d}:{r.randrange(60):02d} [error] 811#811: *{r.randrange(1, 999999)} "
              f"connect() failed (111: Connection refused) while connecting to upstream, client: {ip4(r)}, server: "
              "api.example.com, request: \"GET /v1/items HTTP/1.1\", upstream: \"http://127.0.0.1:8080/v1/items\", "
              "host: \"api.example.com\"",
]
POSTFIX_SMTPD = [
    lambda r: f"connect from unknown[{ip4(r)}]",
    lambda r: f"disconnect from unknown[{ip4(r)}] ehlo=1 mail=1 rcpt=0/1 data=0/1 commands=2/5",
    lambda r: f"{_qid(r)}: client=mail.example.org[{ip4(r)}]",
    lambda r: f"NOQUEUE: reject: RCPT from unknown[{ip4(r)}]: 554 5.7.1 <spam@example.net>: Relay access denied; "
              "from=<x@example.net> to=<spam@example.net> proto=ESMTP helo=<example.net>",
]
POSTFIX_QMGR = [
    lambda r: f"{_qid(r)}: from=<noreply@example.org>, size={r.randrange(500, 90000)}, nrcpt=1 (queue active)",
    lambda r: f"{_qid(r)}: removed",
]
POSTFIX_SMTP = [
    lambda r: f"{_qid(r)}: to=<ops@example.com>, relay=mx.example.com[{ip4(r)}]:25, delay=0.{r.randrange(10, 99)}, "
              f"delays=0.01/0/0.2/0.21, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as {_qid(r)})",
]
DBUS = [
    lambda r: f"[system] Activating via systemd: service name='org.freedesktop.hostname1' "
              f"unit='dbus-org.freedesktop.hostname1.service' requested by ':1.{r.randrange(1, 999)}' (uid=0 "
              f"pid={r.randrange(300, 99999)} comm=\"hostnamectl\")",
    lambda r: "[system] Successfully activated service 'org.freedesktop.hostname1'",
]
KERNEL = [
    lambda r: f"EXT4-fs (sda1): mounted filesystem {_hex(r, 8)}-{_hex(r, 4)}-{_hex(r, 4)}-{_hex(r, 4)}-{_hex(r, 12)} "
              "r/w with ordered data mode. Quota mode: none.",
    lambda r: f"usb 1-{r.randrange(1, 4)}: new high-speed USB device number {r.randrange(2, 30)} using xhci_hcd",
    lambda r: f"usb 1-{r.randrange(1, 4)}: New USB device found, idVendor=0781, idProduct=5581, bcdDevice= 1.00",
    lambda r: f"audit: type=1400 audit(1795300000.{r.randrange(1000):03d}:{r.randrange(1, 9999)}): apparmor=\"DENIED\" "
              f"operation=\"open\" profile=\"/usr/sbin/named\" name=\"/proc/{r.randrange(300, 99999)}/net/if_inet6\" "
              f"pid={r.randrange(300, 99999)} comm=\"named\" requested_mask=\"r\" denied_mask=\"r\" fsuid=110 ouid=0",
    lambda r: f"oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom,"
              f"task_memcg=/system.slice/java.service,task=java,pid={r.randrange(300, 99999)},uid=1001",
    lambda r: f"Out of memory: Killed process {r.randrange(300, 99999)} (java) total-vm:{r.randrange(10 ** 6, 10 ** 7)}kB, "
              f"anon-rss:{r.randrange(10 ** 6, 10 ** 7)}kB, file-rss:0kB, shmem-rss:0kB, UID:1001 pgtables:"
              f"{r.randrange(1000, 9000)}kB oom_score_adj:0",
    lambda r: f"[UFW BLOCK] IN={ifname(r)} OUT= MAC={mac(r)}:{mac(r)}:08:00 SRC={ip4(r)} DST={ip4(r)} LEN=40 TOS=0x00 "
              f"PREC=0x00 TTL=244 ID={r.randrange(65536)} PROTO=TCP SPT={r.randrange(1024, 65536)} DPT={port(r)} "
              "WINDOW=65535 RES=0x00 SYN URGP=0",
    lambda r: "e1000e 0000:00:19.0 eth0: NIC Link is Up 1000 Mbps Full Duplex, Flow Control: Rx/Tx",
    lambda r: f"docker0: port {r.randrange(1, 9)}(veth{_hex(r, 7)}) entered forwarding state",
    lambda r: f"IPv6: ADDRCONF(NETDEV_CHANGE): veth{_hex(r, 7)}: link becomes ready",
    lambda r: f"device veth{_hex(r, 7)} entered promiscuous mode",
    lambda r: "perf: interrupt took too long (2503 > 2500), lowering kernel.perf_event_max_sample_rate to 79750",
    lambda r: "sd 0:0:0:0: [sda] Synchronizing SCSI cache",
    lambda r: "nf_conntrack: default automatic helper assignment has been turned off for security reasons and CT-based "
              "firewall rule not found. Use the iptables CT target to attach helpers instead.",
]
KUBELET = [
    lambda r: f"I1121 10:{r.randrange(60):02d}:{r.randrange(60):02d}.{r.randrange(10 ** 6):06d}    1312 kubelet.go:2400] "
              f"\"SyncLoop (PLEG): event for pod\" pod=\"default/web-{_hex(r, 5)}\" event={{\"ID\":\"{_hex(r, 8)}\","
              "\"Type\":\"ContainerStarted\"}",
    lambda r: f"E1121 10:{r.randrange(60):02d}:{r.randrange(60):02d}.{r.randrange(10 ** 6):06d}    1312 "
              f"pod_workers.go:1300] \"Error syncing pod, skipping\" err=\"failed to \\\"StartContainer\\\" for "
              f"\\\"app\\\" with CrashLoopBackOff\" pod=\"default/api-{_hex(r, 5)}\"",
]
CONTAINERD = [
    lambda r: f"time=\"2026-11-21T10:{r.randrange(60):02d}:{r.randrange(60):02d}.{r.randrange(10 ** 9):09d}Z\" "
              f"level=info msg=\"StartContainer for \\\"{_hex(r, 64)}\\\" returns successfully\"",
    lambda r: f"time=\"2026-11-21T10:{r.randrange(60):02d}:{r.randrange(60):02d}.{r.randrange(10 ** 9):09d}Z\" "
              f"level=info msg=\"shim disconnected\" id={_hex(r, 64)} namespace=k8s.io",
]
JAVA = [
    lambda r: f"2026-11-21 10:{r.randrange(60):02d}:{r.randrange(60):02d}.{r.randrange(1000):03d}  INFO 4242 --- "
              f"[nio-8080-exec-{r.randrange(1, 10)}] c.e.api.OrderController : GET /orders/{r.randrange(1, 99999)} "
              f"200 {r.randrange(1, 300)}ms",
    lambda r: f"2026-11-21 10:{r.randrange(60):02d}:{r.randrange(60):02d}.{r.randrange(1000):03d}  WARN 4242 --- "
              "[pool-2-thread-1] o.h.engine.jdbc.spi.SqlExceptionHelper : SQL Error: 0, SQLState: 08006",
]
NAMED = [
    lambda r: f"client @0x7f{_hex(r, 10)} {ip4(r)}#{r.randrange(1024, 65536)} (example.com): query (cache) "
              "'example.com/A/IN' denied",
]
POSTGRES = [
    lambda r: f"[{r.randrange(300, 99999)}] LOG:  checkpoint complete: wrote {r.randrange(1, 9999)} buffers (0.1%); "
              "0 WAL file(s) added, 0 removed, 1 recycled; write=26.9 s, sync=0.01 s, total=27.0 s",
]
HAPROXY = [
    lambda r: f"{ip4(r)}:{r.randrange(1024, 65536)} [21/Nov/2026:10:{r.randrange(60):02d}:{r.randrange(60):02d}."
              f"{r.randrange(1000):03d}] fe_https~ be_app/app{r.randrange(1, 5)} 0/0/1/{r.randrange(1, 90)}/"
              f"{r.randrange(1, 99)} 200 {r.randrange(100, 9999)} - - ---- 120/120/3/1/0 0/0 \"GET /health HTTP/1.1\"",
]
CHRONYD = [lambda r: f"Selected source {ip4(r)} (2.debian.pool.ntp.org)",
           lambda r: f"Source {ip4(r)} replaced with {ip4(r)} (2.debian.pool.ntp.org)"]
RSYSLOGD = [lambda r: "[origin software=\"rsyslogd\" swVersion=\"8.2302.0\" x-pid=\"612\" x-info=\"https://www.rsyslog.com\"]"
                      " rsyslogd was HUPed"]

# (weight, program, has pid, journald transport, systemd unit, templates)
PROGRAMS = [
    (12, "sshd", True, "syslog", "ssh.service", SSHD),
    (8, "CRON", True, "syslog", "cron.service", CRON),
    (10, "systemd", True, "journal", "init.scope", SYSTEMD),
    (0.2, "systemd", True, "journal", "init.scope", SYSTEMD_FAILING),
    (2, "systemd-logind", True, "journal", "systemd-logind.service", LOGIND),
    (12, "nginx", False, "syslog", "nginx.service", NGINX),
    (4, "postfix/smtpd", True, "syslog", "postfix@-.service", POSTFIX_SMTPD),
    (3, "postfix/qmgr", True, "syslog", "postfix@-.service", POSTFIX_QMGR),
    (2, "postfix/smtp", True, "syslog", "postfix@-.service", POSTFIX_SMTP),
    (3, "dbus-daemon", True, "journal", "dbus.service", DBUS),
    (8, "kernel", False, "kernel", None, KERNEL),
    (6, "kubelet", True, "stdout", "kubelet.service", KUBELET),
    (4, "containerd", True, "stdout", "containerd.service", CONTAINERD),
    (5, "java", True, "stdout", "orders.service", JAVA),
    (2, "named", True, "syslog", "named.service", NAMED),
    (2, "postgres", True, "syslog", "postgresql@15-main.service", POSTGRES),
    (3, "haproxy", True, "syslog", "haproxy.service", HAPROXY),
    (1, "chronyd", True, "syslog", "chrony.service", CHRONYD),
    (0.02, "rsyslogd", False, "rsyslog", None, RSYSLOGD),
]
