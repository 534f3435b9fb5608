# tcplog — two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# Debian packages the system tests use (journald files via systemd-journal-remote; rsyslog's
# runtime libraries for the private rsyslogd of the Kafka end-to-end test).
DEB_PACKAGES := systemd-journal-remote libestr0 libfastjson4 liblognorm5 librdkafka1 chromium
# rsyslog + omkafka, unpacked privately (rsyslog conflicts with other syslog daemons; run with -M)
RSYSLOG_ROOT := $(VENV)/rsyslog

.PHONY: demo test venv system-deps clean goldens docs

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $(STAMP)

venv: $(STAMP)

demo: $(STAMP)
	@for f in samples/snapshots/*.json; do $(BIN)/tcplog snapshot --from $$f --store .tcplog/snapshots >/dev/null || exit 1; done
	$(BIN)/tcplog scan samples/logs/ --incident-window 5m --stats

system-deps:
	@missing=""; for p in $(DEB_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing Debian packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	  else echo "not root: tests needing$$missing will skip"; fi; \
	fi
	@if [ ! -x $(RSYSLOG_ROOT)/usr/sbin/rsyslogd ]; then \
	  tmp=$$(mktemp -d) && (cd $$tmp && { apt-get download -qq rsyslog rsyslog-kafka >/dev/null 2>&1 \
	    || { [ "$$(id -u)" = 0 ] && apt-get update -qq && apt-get download -qq rsyslog rsyslog-kafka >/dev/null 2>&1; }; }) \
	    && for d in $$tmp/rsyslog*.deb; do dpkg-deb -x $$d $(RSYSLOG_ROOT); done \
	    && echo "rsyslog unpacked into $(RSYSLOG_ROOT)" \
	    || echo "could not download rsyslog: the rsyslog -> Kafka test will skip"; \
	  rm -rf $$tmp; \
	fi

test: $(STAMP) system-deps
	$(BIN)/python -m pytest -q

goldens: $(STAMP)
	$(BIN)/python -m pytest -q tests/test_goldens.py --update-goldens

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis

docs: $(STAMP)
	$(BIN)/python -m tcplog.docgen > docs/families.md
	$(BIN)/python -m tcplog.classify.docgen > docs/causes.md
	$(BIN)/python -m tcplog.classify.bundle

# Benchmark suite (bench/README.md). Its smoke test (tests/test_bench.py) runs the two peers,
# lognormalizer and syslog-ng, from these Debian packages.
DEB_PACKAGES += liblognorm-utils syslog-ng-core

.PHONY: bench
bench: $(STAMP)
	$(BIN)/python bench/run.py $(BENCH_ARGS)
