"""The versioned REST API. OpenAPI 3 at /api/v1/openapi.json (no CDN-hosted docs UI: closed networks).

docs/api.md describes authentication (API tokens, session), the endpoints, errors and webhooks.
"""

from ninja import NinjaAPI

from banshi.api import errors
from banshi.api.applications import router as applications_router
from banshi.api.cases import router as cases_router
from banshi.api.catalog import router as catalog_router
from banshi.api.credit import router as credit_router
from banshi.api.policies import router as policies_router

api = NinjaAPI(
    title="办事 Banshi API",
    version="1",
    description=(
        "一件事 / one-thing government services: catalogue, applications, cases. "
        "Authentication: `Authorization: Bearer <token>` (banshi api_token create) or the "
        "portal's session (with the CSRF token on writes). Errors are JSON with `detail` "
        "(中文 / English), `code`, `message_zh`, `message_en`."
    ),
    urls_namespace="api",
    docs_url=None,
)
errors.install(api)
api.add_router("/catalog", catalog_router)
api.add_router("", applications_router)
api.add_router("", cases_router)
api.add_router("", credit_router)
api.add_router("", policies_router)
