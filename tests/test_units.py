"""Pure logic, without a database: the workflow, cursors, signatures, the address guard."""

from __future__ import annotations

import base64
import re
from datetime import UTC, datetime
from typing import Annotated

import pytest
from babel.numbers import format_decimal
from pydantic import TypeAdapter, ValidationError

from portal.errors import ValidationFailed
from portal.events import feed
from portal.i18n import Formats
from portal.ideas import listing
from portal.schemas import WHITESPACE, WHITESPACE_CHARACTERS, Trimmed
from portal.text import is_clean_text, unclean_fields
from portal.webhooks.delivery import retry_delay
from portal.webhooks.signing import SecretBox, new_secret, sign
from portal.workflow import CLOSED_STATUSES, TRANSITIONS, allowed


@pytest.mark.parametrize("current, target", [(c, t) for c, targets in TRANSITIONS.items() for t in sorted(targets)])
def test_every_listed_transition_is_allowed(current, target):
    assert allowed(current, target)


@pytest.mark.parametrize(
    "current, target",
    [
        ("open", "done"),
        ("done", "open"),
        ("declined", "planned"),
        ("in_progress", "open"),
        ("open", "open"),
        ("nonsense", "open"),
    ],
)
def test_other_transitions_are_not(current, target):
    assert not allowed(current, target)


def test_every_status_can_be_left_and_closed_ones_can_be_reopened_somehow():
    assert all(TRANSITIONS[status] for status in TRANSITIONS)
    assert set(TRANSITIONS) >= CLOSED_STATUSES


@pytest.mark.parametrize(
    "sort, score",
    [("new", datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)), ("top", 17), ("trending", 3), ("relevance", 0.25)],
)
def test_an_idea_list_cursor_decodes_to_what_was_encoded(sort, score):
    place = listing.Place(datetime(2026, 5, 6, tzinfo=UTC), 7, score, 42)
    assert listing.decode_cursor(listing.encode_cursor(sort, place), sort) == place


@pytest.mark.parametrize("sort", ["new", "top", "trending", "relevance"])
def test_every_cursor_the_documented_pattern_allows_is_a_place_in_a_listing(sort):
    for cursor in ["0_0_0_0", "9" * 17 + "_" + "9" * 19 + "_" + "9" * 19 + "_" + "9" * 19, "1_0_2139095040_1"]:
        place = listing.decode_cursor(cursor, sort)
        assert place.as_of.year <= 9999 and 0 <= place.idea_id < 2**63 and place.score == place.score  # not NaN
        assert 0 <= place.version < 2**63


@pytest.mark.parametrize("cursor", ["", "x", "1_2_3", "1_2_3_4_5", "-1_2_3_4", "1_2_3_" + "9" * 20])
def test_cursors_of_another_shape_are_refused(cursor):
    with pytest.raises(ValidationFailed):
        listing.decode_cursor(cursor, "top")


def test_a_feed_cursor_round_trips_and_old_cursors_name_their_event():
    assert feed.encode_cursor(123) == "p123" and feed.decode_cursor("p123") == feed.Cursor(position=123)
    assert feed.decode_cursor(base64.urlsafe_b64encode(b"p123").decode()) == feed.Cursor(position=123)
    old = base64.urlsafe_b64encode(b"9999.77").decode()
    assert feed.decode_cursor(old) == feed.Cursor(position=None, legacy_event_id=77)
    assert feed.decode_cursor(None) == feed.Cursor(position=0)


@pytest.mark.parametrize(
    "cursor",
    [
        "zzz",
        "p-1",
        "p" + "9" * 19,
        base64.urlsafe_b64encode(b"p-1").decode(),
        base64.urlsafe_b64encode(b"p" + b"9" * 30).decode(),
    ],
)
def test_bad_feed_cursors_are_refused(cursor):
    with pytest.raises(ValidationFailed):
        feed.decode_cursor(cursor)


def test_a_signature_depends_on_the_id_the_time_and_every_byte():
    secret = new_secret()
    signature = sign(secret, "msg_1", 1000, b"{}")
    assert signature.startswith("v1,")
    assert signature == sign(secret, "msg_1", 1000, b"{}")
    assert (
        len(
            {
                signature,
                sign(secret, "msg_2", 1000, b"{}"),
                sign(secret, "msg_1", 1001, b"{}"),
                sign(secret, "msg_1", 1000, b"{ }"),
                sign(new_secret(), "msg_1", 1000, b"{}"),
            }
        )
        == 5
    )


def test_a_secret_sealed_with_one_key_cannot_be_opened_with_another():
    sealed = SecretBox("one key that is long enough for tests").encrypt("whsec_abc")
    assert SecretBox("one key that is long enough for tests").decrypt(sealed) == "whsec_abc"
    with pytest.raises(ValueError):
        SecretBox("another key, also long enough here").decrypt(sealed)


def test_retries_follow_the_schedule_with_jitter_then_stop():
    schedule = [5, 300]
    assert 4.5 <= retry_delay(1, schedule) <= 5.5
    assert 270 <= retry_delay(2, schedule) <= 330
    assert retry_delay(3, schedule) is None


def test_unclean_text_is_found_wherever_it_is():
    assert is_clean_text("日本語 and English")
    assert not is_clean_text("a\x00b") and not is_clean_text("lone \ud800")
    assert unclean_fields({"a": ["ok", "bad\x00"], "b\x00": 1, "c": {"d": "\udfff"}}) == [("a", 1), (), ("c", "d")]


def test_whole_numbers_are_grouped_as_babel_groups_them_in_each_language():
    for locale in ("en", "ja", "de", "fr"):
        for value in (0, 7, 1234, -98765, 1234567890):
            assert Formats(locale, "UTC").number(value) == format_decimal(value, locale=locale)


def test_the_whitespace_the_patterns_name_is_the_whitespace_that_is_trimmed():
    in_class = re.compile(f"[{WHITESPACE}]")
    for code in [*range(0x3100), 0xFEFF]:
        character = chr(code)
        assert (in_class.fullmatch(character) is not None) == (character in WHITESPACE_CHARACTERS), hex(code)


@pytest.mark.parametrize("value", ["hello", "  hello  ", " hel ", "a   b", "\u3000abcde\u3000", "x" * 21, "     "])
def test_trimmed_text_is_accepted_exactly_when_its_documented_schema_allows_it(value):
    adapter = TypeAdapter(Annotated[str, Trimmed(min_length=5, max_length=20)])
    schema = adapter.json_schema()
    documented = len(value) <= schema["maxLength"] and re.search(schema["pattern"], value) is not None
    try:
        adapter.validate_python(value)
        accepted = True
    except ValidationError:
        accepted = False
    assert accepted == documented
