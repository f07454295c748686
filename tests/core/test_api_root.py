"""The API's front door: /api/v1/ names its collections and docs, and the desk has an icon."""

from django.test import Client


def test_the_api_root_names_the_collections_and_the_docs(db):
    answer = Client().get("/api/v1/")
    assert answer.status_code == 200
    links = answer.json()
    assert links["tickets"] == "http://testserver/api/v1/tickets/"
    assert links["docs"] == "http://testserver/api/docs/"
    assert {"knowledge_search", "my_subtasks", "schema"} <= set(links)
    # Anonymous: the names only; the collections still ask who is calling.
    assert Client().get(links["tickets"]).status_code in (401, 403)


def test_pages_name_the_icon_and_favicon_ico_leads_to_it(db):
    assert 'rel="icon"' in Client().get("/accounts/sign-in/").content.decode()
    answer = Client().get("/favicon.ico")
    assert answer.status_code == 302
    assert answer["Location"].endswith("favicon.svg")
