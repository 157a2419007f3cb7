from __future__ import annotations

from portal.campaigns import service
from portal.campaigns.schemas import CampaignRead
from portal.http.call import Call, Created


async def create_campaign(call: Call) -> Created:
    campaign = await service.create_campaign(call.conn, call.caller, call.body)
    return Created(campaign, call.url_for("get_campaign", slug=campaign.slug))


async def list_campaigns(call: Call) -> list[CampaignRead]:
    return await service.list_campaigns(call.conn, call.caller, call.query)


async def get_campaign(call: Call) -> CampaignRead:
    return await service.get_campaign(call.conn, call.caller, **call.path)
