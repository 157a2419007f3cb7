"""Japanese and English: message catalogues (gettext .po files, read with Babel at start-up, so
no compile step and no binary files in the repository), the language a request is answered in,
and dates, countdowns and numbers in the reader's language and time zone."""

from __future__ import annotations

import datetime as dt
import functools
import io
import re
from pathlib import Path
from typing import ClassVar, cast
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import TIMEDELTA_UNITS, DateTimeFormat, format_timedelta, get_datetime_format, parse_pattern
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent, get_group_symbol
from babel.support import NullTranslations, Translations

LOCALES = ("en", "ja")
LOCALE_DIR = Path(__file__).parent / "locale"


@functools.cache
def load_translations() -> dict[str, NullTranslations]:
    """Each locale's catalogue; English is the source language (its msgids are the text)."""
    loaded: dict[str, NullTranslations] = {}
    for locale in LOCALES:
        po = LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"
        if not po.exists():
            loaded[locale] = NullTranslations()
            continue
        with po.open("rb") as source:
            catalog = read_po(source, locale=locale)
        compiled = io.BytesIO()
        write_mo(compiled, catalog)
        compiled.seek(0)
        loaded[locale] = Translations(compiled)
    return loaded


def negotiate(chosen: str | None, accept_language: str | None, default: str) -> str:
    """The employee's choice, else the browser's first supported language, else the default."""
    if chosen in LOCALES:
        return chosen
    ranked = []
    for part in (accept_language or "").split(","):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        ranked.append((quality, tag.strip().lower().split("-")[0]))
    for quality, language in sorted(ranked, key=lambda item: -item[0]):
        if quality > 0 and language in LOCALES:
            return language
    return default


@functools.cache
def _parsed(locale: str) -> Locale:
    return Locale.parse(locale)


class _Moment:
    """The language's medium date and short time as one pattern ("MMM d, y, h:mm a"), turned
    once into a %-format of the moment's numbers and the month and day-period names looked up
    once: Babel's own apply cost a tenth of an inbox page of 50 rows, and field by field still a
    twentieth (bench/pages.py). A pattern with other fields is applied by Babel."""

    # Each field Babel's pattern may hold, as a %-conversion of the values apply() gives.
    FAST: ClassVar[dict[str, str]] = {
        "y": "%(year)d",
        "MMM": "%(month_name)s",
        "MM": "%(month)02d",
        "M": "%(month)d",
        "dd": "%(day)02d",
        "d": "%(day)d",
        "HH": "%(hour)02d",
        "H": "%(hour)d",
        "h": "%(hour12)d",
        "mm": "%(minute)02d",
        "a": "%(period)s",
    }

    def __init__(self, locale: Locale) -> None:
        combined = str(get_datetime_format("medium", locale=locale))
        date, time = locale.date_formats["medium"].pattern, locale.time_formats["short"].pattern
        self.pattern = parse_pattern(combined.replace("{1}", date).replace("{0}", time))
        self.locale = locale
        babel_template = cast(str, self.pattern.format)  # "%(MMM)s %(d)s, %(y)s, ..."
        fields = re.findall(r"%\((\w+)\)s", babel_template)
        self.template: str | None = None
        if all(field in self.FAST for field in fields):
            self.template = re.sub(r"%\((\w+)\)s", lambda m: self.FAST[m.group(1)], babel_template)
        self.months: dict[int, str] = {n: DateTimeFormat(dt.datetime(2001, n, 1), locale)["MMM"] for n in range(1, 13)}
        am, pm = (DateTimeFormat(dt.datetime(2001, 1, 1, hour), locale)["a"] for hour in (1, 13))
        self.periods: tuple[str, str] = (am, pm)

    def apply(self, value: dt.datetime) -> str:
        if self.template is None:
            return self.pattern.apply(value, self.locale)
        hour = value.hour
        return self.template % {
            "year": value.year,
            "month": value.month,
            "month_name": self.months[value.month],
            "day": value.day,
            "hour": hour,
            "hour12": hour % 12 or 12,
            "minute": value.minute,
            "period": self.periods[hour >= 12],
        }


@functools.cache
def _moment_pattern(locale: str) -> _Moment:
    return _Moment(_parsed(locale))


RELATIVE_THRESHOLD = 1.5


@functools.lru_cache(maxsize=4096)
def _relative_words(locale: str, unit: int, count: int, future: bool) -> str:
    """Babel's words for `count` of the unit at `unit` in TIMEDELTA_UNITS: asked with a threshold
    just above what the larger unit would be, so Babel keeps this unit (as it chose it)."""
    per_unit = TIMEDELTA_UNITS[unit][1]
    threshold = count * per_unit / TIMEDELTA_UNITS[unit - 1][1] + 1e-9 if unit else RELATIVE_THRESHOLD
    seconds = count * per_unit * (1 if future else -1)
    return format_timedelta(seconds, threshold=threshold, add_direction=True, locale=locale)


class Formats:
    """Dates in the reader's time zone and language."""

    def __init__(self, locale: str, time_zone: str) -> None:
        self.locale = _parsed(locale)  # Babel re-parses a locale given as text on every call
        self.language = locale  # a cache key that hashes fast
        self.zone = ZoneInfo(time_zone)
        self.group = get_group_symbol(self.locale)
        self.style = _moment_pattern(locale)

    def datetime(self, value: dt.datetime | None) -> str:
        """One style per language for a moment: "Dec 6, 2026, 5:55 AM", "2026/12/06 5:55"."""
        if value is None:
            return ""
        return self.style.apply(value.astimezone(self.zone))

    short = datetime  # the same style everywhere (pages once mixed "Dec 6, 2026, 5:55:04 AM" with "12/8/26")

    def moment(self, value: dt.datetime) -> tuple[str, str]:
        """A moment for a <time> element: its ISO form (the datetime attribute) and its text."""
        local = value.astimezone(self.zone)
        return local.isoformat(timespec="minutes"), self.style.apply(local)

    def iso(self, value: dt.datetime | None) -> str:
        return "" if value is None else value.astimezone(self.zone).isoformat(timespec="minutes")

    def relative(self, value: dt.datetime | None, now: dt.datetime) -> str:
        """ "in 3 hours" / "3 時間後", "2 days ago" / "2 日前": Babel's words, each looked up once
        (the unit and count chosen as Babel chooses them; an inbox shows one per row)."""
        if value is None:
            return ""
        seconds = (value - now).total_seconds()
        for index, (_, per_unit) in enumerate(TIMEDELTA_UNITS):
            count = abs(seconds) / per_unit
            if count >= RELATIVE_THRESHOLD:
                return _relative_words(self.language, index, int(round(count)), seconds >= 0)
        return format_timedelta(value - now, threshold=RELATIVE_THRESHOLD, add_direction=True, locale=self.locale)

    def duration(self, value: dt.timedelta) -> str:
        return format_timedelta(value, threshold=1.5, locale=self.locale)

    def percent(self, share: float) -> str:
        """A share (0.25) as the reader writes a percentage ("25%", "25%" / "25 %")."""
        return format_percent(share, locale=self.locale)

    def number(self, value: int | float) -> str:
        if isinstance(value, int):  # vote counts on every card: grouping is all they need, done fast
            return f"{value:,}".replace(",", self.group)
        return format_decimal(value, locale=self.locale)
