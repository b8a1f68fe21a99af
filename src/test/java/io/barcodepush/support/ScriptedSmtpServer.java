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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A small SMTP server on a loopback port whose replies a test chooses: it can refuse chosen recipients or the
 * whole message with any 4xx or 5xx reply, which GreenMail cannot do.
 */
public final class ScriptedSmtpServer implements AutoCloseable {

    /** A message the server accepted. */
    public record Accepted(List<String> recipients, String data) {
    }

    private final ServerSocket serverSocket;
    private final ExecutorService connections = Executors.newFixedThreadPool(4);
    private final List<Accepted> accepted = new CopyOnWriteArrayList<>();
    private volatile Set<String> refusedRecipients = Set.of();
    private volatile String endOfDataReply = "250 2.0.0 Queued";

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
