package io.barcodepush.ledger;

import java.time.OffsetDateTime;

/**
 * The identity of one feed row, as the ledger records it.
 *
 * @param ticketId    the feed's unique ticket id
 * @param ticketState the state the ticket had when it was read
 * @param createdAt   the feed's created_at value
 */
public record TicketRef(long ticketId, String ticketState, OffsetDateTime createdAt) {
}
