package io.barcodepush;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsTest {

    @TempDir
    Path directory;

    private Path file(String content) throws Exception {
        Path file = directory.resolve("application.properties");
        Files.writeString(file, content);
        return file;
    }

    @Test
    void environmentOverridesFileAndOverridesWinOverBoth() throws Exception {
        Path file = file("barcode-push.smtp.host = mail.internal\nbarcode-push.smtp.port = 25\n");

        Settings settings = Settings.load(file, Map.of("BARCODE_PUSH_SMTP_HOST", "relay.internal",
                "BARCODE_PUSH_SMTP_PORT", "587"), Map.of("barcode-push.smtp.port", "2525"));

        assertThat(settings.get("barcode-push.smtp.host")).isEqualTo("relay.internal");
        assertThat(settings.getInt("barcode-push.smtp.port", 25)).isEqualTo(2525);
    }

    @Test
    void passwordInFileIsRejected() throws Exception {
        Path file = file("barcode-push.smtp.password = hunter2\n");

        assertThatThrownBy(() -> Settings.load(file, Map.of(), Map.of()))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("barcode-push.smtp.password")
                .hasMessageContaining("BARCODE_PUSH_SMTP_PASSWORD")
                .hasMessageNotContaining("hunter2");
    }

    @Test
    void passwordFromEnvironmentIsUsed() throws Exception {
        Settings settings = Settings.load(file(""), Map.of("BARCODE_PUSH_SMTP_PASSWORD", "secret"), Map.of());

        assertThat(settings.get("barcode-push.smtp.password")).isEqualTo("secret");
    }

    @Test
    void missingFileNamesPathAndFix() {
        assertThatThrownBy(() -> Settings.load(directory.resolve("missing.properties"), Map.of(), Map.of()))
                .hasMessageContaining("missing.properties")
                .hasMessageContaining("--config=FILE");
    }

    @Test
    void invalidValuesNameSettingAndExample() throws Exception {
        Settings settings = Settings.load(file("a = many\nb = two hours\n"), Map.of(), Map.of());

        assertThatThrownBy(() -> settings.getInt("a", 10)).hasMessage(
                "Setting a has the invalid value 'many'; expected a whole number such as 10.");
        assertThatThrownBy(() -> settings.getDuration("b", Duration.ofHours(2))).hasMessageStartingWith(
                "Setting b has the invalid value 'two hours'; expected an ISO-8601 duration such as PT2H");
    }

    @Test
    void shippedPropertiesHoldNoSecrets() throws Exception {
        Settings settings = Settings.load(Path.of("application.properties"), Map.of(), Map.of());

        assertThat(settings.get("barcode-push.smtp.password", "")).isEmpty();
        assertThat(settings.get("barcode-push.db.password", "")).isEmpty();
        assertThat(settings.get("barcode-push.schedule.cron")).isEqualTo("0 0/15 * * * ?");
        assertThat(settings.get("barcode-push.time-zone")).isEqualTo("UTC");
    }

    @Test
    void olderFileFallsBackToShippedDefaults() throws Exception {
        Settings settings = Settings.load(file("barcode-push.db.url = jdbc:postgresql://db.internal/push\n"),
                Map.of(), Map.of());

        assertThat(settings.get("barcode-push.db.url")).isEqualTo("jdbc:postgresql://db.internal/push");
        assertThat(settings.get("barcode-push.schedule.time-zone")).isEqualTo("UTC");
        assertThat(settings.getInt("barcode-push.retry.max-attempts", 0)).isEqualTo(5);
    }
}
