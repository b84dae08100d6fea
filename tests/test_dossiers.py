"""Behaviour of Home (R-HOME-1/2), the dossier list (R-DOS-1..3) and a dossier page (R-DOS-4/5),
including bad input on the list.

Assertions on UI text run as an English user (language="en") unless they are about Dutch: the
UI's msgids are English and stay put when the Dutch wording is edited. The Dutch labels the
manual names (R-HOME-1, R-DOS-4, R-DOS-5) are checked as a default (Dutch) user.
"""

from __future__ import annotations

import re

import pytest
from django.conf import settings

from portal.accounts.models import User
from portal.dossiers.models import Dossier
from portal.offices.models import DossierStatus

from .factories import DossierFactory, StatusFactory, StepFactory, UserFactory, grant

TAB_LABELS_EN = {
    "correspondentie": "Correspondence",
    "documenten": "Documents",
    "aangeleverd": "Supplied by me",
    "berichten": "Messages",
}
TAB_LABELS_NL = {
    "correspondentie": "Correspondentie",
    "documenten": "Documenten",
    "aangeleverd": "Door mij aangeleverd",
    "berichten": "Berichten",
}


# --- helpers --------------------------------------------------------------------------------


def client_user(language: str = "en", **fields) -> User:
    return UserFactory(language=language, **fields)


def dossiers_for(user: User, count: int = 1, **fields) -> list[Dossier]:
    dossiers = DossierFactory.create_batch(count, **fields)
    for dossier in dossiers:
        grant(dossier, user.client)
    return dossiers


def listed_numbers(response) -> list[str]:
    return [dossier.number for dossier in response.context["page"].object_list]


def body(response) -> str:
    return response.content.decode()


def without_search_box(response) -> str:
    """The body without the search box, which echoes the search text back."""
    return re.sub(r'<input type="search"[^>]*>', "", body(response))


def main_nav(response) -> str:
    match = re.search(r'<nav class="site-nav".*?</nav>', body(response), re.S)
    assert match, "no main navigation on the page"
    return match.group(0)


def tile_titles(response) -> list[str]:
    """The tiles' titles, without the link a title may carry."""
    titles = re.findall(r'<li>\s*<(?:a|div) class="tile".*?<h2>(.*?)</h2>', body(response), re.S)
    return [re.sub(r"<[^>]+>", "", title) for title in titles]


def status_checkbox_values(response) -> set[str]:
    return set(re.findall(r'<input type="checkbox" name="status" value="(\d+)"', body(response)))


@pytest.fixture
def en_user(db) -> User:
    return client_user(email="en@example.test", full_name="Anna Smit")


@pytest.fixture
def others_dossier(db) -> Dossier:
    """A dossier of another client, which no search or filter of ``en_user`` may show."""
    other = client_user(email="someone-else@example.test")
    status = StatusFactory(name="Passeren akte", in_progress=True)
    return dossiers_for(other, description="Geheime Dorpsstraat 99 % _ akte", status=status)[0]


# --- R-HOME-1 -------------------------------------------------------------------------------


def test_home_shows_three_tiles_R_HOME_1(client, en_user):
    """R-HOME-1: Home shows three tiles: Dossiers (to the list), Actions, My details (to
    /mijn-gegevens/)."""
    client.force_login(en_user)
    response = client.get("/")
    assert response.status_code == 200
    assert tile_titles(response) == ["Dossiers", "Actions", "My details"]
    assert '<h2><a class="tile-link" href="/dossiers/">Dossiers</a></h2>' in body(response)
    assert '<a class="tile" href="/mijn-gegevens/">' in body(response)


def test_home_is_dutch_by_default_R_HOME_1(client, db):
    """R-HOME-1 / R-ME-1: a new account's pages are in Dutch unless the client chooses
    otherwise."""
    user = UserFactory()
    assert user.language == "nl"
    client.force_login(user)
    response = client.get("/")
    assert response["Content-Language"] == "nl"
    assert '<html lang="nl">' in body(response)


def test_home_tiles_have_dutch_labels_R_HOME_1(client, db):
    """R-HOME-1: the tiles are labelled "Dossiers", "Acties", "Mijn gegevens" (Dutch default)."""
    client.force_login(UserFactory())
    response = client.get("/")
    assert tile_titles(response) == ["Dossiers", "Acties", "Mijn gegevens"]


NAV_PAGES = {
    "home": lambda dossiers: "/",
    "list": lambda dossiers: "/dossiers/",
    "dossier": lambda dossiers: f"/dossiers/{dossiers[0].pk}/",
    "tab": lambda dossiers: f"/dossiers/{dossiers[0].pk}/berichten/",
    "my details": lambda dossiers: "/mijn-gegevens/",
}


@pytest.mark.parametrize("page", list(NAV_PAGES))
def test_home_link_in_navigation_on_every_page_R_HOME_1(client, en_user, page):
    """R-HOME-1: "Home" in the navigation returns to Home from anywhere."""
    dossiers = dossiers_for(en_user, 2)
    client.force_login(en_user)
    response = client.get(NAV_PAGES[page](dossiers))
    assert response.status_code == 200
    assert re.search(r'<a href="/"( aria-current="page")?>Home</a>', main_nav(response))


@pytest.mark.parametrize("page", ["home", "dossier"])
def test_home_link_is_labelled_home_in_dutch_R_HOME_1(client, db, page):
    """R-HOME-1: the Dutch navigation says "Home" too (the manual's word), not Django's
    admin translation "Voorpagina"."""
    user = UserFactory()
    dossiers = dossiers_for(user, 2)
    client.force_login(user)
    response = client.get(NAV_PAGES[page](dossiers))
    assert re.search(r'<a href="/"( aria-current="page")?>Home</a>', main_nav(response))


# --- R-HOME-2 -------------------------------------------------------------------------------


def test_dossiers_tile_counts_in_progress_and_total_R_HOME_2(client, en_user, others_dossier):
    """R-HOME-2: the Dossiers tile shows the number "in behandeling" (statuses with
    in_progress=True) and the total; other clients' dossiers count for neither."""
    busy = StatusFactory(name="In behandeling", in_progress=True)
    waiting = StatusFactory(name="Wacht op stukken", in_progress=True)
    done = StatusFactory(name="Afgerond", in_progress=False)
    dossiers_for(en_user, 2, status=busy)
    dossiers_for(en_user, 1, status=waiting)
    dossiers_for(en_user, 4, status=done)
    client.force_login(en_user)

    response = client.get("/")

    assert response.context["counts"] == {"in_progress": 3, "total": 7}
    figures = re.findall(r"<dt[^>]*>(.*?)</dt><dd><a [^>]*>(\d+)</a></dd>", body(response))
    assert figures == [("in progress", "3"), ("in total", "7")]


def test_dossiers_tile_with_no_dossiers_R_HOME_2(client, en_user, others_dossier):
    """R-HOME-2: a client without dossiers sees 0 and 0."""
    client.force_login(en_user)
    assert client.get("/").context["counts"] == {"in_progress": 0, "total": 0}


def tile_figure_links(response) -> dict[str, tuple[str, int]]:
    """The Dossiers tile's figures: label -> (the link's address, the number shown)."""
    found = re.findall(
        r'<dt[^>]*>(.*?)</dt><dd><a href="([^"]+)"[^>]*>(\d+)</a></dd>', body(response)
    )
    return {label: (href.replace("&amp;", "&"), int(n)) for label, href, n in found}


@pytest.fixture
def several_in_progress(en_user, others_dossier) -> dict[str, list[Dossier]]:
    """The demo's statuses: three count as in progress ("In behandeling", "Wacht op stukken",
    "Passeren gepland"), two do not; another client's in-progress dossier exists too."""
    kinds = [
        ("Nieuw", False, 2),
        ("In behandeling", True, 1),
        ("Wacht op stukken", True, 2),
        ("Passeren gepland", True, 1),
        ("Afgerond", False, 3),
    ]
    return {
        name: dossiers_for(en_user, n, status=StatusFactory(name=name, in_progress=busy))
        for name, busy, n in kinds
    }


def test_in_progress_figure_links_to_exactly_the_dossiers_it_counts_R_HOME_2_R_DOS_3(
    client, en_user, several_in_progress
):
    """R-HOME-2 / R-DOS-3, issue 14 item 4: with several in-progress statuses, the tile's
    "in progress" number is a link, and the list it opens shows exactly that many rows — the
    dossiers of every in-progress status, no other status, no other client's. The "in total"
    number opens the whole list."""
    client.force_login(en_user)

    figures = tile_figure_links(client.get("/"))

    href, shown = figures["in progress"]
    assert shown == 4
    listed = client.get(href)
    assert listed.status_code == 200
    assert listed.context["page"].paginator.count == shown
    expected = [
        d.number
        for name in ["In behandeling", "Wacht op stukken", "Passeren gepland"]
        for d in several_in_progress[name]
    ]
    assert sorted(listed_numbers(listed)) == sorted(expected)
    assert "4 dossiers" in body(listed)
    # The option that link set is shown ticked, so the client sees what the list is showing.
    assert re.search(r'value="lopend"[^>]*checked', body(listed))

    href, shown = figures["in total"]
    assert shown == 9
    assert len(listed_numbers(client.get(href))) == 9


def test_in_progress_option_shows_the_statuses_it_covers_R_DOS_3_R_HOME_2(
    client, en_user, several_in_progress
):
    """R-DOS-3 / R-HOME-2, issue 14 item 4: the status filter offers "All ongoing dossiers"
    with its number (the tile's), and under it the in-progress statuses with theirs, which add
    up to it; the other statuses follow with their numbers. "In behandeling" alone is 1 of
    the 4."""
    client.force_login(en_user)

    page = body(client.get("/dossiers/"))

    labels = re.findall(r'<label for="id_status_\d+">(.*?)</label>', page)
    assert labels == [
        "All ongoing dossiers (4)",
        "In behandeling (1)",
        "Wacht op stukken (2)",
        "Passeren gepland (1)",
        "Nieuw (2)",
        "Afgerond (3)",
    ]
    ongoing = re.search(r'value="lopend".*?</ul>', page, re.S).group(0)
    assert "counted as “in progress” on Home" in ongoing
    for name in ["In behandeling", "Wacht op stukken", "Passeren gepland"]:
        assert f"{name} (" in ongoing
    for name in ["Nieuw", "Afgerond"]:
        assert f"{name} (" not in ongoing


def test_in_progress_option_in_dutch_R_DOS_3(client, db):
    """R-DOS-3, issue 14 item 4: in Dutch the option reads "Alle lopende dossiers" and refers
    to the tile's "in behandeling"."""
    user = UserFactory()
    dossiers_for(user, 1, status=StatusFactory(name="In behandeling", in_progress=True))
    dossiers_for(user, 1, status=StatusFactory(name="Afgerond", in_progress=False))
    client.force_login(user)
    page = body(client.get("/dossiers/"))
    assert "Alle lopende dossiers (1)" in page
    assert "op Home als “in behandeling” geteld" in page


def test_in_progress_option_combines_with_another_status_R_DOS_3(
    client, en_user, several_in_progress
):
    """R-DOS-3, issue 14 item 4: "All ongoing dossiers" ticked with "Afgerond" shows both, like
    ticking several statuses; with a search it narrows to the matching ones."""
    done = DossierStatus.objects.get(name="Afgerond")
    searchable = dossiers_for(
        en_user, description="Villa Zonnehoek", status=DossierStatus.objects.get(name="Nieuw")
    )
    client.force_login(en_user)

    both = client.get("/dossiers/", {"status": ["lopend", done.pk]})
    assert both.context["page"].paginator.count == 4 + 3

    searched = client.get("/dossiers/", {"status": "lopend", "q": "Zonnehoek"})
    assert listed_numbers(searched) == []
    searched = client.get("/dossiers/", {"status": "lopend", "q": "Kerkstraat"})
    assert searched.context["page"].paginator.count == 4
    assert searchable[0].number not in listed_numbers(searched)


def test_in_progress_link_works_when_the_filter_is_not_offered_R_DOS_3(client, en_user):
    """R-DOS-3, issue 14 item 4: with one status among the client's dossiers the filter is not
    offered, yet the tile's link still lists what the tile counted (all of them, or none)."""
    dossiers_for(en_user, 3, status=StatusFactory(name="In behandeling", in_progress=True))
    client.force_login(en_user)
    href, shown = tile_figure_links(client.get("/"))["in progress"]
    listed = client.get(href)
    assert listed.context["show_status_filter"] is False
    assert (shown, len(listed_numbers(listed))) == (3, 3)


# --- R-DOS-1 --------------------------------------------------------------------------------


def test_exactly_one_dossier_opens_directly_R_DOS_1(client, en_user, others_dossier):
    """R-DOS-1: a client authorised for exactly one dossier skips the list (other clients'
    dossiers don't count)."""
    [dossier] = dossiers_for(en_user, 1)
    client.force_login(en_user)
    response = client.get("/dossiers/")
    assert response.status_code == 302
    assert response["Location"] == f"/dossiers/{dossier.pk}/"


@pytest.mark.parametrize("query", ["?q=Kerkstraat", "?q=nothing-matches", "?page=1"])
def test_one_dossier_with_a_search_shows_the_list_R_DOS_1(client, en_user, query):
    """R-DOS-1: the shortcut applies only to the plain list: a search (or a page link) shows
    the list, so "no results" can be told apart from "your one dossier"."""
    dossiers_for(en_user, 1)
    client.force_login(en_user)
    response = client.get(f"/dossiers/{query}")
    assert response.status_code == 200
    assert "page" in response.context


@pytest.mark.parametrize("count", [0, 2])
def test_zero_or_several_dossiers_show_the_list_R_DOS_1(client, en_user, count):
    """R-DOS-1: with no dossier or more than one, "Dossiers" opens the list."""
    dossiers = dossiers_for(en_user, count)
    client.force_login(en_user)
    response = client.get("/dossiers/")
    assert response.status_code == 200
    assert sorted(listed_numbers(response)) == sorted(d.number for d in dossiers)
    if count == 0:
        assert "You do not have any dossiers yet." in body(response)


# --- R-DOS-2 --------------------------------------------------------------------------------


@pytest.fixture
def searchable(en_user, others_dossier) -> dict[str, Dossier]:
    return {
        "dorpsstraat": dossiers_for(
            en_user, number="2025.0417", description="Levering woning Dorpsstraat 1"
        )[0],
        "oprichting": dossiers_for(
            en_user, number="AB-2026-17", description="Oprichting Voorbeeld B.V."
        )[0],
        "testament": dossiers_for(en_user, number="2026.1130", description="Testament")[0],
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("dorpsSTRAAT", ["dorpsstraat"]),
        ("levering woning", ["dorpsstraat"]),
        ("  Voorbeeld b.v.  ", ["oprichting"]),
        ("0417", ["dorpsstraat"]),
        ("ab-2026", ["oprichting"]),
        ("2026", ["oprichting", "testament"]),
        ("e", ["dorpsstraat", "oprichting", "testament"]),
        ("kerkstraat", []),
    ],
)
def test_search_on_description_and_number_R_DOS_2(client, en_user, searchable, text, expected):
    """R-DOS-2: search is a case-insensitive partial match on the description ("Omschrijving")
    or the number ("Dossiernummer"), among the client's own dossiers only."""
    client.force_login(en_user)
    response = client.get("/dossiers/", {"q": text})
    assert response.status_code == 200
    assert sorted(listed_numbers(response)) == sorted(searchable[k].number for k in expected)
    if not expected:
        assert "No dossiers match your search." in body(response)


def test_search_never_shows_another_clients_dossier_R_DOS_2_R_DOS_6(
    client, en_user, searchable, others_dossier
):
    """R-DOS-2 with R-DOS-6: a search that matches another client's dossier word for word
    still does not show it."""
    client.force_login(en_user)
    for text in ["Geheime", others_dossier.number, "Dorpsstraat"]:
        response = client.get("/dossiers/", {"q": text})
        assert others_dossier.number not in without_search_box(response)
        assert "Geheime" not in without_search_box(response)


# --- R-DOS-3 --------------------------------------------------------------------------------


def test_status_filter_hidden_with_one_status_R_DOS_3(client, en_user, others_dossier):
    """R-DOS-3: the filter is offered only when more than one status occurs among the client's
    dossiers; another client's different status does not count."""
    dossiers_for(en_user, 3, status=StatusFactory(name="In behandeling"))
    client.force_login(en_user)
    response = client.get("/dossiers/")
    assert response.context["show_status_filter"] is False
    assert status_checkbox_values(response) == set()


def test_status_filter_offers_the_clients_statuses_R_DOS_3(client, en_user, others_dossier):
    """R-DOS-3: with two statuses among the client's dossiers the filter offers exactly those
    two, and by default all dossiers are shown."""
    busy = StatusFactory(name="In behandeling")
    done = StatusFactory(name="Afgerond", in_progress=False)
    StatusFactory(name="Nooit gebruikt")
    mine = dossiers_for(en_user, 2, status=busy) + dossiers_for(en_user, 3, status=done)
    client.force_login(en_user)

    response = client.get("/dossiers/")

    assert response.context["show_status_filter"] is True
    assert status_checkbox_values(response) == {str(busy.pk), str(done.pk)}
    assert sorted(listed_numbers(response)) == sorted(d.number for d in mine)
    assert 'checked id="id_status' not in body(response)


def test_status_filter_by_one_or_two_statuses_R_DOS_3(client, en_user):
    """R-DOS-3: filtering on one status shows its dossiers; repeating ``status=`` filters on
    several; the ticked boxes stay ticked."""
    busy = StatusFactory(name="In behandeling")
    waiting = StatusFactory(name="Wacht op stukken")
    done = StatusFactory(name="Afgerond", in_progress=False)
    by_status = {
        status.pk: {d.number for d in dossiers_for(en_user, n, status=status)}
        for status, n in [(busy, 2), (waiting, 1), (done, 3)]
    }
    client.force_login(en_user)

    one = client.get("/dossiers/", {"status": [done.pk]})
    assert set(listed_numbers(one)) == by_status[done.pk]

    two = client.get(f"/dossiers/?status={busy.pk}&status={waiting.pk}")
    assert set(listed_numbers(two)) == by_status[busy.pk] | by_status[waiting.pk]
    assert re.search(rf'value="{busy.pk}"[^>]*checked', body(two))
    assert not re.search(rf'value="{done.pk}"[^>]*checked', body(two))

    searched = client.get("/dossiers/", {"status": [busy.pk, done.pk], "q": "Kerkstraat"})
    assert set(listed_numbers(searched)) == by_status[busy.pk] | by_status[done.pk]


# --- pagination (R-DOS-1..3) ----------------------------------------------------------------


def test_list_is_paginated_and_page_links_keep_the_search_R_DOS_2_R_DOS_3(client, en_user):
    """R-DOS-2/R-DOS-3: 30 dossiers at DOSSIERS_PER_PAGE=25 make two pages (25 and 5); the page
    links keep the search text and every ticked status."""
    assert settings.DOSSIERS_PER_PAGE == 25
    busy = StatusFactory(name="In behandeling")
    done = StatusFactory(name="Afgerond", in_progress=False)
    dossiers_for(en_user, 15, status=busy)
    dossiers_for(en_user, 15, status=done)
    client.force_login(en_user)
    query = f"q=Kerkstraat&status={busy.pk}&status={done.pk}"

    first = client.get(f"/dossiers/?{query}")
    assert len(listed_numbers(first)) == 25
    assert f'href="?{query.replace("&", "&amp;")}&amp;page=2"' in body(first)

    second = client.get(f"/dossiers/?{query}&page=2")
    assert len(listed_numbers(second)) == 5
    assert f'href="?{query.replace("&", "&amp;")}&amp;page=1"' in body(second)
    assert set(listed_numbers(first)).isdisjoint(listed_numbers(second))

    plain = client.get("/dossiers/?page=2")
    assert len(listed_numbers(plain)) == 5
    assert 'href="?page=1"' in body(plain)


# --- R-DOS-5 --------------------------------------------------------------------------------


def details_tag(response) -> str:
    match = re.search(r'<details class="progress"[^>]*>', body(response))
    assert match, "no progress <details> on the page"
    return match.group(0)


def summary(response) -> str:
    match = re.search(r"<summary>(.*?)</summary>", body(response), re.S)
    assert match
    return match.group(1).strip()


def test_progress_collapsed_and_zero_of_zero_without_steps_R_DOS_5(client, en_user):
    """R-DOS-5: "Voortgang" is collapsed by default and shows (0/0) without a progress list."""
    [dossier] = dossiers_for(en_user)
    client.force_login(en_user)
    response = client.get(f"/dossiers/{dossier.pk}/")
    assert "open" not in details_tag(response)
    assert summary(response) == "Progress (0/0)"


def test_progress_four_of_ten_with_steps_in_order_R_DOS_5(client, en_user):
    """R-DOS-5: (4/10) = four of ten steps completed; expanding shows the steps in their order
    and which are done."""
    [dossier] = dossiers_for(en_user)
    done_positions = {1, 2, 3, 5}
    # Created out of order: the page orders by position.
    for position in [7, 3, 10, 1, 5, 2, 9, 4, 8, 6]:
        StepFactory(
            dossier=dossier,
            position=position,
            title=f"Stap {position:02d}",
            done=position in done_positions,
        )
    client.force_login(en_user)

    response = client.get(f"/dossiers/{dossier.pk}/")

    assert "open" not in details_tag(response)
    assert summary(response) == "Progress (4/10)"
    steps = re.findall(
        r'<li class="(step-done|step-open)">.*?<span>(Stap \d+) ', body(response), re.S
    )
    assert [title for _cls, title in steps] == [f"Stap {n:02d}" for n in range(1, 11)]
    assert [cls == "step-done" for cls, _title in steps] == [
        n in done_positions for n in range(1, 11)
    ]


def test_progress_is_called_voortgang_in_dutch_R_DOS_5(client, db):
    """R-DOS-5: the Dutch label is "Voortgang (x/y)"."""
    user = UserFactory()
    [dossier] = dossiers_for(user)
    client.force_login(user)
    assert summary(client.get(f"/dossiers/{dossier.pk}/")) == "Voortgang (0/0)"


# --- R-DOS-4 --------------------------------------------------------------------------------


def tab_links(response, dossier: Dossier) -> dict[str, str]:
    """Tab slug → its label (without the counts that follow it in a <span>)."""
    found = re.findall(
        rf'<a href="/dossiers/{dossier.pk}/([a-z]+)/"(?: aria-current="page")?>(.*?)</a>',
        body(response),
    )
    return {slug: text.split("<span", 1)[0].strip() for slug, text in found}


@pytest.mark.parametrize("slug", [None, *TAB_LABELS_EN])
def test_dossier_page_shows_the_four_tabs_in_english_R_DOS_4(client, en_user, slug):
    """R-DOS-4 / R-ME-1: the dossier page (and each tab) shows the four tabs; an English user
    sees "Correspondence", "Documents", "Supplied by me", "Messages"; the open tab is marked."""
    [dossier] = dossiers_for(en_user)
    client.force_login(en_user)
    url = f"/dossiers/{dossier.pk}/" + (f"{slug}/" if slug else "")
    response = client.get(url)
    assert response.status_code == 200
    assert tab_links(response, dossier) == TAB_LABELS_EN
    current = re.findall(
        rf'href="/dossiers/{dossier.pk}/([a-z]+)/" aria-current="page"', body(response)
    )
    assert current == [slug or "correspondentie"]


def test_dossier_page_shows_the_four_tabs_in_dutch_R_DOS_4(client, db):
    """R-DOS-4: "Correspondentie", "Documenten", "Door mij aangeleverd", "Berichten"."""
    user = UserFactory()
    [dossier] = dossiers_for(user)
    client.force_login(user)
    response = client.get(f"/dossiers/{dossier.pk}/")
    assert tab_links(response, dossier) == TAB_LABELS_NL


@pytest.mark.parametrize("slug", ["onbekend", "Berichten", "correspondence", "admin"])
def test_unknown_tab_is_404_R_DOS_4(client, en_user, slug):
    """R-DOS-4: only the four tabs exist; any other slug is a 404, not the default tab."""
    [dossier] = dossiers_for(en_user)
    client.force_login(en_user)
    assert client.get(f"/dossiers/{dossier.pk}/{slug}/").status_code == 404


def test_nonexistent_or_huge_dossier_id_is_404_R_DOS_6(client, en_user):
    """R-DOS-6: an id that does not exist (even one beyond the database's integer range) is the
    same 404 as someone else's dossier, never a server error."""
    dossiers_for(en_user)
    client.force_login(en_user)
    for pk in ["999999", "99999999999999999999999"]:
        assert client.get(f"/dossiers/{pk}/").status_code == 404
        assert client.get(f"/dossiers/{pk}/documenten/").status_code == 404


# --- bad input on the list (R-DOS-2, R-DOS-3, R-DOS-6) --------------------------------------


@pytest.fixture
def two_of_mine(en_user) -> list[Dossier]:
    return dossiers_for(en_user, 2)


def assert_no_results_and_no_leak(response, others_dossier: Dossier) -> None:
    assert response.status_code == 200
    assert listed_numbers(response) == []
    assert others_dossier.number not in body(response)


def test_overlong_search_is_refused_with_a_message_R_DOS_2(
    client, en_user, two_of_mine, others_dossier
):
    """R-DOS-2: a 10,000-character search gives the page (200) with a clear message and no
    results, not an error."""
    client.force_login(en_user)
    response = client.get("/dossiers/", {"q": "a" * 10_000})
    assert_no_results_and_no_leak(response, others_dossier)
    assert "Use at most 100 characters to search." in body(response)
    assert 'role="alert"' in body(response)
    assert two_of_mine[0].number not in body(response)


@pytest.mark.parametrize("text", ["' OR 1=1 --", "%", "_", "%%", "\\", '" OR ""="', "; DROP TABLE"])
def test_sql_like_search_text_is_literal_R_DOS_2_R_DOS_6(
    client, en_user, two_of_mine, others_dossier, text
):
    """R-DOS-2 / R-DOS-6: SQL and LIKE wildcards in the search are plain text: ``%`` and ``_``
    do not match everything, and nothing shows another client's dossier."""
    client.force_login(en_user)
    response = client.get("/dossiers/", {"q": text})
    assert_no_results_and_no_leak(response, others_dossier)
    assert Dossier.objects.count() == 3


def test_percent_and_underscore_match_themselves_R_DOS_2(client, en_user, two_of_mine):
    """R-DOS-2: ``%`` and ``_`` find exactly the dossiers whose text contains them."""
    percent = dossiers_for(en_user, description="Schenking 50% van de aandelen")[0]
    underscore = dossiers_for(en_user, number="AB_2026_1")[0]
    client.force_login(en_user)
    assert listed_numbers(client.get("/dossiers/", {"q": "%"})) == [percent.number]
    assert listed_numbers(client.get("/dossiers/", {"q": "_"})) == [underscore.number]
    assert listed_numbers(client.get("/dossiers/", {"q": "50%"})) == [percent.number]


def test_html_in_search_is_escaped_R_DOS_2(client, en_user, two_of_mine):
    """R-DOS-2: HTML typed into the search is shown as text, never executed."""
    client.force_login(en_user)
    response = client.get("/dossiers/", {"q": "<script>alert(1)</script>"})
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in body(response)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body(response)


@pytest.mark.parametrize("statuses_of_mine", [1, 2])
@pytest.mark.parametrize("value", ["abc", "unused", "others"])
def test_bad_status_gives_a_message_R_DOS_3(
    client, en_user, others_dossier, statuses_of_mine, value
):
    """R-DOS-3: a non-numeric status, or one that does not occur among the client's dossiers
    (unused, or only another client's), gives the page with a message, whether or not the filter
    is on the page, and never shows another client's dossier."""
    StatusFactory(name="Ongebruikt")
    dossiers_for(en_user, status=StatusFactory(name="In behandeling"))
    if statuses_of_mine == 2:
        dossiers_for(en_user, status=StatusFactory(name="Afgerond", in_progress=False))
    status = {
        "abc": "abc",
        "unused": DossierStatus.objects.get(name="Ongebruikt").pk,
        "others": others_dossier.status_id,
    }[value]
    client.force_login(en_user)

    response = client.get("/dossiers/", {"status": status})

    assert_no_results_and_no_leak(response, others_dossier)
    assert "That status does not occur among your dossiers." in body(response)


@pytest.mark.parametrize(("page", "expected_page"), [("999", 2), ("abc", 1), ("-1", 2), ("", 1)])
def test_out_of_range_or_bad_page_number_R_DOS_1(client, en_user, page, expected_page):
    """R-DOS-1..3: a page number beyond the end shows the last page and a non-number the first
    (Django's get_page), never an error."""
    dossiers_for(en_user, 30)
    client.force_login(en_user)
    response = client.get("/dossiers/", {"page": page})
    assert response.status_code == 200
    assert response.context["page"].number == expected_page
