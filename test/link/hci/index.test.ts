/**
 * Loading the hci transport module: neither library loads until asked, and
 * a bad controller flag is refused first.
 * @isolated-process: it checks which modules are loaded.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as hci from '../../../src/link/hci';

const loadedLibraries = () => Object.keys(require.cache).filter((file) => /[\\/]@stoprocent[\\/](noble|bleno|bluetooth-hci-socket)[\\/]/.test(file));

test('importing the hci transport loads neither noble nor bleno', () => {
  assert.equal(typeof hci.createHciCentral, 'function');
  assert.equal(typeof hci.createHciServerHost, 'function');
  assert.deepEqual(loadedLibraries(), []);
});

test('a bad controller flag is refused before anything is loaded', async () => {
  await assert.rejects(hci.createHciCentral({ controller: 'bluetooth0' }), (e: unknown) => e instanceof hci.ControllerSpecError);
  await assert.rejects(hci.createHciServerHost({ controller: 'usb:xyz:1' }), (e: unknown) => e instanceof hci.ControllerSpecError);
  assert.deepEqual(loadedLibraries(), []);
});

test('a controller that is not there: noble gives up with a typed error', async () => {
  // A UART port that does not exist: noble never powers on.
  await assert.rejects(
    hci.createHciCentral({ controller: 'uart:/nonexistent/phonebridge-tty', startTimeoutMs: 300 }),
    (e: unknown) => e instanceof Error && /^link\.controller-(timeout|unavailable)$/.test((e as { code?: string }).code ?? ''),
  );
});
