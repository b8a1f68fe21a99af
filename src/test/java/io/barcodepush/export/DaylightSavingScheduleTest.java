package io.barcodepush.export;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TimeZone;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.quartz.CronScheduleBuilder;
import org.quartz.CronTrigger;
import org.quartz.TriggerBuilder;
import org.junit.jupiter.api.Test;

import io.barcodepush.ledger.FileNames;

/**
 * Fire times and file names of the default schedule through the 2026 daylight saving changes of Europe/Zurich
 * (2026-03-29 01:00 UTC forward, 2026-10-25 01:00 UTC back), computed with the Quartz version the product ships.
 */
class DaylightSavingScheduleTest {

    private static final String CRON = "0 0/15 * * * ?";
    private static final ZoneId ZURICH = ZoneId.of("Europe/Zurich");
    private static final String PATTERN = "'Barcodes_'yyyy-MM-dd-HH-mm'.csv'";

    private static List<Instant> fireTimes(String zone, Instant from, Instant to) {
        CronTrigger trigger = TriggerBuilder.newTrigger()
                .withSchedule(CronScheduleBuilder.cronSchedule(CRON).inTimeZone(TimeZone.getTimeZone(zone)))
                .startAt(Date.from(from))
                .build();
        List<Instant> times = new ArrayList<>();
        Date next = trigger.getFireTimeAfter(Date.from(from.minusSeconds(1)));
        while (next != null && next.toInstant().isBefore(to) && times.size() < 1000) {
            times.add(next.toInstant());
            next = trigger.getFireTimeAfter(next);
        }
        return times;
    }

    private static Duration longestGap(List<Instant> times) {
        Duration longest = Duration.ZERO;
        for (int i = 1; i < times.size(); i++) {
            Duration gap = Duration.between(times.get(i - 1), times.get(i));
            longest = gap.compareTo(longest) > 0 ? gap : longest;
        }
        return longest;
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"spring, 2026-03-28T22:00:00Z, 2026-03-29T04:00:00Z",
                "autumn, 2026-10-24T22:00:00Z, 2026-10-25T04:00:00Z"})
    void utcCronHasNoGapLongerThanInterval(String change, Instant from, Instant to) {
        List<Instant> times = fireTimes("UTC", from, to);

        assertThat(times).hasSize(24);
        assertThat(longestGap(times)).isEqualTo(Duration.ofMinutes(15));
    }

    @Test
    void zurichCronGoesQuietInRepeatedHour() {
        // Why the default schedule zone is UTC: in Europe/Zurich the cron skips the second 02:00-02:59.
        List<Instant> times = fireTimes("Europe/Zurich", Instant.parse("2026-10-24T22:00:00Z"),
                Instant.parse("2026-10-25T04:00:00Z"));

        assertThat(longestGap(times)).isEqualTo(Duration.ofMinutes(75));
    }

    @Test
    void fileNamesStayUniqueThroughBothChanges() {
        List<Instant> times = new ArrayList<>(fireTimes("UTC", Instant.parse("2026-03-28T22:00:00Z"),
                Instant.parse("2026-03-29T04:00:00Z")));
        times.addAll(fireTimes("UTC", Instant.parse("2026-10-24T22:00:00Z"), Instant.parse("2026-10-25T04:00:00Z")));

        Set<String> taken = new HashSet<>();
        List<String> suffixed = new ArrayList<>();
        for (Instant time : times) {
            String name = FileNames.firstFree(FileNames.format(PATTERN, ZURICH, time), taken);
            taken.add(name);
            if (name.endsWith("_2.csv")) {
                suffixed.add(name);
            }
        }

        assertThat(taken).hasSize(times.size());
        assertThat(suffixed).containsExactly("Barcodes_2026-10-25-02-00_2.csv", "Barcodes_2026-10-25-02-15_2.csv",
                "Barcodes_2026-10-25-02-30_2.csv", "Barcodes_2026-10-25-02-45_2.csv");
    }

    @Test
    void subHourlyCronInDstZoneIsFlagged() {
        Map<String, String> parameters = new java.util.HashMap<>(Map.of("key", "agency", "name", "Agency",
                "contactNumbers", "C-1", "recipients", "ops@agency.example", "cron", CRON, "timeZone", "Europe/Zurich",
                "fileNamePattern", PATTERN, "batchSize", "100"));

        parameters.put("scheduleTimeZone", "Europe/Zurich");
        assertThat(ExportInterface.fromParameters(parameters).cronSkipsRepeatedHour()).isTrue();

        parameters.put("scheduleTimeZone", "UTC");
        assertThat(ExportInterface.fromParameters(parameters).cronSkipsRepeatedHour()).isFalse();

        parameters.put("scheduleTimeZone", "Europe/Zurich");
        parameters.put("cron", "0 0 6 * * ?");
        assertThat(ExportInterface.fromParameters(parameters).cronSkipsRepeatedHour()).isFalse();
    }
}
