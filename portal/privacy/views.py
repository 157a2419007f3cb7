from __future__ import annotations

from portal.http.call import Call
from portal.privacy import export
from portal.privacy.schemas import PersonalData


async def my_data(call: Call) -> PersonalData:
    """Download everything the portal holds about you

    Your profile, ideas, comments, votes, follows, thanks sent and received, notification settings
    and notifications, your answers in survey rounds still open, your answers as a lead, uploads
    and sign-in sessions. Never other people's data beyond what the portal shows you."""
    return PersonalData.model_validate(await export.personal_data(call.conn, call.caller))
