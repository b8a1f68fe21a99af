package io.barcodepush.alert;

import java.util.Map;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Alert mails to the operator: an interface that keeps failing, a file that stopped being retried, a recovery.
 *
 * <p>Alerts are best effort because they may go through the same broken server. The failure itself is always in
 * the log and in the database.
 */
public class Alerts {

    private static final Logger LOG = LoggerFactory.getLogger(Alerts.class);

    private final String from;
    private final String to;
    private final int afterFailures;
    private CamelContext camelContext;
    private ProducerTemplate producer;

    /**
     * @param from          sender address
     * @param to            operator addresses; blank means alerts are only logged
     * @param afterFailures consecutive failed runs that raise an alert
     */
    public Alerts(String from, String to, int afterFailures) {
        this.from = from;
        this.to = to == null ? "" : to.trim();
        this.afterFailures = afterFailures;
    }

    public synchronized void setCamelContext(CamelContext camelContext) {
        this.camelContext = camelContext;
    }

    private synchronized ProducerTemplate producer() {
        if (producer == null && camelContext != null) {
            producer = camelContext.createProducerTemplate();
        }
        return producer;
    }

    public int afterFailures() {
        return afterFailures;
    }

    /** Alerts that an interface failed {@code failures} runs in a row. */
    public void interfaceFailing(String interfaceKey, int failures, String lastError) {
        LOG.error("Interface {} failed {} runs in a row; last error: {}. Check the SMTP server and the database;"
                + " table barcode_push.export_file shows the pending files.", interfaceKey, failures, lastError);
        send("barcode-push: interface " + interfaceKey + " failed " + failures + " runs in a row",
                "The export of interface " + interfaceKey + " failed " + failures + " runs in a row.\r\n\r\n"
                        + "Last error: " + lastError + "\r\n\r\n"
                        + "Nothing is lost: tickets that were not accepted by the SMTP server are sent again by later"
                        + " runs. Check the SMTP server, the credentials and the database, and the log lines with"
                        + " the interface key. Table barcode_push.export_file lists the files with their status,"
                        + " attempts and last error.\r\n");
    }

    /** Alerts that a file stopped being retried automatically. */
    public void fileFailed(String interfaceKey, String fileName, int attempts, String lastError) {
        LOG.error("Interface {}: file {} is no longer retried after {} attempts; last error: {}. Its tickets are not"
                + " sent again automatically; new tickets still go out in new files.", interfaceKey, fileName,
                attempts, lastError);
        send("barcode-push: file " + fileName + " of interface " + interfaceKey + " was not delivered",
                "The SMTP server did not accept file " + fileName + " of interface " + interfaceKey + " after "
                        + attempts + " attempts, so barcode-push stopped retrying it.\r\n\r\n"
                        + "Last error: " + lastError + "\r\n\r\n"
                        + "Its tickets have not reached the reseller. New tickets still go out in new files."
                        + " The file is in table barcode_push.export_file with status FAILED.\r\n");
    }

    /** Tells the operator that an interface runs again after an alert. */
    public void recovered(String interfaceKey) {
        LOG.info("Interface {} recovered: its last run succeeded", interfaceKey);
        send("barcode-push: interface " + interfaceKey + " recovered",
                "The export of interface " + interfaceKey + " succeeded again after the failures reported"
                        + " earlier.\r\n");
    }

    private void send(String subject, String text) {
        ProducerTemplate producer = producer();
        if (to.isEmpty() || producer == null) {
            return;
        }
        try {
            Exchange result = producer.request("direct:send-alert", exchange -> {
                exchange.getMessage().setHeaders(Map.of("From", from, "To", to, "Subject", subject,
                        "Content-Type", "text/plain; charset=UTF-8"));
                exchange.getMessage().setBody(text);
            });
            if (result.getException() != null) {
                throw result.getException();
            }
        } catch (Exception e) {
            LOG.warn("Alert mail '{}' to {} could not be sent: {}", subject, to, e.getMessage());
        }
    }
}
