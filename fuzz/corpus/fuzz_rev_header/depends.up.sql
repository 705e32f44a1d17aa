-- mig:revision e1e100000001
-- mig:down_revision d0d000000000
-- mig:message data one
-- mig:created 2026-04-01T00:00:02Z
-- mig:branch_labels data
-- mig:depends_on d2d200000002

CREATE TABLE t_e1e100000001 (id integer PRIMARY KEY);
