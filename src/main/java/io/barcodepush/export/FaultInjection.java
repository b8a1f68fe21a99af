package io.barcodepush.export;

import java.util.Locale;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Test-only faults at the moments where a crash matters most, chosen by the setting
 * {@code barcode-push.fault-injection}. Production leaves it at {@code none}.
 */
public enum FaultInjection {

    /** No fault: the only value for production. */
    NONE,
    /** Throws after a file was recorded and before it is mailed, as if the run died there. */
    FAIL_AFTER_RECORD,
    /** Halts the JVM after a file was recorded and before it is mailed. */
    HALT_AFTER_RECORD,
    /** Halts the JVM after the SMTP server accepted a file and before it is marked sent. */
    HALT_AFTER_ACCEPT;

    /** Exit status of a JVM halted by a fault. */
    public static final int HALT_STATUS = 86;

    private static final Logger LOG = LoggerFactory.getLogger(FaultInjection.class);

    public static FaultInjection parse(String value) {
        try {
            return valueOf(value.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw new io.barcodepush.ConfigurationException("Setting barcode-push.fault-injection has the invalid"
                    + " value '" + value + "'; use none (fail-after-record, halt-after-record and"
                    + " halt-after-accept exist for fault tests only).");
        }
    }

    /** Applies this fault if it is the one configured for the given moment. */
    void at(FaultInjection moment, String interfaceKey) {
        if (this != moment && !(this == FAIL_AFTER_RECORD && moment == HALT_AFTER_RECORD)) {
            return;
        }
        if (this == FAIL_AFTER_RECORD) {
            throw new IllegalStateException("Fault injected after recording a file of interface " + interfaceKey);
        }
        LOG.error("Fault injected: halting the JVM ({}) for interface {}", this, interfaceKey);
        Runtime.getRuntime().halt(HALT_STATUS);
    }
}
