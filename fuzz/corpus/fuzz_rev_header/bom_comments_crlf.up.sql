-- a note above the header

--mig:revision a1
--   mig:transactional false
-- mig:branch_labels blog, drafts
-- mig:depends_on x1 x2
-- mig:destructive
DROP TABLE t;
-- mig:destructive
