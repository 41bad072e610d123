-- sealpost:compatible_from 10
-- Figures about the whole database that cost a scan of whole tables (the queue depth, the
-- prekey pool census), measured by one node per interval and read by the others, so a
-- deployment of N nodes scans once per metrics.database_refresh_ms instead of N times.
--
-- Expand-only: nodes of schema 10 do not know the table and keep measuring on their own.
-- On Citus the table stays on the coordinator, undistributed: a few rows, one write per
-- figure and interval.
CREATE TABLE database_figures (
  name        text        PRIMARY KEY,  -- the figure and what it depends on, e.g. the watermark
  figures     bigint[]    NOT NULL,
  measured_at timestamptz NOT NULL
);
