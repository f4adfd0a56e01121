-- A database as drizzle-kit creates it: serial keys, drizzle-kit's
-- constraint names, foreign keys added afterwards with lower-case actions,
-- "USING btree" indexes, and drizzle-orm's migration history in its own
-- schema (which pull leaves out: it is not part of the application).
CREATE TYPE "public"."role" AS ENUM('admin', 'user');
CREATE TABLE "users" (
	"id" serial PRIMARY KEY NOT NULL,
	"email" text NOT NULL,
	"role" "role" DEFAULT 'user' NOT NULL,
	"created_at" timestamp DEFAULT now() NOT NULL,
	CONSTRAINT "users_email_unique" UNIQUE("email")
);
CREATE TABLE "posts" (
	"id" serial PRIMARY KEY NOT NULL,
	"author_id" integer NOT NULL,
	"title" varchar(256) NOT NULL,
	"body" text,
	"published" boolean DEFAULT false
);
CREATE TABLE "posts_to_tags" (
	"post_id" integer NOT NULL,
	"tag" text NOT NULL,
	CONSTRAINT "posts_to_tags_post_id_tag_pk" PRIMARY KEY("post_id","tag")
);
ALTER TABLE "posts" ADD CONSTRAINT "posts_author_id_users_id_fk" FOREIGN KEY ("author_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;
ALTER TABLE "posts_to_tags" ADD CONSTRAINT "posts_to_tags_post_id_posts_id_fk" FOREIGN KEY ("post_id") REFERENCES "public"."posts"("id") ON DELETE cascade ON UPDATE no action;
CREATE INDEX "posts_title_idx" ON "posts" USING btree ("title");
CREATE UNIQUE INDEX "users_email_lower_idx" ON "users" USING btree (lower("email"));
CREATE UNIQUE INDEX "posts_author_title_idx" ON "posts" USING btree ("author_id","title");

CREATE SCHEMA "drizzle";
CREATE TABLE "drizzle"."__drizzle_migrations" (
	id SERIAL PRIMARY KEY,
	hash text NOT NULL,
	created_at bigint
);
