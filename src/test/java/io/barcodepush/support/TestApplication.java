package io.barcodepush.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.barcodepush.Application;
import io.barcodepush.export.ExportRun;

/**
 * The real application with the repository's application.properties and YAML flows, the test's own interfaces,
 * a test database and a test mail server. The Quartz scheduler stays off unless a test turns it on, so runs
 * happen when the test asks.
 */
public final class TestApplication implements AutoCloseable {

    /** The repository root; Maven runs tests there. */
    public static final Path REPOSITORY = Path.of("").toAbsolutePath();

    private final Application application;
    private final Path routes;

    private TestApplication(Application application, Path routes) {
        this.application = application;
        this.routes = routes;
    }

    public static TestApplication start(TestDatabase database, int smtpPort, List<InterfaceYaml> interfaces) {
        return start(database, smtpPort, interfaces, Map.of());
    }

    public static TestApplication start(TestDatabase database, int smtpPort, List<InterfaceYaml> interfaces,
            Map<String, String> extraOverrides) {
        return start(database, smtpPort, interfaces, extraOverrides, Map.of());
    }

    /**
     * Starts the application with extra environment variables, the way production receives secrets such as
     * {@code BARCODE_PUSH_SMTP_PASSWORD}. Overrides still win over the environment.
     */
    public static TestApplication start(TestDatabase database, int smtpPort, List<InterfaceYaml> interfaces,
            Map<String, String> extraOverrides, Map<String, String> extraEnvironment) {
        Path routes = routesWith(interfaces);
        Map<String, String> overrides = new HashMap<>();
        overrides.put("barcode-push.db.url", database.url());
        overrides.put("barcode-push.db.user", TestDatabase.USER);
        overrides.put("barcode-push.smtp.protocol", "smtp");
        overrides.put("barcode-push.smtp.host", "127.0.0.1");
        overrides.put("barcode-push.smtp.port", Integer.toString(smtpPort));
        overrides.put("barcode-push.smtp.starttls", "false");
        overrides.put("barcode-push.smtp.connection-timeout-ms", "3000");
        overrides.put("barcode-push.smtp.read-timeout-ms", "5000");
        overrides.put("barcode-push.mail.from", "barcode-push@operator.example");
        overrides.put("camel.component.quartz.auto-start-scheduler", "false");
        // Tests run the next attempt at once unless they test the back-off.
        overrides.put("barcode-push.retry.initial-delay", "PT0S");
        overrides.putAll(extraOverrides);
        Map<String, String> environment = new HashMap<>();
        if (!TestDatabase.PASSWORD.isEmpty()) {
            environment.put("BARCODE_PUSH_DB_PASSWORD", TestDatabase.PASSWORD);
        }
        environment.putAll(extraEnvironment);
        Application application = Application.create(REPOSITORY.resolve("application.properties"), routes,
                environment, overrides);
        try {
            application.start();
        } catch (Exception e) {
            application.close();
            throw new IllegalStateException("Application did not start: " + e.getMessage(), e);
        }
        return new TestApplication(application, routes);
    }

    /** Copies the repository's flows and writes the given interfaces next to them. */
    public static Path routesWith(List<InterfaceYaml> interfaces) {
        try {
            Path routes = Files.createTempDirectory("barcode-push-routes");
            try (DirectoryStream<Path> flows = Files.newDirectoryStream(REPOSITORY.resolve("routes"), "*.yaml")) {
                for (Path flow : flows) {
                    if (!flow.getFileName().toString().equals("interfaces.camel.yaml")) {
                        Files.copy(flow, routes.resolve(flow.getFileName()));
                    }
                }
            }
            Files.writeString(routes.resolve("interfaces.camel.yaml"), InterfaceYaml.file(interfaces));
            return routes;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs the interface as its schedule would. */
    public ExportRun run(String interfaceKey) {
        return application.run(interfaceKey, false);
    }

    /** Runs the interface as an operator's immediate run, which ignores the back-off of pending files. */
    public ExportRun runImmediately(String interfaceKey) {
        return application.run(interfaceKey, true);
    }

    public Application application() {
        return application;
    }

    @Override
    public void close() {
        application.close();
        try (var files = Files.walk(routes)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
