-- A send batch leases its queued emails and marks each one 'sending' only just before its own SMTP
-- transaction (portal.notifications.emails), so a worker killed mid-batch leaves at most one
-- email uncertain; the rest stay queued and are sent once the lease runs out.
ALTER TABLE notification_emails ADD COLUMN lease_until timestamptz;
