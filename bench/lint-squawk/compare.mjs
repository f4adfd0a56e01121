// compare.mjs prints, for each case of migrations/testdata/lint, the
// findings of mizzle lint (the case's golden findings, which its test
// checks against a real database) beside squawk's on the same
// migration.sql, by the rules both tools have. squawk reads the file alone;
// mizzle also reads the schema before it (the case's before.sql).
//
// Usage: node compare.mjs SQUAWK CASES_DIR
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const [squawk, dir] = process.argv.slice(2);

// mizzle's codes and squawk's rules that find the same thing.
const pairs = [
  ["lock-timeout", ["require-lock-timeout"]],
  ["index-not-concurrent", ["require-concurrent-index-creation", "require-concurrent-index-deletion"]],
  ["concurrent-in-transaction", ["ban-concurrent-index-creation-in-transaction"]],
  ["constraint-not-valid", ["constraint-missing-not-valid", "adding-foreign-key-constraint"]],
  ["set-not-null", ["adding-not-nullable-field"]],
  ["add-required-column", ["adding-required-field"]],
  ["table-rewrite", ["changing-column-type", "adding-field-with-default"]],
  ["unique-constraint", ["disallowed-unique-constraint", "adding-serial-primary-key-field"]],
  ["drop", ["ban-drop-column", "ban-drop-table", "ban-drop-database"]],
  ["rename", ["renaming-column", "renaming-table"]],
  ["enum-value-position", ["require-enum-value-ordering"]],
  ["identifier-too-long", ["identifier-too-long"]],
];

// txtar: "-- name --" lines start files; the text before the first is the comment.
function txtar(text) {
  const files = {};
  let name = null;
  for (const line of text.split("\n")) {
    const m = /^-- (\S+) --$/.exec(line);
    if (m) {
      name = m[1];
      files[name] = "";
    } else if (name !== null) {
      files[name] += line + "\n";
    }
  }
  return files;
}

const tmp = mkdtempSync(join(tmpdir(), "lint-squawk-"));
const totals = pairs.map(() => [0, 0]);
const rows = [];
for (const name of readdirSync(dir).filter((f) => f.endsWith(".txtar")).sort()) {
  const files = txtar(readFileSync(join(dir, name), "utf8"));
  const sql = files["migration.sql"];
  const mizzle = [...(files["findings"] ?? "").matchAll(/: (?:error|warning) ([a-z-]+): /g)]
    .filter((m) => !/\(ignored: /.test(m.input.slice(m.index).split("\n")[0]))
    .map((m) => m[1]);
  const path = join(tmp, name.replace(".txtar", ".sql"));
  writeFileSync(path, sql);
  const args = ["--reporter", "json", path];
  if (!sql.startsWith("-- mizzle:no-transaction")) args.unshift("--assume-in-transaction");
  let out;
  try {
    out = execFileSync(squawk, args, { encoding: "utf8" });
  } catch (e) {
    out = e.stdout; // squawk exits 1 when it finds something
  }
  const found = JSON.parse(out).map((f) => f.rule_name);
  const cells = pairs.map(([code, rules], i) => {
    const m = mizzle.filter((c) => c === code).length;
    const s = found.filter((r) => rules.includes(r)).length;
    totals[i][0] += m;
    totals[i][1] += s;
    return m || s ? `${m} / ${s}` : "";
  });
  rows.push([name.replace(".txtar", ""), ...cells]);
}
const used = pairs.map((_, i) => totals[i][0] + totals[i][1] > 0);
const head = ["case", ...pairs.map(([code]) => code)].filter((_, i) => i === 0 || used[i - 1]);
console.log("mizzle lint / squawk, findings of the rules both have, per case of migrations/testdata/lint:\n");
console.log("| " + head.join(" | ") + " |");
console.log("|" + head.map(() => "---").join("|") + "|");
for (const r of rows) console.log("| " + r.filter((_, i) => i === 0 || used[i - 1]).join(" | ") + " |");
console.log("| total | " + totals.filter((_, i) => used[i]).map(([m, s]) => `${m} / ${s}`).join(" | ") + " |");
