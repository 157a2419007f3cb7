"""SQL for this domain, as $n-parameterised constants."""

from __future__ import annotations

SERVICE_SELECT = """
SELECT s.id, s.slug, s.name, s.description, s.created_at, s.updated_at, p.slug AS provider_team,
       s.provider_team_id,
       ARRAY(SELECT t.slug FROM service_customers c JOIN teams t ON t.id = c.team_id
             WHERE c.service_id = s.id ORDER BY t.slug) AS customer_teams
FROM services s JOIN teams p ON p.id = s.provider_team_id
"""

INSERT_SERVICE = """
INSERT INTO services (slug, name, description, provider_team_id) VALUES ($1, $2, $3, $4)
ON CONFLICT (slug) DO NOTHING RETURNING id
"""

UPDATE_SERVICE = """
UPDATE services SET name = coalesce($2, name), description = coalesce($3, description),
                    updated_at = now()
WHERE id = $1
"""

CLEAR_CUSTOMERS = "DELETE FROM service_customers WHERE service_id = $1"

ADD_CUSTOMERS = """
INSERT INTO service_customers (service_id, team_id)
SELECT $1, id FROM teams WHERE slug = ANY($2::text[])
"""

KNOWN_TEAMS = "SELECT slug FROM teams WHERE slug = ANY($1::text[])"

SERVICE_MAP_TEAMS = "SELECT slug, name FROM teams ORDER BY slug"

SERVICE_MAP_EDGES = """
SELECT p.slug AS provider, c.slug AS customer,
       array_agg(s.slug ORDER BY s.slug) AS services,
       (SELECT count(DISTINCT i.id) FROM idea_services x JOIN ideas i ON i.id = x.idea_id
        WHERE x.service_id = ANY(array_agg(s.id)) AND i.status <> ALL($1::text[])) AS open_ideas
FROM services s
JOIN teams p ON p.id = s.provider_team_id
JOIN service_customers sc ON sc.service_id = s.id
JOIN teams c ON c.id = sc.team_id
GROUP BY p.slug, c.slug
ORDER BY p.slug, c.slug
"""

SERVICE_NAMES = """
SELECT s.slug, s.name, p.slug AS provider_team FROM services s JOIN teams p ON p.id = s.provider_team_id ORDER BY s.slug
"""
