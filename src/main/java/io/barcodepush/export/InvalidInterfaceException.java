package io.barcodepush.export;

import io.barcodepush.ConfigurationException;

/**
 * An interface setting that cannot be used; the message names the interface, the setting, the value and the fix.
 */
public class InvalidInterfaceException extends ConfigurationException {

    private final String interfaceKey;
    private final String setting;

    public InvalidInterfaceException(String interfaceKey, String setting, String value, String fix) {
        super("Interface '" + interfaceKey + "': setting " + setting + " has the invalid value '" + value + "'. " + fix);
        this.interfaceKey = interfaceKey;
        this.setting = setting;
    }

    private InvalidInterfaceException(String message, String interfaceKey, String setting) {
        super(message);
        this.interfaceKey = interfaceKey;
        this.setting = setting;
    }

    /** Returns this error with a pointer to the application.properties key that supplied the bad value. */
    public InvalidInterfaceException fromDefault(String property) {
        return new InvalidInterfaceException(getMessage() + " The interface does not set " + setting
                + ", so the value comes from " + property + " in application.properties.", interfaceKey, setting);
    }

    public String interfaceKey() {
        return interfaceKey;
    }

    public String setting() {
        return setting;
    }
}
