"""What a client notices first (issue 14 items 18, 19, 21), on the server's HTML: the bar of
open actions (R-HOME-3), badges without zeros, checkbox labels, the file chooser and file sizes
in the page's language (R-X-4). The small-screen measurements are in
tests/browser/test_small_screen.py."""

from __future__ import annotations

import json
import re
from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.template.defaultfilters import filesizeformat
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from portal.documents.models import Document
from portal.messaging import services as message_services
from portal.offices.models import Office
from portal.questionnaires import services
from portal.workspace.forms import ClientForm

from .factories import DossierFactory, StaffFactory, UserFactory, grant
from .questionnaire_helpers import sized_template
from .workspace_helpers import staff_http


@pytest.fixture
def owner(db):
    Office.current()
    return UserFactory(email="owner@example.test", language="nl")


@pytest.fixture
def dossier(owner):
    dossier = DossierFactory(number="2026.0142", description="Levering woning Dorpsstraat 12")
    grant(dossier, owner.client)
    return dossier


@pytest.fixture
def two_actions(owner, dossier):
    """A questionnaire and an upload request, both open."""
    questionnaire = services.send_questionnaire(
        template=sized_template(2, per_page=1),
        dossier=dossier,
        client=owner.client,
        by=StaffFactory(),
    )
    upload = services.request_upload(dossier=dossier, client=owner.client, title_nl="Kopie ID")
    return questionnaire, upload


def bar_of(body: str) -> str:
    match = re.search(r'<aside class="actions-bar".*?</aside>', body, re.S)
    return match.group(0) if match else ""


# --- Item 18: the bar of open actions ---------------------------------------------------------


def test_the_bar_is_not_on_home_but_on_other_pages_R_HOME_3(client, owner, dossier, two_actions):
    """R-HOME-3, issue 14 item 18: Home has the Acties tile, so no bar repeating it; the other
    client pages keep the bar with the count (and the navigation's count everywhere)."""
    client.force_login(owner)
    home = client.get("/").content.decode()
    assert bar_of(home) == ""
    assert 'Acties <span class="count-badge">2</span>' in home
    for url in ["/dossiers/", f"/dossiers/{dossier.pk}/", "/mijn-gegevens/"]:
        body = client.get(url, follow=True).content.decode()
        bar = bar_of(body)
        assert "2 open acties" in bar, url
        assert bar.count("<li>") == 2, url


def test_the_bar_never_lists_the_action_whose_page_is_open_R_HOME_3(client, owner, two_actions):
    """R-HOME-3, issue 14 item 18: on a questionnaire's pages and on an upload request's page the
    bar offers only the other actions ("1 andere open actie"); the navigation still counts all."""
    questionnaire, upload = two_actions
    client.force_login(owner)
    pages = {
        questionnaire: [
            f"/acties/{questionnaire.pk}/invullen/1/",
            f"/acties/{questionnaire.pk}/invullen/2/",
            f"/acties/{questionnaire.pk}/controleren/",
        ],
        upload: [f"/acties/{upload.pk}/uploaden/"],
    }
    for current, urls in pages.items():
        other = upload if current is questionnaire else questionnaire
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            body = response.content.decode()
            bar = bar_of(body)
            assert "1 andere open actie" in bar, url
            assert f"/acties/{current.pk}/" not in bar, url
            assert f"/acties/{other.pk}/" in bar, url
            assert 'Acties <span class="count-badge">2</span>' in body, url


def test_no_bar_when_the_open_page_is_the_only_action_R_HOME_3(client, owner, dossier):
    """Issue 14 item 18: with one open action, its own page shows no bar at all."""
    upload = services.request_upload(dossier=dossier, client=owner.client, title_nl="Kopie ID")
    client.force_login(owner)
    body = client.get(f"/acties/{upload.pk}/uploaden/").content.decode()
    assert bar_of(body) == ""
    assert 'Acties <span class="count-badge">1</span>' in body


def test_the_bar_is_one_summary_line_that_opens_R_HOME_3_R_X_4(client, owner, two_actions):
    """Issue 14 item 18: the list is inside a closed <details> whose summary is one line with
    the count, so a phone shows the page title first."""
    client.force_login(owner)
    bar = bar_of(client.get("/mijn-gegevens/").content.decode())
    summary = r'<details class="actions-details">\s*<summary[^>]*>2 open acties</summary>'
    assert re.search(summary, bar)


def test_the_bar_with_a_current_action_is_one_query_R_HOME_3(client, owner, two_actions):
    """R-HOME-3: leaving the current action out costs no extra query (the bar is still one)."""
    questionnaire, _ = two_actions
    client.force_login(owner)
    url = f"/acties/{questionnaire.pk}/invullen/1/"
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    bar_queries = [q for q in queries.captured_queries if "OVER ()" in q["sql"]]
    assert len(bar_queries) == 1, bar_queries


# --- Item 19: no badge for zero ---------------------------------------------------------------


def test_zero_counts_show_no_badge_on_client_pages_R_HOME_3_R_DOC_4(client, owner, dossier):
    """Issue 14 item 19: with nothing open or unread, no page shows a (red) badge: not the
    navigation's Acties, not the list of actions, not the dossier tabs."""
    client.force_login(owner)
    for url in ["/", "/dossiers/", f"/dossiers/{dossier.pk}/", "/acties/", "/mijn-gegevens/"]:
        body = client.get(url, follow=True).content.decode()
        assert "count-badge" not in body, url
        assert "tab-unread" not in body, url
        assert "unread-badge" not in body, url


def test_non_zero_counts_keep_their_badge_R_HOME_3_R_DOC_4(client, owner, dossier, two_actions):
    """Issue 14 item 19: a count above zero still has its badge."""
    message_services.send_message(
        dossier=dossier, sender=StaffFactory(), subject="Concept akte", body="Zie bijlage."
    )
    client.force_login(owner)
    acties = client.get("/acties/").content.decode()
    assert '<h1>Acties <span class="count-badge">2</span></h1>' in acties
    tabs = client.get(f"/dossiers/{dossier.pk}/").content.decode()
    assert re.search(r'class="tab-unread"[^>]*>1<', tabs)


def test_an_empty_inbox_shows_no_badge_R_OFF_4(db):
    """Issue 14 item 19: the staff inbox with nothing waiting has no "0" badges; one client
    message gives the total and the messages count their badge."""
    Office.current()
    staff = StaffFactory()
    http = staff_http(staff)
    assert "count-badge" not in http.get("/kantoor/").content.decode()

    owner = UserFactory()
    dossier = DossierFactory()
    grant(dossier, owner.client)
    message_services.send_message(dossier=dossier, sender=owner, subject="Vraag", body="Klopt?")
    body = http.get("/kantoor/").content.decode()
    assert body.count('<span class="count-badge">1</span>') == 2  # the total and the messages


# --- Item 21: consistent labels and sizes -----------------------------------------------------


def checkbox_labels(body: str) -> list[str]:
    ids = re.findall(r'<input type="checkbox"[^>]*\bid="([^"]+)"', body)
    labels = []
    for id_ in ids:
        match = re.search(rf'<label[^>]*for="{re.escape(id_)}"[^>]*>(.*?)</label>', body, re.S)
        if match:
            labels.append(unescape(re.sub(r"<[^>]+>", "", match.group(1))).strip())
    return labels


def test_no_checkbox_label_ends_with_a_colon_R_X_4(db, client):
    """Issue 14 item 21: Django ends labels with ":"; a checkbox's label is a statement, so it
    has none, in any form (the workspace's new client, the notification preferences)."""
    Office.current()
    form = ClientForm()
    assert form["invite"].label_tag().endswith("</label>")
    assert not re.sub(r"<[^>]+>", "", form["invite"].label_tag()).endswith(":")

    http = staff_http(StaffFactory())
    new_client = http.get("/kantoor/klanten/nieuw/").content.decode()
    owner = UserFactory(language="nl")
    client.force_login(owner)
    profile = client.get("/mijn-gegevens/").content.decode()
    labels = checkbox_labels(new_client) + checkbox_labels(profile)
    assert len(labels) >= 4, labels
    assert [label for label in labels if label.endswith(":")] == []
    # Other fields keep their suffix: only checkboxes lose it.
    assert re.search(r"<label[^>]*>[^<]*:</label>", new_client)


@pytest.mark.parametrize(
    ("language", "button", "none"),
    [("nl", "Bestanden kiezen", "Geen bestand gekozen"), ("en", "Choose files", "No file chosen")],
)
def test_the_file_chooser_speaks_the_page_language_R_X_4(
    client, owner, dossier, language, button, none
):
    """Issue 14 item 21: the upload request's file input is labelled by a button in the page's
    language (not the browser's "Choose Files"); the real input keeps its name and label."""
    owner.language = language
    owner.save()
    upload = services.request_upload(dossier=dossier, client=owner.client, title_nl="Kopie ID")
    client.force_login(owner)
    body = client.get(f"/acties/{upload.pk}/uploaden/").content.decode()
    input_id = re.search(r'<input type="file" name="files" id="([^"]+)"', body).group(1)
    assert re.search(rf'<label for="{input_id}" class="button[^"]*">{button}</label>', body)
    assert f'data-none="{none}"' in body
    assert "portal/files.js" in body
    # The input still sends the files without JavaScript.
    response = client.post(
        f"/acties/{upload.pk}/uploaden/",
        {"files": [SimpleUploadedFile("id.txt", b"Kopie paspoort\n", content_type="text/plain")]},
    )
    assert response.status_code in (200, 302)
    assert Document.objects.filter(dossier=dossier, original_name="id.txt").count() == 1


@pytest.mark.parametrize("language", ["nl", "en"])
def test_size_units_are_the_servers_R_X_4(language):
    """Issue 14 item 21: the units the upload dialog's script uses are filesizeformat's in the
    page's language; filling in the number as the script does gives filesizeformat's text."""
    from portal.documents.templatetags.file_sizes import size_units

    with translation.override(language):
        units = json.loads(size_units())
        separator = "," if language == "nl" else "."
        assert units["bytes"].replace("__N__", "193") == filesizeformat(193)
        assert units["byte"].replace("__N__", "1") == filesizeformat(1)
        assert units["KB"].replace("__N__", f"1{separator}5") == filesizeformat(1536)
        assert units["MB"].replace("__N__", f"50{separator}0") == filesizeformat(50 << 20)
