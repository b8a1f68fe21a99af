package io.barcodepush.support;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * Self-signed certificates for test mail servers, made with the JDK's {@code keytool}: a server key store
 * and a trust store containing only that server's certificate.
 */
public final class TestCertificates {

    /** Host name in the certificates: the subject's CN and the only subject alternative name. */
    public static final String HOST = "localhost";

    private static final String ALIAS = "server";
    private static final long KEYTOOL_TIMEOUT_SECONDS = 60;

    private TestCertificates() {
    }

    /** A PKCS12 key store with one private key and its self-signed certificate for {@value #HOST}. */
    public record ServerKeyStore(Path file, String password) {

        /** Creates a TLS context that presents this key store's certificate, for the server side. */
        public SSLContext serverContext() {
            try (InputStream in = Files.newInputStream(file)) {
                KeyStore keyStore = KeyStore.getInstance("PKCS12");
                keyStore.load(in, password.toCharArray());
                KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                keyManagers.init(keyStore, password.toCharArray());
                SSLContext context = SSLContext.getInstance("TLS");
                context.init(keyManagers.getKeyManagers(), null, null);
                return context;
            } catch (IOException | GeneralSecurityException e) {
                throw new IllegalStateException("Cannot load server key store " + file + ": " + e.getMessage(), e);
            }
        }
    }

    /**
     * Generates a new EC key pair and a self-signed certificate for {@value #HOST}, valid for 7 days, into
     * {@code NAME.p12} in {@code directory}. The subject is {@code CN=localhost, OU=NAME}, so certificates made
     * under different names never share a subject, and a trust store holding one of them has no anchor that
     * matches another one by name.
     */
    public static ServerKeyStore createServerKeyStore(Path directory, String name, String password) {
        Path file = directory.resolve(name + ".p12");
        keytool(directory, "-genkeypair", "-alias", ALIAS, "-keyalg", "EC", "-groupname", "secp256r1",
                "-sigalg", "SHA256withECDSA", "-dname", "CN=" + HOST + ", OU=" + name, "-ext", "SAN=dns:" + HOST,
                "-validity", "7", "-storetype", "PKCS12", "-keystore", file.toString(),
                "-storepass", password, "-keypass", password);
        return new ServerKeyStore(file, password);
    }

    /**
     * Writes {@code NAME.p12} in {@code directory}: a PKCS12 trust store whose only entry is the certificate
     * of {@code server}.
     */
    public static Path createTrustStore(Path directory, String name, String password, ServerKeyStore server) {
        Path certificate = directory.resolve(name + ".pem");
        Path file = directory.resolve(name + ".p12");
        keytool(directory, "-exportcert", "-rfc", "-alias", ALIAS, "-keystore", server.file().toString(),
                "-storepass", server.password(), "-file", certificate.toString());
        keytool(directory, "-importcert", "-noprompt", "-alias", ALIAS, "-file", certificate.toString(),
                "-storetype", "PKCS12", "-keystore", file.toString(), "-storepass", password);
        return file;
    }

    /** Runs keytool from the running JDK and fails with its output unless it exits with status 0. */
    private static void keytool(Path workingDirectory, String... arguments) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(arguments));
        try {
            Path output = Files.createTempFile(workingDirectory, "keytool", ".log");
            Process process = new ProcessBuilder(command)
                    .directory(workingDirectory.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(output.toFile())
                    .start();
            if (!process.waitFor(KEYTOOL_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("keytool " + arguments[0] + " timed out after "
                        + KEYTOOL_TIMEOUT_SECONDS + " s");
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException("keytool " + arguments[0] + " failed with exit status "
                        + process.exitValue() + ": " + Files.readString(output, StandardCharsets.UTF_8).trim());
            }
        } catch (IOException e) {
            throw new IllegalStateException("Cannot run keytool: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for keytool", e);
        }
    }
}
