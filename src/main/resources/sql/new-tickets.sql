-- One page of the tickets an interface has not received yet, oldest first.
-- VALIDITY_DATE and PRICE are formatted here, so the file does not depend on
-- the JVM's locale or time zone: VALIDITY_DATE is the venue's local time as
-- stored. ORDER_DATE is an instant; the run formats it in the interface's zone.
SELECT f.ticket_id AS "TICKET_ID",
       f.bar_code AS "BAR_CODE",
       f.ticket_state AS "TICKET_STATE",
       f.file_number AS "FILE_NUMBER",
       f.product_code AS "PRODUCT_CODE",
       f.product_name AS "PRODUCT_NAME",
       to_char(f.validity_date, 'YYYY-MM-DD HH24:MI:SS') AS "VALIDITY_DATE",
       f.tariff_code AS "TARIFF_CODE",
       f.tariff_name AS "TARIFF_NAME",
       round(f.price, 2)::text AS "PRICE",
       f.currency AS "CURRENCY",
       f.order_date AS "ORDER_DATE",
       f.contact_number AS "CONTACT_NUMBER",
       f.sales_channel_code AS "SALES_CHANNEL_CODE",
       f.created_at AS "CREATED_AT"
FROM barcode_push.ticket_feed f
WHERE f.created_at >= COALESCE(CAST(:#scanFrom AS timestamptz), '-infinity')
  AND f.created_at >= CAST(:#dateFrom AS timestamptz)
  AND (CAST(:#endTime AS timestamptz) IS NULL OR f.created_at < CAST(:#endTime AS timestamptz))
  AND (CAST(:#afterCreatedAt AS timestamptz) IS NULL
       OR (f.created_at, f.ticket_id) > (CAST(:#afterCreatedAt AS timestamptz), CAST(:#afterTicketId AS bigint)))
  AND EXISTS (
        SELECT 1
        FROM barcode_push.interface_mapping m
        WHERE m.interface_key = :#interfaceKey
          AND m.active
          AND f.created_at >= m.counts_from
          AND ((m.mapping_type = 'CONTACT' AND m.mapping_value = f.contact_number)
               OR (m.mapping_type = 'SALES_CHANNEL' AND m.mapping_value = f.sales_channel_code)))
  AND NOT EXISTS (
        SELECT 1
        FROM barcode_push.export_file_ticket s
        WHERE s.interface_key = :#interfaceKey
          AND s.ticket_id = f.ticket_id)
ORDER BY f.created_at, f.ticket_id
LIMIT :#pageSize
