"""Plain-text tables for terminal output (no dependency, stable for tests and CI logs)."""

from __future__ import annotations

from collections.abc import Sequence


def format_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows, strict=False)]
    lines = ["  ".join(str(cell).ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip()
             for line in (header, *rows)]
    return "\n".join(lines)


def yes_no(value: bool) -> str:
    return "yes" if value else "no"
