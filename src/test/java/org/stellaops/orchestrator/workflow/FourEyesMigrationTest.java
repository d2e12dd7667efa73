package org.stellaops.orchestrator.workflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.SQLException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.stellaops.orchestrator.support.TestDatabases;

/** Migration V12 on promotions and approvals written before it: requesters and approvers get stable ids. */
class FourEyesMigrationTest {

  private static final String BOT = "11111111-1111-4111-8111-111111111111";
  private static final String OLD_BOT = "22222222-2222-4222-8222-222222222222";
  private static final String RELEASE = "33333333-3333-4333-8333-333333333333";
  private static final String ENV = "44444444-4444-4444-8444-444444444444";

  private static void promotion(String db, int n, String requestedBy) throws SQLException {
    String job = "5555555" + n + "-5555-4555-8555-555555555555";
    TestDatabases.execute(db, "INSERT INTO deployment_job (id, release_id, environment_id, status) VALUES ('" + job
        + "', '" + RELEASE + "', '" + ENV + "', 'running')");
    TestDatabases.execute(db, "INSERT INTO promotion (id, release_id, target_environment_id, status, steps, "
        + "deployment_job_id, requested_by) VALUES ('6666666" + n + "-6666-4666-8666-666666666666', '" + RELEASE
        + "', '" + ENV + "', 'awaiting_approval', '[]', '" + job + "', '" + requestedBy + "')");
  }

  private static String requestedById(String db, int n) throws SQLException {
    return TestDatabases.query(db, "SELECT coalesce(requested_by_id, '<null>') FROM promotion WHERE id = '6666666" + n
        + "-6666-4666-8666-666666666666'").get(0);
  }

  @Test
  @DisplayName("V12 gives earlier requesters and approvers their principal ids and keys approvals by them")
  void earlierRowsGetPrincipalIds() throws SQLException {
    String db = TestDatabases.databaseAtVersion("10");
    TestDatabases.execute(db, "INSERT INTO service_account (id, name, roles, permissions, token_lookup, token_hash, "
        + "created_by) VALUES ('" + BOT + "', 'release-bot', '{operator}', '{}', 'lookup1', '\\x00', 'admin:admin'), "
        + "('" + OLD_BOT + "', 'old-bot', '{operator}', '{}', 'lookup2', '\\x00', 'admin:admin')");
    TestDatabases.execute(db, "UPDATE service_account SET revoked_at = now() WHERE id = '" + OLD_BOT + "'");
    TestDatabases.execute(db, "INSERT INTO release (id, name, status, created_by) VALUES ('" + RELEASE
        + "', 'app-1', 'ready', 'admin:admin')");
    TestDatabases.execute(db, "INSERT INTO environment (id, name, created_by) VALUES ('" + ENV + "', 'prod', 'admin')");
    promotion(db, 1, "service-account:release-bot");
    promotion(db, 2, "admin:admin");
    promotion(db, 3, "service-account:old-bot");
    promotion(db, 4, "auto-promotion");
    TestDatabases.execute(db, "INSERT INTO promotion_approval (promotion_id, approver, decision) VALUES "
        + "('66666661-6666-4666-8666-666666666666', 'service-account:release-bot', 'approved'), "
        + "('66666661-6666-4666-8666-666666666666', 'user:alice', 'approved')");

    TestDatabases.migrate(db);

    assertThat(requestedById(db, 1)).isEqualTo("service-account:" + BOT);
    assertThat(requestedById(db, 2)).isEqualTo("admin:admin");
    // A revoked account's name may be taken again: no id is guessed, the recorded name is compared.
    assertThat(requestedById(db, 3)).isEqualTo("<null>");
    assertThat(requestedById(db, 4)).isEqualTo("<null>");
    assertThat(TestDatabases.query(db, "SELECT approver_id FROM promotion_approval ORDER BY approver_id"))
        .containsExactly("service-account:" + BOT, "user:alice");
    assertThatThrownBy(() -> TestDatabases.execute(db, "INSERT INTO promotion_approval (promotion_id, approver, "
        + "approver_id, decision) VALUES ('66666661-6666-4666-8666-666666666666', 'service-account:renamed', "
        + "'service-account:" + BOT + "', 'approved')")).hasMessageContaining("promotion_approval_pkey");
    assertThat(TestDatabases.query(db, "SELECT count(*) FROM information_schema.columns "
        + "WHERE table_name = 'deployment_job' AND column_name = 'callback_token_hash'")).containsExactly("1");
  }
}
