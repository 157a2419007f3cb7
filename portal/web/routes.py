"""Every URL of the API in one place; the OpenAPI document is built from this table."""

from __future__ import annotations

from portal.actions import pages as action_pages
from portal.actions import views as actions
from portal.campaigns import pages as campaigns_pages
from portal.campaigns import views as campaigns
from portal.campaigns.schemas import CampaignCreate, CampaignQuery, CampaignRead
from portal.comments import pages as comments_pages
from portal.comments import views as comments
from portal.comments.schemas import CommentPage, CommentQuery, CommentRead, CommentWrite
from portal.config import Settings
from portal.events import views as events
from portal.events.feed import CURSOR_PATTERN as FEED_CURSOR_PATTERN
from portal.events.schemas import EventPage, EventQuery, EventTypeRead, StreamQuery
from portal.events.types import FULL_NAMES
from portal.http.call import Handler
from portal.ideas import pages as ideas_pages
from portal.ideas import views as ideas
from portal.ideas.outcomes import CasePage, CaseQuery, OutcomeWrite
from portal.ideas.schemas import (
    IdeaCreate,
    IdeaDetail,
    IdeaPage,
    IdeaQuery,
    IdeaUpdate,
    StatusChange,
)
from portal.notifications import pages as notifications_pages
from portal.notifications import views as notifications
from portal.notifications.schemas import (
    FollowRead,
    FollowState,
    KindPreference,
    Marked,
    NotificationPage,
    NotificationQuery,
    PreferencesWrite,
    ReadAll,
    UnreadCount,
)
from portal.results import pages as results_pages
from portal.results import views as results
from portal.results.schemas import DigestRead, IdeaResults
from portal.routing import pages as routing_pages
from portal.routing import views as routing
from portal.routing.schemas import (
    InboxItem,
    InboxQuery,
    PositionWrite,
    ReachedTeam,
    RoutingPreview,
    RoutingRead,
    RoutingResponse,
    RoutingRuleCreate,
    RoutingRuleRead,
)
from portal.scorecards import pages as scorecards_pages
from portal.scorecards import views as scorecards
from portal.scorecards.schemas import Scorecard, ScorecardQuery
from portal.services import pages as services_pages
from portal.services import views as services
from portal.services.schemas import (
    ServiceCreate,
    ServiceMap,
    ServiceRead,
    ServiceUpdate,
)
from portal.services.standards import StandardRead, StandardWrite
from portal.signin import pages as auth_pages
from portal.surveys import pages as surveys_pages
from portal.surveys import views as surveys
from portal.surveys.schemas import AnswerWrite, MyAnswer, MySurvey, PulseSchedule, RoundOpen, RoundRead
from portal.teams import pages as teams_pages
from portal.teams import views as teams
from portal.teams.schemas import (
    EmployeeCreate,
    EmployeeQuery,
    EmployeeRead,
    Preferences,
    TeamCreate,
    TeamRead,
    TeamUpdate,
)
from portal.thanks import pages as thanks_pages
from portal.thanks import views as thanks
from portal.thanks.schemas import ThanksCreate, ThanksPage, ThanksQuery, ThanksRead
from portal.tokens import pages as tokens_pages
from portal.tokens import views as tokens
from portal.tokens.schemas import TokenCreate, TokenCreated, TokenRead
from portal.votes.schemas import VoteState
from portal.web import docs, health, live
from portal.web.pages import Page
from portal.web.spec import Route
from portal.webhooks import pages as webhooks_pages
from portal.webhooks import views as webhooks
from portal.webhooks.schemas import (
    DeliveryQuery,
    DeliveryRead,
    WebhookCreate,
    WebhookCreated,
    WebhookRead,
    WebhookUpdate,
)

API = "/api/v1"


def read(method: str, path: str, handler: Handler, summary: str, tag: str, **options) -> Route:
    """A route that runs in one read-only snapshot."""
    return Route(method, path, handler, summary, tag, tx="read", **options)


def write(method: str, path: str, handler: Handler, summary: str, tag: str, **options) -> Route:
    """A route that changes data: one read-write transaction, counted against the write rate limit."""
    return Route(method, path, handler, summary, tag, tx="write", write=True, **options)


# One message of the event stream (text/event-stream); `: keep-alive` comments come between.
SSE_MESSAGE = {
    "type": "object",
    "description": "One Server-Sent Event: its id (the feed cursor, sent back as Last-Event-ID to "
    "resume), its event type, and the CloudEvent as JSON. Comments (`: keep-alive`) come when idle.",
    "required": ["id", "event", "data"],
    "properties": {
        "id": {"type": "string", "pattern": FEED_CURSOR_PATTERN},
        "event": {"type": "string", "enum": FULL_NAMES},
        "data": {
            "type": "string",
            "contentMediaType": "application/json",
            "contentSchema": {"$ref": "#/components/schemas/CloudEvent"},
        },
    },
}


def operational_routes() -> list[Route]:
    return [
        Route("GET", "/healthz", health.healthz, "Process is alive", "operations", public=True, response=health.Health),
        Route(
            "GET",
            "/readyz",
            health.readyz,
            "PostgreSQL and Redis are reachable",
            "operations",
            public=True,
            response=health.Readiness,
            errors=(503,),
        ),
        Route(
            "GET",
            "/metrics",
            health.metrics,
            "Prometheus metrics (text exposition format)",
            "operations",
            public=True,
            response={"type": "string"},
            content_type="text/plain",
        ),
        Route(
            "GET",
            "/openapi.json",
            docs.openapi_json,
            "This OpenAPI document",
            "operations",
            public=True,
            response={"type": "object"},
        ),
        Route(
            "GET",
            "/docs",
            docs.docs,
            "Rendered API reference",
            "operations",
            public=True,
            response={"type": "string"},
            content_type="text/html",
        ),
        Route(
            "GET",
            "/problems",
            docs.problem_types,
            "Every problem type the API answers with (HTML to a browser)",
            "operations",
            public=True,
            response=list[docs.ProblemTypeRead],
            html=True,
        ),
        Route(
            "GET",
            "/problems/{problem}",
            docs.problem_type,
            "What a problem type means, where its `type` points (HTML to a browser)",
            "operations",
            public=True,
            response=docs.ProblemTypeRead,
            html=True,
            errors=(404,),
        ),
    ]


def team_routes() -> list[Route]:
    return [
        write(
            "POST",
            f"{API}/teams",
            teams.create_team,
            "Create a team (admin)",
            "teams",
            body=TeamCreate,
            response=TeamRead,
            status=201,
            errors=(409,),
        ),
        read(
            "GET", f"{API}/teams", teams.list_teams, "List teams", "teams", response=list[TeamRead], scope="teams:read"
        ),
        read(
            "GET",
            f"{API}/teams/{{slug}}",
            teams.get_team,
            "Get a team",
            "teams",
            response=TeamRead,
            scope="teams:read",
            errors=(404,),
        ),
        write(
            "PATCH",
            f"{API}/teams/{{slug}}",
            teams.update_team,
            "Change a team (admin or its leads)",
            "teams",
            body=TeamUpdate,
            response=TeamRead,
            errors=(404,),
        ),
        write(
            "PUT",
            f"{API}/teams/{{slug}}/leads/{{email}}",
            teams.assign_lead,
            "Make an employee a lead of the team (admin); provisions unknown employees",
            "teams",
            response=TeamRead,
            errors=(404,),
        ),
        write(
            "DELETE",
            f"{API}/teams/{{slug}}/leads/{{email}}",
            teams.remove_lead,
            "Remove a lead from the team (admin)",
            "teams",
            response=TeamRead,
            errors=(404,),
        ),
        read("GET", f"{API}/me", teams.me, "The signed-in employee", "employees", response=EmployeeRead),
        write(
            "PATCH",
            f"{API}/me",
            teams.update_me,
            "Change your language or time zone (the web client's and emails')",
            "employees",
            body=Preferences,
            response=EmployeeRead,
        ),
        read(
            "GET",
            f"{API}/employees",
            teams.list_employees,
            "List employees",
            "employees",
            query=EmployeeQuery,
            response=list[EmployeeRead],
            scope="teams:read",
            errors=(404,),
        ),
        write(
            "POST",
            f"{API}/employees",
            teams.create_employee,
            "Pre-provision an employee (admin)",
            "employees",
            body=EmployeeCreate,
            response=EmployeeRead,
            status=201,
            errors=(409,),
        ),
        read(
            "GET",
            f"{API}/employees/{{employee_id}}",
            teams.get_employee,
            "Get an employee",
            "employees",
            response=EmployeeRead,
            scope="teams:read",
            errors=(404,),
        ),
    ]


def service_routes() -> list[Route]:
    return [
        write(
            "PUT",
            f"{API}/services/{{slug}}/standard",
            services.publish_standard,
            "Publish a new version of the service's standard (its provider team's leads, admins)",
            "services",
            body=StandardWrite,
            response=StandardRead,
            errors=(404,),
        ),
        read(
            "GET",
            f"{API}/services/{{slug}}/standard",
            services.current_standard,
            "The service's standard in force: how to request it and what its provider commits to",
            "services",
            response=StandardRead,
            scope="teams:read",
            errors=(404,),
        ),
        read(
            "GET",
            f"{API}/services/{{slug}}/standards",
            services.standard_history,
            "Every version of the service's standard, newest first",
            "services",
            response=list[StandardRead],
            scope="teams:read",
            errors=(404,),
        ),
        write(
            "POST",
            f"{API}/services",
            services.create_service,
            "Add a service to the map (admin or a lead of the provider team)",
            "services",
            body=ServiceCreate,
            response=ServiceRead,
            status=201,
            errors=(409,),
        ),
        read(
            "GET",
            f"{API}/services",
            services.list_services,
            "List services",
            "services",
            response=list[ServiceRead],
            scope="teams:read",
        ),
        read(
            "GET",
            f"{API}/services/{{slug}}",
            services.get_service,
            "Get a service",
            "services",
            response=ServiceRead,
            scope="teams:read",
            errors=(404,),
        ),
        write(
            "PATCH",
            f"{API}/services/{{slug}}",
            services.update_service,
            "Change a service (admin or a lead of the provider team)",
            "services",
            body=ServiceUpdate,
            response=ServiceRead,
            errors=(404,),
        ),
        read(
            "GET",
            f"{API}/service-map",
            services.service_map,
            "The service map: provider -> customer edges with their services and open ideas",
            "services",
            response=ServiceMap,
            scope="teams:read",
        ),
    ]


def idea_routes() -> list[Route]:
    return [
        write(
            "POST",
            f"{API}/ideas",
            actions.create_idea,
            "Post an idea (honours Idempotency-Key); into a campaign only while it collects ideas",
            "ideas",
            body=IdeaCreate,
            response=IdeaDetail,
            status=201,
            idempotent=True,
            errors=(409,),
        ),
        read(
            "GET",
            f"{API}/ideas",
            ideas.list_ideas,
            "List, filter, search and sort ideas",
            "ideas",
            query=IdeaQuery,
            response=IdeaPage,
            scope="ideas:read",
        ),
        read(
            "GET",
            f"{API}/ideas/{{idea_id}}",
            ideas.get_idea,
            "Get an idea with its status history",
            "ideas",
            response=IdeaDetail,
            scope="ideas:read",
            errors=(404,),
        ),
        write(
            "PATCH",
            f"{API}/ideas/{{idea_id}}",
            ideas.update_idea,
            "Edit an open idea (its author or an admin)",
            "ideas",
            body=IdeaUpdate,
            response=IdeaDetail,
            errors=(404, 409),
        ),
        write(
            "POST",
            f"{API}/ideas/{{idea_id}}/status",
            actions.change_status,
            "Move an idea through the workflow (provider team leads, admins)",
            "ideas",
            body=StatusChange,
            response=IdeaDetail,
            errors=(404, 409),
        ),
        write(
            "PUT",
            f"{API}/ideas/{{idea_id}}/vote",
            actions.cast_vote,
            "Vote for an idea (idempotent)",
            "votes",
            response=VoteState,
            errors=(404, 409),
        ),
        write(
            "DELETE",
            f"{API}/ideas/{{idea_id}}/vote",
            actions.withdraw_vote,
            "Withdraw your vote (idempotent)",
            "votes",
            response=VoteState,
            errors=(404, 409),
        ),
        write(
            "POST",
            f"{API}/ideas/{{idea_id}}/comments",
            comments.create_comment,
            "Comment on an idea (honours Idempotency-Key)",
            "comments",
            body=CommentWrite,
            response=CommentRead,
            status=201,
            errors=(404,),
            idempotent=True,
        ),
        read(
            "GET",
            f"{API}/ideas/{{idea_id}}/comments",
            comments.list_comments,
            "List an idea's comments, oldest first",
            "comments",
            query=CommentQuery,
            response=CommentPage,
            scope="ideas:read",
            errors=(404,),
        ),
        read(
            "GET",
            f"{API}/ideas/{{idea_id}}/comments/{{comment_id}}",
            comments.get_comment,
            "Get a comment",
            "comments",
            response=CommentRead,
            scope="ideas:read",
            errors=(404,),
        ),
        write(
            "PATCH",
            f"{API}/ideas/{{idea_id}}/comments/{{comment_id}}",
            comments.edit_comment,
            "Edit your comment",
            "comments",
            body=CommentWrite,
            response=CommentRead,
            errors=(404, 409),
        ),
        write(
            "DELETE",
            f"{API}/ideas/{{idea_id}}/comments/{{comment_id}}",
            comments.delete_comment,
            "Delete a comment, leaving a tombstone (its author or an admin)",
            "comments",
            status=204,
            errors=(404, 409),
        ),
    ]


def token_routes() -> list[Route]:
    return [
        write(
            "POST",
            f"{API}/tokens",
            tokens.create_token,
            "Create an API token for an integration (admin); the token is shown once",
            "tokens",
            body=TokenCreate,
            response=TokenCreated,
            status=201,
        ),
        read("GET", f"{API}/tokens", tokens.list_tokens, "List API tokens (admin)", "tokens", response=list[TokenRead]),
        read(
            "GET",
            f"{API}/tokens/{{token_id}}",
            tokens.get_token,
            "Get an API token (admin)",
            "tokens",
            response=TokenRead,
            errors=(404,),
        ),
        write(
            "DELETE",
            f"{API}/tokens/{{token_id}}",
            tokens.revoke_token,
            "Revoke an API token (admin)",
            "tokens",
            status=204,
            errors=(404,),
        ),
    ]


def pipeline_routes() -> list[Route]:
    return [
        read(
            "GET",
            f"{API}/routing-rules",
            routing.list_rules,
            "List routing rules (admin)",
            "routing",
            response=list[RoutingRuleRead],
        ),
        write(
            "POST",
            f"{API}/routing-rules",
            routing.create_rule,
            "Route ideas with a tag or keyword to a team (admin)",
            "routing",
            body=RoutingRuleCreate,
            response=RoutingRuleRead,
            status=201,
            errors=(409,),
        ),
        read(
            "GET",
            f"{API}/routing-rules/{{rule_id}}",
            routing.get_rule,
            "Get a routing rule (admin)",
            "routing",
            response=RoutingRuleRead,
            errors=(404,),
        ),
        write(
            "DELETE",
            f"{API}/routing-rules/{{rule_id}}",
            routing.delete_rule,
            "Delete a routing rule (admin)",
            "routing",
            status=204,
            errors=(404,),
        ),
        read(
            "GET",
            f"{API}/teams/{{slug}}/inbox",
            routing.inbox,
            "The team's routed ideas, by support and age (its leads, admins)",
            "routing",
            query=InboxQuery,
            response=list[InboxItem],
            errors=(404,),
        ),
        read(
            "POST",
            f"{API}/routing-preview",
            routing.preview_routing,
            "Which teams an idea about these services, teams, tags and words would reach",
            "routing",
            body=RoutingPreview,
            response=list[ReachedTeam],
            scope="ideas:read",
        ),
        read(
            "GET",
            f"{API}/ideas/{{idea_id}}/routings",
            routing.idea_routings,
            "The teams an idea was routed to, with their answers",
            "routing",
            response=list[RoutingRead],
            scope="ideas:read",
            errors=(404,),
        ),
        write(
            "POST",
            f"{API}/ideas/{{idea_id}}/routings/{{team}}/response",
            routing.respond,
            "Answer a routed idea for your team (its leads, admins)",
            "routing",
            body=RoutingResponse,
            response=RoutingRead,
            errors=(404, 409),
        ),
        write(
            "POST",
            f"{API}/ideas/{{idea_id}}/routings/{{team}}/position",
            routing.take_position,
            "Confirm or dispute the provider's decision for your customer team (its leads, admins); "
            "a dispute reopens the provider's routing",
            "routing",
            body=PositionWrite,
            response=RoutingRead,
            errors=(404, 409),
        ),
        read(
            "GET",
            f"{API}/ideas/{{idea_id}}/results",
            results.idea_results,
            "Votes broken down by the voters' teams and roles",
            "results",
            response=IdeaResults,
            scope="ideas:read",
            errors=(404,),
        ),
        write(
            "POST",
            f"{API}/teams/{{slug}}/digests",
            results.request_digest,
            "Compile the team's digest now (its leads, admins)",
            "results",
            response=DigestRead,
            status=201,
            errors=(404,),
        ),
        read(
            "GET",
            f"{API}/teams/{{slug}}/digests",
            results.list_digests,
            "The team's digests, newest first",
            "results",
            response=list[DigestRead],
            errors=(404,),
        ),
        read(
            "GET",
            f"{API}/teams/{{slug}}/digests/latest",
            results.latest_digest,
            "The team's latest digest",
            "results",
            response=DigestRead,
            errors=(404,),
        ),
        read(
            "GET",
            f"{API}/teams/{{slug}}/digests/{{digest_id}}",
            results.get_digest,
            "One of the team's digests",
            "results",
            response=DigestRead,
            errors=(404,),
        ),
        Route(
            "GET",
            f"{API}/events/types",
            events.list_event_types,
            "Every event type, as webhooks and the feed name it",
            "events",
            response=list[EventTypeRead],
            scope="events:read",
        ),
        # Both number committed events in a short transaction of their own, then read.
        Route(
            "GET",
            f"{API}/events",
            events.list_events,
            "The event feed (CloudEvents), replayable from any cursor (admins, events:read tokens)",
            "events",
            query=EventQuery,
            response=EventPage,
            scope="events:read",
        ),
        Route(
            "GET",
            f"{API}/events/stream",
            live.stream_events,
            "Live events as Server-Sent Events; resume with Last-Event-ID (admins, events:read tokens)",
            "events",
            query=StreamQuery,
            scope="events:read",
            errors=(429,),
            request_headers=("Last-Event-ID",),
            response=SSE_MESSAGE,
            content_type="text/event-stream",
        ),
        write(
            "POST",
            f"{API}/webhooks",
            webhooks.create_webhook,
            "Subscribe a URL to events; answers the signing secret once",
            "webhooks",
            body=WebhookCreate,
            response=WebhookCreated,
            status=201,
            scope="webhooks:manage",
            errors=(503,),
        ),
        read(
            "GET",
            f"{API}/webhooks",
            webhooks.list_webhooks,
            "List webhooks",
            "webhooks",
            response=list[WebhookRead],
            scope="webhooks:manage",
        ),
        read(
            "GET",
            f"{API}/webhooks/{{webhook_id}}",
            webhooks.get_webhook,
            "Get a webhook",
            "webhooks",
            response=WebhookRead,
            scope="webhooks:manage",
            errors=(404,),
        ),
        write(
            "PATCH",
            f"{API}/webhooks/{{webhook_id}}",
            webhooks.update_webhook,
            "Change a webhook (re-enabling clears its failure state)",
            "webhooks",
            body=WebhookUpdate,
            response=WebhookRead,
            scope="webhooks:manage",
            errors=(404,),
        ),
        write(
            "DELETE",
            f"{API}/webhooks/{{webhook_id}}",
            webhooks.delete_webhook,
            "Delete a webhook",
            "webhooks",
            status=204,
            scope="webhooks:manage",
            errors=(404,),
        ),
        read(
            "GET",
            f"{API}/webhooks/{{webhook_id}}/deliveries",
            webhooks.list_deliveries,
            "Deliveries with their attempts, status codes, timings and next retry",
            "webhooks",
            query=DeliveryQuery,
            response=list[DeliveryRead],
            scope="webhooks:manage",
            errors=(404,),
        ),
        write(
            "POST",
            f"{API}/webhooks/{{webhook_id}}/deliveries/{{delivery_id}}/redeliver",
            webhooks.redeliver,
            "Send a delivery again (same webhook-id)",
            "webhooks",
            status=202,
            scope="webhooks:manage",
            errors=(404,),
        ),
    ]


def notification_routes() -> list[Route]:
    me = f"{API}/me"
    routes = [
        read(
            "GET",
            f"{me}/notifications",
            notifications.list_notifications,
            "Your notifications: unread first, newest first",
            "notifications",
            query=NotificationQuery,
            response=NotificationPage,
        ),
        read(
            "GET",
            f"{me}/notifications/unread-count",
            notifications.unread_count,
            "How many of your notifications are unread",
            "notifications",
            response=UnreadCount,
        ),
        write(
            "POST",
            f"{me}/notifications/{{notification_id}}/read",
            notifications.mark_read,
            "Mark one of your notifications read (idempotent)",
            "notifications",
            status=204,
            errors=(404,),
        ),
        write(
            "POST",
            f"{me}/notifications/read",
            notifications.mark_all_read,
            "Mark all your notifications read (or those up to an id)",
            "notifications",
            body=ReadAll,
            response=Marked,
        ),
        read(
            "GET",
            f"{me}/notification-preferences",
            notifications.get_preferences,
            "What you hear about, and how: per kind, in the portal and by email",
            "notifications",
            response=list[KindPreference],
        ),
        write(
            "PUT",
            f"{me}/notification-preferences",
            notifications.save_preferences,
            "Choose instant, daily digest or off per kind, in the portal and by email",
            "notifications",
            body=PreferencesWrite,
            response=list[KindPreference],
        ),
        read(
            "GET",
            f"{me}/follows",
            notifications.my_follows,
            "What you follow",
            "notifications",
            response=list[FollowRead],
        ),
        read(
            "GET",
            f"{API}/ideas/{{idea_id}}/follow",
            notifications.idea_follow_state,
            "Whether you hear about an idea, and why",
            "notifications",
            response=FollowState,
            errors=(404,),
        ),
        write(
            "PUT",
            f"{API}/ideas/{{idea_id}}/follow",
            notifications.follow_idea,
            "Follow an idea (idempotent)",
            "notifications",
            response=FollowState,
            errors=(404,),
        ),
        write(
            "DELETE",
            f"{API}/ideas/{{idea_id}}/follow",
            notifications.unfollow_idea,
            "Unfollow an idea: nothing more about it, even as its author, voter or commenter (idempotent)",
            "notifications",
            response=FollowState,
            errors=(404,),
        ),
    ]
    for target, path, follow, unfollow in (
        ("a team's ideas (those routed to it)", "teams/{slug}", notifications.follow_team, notifications.unfollow_team),
        ("a service's ideas", "services/{slug}", notifications.follow_service, notifications.unfollow_service),
        ("ideas with a tag", "tags/{tag}", notifications.follow_tag, notifications.unfollow_tag),
    ):
        routes += [
            write(
                "PUT",
                f"{API}/{path}/follow",
                follow,
                f"Follow {target} (idempotent)",
                "notifications",
                status=204,
                errors=(404,),
            ),
            write(
                "DELETE",
                f"{API}/{path}/follow",
                unfollow,
                f"Stop following {target} (idempotent)",
                "notifications",
                status=204,
                errors=(404,),
            ),
        ]
    return routes


def campaign_routes() -> list[Route]:
    return [
        write(
            "POST",
            f"{API}/campaigns",
            campaigns.create_campaign,
            "Open a campaign: a question, its scope and its deadlines (admins, or leads of the team that runs it)",
            "campaigns",
            body=CampaignCreate,
            response=CampaignRead,
            status=201,
            errors=(409,),
        ),
        read(
            "GET",
            f"{API}/campaigns",
            campaigns.list_campaigns,
            "Campaigns, latest first; filter by the phase they are in now",
            "campaigns",
            query=CampaignQuery,
            response=list[CampaignRead],
            scope="ideas:read",
        ),
        read(
            "GET",
            f"{API}/campaigns/{{slug}}",
            campaigns.get_campaign,
            "A campaign: its phase now, your votes left, and its results once voting has ended",
            "campaigns",
            response=CampaignRead,
            scope="ideas:read",
            errors=(404,),
        ),
    ]


def scorecard_routes() -> list[Route]:
    return [
        write(
            "PUT",
            f"{API}/ideas/{{idea_id}}/outcome",
            ideas.note_outcome,
            "Note a done idea's outcome: what changed, what it saved (its provider team's leads, admins)",
            "ideas",
            body=OutcomeWrite,
            status=204,
            errors=(404, 409),
        ),
        read(
            "GET",
            f"{API}/services/{{slug}}/cases",
            ideas.service_cases,
            "The case library: a service's done ideas with their outcome notes, results and thanks",
            "ideas",
            query=CaseQuery,
            response=CasePage,
            scope="ideas:read",
            errors=(404,),
        ),
        read(
            "GET",
            f"{API}/teams/{{slug}}/scorecard",
            scorecards.team_scorecard,
            "A provider team's scorecard for a month, with its trend (compiled by the worker)",
            "scorecards",
            query=ScorecardQuery,
            response=Scorecard,
            scope="teams:read",
            errors=(404,),
        ),
        read(
            "GET",
            f"{API}/services/{{slug}}/scorecard",
            scorecards.service_scorecard,
            "A service's scorecard for a month, with its trend",
            "scorecards",
            query=ScorecardQuery,
            response=Scorecard,
            scope="teams:read",
            errors=(404,),
        ),
        read(
            "GET",
            f"{API}/scorecards",
            scorecards.company_scorecards,
            "Every provider team's scorecard side by side (admins)",
            "scorecards",
            query=ScorecardQuery,
            response=list[Scorecard],
        ),
        read(
            "GET",
            f"{API}/scorecards.csv",
            scorecards.company_csv,
            "Every team's and service's scorecard for a month as CSV (admins)",
            "scorecards",
            query=ScorecardQuery,
            response={"type": "string"},
            content_type="text/csv",
        ),
    ]


def survey_routes() -> list[Route]:
    return [
        write(
            "PUT",
            f"{API}/services/{{slug}}/pulse",
            surveys.schedule_pulse,
            "Set how often the service's pulse survey opens (its provider team's leads, admins)",
            "surveys",
            body=PulseSchedule,
            status=204,
            errors=(404,),
        ),
        write(
            "POST",
            f"{API}/services/{{slug}}/survey-rounds",
            surveys.open_pulse,
            "Open a pulse round now (its provider team's leads, admins)",
            "surveys",
            body=RoundOpen,
            response=RoundRead,
            status=201,
            errors=(404, 409),
        ),
        read(
            "GET",
            f"{API}/services/{{slug}}/survey-rounds",
            surveys.service_rounds,
            "The service's pulse rounds, newest first, with the results of closed ones",
            "surveys",
            response=list[RoundRead],
            scope="teams:read",
        ),
        read(
            "GET",
            f"{API}/survey-rounds/{{round_id}}",
            surveys.get_round,
            "A survey round; once closed, its results (no group of fewer answers than the minimum)",
            "surveys",
            response=RoundRead,
            scope="teams:read",
            errors=(404,),
        ),
        write(
            "PUT",
            f"{API}/survey-rounds/{{round_id}}/answer",
            surveys.answer,
            "Answer a round you are asked in, or change your answer while it is open",
            "surveys",
            body=AnswerWrite,
            response=MyAnswer,
            errors=(404, 409),
        ),
        read(
            "GET",
            f"{API}/me/surveys",
            surveys.my_surveys,
            "The open rounds you are asked in, with your answers",
            "surveys",
            response=list[MySurvey],
        ),
    ]


def thanks_routes() -> list[Route]:
    return [
        write(
            "POST",
            f"{API}/thanks",
            thanks.send_thanks,
            "Thank a team or a colleague (not yourself or your own team; honours Idempotency-Key)",
            "thanks",
            body=ThanksCreate,
            response=ThanksRead,
            status=201,
            idempotent=True,
        ),
        read(
            "GET",
            f"{API}/thanks",
            thanks.list_thanks,
            "Thanks you may read (public ones, and private ones to or from you or your team), newest first",
            "thanks",
            query=ThanksQuery,
            response=ThanksPage,
            scope="teams:read",
        ),
        read(
            "GET",
            f"{API}/thanks/{{thanks_id}}",
            thanks.get_thanks,
            "Get one thanks you may read",
            "thanks",
            response=ThanksRead,
            scope="teams:read",
            errors=(404,),
        ),
    ]


def all_routes() -> list[Route]:
    return [
        *operational_routes(),
        *team_routes(),
        *service_routes(),
        *idea_routes(),
        *token_routes(),
        *pipeline_routes(),
        *notification_routes(),
        *thanks_routes(),
        *campaign_routes(),
        *scorecard_routes(),
        *survey_routes(),
    ]


def page_routes(settings: Settings) -> list[Page]:
    """The web client's pages; not part of the API document."""
    pages = [
        Page("GET", "/", ideas_pages.idea_list),
        Page("GET", "/ideas/new", action_pages.idea_new),
        Page("GET", "/ideas/preview-routing", action_pages.routing_preview),
        Page("POST", "/ideas", action_pages.idea_create, tx="write"),
        Page("GET", "/ideas/{idea_id}", action_pages.idea_page),
        Page("GET", "/ideas/{idea_id}/edit", action_pages.idea_edit),
        Page("POST", "/ideas/{idea_id}/edit", action_pages.idea_update, tx="write"),
        Page("POST", "/ideas/{idea_id}/vote", action_pages.idea_vote, tx="write"),
        Page("POST", "/ideas/{idea_id}/comments", action_pages.comment_create, tx="write"),
        Page("GET", "/ideas/{idea_id}/comments/{comment_id}/edit", comments_pages.comment_edit),
        Page("POST", "/ideas/{idea_id}/comments/{comment_id}/edit", comments_pages.comment_update, tx="write"),
        Page("POST", "/ideas/{idea_id}/comments/{comment_id}/delete", comments_pages.comment_delete, tx="write"),
        Page("POST", "/ideas/{idea_id}/status", action_pages.idea_status, tx="write"),
        Page("POST", "/ideas/{idea_id}/routings/{team}/response", action_pages.routing_respond, tx="write"),
        Page("POST", "/ideas/{idea_id}/routings/{team}/position", action_pages.routing_position, tx="write"),
        Page("GET", "/live", live.live_counts, tx=None),
        Page("GET", "/teams/{slug}/inbox", routing_pages.team_inbox),
        Page("GET", "/teams/{slug}/digests", results_pages.team_digests),
        Page("POST", "/teams/{slug}/digests", results_pages.digest_compile, tx="write"),
        Page("GET", "/notifications", notifications_pages.notifications_page),
        Page("POST", "/notifications/read", notifications_pages.notifications_read_all, tx="write"),
        Page("POST", "/notifications/{notification_id}/read", notifications_pages.notification_read, tx="write"),
        Page("GET", "/settings/notifications", notifications_pages.preferences_page),
        Page("POST", "/settings/notifications", notifications_pages.preferences_save, tx="write"),
        Page("POST", "/ideas/{idea_id}/follow", notifications_pages.idea_follow, tx="write"),
        Page("POST", "/ideas/{idea_id}/outcome", action_pages.idea_outcome, tx="write"),
        Page("GET", "/services/{slug}/cases", ideas_pages.service_cases_page),
        Page("GET", "/unsubscribe/{token}", notifications_pages.unsubscribe_page, access="anyone", tx=None),
        Page("POST", "/unsubscribe/{token}", notifications_pages.unsubscribe_confirm, access="anyone", tx="write"),
        Page("GET", "/campaigns", campaigns_pages.campaigns_page),
        Page("POST", "/campaigns", campaigns_pages.campaign_create, tx="write"),
        Page("GET", "/campaigns/{slug}", campaigns_pages.campaign_page),
        Page("GET", "/teams/{slug}/scorecard", scorecards_pages.team_scorecard_page),
        Page("GET", "/admin/scorecards", scorecards_pages.admin_scorecards),
        Page("GET", "/surveys", surveys_pages.surveys_page),
        Page("POST", "/surveys/{round_id}", surveys_pages.survey_answer, tx="write"),
        Page("GET", "/survey-rounds/{round_id}", surveys_pages.round_page),
        Page("GET", "/thanks", thanks_pages.thanks_page),
        Page("POST", "/thanks", thanks_pages.thanks_send, tx="write"),
        Page("GET", "/settings", teams_pages.settings_page),
        Page("POST", "/settings", teams_pages.settings_save, tx="write"),
        Page("POST", "/settings/language", teams_pages.set_language, access="anyone", tx="write"),
        Page("GET", "/admin/teams", teams_pages.admin_teams),
        Page("POST", "/admin/teams", teams_pages.admin_team_create, tx="write"),
        Page("POST", "/admin/teams/{slug}/leads", teams_pages.admin_lead_add, tx="write"),
        Page("POST", "/admin/teams/{slug}/leads/{email}/delete", teams_pages.admin_lead_remove, tx="write"),
        Page("GET", "/admin/services", services_pages.admin_services),
        Page("POST", "/admin/services", services_pages.admin_service_create, tx="write"),
        Page("POST", "/admin/services/{slug}", services_pages.admin_service_update, tx="write"),
        Page("GET", "/admin/routing-rules", routing_pages.admin_rules),
        Page("POST", "/admin/routing-rules", routing_pages.admin_rule_create, tx="write"),
        Page("POST", "/admin/routing-rules/{rule_id}/delete", routing_pages.admin_rule_delete, tx="write"),
        Page("GET", "/admin/webhooks", webhooks_pages.admin_webhooks),
        Page("POST", "/admin/webhooks", webhooks_pages.admin_webhook_create, tx="write"),
        Page("GET", "/admin/webhooks/{webhook_id}", webhooks_pages.admin_webhook),
        Page("POST", "/admin/webhooks/{webhook_id}/enabled", webhooks_pages.admin_webhook_toggle, tx="write"),
        Page("POST", "/admin/webhooks/{webhook_id}/delete", webhooks_pages.admin_webhook_delete, tx="write"),
        Page(
            "POST",
            "/admin/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver",
            webhooks_pages.admin_redeliver,
            tx="write",
        ),
        Page("GET", "/admin/tokens", tokens_pages.admin_tokens),
        Page("POST", "/admin/tokens", tokens_pages.admin_token_create, tx="write"),
        Page("POST", "/admin/tokens/{token_id}/revoke", tokens_pages.admin_token_revoke, tx="write"),
        Page("GET", "/sign-in", auth_pages.sign_in, access="anyone"),
        Page("GET", "/auth/login", auth_pages.oidc_begin, access="anyone", tx="write"),
        Page("GET", "/auth/callback", auth_pages.oidc_callback, access="anyone", tx="write"),
        Page("POST", "/sign-out", auth_pages.sign_out, access="anyone", tx="write"),
    ]
    if settings.environment in ("development", "test"):  # never registered in production
        pages.append(Page("POST", "/dev/sign-in", auth_pages.dev_sign_in, access="anyone", tx="write"))
    if settings.environment == "development" and settings.dev_maildir:
        pages.append(Page("GET", "/dev/mail", notifications_pages.dev_mail, tx=None))
    return pages
