"""The org file, for companies without SCIM: checked first (what would change, and each line's
error), then applied; the same file twice changes nothing; a file that would empty the company
needs a confirmation. By `portal import-org` and on the admins' page."""

from __future__ import annotations

import asyncio
import re

from tests.factories import make_idea, sign_in

HEADER = "email,name,team,team_name,lead,active\n"
COMPANY = HEADER + (
    "ken@example.com,Ken Sato,it,IT service desk,yes,yes\n"
    "aiko@example.com,田中 愛子,marketing,Marketing,no,yes\n"
    "hana@example.com,Hana Suzuki,hr,Human Resources,yes,\n"
    "sam@example.com,Sam Patel,it,IT service desk,no,yes\n"
)


async def run(run_portal, database_url, tmp_path, text: str, *flags: str):
    path = tmp_path / "org.csv"
    path.write_text(text, encoding="utf-8")
    return await asyncio.to_thread(run_portal, "import-org", str(path), *flags, env={"DATABASE_URL": database_url})


async def test_a_dry_run_says_what_would_change_and_changes_nothing(run_portal, database_url, tmp_path, db):
    done = await run(run_portal, database_url, tmp_path, COMPANY)
    assert done.returncode == 0, done.stderr
    assert "employees: create 4, change 0, deactivate 0" in done.stdout and "leads: add 2" in done.stdout
    assert "created: line 2, email ken@example.com" in done.stdout and "dry run" in done.stdout
    assert await db.fetchval("SELECT count(*) FROM employees") == 0


async def test_errors_are_listed_by_line_and_nothing_is_applied(run_portal, database_url, tmp_path, db):
    text = COMPANY + "not-an-address,Someone,it,IT service desk,no,yes\nken@example.com,Ken again,it,IT,maybe,yes\n"
    done = await run(run_portal, database_url, tmp_path, text, "--apply")
    assert done.returncode == 1
    assert "line 6: 'not-an-address' is not an email address" in done.stderr
    assert "line 7: team it is named 'IT service desk' on line 2" in done.stderr
    assert (
        "line 7: lead must be yes or no" in done.stderr
        and "line 7: ken@example.com is on line 2 already" in done.stderr
    )
    assert await db.fetchval("SELECT count(*) FROM employees") == 0


async def test_applying_makes_the_company_and_the_same_file_twice_changes_nothing(
    run_portal, database_url, tmp_path, db
):
    assert (await run(run_portal, database_url, tmp_path, COMPANY, "--apply")).returncode == 0
    leads = await db.fetch(
        "SELECT t.slug, e.email FROM team_leads l JOIN teams t ON t.id = l.team_id JOIN employees e ON e.id = l.employee_id ORDER BY 1"
    )
    assert [(r["slug"], r["email"]) for r in leads] == [("hr", "hana@example.com"), ("it", "ken@example.com")]
    assert await db.fetchval("SELECT managed_by FROM teams WHERE slug = 'it'") == "import"
    events = await db.fetchval("SELECT count(*) FROM events")
    again = await run(run_portal, database_url, tmp_path, COMPANY, "--apply")
    assert "employees: create 0, change 0, deactivate 0" in again.stdout and "leave 4 as they are" in again.stdout
    assert await db.fetchval("SELECT count(*) FROM events") == events


async def test_someone_no_longer_listed_leaves_and_a_move_ends_their_lead_role(run_portal, database_url, tmp_path, db):
    await run(run_portal, database_url, tmp_path, COMPANY, "--apply")
    moved = COMPANY.replace(
        "hana@example.com,Hana Suzuki,hr,Human Resources,yes,", "hana@example.com,Hana Suzuki,it,IT service desk,no,"
    )
    without_sam = "\n".join(line for line in moved.splitlines() if not line.startswith("sam@")) + "\n"
    done = await run(run_portal, database_url, tmp_path, without_sam, "--apply", "--confirm-deactivations")
    assert done.returncode == 0, done.stderr
    assert await db.fetchval("SELECT active FROM employees WHERE email = 'sam@example.com'") is False
    assert (
        await db.fetchval("SELECT count(*) FROM team_leads l JOIN teams t ON t.id = l.team_id WHERE t.slug = 'hr'") == 0
    )
    assert await db.fetchval("SELECT count(*) FROM events WHERE type = 'routing.escalated'") == 0  # nothing was waiting


async def test_a_file_that_would_empty_the_company_needs_a_confirmation(run_portal, database_url, tmp_path, db):
    await run(run_portal, database_url, tmp_path, COMPANY, "--apply")
    only_ken = HEADER + "ken@example.com,Ken Sato,it,IT service desk,yes,yes\n"
    refused = await run(run_portal, database_url, tmp_path, only_ken, "--apply")
    assert refused.returncode == 1 and "would deactivate 3 of 4 active employees" in refused.stderr
    assert await db.fetchval("SELECT count(*) FROM employees WHERE active") == 4
    confirmed = await run(run_portal, database_url, tmp_path, only_ken, "--apply", "--confirm-deactivations")
    assert confirmed.returncode == 0 and await db.fetchval("SELECT count(*) FROM employees WHERE active") == 1


async def test_people_the_portal_knew_are_taken_over_with_what_they_posted(
    run_portal, database_url, tmp_path, client, auth, db
):
    idea = await make_idea(client, auth("aiko@example.com", name="Aiko"))
    await run(run_portal, database_url, tmp_path, COMPANY, "--apply")
    assert await db.fetchval("SELECT id FROM employees WHERE email = 'aiko@example.com'") == idea["author"]["id"]
    assert await db.fetchval("SELECT managed_by FROM employees WHERE email = 'aiko@example.com'") == "import"


async def test_the_admin_page_checks_an_upload_then_applies_it(client, auth, db):
    await client.get("/api/v1/me", headers=auth.admin)
    csrf = await sign_in(client, "admin@example.com")
    form = {"csrf_token": csrf, "file": COMPANY.encode()}
    import aiohttp

    data = aiohttp.FormData()
    data.add_field("csrf_token", csrf)
    data.add_field("file", form["file"], filename="company.csv", content_type="text/csv")
    checked = await client.post("/admin/directory/import", data=data)
    page = await checked.text()
    assert checked.status == 200 and "Checked: nothing has changed yet" in page
    assert re.search(r"Employees created</th><td>4<", page) and "ken@example.com" in page
    assert await db.fetchval("SELECT count(*) FROM employees WHERE managed_by = 'import'") == 0
    action = re.search(r'action="(/admin/directory/import/\d+/apply)"', page).group(1)
    applied = await client.post(action, data={"csrf_token": csrf})
    assert applied.status == 200 and "Applied" in await applied.text()
    assert await db.fetchval("SELECT count(*) FROM employees WHERE managed_by = 'import'") == 4
    again = await client.post(action, data={"csrf_token": csrf})
    assert again.status == 409


async def test_the_admin_page_lists_each_lines_error(client, auth):
    await client.get("/api/v1/me", headers=auth.admin)
    csrf = await sign_in(client, "admin@example.com")
    import aiohttp

    data = aiohttp.FormData()
    data.add_field("csrf_token", csrf)
    data.add_field("file", (HEADER + "nobody,,it,,no,yes\n").encode(), filename="bad.csv", content_type="text/csv")
    page = await (await client.post("/admin/directory/import", data=data)).text()
    assert "Line 2: &#39;nobody&#39; is not an email address" in page and "Apply the file" not in page
