"""Direct parse() tests for the ratelimit_suppressed grammar."""

import pytest

from tcplog.grammars import ratelimit_suppressed as g


@pytest.mark.parametrize(("text", "message_id", "fields"), [
    # 2.4 - early 2.6 net/core/utils.c:net_ratelimit: printk(KERN_WARNING "NET: %d messages suppressed.\n", lost)
    ("NET: 12 messages suppressed.", "ratelimit_suppressed.net",
     {"function": "net_ratelimit", "suppressed": 12, "source": "net_ratelimit"}),
    ("printk: 4489 messages suppressed.", "ratelimit_suppressed.printk",
     {"function": "printk", "suppressed": 4489, "source": "printk"}),
    ("net_ratelimit: 3939 callbacks suppressed", "ratelimit_suppressed.callbacks",
     {"function": "net_ratelimit", "suppressed": 3939, "source": "net_ratelimit"}),
    ("__ratelimit: 37822 callbacks suppressed", "ratelimit_suppressed.callbacks",
     {"function": "__ratelimit", "suppressed": 37822, "source": "ratelimit"}),
    ("dvb_frontend_poll: 15 callbacks suppressed", "ratelimit_suppressed.callbacks",
     {"function": "dvb_frontend_poll", "suppressed": 15, "source": "ratelimit"}),
    ("printk: systemd: 18 output lines suppressed due to ratelimiting", "ratelimit_suppressed.devkmsg",
     {"function": "systemd", "suppressed": 18, "source": "devkmsg"}),
    ("systemd-shutdow: 36 output lines suppressed due to ratelimiting", "ratelimit_suppressed.devkmsg",
     {"function": "systemd-shutdow", "suppressed": 36, "source": "devkmsg"}),
])
def test_every_wording(text, message_id, fields):
    """Each wording parses to its message id and typed fields."""
    assert g.parse(text) == (g.FAMILY, message_id, fields)


def test_devkmsg_comm_with_slash_and_colon():
    """A comm such as "kworker/0:1" is kept whole."""
    assert g.parse("printk: kworker/0:1: 2 output lines suppressed due to ratelimiting").fields["function"] == "kworker/0:1"


def test_printk_notice_without_period():
    """The period of the early 2.6 notice is optional."""
    assert g.parse("printk: 1 messages suppressed").fields["suppressed"] == 1


@pytest.mark.parametrize("text", [
    "net_ratelimit: 3939 callbacks dropped",
    "my app: 3 callbacks suppressed",
    "sd 0:0:0:0: 3 callbacks suppressed",
    "net_ratelimit: 3939 callbacks suppressed since boot",
    "NET: 12 messages dropped.",
    "NETX: 12 messages suppressed.",
])
def test_near_misses(text):
    """Look-alikes do not match."""
    assert g.parse(text) is None


@pytest.mark.parametrize("text", [
    "net_ratelimit: many callbacks suppressed",
    "net_ratelimit: -1 callbacks suppressed",
    "printk: 44",
    "printk: abcdefghijklmnopqrstu: 2 output lines suppressed due to ratelimiting",
])
def test_malformed(text):
    """Non-numeric or negative counts, truncated lines and over-long comms do not match."""
    assert g.parse(text) is None
