package io.barcodepush;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.barcodepush.demo.Demo;
import io.barcodepush.export.ExportRun;
import io.barcodepush.export.InvalidInterfaceException;

/**
 * Command-line entry point: runs on schedule, once ({@code --once}) or as a demo ({@code --demo}).
 */
public final class BarcodePush {

    /** Exit status when a run failed or a file was not accepted. */
    public static final int EXIT_RUN_FAILED = 1;
    /** Exit status for invalid configuration or command-line arguments. */
    public static final int EXIT_CONFIGURATION = 2;

    private static final Logger LOG = LoggerFactory.getLogger(BarcodePush.class);

    private static final String USAGE = """
            Usage: java -jar barcode-push.jar [--once | --demo | --help] [--config=FILE] [--routes=DIR]

              (no mode)      run every interface on its schedule until stopped
              --once         run every interface once and exit
              --demo         reset the demo data (in an empty database or one holding only demo data), run every
                             interface once against an embedded mail server, and write the mails to outbox/
              --config=FILE  properties file to read (default: application.properties)
              --routes=DIR   directory of the YAML routes (default: routes)
              -h, --help     print this text

            Exit status: 0 every run succeeded; 1 a run failed or a file was not accepted; 2 invalid
            configuration or an invalid interface.
            Environment: BARCODE_PUSH_DB_URL, _DB_USER, _DB_PASSWORD, _SMTP_HOST, _SMTP_PORT, _SMTP_USER,
            _SMTP_PASSWORD, _SMTP_TRUST_STORE_PASSWORD and _MAIL_FROM override the settings (secrets only here).
            """;

    private BarcodePush() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.getenv(), System.out));
    }

    /** Runs the command and returns the process exit status. */
    static int run(String[] args, Map<String, String> environment, PrintStream out) {
        CommandLine commandLine;
        try {
            commandLine = CommandLine.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.print(USAGE);
            return EXIT_CONFIGURATION;
        }
        if (commandLine.mode() == CommandLine.Mode.HELP) {
            out.print(USAGE);
            return 0;
        }
        try {
            return switch (commandLine.mode()) {
                case DEMO -> Demo.run(commandLine.config(), commandLine.routes(), environment, out);
                case ONCE -> runOnce(commandLine, environment);
                default -> runScheduled(commandLine, environment);
            };
        } catch (ConfigurationException e) {
            LOG.error("barcode-push cannot start: {}", e.getMessage());
            return EXIT_CONFIGURATION;
        } catch (Exception e) {
            LOG.error("barcode-push stopped after an unexpected error: {}", e.getMessage(), e);
            return EXIT_RUN_FAILED;
        }
    }

    private static int runOnce(CommandLine commandLine, Map<String, String> environment) throws Exception {
        try (Application application = Application.create(commandLine.config(), commandLine.routes(), environment,
                Map.of("camel.component.quartz.auto-start-scheduler", "false"))) {
            application.start();
            List<ExportRun> runs = application.runAllOnce();
            return reportOutcome(runs, application.catalog().problems());
        }
    }

    /**
     * Logs one closing line with the outcome of every run and interface, and returns the exit status.
     */
    public static int reportOutcome(List<ExportRun> runs, java.util.Collection<InvalidInterfaceException> problems) {
        int status = exitStatus(runs, problems);
        List<String> failed = runs.stream().filter(run -> run.getOutcome() == ExportRun.Outcome.FAILED
                || run.getOutcome() == ExportRun.Outcome.WAITING).map(ExportRun::getInterfaceKey).toList();
        List<String> invalid = problems.stream().map(InvalidInterfaceException::interfaceKey).toList();
        if (status == 0) {
            LOG.info("All {} interfaces ran; exit status 0", runs.size());
        } else {
            LOG.error("Exit status {}: runs that did not complete: {}; invalid interfaces, not run: {}. See the ERROR"
                    + " lines above for each.", status, failed, invalid);
        }
        return status;
    }

    /**
     * 0 when every valid interface ran to the end (or was busy in another instance, which sends its files) and no
     * interface is invalid.
     */
    static int exitStatus(List<ExportRun> runs, java.util.Collection<InvalidInterfaceException> problems) {
        boolean failed = runs.stream().anyMatch(run -> run.getOutcome() != ExportRun.Outcome.SUCCEEDED
                && run.getOutcome() != ExportRun.Outcome.BUSY);
        if (failed) {
            return EXIT_RUN_FAILED;
        }
        return problems.isEmpty() ? 0 : EXIT_CONFIGURATION;
    }

    private static int runScheduled(CommandLine commandLine, Map<String, String> environment) throws Exception {
        Application application = Application.create(commandLine.config(), commandLine.routes(), environment,
                Map.of());
        try {
            application.runUntilStopped();
            return 0;
        } finally {
            application.close();
        }
    }

    /** The parsed command line. */
    record CommandLine(Mode mode, Path config, Path routes) {

        enum Mode { SCHEDULED, ONCE, DEMO, HELP }

        static CommandLine parse(String[] args) {
            Mode mode = Mode.SCHEDULED;
            Path config = Path.of("application.properties");
            Path routes = Path.of("routes");
            for (String arg : args) {
                if (arg.equals("--once") || arg.equals("--demo") || arg.equals("--help") || arg.equals("-h")) {
                    Mode requested = arg.equals("--once") ? Mode.ONCE : arg.equals("--demo") ? Mode.DEMO : Mode.HELP;
                    if (mode != Mode.SCHEDULED && mode != requested) {
                        throw new IllegalArgumentException("Give at most one of --once, --demo and --help.");
                    }
                    mode = requested;
                } else if (arg.startsWith("--config=")) {
                    config = Path.of(arg.substring("--config=".length()));
                } else if (arg.startsWith("--routes=")) {
                    routes = Path.of(arg.substring("--routes=".length()));
                } else {
                    throw new IllegalArgumentException("Unknown argument: " + arg);
                }
            }
            return new CommandLine(mode, config, routes);
        }
    }
}
