"""Every URL in one place, one line a route: the API's operations (the OpenAPI document is built
from them) and the web client's pages. `read` runs the handler in a read-only snapshot, `write` in a
transaction counted against the write rate limit, `plain` in none; `scope` is the API-token scope
that may call it too (else employees only), `public` needs no credentials. Body, query and
response types come from the handler's signature and the summary from its docstring
(portal.web.spec.route). A `page` is a GET, a `form` a POST in a transaction."""

from __future__ import annotations

from portal.actions import pages as action_pages
from portal.actions import views as actions
from portal.attachments import pages as attachment_pages
from portal.attachments import views as attachments
from portal.audit import pages as audit_pages
from portal.campaigns import pages as campaigns_pages
from portal.campaigns import views as campaigns
from portal.chat import pages as chat_pages
from portal.chat import views as chat
from portal.comments import pages as comments_pages
from portal.comments import views as comments
from portal.config import Settings
from portal.directory import pages as directory_pages
from portal.directory import views as directory
from portal.events import views as events
from portal.ideas import pages as ideas_pages
from portal.ideas import views as ideas
from portal.moderation import pages as moderation_pages
from portal.moderation import views as moderation
from portal.notifications import pages as notifications_pages
from portal.notifications import views as notifications
from portal.privacy import pages as privacy_pages
from portal.privacy import views as privacy
from portal.results import pages as results_pages
from portal.results import views as results
from portal.routing import pages as routing_pages
from portal.routing import views as routing
from portal.scim import discovery as scim_discovery
from portal.scim import groups as scim_groups
from portal.scim import search as scim_search
from portal.scim import users as scim_users
from portal.scim.http import ScimRoute
from portal.scim.http import read as scim_read
from portal.scim.http import write as scim_write
from portal.scorecards import pages as scorecards_pages
from portal.scorecards import views as scorecards
from portal.services import pages as services_pages
from portal.services import views as services
from portal.signin import pages as signin
from portal.surveys import pages as surveys_pages
from portal.surveys import views as surveys
from portal.teams import pages as teams_pages
from portal.teams import views as teams
from portal.thanks import pages as thanks_pages
from portal.thanks import views as thanks
from portal.tokens import pages as tokens_pages
from portal.tokens import views as tokens
from portal.web import docs, health, live
from portal.web.pages import Page, form, page
from portal.web.spec import Route, group, plain, read, write
from portal.webhooks import pages as webhooks_pages
from portal.webhooks import views as webhooks

TEXT, OBJECT = {"type": "string"}, {"type": "object"}


def all_routes() -> list[Route]:
    return [
        *group(
            "moderation",
            write("POST", "/ideas/{idea_id}/report", moderation.report_idea, errors=(404, 409)),
            write(
                "POST",
                "/ideas/{idea_id}/comments/{comment_id}/report",
                moderation.report_comment,
                errors=(404, 409),
            ),
            write("POST", "/thanks/{thanks_id}/report", moderation.report_thanks, errors=(404, 409)),
            read("GET", "/moderation/cases", moderation.list_cases),
            write("POST", "/moderation/cases/{case_id}/hide", moderation.hide_case, errors=(404, 409)),
            write("POST", "/moderation/cases/{case_id}/dismiss", moderation.dismiss_case, errors=(404, 409)),
            write("POST", "/moderation/cases/{case_id}/restore", moderation.restore_case, errors=(404, 409)),
            write("POST", "/moderation/cases/{case_id}/review", moderation.request_review, errors=(404, 409)),
            write("PUT", "/moderators/{email}", moderation.give_moderator, errors=(404,)),
            write("DELETE", "/moderators/{email}", moderation.take_moderator, errors=(404,)),
        ),
        *group(
            "operations",
            plain("GET", "/healthz", health.healthz, public=True),
            plain("GET", "/readyz", health.readyz, public=True, errors=(503,)),
            plain("GET", "/metrics", health.metrics, public=True, content_type="text/plain", response=TEXT),
            plain("GET", "/openapi.json", docs.openapi_json, public=True, response=OBJECT),
            plain("GET", "/docs", docs.docs, public=True, content_type="text/html", response=TEXT),
            plain("GET", "/problems", docs.problem_types, public=True, html=True),
            plain("GET", "/problems/{problem}", docs.problem_type, public=True, errors=(404,), html=True),
            prefix="",
        ),
        *group(
            "teams",
            write("POST", "/teams", teams.create_team, errors=(409,)),
            read("GET", "/teams", teams.list_teams, scope="teams:read"),
            read("GET", "/teams/{slug}", teams.get_team, scope="teams:read", errors=(404,)),
            write("PATCH", "/teams/{slug}", teams.update_team, errors=(404, 409)),
            write("PUT", "/teams/{slug}/leads/{email}", directory.assign_lead, errors=(404, 409)),
            write("DELETE", "/teams/{slug}/leads/{email}", directory.remove_lead, errors=(404, 409)),
            read("GET", "/teams/{slug}/chat", chat.get_chat, errors=(404,)),
            write("PUT", "/teams/{slug}/chat", chat.put_chat, errors=(404, 503)),
            write("DELETE", "/teams/{slug}/chat", chat.delete_chat, errors=(404,)),
        ),
        *group(
            "employees",
            read("GET", "/me", teams.me),
            read("GET", "/me/data", privacy.my_data),
            write("PATCH", "/me", teams.update_me),
            read("GET", "/employees", teams.list_employees, scope="teams:read", errors=(404,)),
            write("POST", "/employees", teams.create_employee, errors=(409,)),
            write("POST", "/employees/{employee_id}/erasure", privacy.erase_employee, errors=(404, 409)),
            read("GET", "/employees/{employee_id}", teams.get_employee, scope="teams:read", errors=(404,)),
        ),
        *group(
            "services",
            write("PUT", "/services/{slug}/standard", services.publish_standard, errors=(404,)),
            read("GET", "/services/{slug}/standard", services.current_standard, scope="teams:read", errors=(404,)),
            read("GET", "/services/{slug}/standards", services.standard_history, scope="teams:read", errors=(404,)),
            write("POST", "/services", services.create_service, errors=(409,)),
            read("GET", "/services", services.list_services, scope="teams:read"),
            read("GET", "/services/{slug}", services.get_service, scope="teams:read", errors=(404,)),
            write("PATCH", "/services/{slug}", services.update_service, errors=(404,)),
            read("GET", "/service-map", services.service_map, scope="teams:read"),
            read("GET", "/services/{slug}/cases", ideas.service_cases, scope="ideas:read", errors=(404,)),
        ),
        *group(
            "ideas",
            write("POST", "/ideas", actions.create_idea, idempotent=True, errors=(409,)),
            read("GET", "/ideas", ideas.list_ideas, scope="ideas:read"),
            read("GET", "/similar-ideas", ideas.similar_ideas, scope="ideas:read"),
            read("GET", "/ideas/{idea_id}", ideas.get_idea, scope="ideas:read", errors=(404,)),
            read("GET", "/ideas/{idea_id}/history", ideas.idea_history, scope="ideas:read", errors=(404,)),
            write("PATCH", "/ideas/{idea_id}", ideas.update_idea, errors=(404, 409)),
            write("POST", "/ideas/{idea_id}/status", actions.change_status, errors=(404, 409)),
            write("PUT", "/ideas/{idea_id}/outcome", ideas.note_outcome, errors=(404, 409)),
        ),
        *group(
            "attachments",
            write(
                "POST", "/attachments", attachments.upload_attachment, status=201, upload=True, errors=(413, 415, 422)
            ),
            read("GET", "/attachments/{attachment_id}", attachments.get_attachment, scope="ideas:read", errors=(404,)),
            read(
                "GET",
                "/attachments/{attachment_id}/content",
                attachments.attachment_content,
                scope="ideas:read",
                errors=(404,),
                content_type="*/*",
                response={"type": "string", "format": "binary"},
            ),
            read(
                "GET",
                "/attachments/{attachment_id}/thumbnail",
                attachments.attachment_thumbnail,
                scope="ideas:read",
                errors=(404,),
                content_type="image/webp",
                response={"type": "string", "format": "binary"},
            ),
        ),
        *group(
            "votes",
            write("PUT", "/ideas/{idea_id}/vote", actions.cast_vote, errors=(404, 409)),
            write("DELETE", "/ideas/{idea_id}/vote", actions.withdraw_vote, errors=(404, 409)),
        ),
        *group(
            "comments",
            write("POST", "/ideas/{idea_id}/comments", comments.create_comment, idempotent=True, errors=(404,)),
            read("GET", "/ideas/{idea_id}/comments", comments.list_comments, scope="ideas:read", errors=(404,)),
            read(
                "GET", "/ideas/{idea_id}/comments/{comment_id}", comments.get_comment, scope="ideas:read", errors=(404,)
            ),
            write("PATCH", "/ideas/{idea_id}/comments/{comment_id}", comments.edit_comment, errors=(404, 409)),
            read(
                "GET",
                "/ideas/{idea_id}/comments/{comment_id}/history",
                ideas.comment_history,
                scope="ideas:read",
                errors=(404,),
            ),
            write("DELETE", "/ideas/{idea_id}/comments/{comment_id}", comments.delete_comment, errors=(404, 409)),
        ),
        *group(
            "tokens",
            write("POST", "/tokens", tokens.create_token),
            read("GET", "/tokens", tokens.list_tokens),
            read("GET", "/tokens/{token_id}", tokens.get_token, errors=(404,)),
            write("DELETE", "/tokens/{token_id}", tokens.revoke_token, errors=(404,)),
        ),
        *group(
            "routing",
            read("GET", "/routing-rules", routing.list_rules),
            write("POST", "/routing-rules", routing.create_rule, errors=(409,)),
            read("GET", "/routing-rules/{rule_id}", routing.get_rule, errors=(404,)),
            write("DELETE", "/routing-rules/{rule_id}", routing.delete_rule, errors=(404,)),
            read("GET", "/teams/{slug}/inbox", routing.inbox, errors=(404,)),
            read("POST", "/routing-preview", routing.preview_routing, scope="ideas:read"),
            read("GET", "/ideas/{idea_id}/routings", routing.idea_routings, scope="ideas:read", errors=(404,)),
            write("POST", "/ideas/{idea_id}/routings/{team}/response", routing.respond, errors=(404, 409)),
            write("POST", "/ideas/{idea_id}/routings/{team}/position", routing.take_position, errors=(404, 409)),
        ),
        *group(
            "results",
            read("GET", "/ideas/{idea_id}/results", results.idea_results, scope="ideas:read", errors=(404,)),
            write("POST", "/teams/{slug}/digests", results.request_digest, errors=(404,)),
            read("GET", "/teams/{slug}/digests", results.list_digests, errors=(404,)),
            read("GET", "/teams/{slug}/digests/latest", results.latest_digest, errors=(404,)),
            read("GET", "/teams/{slug}/digests/{digest_id}", results.get_digest, errors=(404,)),
        ),
        *group(
            "events",
            plain("GET", "/events/types", events.list_event_types, scope="events:read"),
            plain("GET", "/events", events.list_events, scope="events:read"),
            plain(
                "GET",
                "/events/stream",
                live.stream_events,
                scope="events:read",
                errors=(429,),
                request_headers=("Last-Event-ID",),
                content_type="text/event-stream",
                response=live.SSE_MESSAGE,
            ),
        ),
        *group(
            "webhooks",
            write("POST", "/webhooks", webhooks.create_webhook, errors=(503,)),
            read("GET", "/webhooks", webhooks.list_webhooks, errors=()),
            read("GET", "/webhooks/{webhook_id}", webhooks.get_webhook),
            write("PATCH", "/webhooks/{webhook_id}", webhooks.update_webhook),
            write("DELETE", "/webhooks/{webhook_id}", webhooks.delete_webhook),
            read("GET", "/webhooks/{webhook_id}/deliveries", webhooks.list_deliveries),
            write("POST", "/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver", webhooks.redeliver, status=202),
            scope="webhooks:manage",
            errors=(404,),
        ),
        *group(
            "notifications",
            read("GET", "/me/notifications", notifications.list_notifications),
            read("GET", "/me/notifications/unread-count", notifications.unread_count),
            write("POST", "/me/notifications/{notification_id}/read", notifications.mark_read, errors=(404,)),
            write("POST", "/me/notifications/read", notifications.mark_all_read),
            read("GET", "/me/notification-preferences", notifications.get_preferences),
            write("PUT", "/me/notification-preferences", notifications.save_preferences),
            read("GET", "/me/follows", notifications.my_follows),
            read("GET", "/ideas/{idea_id}/follow", notifications.idea_follow_state, errors=(404,)),
            write("PUT", "/ideas/{idea_id}/follow", notifications.follow_idea, errors=(404,)),
            write("DELETE", "/ideas/{idea_id}/follow", notifications.unfollow_idea, errors=(404,)),
            write("PUT", "/teams/{slug}/follow", notifications.follow_team, errors=(404,)),
            write("DELETE", "/teams/{slug}/follow", notifications.unfollow_team, errors=(404,)),
            write("PUT", "/services/{slug}/follow", notifications.follow_service, errors=(404,)),
            write("DELETE", "/services/{slug}/follow", notifications.unfollow_service, errors=(404,)),
            write("PUT", "/tags/{tag}/follow", notifications.follow_tag, errors=(404,)),
            write("DELETE", "/tags/{tag}/follow", notifications.unfollow_tag, errors=(404,)),
        ),
        *group(
            "thanks",
            write("POST", "/thanks", thanks.send_thanks, idempotent=True),
            read("GET", "/thanks", thanks.list_thanks, scope="teams:read"),
            read("GET", "/thanks/{thanks_id}", thanks.get_thanks, scope="teams:read", errors=(404,)),
        ),
        *group(
            "campaigns",
            write("POST", "/campaigns", campaigns.create_campaign, errors=(409,)),
            read("GET", "/campaigns", campaigns.list_campaigns, scope="ideas:read"),
            read("GET", "/campaigns/{slug}", campaigns.get_campaign, scope="ideas:read", errors=(404,)),
        ),
        *group(
            "scorecards",
            read("GET", "/teams/{slug}/scorecard", scorecards.team_scorecard, scope="teams:read", errors=(404,)),
            read("GET", "/services/{slug}/scorecard", scorecards.service_scorecard, scope="teams:read", errors=(404,)),
            read("GET", "/scorecards", scorecards.company_scorecards),
            read("GET", "/scorecards.csv", scorecards.company_csv, content_type="text/csv", response=TEXT),
        ),
        *group(
            "surveys",
            write("PUT", "/services/{slug}/pulse", surveys.schedule_pulse, errors=(404,)),
            write("POST", "/services/{slug}/survey-rounds", surveys.open_pulse, errors=(404, 409)),
            read("GET", "/services/{slug}/survey-rounds", surveys.service_rounds, scope="teams:read"),
            read("GET", "/survey-rounds/{round_id}", surveys.get_round, scope="teams:read", errors=(404,)),
            write("PUT", "/survey-rounds/{round_id}/answer", surveys.answer, errors=(404, 409)),
            read("GET", "/me/surveys", surveys.my_surveys),
        ),
    ]


def scim_routes() -> list[ScimRoute]:
    """SCIM 2.0 for the identity provider, under /scim/v2 (portal.scim): API tokens with the `scim`
    scope only, SCIM bodies and errors, not part of the OpenAPI document."""
    return [
        scim_read("GET", "/ServiceProviderConfig", scim_discovery.get_service_provider_config),
        scim_read("GET", "/ResourceTypes", scim_discovery.list_resource_types),
        scim_read("GET", "/ResourceTypes/{id}", scim_discovery.get_resource_type),
        scim_read("GET", "/Schemas", scim_discovery.list_schemas),
        scim_read("GET", "/Schemas/{id}", scim_discovery.get_schema),
        scim_read("GET", "/Users", scim_users.list_users),
        scim_read("POST", "/Users/.search", scim_users.search_users),
        scim_write("POST", "/Users", scim_users.create_user),
        scim_read("GET", "/Users/{id}", scim_users.get_user),
        scim_write("PUT", "/Users/{id}", scim_users.replace_user),
        scim_write("PATCH", "/Users/{id}", scim_users.patch_user),
        scim_write("DELETE", "/Users/{id}", scim_users.delete_user),
        scim_read("GET", "/Groups", scim_groups.list_groups),
        scim_read("POST", "/Groups/.search", scim_groups.search_groups),
        scim_write("POST", "/Groups", scim_groups.create_group),
        scim_read("GET", "/Groups/{id}", scim_groups.get_group),
        scim_write("PUT", "/Groups/{id}", scim_groups.replace_group),
        scim_write("PATCH", "/Groups/{id}", scim_groups.patch_group),
        scim_write("DELETE", "/Groups/{id}", scim_groups.delete_group),
        scim_read("POST", "/.search", scim_search.search_all),
        scim_read("POST", "/Bulk", scim_discovery.bulk),
    ]


def page_routes(settings: Settings) -> list[Page]:
    """The web client's pages; not part of the API document."""
    pages = [
        # ideas: the list, the idea page and its forms (portal.actions.pages), the case library
        page("/", ideas_pages.idea_list),
        page("/ideas/new", action_pages.idea_new),
        page("/ideas/preview-routing", action_pages.routing_preview),
        page("/ideas/similar", ideas_pages.similar_ideas_hint),
        form("/ideas", action_pages.idea_create, upload=True),
        page("/ideas/{idea_id}", action_pages.idea_page),
        page("/ideas/{idea_id}/edit", action_pages.idea_edit),
        page("/ideas/{idea_id}/history", ideas_pages.idea_history_page),
        page("/ideas/{idea_id}/comments/{comment_id}/history", ideas_pages.comment_history_page),
        form("/ideas/{idea_id}/edit", action_pages.idea_update, upload=True),
        form("/ideas/{idea_id}/vote", action_pages.idea_vote),
        form("/ideas/{idea_id}/comments", action_pages.comment_create, upload=True),
        # attachments: their bytes for readers, and the upload a pasted or dropped file makes
        page("/attachments/{attachment_id}", attachment_pages.attachment_file),
        page("/attachments/{attachment_id}/thumbnail", attachment_pages.attachment_thumbnail_file),
        form("/attachments", attachment_pages.attachment_upload, upload=True),
        page("/ideas/{idea_id}/comments/{comment_id}/edit", comments_pages.comment_edit),
        form("/ideas/{idea_id}/comments/{comment_id}/edit", comments_pages.comment_update),
        form("/ideas/{idea_id}/comments/{comment_id}/delete", comments_pages.comment_delete),
        form("/ideas/{idea_id}/status", action_pages.idea_status),
        form("/ideas/{idea_id}/routings/{team}/response", action_pages.routing_respond),
        form("/ideas/{idea_id}/routings/{team}/position", action_pages.routing_position),
        form("/ideas/{idea_id}/outcome", action_pages.idea_outcome),
        form("/ideas/{idea_id}/follow", notifications_pages.idea_follow),
        page("/services/{slug}/cases", ideas_pages.service_cases_page),
        page("/live", live.live_counts, tx=None),
        # teams: a lead's inbox, digests and scorecard; campaigns, surveys, thanks
        page("/teams/{slug}/inbox", routing_pages.team_inbox),
        page("/teams/{slug}/digests", results_pages.team_digests),
        form("/teams/{slug}/digests", results_pages.digest_compile),
        page("/teams/{slug}/scorecard", scorecards_pages.team_scorecard_page),
        page("/teams/{slug}/channels", chat_pages.team_channels),
        form("/teams/{slug}/channels", chat_pages.channels_save),
        page("/campaigns", campaigns_pages.campaigns_page),
        form("/campaigns", campaigns_pages.campaign_create),
        page("/campaigns/{slug}", campaigns_pages.campaign_page),
        page("/surveys", surveys_pages.surveys_page),
        form("/surveys/{round_id}", surveys_pages.survey_answer),
        page("/survey-rounds/{round_id}", surveys_pages.round_page),
        page("/thanks", thanks_pages.thanks_page),
        form("/thanks", thanks_pages.thanks_send),
        # notifications and one's own settings
        page("/notifications", notifications_pages.notifications_page),
        form("/notifications/read", notifications_pages.notifications_read_all),
        form("/notifications/{notification_id}/read", notifications_pages.notification_read),
        page("/settings/notifications", notifications_pages.preferences_page),
        form("/settings/notifications", notifications_pages.preferences_save),
        page("/unsubscribe/{token}", notifications_pages.unsubscribe_page, access="anyone", tx=None),
        form("/unsubscribe/{token}", notifications_pages.unsubscribe_confirm, access="anyone"),
        page("/people/matches", teams_pages.people_matches),
        page("/settings", teams_pages.settings_page),
        page("/settings/my-data.json", privacy_pages.my_data_download),
        form("/settings", teams_pages.settings_save),
        form("/settings/language", teams_pages.set_language, access="anyone"),
        # admins
        page("/admin/teams", teams_pages.admin_teams),
        form("/admin/teams", teams_pages.admin_team_create),
        form("/admin/teams/{slug}/leads", directory_pages.admin_lead_add),
        form("/admin/teams/{slug}/leads/{email}/delete", directory_pages.admin_lead_remove),
        page("/admin/services", services_pages.admin_services),
        form("/admin/services", services_pages.admin_service_create),
        form("/admin/services/{slug}", services_pages.admin_service_update),
        page("/admin/routing-rules", routing_pages.admin_rules),
        form("/admin/routing-rules", routing_pages.admin_rule_create),
        form("/admin/routing-rules/{rule_id}/delete", routing_pages.admin_rule_delete),
        page("/admin/webhooks", webhooks_pages.admin_webhooks),
        form("/admin/webhooks", webhooks_pages.admin_webhook_create),
        page("/admin/webhooks/{webhook_id}", webhooks_pages.admin_webhook),
        form("/admin/webhooks/{webhook_id}/enabled", webhooks_pages.admin_webhook_toggle),
        form("/admin/webhooks/{webhook_id}/delete", webhooks_pages.admin_webhook_delete),
        form("/admin/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver", webhooks_pages.admin_redeliver),
        page("/admin/tokens", tokens_pages.admin_tokens),
        form("/admin/tokens", tokens_pages.admin_token_create),
        form("/admin/tokens/{token_id}/revoke", tokens_pages.admin_token_revoke),
        page("/admin/scorecards", scorecards_pages.admin_scorecards),
        page("/admin/scorecards.csv", scorecards_pages.admin_scorecards_csv),
        page("/admin/directory", directory_pages.admin_directory),
        form("/ideas/{idea_id}/report", moderation_pages.idea_report),
        form("/ideas/{idea_id}/comments/{comment_id}/report", moderation_pages.comment_report),
        form("/thanks/{thanks_id}/report", moderation_pages.thanks_report),
        page("/moderation", moderation_pages.moderation_page),
        form("/moderation/{case_id}/hide", moderation_pages.case_hide),
        form("/moderation/{case_id}/dismiss", moderation_pages.case_dismiss),
        form("/moderation/{case_id}/restore", moderation_pages.case_restore),
        form("/moderation/{case_id}/review", moderation_pages.case_review),
        form("/moderation/moderators", moderation_pages.moderator_add),
        form("/moderation/moderators/{email}/remove", moderation_pages.moderator_remove),
        page("/admin/audit", audit_pages.admin_audit),
        page("/admin/audit.csv", audit_pages.admin_audit_csv),
        page("/admin/directory/import", directory_pages.admin_import),
        form("/admin/directory/import", directory_pages.admin_import_check, upload=True),
        form("/admin/directory/erasure", privacy_pages.admin_erase),
        page("/admin/directory/import/{import_id}", directory_pages.admin_import_result),
        form("/admin/directory/import/{import_id}/apply", directory_pages.admin_import_apply),
        # signing in and out
        page("/sign-in", signin.sign_in, access="anyone"),
        page("/auth/login", signin.oidc_begin, access="anyone", tx="write"),
        page("/auth/callback", signin.oidc_callback, access="anyone", tx="write"),
        form("/sign-out", signin.sign_out, access="anyone"),
    ]
    if settings.environment in ("development", "test"):  # never registered in production
        pages.append(form("/dev/sign-in", signin.dev_sign_in, access="anyone"))
    if settings.environment == "development" and settings.dev_maildir:
        pages.append(page("/dev/mail", notifications_pages.dev_mail, tx=None))
    return pages
