"""The OpenAPI schema at /api/v1/schema/ is generated without warnings and describes
every API route."""

import pytest
from django.core.management import call_command
from django.urls import get_resolver


def test_it_generates_the_schema_without_warnings(tmp_path, db):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    assert "/api/v1/cases/{number}/escalations/" in (tmp_path / "schema.yaml").read_text()


def test_it_serves_the_schema_and_the_docs_without_a_cdn(client, db):
    schema = client.get("/api/v1/schema/")
    assert schema.status_code == 200
    docs = client.get("/api/v1/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "cdn." not in html and "unpkg" not in html and "jsdelivr" not in html


@pytest.mark.parametrize("fragment", ["/cases/", "/edown/", "/severity/", "/feedback/", "/billing/"])
def test_it_routes_the_contract_endpoints(fragment):
    routes = [str(p.pattern) for p in get_resolver().url_patterns]
    assert routes  # the resolver is loaded
    from django.urls import reverse

    names = {
        "/cases/": reverse("api-cases"),
        "/edown/": reverse("api-case-edown", args=["C-000001"]),
        "/severity/": reverse("api-case-severity", args=["C-000001"]),
        "/feedback/": reverse("api-feedback"),
        "/billing/": reverse("api-organization-billing", args=[1]),
    }
    assert names[fragment].startswith("/api/v1/")
