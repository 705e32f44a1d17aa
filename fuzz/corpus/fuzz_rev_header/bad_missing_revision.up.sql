-- mig:message no revision here

SELECT 1;
