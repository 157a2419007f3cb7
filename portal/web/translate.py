"""Interface text translated when a template is compiled, not each time it is shown.

Each language has its own Jinja environment, so `_("Search")` in a template always gives the same
words there: this extension puts the translation in the compiled template as a constant. Calls
with placeholders (`_("Inbox: %(team)s", team=...)`) and ngettext stay calls. A constant is
marked safe, as gettext's own result is (i18n's newstyle gettext returns Markup), so a page reads
the same either way. Before this a fifth of a page's rendering was gettext (bench/pages.py)."""

from __future__ import annotations

from collections.abc import Iterator

import jinja2
from babel.support import NullTranslations
from jinja2.ext import Extension
from jinja2.lexer import TOKEN_LPAREN, TOKEN_NAME, TOKEN_PIPE, TOKEN_RPAREN, TOKEN_STRING, Token, TokenStream

CALL = (TOKEN_NAME, TOKEN_LPAREN, TOKEN_STRING, TOKEN_RPAREN)


class CompiledTranslations(Extension):
    """`_("literal")` becomes `"translation"|safe`, folded to a constant by Jinja's compiler."""

    def __init__(self, environment: jinja2.Environment) -> None:
        super().__init__(environment)
        environment.extend(compiled_translations=None, compiled_locale="")

    def filter_stream(self, stream: TokenStream) -> Iterator[Token]:
        translations: NullTranslations | None = self.environment.compiled_translations  # type: ignore[attr-defined]
        if translations is None:
            yield from stream
            return
        window: list[Token] = []
        for token in stream:
            window.append(token)
            if len(window) < len(CALL):
                continue
            if self._is_literal_call(window):
                name, _, text, _ = window
                window.clear()
                yield Token(text.lineno, TOKEN_STRING, translations.gettext(text.value))
                yield Token(text.lineno, TOKEN_PIPE, "|")
                yield Token(text.lineno, TOKEN_NAME, "safe")
            else:
                yield window.pop(0)
        yield from window

    @staticmethod
    def _is_literal_call(window: list[Token]) -> bool:
        name, _, text, _ = window
        return (
            tuple(token.type for token in window) == CALL
            and name.value == "_"
            and "%" not in text.value  # gettext formats its result (%% -> %); leave those to it
        )


def use_compiled_translations(environment: jinja2.Environment, locale: str, translations: NullTranslations) -> None:
    environment.compiled_translations = translations  # type: ignore[attr-defined]
    environment.compiled_locale = locale  # type: ignore[attr-defined]


class CompiledTemplates(jinja2.BytecodeCache):
    """Compiled templates shared by every environment of the process (each app's), kept apart by
    language since each language's holds its own words: a template is compiled once per language."""

    def __init__(self) -> None:
        self.compiled: dict[str, bytes] = {}

    def get_bucket(
        self, environment: jinja2.Environment, name: str, filename: str | None, source: str
    ) -> jinja2.bccache.Bucket:
        locale = getattr(environment, "compiled_locale", "")
        return super().get_bucket(environment, f"{locale}:{name}", filename, source)

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.key in self.compiled:
            bucket.bytecode_from_string(self.compiled[bucket.key])

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.compiled[bucket.key] = bucket.bytecode_to_string()
