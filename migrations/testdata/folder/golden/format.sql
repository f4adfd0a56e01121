CREATE SCHEMA "app";
--> statement-breakpoint
CREATE TYPE "app"."status" AS ENUM ('draft', 'active', 'archived');
--> statement-breakpoint
CREATE TABLE "app"."orders" (
	"id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
	"note" text DEFAULT '--> not a breakpoint, just text' NOT NULL,
	CONSTRAINT "orders_pkey" PRIMARY KEY ("id")
);
--> statement-breakpoint
-- WARNING: Drops column models.variant and its data.
ALTER TABLE "public"."models" DROP COLUMN "variant";
--> statement-breakpoint
-- WARNING: Casts orders.qty to integer: fails on fractional values.
ALTER TABLE "public"."orders" ALTER COLUMN "qty" SET DATA TYPE integer USING "qty"::integer;
--> statement-breakpoint
CREATE INDEX "orders_note_idx" ON "app"."orders" USING btree ("note");
