import { test } from 'node:test';
import assert from 'node:assert/strict';
import { absoluteFolder, folderText, planSetPath, resolveFolder } from '../../../src/sim-pc/pbap/folder-path';

test('resolveFolder: absolute, relative, .. and empty parts', () => {
  assert.deepEqual(resolveFolder(['telecom'], 'pb'), ['telecom', 'pb']);
  assert.deepEqual(resolveFolder(['telecom', 'pb'], '../ich'), ['telecom', 'ich']);
  assert.deepEqual(resolveFolder(['telecom', 'pb'], '/SIM1//telecom/./pb/'), ['SIM1', 'telecom', 'pb']);
  assert.deepEqual(resolveFolder([], '..'), []);
  assert.deepEqual(absoluteFolder('telecom/pb'), ['telecom', 'pb']);
  assert.equal(folderText([]), '/');
  assert.equal(folderText(['telecom', 'pb']), '/telecom/pb');
});

test('planSetPath: the shorter of up-and-down and root-and-down', () => {
  assert.deepEqual(planSetPath(['telecom', 'pb'], ['telecom', 'pb']), []);
  assert.deepEqual(planSetPath(['telecom', 'pb'], ['telecom', 'ich']), [{ kind: 'up' }, { kind: 'down', name: 'ich' }]);
  assert.deepEqual(planSetPath([], ['telecom', 'pb']), [
    { kind: 'down', name: 'telecom' },
    { kind: 'down', name: 'pb' },
  ]);
  assert.deepEqual(planSetPath(['SIM1', 'telecom', 'pb'], ['telecom']), [{ kind: 'root' }, { kind: 'down', name: 'telecom' }]);
  assert.deepEqual(planSetPath(undefined, ['telecom']), [{ kind: 'root' }, { kind: 'down', name: 'telecom' }]);
  assert.deepEqual(planSetPath(['telecom', 'pb'], []), [{ kind: 'root' }]);
});
