"""README.md is the way in: short, leading with the two commands, and every relative link in it and
in docs/*.md leads to a file that exists (and, within the docs, to a heading that exists)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from infra.topology import ROOT

README = ROOT / "README.md"
DOCS = sorted((ROOT / "docs").glob("*.md"))
MAX_README_LINES = 300

FENCE = re.compile(r"^(```|~~~)")
# [text](target) and ![alt](target); the target ends at the first space or closing parenthesis.
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
HEADING = re.compile(r"^#{1,6}\s+(.*?)\s*#*\s*$")
EXPLICIT_ANCHOR = re.compile(r'<a\s+(?:id|name)="([^"]+)"')


def outside_fences(text: str) -> list[str]:
    lines, fenced = [], False
    for line in text.splitlines():
        if FENCE.match(line.strip()):
            fenced = not fenced
        elif not fenced:
            lines.append(line)
    return lines


def prose(text: str) -> str:
    """The text outside code blocks and inline code, where a link is a link."""
    return "\n".join(re.sub(r"`[^`]*`", "", line) for line in outside_fences(text))


def relative_links(text: str) -> list[str]:
    return [
        target
        for target in LINK.findall(prose(text))
        if not re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I) and not target.startswith("//")
    ]


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, inline markup and punctuation dropped, spaces to -."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading).replace("`", "")
    text = re.sub(r"[^\w\- ]", "", text.lower())
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    text = path.read_text(encoding="utf-8")
    found, seen = set(EXPLICIT_ANCHOR.findall(text)), dict[str, int]()
    for line in outside_fences(text):
        match = HEADING.match(line)
        if match:
            base = slug(match.group(1))
            count = seen.get(base, 0)
            found.add(base if count == 0 else f"{base}-{count}")
            seen[base] = count + 1
    return found


def broken_links(document: Path) -> list[str]:
    broken = []
    for target in relative_links(document.read_text(encoding="utf-8")):
        path_part, _, fragment = target.partition("#")
        linked = (document.parent / path_part).resolve() if path_part else document
        if not linked.exists():
            broken.append(f"{target}: no such file")
        elif fragment and linked.suffix == ".md" and fragment not in anchors(linked):
            broken.append(f"{target}: no such heading")
    return broken


def first_command_block(text: str) -> str:
    match = re.search(r"^```(?:sh|bash|shell)?\n(.*?)^```", text, re.M | re.S)
    assert match, "README.md has no command block"
    return match.group(1)


def test_the_readme_is_at_most_300_lines() -> None:
    lines = README.read_text(encoding="utf-8").splitlines()

    assert len(lines) <= MAX_README_LINES, (
        f"README.md has {len(lines)} lines: move detail into docs/ (at most {MAX_README_LINES})"
    )


def test_the_readme_leads_with_make_run_and_make_test() -> None:
    commands = [
        line.split("#")[0].strip()
        for line in first_command_block(README.read_text(encoding="utf-8")).splitlines()
    ]

    assert "make run" in commands
    assert "make test" in commands


def test_the_readme_links_every_page_of_docs() -> None:
    linked = {
        (README.parent / target.partition("#")[0]).resolve()
        for target in relative_links(README.read_text(encoding="utf-8"))
    }

    unlinked = [page.name for page in DOCS if page.resolve() not in linked]
    assert not unlinked, f"README.md does not link these pages of docs/: {unlinked}"


@pytest.mark.parametrize("document", [README, *DOCS], ids=lambda path: str(path.relative_to(ROOT)))
def test_every_relative_link_leads_to_a_file_and_heading_that_exist(document: Path) -> None:
    assert not broken_links(document), f"{document.relative_to(ROOT)}: broken links {broken_links(document)}"


def test_a_broken_link_is_noticed(tmp_path: Path) -> None:
    (tmp_path / "there.md").write_text("# A heading, with `code`\n\n## Twice\n\n## Twice\n", encoding="utf-8")
    page = tmp_path / "page.md"
    page.write_text(
        "[ok](there.md) [ok](there.md#a-heading-with-code) [ok](there.md#twice-1) [web](https://example.com)\n"
        "[gone](missing.md) [no heading](there.md#nowhere) ![image](images/none.png)\n"
        "```\n[in code](ignored.md)\n```\n",
        encoding="utf-8",
    )

    assert broken_links(page) == [
        "missing.md: no such file",
        "there.md#nowhere: no such heading",
        "images/none.png: no such file",
    ]
