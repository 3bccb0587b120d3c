// Cucumber's configuration for developers running `npx cucumber-js` directly:
// the same scenarios, support code and filters `phonebridge run` uses for the
// iphone profile over the memory transport. `phonebridge run` builds its own
// configuration (src/harness/run-suite.ts) and does not read this file; a unit
// test (test/harness/report/cucumber-config.test.ts) keeps the two in step.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const PHONE = 'iphone';
const TRANSPORT = 'memory';
// Mirrors TRANSPORTS in src/harness/run-suite.ts.
const TRANSPORTS = ['memory', 'hci'];

function knownPhones() {
  const dir = path.join(__dirname, 'fixtures', 'phones');
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -'.json'.length))
    .filter((name) => /^[A-Za-z0-9_.+-]+$/.test(name))
    .sort();
}

const exclusions = [
  ...knownPhones().filter((p) => p !== PHONE).map((p) => `not @phone:${p}`),
  ...TRANSPORTS.filter((t) => t !== TRANSPORT).map((t) => `not @transport:${t}`),
];

module.exports = {
  default: {
    paths: ['features/**/*.feature'],
    requireModule: ['ts-node/register/transpile-only'],
    require: ['src/harness/world.ts', 'features/steps/**/*.ts'],
    worldParameters: { phone: PHONE, transport: TRANSPORT, seed: 1 },
    tags: exclusions.join(' and '),
    format: ['progress'],
  },
};
