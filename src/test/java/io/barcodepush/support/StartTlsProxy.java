package io.barcodepush.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * An SMTP front end on 127.0.0.1 that offers STARTTLS (RFC 3207) and relays each upgraded connection to a plain
 * SMTP server on the loopback address, such as GreenMail, which has no STARTTLS of its own in version 2.1.3.
 *
 * <p>Before the upgrade it replies to EHLO with STARTTLS as the only extension, and rejects every command except
 * EHLO, HELO, NOOP, RSET, QUIT and STARTTLS with 530, so neither credentials nor mail can pass in plain text.
 * After the TLS handshake it connects to the back end, drops the back end's 220 greeting and copies bytes both
 * ways, so the back end replies to the client's second EHLO, to AUTH and to the mail itself.
 */
public final class StartTlsProxy implements AutoCloseable {

    /** Maximum connections accepted in the proxy's lifetime, because one test opens only a few. */
    private static final int MAX_CONNECTIONS = 20;
    private static final int MAX_COMMANDS_BEFORE_TLS = 20;
    /** Maximum SMTP command or reply line in octets, CRLF included, as set since RFC 821. */
    private static final int MAX_LINE_LENGTH = 512;
    private static final int MAX_GREETING_LINES = 20;
    private static final long MAX_RELAYED_BYTES = 16L * 1024 * 1024;
    private static final int SOCKET_TIMEOUT_MS = 10_000;

    private final SSLContext serverTls;
    private final int backendPort;
    private final ServerSocket listener;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final List<String> plaintextCommands = new CopyOnWriteArrayList<>();
    private final AtomicInteger tlsSessions = new AtomicInteger();

    private StartTlsProxy(SSLContext serverTls, int backendPort, ServerSocket listener) {
        this.serverTls = serverTls;
        this.backendPort = backendPort;
        this.listener = listener;
    }

    /**
     * Starts listening on a free port of 127.0.0.1.
     *
     * @param serverTls   context whose certificate the proxy presents after STARTTLS
     * @param backendPort port of the plain SMTP server on 127.0.0.1 that receives the upgraded connections
     */
    public static StartTlsProxy start(SSLContext serverTls, int backendPort) throws IOException {
        ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        StartTlsProxy proxy = new StartTlsProxy(serverTls, backendPort, listener);
        proxy.threads.execute(proxy::acceptConnections);
        return proxy;
    }

    public int port() {
        return listener.getLocalPort();
    }

    /**
     * Returns the command verbs that clients sent before TLS, in order, for example {@code [EHLO, STARTTLS]}.
     * Arguments are not stored, so a credential sent in plain text shows up as its verb only.
     */
    public List<String> plaintextCommands() {
        return List.copyOf(plaintextCommands);
    }

    /** Returns how many TLS handshakes completed. */
    public int tlsSessions() {
        return tlsSessions.get();
    }

    private void acceptConnections() {
        for (int accepted = 0; accepted < MAX_CONNECTIONS; accepted++) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException e) {
                return; // close() closed the listener
            }
            sockets.add(client);
            threads.execute(() -> serve(client));
        }
    }

    private void serve(Socket client) {
        try (client) {
            client.setSoTimeout(SOCKET_TIMEOUT_MS);
            if (!negotiateStartTls(client.getInputStream(), client.getOutputStream())) {
                return;
            }
            SSLSocket tls = (SSLSocket) serverTls.getSocketFactory().createSocket(client,
                    client.getInetAddress().getHostAddress(), client.getPort(), true);
            tls.setUseClientMode(false);
            tls.startHandshake();
            tlsSessions.incrementAndGet();
            relay(tls);
        } catch (IOException e) {
            // A failed handshake or a closed connection ends this session; the client reports its own error.
        }
    }

    /** Replies to commands until the client sends STARTTLS. Returns false if it quits or disconnects first. */
    private boolean negotiateStartTls(InputStream in, OutputStream out) throws IOException {
        reply(out, "220 " + TestCertificates.HOST + " ESMTP STARTTLS test proxy");
        for (int i = 0; i < MAX_COMMANDS_BEFORE_TLS; i++) {
            String line = readLine(in);
            if (line == null) {
                return false;
            }
            String verb = line.split(" ", 2)[0].toUpperCase(Locale.ROOT);
            plaintextCommands.add(verb);
            switch (verb) {
                case "EHLO" -> reply(out, "250-" + TestCertificates.HOST + "\r\n250 STARTTLS");
                case "HELO" -> reply(out, "250 " + TestCertificates.HOST);
                case "NOOP", "RSET" -> reply(out, "250 2.0.0 OK");
                case "QUIT" -> {
                    reply(out, "221 2.0.0 Bye");
                    return false;
                }
                case "STARTTLS" -> {
                    reply(out, "220 2.0.0 Ready to start TLS");
                    return true;
                }
                default -> reply(out, "530 5.7.0 Must issue a STARTTLS command first");
            }
        }
        reply(out, "421 4.7.0 Too many commands without STARTTLS, closing connection");
        return false;
    }

    /** Connects to the back end, drops its greeting and copies bytes both ways until either side closes. */
    private void relay(SSLSocket tls) throws IOException {
        try (Socket backend = new Socket()) {
            sockets.add(backend);
            backend.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), backendPort), SOCKET_TIMEOUT_MS);
            backend.setSoTimeout(SOCKET_TIMEOUT_MS);
            skipGreeting(backend.getInputStream());
            threads.execute(() -> copy(tls, backend));
            copy(backend, tls);
        }
    }

    /** Reads the back end's 220 reply, which the client already had from the proxy. */
    private static void skipGreeting(InputStream in) throws IOException {
        for (int i = 0; i < MAX_GREETING_LINES; i++) {
            String line = readLine(in);
            if (line == null || !line.startsWith("220")) {
                throw new IOException("Back end sent no 220 greeting, but: " + line);
            }
            // The last line of a reply has a space after the code; the others have a hyphen.
            if (line.length() == 3 || line.charAt(3) == ' ') {
                return;
            }
        }
        throw new IOException("Back end greeting is longer than " + MAX_GREETING_LINES + " lines");
    }

    /** Copies from one socket to the other until end of stream, then closes both, which ends the other copy. */
    private static void copy(Socket from, Socket to) {
        byte[] buffer = new byte[8192];
        long total = 0;
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            int read;
            while (total < MAX_RELAYED_BYTES && (read = in.read(buffer)) >= 0) {
                out.write(buffer, 0, read);
                out.flush();
                total += read;
            }
        } catch (IOException e) {
            // The other copy closed the sockets, or a read timed out.
        } finally {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    /**
     * Reads one line ending in LF byte by byte, so no byte after it is consumed: after STARTTLS the next bytes
     * belong to the TLS handshake. Returns the line without CR LF, or null at end of stream.
     */
    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int i = 0; i < MAX_LINE_LENGTH; i++) {
            int b = in.read();
            if (b < 0) {
                return line.size() == 0 ? null : line.toString(StandardCharsets.US_ASCII);
            }
            if (b == '\n') {
                String text = line.toString(StandardCharsets.US_ASCII);
                return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
            }
            line.write(b);
        }
        throw new IOException("SMTP line longer than " + MAX_LINE_LENGTH + " bytes");
    }

    private static void reply(OutputStream out, String text) throws IOException {
        out.write((text + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // Already closed.
        }
    }

    /** Stops accepting, closes every open connection and waits up to 10 s for the proxy's threads to end. */
    @Override
    public void close() throws IOException {
        listener.close();
        sockets.forEach(StartTlsProxy::closeQuietly);
        threads.shutdownNow();
        try {
            if (!threads.awaitTermination(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("STARTTLS proxy threads did not end within 10 s of closing");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
