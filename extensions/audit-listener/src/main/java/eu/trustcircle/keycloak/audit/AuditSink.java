package eu.trustcircle.keycloak.audit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

import org.jboss.logging.Logger;

/**
 * Where audit lines go: appended to a file (one JSON object per line, created 0600), or, without
 * a file, to the server log under the category {@code trustcircle.audit}.
 */
final class AuditSink {

    private static final Logger LOG = Logger.getLogger("trustcircle.audit");

    private final Path file;

    AuditSink(Path file) {
        this.file = file;
    }

    Path file() {
        return file;
    }

    synchronized void write(String line) {
        if (file == null) {
            LOG.info(line);
            return;
        }
        try {
            if (!Files.exists(file)) {
                Files.createDirectories(file.toAbsolutePath().getParent());
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            }
            Files.writeString(file, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the audit trail to " + file, e);
        }
    }
}
