"""Public entry point: ``portal.app.create_app(settings)``."""

from portal.web.app import create_app

__all__ = ["create_app"]
