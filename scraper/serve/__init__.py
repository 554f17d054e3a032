"""`scraper serve`: the HTTP service (the `serve` extra: FastAPI and uvicorn).

    app.py      the routes: /v1/clean, /v1/clean/batch, /healthz, the OpenAPI docs
    limits.py   the guard in front of them: bearer token, body size, requests in work (503)

Above the Python API: it fetches and extracts through the same stages as `scraper clean URL`.
"""

from scraper.serve.app import ROBOTS_TTL, ServeOptions, create_app
from scraper.serve.limits import Guard, GuardLimits

__all__ = ["ROBOTS_TTL", "Guard", "GuardLimits", "ServeOptions", "create_app"]
