CREATE PROCEDURE "public"."archive_all"(OUT moved bigint, IN days integer = 30)
LANGUAGE sql
BEGIN ATOMIC
	SELECT 0;
END;
CREATE FUNCTION "public"."audit"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	RAISE NOTICE '% %', TG_OP, TG_ARGV[0];
	RETURN NULL;
END
$$;
CREATE FUNCTION "public"."touch_updated_at"()
returns trigger
language plpgsql
as $$
begin
	new.updated_at := now();
	return new;
end;
$$;
CREATE TABLE "public"."document" (
	"id" bigint NOT NULL,
	"title" text NOT NULL,
	"body" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "document_pkey" PRIMARY KEY ("id")
);
CREATE TRIGGER "documents_audit" AFTER DELETE OR UPDATE OF "title", "body" ON "public"."document" FOR EACH ROW WHEN (OLD.title <> '') EXECUTE FUNCTION "public"."audit"('doc', '42');
CREATE TRIGGER "documents_same" BEFORE UPDATE ON "public"."document" FOR EACH ROW EXECUTE FUNCTION "pg_catalog"."suppress_redundant_updates_trigger"();
CREATE TRIGGER "documents_touch" BEFORE UPDATE ON "public"."document" FOR EACH ROW EXECUTE FUNCTION "public"."touch_updated_at"();
CREATE TRIGGER "documents_truncate" AFTER TRUNCATE ON "public"."document" FOR EACH STATEMENT EXECUTE FUNCTION "public"."audit"();
