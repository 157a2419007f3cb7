"""Uploads a client got wrong are refused with a problem, never a 500."""

from __future__ import annotations

EMMA = "emma@example.com"
BOUNDARY = "5abc8a0748f69fc50cf0dae86e9afee9"


async def test_a_multipart_without_a_boundary_is_400(client, auth):
    headers = {**auth(EMMA), "Content-Type": "multipart/form-data"}
    response = await client.post("/api/v1/attachments", headers=headers, data=b"")
    assert response.status == 400
    assert response.content_type == "application/problem+json"


async def test_a_part_with_an_odd_name_beside_a_zip_is_answered(client, auth):
    body = (
        (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="ñø\x0e"\r\n\r\nnull\r\n'
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="file.zip"\r\n\r\n'
        ).encode()
        + b"PK\x03\x04\x14\x00\x00\x00\x00\x00P\xbc;]C\x00\x00\x00"
        + f"\r\n--{BOUNDARY}--\r\n".encode()
    )
    headers = {**auth(EMMA), "Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}
    response = await client.post("/api/v1/attachments", headers=headers, data=body)
    assert response.status in (400, 415, 422), await response.text()


async def test_a_body_that_is_not_multipart_is_415(client, auth):
    response = await client.post("/api/v1/attachments", headers=auth(EMMA), json={"file": "x"})
    assert response.status == 415
