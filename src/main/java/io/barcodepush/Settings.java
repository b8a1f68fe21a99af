package io.barcodepush;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * The application's configuration: {@code application.properties} with environment variables on top.
 */
public final class Settings {

    /** Environment variables that override a property, and the property each one overrides. */
    public static final Map<String, String> ENVIRONMENT_OVERRIDES = Map.of(
            "BARCODE_PUSH_DB_URL", "barcode-push.db.url",
            "BARCODE_PUSH_DB_USER", "barcode-push.db.user",
            "BARCODE_PUSH_DB_PASSWORD", "barcode-push.db.password",
            "BARCODE_PUSH_SMTP_HOST", "barcode-push.smtp.host",
            "BARCODE_PUSH_SMTP_PORT", "barcode-push.smtp.port",
            "BARCODE_PUSH_SMTP_USER", "barcode-push.smtp.user",
            "BARCODE_PUSH_SMTP_PASSWORD", "barcode-push.smtp.password",
            "BARCODE_PUSH_SMTP_TRUST_STORE_PASSWORD", "barcode-push.smtp.trust-store-password",
            "BARCODE_PUSH_MAIL_FROM", "barcode-push.mail.from");

    /** Properties that hold secrets: they may only come from the environment. */
    private static final Map<String, String> SECRETS = Map.of(
            "barcode-push.db.password", "BARCODE_PUSH_DB_PASSWORD",
            "barcode-push.smtp.password", "BARCODE_PUSH_SMTP_PASSWORD",
            "barcode-push.smtp.trust-store-password", "BARCODE_PUSH_SMTP_TRUST_STORE_PASSWORD");

    private final Map<String, String> values;

    private Settings(Map<String, String> values) {
        this.values = values;
    }

    /** The shipped application.properties, packed in the jar; its values apply where the file has none. */
    static final String DEFAULTS_RESOURCE = "defaults/application.properties";

    /**
     * Loads the shipped defaults, then the properties file, the environment and the given overrides, each on top
     * of the one before.
     */
    public static Settings load(Path propertiesFile, Map<String, String> environment, Map<String, String> overrides) {
        Map<String, String> merged = new LinkedHashMap<>(defaults());
        Properties file = new Properties();
        try (InputStream in = Files.newInputStream(propertiesFile)) {
            file.load(new java.io.InputStreamReader(in, java.nio.charset.StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            throw new ConfigurationException("Configuration file not found: " + propertiesFile.toAbsolutePath()
                    + ". Run from the directory that contains application.properties or pass --config=FILE.");
        } catch (IOException e) {
            throw new ConfigurationException("Cannot read configuration file " + propertiesFile.toAbsolutePath()
                    + ": " + e.getMessage(), e);
        }

        for (String name : file.stringPropertyNames()) {
            String value = file.getProperty(name).trim();
            if (SECRETS.containsKey(name) && !value.isEmpty()) {
                throw new ConfigurationException("Property " + name + " is set in " + propertiesFile
                        + ", but secrets are read only from the environment. Remove it from the file and set "
                        + SECRETS.get(name) + " instead.");
            }
            merged.put(name, value);
        }
        ENVIRONMENT_OVERRIDES.forEach((variable, property) -> {
            String value = environment.get(variable);
            if (value != null && !value.isBlank()) {
                merged.put(property, value.trim());
            }
        });
        merged.putAll(overrides);
        return new Settings(merged);
    }

    private static Map<String, String> defaults() {
        Properties defaults = new Properties();
        try (InputStream in = Settings.class.getClassLoader().getResourceAsStream(DEFAULTS_RESOURCE)) {
            if (in != null) {
                defaults.load(new java.io.InputStreamReader(in, java.nio.charset.StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new ConfigurationException("Cannot read the built-in defaults " + DEFAULTS_RESOURCE + ": "
                    + e.getMessage(), e);
        }
        Map<String, String> values = new LinkedHashMap<>();
        defaults.stringPropertyNames().forEach(name -> values.put(name, defaults.getProperty(name).trim()));
        return values;
    }

    /** Returns all values, for Camel's property placeholders. */
    public Map<String, String> asMap() {
        return Map.copyOf(values);
    }

    public String get(String name) {
        String value = values.get(name);
        if (value == null || value.isEmpty()) {
            throw new ConfigurationException("Missing setting " + name + ". Add it to application.properties.");
        }
        return value;
    }

    public String get(String name, String defaultValue) {
        String value = values.get(name);
        return value == null || value.isEmpty() ? defaultValue : value;
    }

    public int getInt(String name, int defaultValue) {
        String value = values.get(name);
        if (value == null || value.isEmpty()) {
            return defaultValue;
        }
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new ConfigurationException("Setting " + name + " has the invalid value '" + value
                    + "'; expected a whole number such as " + defaultValue + ".");
        }
    }

    public Duration getDuration(String name, Duration defaultValue) {
        String value = values.get(name);
        if (value == null || value.isEmpty()) {
            return defaultValue;
        }
        try {
            return Duration.parse(value);
        } catch (DateTimeParseException e) {
            throw new ConfigurationException("Setting " + name + " has the invalid value '" + value
                    + "'; expected an ISO-8601 duration such as PT2H (2 hours) or PT30M (30 minutes).");
        }
    }

    public ZoneId getZone(String name) {
        String value = get(name);
        try {
            return ZoneId.of(value);
        } catch (java.time.DateTimeException e) {
            throw new ConfigurationException("Setting " + name + " has the unknown time zone '" + value
                    + "'; use a region id such as UTC or Europe/Zurich.");
        }
    }
}
