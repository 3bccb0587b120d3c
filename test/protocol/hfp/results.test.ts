import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { AgFeature, agFeatureNames } from '../../../src/protocol/hfp/constants';
import { HfpError } from '../../../src/protocol/hfp/errors';
import {
  type AgResult,
  decodeResult,
  encodeResult,
  isFinalResult,
  resultPrefix,
  resultText,
} from '../../../src/protocol/hfp/results';
import { ResultLineSplitter } from '../../../src/protocol/hfp/splitter';
import { anyResult, hexOf } from './arbitraries';

/** Wire bytes (hex, with framing) paired with the decoded result. */
const FIXTURES: [string, AgResult][] = [
  ['0d0a2b425253463a20343037390d0a', { kind: 'brsf', features: 4079 }],
  ['0d0a4f4b0d0a', { kind: 'ok' }],
  ['0d0a2b434945563a20332c310d0a', { kind: 'ciev', index: 3, value: 1 }],
  ['0d0a2b43484c443a2028302c312c31782c322c32782c33290d0a', { kind: 'chld', options: ['0', '1', '1x', '2', '2x', '3'] }],
  ['0d0a2b434c49503a20222b3135353531323334222c3134350d0a', { kind: 'clip', number: '+15551234', type: 145 }],
  ['0d0a2b434d45204552524f523a20330d0a', { kind: 'cmeError', code: 3 }],
  ['0d0a2b434e554d3a202c2235353531323334222c3132392c2c340d0a', { kind: 'cnum', number: '5551234', type: 129, service: 4 }],
  ['0d0a2b5841504c3d6950686f6e652c360d0a', { kind: 'xapl', device: 'iPhone', features: 6 }],
  [
    '0d0a2b434c43433a20312c312c342c302c302c2231323334353637222c3132390d0a',
    { kind: 'clcc', index: 1, direction: 1, status: 4, mode: 0, multiparty: false, number: '1234567', type: 129 },
  ],
  ['0d0a2b434f50533a20302c302c2243617272696572220d0a', { kind: 'cops', mode: 0, format: 0, operator: 'Carrier' }],
  ['0d0a4e4f20434152524945520d0a', { kind: 'noCarrier' }],
  ['0d0a2b42494e443a2028312c32290d0a', { kind: 'bindList', indicators: [1, 2] }],
  ['0d0a2b4243533a20320d0a', { kind: 'bcs', codec: 2 }],
  ['0d0a2b43494e443a20312c302c302c352c332c302c300d0a', { kind: 'cindRead', values: [1, 0, 0, 5, 3, 0, 0] }],
];

test('fixtures: encoding gives the exact bytes and decoding gives the value back', () => {
  for (const [hex, result] of FIXTURES) {
    assert.equal(hexOf(encodeResult(result)), hex, result.kind);
    assert.deepEqual(decodeResult(Buffer.from(hex, 'hex').toString('utf8')), result);
  }
});

test("the iPhone's +BRSF: 4079 is the HFP 1.7 feature set described in PROTOCOLS.md", () => {
  const brsf = decodeResult('+BRSF: 4079');
  assert.ok(brsf.kind === 'brsf');
  assert.deepEqual(agFeatureNames(brsf.features), [
    'ThreeWayCalling',
    'EcNr',
    'VoiceRecognition',
    'InBandRing',
    'RejectCall',
    'EnhancedCallStatus',
    'EnhancedCallControl',
    'ExtendedErrorCodes',
    'CodecNegotiation',
    'HfIndicators',
    'EscoS4',
  ]);
  assert.equal(brsf.features & AgFeature.VoiceTag, 0);
});

test("the iPhone's +CIND test response decodes to names and ranges in its order", () => {
  const line =
    '+CIND: ("service",(0-1)),("call",(0-1)),("callsetup",(0-3)),("battchg",(0-5)),("signal",(0-5)),("roam",(0-1)),("callheld",(0-2))';
  const result = decodeResult(line);
  assert.ok(result.kind === 'cindTest');
  assert.deepEqual(
    result.indicators.map((i) => i.name),
    ['service', 'call', 'callsetup', 'battchg', 'signal', 'roam', 'callheld'],
  );
  assert.deepEqual(result.indicators[2]?.ranges, [{ min: 0, max: 3 }]);
  assert.equal(resultText(result), line);
});

test('forgiving decoding: case, spacing, "=" for ":", unquoted strings, bare +CHLD, stray quote, extra fields', () => {
  const cases: [string, AgResult][] = [
    ['Ok', { kind: 'ok' }],
    ['no  carrier', { kind: 'noCarrier' }],
    ['+CME ERROR:30', { kind: 'cmeError', code: 30 }],
    ['+ciev:5,3', { kind: 'ciev', index: 5, value: 3 }],
    ['+CIEV : 5 , 3', { kind: 'ciev', index: 5, value: 3 }],
    ['+BRSF=16383', { kind: 'brsf', features: 16383 }],
    ['+COPS: 0,0,TEST', { kind: 'cops', mode: 0, format: 0, operator: 'TEST' }],
    ['+CHLD:1,2x', { kind: 'chld', options: ['1', '2x'] }],
    ['+CHLD:(0,1,1x,2,2x,3,4)', { kind: 'chld', options: ['0', '1', '1x', '2', '2x', '3', '4'] }],
    ['+CLIP:"1234567",129,,', { kind: 'clip', number: '1234567', type: 129 }],
    ['+CLIP:"1234567",129,,,"blueman"', { kind: 'clip', number: '1234567', type: 129, alpha: 'blueman' }],
    ['+CCWA: "7654321",129', { kind: 'ccwa', number: '7654321', type: 129 }],
    [
      '+CLCC:1,1,4,0,0,"1234567",129"',
      { kind: 'clcc', index: 1, direction: 1, status: 4, mode: 0, multiparty: false, number: '1234567', type: 129 },
    ],
    ['+BVRA: 1,0', { kind: 'bvra', value: 1 }],
    ['+BIND: 2,1', { kind: 'bindStatus', indicator: 2, enabled: true }],
    ['  \r\n+BSIR: 1\r\n', { kind: 'bsir', enabled: true }],
  ];
  for (const [line, expected] of cases) assert.deepEqual(decodeResult(line), expected, line);
});

test('a +CIND list with a trailing comma (BlueZ) still lists every indicator', () => {
  const result = decodeResult(
    '+CIND: ("service",(0,1)),("call",(0,1)),("callsetup",(0-3)),("callheld",(0-2)),("signal",(0-5)),("roam",(0,1)),("battchg",(0-5)),',
  );
  assert.ok(result.kind === 'cindTest');
  assert.equal(result.indicators.length, 7);
  assert.deepEqual(result.indicators[0], { name: 'service', ranges: [{ min: 0, max: 0 }, { min: 1, max: 1 }] });
});

test('lines we do not model decode to unknown with their text', () => {
  assert.deepEqual(decodeResult('BR'), { kind: 'unknown', raw: 'BR' });
  assert.deepEqual(decodeResult('+CSQ: 20,99'), { kind: 'unknown', raw: '+CSQ: 20,99' });
  assert.deepEqual(decodeResult('AT+BRSF=1'), { kind: 'unknown', raw: 'AT+BRSF=1' });
});

test('modelled results with bad bodies throw typed errors with byte offsets', () => {
  const cases: [string, string, number][] = [
    ['+BRSF', 'hfp.bad-syntax', 5],
    ['+CLCC', 'hfp.bad-syntax', 5],
    ['+CLCC:1,3,0', 'hfp.missing-parameter', 11],
    ['+CIEV: x,1', 'hfp.bad-value', 7],
    ['+CIND: 1,,0', 'hfp.missing-parameter', 9],
    ['+CIND: ("call"),("x",(0,1))', 'hfp.missing-parameter', 7],
    ['+CHLD: ("1")', 'hfp.bad-value', 8],
    ['+CME ERROR: SIM busy', 'hfp.bad-value', 12],
    ['+CLCC:("call"(0,1)),("callsetup",(0-3))', 'hfp.bad-value', 6],
    ['+CLIP: "1",(', 'hfp.bad-syntax', 11],
  ];
  for (const [line, code, offset] of cases) {
    assert.throws(
      () => decodeResult(line),
      (e: unknown) => e instanceof HfpError && e.code === code && e.offset === offset,
      line,
    );
  }
});

test('resultPrefix routes by name even when the body is malformed', () => {
  assert.equal(resultPrefix('+clcc:1,3,0'), '+CLCC');
  assert.equal(resultPrefix('+CME ERROR:30'), '+CME ERROR');
  assert.equal(resultPrefix('no carrier'), 'NO CARRIER');
  assert.equal(resultPrefix('BR'), undefined);
});

test('final results are the ones that end a command', () => {
  const finals = ['OK', 'ERROR', '+CME ERROR: 3', 'NO CARRIER', 'BUSY', 'NO ANSWER', 'DELAYED', 'BLACKLISTED'];
  for (const line of finals) assert.equal(isFinalResult(decodeResult(line)), true, line);
  for (const line of ['RING', '+CIEV: 1,1', '+BRSF: 1', 'BR']) assert.equal(isFinalResult(decodeResult(line)), false, line);
});

test('encoding refuses values a result cannot carry', () => {
  const bad: AgResult[] = [
    { kind: 'clip', number: 'a"b', type: 129 },
    { kind: 'ciev', index: -1, value: 0 },
    { kind: 'cindTest', indicators: [] },
    { kind: 'cindRead', values: [] },
    { kind: 'chld', options: ['1,2'] },
    { kind: 'xapl', device: 'i Phone,', features: 0 },
    { kind: 'unknown', raw: 'OK\r\nRING' },
  ];
  for (const result of bad) {
    assert.throws(() => encodeResult(result), (e: unknown) => e instanceof HfpError && e.code === 'hfp.unencodable');
  }
});

test('property: every result kind survives encode -> split -> decode', () => {
  fc.assert(
    fc.property(anyResult, (result) => {
      const events = new ResultLineSplitter().push(encodeResult(result));
      assert.equal(events.length, 1);
      const [event] = events;
      assert.ok(event?.kind === 'line');
      assert.equal(event.text, resultText(result));
      assert.deepEqual(decodeResult(event.text), result);
    }),
    { numRuns: 1000 },
  );
});

test('property: decoding arbitrary text returns a result or throws HfpError, nothing else', () => {
  const body = fc.string({ unit: fc.constantFrom(...'+:=,()"0123456789CLIPMEROKx -'.split('')), maxLength: 30 });
  const names = fc.constantFrom('+CIND', '+CLCC', '+CHLD', '+BIND', '+CME ERROR', '+CLIP', '+COPS', '+CNUM', '+XAPL', 'OK');
  fc.assert(
    fc.property(fc.oneof(fc.tuple(names, body).map(([n, b]) => n + b), fc.string({ maxLength: 40 })), (line) => {
      try {
        decodeResult(line);
      } catch (e) {
        assert.ok(e instanceof HfpError, String(e));
      }
    }),
    { numRuns: 1000 },
  );
});
