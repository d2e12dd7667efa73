package org.stellaops.orchestrator.platform;

import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one PostgreSQL the gateway uses: an external server named by {@code db.url}, or the
 * embedded PostgreSQL 17 kept under {@code dataDir/postgres} so its data survives restarts.
 * {@link #start} and {@link #migrate} block (process start-up, JDBC) and must run on a worker
 * thread; request handling uses only the reactive {@link #pool}.
 */
public final class Database implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Database.class);

  private final PgConnectOptions connectOptions;
  private final Optional<EmbeddedPostgres> embedded;
  private final String description;

  private Database(PgConnectOptions connectOptions, Optional<EmbeddedPostgres> embedded, String description) {
    this.description = description;
    // Each connection keeps its prepared statements. Without the cache (the client's default)
    // every preparedQuery sent a new Parse, and PostgreSQL parsed and analysed the statement
    // again on every execution: base_yyparse, the catalog cache and plan copying showed up
    // across its profile under webhook ingest (perf, docs/benchmarks.md). Our statements are
    // fixed texts, a few dozen per connection.
    this.connectOptions = connectOptions
        .setCachePreparedStatements(true)
        .setPreparedStatementCacheMaxSize(256)
        .setPreparedStatementCacheSqlLimit(16_384);
    this.embedded = embedded;
  }

  /** Blocking: connects to the external server or starts the embedded one. */
  public static Database start(AppConfig config) {
    if (config.db().url().isPresent()) {
      PgConnectOptions options = PgConnectOptions.fromUri(config.db().url().get());
      return new Database(options, Optional.empty(), "PostgreSQL at " + options.getHost() + ":" + options.getPort()
          + "/" + options.getDatabase());
    }
    Path dir = config.dataDir().toAbsolutePath().normalize().resolve("postgres");
    try {
      // Checked and made owner-only by DataDirectory.prepare before the database starts.
      Path dataDir = dir.getParent();
      boolean passwordIsNew = !Files.isRegularFile(dataDir.resolve(EmbeddedAuth.PASSWORD_FILE));
      String password = EmbeddedAuth.password(dataDir);
      EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
          .setConnectConfig("password", password)
          .setDataDirectoryCustomizer(cluster -> EmbeddedAuth.secure(cluster, password, passwordIsNew));
      // Diagnostics only (benchmarks): -Dstella.embeddedPostgres.settings=name=value,name=value,
      // e.g. shared_preload_libraries=pg_stat_statements. The settings below are applied after
      // these, so fsync and synchronous_commit cannot be turned off this way.
      for (String setting : System.getProperty("stella.embeddedPostgres.settings", "").split(",")) {
        String[] nameValue = setting.split("=", 2);
        if (nameValue.length == 2) {
          builder.setServerConfig(nameValue[0].trim(), nameValue[1].trim());
        }
      }
      EmbeddedPostgres pg = builder
          .setDataDirectory(dir)
          .setCleanDataDirectory(false)
          .setRegisterShutdownHook(false)
          // The library tunes for throwaway test databases (-F, synchronous_commit=off). This one
          // holds accepted data, so a commit must be on disk before we acknowledge it.
          .setServerConfig("fsync", "on")
          .setServerConfig("synchronous_commit", "on")
          // Webhook ingest writes ~2 KB of WAL per delivery: with the 1 GB default a checkpoint (and
          // its burst of full-page images) came every minute under load. Fewer checkpoints and a
          // larger cache gave 18 % more accepted deliveries/s in bench/ingest (docs/benchmarks.md).
          .setServerConfig("max_wal_size", "2GB")
          .setServerConfig("checkpoint_timeout", "15min")
          .setServerConfig("shared_buffers", "256MB")
          .setServerConfig("wal_buffers", "16MB")
          .start();
      PgConnectOptions options = new PgConnectOptions()
          .setHost("127.0.0.1")
          .setPort(pg.getPort())
          .setDatabase("postgres")
          .setUser("postgres")
          .setPassword(password);
      return new Database(options, Optional.of(pg),
          "embedded PostgreSQL started on port " + pg.getPort() + " with data in " + dir);
    } catch (IOException e) {
      throw new IllegalStateException("cannot start the embedded PostgreSQL in " + dir + ": " + e.getMessage(), e);
    } catch (IllegalStateException e) {
      if (String.valueOf(e.getMessage()).contains("could not lock")) {
        throw new IllegalStateException(dir + " is in use by another gateway process; stop it or set "
            + "STELLA_DATA_DIR to another directory", e);
      }
      throw e;
    }
  }

  /**
   * Blocking: applies the Flyway migrations in db/migration. Safe to run from several replicas.
   * Returns how many this call applied.
   */
  public int migrate() {
    Flyway flyway = Flyway.configure()
        .dataSource(jdbcUrl(), connectOptions.getUser(), connectOptions.getPassword())
        .locations("classpath:db/migration")
        .load();
    return flyway.migrate().migrationsExecuted;
  }

  /** Where the database is, for the start-up log: never a password. */
  public String describe() {
    return description;
  }

  public Pool pool(Vertx vertx, int size) {
    return PgBuilder.pool()
        .with(new PoolOptions().setMaxSize(size))
        .connectingTo(connectOptions)
        .using(vertx)
        .build();
  }

  public String jdbcUrl() {
    return "jdbc:postgresql://" + connectOptions.getHost() + ":" + connectOptions.getPort() + "/"
        + connectOptions.getDatabase();
  }

  public PgConnectOptions connectOptions() {
    return connectOptions;
  }

  /** Stops the embedded server, if this process started one. */
  @Override
  public void close() {
    embedded.ifPresent(pg -> {
      try {
        pg.close();
        LOG.info("embedded PostgreSQL stopped");
      } catch (IOException e) {
        LOG.warn("embedded PostgreSQL did not stop cleanly: {}", e.getMessage());
      }
    });
  }
}
