-- Switchover without a gap (issue 12): before the lease moves, the active announces the target here, and the target
-- confirms it is ready to receive (readiness up, writes held until the lease arrives). Cleared by the handover.
ALTER TABLE cluster_lease ADD COLUMN handover_to text;
ALTER TABLE cluster_lease ADD COLUMN handover_ready_at timestamptz;
