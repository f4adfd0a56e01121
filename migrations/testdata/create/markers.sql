CREATE SCHEMA "auth";
CREATE TYPE "auth"."access_level" AS ENUM ('read', 'write', 'admin');
CREATE TABLE "auth"."grant" (
	"user_id" bigint NOT NULL,
	"id" bigint NOT NULL,
	CONSTRAINT "grant_key" PRIMARY KEY ("user_id", "id")
);
CREATE TABLE "auth"."membership" (
	"user_id" bigint NOT NULL,
	"org_id" bigint NOT NULL,
	"grant_id" bigint NOT NULL,
	CONSTRAINT "membership_user_id_org_id_pk" PRIMARY KEY ("user_id", "org_id")
);
CREATE TABLE "auth"."users" (
	"id" bigint NOT NULL,
	"email" text,
	"Name" text NOT NULL,
	"data" jsonb NOT NULL,
	"created" bigint NOT NULL,
	"deleted" bigint,
	"level" "auth"."access_level" DEFAULT 'read' NOT NULL,
	CONSTRAINT "users_pkey" PRIMARY KEY ("id"),
	CONSTRAINT "users_email_key" UNIQUE NULLS NOT DISTINCT ("email"),
	CONSTRAINT "users_name_not_empty" CHECK ("Name" <> '' AND length("Name") < 100)
);
ALTER TABLE "auth"."membership" ADD CONSTRAINT "membership_grant_fk" FOREIGN KEY ("user_id", "grant_id") REFERENCES "auth"."grant" ("user_id", "id") ON DELETE CASCADE ON UPDATE SET NULL;
ALTER TABLE "auth"."membership" ADD CONSTRAINT "membership_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "auth"."users" ("id");
CREATE INDEX "users_active_idx" ON "auth"."users" ("email" text_pattern_ops) WHERE deleted IS NULL AND "Name" <> '';
CREATE INDEX "users_created_idx" ON "auth"."users" ("created" DESC NULLS LAST, "Name");
CREATE INDEX "users_data_idx" ON "auth"."users" USING gin ("data" jsonb_path_ops);
CREATE UNIQUE INDEX "users_live_email_key" ON "auth"."users" ("email") WHERE deleted IS NULL;
CREATE INDEX "users_lower_email_idx" ON "auth"."users" (lower(email));
CREATE UNIQUE INDEX "users_lower_name_key" ON "auth"."users" (lower("Name"));
