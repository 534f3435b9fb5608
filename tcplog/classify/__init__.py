"""Classification: which root cause the evidence supports for one event, and what to do.

Rules are data (tcplog/rules/*.toml, one file per cause, schema tcplog/schema/rule-1.json);
the loader (loader.py) validates them, the engine (engine.py) evaluates them over the facts
(facts.py) with named predicates (predicates.py); collect.py says where a missing fact lives.
docs/classification.md is the guide, docs/causes.md the generated catalog.

    from tcplog.classify import classify, load_rules
    cause = classify(event, before_snapshot, after_snapshot, kernel_release="2.6.18-419.el5")
"""

from tcplog.classify.engine import AMBIGUOUS, Catalog, Rule, classify, load_rules
from tcplog.classify.facts import UNKNOWN

__all__ = ["AMBIGUOUS", "Catalog", "Rule", "UNKNOWN", "classify", "load_rules"]
