CREATE TABLE "public"."a_rather_long_table_name_for_holding_things" (
	"id" bigint NOT NULL,
	"another_rather_long_column_name" bigint NOT NULL,
	CONSTRAINT "a_rather_long_table_name_for_holding_things_pkey" PRIMARY KEY ("id"),
	CONSTRAINT "a_rather_long_table_name_for_holding_things_another_ra_5fd45715" UNIQUE ("another_rather_long_column_name")
);
CREATE TABLE "public"."the_other_table_with_a_long_name" (
	"identifier_of_the_other_thing" bigint NOT NULL,
	CONSTRAINT "the_other_table_with_a_long_name_pkey" PRIMARY KEY ("identifier_of_the_other_thing")
);
ALTER TABLE "public"."a_rather_long_table_name_for_holding_things" ADD CONSTRAINT "a_rather_long_table_name_for_holding_things_another_ra_51ff0f34" FOREIGN KEY ("another_rather_long_column_name") REFERENCES "public"."the_other_table_with_a_long_name" ("identifier_of_the_other_thing");
CREATE INDEX "a_rather_long_table_name_for_holding_things_another_ra_89648335" ON "public"."a_rather_long_table_name_for_holding_things" ("another_rather_long_column_name");
