package org.stellaops.orchestrator.ci.jenkins;

import io.vertx.core.json.JsonObject;

/**
 * What {@code GET /queue/item/{id}/api/json} says (https://www.jenkins.io/doc/book/using/remote-access-api/): the build it became, that it was cancelled,
 * or why it still waits. Pure.
 */
record QueueItem(Long buildNumber, boolean cancelled, String waitingFor) {

  static QueueItem from(JsonObject json) {
    JsonObject executable = json.getJsonObject("executable");
    if (executable != null) {
      Long number = executable.getLong("number");
      if (number == null) {
        throw new IllegalStateException("executable without a number");
      }
      return new QueueItem(number, false, null);
    }
    if (Boolean.TRUE.equals(json.getBoolean("cancelled"))) {
      return new QueueItem(null, true, null);
    }
    return new QueueItem(null, false, waitingFor(json));
  }

  /** Jenkins' own words ("Waiting for next available executor"), else the item's kind (WaitingItem, BlockedItem…). */
  static String waitingFor(JsonObject json) {
    String why = json.getString("why");
    if (why != null && !why.isBlank()) {
      return why;
    }
    String kind = json.getString("_class", "QUEUED");
    return kind.substring(kind.lastIndexOf('$') + 1);
  }
}
