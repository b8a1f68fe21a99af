package io.barcodepush.support;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Map;

import javax.net.ssl.SSLContext;

import com.icegreen.greenmail.Managers;
import com.icegreen.greenmail.server.AbstractServer;
import com.icegreen.greenmail.smtp.SmtpServer;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;

/**
 * A GreenMail SMTPS server (implicit TLS) on 127.0.0.1 and a free port that presents the certificate of a
 * given TLS context.
 *
 * <p>GreenMail 2.1.3 takes its SMTPS key store from the system properties {@code greenmail.tls.keystore.file}
 * and {@code greenmail.tls.keystore.password}, but reads them once per JVM: {@code DummySSLServerSocketFactory}
 * keeps a single instance. A test class that runs after another secure GreenMail in the same Surefire JVM
 * would silently get the earlier certificate, and one JVM could never serve two certificates. This class
 * therefore opens the server socket itself by overriding the protected
 * {@link AbstractServer#openServerSocket()}.
 */
public final class SmtpsGreenMail extends GreenMail {

    private final SSLContext serverTls;

    private SmtpsGreenMail(SSLContext serverTls) {
        super(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTPS));
        this.serverTls = serverTls;
    }

    /** Creates the server without starting it. Call {@link #withConfiguration} for users, then {@link #start()}. */
    public static SmtpsGreenMail create(SSLContext serverTls) {
        return new SmtpsGreenMail(serverTls);
    }

    /** Returns the port that the SMTPS server listens on, which is known once {@link #start()} returned. */
    public int port() {
        return getSmtps().getPort();
    }

    @Override
    protected Map<String, AbstractServer> createServices(ServerSetup[] setups, Managers managers) {
        // GreenMail's constructor calls this before serverTls is set, and start() calls it again to create the
        // servers it starts, so only the second call needs the TLS context.
        if (serverTls == null) {
            return super.createServices(setups, managers);
        }
        if (setups.length != 1 || !ServerSetup.PROTOCOL_SMTPS.equals(setups[0].getProtocol())) {
            throw new IllegalArgumentException("SmtpsGreenMail serves exactly one SMTPS setup");
        }
        return Map.of(ServerSetup.PROTOCOL_SMTPS, new TlsSmtpServer(setups[0], managers, serverTls));
    }

    /** GreenMail's SMTP server on a TLS server socket from the given context. */
    private static final class TlsSmtpServer extends SmtpServer {

        private final SSLContext serverTls;

        TlsSmtpServer(ServerSetup setup, Managers managers, SSLContext serverTls) {
            super(setup, managers);
            this.serverTls = serverTls;
        }

        /** Binds like {@link AbstractServer#openServerSocket()}, with this server's TLS context. */
        @Override
        protected ServerSocket openServerSocket() throws IOException {
            ServerSocket socket = serverTls.getServerSocketFactory().createServerSocket();
            try {
                socket.setReuseAddress(true);
                socket.bind(new InetSocketAddress(bindTo, setup.getPort()));
            } catch (IOException e) {
                socket.close();
                throw e;
            }
            setup = setup.port(socket.getLocalPort());
            setName(setup.getProtocol() + ':' + setup.getBindAddress() + ':' + setup.getPort());
            return socket;
        }
    }
}
