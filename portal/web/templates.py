"""Jinja2 environments for the web client, one per language (each with its gettext catalogue
installed), registered with aiohttp-jinja2."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import aiohttp_jinja2
import jinja2
from aiohttp import web

from portal import markdown
from portal.events.types import full_name
from portal.http.keys import PATHS, TRANSLATIONS
from portal.http.view import environment_key
from portal.i18n import LOCALES, load_translations
from portal.web import fields
from portal.web.static import StaticFiles
from portal.web.translate import CompiledTemplates, CompiledTranslations, use_compiled_translations

TEMPLATES = jinja2.PackageLoader("portal", "templates")


COMPILED = CompiledTemplates()


def options(items: list[Any], value: str = "slug", label: str = "name") -> list[tuple[str, str]]:
    """(value, text) pairs for a select, e.g. teams by slug, shown by name (the slug is for URLs)."""
    return [(getattr(item, value), getattr(item, label)) for item in items]


def setup_templates(app: web.Application, static: StaticFiles) -> None:
    translations = load_translations()
    app[TRANSLATIONS] = translations
    fixed_paths = SimpleNamespace(**{name: path for name, path in app[PATHS].items() if "{" not in path})
    for locale in LOCALES:
        environment = aiohttp_jinja2.setup(
            app,
            loader=TEMPLATES,
            app_key=environment_key(locale),
            extensions=["jinja2.ext.i18n", CompiledTranslations],
            autoescape=jinja2.select_autoescape(default=True),
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            auto_reload=False,
            bytecode_cache=COMPILED,
        )
        environment.install_gettext_translations(translations[locale], newstyle=True)  # type: ignore[attr-defined]
        use_compiled_translations(environment, locale, translations[locale])
        environment.globals["static"] = static.url
        environment.globals["paths"] = fixed_paths
        environment.globals["field_label"] = fields.field_label
        environment.globals["described_by"] = fields.described_by
        environment.globals["select_options"] = fields.select_options
        environment.filters["markdown"] = markdown.render
        environment.filters["options"] = options
        environment.filters["event_type"] = full_name
