"""HTTP routers: `api_*` modules serve `/api/v1` (JSON or fragments), `pages` serves documents."""
