"""The idea page and its forms, which show and answer for several domains at once: the idea and
its status, the discussion, the teams it was routed to and their answers, the results, following;
and posting or editing an idea with the teams it will reach.

Every form calls the same functions as the JSON API and validates with the same models; with
JavaScript a vote or comment swaps one fragment (htmx), without it the form posts and the browser is
redirected back (303). A form sent with errors shows the page again with them in place (422).
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from portal.actions import posting, statuses, voting
from portal.attachments.pages import attach_chosen_files
from portal.comments import service as comments
from portal.comments.schemas import CommentQuery, CommentWrite
from portal.errors import Conflict, ValidationFailed
from portal.http.forms import by_field
from portal.http.view import View
from portal.ideas import merging, outcomes, service
from portal.ideas.outcomes import OutcomeWrite
from portal.ideas.pages import vote_button
from portal.ideas.schemas import IdeaCreate, IdeaDetail, IdeaUpdate, StatusChange
from portal.notifications import service as notifications
from portal.results import service as results
from portal.routing import service as routing
from portal.routing.schemas import PositionWrite, RoutingPreview, RoutingResponse
from portal.services import service as services
from portal.teams import service as teams
from portal.workflow import CLOSED_STATUSES, TRANSITIONS


async def _idea_context(view: View, idea_id: int) -> dict[str, Any]:
    idea = await service.get_idea(view.conn, idea_id=idea_id, viewer=view.employee.id, reader=view.caller)
    routed = await routing.idea_routings(view.conn, idea_id=idea_id)
    lead_of = set(view.session.lead_of) if view.session else set()
    mine = {r.team for r in routed if r.team in lead_of or view.employee.is_admin}
    may_change = await _may_change_status(view, idea)
    return {
        "idea": idea,
        "comments": await comments.list_comments(
            view.conn, idea_id=idea_id, query=CommentQuery(limit=200), reader=view.caller
        ),
        "routings": routed,
        "results": await results.get_results(view.conn, idea_id=idea_id),
        "positions_asked": {r.team for r in routed if routing.awaits_position(r)},
        "position_forms": {r.team for r in routed if r.team in mine and routing.awaits_position(r)},
        "answer_forms": {r.team for r in routed if r.team in mine and routing.awaits_answer(r)},
        "decision_options": [(value, view.label("state", value)) for value in routing.DECISIONS],
        "transitions": [(value, view.label("status", value)) for value in sorted(TRANSITIONS[idea.status])]
        if may_change
        else [],
        "may_edit": idea.status == "open" and (idea.author.id == view.employee.id or view.employee.is_admin),
        "vote": vote_button(view, idea.id, idea.voted, idea.vote_count, idea.status in CLOSED_STATUSES),
        "follow": await notifications.idea_follow_state(view.conn, view.caller, idea_id=idea_id),
        "merged": await merging.merged_into(view.conn, idea_id),
        "may_note_outcome": idea.status == "done" and may_change,
    }


async def _may_change_status(view: View, idea: IdeaDetail) -> bool:
    return view.employee.is_admin or await service.leads_a_provider(view.conn, view.caller, idea_id=idea.id)


async def idea_page(view: View) -> web.Response:
    return await view.render("ideas/detail.html", **await _idea_context(view, view.path["idea_id"]))


def _concerns(view: View) -> dict[str, Any]:
    """The form's idea fields in the API's shape."""
    teams_named = [{"team": slug, "role": "provider"} for slug in view.fields("provider_teams")]
    teams_named += [
        {"team": slug, "role": "customer"}
        for slug in view.fields("customer_teams")
        if slug not in view.fields("provider_teams")
    ]
    return {
        "title": view.field("title"),
        "body": view.field("body"),
        "tags": [t.strip() for t in view.field("tags").split(",") if t.strip()],
        "services": view.fields("services"),
        "teams": teams_named,
    }


async def _form(
    view: View, *, values: dict[str, Any], errors: dict[str, str], idea: IdeaDetail | None, status: int = 200
) -> web.Response:
    concerns, _ = view.validate(RoutingPreview, {k: values[k] for k in RoutingPreview.model_fields if k in values})
    preview = await routing.preview(view.conn, concerns) if concerns else []
    return await view.render(
        "ideas/form.html",
        status=status,
        values=values,
        errors=errors,
        idea=idea,
        preview=preview,
        teams=await teams.team_names(view.conn),
        services=await services.service_names(view.conn),
    )


def _values_of(idea: IdeaDetail) -> dict[str, Any]:
    return {
        "title": idea.title,
        "body": idea.body,
        "tags": idea.tags,
        "services": idea.services,
        "teams": [{"team": t.team, "role": t.role} for t in idea.teams],
    }


async def idea_new(view: View) -> web.Response:
    query = view.request.query
    values = {
        "services": query.getall("services", []),
        "campaign": query.get("campaign"),
        "title": query.get("title", "")[:200],
        "body": query.get("body", "")[:20000],  # e.g. the improvement a survey answer asked for
    }
    return await _form(view, values=values, errors={}, idea=None)


async def idea_create(view: View) -> web.Response:
    values = {**_concerns(view), "campaign": view.field("campaign") or None}
    values["body"], file_errors = await attach_chosen_files(view, values["body"])
    if file_errors:
        return await _form(view, values=values, errors=file_errors, idea=None, status=422)
    data, errors = view.validate(IdeaCreate, values)
    if data is None:
        return await _form(view, values=values, errors=errors, idea=None, status=422)
    try:
        idea = await posting.post_idea(
            view.conn, view.caller, data, attachments_per_item=view.settings.attachments_per_item
        )
    except ValidationFailed as failed:  # e.g. a service that was deleted meanwhile
        return await _form(view, values=values, errors=by_field(failed, view.gettext), idea=None, status=422)
    except Conflict as closed:  # the campaign stopped collecting ideas
        return await _form(view, values=values, errors={"campaign": closed.detail or ""}, idea=None, status=409)
    return view.redirect(view.url("idea_page", idea_id=idea.id))


async def routing_preview(view: View) -> web.Response:
    """The teams the form's idea would reach: a fragment for the form's script, else the form."""
    values = {
        "title": view.request.query.get("title", ""),
        "body": view.request.query.get("body", ""),
        "tags": [t.strip() for t in view.request.query.get("tags", "").split(",") if t.strip()],
        "services": view.request.query.getall("services", []),
        "teams": [{"team": s, "role": "provider"} for s in view.request.query.getall("provider_teams", [])]
        + [{"team": s, "role": "customer"} for s in view.request.query.getall("customer_teams", [])],
    }
    data, _ = view.validate(RoutingPreview, values)
    preview = await routing.preview(view.conn, data) if data else []
    if view.htmx:
        return await view.render("ideas/_preview.html", preview=preview)
    return await _form(view, values=values, errors={}, idea=None)


async def idea_edit(view: View) -> web.Response:
    idea = await service.get_idea(view.conn, idea_id=view.path["idea_id"], viewer=view.employee.id)
    return await _form(view, values=_values_of(idea), errors={}, idea=idea)


async def idea_update(view: View) -> web.Response:
    idea_id = view.path["idea_id"]
    values = _concerns(view)
    idea = await service.get_idea(view.conn, idea_id=idea_id, viewer=view.employee.id, reader=view.caller)
    values["body"], file_errors = await attach_chosen_files(view, values["body"])
    if file_errors:
        return await _form(view, values=values, errors=file_errors, idea=idea, status=422)
    data, errors = view.validate(IdeaUpdate, values)
    if data is None:
        return await _form(view, values=values, errors=errors, idea=idea, status=422)
    try:
        await service.update_idea(
            view.conn, view.caller, idea_id=idea_id, data=data, attachments_per_item=view.settings.attachments_per_item
        )
    except ValidationFailed as failed:
        return await _form(view, values=values, errors=by_field(failed, view.gettext), idea=idea, status=422)
    return view.redirect(view.url("idea_page", idea_id=idea_id))


def _back(view: View, idea_id: int) -> str:
    target = view.field("next")
    return target if target.startswith("/") and not target.startswith("//") else view.url("idea_page", idea_id=idea_id)


async def idea_vote(view: View) -> web.Response:
    idea_id = view.path["idea_id"]
    if view.field("action") == "withdraw":
        state = await voting.withdraw_vote(view.conn, view.caller, idea_id=idea_id)
    else:
        state = await voting.cast_vote(view.conn, view.caller, idea_id=idea_id)
    if view.htmx:
        return await view.render(
            "ideas/_vote.html",
            button=vote_button(view, idea_id, state.voted, state.vote_count, False, view.field("next") or None),
        )
    return view.redirect(_back(view, idea_id))


async def _idea_again(view: View, idea_id: int, **form_errors: Any) -> web.Response:
    """The idea page again, with the errors of the form that was sent (422)."""
    return await view.render("ideas/detail.html", status=422, **form_errors, **await _idea_context(view, idea_id))


async def comment_create(view: View) -> web.Response:
    idea_id = view.path["idea_id"]
    body, errors = await attach_chosen_files(view, view.field("body"))
    data, invalid = view.validate(CommentWrite, {"body": body}) if not errors else (None, {})
    errors = {**invalid, **errors}
    if data is None:
        if view.htmx:  # the form again, in place of the one sent
            response = await view.render(
                "ideas/_comment_form.html",
                status=422,
                idea_id=idea_id,
                comment_errors=errors,
                comment_value=body,
            )
            response.headers.update({"HX-Retarget": "#comment-form", "HX-Reswap": "outerHTML"})
            return response
        return await _idea_again(view, idea_id, comment_errors=errors, comment_value=body)
    try:
        comment = await comments.create_comment(
            view.conn, view.caller, idea_id=idea_id, data=data, attachments_per_item=view.settings.attachments_per_item
        )
    except ValidationFailed as failed:  # too many attachments
        return await _idea_again(view, idea_id, comment_errors=by_field(failed, view.gettext), comment_value=body)
    if view.htmx:
        return await view.render("ideas/_comment.html", comment=comment, idea_id=idea_id, fresh=True)
    return view.redirect(view.url("idea_page", idea_id=idea_id) + f"#comment-{comment.id}")


async def idea_status(view: View) -> web.Response:
    idea_id = view.path["idea_id"]
    data, errors = view.validate(
        StatusChange,
        {
            "status": view.field("status"),
            "reason": view.field("reason"),
            "duplicate_of": int(view.field("duplicate_of")) if view.field("duplicate_of").isdecimal() else None,
        },
    )
    if data is None:
        sent = {name: view.field(name) for name in ("status", "reason", "duplicate_of")}
        return await _idea_again(view, idea_id, status_errors=errors, status_values=sent)
    await statuses.change_status(view.conn, view.caller, idea_id=idea_id, change=data)
    return view.redirect(view.url("idea_page", idea_id=idea_id) + "#status", done="status")


async def routing_respond(view: View) -> web.Response:
    idea_id, team = view.path["idea_id"], view.path["team"]
    data, errors = view.validate(
        RoutingResponse, {"decision": view.field("decision"), "message": view.field("message")}
    )
    if data is None:
        sent = {name: view.field(name) for name in ("decision", "message")}
        return await _idea_again(view, idea_id, response_errors={team: errors}, response_values={team: sent})
    await routing.respond(view.conn, view.caller, idea_id=idea_id, slug=team, answer=data)
    return view.redirect(_back(view, idea_id), done="answered")


async def routing_position(view: View) -> web.Response:
    idea_id, team = view.path["idea_id"], view.path["team"]
    data, errors = view.validate(PositionWrite, {"position": view.field("position"), "reason": view.field("reason")})
    if data is None:
        sent = {name: view.field(name) for name in ("position", "reason")}
        return await _idea_again(view, idea_id, position_errors={team: errors}, position_values={team: sent})
    await routing.take_position(view.conn, view.caller, idea_id=idea_id, slug=team, data=data)
    return view.redirect(_back(view, idea_id), done="position")


async def idea_outcome(view: View) -> web.Response:
    idea_id = view.path["idea_id"]
    data, errors = view.validate(OutcomeWrite, {"note": view.field("note")})
    if data is None:
        return await _idea_again(view, idea_id, outcome_errors=errors, outcome_value=view.field("note"))
    await outcomes.note_outcome(view.conn, view.caller, idea_id=idea_id, data=data)
    return view.redirect(view.url("idea_page", idea_id=idea_id) + "#outcome", done="outcome")
