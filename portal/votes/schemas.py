from __future__ import annotations

from portal.schemas import Output


class VoteState(Output):
    idea_id: int
    voted: bool
    vote_count: int
