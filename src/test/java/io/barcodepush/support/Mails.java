package io.barcodepush.support;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.util.Arrays;
import java.util.List;

import jakarta.mail.Address;
import jakarta.mail.BodyPart;
import jakarta.mail.Message;
import jakarta.mail.Multipart;
import jakarta.mail.internet.MimeMessage;

/**
 * Reads what a test mail server received.
 */
public final class Mails {

    private Mails() {
    }

    /** Returns the only attachment of the mail. */
    public static BodyPart attachment(MimeMessage message) throws Exception {
        Multipart multipart = (Multipart) message.getContent();
        BodyPart found = null;
        for (int i = 0; i < multipart.getCount(); i++) {
            BodyPart part = multipart.getBodyPart(i);
            if (part.getFileName() != null) {
                if (found != null) {
                    throw new AssertionError("More than one attachment in " + message.getSubject());
                }
                found = part;
            }
        }
        if (found == null) {
            throw new AssertionError("No attachment in " + message.getSubject());
        }
        return found;
    }

    /** Returns the attachment's bytes exactly as they were sent. */
    public static byte[] attachmentBytes(MimeMessage message) throws Exception {
        try (InputStream in = attachment(message).getInputStream(); var out = new ByteArrayOutputStream()) {
            in.transferTo(out);
            return out.toByteArray();
        }
    }

    public static String attachmentText(MimeMessage message) throws Exception {
        return new String(attachmentBytes(message), java.nio.charset.StandardCharsets.UTF_8);
    }

    public static String attachmentName(MimeMessage message) throws Exception {
        return attachment(message).getFileName();
    }

    public static List<String> to(MimeMessage message) throws Exception {
        Address[] addresses = message.getRecipients(Message.RecipientType.TO);
        return addresses == null ? List.of() : Arrays.stream(addresses).map(Address::toString).toList();
    }
}
