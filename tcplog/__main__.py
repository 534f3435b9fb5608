"""`python -m tcplog` is the `tcplog` command."""

from tcplog.cli import main

raise SystemExit(main())
