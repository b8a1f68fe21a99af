package io.barcodepush;

/**
 * Invalid or missing configuration; the message names the setting, the value and the fix.
 */
public class ConfigurationException extends RuntimeException {

    public ConfigurationException(String message) {
        super(message);
    }

    public ConfigurationException(String message, Throwable cause) {
        super(message, cause);
    }
}
