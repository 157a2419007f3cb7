"""Votes, held to a campaign's voting window and budget when the idea is in one."""

from __future__ import annotations

from portal.auth.caller import Caller
from portal.campaigns import service as campaigns
from portal.db import Connection
from portal.votes import service as votes
from portal.votes.schemas import VoteState


async def cast_vote(conn: Connection, caller: Caller, *, idea_id: int) -> VoteState:
    """Votes for the idea (or the idea a duplicate was merged into); a campaign's idea only while the
    campaign takes votes and within the voter's budget, counted with this vote (else the whole
    transaction, the vote included, rolls back)."""
    vote = await votes.cast_vote(conn, caller, idea_id=idea_id)
    if vote.campaign_id is not None and vote.changed:
        await campaigns.check_vote(conn, campaign_id=vote.campaign_id, employee_id=vote.voter_id, casting=True)
    return vote.state


async def withdraw_vote(conn: Connection, caller: Caller, *, idea_id: int) -> VoteState:
    """Withdraws the vote; a campaign's idea only while the campaign takes votes."""
    vote = await votes.withdraw_vote(conn, caller, idea_id=idea_id)
    if vote.campaign_id is not None and vote.changed:
        await campaigns.check_vote(conn, campaign_id=vote.campaign_id, employee_id=vote.voter_id, casting=False)
    return vote.state
