package io.barcodepush.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ExportInterfaceTest {

    private static Map<String, String> valid() {
        Map<String, String> parameters = new HashMap<>();
        parameters.put("key", "alpine-travel");
        parameters.put("name", "Alpine Travel");
        parameters.put("contactNumbers", "C-1001, C-1002");
        parameters.put("salesChannels", "");
        parameters.put("recipients", "a@alpine.example; b@alpine.example");
        parameters.put("cron", "0 0/15 * * * ?");
        parameters.put("timeZone", "Europe/Zurich");
        parameters.put("fileNamePattern", "'Barcodes_'yyyy-MM-dd-HH-mm'.csv'");
        parameters.put("batchSize", "10000");
        parameters.put("dateFrom", "2026-11-01");
        parameters.put("endTime", "");
        return parameters;
    }

    @Test
    void validParametersAreParsed() {
        ExportInterface exportInterface = ExportInterface.fromParameters(valid());

        assertThat(exportInterface.routeId()).isEqualTo("export-alpine-travel");
        assertThat(exportInterface.contactNumbers()).containsExactly("C-1001", "C-1002");
        assertThat(exportInterface.salesChannels()).isEmpty();
        assertThat(exportInterface.recipients()).containsExactly("a@alpine.example", "b@alpine.example");
        assertThat(exportInterface.timeZone()).isEqualTo(ZoneId.of("Europe/Zurich"));
        assertThat(exportInterface.dateFrom()).contains(OffsetDateTime.parse("2026-11-01T00:00+01:00"));
        assertThat(exportInterface.endTime()).isEmpty();
    }

    @Test
    void dateFromAcceptsOffsetAndLocalForms() {
        Map<String, String> parameters = valid();
        parameters.put("dateFrom", "2026-07-01T06:30");
        parameters.put("endTime", "2027-01-01T00:00:00Z");

        ExportInterface exportInterface = ExportInterface.fromParameters(parameters);

        assertThat(exportInterface.dateFrom()).contains(OffsetDateTime.parse("2026-07-01T06:30+02:00"));
        assertThat(exportInterface.endTime()).contains(OffsetDateTime.parse("2027-01-01T00:00Z"));
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', value = {
        "key|Alpine Travel|Interface 'Alpine Travel': setting key has the invalid value 'Alpine Travel'.",
        "name|''|Interface 'alpine-travel': setting name has the invalid value ''.",
        "recipients|''|Interface 'alpine-travel': setting recipients has the invalid value ''.",
        "recipients|ops@alpine.example, not-an-address|Interface 'alpine-travel': setting recipients has the"
                + " invalid value 'not-an-address'.",
        "cron|every 15 minutes|Interface 'alpine-travel': setting cron has the invalid value 'every 15 minutes'.",
        "timeZone|Mars/Olympus|Interface 'alpine-travel': setting timeZone has the invalid value 'Mars/Olympus'.",
        "fileNamePattern|'Barcodes_'bbb|Interface 'alpine-travel': setting fileNamePattern has the invalid value"
                + " ''Barcodes_'bbb'.",
        "fileNamePattern|'reports/'yyyy'.csv'|Interface 'alpine-travel': setting fileNamePattern has the invalid"
                + " value ''reports/'yyyy'.csv''.",
        "batchSize|0|Interface 'alpine-travel': setting batchSize has the invalid value '0'.",
        "batchSize|50001|Interface 'alpine-travel': setting batchSize has the invalid value '50001'.",
        "dateFrom|yesterday|Interface 'alpine-travel': setting dateFrom has the invalid value 'yesterday'.",
    })
    void invalidSettingIsNamedWithValue(String setting, String value, String expectedStart) {
        Map<String, String> parameters = valid();
        parameters.put(setting, value);

        assertThatThrownBy(() -> ExportInterface.fromParameters(parameters))
                .isInstanceOf(InvalidInterfaceException.class)
                .hasMessageStartingWith(expectedStart);
    }

    @Test
    void missingMappingsAreRejected() {
        Map<String, String> parameters = valid();
        parameters.put("contactNumbers", " ");

        assertThatThrownBy(() -> ExportInterface.fromParameters(parameters))
                .hasMessage("Interface 'alpine-travel': setting contactNumbers/salesChannels has the invalid value ''."
                        + " Map at least one contact number or sales channel code to the interface.");
    }

    @Test
    void endTimeBeforeDateFromIsRejected() {
        Map<String, String> parameters = valid();
        parameters.put("endTime", "2026-10-01");

        assertThatThrownBy(() -> ExportInterface.fromParameters(parameters))
                .hasMessageContaining("setting endTime has the invalid value '2026-10-01'")
                .hasMessageContaining("must be after dateFrom (2026-11-01)");
    }

    @Test
    void listsDropBlanksAndDuplicates() {
        assertThat(ExportInterface.splitList(" a ; b,,a ;")).isEqualTo(List.of("a", "b"));
        assertThat(ExportInterface.splitList(null)).isEmpty();
    }
}
