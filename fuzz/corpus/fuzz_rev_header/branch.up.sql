-- mig:revision b1b100000001
-- mig:down_revision b0b000000000
-- mig:message left one
-- mig:created 2026-02-01T00:00:01Z
-- mig:branch_labels left

CREATE TABLE t_b1b100000001 (id integer PRIMARY KEY);
