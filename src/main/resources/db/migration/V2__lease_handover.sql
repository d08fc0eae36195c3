-- Switchover hands the lease to a named node: holder = target, epoch + 1, handover_from = the old holder.
-- The target adopts it at once (no waiting for T) and clears the column on its first renewal.
ALTER TABLE cluster_lease ADD COLUMN handover_from text;
