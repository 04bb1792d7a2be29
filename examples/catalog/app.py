"""The product API (Starlette): GET/PUT /products/{id}, GET /stats, GET /healthz.

    DATABASE_URL=postgresql://... CACHE_SECRET_FILE=secret.json python -m examples.catalog
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from examples.catalog.service import Catalog
from examples.catalog.store import UPDATABLE


def create_app(open_catalog: Callable[[], contextlib.AbstractAsyncContextManager[Catalog]]
               ) -> Starlette:
    """open_catalog: opens the database pool and cache client for the app's lifetime."""

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with open_catalog() as catalog:
            app.state.catalog = catalog
            yield

    async def get_product(request: Request) -> JSONResponse:
        catalog: Catalog = request.app.state.catalog
        product = await catalog.get(request.path_params["product_id"])
        if product is None:
            return JSONResponse({"error": "no such product"}, status_code=404)
        return JSONResponse(product)

    async def put_product(request: Request) -> JSONResponse:
        catalog: Catalog = request.app.state.catalog
        try:
            changes = _changes(await request.json())
        except ValueError as error:
            return JSONResponse({"error": str(error)}, status_code=422)
        product = await catalog.update(request.path_params["product_id"], changes)
        if product is None:
            return JSONResponse({"error": "no such product"}, status_code=404)
        return JSONResponse(product)

    async def stats(request: Request) -> JSONResponse:
        return JSONResponse(request.app.state.catalog.stats())

    async def healthz(request: Request) -> JSONResponse:
        """Healthy while the database answers: reads fall back to it when the cache is down,
        so a cache outage reports "degraded" and keeps the instance in its load balancer."""
        catalog: Catalog = request.app.state.catalog
        cache = "off" if catalog.cache is None else await catalog.cache.health()
        try:
            await catalog.store.ping()
        except Exception as error:  # noqa: BLE001 - any database failure: not ready
            return JSONResponse({"ok": False, "database": type(error).__name__, "cache": cache},
                                status_code=503)
        return JSONResponse({"ok": True, "database": "ok", "cache": cache,
                             "degraded": cache == "unreachable"})

    return Starlette(
        routes=[
            Route("/products/{product_id:int}", get_product, methods=["GET"]),
            Route("/products/{product_id:int}", put_product, methods=["PUT"]),
            Route("/stats", stats, methods=["GET"]),
            Route("/healthz", healthz, methods=["GET"]),
        ],
        lifespan=lifespan,
    )


def _changes(body: Any) -> dict[str, Any]:
    """The PUT body: a JSON object of updatable fields with values of the right type."""
    if not isinstance(body, dict) or not body:
        raise ValueError(f"body: a JSON object with any of {', '.join(UPDATABLE)}")
    unknown = sorted(set(body) - set(UPDATABLE))
    if unknown:
        raise ValueError(f"unknown fields {unknown}; updatable: {', '.join(UPDATABLE)}")
    for field in ("price_cents", "stock"):
        if field in body and (type(body[field]) is not int or body[field] < 0):
            raise ValueError(f"{field}: a whole number >= 0")
    for field in ("name", "description"):
        if field in body and (not isinstance(body[field], str) or not body[field].strip()):
            raise ValueError(f"{field}: a non-empty string")
    return dict(body)
