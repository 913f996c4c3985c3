"""/api/docs/ (Swagger UI) and /api/redoc/ load every asset from the app: no CDN, no outside URL."""

import re

import pytest
from django.contrib.staticfiles import finders

ASSET = re.compile(r"""(?:src|href)=["']([^"']+)["']""")


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (
            "/api/docs/",
            [
                "/static/drf_spectacular_sidecar/swagger-ui-dist/favicon-32x32.png",
                "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui.css",
                "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js",
                "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-standalone-preset.js",
            ],
        ),
        ("/api/redoc/", ["/static/drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js"]),
    ],
)
def test_it_references_only_assets_the_app_serves(client, path, expected):
    response = client.get(path)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert ASSET.findall(html) == expected
    for url in expected:
        assert finders.find(url.removeprefix("/static/")), url


@pytest.mark.parametrize("path", ["/api/docs/", "/api/redoc/"])
def test_it_mentions_no_outside_url(client, path):
    html = client.get(path).content.decode()
    assert re.findall(r"https?://|//[a-z]", html) == []


def test_it_points_the_docs_at_the_local_schema(client):
    html = client.get("/api/docs/").content.decode()
    assert 'url: "/api/schema/"' in html
    assert '"validatorUrl": null' in html
    assert '<redoc spec-url="/api/schema/">' in client.get("/api/redoc/").content.decode()
