"""SQL for this domain, as $n-parameterised constants."""

from __future__ import annotations

TOKEN_COLUMNS = "id, name, prefix, scopes, created_at, last_used_at, revoked_at"

INSERT_TOKEN = f"""
INSERT INTO api_tokens (name, token_hash, prefix, scopes, created_by) VALUES ($1, $2, $3, $4, $5)
RETURNING {TOKEN_COLUMNS}
"""

LIST_TOKENS = f"SELECT {TOKEN_COLUMNS} FROM api_tokens ORDER BY id"

GET_TOKEN = f"SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE id = $1"

REVOKE_TOKEN = "UPDATE api_tokens SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1 RETURNING id"
