package org.stellaops.orchestrator.platform;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/** Generated secrets kept in files of the data directory. */
public final class Secrets {

  private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

  private Secrets() {}

  /**
   * Creates {@code file} holding {@code text}, readable by its owner only from the moment it
   * exists, and whole or not at all: the text goes to a 0600 temporary file that is then linked
   * to the name. Fails with {@link FileAlreadyExistsException} when the name exists already.
   */
  public static void writeOwnerOnly(Path file, String text) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = POSIX
        ? Files.createTempFile(dir, ".tmp-", "", ownerOnly(PosixFilePermissions.fromString("rw-------")))
        : Files.createTempFile(dir, ".tmp-", "");
    try {
      Files.writeString(tmp, text, StandardCharsets.US_ASCII);
      Files.createLink(file, tmp);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** Restricts an existing secret file to its owner (0600), for files an earlier version made. */
  public static void restrictFileToOwner(Path file) throws IOException {
    if (POSIX) {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    }
  }

  private static FileAttribute<Set<PosixFilePermission>> ownerOnly(Set<PosixFilePermission> permissions) {
    return PosixFilePermissions.asFileAttribute(permissions);
  }
}
