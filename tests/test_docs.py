"""Docs are true to the code: every command and option a user can type is documented with an example."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from tcplog import cli, framing

REPO = Path(__file__).parent.parent
README = (REPO / "README.md").read_text(encoding="utf-8")


def _subcommands() -> dict[str, argparse.ArgumentParser]:
    parser = cli.build_parser()
    (sub,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(sub.choices)


@pytest.mark.parametrize("name", sorted(_subcommands()))
def test_every_command_is_documented_with_an_example(name):
    """README has a section and a runnable example line for each command."""
    assert f"### `tcplog {name}" in README
    assert f"\ntcplog {name}" in README or f"| tcplog {name}" in README


@pytest.mark.parametrize("name", sorted(_subcommands()))
def test_every_command_help_keeps_its_example_and_exit_code_lines(name):
    """`tcplog NAME --help` prints its epilog as written: the exit codes on a line of their own."""
    assert "\nexit codes:" in _subcommands()[name].format_help()


@pytest.mark.parametrize("name,option", [(n, o) for n, p in _subcommands().items() for a in p._actions
                                         for o in a.option_strings if o not in ("-h", "--help")])
def test_every_option_is_documented(name, option):
    """Every option of every command appears in README."""
    assert f"`{option}" in README or f" {option} " in README, f"{name} {option} undocumented"


def test_every_framing_name_is_documented():
    """docs/framings.md and README name every framing --framing accepts."""
    doc = (REPO / "docs" / "framings.md").read_text(encoding="utf-8")
    for name in framing.NAMES:
        if name != "auto":
            assert f"`{name}`" in doc and f"`{name}`" in README, name


def test_readme_quick_start_is_two_make_commands():
    """The quick start is `make demo` and `make test`, and both targets exist."""
    makefile = (REPO / "Makefile").read_text()
    assert "make demo" in README and "make test" in README
    assert "\ndemo:" in makefile and "\ntest:" in makefile
