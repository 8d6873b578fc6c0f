"""docs/order-lifecycle.md shows exactly the transitions of the code."""

from __future__ import annotations

from pathlib import Path

from fabnet.domain.orders.transitions import LOT_TRANSITIONS, ORDER_TRANSITIONS

DOC = Path(__file__).resolve().parents[2] / "docs" / "order-lifecycle.md"


def _table_rows(text: str, heading: str) -> set[tuple[str, str, str, str]]:
    section = text.split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]
    rows = set()
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 6 and cells[1].startswith("`"):
            rows.add((cells[0], cells[1].strip("`"), cells[2], cells[3]))
    return rows


def test_document_tables_match_the_code() -> None:
    text = DOC.read_text(encoding="utf-8")
    for heading, transitions in (("Order", ORDER_TRANSITIONS), ("Lot", LOT_TRANSITIONS)):
        expected = {
            (t.source.value, t.action,
             t.target.value if t.target else "(state before the dispute)",
             ", ".join(sorted(r.value for r in t.roles)))
            for t in transitions
        }  # fmt: skip
        assert _table_rows(text, heading) == expected
