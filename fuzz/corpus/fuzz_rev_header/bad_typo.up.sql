-- mig:revision a1a100000001
-- mig:revison a0a000000000

CREATE TABLE t (id integer);
