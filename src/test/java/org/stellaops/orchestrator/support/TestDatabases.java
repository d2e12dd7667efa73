package org.stellaops.orchestrator.support;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;
import org.flywaydb.core.Flyway;

/**
 * One real PostgreSQL per test JVM (embedded, or the server named by STELLA_TEST_DB_URL as
 * postgresql://user:pass@host:port/db), migrated once into a template; every test class gets
 * its own database copied from that template, which takes milliseconds.
 */
public final class TestDatabases {

  private static final String TEMPLATE = "stella_template";
  private static final AtomicInteger COUNTER = new AtomicInteger();
  private static Server server;

  private record Server(String host, int port, String user, String password) {
    String jdbc(String db) {
      return "jdbc:postgresql://" + host + ":" + port + "/" + db;
    }

    String url(String db) {
      return "postgresql://" + user + ":" + password + "@" + host + ":" + port + "/" + db;
    }
  }

  private TestDatabases() {}

  /**
   * A fresh database migrated only up to {@code version} (for testing a later migration on data
   * written before it); {@link #migrate} takes it the rest of the way.
   */
  public static synchronized String databaseAtVersion(String version) {
    Server s = server();
    String name = "test_" + ProcessHandle.current().pid() + "_" + COUNTER.incrementAndGet();
    execute(s, "postgres", "CREATE DATABASE " + name + " TEMPLATE template0");
    Flyway.configure().dataSource(s.jdbc(name), s.user(), s.password()).locations("classpath:db/migration")
        .target(version).load().migrate();
    return s.url(name);
  }

  /** Applies every migration not yet applied to the database. */
  public static void migrate(String dbUrl) {
    Server s = server();
    Flyway.configure().dataSource(s.jdbc(dbUrl.substring(dbUrl.lastIndexOf('/') + 1)), s.user(), s.password())
        .locations("classpath:db/migration").load().migrate();
  }

  /** A fresh, migrated database; returns its postgresql:// URL for STELLA_DB_URL. */
  public static synchronized String freshDatabase() {
    Server s = server();
    String name = "test_" + ProcessHandle.current().pid() + "_" + COUNTER.incrementAndGet();
    execute(s, "postgres", "CREATE DATABASE " + name + " TEMPLATE " + TEMPLATE);
    return s.url(name);
  }

  /** Runs SQL directly, for tests that check guarantees the schema itself enforces. */
  public static void execute(String dbUrl, String sql) throws SQLException {
    Server s = server();
    String db = dbUrl.substring(dbUrl.lastIndexOf('/') + 1);
    try (Connection c = DriverManager.getConnection(s.jdbc(db), s.user(), s.password());
        Statement st = c.createStatement()) {
      st.execute(sql);
    }
  }

  /** A plain JDBC connection to a test database, for tests that hold locks to stall the gateway. */
  public static Connection connect(String dbUrl) throws SQLException {
    Server s = server();
    return DriverManager.getConnection(s.jdbc(dbUrl.substring(dbUrl.lastIndexOf('/') + 1)), s.user(), s.password());
  }

  /** The first column of every row of a query, as text. */
  public static java.util.List<String> query(String dbUrl, String sql) throws SQLException {
    Server s = server();
    String db = dbUrl.substring(dbUrl.lastIndexOf('/') + 1);
    try (Connection c = DriverManager.getConnection(s.jdbc(db), s.user(), s.password());
        Statement st = c.createStatement();
        java.sql.ResultSet rs = st.executeQuery(sql)) {
      java.util.List<String> values = new java.util.ArrayList<>();
      while (rs.next()) {
        values.add(rs.getString(1));
      }
      return values;
    }
  }

  private static Server server() {
    if (server == null) {
      server = start();
      execute(server, "postgres", "DROP DATABASE IF EXISTS " + TEMPLATE);
      execute(server, "postgres", "CREATE DATABASE " + TEMPLATE);
      Flyway.configure().dataSource(server.jdbc(TEMPLATE), server.user(), server.password())
          .locations("classpath:db/migration").load().migrate();
    }
    return server;
  }

  private static Server start() {
    String external = System.getenv("STELLA_TEST_DB_URL");
    if (external != null && !external.isBlank()) {
      var uri = java.net.URI.create(external.replaceFirst("^postgres(ql)?://", "http://"));
      String[] userInfo = uri.getUserInfo().split(":", 2);
      return new Server(uri.getHost(), uri.getPort() < 0 ? 5432 : uri.getPort(), userInfo[0],
          userInfo.length > 1 ? userInfo[1] : "");
    }
    try {
      Path dir = Files.createTempDirectory("stella-test-pg");
      EmbeddedPostgres pg = EmbeddedPostgres.builder().setDataDirectory(dir).setCleanDataDirectory(true).start();
      return new Server("127.0.0.1", pg.getPort(), "postgres", "postgres");
    } catch (IOException e) {
      throw new IllegalStateException("cannot start embedded PostgreSQL for tests", e);
    }
  }

  private static void execute(Server s, String db, String sql) {
    try (Connection c = DriverManager.getConnection(s.jdbc(db), s.user(), s.password());
        Statement st = c.createStatement()) {
      st.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException(sql + ": " + e.getMessage(), e);
    }
  }
}
