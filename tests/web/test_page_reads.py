"""What every page reads besides its own data, read cheaply and still current: teams' and
services' names kept between pages while their version stands (sql/0031), and interface text
translated when a template is compiled, once per language."""

from __future__ import annotations

import jinja2

from portal.i18n import load_translations
from portal.lookups import KnownNames
from portal.seed import seed
from portal.web.translate import CompiledTemplates, CompiledTranslations, use_compiled_translations
from tests.factories import sign_in


async def test_a_renamed_team_is_named_anew_on_the_next_page(client, db):
    await seed(db)
    await sign_in(client, "ken.lead@example.com")
    assert "Inbox: IT service desk" in await (await client.get("/")).text()
    await db.execute("UPDATE teams SET name = 'Tech help' WHERE slug = 'it'")
    page = await (await client.get("/")).text()
    assert "Inbox: Tech help" in page and "IT service desk" not in page


async def test_a_new_service_is_offered_in_the_filters_on_the_next_page(client, db):
    await seed(db)
    await sign_in(client, "aiko@example.com")
    assert "Colour printing" not in await (await client.get("/")).text()
    await db.execute(
        "INSERT INTO services (slug, name, provider_team_id) SELECT 'colour', 'Colour printing', id FROM teams"
        " WHERE slug = 'facilities'"
    )
    assert '<option value="colour">Colour printing</option>' in await (await client.get("/")).text()


async def test_names_are_read_again_only_when_their_version_changes(db):
    await seed(db)
    known = KnownNames()
    version = await db.fetchval("SELECT version FROM names_version")
    first = await known.current(db, None)
    assert known.version == version and first.team("it") == "IT service desk"
    assert await known.current(db, version) is first
    await db.execute("UPDATE teams SET name = 'Tech help' WHERE slug = 'it'")
    newer = await db.fetchval("SELECT version FROM names_version")
    assert newer > version
    assert (await known.current(db, newer)).team("it") == "Tech help"
    assert known.version == newer


async def test_a_change_to_other_team_columns_keeps_the_names_version(db):
    await seed(db)
    version = await db.fetchval("SELECT version FROM names_version")
    await db.execute("UPDATE teams SET response_sla_hours = 24 WHERE slug = 'it'")
    assert await db.fetchval("SELECT version FROM names_version") == version


def _environment(locale: str, cache: CompiledTemplates, source: str) -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.DictLoader({"page.html": source}),
        extensions=["jinja2.ext.i18n", CompiledTranslations],
        autoescape=True,
        bytecode_cache=cache,
    )
    translations = load_translations()[locale]
    environment.install_gettext_translations(translations, newstyle=True)  # type: ignore[attr-defined]
    use_compiled_translations(environment, locale, translations)
    return environment


def test_interface_text_is_a_constant_of_each_languages_compiled_template():
    source = "{{ _('Search') }}|{{ _(\"Your team's part\") }}|{{ _('Inbox: %(team)s', team='<IT>') }}"
    compiled = _environment("ja", CompiledTemplates(), source).compile(source, raw=True)
    assert "検索|チームの役割|" in compiled and "Search" not in compiled  # one constant, folded
    assert "'Inbox: %(team)s'" in compiled  # a text with placeholders is still translated as it is shown
    cache = CompiledTemplates()  # shared by both languages, as the app's is
    english = _environment("en", cache, source).get_template("page.html").render()
    japanese = _environment("ja", cache, source).get_template("page.html").render()
    assert english == "Search|Your team's part|Inbox: &lt;IT&gt;"
    assert japanese.startswith("検索|") and "&lt;IT&gt;" in japanese and "Inbox" not in japanese


async def test_many_teams_added_in_one_transaction_raise_the_version_once(db):
    version = await db.fetchval("SELECT version FROM names_version")
    async with db.transaction():
        await db.execute(
            "INSERT INTO teams (slug, name) SELECT 'team-' || n, 'Team ' || n FROM generate_series(1, 50) AS n"
        )
        await db.execute("UPDATE teams SET name = name || '!' WHERE slug = 'team-1'")
        assert await db.fetchval("SELECT version FROM names_version") == version  # raised as it commits
    assert await db.fetchval("SELECT version FROM names_version") == version + 1
