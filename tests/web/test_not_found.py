"""The 404 page a cadre sees for a mistyped address or an object outside their scope."""

import pytest


@pytest.mark.django_db
def test_an_address_that_matches_no_page_says_so_in_words(client_for):
    client = client_for("county_admin", "440105")
    response = client.get("/associations-typo/")
    page = response.content.decode()
    assert response.status_code == 404
    assert "Resolver404" not in page
    assert "您要访问的页面不存在，或不在您的权限范围内。" in page
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get("/associations-typo/").content.decode()
    assert "Resolver404" not in page and "does not exist" in page


@pytest.mark.django_db
def test_a_missing_object_keeps_the_views_own_message(client_for):
    client = client_for("county_admin", "440105")
    response = client.get("/associations/440105-3-99-0/")
    assert response.status_code == 404
    assert "未找到该协会，或不在您的权限范围内。" in response.content.decode()
