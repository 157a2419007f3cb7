"""The parts every form field repeats (its label, hint and error, and the attributes that tie
them to the input), for components/forms.html: functions rather than Jinja macros, since a page
of filters or a long form calls them twice a field and a macro call costs several times a
function's (bench/pages.py, profiled)."""

from __future__ import annotations

from collections.abc import Iterable

from markupsafe import Markup, escape


def field_label(id: str, label: str, hint: str | None = None, error: str | None = None) -> Markup:
    """The field's label, then its hint and its error (each with an id the input refers to)."""
    id = escape(id)
    html = f'\n  <label for="{id}">{escape(label)}</label>'
    if hint:
        html += f'\n  <span class="hint" id="{id}-hint">{escape(hint)}</span>'
    if error:
        html += f'\n  <span class="field-error" id="{id}-error">{escape(error)}</span>'
    return Markup(html)


def described_by(id: str, hint: object = None, error: str | None = None) -> Markup:
    """The input's aria-invalid and aria-describedby (its hint and error, as field_label names them)."""
    id = escape(id)
    ids = " ".join(([f"{id}-hint"] if hint else []) + ([f"{id}-error"] if error else []))
    return Markup((' aria-invalid="true"' if error else "") + (f' aria-describedby="{ids}"' if ids else ""))


def select_options(options: Iterable[tuple[str, str]], selected: object = "") -> Markup:
    """A select's <option>s, the chosen one marked (a filter row's three selects list every team
    and service: one call here, where a loop in Jinja cost two escapes and a test per option)."""
    return Markup(
        "".join(
            f'\n    <option value="{escape(value)}"{" selected" if value == selected else ""}>{escape(text)}</option>'
            for value, text in options
        )
    )
