from __future__ import annotations

from portal.campaigns import service
from portal.campaigns.schemas import CampaignCreate, CampaignQuery, CampaignRead
from portal.http.call import Call, Created


async def create_campaign(call: Call, body: CampaignCreate) -> Created[CampaignRead]:
    """Open a campaign: a question, its scope and its deadlines (admins, or leads of the team that runs it)"""
    campaign = await service.create_campaign(call.conn, call.caller, body)
    return Created(campaign, call.url_for("get_campaign", slug=campaign.slug))


async def list_campaigns(call: Call, query: CampaignQuery) -> list[CampaignRead]:
    """Campaigns, latest first; filter by the phase they are in now"""
    return await service.list_campaigns(call.conn, call.caller, query)


async def get_campaign(call: Call) -> CampaignRead:
    """A campaign: its phase now, your votes left, and its results once voting has ended"""
    return await service.get_campaign(call.conn, call.caller, **call.path)
