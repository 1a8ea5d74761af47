package org.trestle.update.internal;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;

import javax.net.ssl.SSLContext;

import org.eclipse.core.runtime.CoreException;
import org.eclipse.core.runtime.IProgressMonitor;
import org.eclipse.core.runtime.IStatus;
import org.eclipse.core.runtime.OperationCanceledException;
import org.eclipse.core.runtime.Status;
import org.eclipse.equinox.internal.p2.repository.AuthenticationFailedException;
import org.eclipse.equinox.internal.p2.repository.Transport;
import org.eclipse.equinox.p2.core.ProvisionException;

/**
 * How p2 reads update sites here: {@code file:} directories and HTTP(S) through the JDK's
 * client, trusting either the JDK's certificates or exactly one pinned certificate (the
 * sync server's, whose {@code /updates/} is the default site).
 */
public final class UpdateTransport extends Transport {

    private static final String BUNDLE = "org.trestle.update";
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final HttpClient http;

    /** @param trust the TLS context for HTTPS, or {@code null} for the JDK's trusted certificates */
    public UpdateTransport(SSLContext trust) {
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NORMAL);
        if (trust != null) {
            builder.sslContext(trust);
        }
        this.http = builder.build();
    }

    @Override
    public IStatus download(URI uri, OutputStream target, IProgressMonitor monitor) {
        try (InputStream in = stream(uri, monitor)) {
            byte[] buffer = new byte[64 * 1024];
            for (int n; (n = in.read(buffer)) >= 0;) {
                if (monitor != null && monitor.isCanceled()) {
                    return Status.CANCEL_STATUS;
                }
                target.write(buffer, 0, n);
            }
            return Status.OK_STATUS;
        } catch (FileNotFoundException e) {
            return new Status(IStatus.ERROR, BUNDLE, ProvisionException.ARTIFACT_NOT_FOUND, "Not found: " + uri, e);
        } catch (CoreException e) {
            return e.getStatus();
        } catch (IOException e) {
            return new Status(IStatus.ERROR, BUNDLE, ProvisionException.REPOSITORY_FAILED_READ,
                    "Cannot read " + uri + ": " + e.getMessage(), e);
        }
    }

    @Override
    public InputStream stream(URI uri, IProgressMonitor monitor)
            throws FileNotFoundException, CoreException, AuthenticationFailedException {
        String scheme = scheme(uri);
        if (scheme.equals("file")) {
            try {
                return Files.newInputStream(Path.of(uri));
            } catch (NoSuchFileException e) {
                throw new FileNotFoundException(uri.toString());
            } catch (IOException | IllegalArgumentException e) {
                throw failure(uri, e.getMessage(), e);
            }
        }
        HttpResponse<InputStream> response = send(uri, "GET", HttpResponse.BodyHandlers.ofInputStream(), monitor);
        if (response.statusCode() == 200) {
            return response.body();
        }
        try (InputStream ignored = response.body()) {
            throw refusal(uri, response.statusCode());
        } catch (IOException e) {
            throw failure(uri, e.getMessage(), e);
        }
    }

    @Override
    public long getLastModified(URI uri, IProgressMonitor monitor)
            throws CoreException, FileNotFoundException, AuthenticationFailedException {
        String scheme = scheme(uri);
        if (scheme.equals("file")) {
            try {
                return Files.getLastModifiedTime(Path.of(uri)).toMillis();
            } catch (NoSuchFileException e) {
                throw new FileNotFoundException(uri.toString());
            } catch (IOException | IllegalArgumentException e) {
                throw failure(uri, e.getMessage(), e);
            }
        }
        HttpResponse<Void> response = send(uri, "HEAD", HttpResponse.BodyHandlers.discarding(), monitor);
        if (response.statusCode() != 200) {
            throw refusal(uri, response.statusCode());
        }
        return response.headers().firstValue("Last-Modified").map(UpdateTransport::parseDate).orElse(0L);
    }

    private <T> HttpResponse<T> send(URI uri, String method, HttpResponse.BodyHandler<T> body, IProgressMonitor monitor)
            throws CoreException {
        if (monitor != null && monitor.isCanceled()) {
            throw new OperationCanceledException();
        }
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(TIMEOUT)
                .method(method, HttpRequest.BodyPublishers.noBody()).header("User-Agent", "Trestle-Update").build();
        try {
            return http.send(request, body);
        } catch (IOException e) {
            throw failure(uri, e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OperationCanceledException();
        }
    }

    private static CoreException refusal(URI uri, int status) throws FileNotFoundException,
            AuthenticationFailedException {
        if (status == 404 || status == 410) {
            throw new FileNotFoundException(uri.toString());
        }
        if (status == 401 || status == 403) {
            throw new AuthenticationFailedException();
        }
        return failure(uri, "HTTP " + status, null);
    }

    private static String scheme(URI uri) throws CoreException {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("file") && !scheme.equals("http") && !scheme.equals("https")) {
            throw failure(uri, "only file, http and https update sites are supported", null);
        }
        return scheme;
    }

    private static CoreException failure(URI uri, String reason, Throwable cause) {
        return new CoreException(new Status(IStatus.ERROR, BUNDLE, ProvisionException.REPOSITORY_FAILED_READ,
                "Cannot read " + uri + ": " + reason, cause));
    }

    private static long parseDate(String value) {
        try {
            return ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant().toEpochMilli();
        } catch (DateTimeParseException e) {
            return 0L;
        }
    }
}
