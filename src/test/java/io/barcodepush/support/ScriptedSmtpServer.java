package io.barcodepush.support;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * A small SMTP server on a loopback port whose replies a test chooses: it can refuse chosen recipients or the
 * whole message with any 4xx or 5xx reply, which GreenMail cannot do. It can also hold the reply to a message's
 * data until the test releases it, so a test can act while the client waits inside its send.
 */
public final class ScriptedSmtpServer implements AutoCloseable {

    /** A message the server accepted. */
    public record Accepted(List<String> recipients, String data) {
    }

    /** Maximum time a held reply waits for the test to release it. */
    public static final int MAX_HOLD_SECONDS = 120;

    private final ServerSocket serverSocket;
    private final ExecutorService connections = Executors.newFixedThreadPool(4);
    private final List<Accepted> accepted = new CopyOnWriteArrayList<>();
    private volatile Set<String> refusedRecipients = Set.of();
    private volatile String endOfDataReply = "250 2.0.0 Queued";
    /** Released once per message whose data was read while replies are held. */
    private final Semaphore heldMessages = new Semaphore(0);
    /** Null while replies go out at once, else counted down when the test releases the held replies. */
    private volatile CountDownLatch replyRelease;

    public ScriptedSmtpServer() throws IOException {
        serverSocket = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::acceptConnections, "scripted-smtp-" + port());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public int port() {
        return serverSocket.getLocalPort();
    }

    /** Refuses these recipients with {@code 550} at RCPT TO. */
    public void refuseRecipients(Set<String> addresses) {
        this.refusedRecipients = Set.copyOf(addresses);
    }

    /** Sets the reply to the end of a message, for example {@code 554 5.7.1 Rejected}. */
    public void replyToData(String reply) {
        this.endOfDataReply = reply;
    }

    /**
     * Holds the reply to the end of every message's data from now on, until {@link #releaseDataReplies()}. A held
     * connection waits at most {@value #MAX_HOLD_SECONDS} seconds and is then dropped without a reply.
     */
    public void holdDataReplies() {
        replyRelease = new CountDownLatch(1);
    }

    /** Waits until the data of one more message was read and its reply is held, and returns false on timeout. */
    public boolean awaitHeldMessage(long timeout, TimeUnit unit) throws InterruptedException {
        return heldMessages.tryAcquire(timeout, unit);
    }

    /** Sends the held replies and replies at once again. */
    public void releaseDataReplies() {
        CountDownLatch release = replyRelease;
        replyRelease = null;
        if (release != null) {
            release.countDown();
        }
    }

    public List<Accepted> accepted() {
        return List.copyOf(accepted);
    }

    private void acceptConnections() {
        while (!serverSocket.isClosed()) {
            try {
                Socket socket = serverSocket.accept();
                connections.submit(() -> serve(socket));
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void serve(Socket socket) {
        try (socket;
                BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                        StandardCharsets.UTF_8));
                OutputStream out = socket.getOutputStream()) {
            socket.setSoTimeout(10_000);
            reply(out, "220 localhost ESMTP scripted test server");
            List<String> recipients = new ArrayList<>();
            String line;
            while ((line = in.readLine()) != null) {
                String command = line.toUpperCase(Locale.ROOT);
                if (command.startsWith("EHLO")) {
                    reply(out, "250-localhost\r\n250 8BITMIME");
                } else if (command.startsWith("HELO") || command.startsWith("NOOP")) {
                    reply(out, "250 OK");
                } else if (command.startsWith("MAIL FROM")) {
                    recipients.clear();
                    reply(out, "250 2.1.0 OK");
                } else if (command.startsWith("RCPT TO")) {
                    String address = line.substring(line.indexOf('<') + 1, line.lastIndexOf('>'));
                    if (refusedRecipients.contains(address)) {
                        reply(out, "550 5.1.1 <" + address + ">: mailbox unavailable");
                    } else {
                        recipients.add(address);
                        reply(out, "250 2.1.5 OK");
                    }
                } else if (command.equals("DATA")) {
                    reply(out, "354 End data with <CR><LF>.<CR><LF>");
                    String data = readData(in);
                    if (!awaitRelease()) {
                        return;
                    }
                    if (endOfDataReply.startsWith("250")) {
                        accepted.add(new Accepted(List.copyOf(recipients), data));
                    }
                    reply(out, endOfDataReply);
                } else if (command.equals("RSET")) {
                    recipients.clear();
                    reply(out, "250 OK");
                } else if (command.equals("QUIT")) {
                    reply(out, "221 Bye");
                    return;
                } else {
                    reply(out, "502 5.5.2 Command not implemented");
                }
            }
        } catch (SocketTimeoutException idle) {
            // The client went quiet; drop the connection.
        } catch (IOException e) {
            // The client hung up.
        }
    }

    /** Returns false when a held reply was not released in time or the server is closing. */
    private boolean awaitRelease() {
        CountDownLatch release = replyRelease;
        if (release == null) {
            return true;
        }
        heldMessages.release();
        try {
            return release.await(MAX_HOLD_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException closing) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static String readData(BufferedReader in) throws IOException {
        StringBuilder data = new StringBuilder();
        String line;
        while ((line = in.readLine()) != null && !line.equals(".")) {
            data.append(line.startsWith("..") ? line.substring(1) : line).append("\r\n");
        }
        return data.toString();
    }

    private static void reply(OutputStream out, String text) throws IOException {
        out.write((text + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    @Override
    public void close() throws IOException {
        serverSocket.close();
        connections.shutdownNow();
    }
}
