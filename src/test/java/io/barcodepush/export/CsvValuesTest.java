package io.barcodepush.export;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.util.List;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetupTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.barcodepush.support.InterfaceYaml;
import io.barcodepush.support.Mails;
import io.barcodepush.support.TestApplication;
import io.barcodepush.support.TestDatabase;
import io.barcodepush.support.Tickets;

/**
 * Values that break naive CSV writers come out exactly as the file format states.
 */
class CsvValuesTest {

    @RegisterExtension
    static final GreenMailExtension MAIL = new GreenMailExtension(ServerSetupTest.SMTP.dynamicPort());

    private TestDatabase database;
    private TestApplication application;

    @BeforeEach
    void createDatabase() {
        database = TestDatabase.createWithTicketing();
    }

    @AfterEach
    void stop() {
        if (application != null) {
            application.close();
        }
        database.close();
    }

    @Test
    void trickyValuesAreQuotedAndKeptExactly() throws Exception {
        Tickets tickets = new Tickets(database);
        tickets.sale("C-1", null).barCode("0000000000000000000042").fileNumber("000123")
                .product("P;1", "Opéra \"La Traviata\"").tariff("T-1", "Senior; AHV").price("-12.5").insert();
        tickets.sale("C-1", null).barCode("0123456789012345678901").fileNumber("F-2")
                .product("P-2", "Line one\nline two").tariff("T-2", "Carriage\rreturn").price("9999999999.99")
                .insert();
        tickets.sale("C-1", null).barCode("B-3").fileNumber("F-3").product("P-3", "京都 Festival – Zürich")
                .tariff("T-3", null).price(null).validityDate(null).orderDate(OffsetDateTime.parse(
                        "2026-07-01T22:30:00Z")).insert();
        tickets.sale("C-1", null).barCode("B-4").fileNumber("F-4").product("P-4", "Ends with space ")
                .tariff("T-4", "#hash first").price("0").validityDate(LocalDateTime.parse("2026-03-29T02:30:00"))
                .insert();
        application = TestApplication.start(database, MAIL.getSmtp().getPort(), List.of(
                InterfaceYaml.of("agency").set("contactNumbers", "C-1").set("timeZone", "Europe/Zurich")));

        application.run("agency");

        // ORDER_DATE is shown in Europe/Zurich (UTC+1 in November, UTC+2 in July). VALIDITY_DATE 02:30 on
        // 2026-03-29 does not exist in Zurich and is still written as stored. Commons CSV also quotes a value that
        // ends in a space or starts with a character up to '#'.
        String expected = "BAR_CODE;TICKET_STATE;FILE_NUMBER;PRODUCT_CODE;PRODUCT_NAME;VALIDITY_DATE;TARIFF_CODE;"
                + "TARIFF_NAME;PRICE;ORDER_DATE;CONTACT_NUMBER\n"
                + "0000000000000000000042;PRINTED;000123;\"P;1\";\"Opéra \"\"La Traviata\"\"\";2026-12-15 19:30:00;"
                + "T-1;\"Senior; AHV\";-12.50;2026-11-20 11:15:00;C-1\n"
                + "0123456789012345678901;PRINTED;F-2;P-2;\"Line one\nline two\";2026-12-15 19:30:00;T-2;"
                + "\"Carriage\rreturn\";9999999999.99;2026-11-20 11:15:00;C-1\n"
                + "B-3;PRINTED;F-3;P-3;京都 Festival – Zürich;;T-3;;;2026-07-02 00:30:00;C-1\n"
                + "B-4;PRINTED;F-4;P-4;\"Ends with space \";2026-03-29 02:30:00;T-4;\"#hash first\";0.00;"
                + "2026-11-20 11:15:00;C-1\n";
        byte[] attachment = Mails.attachmentBytes(MAIL.getReceivedMessages()[0]);
        assertThat(new String(attachment, StandardCharsets.UTF_8)).isEqualTo(expected);
        assertThat(attachment).isEqualTo(expected.getBytes(StandardCharsets.UTF_8));
        assertThat(attachment[0]).as("no byte order mark").isEqualTo((byte) 'B');
    }
}
