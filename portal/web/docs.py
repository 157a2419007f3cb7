"""GET /openapi.json, GET /docs (a reference rendered on the server, no CDN needed), and the
problem types' documentation at /problems/{slug}, where each problem's `type` points."""

from __future__ import annotations

import html
import json

from aiohttp import web

from portal.errors import NotFound
from portal.http.call import Call
from portal.http.keys import SETTINGS
from portal.problems import PROBLEM_TYPES, ProblemType
from portal.schemas import Output

OPENAPI = web.AppKey("openapi", dict)


async def openapi_json(call: Call) -> dict:
    """This OpenAPI document"""
    return call.request.app[OPENAPI]


def _render(document: dict) -> str:
    rows = []
    for path, operations in document["paths"].items():
        for method, op in operations.items():
            codes = ", ".join(op["responses"])
            body = op.get("requestBody", {}).get("content", {}).get("application/json", {})
            body_ref = body.get("schema", {}).get("$ref", "").rsplit("/", 1)[-1]
            params = ", ".join(p["name"] for p in op.get("parameters", []) if p["in"] == "query")
            rows.append(
                f"<tr><td><code>{html.escape(method.upper())}</code></td>"
                f"<td><code>{html.escape(path)}</code></td><td>{html.escape(op['summary'])}</td>"
                f"<td>{html.escape(body_ref)}</td><td>{html.escape(params)}</td>"
                f"<td>{'public' if 'security' not in op else 'bearer'}</td><td>{html.escape(codes)}</td></tr>"
            )
    schemas = "".join(
        f"<details><summary><code>{html.escape(name)}</code></summary>"
        f"<pre>{html.escape(json.dumps(schema, indent=2, ensure_ascii=False))}</pre></details>"
        for name, schema in sorted(document["components"]["schemas"].items())
    )
    info = document["info"]
    return (
        "<!doctype html><html lang=en><meta charset=utf-8>"
        f"<title>{html.escape(info['title'])}</title>"
        "<style>body{font:14px system-ui,sans-serif;margin:2rem}td,th{padding:.2rem .6rem;"
        "border-bottom:1px solid #ddd;text-align:left;vertical-align:top}pre{background:#f6f6f6;"
        "padding:.5rem}</style>"
        f"<h1>{html.escape(info['title'])} {html.escape(info['version'])}</h1>"
        f"<p>{html.escape(info['description'])} Machine-readable: <a href=/openapi.json>/openapi.json</a>.</p>"
        "<table><tr><th>method</th><th>path</th><th>summary</th><th>body</th><th>query</th>"
        f"<th>auth</th><th>responses</th></tr>{''.join(rows)}</table><h2>Schemas</h2>{schemas}</html>"
    )


async def docs(call: Call) -> web.Response:
    """Rendered API reference"""
    return web.Response(text=_render(call.request.app[OPENAPI]), content_type="text/html")


class ProblemTypeRead(Output):
    type: str
    title: str
    statuses: list[int]
    description: str


def _read(call: Call, problem: ProblemType) -> ProblemTypeRead:
    base = call.request.app[SETTINGS].problem_base
    return ProblemTypeRead(
        type=base + problem.slug, title=problem.title, statuses=list(problem.statuses), description=problem.description
    )


def _wants_html(call: Call) -> bool:
    return "text/html" in call.request.headers.get("Accept", "")


def _page(title: str, body: str) -> web.Response:
    return web.Response(
        text=f"<!doctype html><html lang=en><meta charset=utf-8><title>{html.escape(title)}</title>"
        f'<link rel=stylesheet href="/static/app.css"><main class="page">{body}</main></html>',
        content_type="text/html",
    )


def _section(problem: ProblemTypeRead) -> str:
    statuses = ", ".join(str(status) for status in problem.statuses)
    return (
        f"<h2 id={html.escape(problem.type.rsplit('/', 1)[-1])}><code>{html.escape(problem.type)}</code></h2>"
        f"<p><strong>{html.escape(problem.title)}</strong> (HTTP {statuses})</p>"
        f"<p>{html.escape(problem.description)}</p>"
    )


async def problem_types(call: Call) -> list[ProblemTypeRead] | web.Response:
    """Every problem type the API answers with (HTML to a browser)

    Every problem type the API answers with.
    """
    types = [_read(call, problem) for problem in PROBLEM_TYPES.values()]
    if _wants_html(call):
        return _page("Problem types", "<h1>Problem types</h1>" + "".join(_section(t) for t in types))
    return types


async def problem_type(call: Call) -> ProblemTypeRead | web.Response:
    """What a problem type means, where its `type` points (HTML to a browser)

    What one problem type means and what to do about it.
    """
    problem = PROBLEM_TYPES.get(call.path["problem"])
    if problem is None:
        raise NotFound(f"no problem type {call.path['problem']!r}")
    read = _read(call, problem)
    if _wants_html(call):
        return _page(read.title, f"<h1>{html.escape(read.title)}</h1>{_section(read)}<p><a href=.>Every type</a></p>")
    return read
