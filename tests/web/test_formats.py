"""Dates as people read them: one style per language, the same text Babel would write."""

from __future__ import annotations

import datetime as dt

import pytest

from portal.i18n import Formats, _moment_pattern


@pytest.mark.parametrize("locale", ["en", "ja"])
@pytest.mark.parametrize("zone", ["UTC", "Asia/Tokyo", "America/Los_Angeles"])
def test_a_moment_reads_as_babel_writes_the_languages_medium_date_and_short_time(locale, zone):
    formats = Formats(locale, zone)
    for hours in range(0, 24 * 400, 7):
        moment = dt.datetime(2026, 1, 1, tzinfo=dt.UTC) + dt.timedelta(hours=hours, minutes=hours % 60)
        local = moment.astimezone(formats.zone)
        assert formats.datetime(moment) == _moment_pattern(locale).pattern.apply(local, formats.locale)


def test_english_and_japanese_each_have_one_style():
    moment = dt.datetime(2026, 12, 6, 5, 55, 4, tzinfo=dt.UTC)
    assert Formats("en", "UTC").datetime(moment) == "Dec 6, 2026, 5:55\u202fAM"
    assert Formats("ja", "Asia/Tokyo").short(moment) == "2026/12/06 14:55"


@pytest.mark.parametrize("locale", ["en", "ja"])
def test_relative_times_say_what_babel_says_across_every_units_boundary(locale):
    from babel.dates import TIMEDELTA_UNITS, format_timedelta

    formats = Formats(locale, "Asia/Tokyo")
    now = dt.datetime(2026, 12, 6, 9, 0, tzinfo=dt.UTC)
    offsets = [0.4, 1, 1.49, 1.5, 89.4, 89.5, 89.9, 90, 5381, 5399, 5400, 129_000, 1_300_000, 40_000_000]
    offsets += [
        per_unit * factor for _, per_unit in TIMEDELTA_UNITS for factor in (1.49, 1.5, 1.51, 2.49, 2.5, 44.5, 89.5)
    ]
    for seconds in offsets:
        for sign in (1, -1):
            value = now + dt.timedelta(seconds=sign * seconds)
            expected = format_timedelta(value - now, threshold=1.5, add_direction=True, locale=locale)
            assert formats.relative(value, now) == expected, (seconds * sign, expected)
