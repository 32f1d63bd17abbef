"""Write ``report.md`` (goals, machine, every table) and ``results.json``."""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks._common import Section

__all__ = ["render", "write_report"]


def _table(rows: list[list[str]]) -> list[str]:
    if not rows:
        return []
    head, *body = rows
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(cell.replace("\n", " ") for cell in row) + " |" for row in body]
    return lines


def render(sections: list[Section], info: dict[str, str], header: list[str], elapsed: float) -> str:
    """The whole report as Markdown."""
    lines = ["# talkkit benchmarks", "", *header, ""]
    goals = [goal for section in sections for goal in section.goals]
    if goals:
        lines += ["## Goals (issue 8)", ""]
        rows = [["goal", "measured", "met"]]
        for goal in goals:
            met = "n/a" if goal.met is None else ("yes" if goal.met else "**no**")
            rows.append([goal.text, goal.measured, met])
        lines += [*_table(rows), ""]
    for section in sections:
        lines += [f"## {section.title}", "", *_table(section.table), ""]
        for note in section.notes:
            lines += [note, ""]
        if section.extra:
            lines += [section.extra, ""]
        for chart in section.charts:
            lines += [f"![{section.title}]({chart})", ""]
    lines += ["## Machine and versions", "", *_table([["", ""], *map(list, info.items())]), ""]
    lines += [f"Suite wall time: {elapsed:.0f} s.", ""]
    return "\n".join(lines)


def write_report(
    out: Path,
    sections: list[Section],
    info: dict[str, str],
    header: list[str],
    elapsed: float,
) -> Path:
    """Write ``report.md`` and ``results.json`` into ``out``; return the report's path."""
    out.mkdir(parents=True, exist_ok=True)
    report = out / "report.md"
    report.write_text(render(sections, info, header, elapsed))
    raw = {
        "machine": info,
        "sections": {s.key: {"title": s.title, "table": s.table, "data": s.data} for s in sections},
        "goals": [
            {"goal": g.text, "measured": g.measured, "met": g.met}
            for s in sections
            for g in s.goals
        ],
    }
    (out / "results.json").write_text(json.dumps(raw, indent=2, default=str))
    return report
