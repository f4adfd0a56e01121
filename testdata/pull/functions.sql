-- Functions, a procedure and triggers, for pull.
CREATE SCHEMA billing;
CREATE SCHEMA audit;
CREATE FUNCTION audit.log() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NULL; END$$;
CREATE FUNCTION touch_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	NEW.updated_at := now();
	RETURN NEW;
END
$$;
CREATE FUNCTION billing.total(n integer DEFAULT 1, VARIADIC xs numeric[] DEFAULT '{}') RETURNS numeric
	LANGUAGE sql IMMUTABLE PARALLEL SAFE
	BEGIN ATOMIC SELECT n * coalesce(sum(x), 0) FROM unnest(xs) AS x; END;
CREATE PROCEDURE billing.reset(INOUT done boolean) LANGUAGE plpgsql AS $$BEGIN done := true; END$$;
CREATE FUNCTION "Weird Name"() RETURNS integer LANGUAGE sql AS 'SELECT 1';
CREATE TABLE documents (
	id bigint PRIMARY KEY,
	title text NOT NULL,
	qty integer NOT NULL DEFAULT 0,
	updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE TRIGGER documents_touch BEFORE UPDATE ON documents FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
CREATE TRIGGER documents_log AFTER INSERT OR DELETE ON documents EXECUTE FUNCTION audit.log('it''s', 'a\b', 42);
CREATE TRIGGER documents_qty AFTER UPDATE OF qty, title ON documents FOR EACH ROW
	WHEN (OLD.qty IS DISTINCT FROM NEW.qty) EXECUTE FUNCTION audit.log();
CREATE TRIGGER "documents same" BEFORE UPDATE ON documents FOR EACH ROW EXECUTE FUNCTION suppress_redundant_updates_trigger();
