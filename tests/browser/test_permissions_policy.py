"""Issue 14 item 16: the Permissions-Policy header is one Chromium understands in full."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def test_chromium_accepts_every_feature_of_the_permissions_policy_issue_14_item_16(page):
    """Issue 14 item 16: Chromium reports an unknown feature or a malformed policy as a console
    message ("Error with Permissions-Policy header: Unrecognized feature …"); the login page
    gets none, and the features are really off there (camera) while passkeys stay allowed."""
    messages: list[str] = []
    page.on("console", lambda message: messages.append(message.text))
    response = page.goto("/inloggen/")
    assert "camera=()" in response.headers["permissions-policy"]
    allowed = page.evaluate(
        "() => ({camera: document.featurePolicy.allowsFeature('camera'),"
        " passkeys: document.featurePolicy.allowsFeature('publickey-credentials-get')})"
    )
    assert allowed == {"camera": False, "passkeys": True}
    assert [text for text in messages if "Permissions-Policy" in text] == []
