import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  type HfCommand,
  classifyCommand,
  commandText,
  commandTypeOf,
  decodeCommand,
  encodeCommand,
} from '../../../src/protocol/hfp/commands';
import { HfpError } from '../../../src/protocol/hfp/errors';
import { CommandLineSplitter } from '../../../src/protocol/hfp/splitter';
import { anyCommand, hexOf } from './arbitraries';

/** Wire bytes (hex) paired with the decoded command. */
const FIXTURES: [string, HfCommand][] = [
  ['41542b425253463d313031320d', { kind: 'brsf', features: 1012 }],
  ['41542b4241433d312c320d', { kind: 'bac', codecs: [1, 2] }],
  ['41542b43494e443d3f0d', { kind: 'cindTest' }],
  ['41542b43494e443f0d', { kind: 'cindRead' }],
  ['41542b434d45523d332c302c302c310d', { kind: 'cmer', mode: 3, keyp: 0, disp: 0, ind: 1 }],
  ['41542b434d45523d332c2c2c310d', { kind: 'cmer', mode: 3, ind: 1 }],
  ['41542b43484c443d3f0d', { kind: 'chldTest' }],
  ['41542b43484c443d320d', { kind: 'chld', action: 2 }],
  ['41542b43484c443d31320d', { kind: 'chld', action: 1, callIndex: 2 }],
  ['41542b42494e443d312c320d', { kind: 'bind', indicators: [1, 2] }],
  ['41542b434c49503d310d', { kind: 'clip', enabled: true }],
  ['41542b434f50533d332c300d', { kind: 'cops', mode: 3, format: 0 }],
  ['415444313233343536373b0d', { kind: 'dial', number: '1234567' }],
  ['4154443e313b0d', { kind: 'dialMemory', location: '1' }],
  ['41542b5841504c3d303541432d313233342d303130302c360d', { kind: 'xapl', vendorId: 0x05ac, productId: 0x1234, version: '0100', features: 6 }],
  ['41542b4950484f4e4541434345563d312c312c330d', { kind: 'iphoneAccev', pairs: [{ key: 1, value: 3 }] }],
  ['4154410d', { kind: 'answer' }],
  ['41542b424945563d322c38300d', { kind: 'biev', indicator: 2, value: 80 }],
  ['41542b4249413d312c2c300d', { kind: 'bia', states: [true, undefined, false] }],
];

test('fixtures: encoding gives the exact bytes and decoding gives the value back', () => {
  for (const [hex, command] of FIXTURES) {
    const bytes = encodeCommand(command);
    assert.equal(hexOf(bytes), hex, command.kind);
    const text = Buffer.from(hex, 'hex').toString('utf8');
    assert.deepEqual(decodeCommand(text), command);
  }
});

test('the SLC and call-control command texts are those a real HF sends', () => {
  const texts: [HfCommand, string][] = [
    [{ kind: 'bindTest' }, 'AT+BIND=?'],
    [{ kind: 'bindRead' }, 'AT+BIND?'],
    [{ kind: 'ccwa', enabled: true }, 'AT+CCWA=1'],
    [{ kind: 'cmee', enabled: true }, 'AT+CMEE=1'],
    [{ kind: 'copsRead' }, 'AT+COPS?'],
    [{ kind: 'nrec', enabled: false }, 'AT+NREC=0'],
    [{ kind: 'clcc' }, 'AT+CLCC'],
    [{ kind: 'cnum' }, 'AT+CNUM'],
    [{ kind: 'vgs', gain: 9 }, 'AT+VGS=9'],
    [{ kind: 'vgm', gain: 15 }, 'AT+VGM=15'],
    [{ kind: 'chup' }, 'AT+CHUP'],
    [{ kind: 'bldn' }, 'AT+BLDN'],
    [{ kind: 'vts', tone: '#' }, 'AT+VTS=#'],
    [{ kind: 'bvra', value: 1 }, 'AT+BVRA=1'],
    [{ kind: 'bcs', codec: 2 }, 'AT+BCS=2'],
    [{ kind: 'bcc' }, 'AT+BCC'],
    [{ kind: 'btrhRead' }, 'AT+BTRH?'],
    [{ kind: 'btrh', action: 1 }, 'AT+BTRH=1'],
  ];
  for (const [command, text] of texts) {
    assert.equal(commandText(command), text);
    assert.deepEqual(decodeCommand(`${text}\r`), command);
  }
});

test('classification follows the gateway parser: COMMAND, SET, READ, TEST', () => {
  const cases: [string, string, string, string][] = [
    ['AT+BRSF', '+BRSF', 'command', ''],
    ['AT+BRSF=', '+BRSF', 'set', ''],
    ['AT+BRSF=1012', '+BRSF', 'set', '1012'],
    ['AT+BRSF?', '+BRSF', 'read', ''],
    ['AT+BRSF=?', '+BRSF', 'test', ''],
    ['ATD12345', 'D', 'set', '12345'],
    ['ATD>1;', 'D', 'set', '>1;'],
    ['ATA', 'A', 'command', ''],
    ['at+cind?', '+CIND', 'read', ''],
    ['AT', '', 'command', ''],
  ];
  for (const [line, name, type, args] of cases) {
    const c = classifyCommand(line);
    assert.deepEqual([c.name, c.type, c.args], [name, type, args], line);
  }
  assert.throws(() => classifyCommand('+BRSF'), (e: unknown) => e instanceof HfpError && e.code === 'hfp.bad-syntax');
  assert.throws(() => classifyCommand('AT+=1'), (e: unknown) => e instanceof HfpError && e.offset === 2);
  assert.throws(() => classifyCommand('AT+CLIP?1'), (e: unknown) => e instanceof HfpError && e.offset === 7);
  // Concatenated commands are not modelled: the second one makes the first one's parameter malformed.
  assert.throws(() => decodeCommand('AT+CLIP=1;+CCWA=1'), (e: unknown) => e instanceof HfpError && e.code === 'hfp.bad-value');
});

test('commands are matched case-insensitively and tolerate spaces around parameters', () => {
  assert.deepEqual(decodeCommand('at+brsf=1012'), { kind: 'brsf', features: 1012 });
  assert.deepEqual(decodeCommand('AT+BAC= 1, 2 '), { kind: 'bac', codecs: [1, 2] });
  assert.deepEqual(decodeCommand('AT+VTS="5"'), { kind: 'vts', tone: '5' });
  assert.deepEqual(decodeCommand('ATD 555 0100 ;'), { kind: 'dial', number: '555 0100' });
});

test('forms we do not model stay unknown with their text and type', () => {
  assert.deepEqual(decodeCommand('AT+BRSF'), { kind: 'unknown', name: '+BRSF', type: 'command', raw: 'AT+BRSF' });
  assert.deepEqual(decodeCommand('AT+CKPD=200\r'), { kind: 'unknown', name: '+CKPD', type: 'set', raw: 'AT+CKPD=200' });
  assert.deepEqual(decodeCommand('AT+CIND=1'), { kind: 'unknown', name: '+CIND', type: 'set', raw: 'AT+CIND=1' });
  assert.equal(commandTypeOf(decodeCommand('AT+XYZ=?')), 'test');
});

test('bad parameters of a modelled command throw typed errors with the byte offset', () => {
  const cases: [string, string, number][] = [
    ['AT+BRSF=', 'hfp.missing-parameter', 8],
    ['AT+BRSF=abc', 'hfp.bad-value', 8],
    ['AT+CLIP=2', 'hfp.bad-value', 8],
    ['ATD1234', 'hfp.bad-syntax', 7],
    ['ATD;', 'hfp.missing-parameter', 3],
    ['ATD>;', 'hfp.missing-parameter', 3],
    ['AT+VTS=12', 'hfp.bad-value', 7],
    ['AT+XAPL=iPhone,2', 'hfp.bad-value', 8],
    ['AT+IPHONEACCEV=2,1,3', 'hfp.missing-parameter', 20],
    ['AT+CHLD=1x', 'hfp.bad-value', 8],
    ['AT+BIA=1,2', 'hfp.bad-value', 9],
  ];
  for (const [line, code, offset] of cases) {
    assert.throws(
      () => decodeCommand(line),
      (e: unknown) => e instanceof HfpError && e.code === code && e.offset === offset,
      line,
    );
  }
});

test('encoding refuses values a command cannot carry', () => {
  const bad: HfCommand[] = [
    { kind: 'brsf', features: -1 },
    { kind: 'brsf', features: 1.5 },
    { kind: 'bac', codecs: [] },
    { kind: 'dial', number: '12;3' },
    { kind: 'dial', number: '>1' },
    { kind: 'dial', number: '' },
    { kind: 'vts', tone: 'x' },
    { kind: 'chld', action: 10 },
    { kind: 'xapl', vendorId: 0x10000, productId: 1, version: '1', features: 0 },
    { kind: 'unknown', name: '+X', type: 'command', raw: 'AT+X\rAT+Y' },
  ];
  for (const command of bad) {
    assert.throws(() => encodeCommand(command), (e: unknown) => e instanceof HfpError && e.code === 'hfp.unencodable');
  }
});

test('property: every command kind survives encode -> split -> decode, and keeps its type', () => {
  fc.assert(
    fc.property(anyCommand, (command) => {
      const bytes = encodeCommand(command);
      const events = new CommandLineSplitter().push(bytes);
      assert.equal(events.length, 1);
      const [event] = events;
      assert.ok(event?.kind === 'line');
      assert.equal(event.text, commandText(command));
      const decoded = decodeCommand(event.text);
      assert.deepEqual(decoded, command);
      assert.equal(classifyCommand(event.text).type, commandTypeOf(command));
    }),
    { numRuns: 1000 },
  );
});

test('property: decoding arbitrary text returns a command or throws HfpError, nothing else', () => {
  const tail = fc.string({ unit: fc.constantFrom(...'+=?;,()"0123456789ABDXT x>'.split('')), maxLength: 30 });
  fc.assert(
    fc.property(fc.oneof(tail.map((t) => `AT${t}`), fc.string({ maxLength: 30 })), (line) => {
      try {
        decodeCommand(line);
      } catch (e) {
        assert.ok(e instanceof HfpError, String(e));
      }
    }),
    { numRuns: 1000 },
  );
});
