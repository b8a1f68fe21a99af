package io.barcodepush.support;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs the packaged jar ({@code target/barcode-push.jar}) in a child JVM, as an operator would start it.
 *
 * <p>The child inherits the test's environment except every {@code BARCODE_PUSH_*} variable and the variables that
 * add JVM options ({@code JAVA_TOOL_OPTIONS}, {@code JDK_JAVA_OPTIONS}, {@code _JAVA_OPTIONS}), so only what a
 * test sets reaches it. Its standard output and standard error go to one file.
 */
public final class JarProcess {

    /** The shaded jar that {@code mvn package} builds. */
    public static final Path JAR = TestApplication.REPOSITORY.resolve("target").resolve("barcode-push.jar");

    /** Maximum time in seconds that a child may run before it is killed and the test fails. */
    public static final long TIMEOUT_SECONDS = 180;

    private static final List<String> JVM_OPTION_VARIABLES = List.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS",
            "_JAVA_OPTIONS");
    /** Maximum characters of output quoted in a failure message. The whole output stays in the output file. */
    private static final int MAX_QUOTED_OUTPUT_CHARS = 6000;

    private final Path workingDirectory;
    private final List<String> jvmOptions = new ArrayList<>();
    private final Map<String, String> environment = new LinkedHashMap<>();

    private JarProcess(Path workingDirectory) {
        this.workingDirectory = workingDirectory;
    }

    /** Starts describing a run of the jar in the given working directory. */
    public static JarProcess in(Path workingDirectory) {
        return new JarProcess(workingDirectory);
    }

    /**
     * Fills a working directory as an operator would: the repository's application.properties and YAML flows,
     * with the given interfaces, or the repository's own interfaces file when {@code interfaces} is null.
     */
    public static void prepareWorkingDirectory(Path directory, List<InterfaceYaml> interfaces) throws IOException {
        Files.copy(TestApplication.REPOSITORY.resolve("application.properties"),
                directory.resolve("application.properties"));
        Path routes = Files.createDirectory(directory.resolve("routes"));
        try (DirectoryStream<Path> flows = Files.newDirectoryStream(TestApplication.REPOSITORY.resolve("routes"),
                "*.yaml")) {
            for (Path flow : flows) {
                if (interfaces == null || !flow.getFileName().toString().equals("interfaces.camel.yaml")) {
                    Files.copy(flow, routes.resolve(flow.getFileName()));
                }
            }
        }
        if (interfaces != null) {
            Files.writeString(routes.resolve("interfaces.camel.yaml"), InterfaceYaml.file(interfaces),
                    StandardCharsets.UTF_8);
        }
    }

    /** Fails the test unless the jar was built, because these tests run it as it ships. */
    public static void requireJar() {
        if (!Files.isRegularFile(JAR)) {
            fail("The jar " + JAR + " is missing. Run the integration tests with `mvn verify`, which packages the"
                    + " jar before it runs them.");
        }
    }

    public JarProcess jvmOptions(String... options) {
        jvmOptions.addAll(List.of(options));
        return this;
    }

    public JarProcess environment(String name, String value) {
        environment.put(name, value);
        return this;
    }

    /** Sets the database URL and the test database's credentials in the child's environment. */
    public JarProcess database(String url) {
        environment.put("BARCODE_PUSH_DB_URL", url);
        environment.put("BARCODE_PUSH_DB_USER", TestDatabase.USER);
        if (!TestDatabase.PASSWORD.isEmpty()) {
            environment.put("BARCODE_PUSH_DB_PASSWORD", TestDatabase.PASSWORD);
        }
        return this;
    }

    /**
     * Runs {@code java [jvmOptions] -jar target/barcode-push.jar [arguments]}, waits at most
     * {@value #TIMEOUT_SECONDS} seconds and returns the exit status with the output. A child that runs longer is
     * killed and the test fails.
     *
     * @param outputFile file that receives the child's standard output and standard error
     */
    public Result run(Path outputFile, String... arguments) throws IOException, InterruptedException {
        requireJar();
        List<String> command = command(arguments);
        Process process = processBuilder(command, outputFile).start();
        try {
            // The jar reads no input, so its standard input is closed at once.
            process.getOutputStream().close();
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(30, TimeUnit.SECONDS);
                fail("The jar did not exit within " + TIMEOUT_SECONDS + " s and was killed: " + command
                        + "\nOutput:\n" + tail(read(outputFile)));
            }
            return new Result(command, process.exitValue(), read(outputFile));
        } finally {
            if (process.isAlive()) {
                process.destroyForcibly();
                process.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    /**
     * Starts {@code java [jvmOptions] -jar target/barcode-push.jar [arguments]} and returns without waiting, for
     * modes that run until stopped. The child is killed after {@value #TIMEOUT_SECONDS} seconds at the latest, and
     * when the returned handle is closed.
     *
     * @param outputFile file that receives the child's standard output and standard error
     */
    public Running start(Path outputFile, String... arguments) throws IOException {
        requireJar();
        List<String> command = command(arguments);
        Process process = processBuilder(command, outputFile).start();
        CompletableFuture.delayedExecutor(TIMEOUT_SECONDS, TimeUnit.SECONDS).execute(process::destroyForcibly);
        // The jar reads no input, so its standard input is closed at once.
        process.getOutputStream().close();
        return new Running(command, process, outputFile);
    }

    private List<String> command(String... arguments) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-jar");
        command.add(JAR.toString());
        command.addAll(List.of(arguments));
        return command;
    }

    private ProcessBuilder processBuilder(List<String> command, Path outputFile) {
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(workingDirectory.toFile())
                .redirectErrorStream(true)
                .redirectOutput(outputFile.toFile());
        Map<String, String> childEnvironment = builder.environment();
        childEnvironment.keySet().removeIf(name -> name.startsWith("BARCODE_PUSH_"));
        JVM_OPTION_VARIABLES.forEach(childEnvironment::remove);
        childEnvironment.putAll(environment);
        return builder;
    }

    /** A child started with {@link #start}; closing it kills the child if it still runs. */
    public static final class Running implements AutoCloseable {

        private final List<String> command;
        private final Process process;
        private final Path outputFile;

        private Running(List<String> command, Process process, Path outputFile) {
            this.command = command;
            this.process = process;
            this.outputFile = outputFile;
        }

        public boolean isAlive() {
            return process.isAlive();
        }

        /** Waits up to the timeout for the child to exit, and returns whether it has exited. */
        public boolean waitFor(long timeout, TimeUnit unit) throws InterruptedException {
            return process.waitFor(timeout, unit);
        }

        /** Returns everything the child has written so far. */
        public String output() throws IOException {
            return read(outputFile);
        }

        /** Kills the child at once, as a crash or {@code kill -9} would, and waits until it has exited. */
        public void kill() throws InterruptedException {
            process.destroyForcibly();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                fail("The jar did not exit within 30 s of being killed: " + command);
            }
        }

        /** Describes the child for assertion messages: the command, whether it runs, and the end of its output. */
        public String describe() throws IOException {
            return String.join(" ", command) + "\n" + (process.isAlive() ? "still running"
                    : "exited with status " + process.exitValue()) + "\nOutput:\n" + tail(output());
        }

        @Override
        public void close() throws InterruptedException {
            if (process.isAlive()) {
                kill();
            }
        }
    }

    /** How a child run ended: its command, exit status and combined output. */
    public record Result(List<String> command, int exitStatus, String output) {

        /** Describes the run for assertion messages: the command, the status and the end of the output. */
        public String describe() {
            return String.join(" ", command) + "\nexited with status " + exitStatus + "\nOutput:\n" + tail(output);
        }
    }

    /** Decodes the output as UTF-8, replacing invalid bytes, because the child may write in another charset. */
    private static String read(Path outputFile) throws IOException {
        return new String(Files.readAllBytes(outputFile), StandardCharsets.UTF_8);
    }

    private static String tail(String output) {
        return output.length() <= MAX_QUOTED_OUTPUT_CHARS ? output
                : "[...]" + output.substring(output.length() - MAX_QUOTED_OUTPUT_CHARS);
    }
}
