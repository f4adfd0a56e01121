CREATE SCHEMA "app";
CREATE TYPE "public"."mood" AS ENUM ('ok', 'meh');
CREATE TABLE "public"."doc" (
	"id" bigint NOT NULL,
	"title" character varying(20) NOT NULL,
	"mood" "public"."mood",
	"score" numeric NOT NULL,
	CONSTRAINT "doc_pkey" PRIMARY KEY ("id")
);
CREATE VIEW "app"."good_docs" WITH (security_invoker=true, check_option=local) AS
SELECT id, title, mood
	FROM public.doc
	WHERE mood = 'ok';
CREATE MATERIALIZED VIEW "public"."scores" AS
SELECT id, sum(score) AS total, lower(title) AS lower_title FROM doc GROUP BY id
WITH NO DATA;
CREATE UNIQUE INDEX "scores_id" ON "public"."scores" ("id");
CREATE INDEX "scores_title" ON "public"."scores" (lower(lower_title)) WHERE total > 0;
CREATE VIEW "public"."titles" WITH (security_barrier=true) AS
SELECT title FROM app.good_docs;
COMMENT ON VIEW "app"."good_docs" IS 'Documents in a good mood.';
COMMENT ON COLUMN "app"."good_docs"."title" IS 'shown';
