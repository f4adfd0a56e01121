-- Comments on tables, columns and enum types, of every shape pull must
-- write back exactly: one line, several lines, quotes of both kinds,
-- backslashes, blanks at either end, a tab, non-ASCII text, a text that
-- looks like a Go string, a migration file's breakpoint, and a backquote
-- (which a raw struct tag cannot hold).
CREATE TYPE mood AS ENUM ('ok', 'meh');
COMMENT ON TYPE mood IS 'How it''s going.';
CREATE SCHEMA billing;
CREATE TYPE billing.state AS ENUM ('open', 'paid');
COMMENT ON TYPE billing.state IS E'Where an invoice is.\n\nPaid ones are final.';
CREATE TABLE docs (
	id bigint PRIMARY KEY,
	body text,
	mood mood,
	title text NOT NULL,
	quoted text,
	ticks text
);
COMMENT ON TABLE docs IS E'A tenant''s documents.\nEach has a body: café, 東京.';
COMMENT ON COLUMN docs.body IS 'what the user wrote, as written';
COMMENT ON COLUMN docs.mood IS E'  leading and trailing blanks\t';
COMMENT ON COLUMN docs.title IS E'back\\slash and "double" and ''single''\nand a second line';
COMMENT ON COLUMN docs.quoted IS '"looks like a Go string"';
COMMENT ON COLUMN docs.ticks IS 'a `backquote`';
CREATE TABLE billing.invoices (
	id bigint PRIMARY KEY,
	state billing.state NOT NULL
);
COMMENT ON TABLE billing.invoices IS E'  "quoted"\n--> statement-breakpoint\nend';
COMMENT ON COLUMN billing.invoices.state IS E'--> statement-breakpoint';
