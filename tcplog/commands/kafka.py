"""`tcplog kafka`: the consumer-group service — raw log records in, events out (see docs/kafka.md).

Options come from flags, TCPLOG_* environment variables and a TOML config file (`--config`),
in that order of precedence; tcplog.connectors.kafka_settings declares them all.
"""

from __future__ import annotations

import argparse
import os
from datetime import timedelta

from tcplog.commands.common import zone
from tcplog.connectors import kafka_settings
from tcplog.errors import RuleError, UsageError

NAME = "kafka"
GROUPS = {
    "topics": "topics and group",
    "security": "security (secrets only from files or the environment)",
    "producer": "producer",
    "consumer": "consumer",
    "records": "records, framing and classification",
    "service": "service",
}
EPILOG = """examples:
  tcplog kafka --bootstrap-servers kafka:9092 --input-topic logs.raw --output-topic tcplog.events --group-id tcplog
  tcplog kafka --config /etc/tcplog/kafka.toml --metrics-port 9464
  TCPLOG_SASL_PASSWORD=... tcplog kafka --config kafka.toml --security-protocol SASL_SSL --sasl-mechanism SCRAM-SHA-512

every option is also an environment variable (TCPLOG_ + the option in capitals, `-` as `_`,
e.g. TCPLOG_DEAD_LETTER_TOPIC) and a config file key (dead_letter_topic); flags win over the
environment, the environment over the file.

exit codes: 0 stopped by SIGTERM/SIGINT after committing the batch in hand,
            1 the last batch could not be committed (it is read again), 2 usage error"""


def add_parser(sub) -> argparse.ArgumentParser:
    p = sub.add_parser(
        NAME, help="run as a Kafka consumer-group service: raw log records in, events out (at-least-once)",
        description="Consume raw log records (plain lines or shippers' JSON) from Kafka, produce one event per "
                    "kernel network-stack message to the output topic (key = host), forward other records to "
                    "a passthrough topic, undecodable ones to a dead-letter topic, and commit input offsets "
                    "only after every produced message is acknowledged. See docs/kafka.md.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--config", metavar="FILE", help="TOML config file; keys are the option names with `_` "
                                                    "(unknown keys are errors); also TCPLOG_CONFIG")
    groups = {key: p.add_argument_group(title) for key, title in GROUPS.items()}
    for f in kafka_settings.options():
        meta = f.metadata
        if meta["secret"]:
            continue
        g = groups[meta["group"]]
        flag = kafka_settings.flag_name(f.name)
        env = kafka_settings.env_name(f.name)
        help_text = f"{meta['help']} [{env}]"
        kind = meta["kind"]
        if kind == "bool":
            g.add_argument(flag, dest=f.name, action=argparse.BooleanOptionalAction, default=None, help=help_text)
        elif kind == "list":
            g.add_argument(flag, dest=f.name, action="append", default=None, metavar=meta["metavar"],
                           help=help_text)
        else:
            typ = {"int": int, "float": float}.get(kind, str)
            g.add_argument(flag, dest=f.name, type=typ, default=None, metavar=meta["metavar"],
                           choices=meta["choices"], help=help_text)
    return p


def run(args) -> int:
    flags = {f.name: getattr(args, f.name, None) for f in kafka_settings.options()}
    settings = kafka_settings.load(flags, os.environ, args.config)
    router, store, forget = build(settings)
    from tcplog.connectors import kafka  # kafka-python is imported only when the service runs

    return kafka.serve(settings, router, snapshots=store, on_snapshots=forget)


def build(settings):
    """The router (recognizer → pipeline) and snapshot store a service runs with."""
    from tcplog.connectors.kafka_snapshots import KafkaSnapshotStore
    from tcplog.enrich import EnrichSettings
    from tcplog.framing.context import parse_iso
    from tcplog.pipeline import Pipeline, PipelineSettings
    from tcplog.recognize import Recognizer
    from tcplog.route import Router, RouteSettings

    fixed = None
    if settings.reference_time is not None:
        fixed = parse_iso(settings.reference_time)
        if fixed is None:
            raise UsageError(f"--reference-time: not an ISO 8601 time: {settings.reference_time!r}")
    store = KafkaSnapshotStore() if settings.snapshot_topic else None
    catalog = None
    if settings.classify:
        from tcplog.classify import load_rules

        try:
            catalog = load_rules()
        except RuleError as exc:
            raise UsageError(f"rules: {exc}") from None
    enrich = EnrichSettings(max_age=timedelta(seconds=kafka_settings.seconds(settings.max_snapshot_age)))
    pipeline = Pipeline(PipelineSettings(classify=settings.classify, kernel=settings.kernel, enrich=enrich),
                        store=store, catalog=catalog)
    route_settings = RouteSettings(max_record_bytes=settings.max_record_bytes, year=settings.year,
                                   tz=zone(settings.tz), fixed_reference=fixed, format=settings.format,
                                   passthrough_origin=settings.passthrough_origin_headers)
    router = Router(Recognizer(forced_framing=settings.framing), explain=pipeline.explain, settings=route_settings)

    def forget(hosts):
        if pipeline.enricher is not None:
            for host in hosts:
                pipeline.enricher.forget(host)

    return router, store, forget
