-- mig:revision 2b2b00000002
-- mig:down_revision 1a1a00000001
-- mig:message add posts
-- mig:created 2026-01-01T00:00:02Z

CREATE TABLE t_2b2b00000002 (id integer PRIMARY KEY);
