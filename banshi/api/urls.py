"""The versioned REST API. OpenAPI 3 at /api/v1/openapi.json (no CDN-hosted docs UI: closed networks)."""

from ninja import NinjaAPI

from banshi.api.catalog import router as catalog_router

api = NinjaAPI(
    title="办事 Banshi API",
    version="1",
    description="一件事 / one-thing government services: catalogue, applications, cases.",
    urls_namespace="api",
    docs_url=None,
)
api.add_router("/catalog", catalog_router)
