-- Retries with back-off, files that stopped being retried, and alert state.

-- When a pending file may be tried again; NULL means at once.
ALTER TABLE export_file ADD COLUMN next_attempt_at timestamptz;
-- Set when the file stopped being retried (status FAILED).
ALTER TABLE export_file ADD COLUMN failed_at timestamptz;

-- Set when the failure alert for the current run of failures went out, and
-- cleared by the recovery alert.
ALTER TABLE export_interface ADD COLUMN alert_sent_at timestamptz;
