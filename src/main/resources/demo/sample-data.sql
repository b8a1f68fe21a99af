-- Sample data for the demo: four contacts, four sales channels, 60 orders
-- and a few hundred tickets sold from 2026-11-20 on. Names contain accents,
-- non-Latin scripts, ';' and '"'; barcodes have leading zeros and 22 digits.

COMMENT ON SCHEMA ticketing IS 'barcode-push demo data';

INSERT INTO ticketing.contact (contact_number, name) VALUES
    ('C-1001', 'Alpine Travel AG'),
    ('C-1002', 'Walk-in customer'),
    ('C-1003', 'City Venue partner account'),
    ('C-1004', 'Private buyer');

INSERT INTO ticketing.sales_channel (code, name) VALUES
    ('WEB', 'Web shop'),
    ('BOX-OFFICE', 'Box office'),
    ('LAKESIDE-DESK', 'Lakeside tourist office desk'),
    ('CITY-VENUE-POS', 'City Venue point of sale');

INSERT INTO ticketing.product (code, name) VALUES
    ('OPERA-TRAVIATA', 'Opéra "La Traviata"'),
    ('MUSEUM-PASS', 'Musée des Beaux-Arts; entrée'),
    ('TONHALLE', 'Zürich Tonhalle – Sinfoniekonzert'),
    ('KYOTO-FEST', '京都 Festival'),
    ('ROCK-NIGHT', 'Rock night'),
    ('NO-NAME', NULL);

INSERT INTO ticketing.tariff (code, name) VALUES
    ('ADULT', 'Adult'),
    ('CHILD', 'Child (6–15)'),
    ('SENIOR', 'Senior; AHV/AVS'),
    ('REFUND', 'Refund "goodwill"');

INSERT INTO ticketing.sales_order (file_number, contact_id, sales_channel_id, order_date, status)
SELECT lpad(n::text, 8, '0'),
       (n % 4) + 1,
       (n % 5) % 4 + 1,
       timestamptz '2026-11-20 08:00:00+00' + n * interval '37 minutes',
       CASE WHEN n % 13 = 0 THEN 'RESERVED' WHEN n % 17 = 0 THEN 'CANCELLED' ELSE 'PAID' END
FROM generate_series(1, 60) AS n;

INSERT INTO ticketing.ticket (order_id, product_id, tariff_id, bar_code, state, validity_date, price, currency,
                              created_at)
SELECT o.order_id,
       (o.order_id + t) % 6 + 1,
       (o.order_id + t) % 4 + 1,
       '00' || lpad((o.order_id * 1000 + t)::text, 20, '0'),
       CASE WHEN o.status = 'CANCELLED' THEN 'CANCELLED'
            WHEN t % 3 = 0 THEN 'NOT_PRINTED'
            ELSE 'PRINTED' END,
       timestamp '2026-12-15 19:30:00' + (o.order_id % 5) * interval '1 day',
       CASE (o.order_id + t) % 4
            WHEN 0 THEN 89.50
            WHEN 1 THEN 12.00
            WHEN 2 THEN 1234567.89
            ELSE -5.00 END,
       CASE WHEN o.order_id % 2 = 0 THEN 'CHF' ELSE 'EUR' END,
       o.order_date + t * interval '1 second'
FROM ticketing.sales_order o
CROSS JOIN LATERAL generate_series(1, o.order_id % 8 + 1) AS t;

-- One row the feed delivers without a barcode: barcode-push reports it and does not send it.
UPDATE ticketing.ticket SET bar_code = NULL
WHERE ticket_id = (SELECT min(t.ticket_id)
                   FROM ticketing.ticket t
                   JOIN ticketing.sales_order o ON o.order_id = t.order_id
                   WHERE o.contact_id = 1 AND o.status = 'PAID');
