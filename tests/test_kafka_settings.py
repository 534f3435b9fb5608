"""`tcplog kafka` settings: flags > TCPLOG_* environment > TOML config file > defaults; secrets stay secret."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tcplog import cli
from tcplog.connectors import kafka_settings as ks
from tcplog.errors import UsageError

BASE = {"bootstrap_servers": ["b:9092"], "input_topic": ["raw"], "output_topic": "events", "group_id": "g"}


def flags(argv: list[str]) -> dict:
    args = cli.build_parser().parse_args(["kafka", *argv])
    return {f.name: getattr(args, f.name) for f in ks.options() if hasattr(args, f.name)}


def test_defaults_are_visible_and_safe():
    """Auto-creation off, acks-all semantics via idempotence on, metrics off, localhost bind."""
    s = ks.load(BASE, {})
    assert s.allow_auto_create_topics is False and s.metrics_port is None and s.metrics_bind == "127.0.0.1"
    assert (s.compression, s.max_poll_records, s.shutdown_timeout) == ("none", 500, 30.0)


def test_flags_win_over_environment_over_config_file(tmp_path):
    """The same option from three places: the flag wins, then the environment, then the file."""
    conf = tmp_path / "kafka.toml"
    conf.write_text('bootstrap_servers = ["file:1", "file:2"]\ninput_topic = "raw"\noutput_topic = "ev"\n'
                    'group_id = "file-g"\nlinger_ms = 7\nbatch_size = 1000\ncompression = "gzip"\n'
                    'idempotence = false\n')
    env = {"TCPLOG_LINGER_MS": "8", "TCPLOG_BATCH_SIZE": "2000", "TCPLOG_INPUT_TOPIC": "a,b"}
    s = ks.load(flags(["--batch-size", "3000"]), env, str(conf))
    assert s.bootstrap_servers == ("file:1", "file:2") and s.group_id == "file-g"
    assert (s.linger_ms, s.batch_size, s.compression, s.idempotence) == (8, 3000, "gzip", False)
    assert s.input_topic == ("a", "b")


def test_config_file_from_the_environment(tmp_path):
    """TCPLOG_CONFIG names the file when --config is not given."""
    conf = tmp_path / "k.toml"
    conf.write_text('bootstrap_servers = "x:1,y:2"\ninput-topic = ["r1", "r2"]\noutput_topic = "e"\ngroup_id = "g"\n')
    s = ks.load({}, {"TCPLOG_CONFIG": str(conf)})
    assert s.bootstrap_servers == ("x:1", "y:2") and s.input_topic == ("r1", "r2")


def test_repeated_and_comma_separated_flags():
    """--input-topic and --bootstrap-servers repeat and accept commas."""
    s = ks.load(flags(["--bootstrap-servers", "a:1,b:2", "--bootstrap-servers", "c:3", "--input-topic", "x",
                       "--input-topic", "y", "--output-topic", "e", "--group-id", "g", "--no-classify"]), {})
    assert s.bootstrap_servers == ("a:1", "b:2", "c:3") and s.input_topic == ("x", "y") and s.classify is False


@pytest.mark.parametrize("text,key", [("colour = 1\n", "colour"), ("sasl_password = 'x'\n", "sasl_password")])
def test_unknown_config_keys_are_rejected_by_name(tmp_path, text, key):
    """An unknown key (or a secret) in the config file is a usage error naming the key."""
    conf = tmp_path / "k.toml"
    conf.write_text(text)
    with pytest.raises(UsageError, match=key):
        ks.load(BASE, {}, str(conf))


@pytest.mark.parametrize("env,message", [
    ({"TCPLOG_LINGER_MS": "soon"}, "TCPLOG_LINGER_MS"),
    ({"TCPLOG_IDEMPOTENCE": "maybe"}, "TCPLOG_IDEMPOTENCE"),
    ({"TCPLOG_COMPRESSION": "brotli"}, "TCPLOG_COMPRESSION"),
])
def test_bad_environment_values_name_the_variable(env, message):
    """A malformed TCPLOG_* value is a usage error naming the variable."""
    with pytest.raises(UsageError, match=message):
        ks.load(BASE, env)


@pytest.mark.parametrize("change,message", [
    ({"group_id": None}, "--group-id"),
    ({"output_topic": "raw"}, "its own output"),
    ({"security_protocol": "SASL_SSL"}, "--sasl-mechanism"),
    ({"max_poll_records": 0}, "--max-poll-records"),
    ({"max_snapshot_age": "soon"}, "--max-snapshot-age"),
])
def test_inconsistent_settings_are_usage_errors(change, message):
    with pytest.raises(UsageError, match=message):
        ks.load({**BASE, **change}, {})


def test_secrets_come_from_files_or_environment_and_never_show(tmp_path):
    """The SASL password is read from its file (or env), hidden from repr and the loggable view."""
    pw = tmp_path / "pw"
    pw.write_text("s3cret-file\n")
    base = {**BASE, "security_protocol": "SASL_SSL", "sasl_mechanism": "SCRAM-SHA-512", "sasl_username": "u"}
    s = ks.load({**base, "sasl_password_file": str(pw)}, {"TCPLOG_SASL_PASSWORD": "s3cret-env"})
    assert s.sasl_password == "s3cret-file"
    assert ks.load(base, {"TCPLOG_SASL_PASSWORD": "s3cret-env"}).sasl_password == "s3cret-env"
    assert "s3cret" not in repr(s) and "s3cret" not in str(s.public())
    assert s.public()["sasl_password"] == "<set>"


def test_there_is_no_password_flag():
    """--help lists no flag that takes a password; a missing password file names the file only."""
    text = subprocess.run([sys.executable, "-m", "tcplog", "kafka", "--help"], capture_output=True, text=True).stdout
    assert "--sasl-password " not in text and "--ssl-password " not in text and "--sasl-password-file" in text
    with pytest.raises(UsageError, match="nope.txt"):
        ks.load({**BASE, "sasl_password_file": "nope.txt"}, {})


def _sample(f, tmp_path):
    """A valid, non-default value for an option (as env text, as TOML value, as the loaded value)."""
    special = {"security_protocol": "SSL", "heartbeat_interval_ms": 1000, "delivery_timeout_ms": 90000,
               "max_snapshot_age": "2h", "framing": "rfc5424", "tz": "Europe/Berlin", "metrics_port": 9464,
               "reference_time": "2026-01-01T00:00:00Z", "year": 2024, "sasl_mechanism": None}
    kind = f.metadata["kind"]
    if f.name in special:
        value = special[f.name]
    elif f.name.endswith("file"):
        path = tmp_path / f.name
        path.write_text("x\n")
        value = str(path)
    elif kind == "bool":
        value = not f.default
    elif kind == "int":
        value = (f.default or 0) + 1
    elif kind == "float":
        value = f.default + 1.5
    elif kind == "list":
        return "p,q", ["p", "q"], ("p", "q")
    elif kind == "choice":
        value = [c for c in f.metadata["choices"] if c != f.default][-1]
    else:
        value = "sample"
    text = str(value).lower() if kind == "bool" else str(value)
    return text, value, value


def test_every_option_is_an_environment_variable_and_a_config_key(tmp_path):
    """Each option's value is taken from TCPLOG_<NAME> and from the config file key <name>."""
    import tomllib

    for f in ks.options():
        if f.metadata["secret"] or f.name == "sasl_mechanism":
            continue
        text, toml_value, expected = _sample(f, tmp_path)
        base = {k: v for k, v in BASE.items() if k != f.name}
        assert getattr(ks.load(base, {ks.env_name(f.name): text}), f.name) == expected, f.name
        conf = tmp_path / "k.toml"
        conf.write_text(f"{f.name} = {_toml(toml_value)}\n")
        assert tomllib.loads(conf.read_text())[f.name] == toml_value
        assert getattr(ks.load(base, {}, str(conf)), f.name) == expected, f.name


def _toml(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return '"' + str(value).replace("\\", "\\\\") + '"'


def test_the_command_reports_usage_errors_with_exit_2():
    """`tcplog kafka` without its required options exits 2 naming the first one missing."""
    r = subprocess.run([sys.executable, "-m", "tcplog", "kafka", "--bootstrap-servers", "x:1"], capture_output=True,
                       text=True, env={"PATH": "/usr/bin:/bin"})
    assert r.returncode == 2 and "--input-topic" in r.stderr


def test_every_option_is_in_docs_kafka_md_with_an_example():
    """docs/kafka.md has a row per option: flag, environment variable, config key and an example."""
    from pathlib import Path

    doc = (Path(__file__).parent.parent / "docs" / "kafka.md").read_text(encoding="utf-8")
    for f in ks.options():
        if f.metadata["secret"]:
            assert ks.env_name(f.name) in doc, f.name
            continue
        flag = ks.flag_name(f.name)
        rows = [line for line in doc.splitlines() if line.startswith(f"| `{flag}")]
        assert rows, f"{flag} has no row in docs/kafka.md"
        assert f"`{ks.env_name(f.name)}` / `{f.name}`" in rows[0] and rows[0].rstrip().endswith("` |"), flag


@pytest.mark.parametrize("text", ["a = " + "1" * 5000 + "\n", "[" + ".".join(["t"] * 400) + "]\n"])
def test_hostile_config_files_are_a_usage_error(tmp_path, text):
    """A 5000-digit integer, tables nested 400 deep: a usage error naming the file, no traceback."""
    from tcplog.connectors.kafka_settings import read_config
    from tcplog.errors import UsageError

    path = tmp_path / "tcplog.toml"
    path.write_text(text)
    try:
        read_config(str(path))
    except UsageError as exc:
        assert str(path) in str(exc)
    else:
        raise AssertionError("no usage error")
