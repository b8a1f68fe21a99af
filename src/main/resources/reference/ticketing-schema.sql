-- Reference ticketing schema: a small model of a ticketing system's tables and
-- the ticket feed view over them. The demo, the tests and the benchmarks use
-- it; in production the operator defines the feed view over their own tables.

CREATE SCHEMA ticketing;

CREATE TABLE ticketing.contact (
    contact_id     bigserial PRIMARY KEY,
    contact_number text NOT NULL UNIQUE,
    name           text NOT NULL
);

CREATE TABLE ticketing.sales_channel (
    sales_channel_id bigserial PRIMARY KEY,
    code             text NOT NULL UNIQUE,
    name             text NOT NULL
);

CREATE TABLE ticketing.product (
    product_id bigserial PRIMARY KEY,
    code       text NOT NULL UNIQUE,
    name       text
);

CREATE TABLE ticketing.tariff (
    tariff_id bigserial PRIMARY KEY,
    code      text NOT NULL UNIQUE,
    name      text
);

CREATE TABLE ticketing.sales_order (
    order_id         bigserial PRIMARY KEY,
    file_number      text NOT NULL UNIQUE,
    contact_id       bigint REFERENCES ticketing.contact,
    sales_channel_id bigint REFERENCES ticketing.sales_channel,
    order_date       timestamptz NOT NULL,
    status           text NOT NULL CHECK (status IN ('RESERVED', 'PAID', 'CANCELLED'))
);

CREATE TABLE ticketing.ticket (
    ticket_id     bigserial PRIMARY KEY,
    order_id      bigint NOT NULL REFERENCES ticketing.sales_order,
    product_id    bigint REFERENCES ticketing.product,
    tariff_id     bigint REFERENCES ticketing.tariff,
    bar_code      text,
    state         text NOT NULL,
    validity_date timestamp without time zone,
    price         numeric(12, 2),
    currency      text,
    -- now() is the start of the inserting transaction, which may commit later.
    created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX ticket_created_at_idx ON ticketing.ticket (created_at, ticket_id);
CREATE INDEX sales_order_contact_idx ON ticketing.sales_order (contact_id);
CREATE INDEX sales_order_sales_channel_idx ON ticketing.sales_order (sales_channel_id);

-- The ticket feed: one row per sold ticket. Unpaid reservations are not sold.
CREATE VIEW ticketing.ticket_feed AS
SELECT t.ticket_id,
       t.bar_code,
       t.state AS ticket_state,
       o.file_number,
       p.code AS product_code,
       p.name AS product_name,
       t.validity_date,
       tf.code AS tariff_code,
       tf.name AS tariff_name,
       t.price,
       t.currency,
       o.order_date,
       c.contact_number,
       sc.code AS sales_channel_code,
       t.created_at
FROM ticketing.ticket t
JOIN ticketing.sales_order o ON o.order_id = t.order_id
LEFT JOIN ticketing.contact c ON c.contact_id = o.contact_id
LEFT JOIN ticketing.sales_channel sc ON sc.sales_channel_id = o.sales_channel_id
LEFT JOIN ticketing.product p ON p.product_id = t.product_id
LEFT JOIN ticketing.tariff tf ON tf.tariff_id = t.tariff_id
WHERE o.status <> 'RESERVED';
