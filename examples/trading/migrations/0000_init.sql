CREATE TYPE "public"."status" AS ENUM ('OPEN', 'CLOSED');
--> statement-breakpoint
CREATE TABLE "public"."Models" (
	"id" text NOT NULL,
	"variant" text NOT NULL,
	"netPortfolio" text NOT NULL,
	"createdAt" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "Models_pkey" PRIMARY KEY ("id")
);
--> statement-breakpoint
CREATE TABLE "public"."Orders" (
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"modelId" text NOT NULL,
	"symbol" text NOT NULL,
	"quantity" numeric(18,8) NOT NULL,
	"exitPlan" jsonb,
	"status" "public"."status" DEFAULT 'OPEN' NOT NULL,
	"closedAt" timestamp with time zone,
	"trailingStop" double precision,
	CONSTRAINT "Orders_pkey" PRIMARY KEY ("id"),
	CONSTRAINT "Orders_qty_positive" CHECK (quantity > 0)
);
--> statement-breakpoint
ALTER TABLE "public"."Orders" ADD CONSTRAINT "Orders_modelId_Models_id_fk" FOREIGN KEY ("modelId") REFERENCES "public"."Models" ("id") ON DELETE CASCADE;
--> statement-breakpoint
CREATE INDEX "Orders_open_idx" ON "public"."Orders" ("symbol") WHERE status = 'OPEN';
--> statement-breakpoint
CREATE INDEX "Orders_symbol_status_idx" ON "public"."Orders" ("symbol", "status");
