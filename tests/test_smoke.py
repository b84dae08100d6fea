import pytest


@pytest.mark.django_db
def test_home_requires_login_R_ACC_4(client):
    """R-ACC-4: every page but the sign-in pages requires login."""
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/inloggen/")


def test_world_home_R_HOME_2(client, world):
    """R-HOME-2: the Dossiers tile counts the owner's dossiers."""
    client.force_login(world.owner)
    response = client.get("/")
    assert response.status_code == 200
    assert response.context["counts"] == {"total": 1, "in_progress": 1}
