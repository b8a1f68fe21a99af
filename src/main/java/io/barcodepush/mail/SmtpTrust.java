package io.barcodepush.mail;

import java.nio.file.Files;
import java.nio.file.Path;

import org.apache.camel.support.jsse.KeyStoreParameters;
import org.apache.camel.support.jsse.SSLContextParameters;
import org.apache.camel.support.jsse.TrustManagersParameters;

import io.barcodepush.ConfigurationException;

/**
 * TLS settings for SMTPS and STARTTLS: the JVM's trusted certificates, or a trust store file when one is set.
 */
public final class SmtpTrust {

    private SmtpTrust() {
    }

    /**
     * Returns TLS parameters that trust the certificates in {@code trustStore}, or the JVM's defaults when it is
     * blank. The server's host name is always checked against its certificate.
     */
    public static SSLContextParameters create(String trustStore, String trustStorePassword) {
        SSLContextParameters parameters = new SSLContextParameters();
        if (trustStore == null || trustStore.isBlank()) {
            return parameters;
        }
        if (!Files.isReadable(Path.of(trustStore))) {
            throw new ConfigurationException("Setting barcode-push.smtp.trust-store names the file '" + trustStore
                    + "', which does not exist or cannot be read. Give the path of a PKCS12 or JKS trust store.");
        }
        KeyStoreParameters keyStore = new KeyStoreParameters();
        keyStore.setResource("file:" + trustStore);
        keyStore.setPassword(trustStorePassword);
        TrustManagersParameters trustManagers = new TrustManagersParameters();
        trustManagers.setKeyStore(keyStore);
        parameters.setTrustManagers(trustManagers);
        return parameters;
    }
}
