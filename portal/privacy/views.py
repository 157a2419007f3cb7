from __future__ import annotations

from portal.http.call import Call
from portal.privacy import erasure, export
from portal.privacy.erasure import Erased, ErasureRequest
from portal.privacy.schemas import PersonalData


async def my_data(call: Call) -> PersonalData:
    """Download everything the portal holds about you

    Your profile, ideas, comments, votes, follows, thanks sent and received, notification settings
    and notifications, your answers in survey rounds still open, your answers as a lead, uploads
    and sign-in sessions. Never other people's data beyond what the portal shows you."""
    return PersonalData.model_validate(await export.personal_data(call.conn, call.caller))


async def erase_employee(call: Call, body: ErasureRequest) -> Erased:
    """Erase an employee's personal data, on their request (admin)

    Their name, email and sign-in subject become a pseudonym; private thanks, notifications,
    follows, sessions, settings and their directory record are deleted; their ideas and comments
    stay under the pseudonym or are removed (`contributions`). Cannot be undone. Recorded in the
    audit trail; integrations get `employee.erased`."""
    return await erasure.erase(call.conn, call.caller, employee_id=call.path["employee_id"], data=body)
