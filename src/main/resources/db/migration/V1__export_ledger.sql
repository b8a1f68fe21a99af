-- The product's own tables: which interfaces exist, which files were made and
-- which ticket went in which file. Flyway creates the schema barcode_push.

-- One row per interface key, written the first time an instance runs it.
CREATE TABLE export_interface (
    interface_key        text PRIMARY KEY,
    first_started_at     timestamptz NOT NULL,
    -- Start of the last run that read every new ticket; the next run scans from
    -- this point minus the late-commit window.
    scanned_until        timestamptz,
    last_run_started_at  timestamptz,
    last_run_finished_at timestamptz,
    last_run_status      text CHECK (last_run_status IN ('SUCCEEDED', 'FAILED')),
    last_run_error       text,
    consecutive_failures integer NOT NULL DEFAULT 0
);

-- Contact numbers and sales channel codes mapped to an interface. A mapping
-- counts tickets created at or after counts_from, so a contact added to a
-- running interface does not send its history.
CREATE TABLE interface_mapping (
    interface_key  text NOT NULL REFERENCES export_interface,
    mapping_type   text NOT NULL CHECK (mapping_type IN ('CONTACT', 'SALES_CHANNEL')),
    mapping_value  text NOT NULL,
    first_seen_at  timestamptz NOT NULL,
    counts_from    timestamptz NOT NULL,
    active         boolean NOT NULL,
    PRIMARY KEY (interface_key, mapping_type, mapping_value)
);

-- One row per export file, recorded with its tickets before it is mailed.
CREATE TABLE export_file (
    file_id            bigserial PRIMARY KEY,
    interface_key      text NOT NULL REFERENCES export_interface,
    file_name          text NOT NULL,
    content            bytea NOT NULL,
    content_type       text NOT NULL,
    message_id         text NOT NULL UNIQUE,
    subject            text NOT NULL,
    row_count          integer NOT NULL,
    status             text NOT NULL CHECK (status IN ('PENDING', 'SENT', 'FAILED')),
    attempts           integer NOT NULL DEFAULT 0,
    last_error         text,
    sent_to            text,
    refused_recipients text,
    created_at         timestamptz NOT NULL DEFAULT now(),
    last_attempt_at    timestamptz,
    sent_at            timestamptz,
    UNIQUE (interface_key, file_name)
);

CREATE INDEX export_file_pending_idx ON export_file (interface_key, file_id) WHERE status = 'PENDING';

-- Which ticket went in which file. The primary key makes sure a ticket is
-- recorded for an interface once.
CREATE TABLE export_file_ticket (
    interface_key text NOT NULL,
    ticket_id     bigint NOT NULL,
    file_id       bigint NOT NULL REFERENCES export_file,
    ticket_state  text NOT NULL,
    PRIMARY KEY (interface_key, ticket_id)
);

CREATE INDEX export_file_ticket_file_idx ON export_file_ticket (file_id);

-- Feed rows that cannot be sent (no barcode, unknown state). They are read
-- again by every run until the data is fixed and they go out.
CREATE TABLE rejected_ticket (
    interface_key     text NOT NULL REFERENCES export_interface,
    ticket_id         bigint NOT NULL,
    ticket_created_at timestamptz NOT NULL,
    reason            text NOT NULL,
    first_rejected_at timestamptz NOT NULL,
    last_rejected_at  timestamptz NOT NULL,
    PRIMARY KEY (interface_key, ticket_id)
);
