#!/usr/bin/env node
// One shard of the unit tests: loads the given test files into this process, where Node's
// test runner collects and runs their tests (see run-unit-tests.js for why).
'use strict';
const path = require('node:path');

for (const file of process.argv.slice(2)) require(path.resolve(file));
