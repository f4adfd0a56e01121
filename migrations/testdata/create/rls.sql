CREATE TABLE "public"."document" (
	"id" bigint NOT NULL,
	"tenant_id" bigint NOT NULL,
	"archived" boolean NOT NULL,
	CONSTRAINT "document_pkey" PRIMARY KEY ("id")
);
CREATE TABLE "public"."note" (
	"id" bigint NOT NULL,
	"body" text NOT NULL,
	CONSTRAINT "note_pkey" PRIMARY KEY ("id")
);
CREATE TABLE "public"."secret" (
	"id" bigint NOT NULL,
	CONSTRAINT "secret_pkey" PRIMARY KEY ("id")
);
ALTER TABLE "public"."document" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "public"."document" FORCE ROW LEVEL SECURITY;
CREATE POLICY "document_all" ON "public"."document";
CREATE POLICY "document_not_archived" ON "public"."document" AS RESTRICTIVE USING (NOT archived) WITH CHECK (NOT archived);
CREATE POLICY "document_read" ON "public"."document" FOR SELECT TO "pg_monitor", "pg_read_all_stats" USING (tenant_id = current_setting('app.tenant_id')::bigint);
CREATE POLICY "document_write" ON "public"."document" FOR INSERT WITH CHECK (tenant_id > 0);
CREATE POLICY "note_update" ON "public"."note" FOR UPDATE TO "pg_monitor" USING (true) WITH CHECK (body <> '');
ALTER TABLE "public"."secret" ENABLE ROW LEVEL SECURITY;
