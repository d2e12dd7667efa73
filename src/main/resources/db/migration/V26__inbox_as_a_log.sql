-- The inbox is read as a log: a consumer position per partition replaces the per-row outcome
-- update of every delivery. A delivery whose outcome is the normal one (its events applied) is
-- never written again after its insert; only a delivery ignored, failed, retried, or processed
-- with a note (a CI event) is rewritten.
--
-- Log order is (tx, seq): tx is the id of the transaction that inserted the row. A reader takes
-- only rows whose tx is below the oldest transaction still running (pg_snapshot_xmin of its
-- snapshot); every such transaction has ended, so no row can later appear below a position the
-- reader moved past, whatever order transactions commit in.
--
-- Rows stored before this migration have no tx: they keep their stored status, and those still
-- waiting are handed to the retry path below, due in the order they were received, so nothing
-- received is lost. Adding the columns rewrites nothing (a nullable column, a constant default).
--
-- claimed_until becomes retry_at (when a delivery off the log is due). The rename also stops a
-- processor older than this migration, still running during a rolling update: its claim names
-- claimed_until and fails, instead of applying again the deliveries this version applies by
-- position (their stored status stays 'received'). Its webhook ingest keeps working.

ALTER TABLE webhook_delivery ADD COLUMN tx bigint;
ALTER TABLE webhook_delivery ALTER COLUMN tx SET DEFAULT pg_current_xact_id()::text::bigint;
-- Deliveries of one integration share a partition, so its pushes are applied in order; each
-- partition is worked by one replica at a time. The gateway sets it when it stores a row.
ALTER TABLE webhook_delivery ADD COLUMN part smallint NOT NULL DEFAULT 0;

ALTER TABLE webhook_delivery RENAME COLUMN claimed_until TO retry_at;
UPDATE webhook_delivery SET retry_at = received_at WHERE status = 'received' AND retry_at IS NULL;

-- The log, per partition. Rows stored before this migration are not in it.
CREATE INDEX webhook_delivery_log ON webhook_delivery (part, tx, seq) WHERE tx IS NOT NULL;
-- The retry path: deliveries waiting out a backoff, put back by a replay, or stored before this
-- migration. New rows are not in it.
CREATE INDEX webhook_delivery_retry ON webhook_delivery (retry_at, seq)
    WHERE status = 'received' AND retry_at IS NOT NULL;
-- The oldest of them, for the inbox lag, without reading each one's row.
CREATE INDEX webhook_delivery_retry_received ON webhook_delivery (received_at)
    WHERE status = 'received' AND retry_at IS NOT NULL;
DROP INDEX webhook_delivery_pending;

-- Where the log of each partition has been applied up to. 16 partitions: more than replicas
-- are expected to share the inbox.
CREATE TABLE inbox_partition (
    part       smallint PRIMARY KEY,
    pos_tx     bigint NOT NULL DEFAULT 0,
    pos_seq    bigint NOT NULL DEFAULT 0,
    worked_at  timestamptz NOT NULL DEFAULT now()
);
INSERT INTO inbox_partition (part) SELECT generate_series(0, 15);

-- When each partition's position moved: an applied delivery's processed_at is the time of the
-- first row at or past it. A batch moves the partition's latest row when that is under a second
-- old, instead of adding one, so there is at most about one row per partition and second (times
-- are kept to the second). Removed by retention.
CREATE TABLE inbox_progress (
    part  smallint NOT NULL,
    tx    bigint NOT NULL,
    seq   bigint NOT NULL,
    at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (part, tx, seq)
);
CREATE INDEX inbox_progress_at ON inbox_progress (at);

-- Every delivery with the status the API reports: a row still 'received' in the log at or
-- behind its partition's position was applied, with the normal outcome.
CREATE VIEW webhook_delivery_state AS
SELECT d.seq, d.id, d.source, d.integration_id, d.integration_type, d.delivery_key,
       CASE WHEN a.applied THEN 'processed' ELSE d.status END AS status,
       d.reason, d.error, d.headers, d.body, d.received_at,
       CASE WHEN a.applied
            THEN (SELECT g.at FROM inbox_progress g
                  WHERE g.part = d.part AND (g.tx, g.seq) >= (d.tx, d.seq)
                  ORDER BY g.tx, g.seq LIMIT 1)
            ELSE d.processed_at END AS processed_at,
       CASE WHEN a.applied THEN d.attempts + 1 ELSE d.attempts END AS attempts,
       d.retry_at, d.part, d.tx
FROM webhook_delivery d
LEFT JOIN inbox_partition p ON p.part = d.part
CROSS JOIN LATERAL (
    SELECT d.status = 'received' AND d.retry_at IS NULL AND d.tx IS NOT NULL
           AND (d.tx, d.seq) <= (p.pos_tx, p.pos_seq) AS applied) a;
