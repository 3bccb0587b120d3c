/**
 * Every byte vector of the bluez-gobex corpus: valid ones decode and
 * re-encode byte for byte, `*_nval*` ones are rejected with an ObexError.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  decodeAppParams,
  decodeHeaders,
  decodeRequest,
  decodeResponse,
  encodeAppParams,
  encodeHeaders,
  encodeRequest,
  encodeResponse,
  HeaderId,
  isObexError,
  readAppParams,
  readType,
} from '../../../src/protocol/obex';
import { CORPUS_MISSING, hex, loadGobexVectors, toHex, type VectorArray } from './obex-test-kit';

const corpus = loadGobexVectors();

type Kind = 'apparam' | 'header' | 'request' | 'response' | 'connect-response' | 'value';

/** How each array is meant to be parsed, from its file and name. */
function kindOf(file: string, name: string): Kind {
  if (file === 'test-gobex-apparam.c') return 'apparam';
  if (file === 'test-gobex-header.c') return 'header';
  if (file === 'test-gobex-packet.c') return 'request';
  if (['hdr_type', 'hdr_app', 'body_data'].includes(name)) return 'value';
  const connectResponses = ['conn_rsp', 'conn_rsp_srm', 'pkt_connect_rsp', 'pkt_unauth_rsp', 'pkt_auth_rsp', 'pkt_nval_connect_rsp'];
  if (connectResponses.includes(name)) return 'connect-response';
  if (name.endsWith('_rsp') || name.includes('_rsp_')) return 'response';
  if (name.endsWith('_req') || name.includes('_req_') || name === 'pkt_put_body') return 'request';
  throw new Error(`unclassified vector ${file}:${name}`);
}

function decodeAndEncode(kind: Kind, bytes: Uint8Array): Uint8Array {
  switch (kind) {
    case 'apparam':
      return encodeAppParams(decodeAppParams(bytes));
    case 'header':
      return encodeHeaders(decodeHeaders(bytes));
    case 'request':
      return encodeRequest(decodeRequest(bytes));
    case 'response':
      return encodeResponse(decodeResponse(bytes));
    case 'connect-response':
      return encodeResponse(decodeResponse(bytes, { connectResponse: true }));
    case 'value':
      return bytes;
  }
}

function allArrays(): { file: string; array: VectorArray }[] {
  if (!corpus) return [];
  return Object.entries(corpus).flatMap(([file, content]) => content.arrays.map((array) => ({ file, array })));
}

test('the corpus holds the documented number of arrays', (t) => {
  if (!corpus) return t.skip(CORPUS_MISSING);
  const counts = Object.fromEntries(Object.entries(corpus).map(([file, c]) => [file, c.arrays.length]));
  assert.deepEqual(counts, {
    'test-gobex-apparam.c': 11,
    'test-gobex-header.c': 13,
    'test-gobex-packet.c': 6,
    'test-gobex-transfer.c': 34,
    'test-gobex.c': 19,
  });
});

test('every valid vector decodes and re-encodes byte for byte', (t) => {
  if (!corpus) return t.skip(CORPUS_MISSING);
  let checked = 0;
  for (const { file, array } of allArrays()) {
    if (array.name.includes('_nval')) continue;
    const bytes = hex(array.hex);
    assert.equal(bytes.length, array.length, `${array.name} length`);
    const again = decodeAndEncode(kindOf(file, array.name), bytes);
    assert.equal(toHex(again), array.hex.toLowerCase(), `${file}:${array.name}`);
    checked++;
  }
  assert.equal(checked, 83 - 13);
});

test('every *_nval* vector is rejected with an ObexError', (t) => {
  if (!corpus) return t.skip(CORPUS_MISSING);
  const rejected: string[] = [];
  for (const { file, array } of allArrays()) {
    if (!array.name.includes('_nval')) continue;
    const kind = kindOf(file, array.name);
    assert.throws(
      () => decodeAndEncode(kind, hex(array.hex)),
      (err: unknown) => isObexError(err) && typeof err.offset === 'number',
      `${file}:${array.name} must be rejected`,
    );
    rejected.push(array.name);
  }
  assert.deepEqual(rejected.sort(), [
    'hdr_bytes_nval_data',
    'hdr_bytes_nval_len',
    'hdr_bytes_nval_short',
    'hdr_uint32_nval',
    'hdr_unicode_nval_data',
    'hdr_unicode_nval_short',
    'pkt_nval_connect_rsp',
    'pkt_nval_len',
    'pkt_nval_short_rsp',
    'tag_nval2_data',
    'tag_nval2_short',
    'tag_nval_data',
    'tag_nval_short',
  ]);
});

test('rejections carry the expected codes', (t) => {
  if (!corpus) return t.skip(CORPUS_MISSING);
  const codeOf = (file: string, name: string): string => {
    const array = corpus[file]?.arrays.find((a) => a.name === name);
    assert.ok(array, name);
    try {
      decodeAndEncode(kindOf(file, name), hex(array.hex));
    } catch (err) {
      assert.ok(isObexError(err));
      return err.code;
    }
    assert.fail(`${name} decoded`);
  };
  assert.equal(codeOf('test-gobex-header.c', 'hdr_bytes_nval_len'), 'obex.bad-length');
  assert.equal(codeOf('test-gobex-header.c', 'hdr_unicode_nval_data'), 'obex.bad-length');
  assert.equal(codeOf('test-gobex-header.c', 'hdr_unicode_nval_short'), 'obex.truncated');
  assert.equal(codeOf('test-gobex-header.c', 'hdr_uint32_nval'), 'obex.truncated');
  assert.equal(codeOf('test-gobex-packet.c', 'pkt_nval_len'), 'obex.truncated');
  assert.equal(codeOf('test-gobex.c', 'pkt_nval_short_rsp'), 'obex.truncated');
  assert.equal(codeOf('test-gobex.c', 'pkt_nval_connect_rsp'), 'obex.truncated');
  assert.equal(codeOf('test-gobex-apparam.c', 'tag_nval2_data'), 'obex.truncated');
});

test('decoded vectors have the expected shape', (t) => {
  if (!corpus) return t.skip(CORPUS_MISSING);
  const get = (file: string, name: string): Uint8Array => {
    const array = corpus[file]?.arrays.find((a) => a.name === name);
    assert.ok(array, name);
    return hex(array.hex);
  };
  assert.deepEqual(decodeHeaders(get('test-gobex-header.c', 'hdr_name_umlaut')), [
    { id: HeaderId.Name, kind: 'unicode', value: 'åäö' },
  ]);
  assert.deepEqual(decodeHeaders(get('test-gobex-header.c', 'hdr_name_empty')), [
    { id: HeaderId.Name, kind: 'unicode', value: '' },
  ]);
  assert.deepEqual(decodeHeaders(get('test-gobex-header.c', 'hdr_connid')), [
    { id: HeaderId.ConnectionId, kind: 'u32', value: 0x01020304 },
  ]);
  assert.deepEqual(decodeHeaders(get('test-gobex-header.c', 'hdr_actionid')), [
    { id: HeaderId.ActionId, kind: 'u8', value: 0xab },
  ]);
  assert.deepEqual(decodeRequest(get('test-gobex-packet.c', 'pkt_connect')), {
    opcode: 0x00,
    connect: { version: 0x10, flags: 0, maxPacketLength: 4096 },
    headers: [{ id: HeaderId.Target, kind: 'bytes', value: hex('abcd') }],
  });
  assert.deepEqual(decodeRequest(get('test-gobex.c', 'pkt_setpath_req')), {
    opcode: 0x85,
    setPath: { flags: 0x02, constants: 0 },
    headers: [{ id: HeaderId.Name, kind: 'unicode', value: 'dir' }],
  });
  assert.deepEqual(decodeResponse(get('test-gobex-transfer.c', 'conn_rsp'), { connectResponse: true }), {
    code: 0xa0,
    connect: { version: 0x10, flags: 0, maxPacketLength: 4096 },
    headers: [{ id: HeaderId.ConnectionId, kind: 'u32', value: 1 }],
  });
  const getFirstApp = decodeRequest(get('test-gobex-transfer.c', 'get_req_first_app'));
  assert.equal(readType(getFirstApp.headers), 'foo/bar');
  assert.deepEqual(readAppParams(getFirstApp.headers), get('test-gobex-transfer.c', 'hdr_app'));
  assert.deepEqual(decodeAppParams(get('test-gobex-apparam.c', 'tag_multi')).map((p) => [p.tag, toHex(p.value)]), [
    [0, '01'],
    [1, '0102'],
    [2, '01020304'],
    [3, '0102030405060708'],
    [4, '41424300'],
  ]);
  const putLong = decodeRequest(get('test-gobex-packet.c', 'pkt_put_long'));
  assert.deepEqual(
    putLong.headers.map((h) => h.id),
    [HeaderId.ConnectionId, HeaderId.Type, HeaderId.Name, HeaderId.ActionId, HeaderId.Body],
  );
});
