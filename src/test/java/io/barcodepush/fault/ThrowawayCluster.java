package io.barcodepush.fault;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.barcodepush.support.FreePort;

/**
 * A PostgreSQL 15 cluster of one test, on its own loopback port, that the test may restart. It never touches the
 * machine's shared server.
 *
 * <p>{@code initdb} and {@code pg_ctl} run as the OS user {@code postgres} through {@code runuser}, so the test JVM
 * must run as root. The data directory, the socket directory and the server log sit in one temporary directory
 * owned by {@code postgres}, which {@link #close()} stops the server in and deletes.
 */
final class ThrowawayCluster implements AutoCloseable {

    static final Path BIN = Path.of("/usr/lib/postgresql/15/bin");
    private static final String OS_USER = "postgres";
    /** Maximum time in seconds for one initdb or pg_ctl command. */
    private static final long COMMAND_TIMEOUT_SECONDS = 120;
    private static final int MAX_QUOTED_LOG_CHARS = 4000;

    private final Path baseDirectory;
    private final Path dataDirectory;
    private final Path socketDirectory;
    private final Path serverLog;
    private final Path commandLog;
    private final int port;

    private ThrowawayCluster(Path baseDirectory, int port) {
        this.baseDirectory = baseDirectory;
        this.dataDirectory = baseDirectory.resolve("data");
        this.socketDirectory = baseDirectory.resolve("socket");
        this.serverLog = baseDirectory.resolve("server.log");
        this.commandLog = baseDirectory.resolve("commands.log");
        this.port = port;
    }

    /** Creates a cluster with trust authentication for user postgres, and starts it. */
    static ThrowawayCluster start() throws IOException, InterruptedException {
        if (!"root".equals(System.getProperty("user.name"))) {
            fail("A throwaway PostgreSQL cluster needs root, to run initdb and pg_ctl as user postgres through"
                    + " runuser; this JVM runs as " + System.getProperty("user.name"));
        }
        if (!Files.isExecutable(BIN.resolve("initdb"))) {
            fail("initdb not found in " + BIN + "; install the PostgreSQL 15 server package.");
        }
        Path base = Files.createTempDirectory("barcode-push-pg-");
        ThrowawayCluster cluster = new ThrowawayCluster(base, FreePort.find());
        try {
            UserPrincipal owner = base.getFileSystem().getUserPrincipalLookupService()
                    .lookupPrincipalByName(OS_USER);
            Files.createDirectory(cluster.socketDirectory);
            Files.setOwner(base, owner);
            Files.setOwner(cluster.socketDirectory, owner);
            cluster.runAsPostgres(BIN.resolve("initdb").toString(), "-D", cluster.dataDirectory.toString(),
                    "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync");
            cluster.pgCtl("start", "-l", cluster.serverLog.toString(), "-o", cluster.serverOptions());
            return cluster;
        } catch (IOException | InterruptedException | RuntimeException | AssertionError e) {
            cluster.close();
            throw e;
        }
    }

    /** JDBC URL of the cluster's {@code postgres} database, for creating test databases. */
    String adminUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
    }

    int port() {
        return port;
    }

    /**
     * Restarts the server in fast mode: it ends every session, which the clients see as a closed connection, and
     * accepts new connections again when this returns.
     */
    void restart() throws IOException, InterruptedException {
        pgCtl("restart", "-m", "fast", "-l", serverLog.toString(), "-o", serverOptions());
    }

    private String serverOptions() {
        return "-p " + port + " -k " + socketDirectory + " -c listen_addresses=127.0.0.1 -c fsync=off";
    }

    private void pgCtl(String action, String... options) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(BIN.resolve("pg_ctl").toString(), action, "-D",
                dataDirectory.toString(), "-w", "-t", "60"));
        command.addAll(List.of(options));
        runAsPostgres(command.toArray(String[]::new));
    }

    /** Runs one command as user postgres, bounded in time, and fails with its output and the server log on error. */
    private void runAsPostgres(String... command) throws IOException, InterruptedException {
        List<String> full = new ArrayList<>(List.of("runuser", "-u", OS_USER, "--"));
        full.addAll(List.of(command));
        Files.writeString(commandLog, "$ " + String.join(" ", full) + "\n", StandardCharsets.UTF_8,
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        Process process = new ProcessBuilder(full)
                .directory(baseDirectory.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(commandLog.toFile()))
                .start();
        try {
            process.getOutputStream().close();
            if (!process.waitFor(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                fail("Timed out after " + COMMAND_TIMEOUT_SECONDS + " s: " + full + "\n" + logs());
            }
            if (process.exitValue() != 0) {
                fail("Failed with status " + process.exitValue() + ": " + full + "\n" + logs());
            }
        } finally {
            if (process.isAlive()) {
                process.destroyForcibly();
                process.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    private String logs() throws IOException {
        return "Command output:\n" + tail(commandLog) + "\nServer log:\n" + tail(serverLog);
    }

    private static String tail(Path file) throws IOException {
        if (!Files.exists(file)) {
            return "(none)";
        }
        String text = Files.readString(file, StandardCharsets.UTF_8);
        return text.length() <= MAX_QUOTED_LOG_CHARS ? text
                : "[...]" + text.substring(text.length() - MAX_QUOTED_LOG_CHARS);
    }

    /** Stops the server at once, without a checkpoint because the data is thrown away, and deletes every file. */
    @Override
    public void close() throws IOException, InterruptedException {
        try {
            // The server runs exactly while postmaster.pid exists, also after a start that timed out.
            if (Files.exists(dataDirectory.resolve("postmaster.pid"))) {
                pgCtl("stop", "-m", "immediate");
            }
        } finally {
            try (Stream<Path> files = Files.walk(baseDirectory)) {
                for (Path path : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(path);
                }
            }
        }
    }
}
