import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { runSuite, RunSuiteOptions, SuiteError, suiteTagExpression } from '../../src/harness/run-suite';

// A throwaway project in a temp dir: two phone profiles, one feature, JS steps.
function throwaway(t: { after: (fn: () => void) => void }): { root: string; options: RunSuiteOptions; output: () => string } {
  const root = mkdtempSync(path.join(os.tmpdir(), 'pb-suite-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  mkdirSync(path.join(root, 'phones'));
  writeFileSync(path.join(root, 'phones', 'iphone.json'), '{"name":"iPhone"}');
  writeFileSync(path.join(root, 'phones', 'android.json'), '{"name":"Android phone"}');
  mkdirSync(path.join(root, 'features'));
  writeFileSync(
    path.join(root, 'features', 'throwaway.feature'),
    `@ancs
Feature: Throwaway

  @T/NTF/BV-01 @cap:notifications.new
  Scenario: Passes and says which world it ran in
    Given the world is checked

  @T/ACT/BI-02 @cap:notifications.reply @limitation
  Scenario: A limitation holds
    Given nothing happens

  @T/PRF/BV-01 @cap:notifications.burst-timing
  Scenario: Fails with a phone number in the message
    Given it fails

  @T/MOD/BV-01 @cap:notifications.modified @phone:android
  Scenario: Only the android profile has this
    Given nothing happens
`,
  );
  mkdirSync(path.join(root, 'steps'));
  writeFileSync(
    path.join(root, 'steps', 'steps.js'),
    `const { Given } = require(${JSON.stringify(require.resolve('@cucumber/cucumber'))});
Given('the world is checked', function () {
  const p = this.parameters;
  this.attach(JSON.stringify({ verdict: 'supported', note: 'phone=' + p.phone + ' transport=' + p.transport + ' seed=' + p.seed }), 'application/vnd.phonebridge.verdict+json');
  this.attach(JSON.stringify({ name: 'latency', value: 12, unit: 'ms', predicted: 10 }), 'application/vnd.phonebridge.figure+json');
});
Given('nothing happens', function () {});
Given('it fails', function () { throw new Error('expected "Hi" from 5551234567'); });
`,
  );
  let text = '';
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      text += chunk.toString();
      done();
    },
  });
  return {
    root,
    output: () => text,
    options: {
      phones: ['iphone'],
      transports: ['memory'],
      outDir: path.join(root, 'reports'),
      seed: 7,
      quiet: true,
      featurePaths: [path.join(root, 'features', '**', '*.feature')],
      supportPaths: [path.join(root, 'steps', '*.js'), path.join(root, 'missing-world.ts')],
      profilesDir: path.join(root, 'phones'),
      stdout: sink,
      stderr: sink,
    },
  };
}

test('tag expression: user tags and every other profile and transport excluded', () => {
  assert.equal(
    suiteTagExpression({ tags: '@ancs or @map', phone: 'iphone', transport: 'memory', knownPhones: ['android', 'iphone', 'pixel'], knownTransports: ['memory', 'hci'] }),
    '(@ancs or @map) and not @phone:android and not @phone:pixel and not @transport:hci',
  );
  assert.equal(suiteTagExpression({ phone: 'iphone', transport: 'memory', knownPhones: ['iphone'], knownTransports: ['memory'] }), '');
});

test('runSuite runs each phone, writes the report and points latest at it', async (t) => {
  const { root, options, output } = throwaway(t);
  const result = await runSuite({ ...options, phones: ['iphone', 'android'] });
  assert.equal(result.ok, false, 'one scenario fails');
  assert.deepEqual(readdirSync(result.dir).sort(), ['android-memory', 'compat.html', 'compat.json', 'compat.md', 'iphone-memory']);
  for (const sub of ['iphone-memory', 'android-memory']) {
    assert.deepEqual(readdirSync(path.join(result.dir, sub)).sort(), ['cucumber.html', 'junit.xml', 'messages.ndjson']);
  }
  assert.ok(lstatSync(path.join(root, 'reports', 'latest')).isSymbolicLink());
  const report = result.report;
  assert.match(report.runId, /^\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ-iphone\+android-memory$/);
  assert.deepEqual(
    report.runs.map((r) => [r.cell, r.phone.name, r.seed, r.counts.total, r.counts.failed, r.tags]),
    [
      ['iphone/memory', 'iPhone', 7, 3, 1, 'not @phone:android and not @transport:hci'],
      ['android/memory', 'Android phone', 7, 4, 1, 'not @phone:iphone and not @transport:hci'],
    ],
  );
  assert.equal(report.runs[0].artifacts.junit, 'iphone-memory/junit.xml');
  const row = (id: string) => report.capabilities.find((c) => c.id === id);
  assert.equal(row('notifications.new')?.cells['iphone/memory'].verdict, 'supported');
  const checked = row('notifications.new')?.cells['android/memory'].scenarios[0];
  assert.equal(checked?.note, 'phone=android transport=memory seed=7');
  assert.deepEqual(checked?.figures, [{ name: 'latency', value: 12, unit: 'ms', predicted: 10 }]);
  assert.equal(row('notifications.reply')?.cells['iphone/memory'].verdict, 'limited');
  assert.equal(row('notifications.burst-timing')?.cells['iphone/memory'].scenarios[0].message, 'expected "…" from ##########');
  assert.deepEqual(Object.keys(row('notifications.modified')?.cells ?? {}), ['android/memory']);
  const json = readFileSync(path.join(result.dir, 'compat.json'), 'utf8');
  assert.doesNotMatch(json, /5551234567/);
  assert.match(readFileSync(path.join(result.dir, 'compat.md'), 'utf8'), /\| Feature \| Area \| iphone\/memory \| android\/memory \|/);
  assert.match(output(), /scenarios? \(/, 'cucumber summary printed');
});

test('runSuite with tags runs only the chosen scenarios, in one directory', async (t) => {
  const { options } = throwaway(t);
  const result = await runSuite({ ...options, tags: '@T/NTF/BV-01', redact: false });
  assert.equal(result.ok, true);
  assert.ok(existsSync(path.join(result.dir, 'messages.ndjson')));
  assert.deepEqual(result.report.capabilities.map((c) => c.id), ['notifications.new']);
  assert.equal(result.report.redacted, false);
  assert.equal(result.report.runs[0].artifacts.messages, 'messages.ndjson');
});

test('bad input is a usage error before anything runs', async (t) => {
  const { options } = throwaway(t);
  const usage = (code: string) => (err: unknown) => err instanceof SuiteError && err.usage && err.code === code;
  await assert.rejects(runSuite({ ...options, transports: ['radio'] }), usage('suite.unknown-transport'));
  await assert.rejects(runSuite({ ...options, phones: ['nokia'] }), (err: unknown) => usage('suite.unknown-phone')(err) && /known: android, iphone/.test((err as Error).message));
  await assert.rejects(runSuite({ ...options, seed: 1.5 }), usage('suite.bad-seed'));
  await assert.rejects(runSuite({ ...options, tags: '@a and (' }), usage('suite.bad-tags'));
  assert.ok(!existsSync(options.outDir) || readdirSync(options.outDir).length === 0, 'no run directory left behind');
});

test('a phone profile can be given as a file path', async (t) => {
  const { root, options } = throwaway(t);
  const file = path.join(root, 'my-phone.json');
  writeFileSync(file, '{"name":"My phone"}');
  const result = await runSuite({ ...options, phones: [file], tags: '@T/NTF/BV-01', redact: false });
  assert.deepEqual(result.report.runs[0].phone, { id: 'my-phone', name: 'My phone' });
  assert.equal(result.report.capabilities[0].cells['my-phone/memory'].scenarios[0].note, `phone=${file} transport=memory seed=7`);
});
