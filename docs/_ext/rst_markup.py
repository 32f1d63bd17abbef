"""
Griffe extension: render the reST markup of talkkit's Napoleon docstrings as Markdown.

The docstrings are Napoleon (Google) style, which borrows two pieces of reST that a Markdown
renderer would show verbatim:

- a literal block: ``Example::`` or a sentence ending in ``::`` before an indented code
  example. It becomes what reST means by it: ``text:`` (``text ::`` -> ``text``; a bare
  ``::`` line goes away) and a fenced ``python`` block;
- a version directive (``.. versionadded:: 0.1``, ``versionchanged``, ``deprecated``), which
  becomes an emphasized line (*Added in version 0.1.*) followed by its text, if any.

It changes what the docs read, never the code. Listed before ``griffe_typingdoc``, which
parses the docstrings it extends.
"""

from __future__ import annotations

import re
import textwrap
from typing import Any

import griffe

_VERSION = re.compile(r"^(\s*)\.\. (versionadded|versionchanged|deprecated)::\s*(\S+)\s*(.*)$")
_VERSION_WORDS = {
    "versionadded": "Added in version",
    "versionchanged": "Changed in version",
    "deprecated": "Deprecated since version",
}


def convert(text: str) -> str:
    """The docstring ``text`` in Markdown: literal blocks fenced, version directives as text."""
    return _versions(_literal_blocks(text))


def _versions(text: str) -> str:
    out: list[str] = []
    for line in text.splitlines():
        match = _VERSION.match(line)
        if match is None:
            out.append(line)
            continue
        indent, kind, version, rest = match.groups()
        out.append(
            f"{indent}*{_VERSION_WORDS[kind]} {version.rstrip('.')}.*"
            + (f" {rest}" if rest else "")
        )
    return "\n".join(out)


def _literal_blocks(text: str) -> str:
    """``text`` with every literal block fenced."""
    lines = text.splitlines()
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.rstrip()
        if not stripped.endswith("::") or stripped.lstrip().startswith(">>>"):
            out.append(line)
            i += 1
            continue
        indent = len(line) - len(line.lstrip())
        j = i + 1
        block: list[str] = []
        while j < len(lines) and (
            not lines[j].strip() or len(lines[j]) - len(lines[j].lstrip()) > indent
        ):
            block.append(lines[j])
            j += 1
        while block and not block[-1].strip():
            block.pop()
        if not block:  # no indented block follows: not a literal block
            out.append(line)
            i += 1
            continue
        lead = stripped[:-2]
        if lead.strip():
            out.append(lead.rstrip() if lead.endswith(" ") else lead + ":")
        pad = " " * indent
        code = textwrap.dedent("\n".join(block)).strip("\n").splitlines()
        out += ["", f"{pad}```python", *(f"{pad}{c}" if c else "" for c in code), f"{pad}```"]
        if j < len(lines):
            out.append("")
        i = j
    return "\n".join(out)


class RstMarkup(griffe.Extension):
    """Turn the reST literal blocks and version directives of every docstring into Markdown."""

    def on_package(self, *, pkg: griffe.Module, **kwargs: Any) -> None:
        self._visit(pkg)

    def _visit(self, obj: griffe.Object | griffe.Alias) -> None:
        if obj.is_alias:
            return
        if obj.docstring is not None and "::" in obj.docstring.value:
            obj.docstring.value = convert(obj.docstring.value)
        for member in obj.members.values():
            self._visit(member)
