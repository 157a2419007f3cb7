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
