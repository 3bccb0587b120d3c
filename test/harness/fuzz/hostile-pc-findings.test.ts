/**
 * A regression test for what the `hostile-pc` campaign found: a MAP
 * PushMessage whose body grows past the phone's limit without a Length
 * header was answered Internal Server Error (0xD0), because the OBEX server
 * session answered every throw from a PutReceiver with 0xD0. A receiver now
 * refuses with its own code (PutRefusal), and the phone answers Request
 * Entity Too Large (0xCD), as it already did for a Length header over the limit.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HostileBed } from '../../../src/harness/fuzz/hostile-pc-bed';
import { RawObexLink } from '../../../src/harness/fuzz/hostile-pc-links';
import { bodyHeader, connectionIdHeader, encodeRequest, nameHeader, appParamsHeader, targetHeader, typeHeader } from '../../../src/protocol/obex';
import { encodeMapParams, MapCharset, MapMime, MAS_TARGET } from '../../../src/protocol/map';

/** Streams a push of `packets` × 4000 body bytes into telecom/msg/outbox with no Length header; the codes the phone answered and the problems the bed saw. */
async function streamPush(packets: number): Promise<{ codes: number[]; problems: string[] }> {
  const bed = new HostileBed({ profile: 'iphone', seed: 1, mtu: 23, cuts: [] });
  try {
    bed.tb.phone.backchannel.allowMessageNotifications(bed.pcAddress);
    const channel = await bed.openChannel(bed.tb.profile.map?.channel ?? 0);
    assert.ok(channel, 'the MAS channel opens');
    const link = new RawObexLink(channel, (b) => [b]);
    const step = async (bytes: Uint8Array, connect = false): Promise<number[]> => {
      link.send(bytes, connect);
      await bed.clock.runFor(200);
      return link.take().map((r) => r.code);
    };
    assert.deepEqual(await step(encodeRequest({ opcode: 0x80, connect: { version: 0x10, flags: 0, maxPacketLength: 0xffff }, headers: [targetHeader(MAS_TARGET)] }), true), [0xa0]);
    for (const name of ['telecom', 'msg']) {
      assert.deepEqual(await step(encodeRequest({ opcode: 0x85, setPath: { flags: 2, constants: 0 }, headers: [connectionIdHeader(1), nameHeader(name)] })), [0xa0]);
    }
    const chunk = new Uint8Array(4000).fill(0x41);
    const first = [connectionIdHeader(1), typeHeader(MapMime.message), nameHeader('outbox'), appParamsHeader(encodeMapParams({ charset: MapCharset.Utf8 })), bodyHeader(chunk)];
    const codes = await step(encodeRequest({ opcode: 0x02, headers: first }));
    for (let n = 1; n < packets && !codes.some((c) => c !== 0x90); n++) codes.push(...(await step(encodeRequest({ opcode: 0x02, headers: [bodyHeader(chunk)] }))));
    return { codes, problems: [...bed.problems] };
  } finally {
    bed.dispose();
  }
}

test('a push body that grows past the limit without a Length header is refused Request Entity Too Large, within the limit', async () => {
  const { codes, problems } = await streamPush(40);
  assert.equal(codes.at(-1), 0xcd, `the phone answered ${codes.map((c) => c.toString(16)).join(' ')}`);
  assert.ok(codes.slice(0, -1).every((c) => c === 0x90));
  assert.ok(codes.length <= 18, `refused after ${codes.length} packets of 4000 bytes (limit 64 KiB)`);
  assert.deepEqual(problems, []);
});
