"""`tcplog report`: one self-contained HTML page, checked in headless Chromium (screenshot + DOM)."""

from __future__ import annotations

import re
import struct
import subprocess
import sys
import zlib
from collections import Counter
from pathlib import Path

import orjson
import pytest

from tests.conftest import require_tool

REPO = Path(__file__).parent.parent
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """Events of the samples (with incidents), plus two bad lines, rendered to a report."""
    tmp = tmp_path_factory.mktemp("report")
    scan = subprocess.run([sys.executable, "-m", "tcplog", "scan", str(REPO / "samples" / "logs"),
                           "--incident-window", "5m"], capture_output=True, check=False).stdout
    events_file = tmp / "events.ndjson"
    events_file.write_bytes(scan + b"not json\n{\"other\": 1}\n")
    html = tmp / "report.html"
    subprocess.run([sys.executable, "-m", "tcplog", "report", str(events_file), "-o", str(html)], check=True,
                   capture_output=True)
    events = [orjson.loads(line) for line in scan.splitlines()]
    return tmp, html, events


def test_report_is_self_contained(made):
    """No fetches: no external src/href, no link or script from elsewhere; one SVG plot per host and view."""
    _, html, events = made
    page = html.read_text()
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", page)
    assert "<link" not in page and "@import" not in page
    hosts = {e["host"] for e in events}
    assert page.count("<svg class=plot") == 2 * len(hosts)


def test_report_counts_bad_lines_and_totals(made):
    """Bad lines are skipped and counted; totals match the events."""
    _, html, events = made
    page = html.read_text()
    assert "id=bad-lines>2<" in page and f"id=total-events>{len(events)}<" in page
    assert f"id=total-incidents>{len({e['incident']['id'] for e in events})}<" in page


def test_report_in_chromium_draws_the_plots_and_shows_the_numbers(made):
    """Headless Chromium: the screenshot shows coloured bars in the first plot; the DOM holds the key numbers."""
    chromium = require_tool("chromium", "renders the HTML report in the report test")
    tmp, html, events = made
    shot = tmp / "shot.png"
    flags = CHROMIUM_FLAGS + [f"--user-data-dir={tmp / 'profile'}"]
    subprocess.run([chromium, *flags, f"--screenshot={shot}", "--window-size=1280,2000", html.as_uri()],
                   capture_output=True, timeout=120, check=True)
    width, height, rows = _png_rgb(shot.read_bytes())
    # the first host's first plot sits in the top third of the page, left to right across the window
    colored = Counter()
    for y in range(250, min(height, 700)):
        row = rows[y]
        for x in range(60, min(width, 1150)):
            r, g, b = row[3 * x: 3 * x + 3]
            if max(r, g, b) - min(r, g, b) > 60:  # saturated: a bar, not text, grid or background
                colored[(r // 16, g // 16, b // 16)] += 1
    assert sum(colored.values()) > 3000 and len(colored) >= 3, colored.most_common(5)
    dom = subprocess.run([chromium, *flags, "--dump-dom", html.as_uri()], capture_output=True, timeout=120,
                         check=True).stdout.decode()
    assert f'id="total-events">{len(events)}<' in dom
    assert f'id="total-hosts">{len({e["host"] for e in events})}<' in dom
    assert 'id="bad-lines">2<' in dom
    for family, n in Counter(e["family"] for e in events).items():
        assert re.search(rf"{family}</td><td class=\"n\">{n}<", dom), family
    assert dom.count("<svg") >= 2


def _png_rgb(data: bytes):
    """A tiny PNG decoder (8-bit RGB/RGBA, no interlace): width, height, rows of RGB bytes."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width = 8, b"", 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and color in (2, 6) and interlace == 0
            bpp = 3 if color == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw, stride, prev, rows = zlib.decompress(idat), width * bpp, bytearray(width * bpp), []
    for y in range(height):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line) if bpp == 3 else bytes(v for i, v in enumerate(line) if i % 4 != 3))
        prev = line
    return width, height, rows


@pytest.mark.parametrize("bad, said", [(b"not json\n", b"skipped 1 line that is not a tcplog event"),
                                       (b"not json\n{}\n", b"skipped 2 lines that are not tcplog events")])
def test_report_names_the_skipped_lines_on_stderr(made, bad, said):
    tmp, _, _ = made
    events_file = tmp / "some.ndjson"
    events_file.write_bytes((tmp / "events.ndjson").read_bytes().split(b"\n", 1)[0] + b"\n" + bad)
    r = subprocess.run([sys.executable, "-m", "tcplog", "report", str(events_file), "-o", str(tmp / "some.html")],
                       capture_output=True)
    assert r.returncode == 0 and r.stderr.strip() == b"tcplog: " + said
