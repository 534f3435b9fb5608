"""Conntrack expectation table full: a helper could not register an expectation
(net/netfilter/nf_conntrack_expect.c:__nf_ct_expect_check).

Printed at KERN_WARNING via net_warn_ratelimited() when the namespace already holds
nf_conntrack_expect_max expectations; the helper (FTP, SIP, H.323, PPTP, ...) gets -EMFILE and
the related data connection is not tracked. Common on home routers with SIP/PPTP helpers.

Examples:

    nf_conntrack: expectation table full
    nf_conntrack: nf_conntrack: expectation table full
    ip_conntrack: expectation table full

Fields:

    module          str        "nf_conntrack" or "ip_conntrack" (the prefix the kernel printed)

Message ids:

    conntrack_expect_full.nf_conntrack   2.6.2x - 6.x: "nf_conntrack: expectation table full"
    conntrack_expect_full.pr_fmt         doubled prefix (unverified: the 6.x string has no pr_fmt)
    conntrack_expect_full.ip_conntrack   2.6.1x ip_conntrack module (unverified wording)
"""

from __future__ import annotations

import pyparsing as pp

from tcplog.grammars import _common as c

FAMILY = "conntrack_expect_full"
ORIGIN = "kernel"
TRIGGERS = (b"expectation table full",)
MESSAGES = {
    "conntrack_expect_full.nf_conntrack": "nf_conntrack: expectation table full  [2.6.2x - 6.x]",
    "conntrack_expect_full.pr_fmt": "nf_conntrack: nf_conntrack: expectation table full  [unverified]",
    "conntrack_expect_full.ip_conntrack": "ip_conntrack: expectation table full  [2.6.1x, unverified]",
}
FIELDS = ("module",)

_prefix = c.conntrack_prefix

expectation_full = (_prefix + c.literal_words("expectation table full") + pp.Optional(pp.Literal("."))
                    + pp.StringEnd()).set_name("conntrack_expect_full")


def parse(text: str) -> c.Match | None:
    r = c.parse_named(expectation_full, text)
    if r is None:
        return None
    module = r["module"]
    if module == "ip_conntrack":
        message_id = "conntrack_expect_full.ip_conntrack"
    elif r.get("again"):
        message_id = "conntrack_expect_full.pr_fmt"
    else:
        message_id = "conntrack_expect_full.nf_conntrack"
    return c.Match(FAMILY, message_id, {"module": module})
