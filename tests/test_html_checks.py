"""The page checks that run on every HTML response of the suite (tests/conftest.py): R-X-3,
issue 14 item 8."""

from __future__ import annotations

from .html_checks import problems


def test_a_duplicate_id_is_found_R_X_3():
    """R-X-3, issue 14 item 8: two elements with one id (the two "Klant" selects)."""
    html = (
        '<label for="id_client">Klant</label><select id="id_client" name="client"></select>'
        '<label for="id_client">Klant</label><select id="id_client" name="client"></select>'
    )
    found = problems(html)
    assert 'id "id_client" occurs 2 times' in found
    assert any("has 2 labels" in p for p in found)  # the first is read out "Klant: Klant:"


def test_controls_without_a_name_are_found_and_named_ones_pass_R_X_3():
    """R-X-3, issue 14 item 8: a select, text field or checkbox without label, aria-label,
    aria-labelledby, wrapping label or title has no accessible name."""
    assert problems('<select name="client"></select>') == [
        '<select name="client"> has no accessible name'
    ]
    assert problems('<textarea id="t"></textarea><input type="checkbox" name="c">') == [
        '<textarea id="t"> has no accessible name',
        '<input type="checkbox" name="c"> has no accessible name',
    ]
    named = (
        '<label for="a">A</label><input id="a">'
        '<label>B <input name="b"></label>'
        '<label for="c">C <input type="radio" id="c"></label>'
        '<input aria-label="D"><span id="e">E</span><select aria-labelledby="e"></select>'
        '<input title="F"><input type="hidden" name="g"><button>H</button>'
        '<input type="submit" value="I"><input type="file" hidden>'
    )
    assert problems(named) == []


def test_a_name_from_a_missing_element_is_found_R_X_3():
    """R-X-3, issue 14 item 8: aria-labelledby must point at an element on the page."""
    assert problems('<select aria-labelledby="nope"></select>') == [
        "<select> is labelled by missing id(s) ['nope']"
    ]
