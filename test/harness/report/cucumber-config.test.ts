import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import {
  DEFAULT_FEATURE_PATHS,
  DEFAULT_PROFILES_DIR,
  DEFAULT_SUPPORT_PATHS,
  knownPhoneProfiles,
  suiteTagExpression,
  TRANSPORTS,
} from '../../../src/harness/run-suite';

const root = path.resolve(__dirname, '..', '..', '..');

interface Profile {
  paths: string[];
  require: string[];
  requireModule: string[];
  tags: string;
  worldParameters: { phone: string; transport: string; seed: number };
}

test('cucumber.js runs what `phonebridge run` runs for the iphone over memory', () => {
  const config = require(path.join(root, 'cucumber.js')) as { default: Profile };
  const profile = config.default;
  assert.deepEqual(profile.paths, [...DEFAULT_FEATURE_PATHS]);
  assert.deepEqual(profile.require, [...DEFAULT_SUPPORT_PATHS]);
  assert.deepEqual(profile.requireModule, ['ts-node/register/transpile-only']);
  assert.deepEqual(profile.worldParameters, { phone: 'iphone', transport: 'memory', seed: 1 });
  const expected = suiteTagExpression({
    phone: 'iphone',
    transport: 'memory',
    knownPhones: knownPhoneProfiles(path.join(root, DEFAULT_PROFILES_DIR)),
    knownTransports: TRANSPORTS,
  });
  assert.equal(profile.tags, expected);
});
