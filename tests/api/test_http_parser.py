"""Requests aiohttp's HTTP parser refuses before the app sees them: problem+json, nothing echoed."""

from __future__ import annotations

import asyncio
import json
import logging

import pytest

LONG = b"a" * 10_000

MALFORMED = {
    "a raw non-ASCII query": "GET /api/v1/ideas?q=印刷 HTTP/1.1\r\nHost: x\r\n\r\n".encode(),
    "a 10 KB URL": b"GET /" + LONG + b" HTTP/1.1\r\nHost: x\r\n\r\n",
    "a header over 8,190 bytes": b"GET / HTTP/1.1\r\nHost: x\r\nX-Long: " + LONG + b"\r\n\r\n",
    "an unknown method": b"BR\x01W / HTTP/1.1\r\nHost: x\r\n\r\n",
    "a bad Content-Length": b"POST /api/v1/ideas HTTP/1.1\r\nHost: x\r\nContent-Length: zz\r\n\r\n",
    "a bad chunk size": b"POST /api/v1/ideas HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    "a control character in a header": b"GET / HTTP/1.1\r\nHost: x\r\nX-Bad: a\x01aaaa\r\n\r\n",
}


async def _send_raw(client, request: bytes) -> tuple[int, dict[str, str], bytes]:
    reader, writer = await asyncio.open_connection(client.host, client.port)
    try:
        writer.write(request)
        await writer.drain()
        raw = await asyncio.wait_for(reader.read(), 5)
    finally:
        writer.close()
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:])
    return int(lines[0].split()[1]), {k.lower(): v for k, v in headers.items()}, body


@pytest.mark.parametrize("request_bytes", MALFORMED.values(), ids=MALFORMED.keys())
async def test_a_request_the_parser_refuses_is_a_problem_that_quotes_nothing(client, request_bytes):
    status, headers, body = await _send_raw(client, request_bytes)
    assert status == 400
    assert headers["content-type"].startswith("application/problem+json")
    problem = json.loads(body)
    assert problem["status"] == 400 and problem["detail"]
    assert b"\xe5" not in body and b"aaaa" not in body and b"zz" not in body


async def test_a_refused_request_is_logged_at_info_without_a_traceback(client, caplog):
    caplog.set_level(logging.DEBUG)
    await _send_raw(client, MALFORMED["a raw non-ASCII query"])
    refused = [r for r in caplog.records if r.name == "portal.http"]
    assert [r.levelno for r in refused] == [logging.INFO] and refused[0].exc_info is None
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_the_same_query_percent_encoded_is_answered(client, auth):
    response = await client.get("/api/v1/ideas?q=%E5%8D%B0%E5%88%B7", headers=auth())
    assert response.status == 200
