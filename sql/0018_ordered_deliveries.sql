-- portal:replaces 0db38679a179eabca4779266f211ce71045cb9f3c2846afe12278476ee73e3be
-- Webhook deliveries go out in line: for one webhook, an event about a subject (an idea, a team)
-- is sent only after every earlier one about the same subject is done (delivered, or given up),
-- so a receiver sees what happened to each idea in the order it happened (portal.webhooks.delivery).
-- Deliveries made before this migration have no subject and keep no line.
-- portal:step schema
ALTER TABLE webhook_deliveries ADD COLUMN subject text;
-- portal:step concurrently
CREATE INDEX CONCURRENTLY webhook_deliveries_line_idx ON webhook_deliveries (webhook_id, subject, id) WHERE state = 'pending';
