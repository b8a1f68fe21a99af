package io.barcodepush.mail;

import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.eclipse.angus.mail.smtp.SMTPSenderFailedException;

/**
 * Sorts SMTP failures into permanent refusals and failures worth retrying.
 */
public final class SmtpFailures {

    private SmtpFailures() {
    }

    /**
     * Returns the SMTP reply code in the failure or its causes, or 0 when the server gave none (for example when
     * it could not be reached).
     */
    public static int replyCode(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof SMTPSendFailedException sendFailed && sendFailed.getReturnCode() > 0) {
                return sendFailed.getReturnCode();
            }
            if (cause instanceof SMTPAddressFailedException addressFailed) {
                return addressFailed.getReturnCode();
            }
            if (cause instanceof SMTPSenderFailedException senderFailed) {
                return senderFailed.getReturnCode();
            }
        }
        return 0;
    }

    /**
     * Returns whether the server rejected the mail for good (a 5xx reply), so sending the same file again cannot help.
     * Authentication failures and unreachable servers are not permanent: they are fixed outside the product.
     */
    public static boolean isPermanent(Throwable failure) {
        int code = replyCode(failure);
        return code >= 500 && code < 600;
    }
}
