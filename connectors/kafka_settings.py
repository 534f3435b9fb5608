"""Settings of `tcplog kafka`: one frozen dataclass, every default visible, three sources.

Every field is an option, named three ways (docs/kafka.md lists them all):

    flag         --dead-letter-topic T       (`--input-topic` and `--bootstrap-servers` repeat)
    environment  TCPLOG_DEAD_LETTER_TOPIC=T  (lists comma-separated; booleans true/false)
    config file  dead_letter_topic = "T"     (TOML, `--config FILE` or TCPLOG_CONFIG)

Flags win over the environment, which wins over the config file, which wins over the
defaults below. An unknown config key is an error naming the key. Secrets (the SASL password,
the TLS key password) are never flags or config values: they come from a file
(`--sasl-password-file`) or the environment (TCPLOG_SASL_PASSWORD), and never appear in
`repr`, logs or errors.

No kafka-python here: `tcplog --help` does not pay for importing it.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import MISSING, dataclass, field, fields, replace

from tcplog import framing
from tcplog.errors import UsageError

ENV_PREFIX = "TCPLOG_"
COMPRESSIONS = ("none", "gzip", "lz4", "zstd", "snappy")
SECURITY_PROTOCOLS = ("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL")
SASL_MECHANISMS = ("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512")
FORMATS = ("native", "ecs", "ocsf")  # tcplog.formats.NAMES
FRAMINGS = tuple(n for n in framing.NAMES if n != "journal-export")  # one record per Kafka message
REQUIRED = ("bootstrap_servers", "input_topic", "output_topic", "group_id")
_TRUE, _FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


def opt(default, help: str, *, kind: str = "str", group: str, metavar: str | None = None,
        choices: tuple | None = None, secret: bool = False):
    """A settings field and how the CLI, environment and config file spell it."""
    meta = {"help": help, "kind": kind, "group": group, "metavar": metavar, "choices": choices, "secret": secret}
    if isinstance(default, (list, tuple)):
        return field(default=tuple(default), metadata=meta, repr=not secret)
    return field(default=default, metadata=meta, repr=not secret)


T, S, P, C, R, V = "topics", "security", "producer", "consumer", "records", "service"


@dataclass(frozen=True)
class KafkaSettings:
    # topics and group
    bootstrap_servers: tuple[str, ...] = opt((), "broker HOST:PORT (repeat or comma-separate); required",
                                             kind="list", group=T, metavar="HOST:PORT")
    input_topic: tuple[str, ...] = opt((), "topic of raw log records (repeat for several); required",
                                       kind="list", group=T, metavar="TOPIC")
    output_topic: str | None = opt(None, "topic the events go to, keyed by host; required", group=T, metavar="TOPIC")
    group_id: str | None = opt(None, "consumer group: instances with one group id share the partitions; required",
                               group=T, metavar="GROUP")
    passthrough_topic: str | None = opt(None, "topic receiving every record that is not a kernel network-stack "
                                              "message, unchanged (default: not forwarded, counted)",
                                        group=T, metavar="TOPIC")
    dead_letter_topic: str | None = opt(None, "topic receiving records that cannot be decoded or are too large, "
                                              "with the error and origin in headers (default: dropped, counted)",
                                        group=T, metavar="TOPIC")
    snapshot_topic: str | None = opt(None, "compacted topic of host snapshots keyed by host (tcplog snapshot "
                                           "--to-kafka): read fully at start, then followed", group=T,
                                     metavar="TOPIC")
    passthrough_origin_headers: bool = opt(False, "add tcplog.origin.topic/partition/offset headers to passthrough "
                                                  "records, so their consumers can drop duplicates (default off: "
                                                  "records pass unchanged)", kind="bool", group=T)
    allow_auto_create_topics: bool = opt(False, "let the broker create missing topics on first use "
                                                "(default off: a missing topic is an error)", kind="bool", group=T)
    client_id: str = opt("tcplog", "client id the broker sees (default tcplog)", group=T, metavar="ID")
    # security
    security_protocol: str = opt("PLAINTEXT", "PLAINTEXT (default), SSL, SASL_PLAINTEXT or SASL_SSL",
                                 kind="choice", choices=SECURITY_PROTOCOLS, group=S, metavar="PROTO")
    sasl_mechanism: str | None = opt(None, "PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512", kind="choice",
                                     choices=SASL_MECHANISMS, group=S, metavar="MECH")
    sasl_username: str | None = opt(None, "SASL user name", group=S, metavar="NAME")
    sasl_password_file: str | None = opt(None, "file holding the SASL password (or TCPLOG_SASL_PASSWORD; "
                                               "never a flag)", group=S, metavar="FILE")
    sasl_password: str | None = opt(None, "", group=S, secret=True)
    ssl_cafile: str | None = opt(None, "CA certificates (PEM) to verify the brokers", group=S, metavar="FILE")
    ssl_certfile: str | None = opt(None, "client certificate (PEM)", group=S, metavar="FILE")
    ssl_keyfile: str | None = opt(None, "client private key (PEM)", group=S, metavar="FILE")
    ssl_password_file: str | None = opt(None, "file holding the private key's password (or TCPLOG_SSL_PASSWORD)",
                                        group=S, metavar="FILE")
    ssl_password: str | None = opt(None, "", group=S, secret=True)
    ssl_crlfile: str | None = opt(None, "certificate revocation list (PEM)", group=S, metavar="FILE")
    ssl_check_hostname: bool = opt(True, "check that the broker certificate names the host (default on)",
                                   kind="bool", group=S)
    # producer
    compression: str = opt("none", "compression of produced batches: none (default), gzip, lz4, zstd, snappy",
                           kind="choice", choices=COMPRESSIONS, group=P, metavar="CODEC")
    batch_size: int = opt(65536, "producer batch size in bytes per partition (default 65536)", kind="int",
                          group=P, metavar="BYTES")
    linger_ms: int = opt(5, "how long the producer waits to fill a batch (default 5 ms)", kind="int", group=P,
                         metavar="MS")
    max_request_size: int = opt(1048576, "largest produce request, bytes (default 1048576); keep it at or below "
                                         "the broker's message.max.bytes", kind="int", group=P, metavar="BYTES")
    delivery_timeout_ms: int = opt(60000, "how long a produced batch may take to be acknowledged before the "
                                          "input batch is read again (default 60000)", kind="int", group=P,
                                   metavar="MS")
    idempotence: bool = opt(True, "idempotent producer (default on); off keeps at-least-once, with order kept "
                                  "by one request in flight", kind="bool", group=P)
    # consumer
    max_poll_records: int = opt(500, "records per batch: produced, flushed and committed together; bounds the "
                                     "duplicates after a crash (default 500)", kind="int", group=C, metavar="N")
    fetch_min_bytes: int = opt(1, "fetch.min.bytes (default 1)", kind="int", group=C, metavar="BYTES")
    fetch_max_bytes: int = opt(52428800, "fetch.max.bytes per fetch request (default 52428800)", kind="int",
                               group=C, metavar="BYTES")
    max_partition_fetch_bytes: int = opt(1048576, "max.partition.fetch.bytes (default 1048576)", kind="int",
                                         group=C, metavar="BYTES")
    fetch_max_wait_ms: int = opt(500, "fetch.max.wait.ms (default 500)", kind="int", group=C, metavar="MS")
    auto_offset_reset: str = opt("earliest", "where a new group starts: earliest (default) or latest",
                                 kind="choice", choices=("earliest", "latest"), group=C, metavar="WHERE")
    session_timeout_ms: int = opt(45000, "group session timeout (default 45000)", kind="int", group=C,
                                  metavar="MS")
    heartbeat_interval_ms: int = opt(3000, "group heartbeat interval (default 3000)", kind="int", group=C,
                                     metavar="MS")
    max_poll_interval_ms: int = opt(300000, "longest time between polls before the group drops the member "
                                            "(default 300000)", kind="int", group=C, metavar="MS")
    request_timeout_ms: int = opt(30000, "client request timeout (default 30000)", kind="int", group=C,
                                  metavar="MS")
    # records
    max_record_bytes: int = opt(65536, "larger records go to the dead-letter topic (default 65536)", kind="int",
                                group=R, metavar="BYTES")
    format: str = opt("native", "events as native tcplog.event/2 JSON (default), ECS documents or OCSF Detection "
                                "Findings (docs/formats.md)", kind="choice", choices=FORMATS, group=R,
                      metavar="FORMAT")
    framing: str = opt("auto", "force one framing instead of detecting it per record: " + ", ".join(FRAMINGS),
                       kind="choice", choices=FRAMINGS, group=R, metavar="NAME")
    year: int | None = opt(None, "year of year-less (RFC 3164) dates (default: at or before the record's "
                                 "Kafka timestamp)", kind="int", group=R, metavar="YYYY")
    tz: str = opt("UTC", "IANA zone of timestamps that carry none (default UTC)", group=R, metavar="ZONE")
    reference_time: str | None = opt(None, "place year-less dates at or before this time instead of the "
                                           "record's Kafka timestamp", group=R, metavar="ISO")
    classify: bool = opt(True, "classify events against the rules and host snapshots (default on)",
                         kind="bool", group=R)
    kernel: str | None = opt(None, "kernel release to classify with, over the snapshots'", group=R,
                             metavar="RELEASE")
    max_snapshot_age: str = opt("6h", "a snapshot further than this from the event counts as missing "
                                      "(default 6h; 90s, 5m, 1h, 2d)", group=R, metavar="DURATION")
    # service
    metrics_port: int | None = opt(None, "serve /metrics (Prometheus text), /healthz and /readyz on this port "
                                         "(default: off; 0 = any free port)", kind="int", group=V, metavar="PORT")
    metrics_bind: str = opt("127.0.0.1", "address the metrics port listens on (default 127.0.0.1)", group=V,
                            metavar="ADDR")
    shutdown_timeout: float = opt(30.0, "seconds SIGTERM/SIGINT may take to finish, flush and commit the batch "
                                        "in hand before tcplog gives up and exits 1 (default 30)", kind="float",
                                  group=V, metavar="S")
    log_rate: int = opt(20, "log lines per kind per minute on stderr; the rest are counted (default 20)",
                        kind="int", group=V, metavar="N")

    def public(self) -> dict:
        """The settings as a dict safe to log: secrets shown only as set or not."""
        out = {}
        for f in fields(self):
            value = getattr(self, f.name)
            out[f.name] = ("<set>" if value else None) if f.metadata["secret"] else \
                list(value) if isinstance(value, tuple) else value
        return out


def options() -> list:
    """The fields a user sets (flags, environment, config file), in declaration order."""
    return list(fields(KafkaSettings))


def env_name(name: str) -> str:
    return ENV_PREFIX + name.upper()


def flag_name(name: str) -> str:
    return "--" + name.replace("_", "-")


def load(flags: Mapping, environ: Mapping[str, str], config_path: str | None = None) -> KafkaSettings:
    """Merge defaults < config file < environment < flags; read password files; check."""
    values: dict = {}
    path = config_path or environ.get(env_name("config")) or None
    if path:
        values.update(read_config(path))
    for f in options():
        raw = environ.get(env_name(f.name))
        if raw is not None and raw != "":
            values[f.name] = _from_text(f, raw, env_name(f.name))
    for f in options():
        if f.metadata["secret"]:
            continue
        value = flags.get(f.name)
        if value is not None:
            values[f.name] = _from_flag(f, value)
    settings = KafkaSettings(**values)
    settings = _read_secrets(settings)
    check(settings)
    return settings


def load_publisher(bootstrap: list[str] | str | None, topic: str | None, environ: Mapping[str, str]) -> KafkaSettings:
    """Settings of `tcplog snapshot --to-kafka`: the connection options of `tcplog kafka` (TCPLOG_CONFIG,
    TCPLOG_* variables), with the bootstrap servers and snapshot topic from the flags when given."""
    values: dict = {}
    path = environ.get(env_name("config"))
    if path:
        values.update(read_config(path))
    for f in options():
        raw = environ.get(env_name(f.name))
        if raw:
            values[f.name] = _from_text(f, raw, env_name(f.name))
    if bootstrap:
        values["bootstrap_servers"] = _split([bootstrap] if isinstance(bootstrap, str) else list(bootstrap))
    if topic:
        values["snapshot_topic"] = topic
    settings = _read_secrets(KafkaSettings(**values))
    check(settings, required=("bootstrap_servers", "snapshot_topic"))
    return settings


def read_config(path: str) -> dict:
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except OSError as exc:
        raise UsageError(f"--config {path}: {(exc.strerror or str(exc)).lower()}") from None
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"--config {path}: not TOML: {exc}") from None
    except (ValueError, RecursionError) as exc:  # a 5000-digit integer, tables nested hundreds deep
        raise UsageError(f"--config {path}: not usable TOML: {type(exc).__name__}: {str(exc)[:200]}") from None
    known = {f.name: f for f in options() if not f.metadata["secret"]}
    values = {}
    for key, value in data.items():
        name = key.replace("-", "_")
        if name not in known:
            secret = name in ("sasl_password", "ssl_password")
            why = "secrets come from a file or the environment, never the config file" if secret else "unknown key"
            raise UsageError(f"--config {path}: {why}: {key!r}")
        values[name] = _from_toml(known[name], value, f"--config {path}: {key}")
    return values


def _from_toml(f, value, where: str):
    kind = f.metadata["kind"]
    if kind == "list":
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not all(isinstance(v, str) for v in items):
            raise UsageError(f"{where}: expected a string or a list of strings")
        return _split(items)
    if kind == "bool":
        if not isinstance(value, bool):
            raise UsageError(f"{where}: expected true or false")
        return value
    if kind == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            raise UsageError(f"{where}: expected an integer")
        return value
    if kind == "float":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise UsageError(f"{where}: expected a number")
        return float(value)
    if not isinstance(value, str):
        raise UsageError(f"{where}: expected a string")
    return _choice(f, value, where)


def _from_text(f, raw: str, where: str):
    kind = f.metadata["kind"]
    text = raw.strip()
    if kind == "list":
        return _split([text])
    if kind == "bool":
        if text.lower() in _TRUE:
            return True
        if text.lower() in _FALSE:
            return False
        raise UsageError(f"{where}: expected true or false, got {text!r}")
    if kind in ("int", "float"):
        try:
            return int(text) if kind == "int" else float(text)
        except ValueError:
            raise UsageError(f"{where}: expected a number, got {text!r}") from None
    if f.metadata["secret"]:
        return raw.rstrip("\r\n")
    return _choice(f, text, where)


def _from_flag(f, value):
    if f.metadata["kind"] == "list":
        return _split(value if isinstance(value, list) else [value])
    return value


def _choice(f, value: str, where: str) -> str:
    choices = f.metadata["choices"]
    if choices and value not in choices:
        raise UsageError(f"{where}: {value!r} is not one of {', '.join(choices)}")
    return value


def _split(items: list[str]) -> tuple[str, ...]:
    return tuple(part.strip() for item in items for part in item.split(",") if part.strip())


def _read_secrets(s: KafkaSettings) -> KafkaSettings:
    changes = {}
    for secret, file_field in (("sasl_password", "sasl_password_file"), ("ssl_password", "ssl_password_file")):
        path = getattr(s, file_field)
        if path:
            try:
                with open(path, encoding="utf-8") as fh:
                    changes[secret] = fh.read().rstrip("\r\n")
            except (OSError, UnicodeDecodeError) as exc:
                why = exc.strerror if isinstance(exc, OSError) and exc.strerror else "not readable as UTF-8 text"
                raise UsageError(f"{flag_name(file_field)} {path}: {why.lower()}") from None
    return replace(s, **changes) if changes else s


def check(s: KafkaSettings, required: tuple = REQUIRED) -> None:
    for name in required:
        if not getattr(s, name):
            raise UsageError(f"missing {flag_name(name)} (or {env_name(name)}, or {name} in the config file)")
    outputs = {s.output_topic, s.passthrough_topic, s.dead_letter_topic, s.snapshot_topic} - {None}
    if outputs & set(s.input_topic):
        raise UsageError("an input topic is also an output topic: tcplog would read its own output")
    for name in ("batch_size", "max_poll_records", "max_record_bytes", "max_request_size", "fetch_max_bytes",
                 "max_partition_fetch_bytes", "session_timeout_ms", "heartbeat_interval_ms",
                 "max_poll_interval_ms", "request_timeout_ms", "delivery_timeout_ms", "log_rate"):
        if getattr(s, name) <= 0:
            raise UsageError(f"{flag_name(name)}: must be more than 0")
    for name in ("linger_ms", "fetch_min_bytes", "fetch_max_wait_ms"):
        if getattr(s, name) < 0:
            raise UsageError(f"{flag_name(name)}: must be 0 or more")
    if seconds(s.max_snapshot_age) is None:
        raise UsageError(f"--max-snapshot-age: not a duration: {s.max_snapshot_age!r} (use e.g. 90s, 5m, 1h)")
    if s.shutdown_timeout <= 0:
        raise UsageError("--shutdown-timeout: must be more than 0 seconds")
    if s.metrics_port is not None and not 0 <= s.metrics_port <= 65535:
        raise UsageError("--metrics-port: not a port number (0-65535)")
    if s.max_request_size < s.max_record_bytes + 16384:
        raise UsageError("--max-request-size must be at least --max-record-bytes + 16384 (a dead letter holds the "
                         "record and its headers)")
    if s.heartbeat_interval_ms >= s.session_timeout_ms:
        raise UsageError("--heartbeat-interval-ms must be less than --session-timeout-ms")
    if s.delivery_timeout_ms < s.request_timeout_ms + s.linger_ms:
        raise UsageError("--delivery-timeout-ms must be at least --request-timeout-ms + --linger-ms")
    if s.sasl_mechanism and not s.security_protocol.startswith("SASL_"):
        raise UsageError(f"--sasl-mechanism needs --security-protocol SASL_PLAINTEXT or SASL_SSL, "
                         f"not {s.security_protocol}")
    if s.security_protocol.startswith("SASL_"):
        if not s.sasl_mechanism:
            raise UsageError(f"--security-protocol {s.security_protocol} needs --sasl-mechanism")
        if not s.sasl_username or not s.sasl_password:
            raise UsageError("SASL needs --sasl-username and a password (--sasl-password-file or "
                             "TCPLOG_SASL_PASSWORD)")
    for name in ("ssl_cafile", "ssl_certfile", "ssl_keyfile", "ssl_crlfile"):
        path = getattr(s, name)
        if path and not os.path.isfile(path):
            raise UsageError(f"{flag_name(name)} {path}: no such file")
    codec = {"lz4": "lz4", "snappy": "snappy", "zstd": "zstandard"}.get(s.compression)
    if codec:
        import importlib.util

        if importlib.util.find_spec(codec) is None:
            raise UsageError(f"--compression {s.compression} needs the Python package {codec} "
                             f"(pip install 'tcplog[codecs]')")


_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def seconds(text: str) -> float | None:
    """`90`, `90s`, `5m`, `1h`, `2d` -> seconds; None when it is no duration."""
    t = text.strip().lower()
    unit = _UNITS.get(t[-1:], None)
    try:
        value = float(t[:-1] if unit else t)
    except ValueError:
        return None
    return value * (unit or 1) if value >= 0 else None


def default(name: str):
    f = {f.name: f for f in options()}[name]
    return f.default if f.default is not MISSING else None
