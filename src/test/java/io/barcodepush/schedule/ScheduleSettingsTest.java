package io.barcodepush.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.barcodepush.ConfigurationException;
import io.barcodepush.Settings;
import io.barcodepush.support.TestApplication;

class ScheduleSettingsTest {

    @TempDir
    Path directory;

    private Settings settings(String content) throws Exception {
        Path file = directory.resolve("application.properties");
        Files.writeString(file, content);
        return Settings.load(file, Map.of(), Map.of());
    }

    @Test
    void shippedConfigurationDerivesPoolSize() {
        Settings settings = Settings.load(TestApplication.REPOSITORY.resolve("application.properties"), Map.of(),
                Map.of());

        ScheduleSettings schedule = ScheduleSettings.from(settings);

        assertThat(schedule.threads()).as("threads").isEqualTo(10);
        assertThat(schedule.clusterCheckinIntervalMs()).as("check-in interval").isEqualTo(15_000);
        assertThat(schedule.poolSize()).as("pool size").isEqualTo(24);
        assertThat(schedule.poolSizeDerived()).as("pool size derived").isTrue();
    }

    @Test
    void poolSizeFollowsThreads() throws Exception {
        ScheduleSettings schedule = ScheduleSettings.from(settings("barcode-push.schedule.threads = 3\n"));

        assertThat(schedule.poolSize()).as("pool size for 3 threads").isEqualTo(2 * 3 + 4);
        assertThat(schedule.poolSizeDerived()).as("pool size derived").isTrue();
    }

    @Test
    void explicitPoolSizeWins() throws Exception {
        ScheduleSettings schedule = ScheduleSettings.from(settings(
                "barcode-push.schedule.threads = 3\nbarcode-push.db.pool-size = 7\n"));

        assertThat(schedule.poolSize()).as("pool size").isEqualTo(7);
        assertThat(schedule.poolSizeDerived()).as("pool size derived").isFalse();
    }

    @Test
    void checkinIntervalIsRead() throws Exception {
        ScheduleSettings schedule = ScheduleSettings.from(settings(
                "barcode-push.schedule.cluster-checkin-interval-ms = 1000\n"));

        assertThat(schedule.clusterCheckinIntervalMs()).as("check-in interval").isEqualTo(1000);
        assertThat(schedule.threads()).as("default threads").isEqualTo(ScheduleSettings.DEFAULT_THREADS);
    }

    @Test
    void zeroThreadsIsRejected() throws Exception {
        Settings settings = settings("barcode-push.schedule.threads = 0\n");

        assertThatThrownBy(() -> ScheduleSettings.from(settings))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("barcode-push.schedule.threads")
                .hasMessageContaining("invalid value 0");
    }

    @Test
    void negativePoolSizeIsRejected() throws Exception {
        Settings settings = settings("barcode-push.db.pool-size = -2\n");

        assertThatThrownBy(() -> ScheduleSettings.from(settings))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("barcode-push.db.pool-size")
                .hasMessageContaining("invalid value -2");
    }
}
