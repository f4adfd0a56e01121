// drizzle-orm's side of the relation benchmark: users → posts → comments
// loaded with the relational query API's findMany and `with`, as
// BenchmarkRelations100/1000 in bench/query load them with mizzle's With.
//
// It reads the data the Go benchmark seeded (run.sh runs the two in turn
// on one database), times USERS users with their posts and comments in
// this process, and prints its lines in go test's benchmark format, so
// that benchstat reads both sides:
//
//   BenchmarkRelations100/lib=drizzle  N  <median> ns/op  <comments> comments/op  <sum> checksum
//
// and a second line for lib=drizzle-prepared, the query prepared once.
// ns/op is the median of the timed operations (go test reports a mean).
// Every operation is checked as the Go side checks its own: USERS users,
// each with 10 posts of 5 comments; the checksum is the Go side's treeSum,
// so equal sums show both sides loaded the same rows.
//
// Settings, from the environment:
//   MIZZLE_BENCH_DATABASE_URL  the database (required)
//   USERS=100                  users to load (the first USERS by id)
//   BENCHTIME=1                seconds of timed operations (at least 5)
//   WARMUP=1                   seconds of untimed operations before them
import { asc, lte, relations, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/node-postgres";
import { bigint, integer, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import pg from "pg";

// The tables of bench/query/schema, as bench/query/migrations creates them.
// bigint in "number" mode, the mode drizzle's documentation suggests for
// keys below 2^53: "bigint" mode would allocate a BigInt per key.
const users = pgTable("users", {
  id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
  email: text("email").notNull().unique(),
  name: text("name").notNull(),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  score: integer("score").notNull(),
});

const posts = pgTable("posts", {
  id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
  userId: bigint("user_id", { mode: "number" }).notNull().references(() => users.id, { onDelete: "cascade" }),
  title: text("title").notNull(),
});

const comments = pgTable("comments", {
  id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
  postId: bigint("post_id", { mode: "number" }).notNull().references(() => posts.id, { onDelete: "cascade" }),
  body: text("body").notNull(),
});

const usersRelations = relations(users, ({ many }) => ({ posts: many(posts) }));
const postsRelations = relations(posts, ({ one, many }) => ({
  user: one(users, { fields: [posts.userId], references: [users.id] }),
  comments: many(comments),
}));
const commentsRelations = relations(comments, ({ one }) => ({
  post: one(posts, { fields: [comments.postId], references: [posts.id] }),
}));

const POSTS = 10; // per user, as relPosts in bench/query
const COMMENTS = 5; // per post, as relComments

const url = process.env.MIZZLE_BENCH_DATABASE_URL;
if (!url) {
  console.error("bench.mjs: MIZZLE_BENCH_DATABASE_URL is not set (run.sh sets it)");
  process.exit(2);
}
const n = Number(process.env.USERS ?? 100);
const benchtime = Number(process.env.BENCHTIME ?? 1) * 1e9;
const warmup = Number(process.env.WARMUP ?? 1) * 1e9;

const pool = new pg.Pool({ connectionString: url });
const db = drizzle({
  client: pool,
  schema: { users, posts, comments, usersRelations, postsRelations, commentsRelations },
});

// The same query as the Go benchmark's: the first n users by id, each
// with its posts and each post with its comments. drizzle-orm builds it
// as one statement (each level a lateral subquery aggregating json), sent
// unnamed, so the server plans it on every run.
function load() {
  return db.query.users.findMany({
    where: lte(users.id, n),
    orderBy: [asc(users.id)],
    with: { posts: { with: { comments: true } } },
  });
}

// The same, as drizzle's documentation advises for speed: built once and
// prepared as a named statement, as pgx prepares the Go side's statements.
const prepared = db.query.users
  .findMany({
    where: lte(users.id, sql.placeholder("n")),
    orderBy: [asc(users.id)],
    with: { posts: { with: { comments: true } } },
  })
  .prepare("relations");

function loadPrepared() {
  return prepared.execute({ n });
}

// check fails unless every user came with its posts and every post with
// its comments (checkTree in bench/query).
function check(us) {
  if (us.length !== n) throw new Error(`${us.length} users, want ${n}`);
  for (const u of us) {
    if (!(u.createdAt instanceof Date) || Number.isNaN(u.createdAt.getTime())) {
      throw new Error(`user ${u.id}: created_at ${u.createdAt} is not a time`);
    }
    if (u.posts.length !== POSTS) throw new Error(`user ${u.id} has ${u.posts.length} posts, want ${POSTS}`);
    for (const p of u.posts) {
      if (p.comments.length !== COMMENTS || p.userId !== u.id) {
        throw new Error(`post ${p.id} of user ${u.id} has ${p.comments.length} comments, want ${COMMENTS}`);
      }
    }
  }
}

// treeSum is treeSum of bench/query/relations_test.go: keep them alike.
// Every term is an integer and the sum stays below 2^53, so it is exact.
// String lengths are equal in bytes and UTF-16 units: the data is ASCII.
function treeSum(us) {
  let count = 0;
  let sum = 0;
  for (const u of us) {
    sum += u.id + u.score + u.email.length + u.name.length;
    // created_at is left out, as in the Go sum: each seeding sets it anew,
    // and this process may read another seeding than the Go run it is
    // compared with. It is still decoded: check() reads it.
    for (const p of u.posts) {
      sum += u.id * 100003 + p.id + p.title.length;
      for (const c of p.comments) {
        sum += p.id * 100003 + c.id + c.body.length;
        count++;
      }
    }
  }
  if (!Number.isSafeInteger(sum)) throw new Error(`checksum ${sum} is past 2^53`);
  return [count, sum];
}

// bench times load after a warm-up (the JIT's, the pool's connection,
// the prepared statement) and prints its line.
async function bench(lib, load) {
  let last;
  for (const start = process.hrtime.bigint(); process.hrtime.bigint() - start < warmup; ) {
    last = await load();
    check(last);
  }
  const times = [];
  const start = process.hrtime.bigint();
  while (times.length < 5 || Number(process.hrtime.bigint() - start) < benchtime) {
    const t0 = process.hrtime.bigint();
    last = await load();
    // Checked inside the timing, as the Go side checks inside its loop.
    check(last);
    times.push(Number(process.hrtime.bigint() - t0));
  }
  times.sort((a, b) => a - b);
  const mid = times.length >> 1;
  const median = times.length % 2 ? times[mid] : (times[mid - 1] + times[mid]) / 2;
  const [count, sum] = treeSum(last);
  console.log(`BenchmarkRelations${n}/lib=${lib}\t${times.length}\t${median.toFixed(0)} ns/op\t${count} comments/op\t${sum} checksum`);
}

async function main() {
  await bench("drizzle", load);
  await bench("drizzle-prepared", loadPrepared);
}

try {
  await main();
} finally {
  await pool.end();
}
