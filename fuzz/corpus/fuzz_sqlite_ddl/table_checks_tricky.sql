CREATE TABLE t (
  a INT CHECK (a > 0) -- trailing ) comment, with a comma
    DEFAULT 'CHECK (nope)',
  b TEXT CONSTRAINT ck_b CHECK ( b <> ')' AND b NOT LIKE '%,%' ) NOT NULL,
  "c""q" INT,
  /* CHECK (comment) */
  CONSTRAINT ck_nested CHECK ((a + 1) * (a - 1) > length("c""q" || ')')),
  CONSTRAINT [ck br] CHECK (a /* ) */ < 100)
)