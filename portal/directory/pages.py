"""The admins' pages of the directory: where people come from and the teams without a lead, org
file uploads (checked, then applied), and leads assigned by hand on the teams page."""

from __future__ import annotations

from aiohttp import web

from portal.directory import leads, overview, uploads
from portal.errors import Conflict, ValidationFailed
from portal.http.view import View, base_url
from portal.schemas import Email, Input
from portal.teams import service as teams
from portal.teams.pages import admin_teams, picker_refusal


class LeadEmail(Input):
    email: Email


async def admin_lead_add(view: View) -> web.Response:
    slug = view.path["slug"]
    typed, matches = await teams.find_person(view.conn, view.field("email"))
    if typed is None:  # a name: several colleagues match (choose one) or none does
        errors = {f"lead-{slug}": picker_refusal(view, matches)}
        return await admin_teams(view, errors=errors, lead_choices={slug: matches}, status=422)
    email, errors = view.validate(LeadEmail, {"email": typed})
    if email is None:
        return await admin_teams(view, errors={f"lead-{slug}": errors.get("email", "")}, status=422)
    try:
        await leads.assign_by_hand(view.conn, view.caller, slug=slug, email=email.email)
    except ValidationFailed as refused:
        return await admin_teams(view, errors={f"lead-{slug}": refused.errors[0]["message"]}, status=422)
    return view.redirect(view.url("admin_teams") + f"#team-{slug}")


async def admin_lead_remove(view: View) -> web.Response:
    await leads.remove_by_hand(view.conn, view.caller, **view.path)
    return view.redirect(view.url("admin_teams") + f"#team-{view.path['slug']}")


async def admin_directory(view: View, *, errors: dict[str, str] | None = None, status: int = 200) -> web.Response:
    return await view.render(
        "admin/directory.html",
        status=status,
        errors=errors or {},
        overview=await overview.overview(view.conn, view.caller),
        scim_url=base_url(view.request) + "/scim/v2",
        active="admin",
        section="directory",
    )


async def admin_import(view: View, *, error: str | None = None, status: int = 200) -> web.Response:
    return await view.render(
        "admin/directory_import.html",
        status=status,
        overview=await overview.overview(view.conn, view.caller),
        error=error,
        limit_mb=view.settings.import_max_bytes // (1024 * 1024),
        active="admin",
        section="directory",
    )


async def admin_import_check(view: View) -> web.Response:
    view.caller.require_admin()
    upload = view.upload("file")
    if upload is None:
        return await admin_import(view, error=view.gettext("Choose a CSV file to check."), status=422)
    import_id = await uploads.check(
        view.conn, view.caller, view.settings, file_name=upload.filename or "org.csv", content=bytes(upload.content)
    )
    return view.redirect(view.url("admin_import_result", import_id=import_id))


async def admin_import_result(view: View, *, refused: str | None = None, status: int = 200) -> web.Response:
    stored = await uploads.get(view.conn, view.caller, view.path["import_id"])
    return await view.render(
        "admin/directory_import_result.html",
        status=status,
        stored=stored,
        summary=stored.summary,
        refused=refused,
        active="admin",
        section="directory",
    )


async def admin_import_apply(view: View) -> web.Response:
    try:
        async with view.conn.transaction():  # a refusal leaves nothing behind, and the page still renders
            await uploads.apply(
                view.conn, view.caller, view.settings, view.path["import_id"], confirmed=view.field("confirm") == "yes"
            )
    except Conflict as refused:
        return await admin_import_result(view, refused=refused.detail, status=409)
    return view.redirect(view.url("admin_import_result", import_id=view.path["import_id"]))
