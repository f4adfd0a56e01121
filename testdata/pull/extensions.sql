-- Extensions a schema needs: citext for a column's type, pg_trgm for an
-- index's operator class, btree_gist in a schema of its own. Pulled, their
-- baseline must create them before the tables that use them.
CREATE EXTENSION citext;
CREATE EXTENSION pg_trgm;
CREATE SCHEMA gist;
CREATE EXTENSION btree_gist SCHEMA gist;
CREATE TABLE people (
	id bigint PRIMARY KEY,
	name citext NOT NULL,
	nick text
);
CREATE INDEX people_nick_trgm ON people USING gin (nick gin_trgm_ops);
