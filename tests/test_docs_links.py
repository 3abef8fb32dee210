"""Every relative link in the README and docs/ leads somewhere: to a file or
folder of the repository, and with a ``#fragment`` to a heading in that file
(as GitHub makes anchors of headings)."""

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PAGES = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
FENCE = re.compile(r"^```.*?^```", re.M | re.S)
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
HEADING = re.compile(r"^#{1,6} +(.+?) *$", re.M)


def prose(page: Path) -> str:
    """The page without its code blocks (a ``# comment`` is not a heading)."""
    return FENCE.sub("", page.read_text())


def anchor(heading: str) -> str:
    heading = re.sub(r"[`*_]|\[([^\]]*)\]\([^)]*\)", r"\1", heading).lower()
    return re.sub(r"[^\w\- ]", "", heading).replace(" ", "-")


def anchors(page: Path) -> set[str]:
    return {anchor(h) for h in HEADING.findall(prose(page))}


def relative_links(page: Path) -> list[str]:
    return [
        target
        for target in LINK.findall(prose(page))
        if not re.match(r"[a-z]+:", target)  # http:, https:, mailto:
    ]


def test_the_anchor_is_githubs():
    assert anchor("Deleting and erasing a customer's data") == (
        "deleting-and-erasing-a-customers-data"
    )
    assert anchor("`tests/saleor/`: inside a real Saleor") == (
        "testssaleor-inside-a-real-saleor"
    )


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(REPO)))
def test_every_relative_link_resolves(page):
    # given: the page's links to the repository
    links = relative_links(page)
    broken = []

    # when: each is followed from the page's folder
    for link in links:
        path, _, fragment = link.partition("#")
        target = (page.parent / path).resolve() if path else page
        if not target.exists():
            broken.append(f"{link}: no {target.relative_to(REPO)}")
        elif fragment and target.suffix == ".md" and fragment not in anchors(target):
            broken.append(f"{link}: no heading #{fragment}")

    # then
    assert broken == []


def test_the_readme_links_every_docs_page():
    linked = {
        (REPO / link.partition("#")[0]).resolve()
        for link in relative_links(REPO / "README.md")
    }
    assert [p.name for p in PAGES[1:] if p not in linked] == []
