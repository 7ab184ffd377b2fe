"""Security headers on every kind of response, and pages escaped by construction."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from app.conftest import YEAR, Cockpit, TestClient
from revops.app.web.render import embedded_json

TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "revops" / "app" / "templates"
STATIC = TEMPLATES.parent / "static"
EXPECTED = {
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
}


def _policy(header: str) -> dict[str, str]:
    return {
        part.split(" ", 1)[0]: part.split(" ", 1)[1] if " " in part else ""
        for part in (p.strip() for p in header.split(";"))
        if part
    }


def _assert_secured(response: object, what: str) -> None:
    headers = response.headers  # type: ignore[attr-defined]
    for name, value in EXPECTED.items():
        assert headers.get(name) == value, f"{what}: {name} is {headers.get(name)!r}"
    policy = _policy(headers.get("content-security-policy", ""))
    assert policy.get("default-src") == "'self'", what
    assert policy.get("script-src") == "'self'", what
    assert policy.get("object-src") == "'none'", what
    assert policy.get("base-uri") == "'none'", what
    assert policy.get("frame-ancestors") == "'none'", what
    assert policy.get("form-action") == "'self'", what
    assert "unsafe" not in headers["content-security-policy"], what


def test_every_kind_of_response_carries_the_security_headers(cockpit: Cockpit) -> None:
    admin = cockpit.client("admin@example.com")
    anonymous = cockpit.client()
    responses = {
        "page": admin.get(f"/?window={YEAR}"),
        "sign-in page": anonymous.get("/signin"),
        "redirect to sign-in": anonymous.get("/pipeline", follow_redirects=False),
        "API": admin.get(f"/api/v1/home?window={YEAR}"),
        "API 401": anonymous.get("/api/v1/home"),
        "API 404": admin.get("/api/v1/no-such-thing"),
        "page 404": admin.get("/no-such-page"),
        "page 400": admin.get("/metrics/rows?metric=won_deals&window=nonsense"),
        "validation 422": admin.get("/api/v1/metrics/explore?metric=" + "x" * 500),
        "static file": anonymous.get("/static/charts.js"),
        "static 404": anonymous.get("/static/no-such.js"),
        "vendored library": anonymous.get("/static/vendor/chart.umd.min.js"),
        "health": anonymous.get("/healthz"),
        "OpenAPI": anonymous.get("/api/v1/openapi.json"),
    }
    assert responses["page 404"].status_code == 404
    assert responses["API 404"].status_code == 404
    assert responses["static 404"].status_code == 404
    assert responses["redirect to sign-in"].status_code == 303
    for what, response in responses.items():
        _assert_secured(response, what)


def test_an_unhandled_error_carries_the_security_headers(cockpit: Cockpit) -> None:
    def boom() -> None:
        raise RuntimeError("a bug")

    cockpit.app.add_api_route("/test-boom", boom, include_in_schema=False)
    try:
        client = TestClient(cockpit.app, raise_server_exceptions=False)
        response = client.get("/test-boom")
    finally:
        cockpit.app.router.routes.pop()
    assert response.status_code == 500
    _assert_secured(response, "unhandled 500")


def test_the_api_reference_page_has_its_own_policy_and_no_inline_script(
    cockpit: Cockpit,
) -> None:
    response = cockpit.client().get("/api/v1/docs")
    assert response.status_code == 200
    policy = _policy(response.headers["content-security-policy"])
    assert "unsafe" not in response.headers["content-security-policy"]
    assert policy["object-src"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"
    assert response.headers["x-frame-options"] == "DENY"
    assert re.findall(r"<script(?![^>]*\bsrc=)", response.text) == []
    assert cockpit.client().get("/static/apidocs.js").status_code == 200


@pytest.mark.parametrize(
    "text",
    [
        "</script><script>alert(1)</script>",
        "</SCRIPT >",
        "<!--<script>",
        "a & b > c",
        "line\u2028separator\u2029",
        "\"quote' and \\ backslash",
    ],
)
def test_embedded_json_cannot_close_its_element_and_reads_back_the_same(text: str) -> None:
    embedded = str(embedded_json({"name": text, "list": [text]}))
    assert not set("<>&\u2028\u2029") & set(embedded)
    assert json.loads(embedded) == {"name": text, "list": [text]}


def test_a_page_embeds_a_reflected_value_escaped(cockpit: Cockpit) -> None:
    text = "</script><script>alert(1)</script>"
    page = cockpit.client("admin@example.com").get("/search", params={"q": text})
    block = re.search(r'<script type="application/json" id="view-data">(.*?)</script>', page.text)
    assert block is not None
    assert json.loads(block.group(1))["query"] == text
    assert text not in page.text  # neither in the JSON nor in the form's value


def test_no_template_marks_data_safe_or_runs_inline_script() -> None:
    for template in TEMPLATES.glob("*.html"):
        text = template.read_text()
        assert "|safe" not in text.replace(" ", ""), template.name
        assert "autoescape false" not in text, template.name
        # Scripts only from files (or data blocks); no handler attributes, no script URLs.
        for tag in re.findall(r"<script\b[^>]*>", text):
            assert "src=" in tag or 'type="application/json"' in tag, (template.name, tag)
        assert not re.search(r"\son[a-z]+\s*=", text), template.name
        assert "javascript:" not in text.lower(), template.name
        # The policy allows no inline style either: a style attribute is blocked.
        assert not re.search(r"\sstyle\s*=", text), template.name


def test_the_scripts_never_write_html() -> None:
    for script in STATIC.glob("*.js"):
        text = script.read_text()
        for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
            assert sink not in text, (script.name, sink)
