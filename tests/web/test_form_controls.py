"""The form macros (templates/macros.html) render further attributes as attributes: a quantity
field's ``min`` is a number the browser enforces, not the text ``"1"`` with its quotes escaped,
and several fields of one name on a page (a decline reason per invitation) get ids of their own,
so each label names its own control."""

from __future__ import annotations

import re

from fabnet.web.render import templates


def _render(source: str) -> str:
    imports = '{% from "macros.html" import field, select %}'
    return templates.env.from_string(imports + source).render()


def test_attributes_are_attributes_and_values_are_escaped() -> None:
    html = _render(
        '{{ field("quantity", "Quantity", type="number", attrs={"min": 1, "max": 20000}) }}'
        '{{ field("license", "Licence", attrs={"list": "licences", "data-x": "a\\"b<c"}) }}'
    )
    assert re.search(r'<input id="f-quantity"[^>]* min="1" max="20000">', html)
    assert 'list="licences"' in html
    assert 'data-x="a&#34;b&lt;c"' in html  # a value is escaped inside its quotes
    assert "&#34;1&#34;" not in html


def test_fields_of_one_name_get_their_own_ids_labels_hints_and_errors() -> None:
    html = _render(
        '{% for lot in ["a", "b"] %}'
        '{{ field("reason", "Reason", hint="why", errors={"reason": "say why"},'
        ' id="reason-" ~ lot) }}'
        '{{ select("mode", "Mode", [("road", "road")], id="mode-" ~ lot) }}'
        "{% endfor %}"
    )
    ids = re.findall(r' id="([^"]+)"', html)
    assert len(ids) == len(set(ids)), ids
    for lot in ("a", "b"):
        assert f'<label for="f-reason-{lot}">' in html and f'id="f-reason-{lot}"' in html
        assert f'aria-describedby="h-reason-{lot} e-reason-{lot}"' in html
        assert f'<label for="f-mode-{lot}">' in html
    assert html.count('name="reason"') == 2  # the form field keeps its name
