-- mig:revision c3c300000003
-- mig:down_revision c1c100000001 c2c200000002
-- mig:message merge
-- mig:created 2026-03-01T00:00:03Z

CREATE TABLE t_c3c300000003 (id integer PRIMARY KEY);
