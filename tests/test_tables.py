"""The tables `xxgk checks` and `xxgk reports` print: columns two spaces apart, aligned by display
width (a Chinese character takes two columns), a cell's text printed as it is, one line per row
in a pipe, the last column wrapped within the width of a terminal."""

import io
import os
import pty
import re

from pipeline.cli import _print_table

HEADER = ["severity", "agency", "year", "detail"]
ROWS = [
    ["error", "北京市通州区", "2024", "new_received: the total [b]2333[/b] is not the sum :smile: of its parts"],
    ["warning", "x", "", ""],
]


def test_a_piped_table_is_aligned_and_prints_cells_as_they_are():
    out = io.StringIO()
    _print_table(out, HEADER, ROWS)
    assert out.getvalue().splitlines() == [
        "severity  agency        year  detail",
        "error     北京市通州区  2024  new_received: the total [b]2333[/b] is not the sum :smile: of its parts",
        "warning   x",
    ]


def test_a_long_row_in_a_pipe_stays_one_line():
    out = io.StringIO()
    detail = "word " * 400
    _print_table(out, HEADER, [["error", "x", "2024", detail.strip()]])
    lines = out.getvalue().splitlines()
    assert len(lines) == 2 and lines[1].endswith(detail.strip()) and len(lines[1]) > 2000


_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def test_on_a_terminal_the_last_column_wraps_within_its_width(monkeypatch):
    monkeypatch.setenv("COLUMNS", "50")
    main, side = pty.openpty()
    with open(side, "w", encoding="utf-8", closefd=True) as terminal:
        _print_table(terminal, HEADER, ROWS)
    shown = b""
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:  # the terminal's other side is closed: all read
            break
        if not chunk:
            break
        shown += chunk
    os.close(main)
    lines = [_ANSI.sub("", line).rstrip() for line in shown.decode("utf-8").replace("\r\n", "\n").splitlines()]
    assert lines[0].split() == HEADER
    assert lines[1].startswith("error     北京市通州区  2024  new_received:")
    assert all(len(line) + sum(1 for ch in line if "\u4e00" <= ch <= "\u9fff") <= 50 for line in lines)
    assert len(lines) > 3  # the detail wrapped onto lines of its own, under its column
    detail_column = lines[0].index("detail")
    wrapped = [line for line in lines[2:] if not line.startswith("warning")]
    assert wrapped and all(line[:detail_column].strip() == "" for line in wrapped)  # under the detail column
    detail = [lines[1].split("2024  ", 1)[1], *(line.strip() for line in wrapped)]
    assert " ".join(detail).split() == ROWS[0][3].split()  # every word, in order, nothing cut
    assert lines[-1].split() == ["warning", "x"]
