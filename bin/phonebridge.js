#!/usr/bin/env node
// The `phonebridge` command. Compiles the TypeScript sources on the fly with
// ts-node (transpile-only; `npm run typecheck` does the type checking), so
// `npm start` needs no build step, then hands the arguments to src/cli/main.ts.
'use strict';
const path = require('node:path');

const root = path.resolve(__dirname, '..');
if (process[Symbol.for('ts-node.register.instance')] === undefined) {
  require('ts-node').register({ transpileOnly: true, project: path.join(root, 'tsconfig.json') });
}
require(path.join(root, 'src', 'cli', 'main.ts')).main(process.argv.slice(2));
