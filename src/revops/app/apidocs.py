"""The interactive API reference (Swagger UI) at ``/api/v1/docs``, under a policy of its own.

Swagger UI loads from its CDN; its start-up code is a static file of the app
(``static/apidocs.js``), so the page needs no inline script either.
"""

from __future__ import annotations

from fastapi.responses import HTMLResponse

SWAGGER = "https://cdn.jsdelivr.net/npm/swagger-ui-dist@5"
DOCS_POLICY = (
    f"default-src 'self'; script-src 'self' {SWAGGER}/; style-src 'self' {SWAGGER}/; "
    "img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
    "form-action 'self'"
)
PAGE = f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>revops API reference</title>
<link rel="stylesheet" href="{SWAGGER}/swagger-ui.css">
</head>
<body>
<div id="swagger-ui" data-openapi="{{openapi}}"></div>
<script src="{SWAGGER}/swagger-ui-bundle.js"></script>
<script src="/static/apidocs.js"></script>
</body>
</html>
"""


def docs_page(openapi_url: str) -> HTMLResponse:
    """The reference page reading the OpenAPI document at `openapi_url` (a path of ours)."""
    return HTMLResponse(
        PAGE.replace("{openapi}", openapi_url),
        headers={"content-security-policy": DOCS_POLICY},
    )
