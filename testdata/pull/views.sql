-- Views and materialized views of every shape the grammar writes: options,
-- a view on a view, a schema of their own, enum and varchar columns, a
-- query with a backtick, comments, a materialized view WITH NO DATA and its
-- indexes.
CREATE SCHEMA billing;
CREATE TYPE mood AS ENUM ('ok', 'meh');
CREATE TABLE docs (id bigint PRIMARY KEY, title varchar(20) NOT NULL, mood mood, score numeric(10,2), body text);
CREATE VIEW billing.active WITH (security_invoker, check_option = local) AS
	SELECT id, title, mood FROM docs WHERE mood = 'ok';
COMMENT ON VIEW billing.active IS 'the good ones';
COMMENT ON COLUMN billing.active.title IS 'shown';
CREATE VIEW titles WITH (security_barrier) AS SELECT a.title, '`' AS tick FROM billing.active a;
CREATE MATERIALIZED VIEW totals AS
	SELECT id, sum(score) AS total, lower(body) AS body FROM docs GROUP BY id WITH NO DATA;
CREATE UNIQUE INDEX totals_id ON totals (id);
CREATE INDEX totals_big ON totals (total DESC) WHERE total > 100;
CREATE INDEX totals_body ON totals (lower(body));
COMMENT ON MATERIALIZED VIEW totals IS 'sums';
