package org.stellaops.orchestrator.platform;

import com.sun.security.auth.module.UnixSystem;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The data directory ({@code dataDir}, STELLA_DATA_DIR): the embedded database, its password
 * and the generated master key. Whoever can write there can replace the key or the database, so
 * the gateway uses it only when it is the process user's alone:
 * <ul>
 *   <li>absent: created, 0700 from the moment it exists (its parents as the umask makes them);
 *   <li>owned by another user, a symbolic link, or writable by its group or others: start-up stops,
 *       naming the directory, its owner or mode, and the command that fixes it. Its contents may
 *       have been replaced, so they are not trusted and nothing is changed;
 *   <li>readable or searchable by its group or others (0755, the usual umask): restricted to 0700
 *       with a warning, since nothing can have been put there by anyone else.
 * </ul>
 * On file systems without POSIX permissions it is only created.
 */
public final class DataDirectory {

  private static final Logger LOG = LoggerFactory.getLogger(DataDirectory.class);
  private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
  private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");
  private static final Set<PosixFilePermission> WRITABLE_BY_OTHERS =
      Set.of(PosixFilePermission.GROUP_WRITE, PosixFilePermission.OTHERS_WRITE);

  /** What the gateway keeps in its data directory (the key, the database, its password). */
  private static final List<String> EARLIER_DATA = List.of("master.key", "postgres", "postgres.password");

  private DataDirectory() {}

  /** Blocking (file system). Returns the directory, absolute, ready for secrets. */
  public static Path prepare(Path configured) {
    Path dir = configured.toAbsolutePath().normalize();
    try {
      if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
        refuseBesideEarlierData(dir);
        create(dir);
        LOG.info("data directory {} created (owner only, 0700)", dir);
        return dir;
      }
      if (!POSIX) {
        return dir;
      }
      check(dir);
      return dir;
    } catch (IOException e) {
      throw new IllegalStateException("cannot prepare the data directory " + dir + " (STELLA_DATA_DIR): "
          + e.getMessage(), e);
    }
  }

  /**
   * An absent data directory whose parent holds a master key or a database (the layout of images
   * that kept their data at the volume's top level) is not created: a fresh database and a new
   * master key beside the old ones would look like a working gateway that lost everything. The
   * operator moves the data in, or removes it, first.
   */
  static void refuseBesideEarlierData(Path dir) {
    Path parent = dir.getParent();
    if (parent == null) {
      return;
    }
    for (String name : EARLIER_DATA) {
      if (Files.exists(parent.resolve(name), LinkOption.NOFOLLOW_LINKS)) {
        throw refused(dir, "does not exist, but " + parent.resolve(name) + " does: data of an earlier start "
            + "that kept it one level up. Move it in (mkdir -m 700 " + dir + " && mv " + parent + "/{"
            + String.join(",", EARLIER_DATA) + "} " + dir + "/, moving the entries that exist), or point "
            + "STELLA_DATA_DIR at " + parent + "'s data deliberately");
      }
    }
  }

  private static void create(Path dir) throws IOException {
    Files.createDirectories(dir.getParent());
    try {
      if (POSIX) {
        Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        // The umask can only take bits away, so this is 0700 or less; make it exactly 0700.
        Files.setPosixFilePermissions(dir, OWNER_ONLY);
      } else {
        Files.createDirectory(dir);
      }
    } catch (FileAlreadyExistsException raced) {
      // Another process sharing the path made it first: hold it to the same rules.
      check(dir);
    }
  }

  private static void check(Path dir) throws IOException {
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      throw refused(dir, Files.isSymbolicLink(dir)
          ? "is a symbolic link; point STELLA_DATA_DIR at the directory itself"
          : "is not a directory");
    }
    long uid = new UnixSystem().getUid();
    int owner = (Integer) Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS);
    if (owner != uid) {
      throw refused(dir, "belongs to uid " + owner + ", not to the gateway's user (uid " + uid + "); "
          + "give it to that user (chown " + uid + " " + dir + " && chmod 700 " + dir + ") "
          + "or point STELLA_DATA_DIR at a directory of its own");
    }
    Set<PosixFilePermission> mode = Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS);
    if (mode.stream().anyMatch(WRITABLE_BY_OTHERS::contains)) {
      throw refused(dir, "is writable by its group or others (mode " + octal(mode) + "), so the key and "
          + "database in it may have been replaced; check its contents, then make it the gateway user's alone "
          + "(chmod 700 " + dir + ")");
    }
    if (!mode.equals(OWNER_ONLY)) {
      Files.setPosixFilePermissions(dir, OWNER_ONLY);
      LOG.warn("data directory {} was readable by its group or others (mode {}); restricted to its owner (0700)",
          dir, octal(mode));
    }
  }

  private static IllegalStateException refused(Path dir, String why) {
    return new IllegalStateException("the data directory " + dir + " (STELLA_DATA_DIR) " + why);
  }

  /** {@code rwxr-xr-x} as {@code 0755}. */
  static String octal(Set<PosixFilePermission> mode) {
    int bits = 0;
    for (PosixFilePermission p : mode) {
      bits |= 1 << (8 - p.ordinal());
    }
    return String.format("%04o", bits);
  }
}
