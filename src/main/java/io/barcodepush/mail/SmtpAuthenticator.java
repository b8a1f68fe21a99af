package io.barcodepush.mail;

import org.apache.camel.component.mail.MailAuthenticator;

import jakarta.mail.PasswordAuthentication;

/**
 * SMTP credentials from the settings; with no user configured the mail goes without authentication.
 * Kept out of the endpoint URI so the password never appears in an endpoint's text.
 */
public class SmtpAuthenticator extends MailAuthenticator {

    private final String user;
    private final String password;

    public SmtpAuthenticator(String user, String password) {
        this.user = user == null || user.isBlank() ? null : user;
        this.password = password;
    }

    @Override
    public PasswordAuthentication getPasswordAuthentication() {
        return new PasswordAuthentication(user, password);
    }
}
