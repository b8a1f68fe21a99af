package io.barcodepush;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.SQLException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import com.zaxxer.hikari.HikariDataSource;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangePattern;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.dsl.support.SourceLoader;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.Main;
import org.apache.camel.main.MainListenerSupport;
import org.apache.camel.model.Model;

import io.barcodepush.alert.Alerts;
import io.barcodepush.db.Database;
import io.barcodepush.db.RunConnections;
import io.barcodepush.db.TicketFeedBinding;
import io.barcodepush.export.ExportInterface;
import io.barcodepush.export.ExportRun;
import io.barcodepush.export.ExportRuns;
import io.barcodepush.export.FaultInjection;
import io.barcodepush.export.InterfaceCatalog;
import io.barcodepush.export.RetryPolicy;
import io.barcodepush.ledger.ExportLedger;
import io.barcodepush.ledger.InterfaceLedger;
import io.barcodepush.mail.ExportMail;
import io.barcodepush.mail.SmtpAuthenticator;
import io.barcodepush.mail.SmtpTrust;
import io.barcodepush.schedule.QuartzCluster;

/**
 * barcode-push wired together: settings, database, and a Camel Main that loads the YAML routes.
 */
public final class Application implements AutoCloseable {

    private final Settings settings;
    private final HikariDataSource dataSource;
    private final InterfaceCatalog catalog = new InterfaceCatalog();
    private final Main main = new Main();
    private final Alerts alerts;
    private final InterfaceLedger interfaceLedger = new InterfaceLedger();
    private ProducerTemplate producer;

    private Application(Settings settings, HikariDataSource dataSource) {
        this.settings = settings;
        this.dataSource = dataSource;
        this.alerts = new Alerts(settings.get("barcode-push.mail.from"), settings.get("barcode-push.alert.to", ""),
                settings.getInt("barcode-push.alert.after-failures", 3));
    }

    /**
     * Connects to the database, applies the migrations, binds the ticket feed and configures Camel Main; nothing
     * is started yet.
     *
     * @param configFile  the application.properties to read
     * @param routesDir   directory of the YAML routes
     * @param environment environment variables (see {@link Settings#ENVIRONMENT_OVERRIDES})
     * @param overrides   values that win over both, for example from tests or the demo
     */
    public static Application create(Path configFile, Path routesDir, Map<String, String> environment,
            Map<String, String> overrides) {
        Settings settings = Settings.load(configFile, environment, overrides);
        if (!Files.isDirectory(routesDir)) {
            throw new ConfigurationException("Routes directory not found: " + routesDir.toAbsolutePath()
                    + ". Run from the directory that contains routes/ or pass --routes=DIR.");
        }
        checkSmtpHost(settings, "barcode-push.smtp.host");
        checkSmtpHost(settings, "barcode-push.alert.smtp.host");
        HikariDataSource dataSource = Database.open(settings);
        try {
            Database.migrate(dataSource);
            TicketFeedBinding.bind(dataSource, settings.get("barcode-push.feed.view"));
            Application application = new Application(settings, dataSource);
            application.configure(configFile, routesDir);
            return application;
        } catch (RuntimeException e) {
            dataSource.close();
            throw e;
        }
    }

    /** Fails start-up on an SMTP host name that does not resolve, which is a typo rather than an outage. */
    private static void checkSmtpHost(Settings settings, String setting) {
        String host = settings.get(setting, null);
        if (host == null) {
            return;
        }
        try {
            InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw new ConfigurationException("Setting " + setting + " names the SMTP host '" + host + "', which"
                    + " cannot be resolved. Correct the host name (or BARCODE_PUSH_SMTP_HOST).");
        }
    }

    private void configure(Path configFile, Path routesDir) {
        main.setPropertyPlaceholderLocations("file:" + configFile.toAbsolutePath());
        Properties overrides = new Properties();
        overrides.putAll(settings.asMap());
        // Alerts go through the main SMTP server unless a host or port of their own is set.
        overrides.put("barcode-push.alert.smtp.host",
                settings.get("barcode-push.alert.smtp.host", settings.get("barcode-push.smtp.host")));
        overrides.put("barcode-push.alert.smtp.port",
                settings.get("barcode-push.alert.smtp.port", settings.get("barcode-push.smtp.port")));
        main.setOverrideProperties(overrides);
        main.configure().withRoutesIncludePattern("file:" + routesDir.toAbsolutePath() + "/*.yaml");
        // Route reload, when an operator enables it, watches the same directory.
        overrides.putIfAbsent("camel.main.routes-reload-directory", routesDir.toAbsolutePath().toString());
        overrides.putIfAbsent("camel.main.routes-reload-pattern", "*.yaml");

        ExportMail mail = new ExportMail(settings.get("barcode-push.mail.from"));
        RetryPolicy retry = new RetryPolicy(settings.getInt("barcode-push.retry.max-attempts", 5),
                settings.getDuration("barcode-push.retry.initial-delay", Duration.ofMinutes(15)),
                settings.getDuration("barcode-push.retry.max-delay", Duration.ofHours(2)));
        ExportRuns runs = new ExportRuns(dataSource, new ExportLedger(), interfaceLedger, catalog, mail,
                settings.getDuration("barcode-push.late-commit-window", Duration.ofHours(2)), retry, alerts,
                FaultInjection.parse(settings.get("barcode-push.fault-injection", "none")));
        // Camel 4.17 reads route files in the JVM's default charset; operators' YAML is UTF-8 everywhere.
        main.bind("utf8SourceLoader", (SourceLoader) resource -> {
            try (InputStream in = resource.getInputStream()) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        });
        main.bind("dataSource", dataSource);
        main.bind("runConnections", new RunConnections());
        main.bind("exportRuns", runs);
        main.bind("exportMail", mail);
        main.bind("smtpAuthenticator", new SmtpAuthenticator(settings.get("barcode-push.smtp.user", null),
                settings.get("barcode-push.smtp.password", null)));
        main.bind("smtpTls", SmtpTrust.create(settings.get("barcode-push.smtp.trust-store", null),
                settings.get("barcode-push.smtp.trust-store-password", null)));
        QuartzCluster.install(main, settings, dataSource, catalog);

        main.addMainListener(new MainListenerSupport() {
            @Override
            public void beforeConfigure(BaseMainSupport support) {
                CamelContext context = support.getCamelContext();
                catalog.setCamelContext(context);
                alerts.setCamelContext(context);
                context.getCamelContextExtension().getContextPlugin(Model.class).addModelLifecycleStrategy(catalog);
            }

            @Override
            public void afterConfigure(BaseMainSupport support) {
                catalog.warnAboutSharedMappings();
                registerInterfaces();
            }
        });
    }

    /**
     * Records every valid interface and its mappings before any trigger fires, so an interface counts tickets
     * from its first start and a new mapping from the start that first saw it.
     */
    private void registerInterfaces() {
        try (Connection connection = dataSource.getConnection()) {
            for (ExportInterface exportInterface : catalog.validInterfaces()) {
                interfaceLedger.register(connection, exportInterface);
            }
        } catch (SQLException e) {
            throw new ConfigurationException("Cannot record the interfaces in schema barcode_push: " + e.getMessage()
                    + ". Check that the database user may write to that schema.", e);
        }
    }

    /** Starts Camel; the Quartz schedules fire unless {@code camel.component.quartz.auto-start-scheduler} is false. */
    public void start() throws Exception {
        main.start();
        producer = main.getCamelContext().createProducerTemplate();
    }

    /** Starts Camel and blocks until the JVM is asked to stop. */
    public void runUntilStopped() throws Exception {
        main.run();
    }

    /**
     * Runs one interface now, in the calling thread, and returns how the run ended.
     *
     * @param immediate true for a run an operator asked for, which sends pending files whatever their back-off;
     *                  false to run exactly as the schedule does
     */
    public ExportRun run(String interfaceKey, boolean immediate) {
        // InOnly, as the Quartz trigger sends it, so an immediate run behaves exactly like a scheduled one.
        Exchange exchange = producer.send("direct:export-run", ExchangePattern.InOnly, e -> {
            e.getMessage().setHeader(ExportRuns.INTERFACE_KEY_HEADER, interfaceKey);
            e.getMessage().setHeader(ExportRuns.IMMEDIATE_HEADER, immediate);
        });
        ExportRun run = exchange.getProperty(ExportRun.PROPERTY, ExportRun.class);
        if (run == null) {
            Throwable failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
            throw new IllegalStateException("Run of interface " + interfaceKey + " did not start: "
                    + (failure == null ? "unknown error" : failure.getMessage()), failure);
        }
        return run;
    }

    /** Runs every valid interface once, one after the other, as immediate runs. */
    public List<ExportRun> runAllOnce() {
        List<ExportRun> runs = new ArrayList<>();
        for (ExportInterface exportInterface : catalog.validInterfaces()) {
            runs.add(run(exportInterface.key(), true));
        }
        return runs;
    }

    public InterfaceCatalog catalog() {
        return catalog;
    }

    public HikariDataSource dataSource() {
        return dataSource;
    }

    public Settings settings() {
        return settings;
    }

    public CamelContext camelContext() {
        return main.getCamelContext();
    }

    @Override
    public void close() {
        try {
            main.stop();
        } finally {
            dataSource.close();
        }
    }
}
