/**
 * Stream reassembly of OBEX packets: every split point, random chunkings, framing failures.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { encodeRequest, FramingError, isObexError, ObexError, PacketSplitter } from '../../../src/protocol/obex';
import { concat, headerArb, hex, toHex } from './obex-test-kit';

const PACKETS = [
  hex('80 00 07 10 00 10 00'),
  hex('83 00 03'),
  hex('02 00 0a 48 00 07 01 02 03 04'),
  hex('85 00 10 02 00 01 00 0B 00 64 00 69 00 72 00 00'),
];

test('whole packets come out of a stream split at every byte', () => {
  const stream = concat(PACKETS);
  for (let cut = 0; cut <= stream.length; cut++) {
    const splitter = new PacketSplitter();
    const out = [...splitter.push(stream.subarray(0, cut)), ...splitter.push(stream.subarray(cut))];
    assert.deepEqual(out.map(toHex), PACKETS.map(toHex), `cut at ${cut}`);
    assert.equal(splitter.buffered, 0);
  }
  const splitter = new PacketSplitter();
  const out: Uint8Array[] = [];
  for (const byte of stream) out.push(...splitter.push(Uint8Array.of(byte)));
  assert.deepEqual(out.map(toHex), PACKETS.map(toHex));
});

test('packets are copies, safe from a reused input buffer', () => {
  const splitter = new PacketSplitter();
  const buffer = Uint8Array.from(PACKETS[1] as Uint8Array);
  const [packet] = splitter.push(buffer);
  buffer.fill(0xee);
  assert.deepEqual(packet, hex('83 00 03'));
});

test('buffered counts the bytes of an unfinished packet', () => {
  const splitter = new PacketSplitter();
  assert.deepEqual(splitter.push(hex('02 00')), []);
  assert.equal(splitter.buffered, 2);
  assert.deepEqual(splitter.push(hex('0a 48 00')), []);
  assert.equal(splitter.buffered, 5);
});

test('a length below 3 fails the stream, keeping the packets before it, until reset', () => {
  const splitter = new PacketSplitter();
  let failure: unknown;
  try {
    splitter.push(concat([hex('83 00 03'), hex('90 00 02')]));
  } catch (err) {
    failure = err;
  }
  assert.ok(failure instanceof FramingError);
  assert.equal(failure.code, 'obex.bad-length');
  assert.equal(failure.offset, 4);
  assert.equal(failure.mustClose, true);
  assert.deepEqual(failure.packets.map(toHex), ['830003']);
  assert.equal(splitter.failed, true);
  assert.throws(() => splitter.push(hex('83 00 03')), (e: unknown) => isObexError(e, 'obex.bad-length'));
  splitter.reset();
  assert.equal(splitter.failed, false);
  assert.deepEqual(splitter.push(hex('83 00 03')).map(toHex), ['830003']);
});

test('a packet over the maximum is refused before it is buffered', () => {
  const splitter = new PacketSplitter({ maxPacketLength: 255 });
  assert.throws(() => splitter.push(hex('90 01 00')), (e: unknown) => e instanceof FramingError && e.code === 'obex.too-large');
  assert.equal(splitter.buffered, 0);
  assert.throws(() => new PacketSplitter({ maxPacketLength: 254 }), ObexError);
  const roomy = new PacketSplitter({ maxPacketLength: 255 });
  roomy.maxPacketLength = 4096;
  assert.equal(roomy.push(concat([hex('90 01 00'), new Uint8Array(253)])).length, 1);
});

test('property: any packet stream cut into any chunks yields the same packets', () => {
  const packetArb = fc
    .tuple(fc.integer({ min: 0, max: 255 }), fc.array(headerArb, { maxLength: 4 }))
    .filter(([opcode]) => (opcode & 0x7f) !== 0x00 && (opcode & 0x7f) !== 0x05)
    .map(([opcode, headers]) => encodeRequest({ opcode, headers }));
  fc.assert(
    fc.property(fc.array(packetArb, { maxLength: 8 }), fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1 }), (packets, sizes) => {
      const stream = concat(packets);
      const splitter = new PacketSplitter();
      const out: Uint8Array[] = [];
      let at = 0;
      for (let i = 0; at < stream.length; i++) {
        const size = sizes[i % sizes.length] as number;
        out.push(...splitter.push(stream.subarray(at, at + size)));
        at += size;
      }
      assert.deepEqual(out.map(toHex), packets.map(toHex));
      assert.equal(splitter.buffered, 0);
    }),
    { numRuns: 500 },
  );
});

test('property: arbitrary bytes give packets or a FramingError, never anything else', () => {
  fc.assert(
    fc.property(fc.array(fc.uint8Array({ maxLength: 30 }), { maxLength: 10 }), (chunks) => {
      const splitter = new PacketSplitter({ maxPacketLength: 255 });
      for (const chunk of chunks) {
        try {
          for (const packet of splitter.push(chunk)) {
            assert.equal((packet[1] as number) * 256 + (packet[2] as number), packet.length);
          }
        } catch (err) {
          assert.ok(err instanceof FramingError, String(err));
          assert.ok(splitter.failed);
          return;
        }
      }
    }),
    { numRuns: 1000 },
  );
});
