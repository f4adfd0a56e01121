// drizzle-seed on the trading example's tables (examples/trading/schema,
// written here in drizzle's grammar), with the counts run.sh gives: reset,
// then seed, timed together, as `mizzle seed --reset` is.
//
// Env: DATABASE_URL, MODELS and ORDERS (row counts), SEED.
import pg from "pg";
import { drizzle } from "drizzle-orm/node-postgres";
import { pgTable, pgEnum, text, timestamp, uuid, numeric, jsonb, doublePrecision } from "drizzle-orm/pg-core";
import { seed, reset } from "drizzle-seed";

const status = pgEnum("status", ["OPEN", "CLOSED"]);

const models = pgTable("Models", {
	id: text("id").primaryKey(),
	variant: text("variant").notNull(),
	netPortfolio: text("netPortfolio").notNull(),
	createdAt: timestamp("createdAt", { withTimezone: true }).notNull().defaultNow(),
});

const orders = pgTable("Orders", {
	id: uuid("id").primaryKey().defaultRandom(),
	modelId: text("modelId").notNull().references(() => models.id, { onDelete: "cascade" }),
	symbol: text("symbol").notNull(),
	quantity: numeric("quantity", { precision: 18, scale: 8 }).notNull(),
	exitPlan: jsonb("exitPlan"),
	status: status("status").notNull().default("OPEN"),
	closedAt: timestamp("closedAt", { withTimezone: true }),
	trailingStop: doublePrecision("trailingStop"),
});

const schema = { status, models, orders };
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
const db = drizzle(pool);
const MODELS = Number(process.env.MODELS), ORDERS = Number(process.env.ORDERS);

const start = process.hrtime.bigint();
await reset(db, schema);
await seed(db, schema, { seed: Number(process.env.SEED ?? 1) }).refine((f) => ({
	models: { count: MODELS },
	orders: {
		count: ORDERS,
		// The check Orders_qty_positive (quantity > 0): drizzle-seed's
		// default numbers may be negative. mizzle's are positive.
		columns: { quantity: f.number({ minValue: 0.01, maxValue: 10000, precision: 100 }) },
	},
}));
const ms = Number(process.hrtime.bigint() - start) / 1e6;
await pool.end();
console.log(`drizzle-seed ${(ms / 1000).toFixed(3)} s`);
