/**
 * MAP identifiers: the MAS and MNS Targets byte for byte, SDP UUIDs and
 * attributes, the tag table (0x01..0x19 and 0x29), the two message-type bit
 * orders, MIME types, folder helpers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  isMasTarget,
  isMnsTarget,
  MapMime,
  MapParamTag,
  MapSdpAttribute,
  MapUuid,
  MAS_TARGET,
  messageFolderPath,
  MessageTypeFilterBit,
  MNS_TARGET,
  SupportedMessageTypeBit,
} from '../../../src/protocol/map';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

test('MAS and MNS Targets are the two MAP service UUIDs', () => {
  assert.equal(hex(MAS_TARGET), 'bb582b40420c11dbb0de0800200c9a66');
  assert.equal(hex(MNS_TARGET), 'bb582b41420c11dbb0de0800200c9a66');
  assert.ok(isMasTarget(MAS_TARGET) && !isMasTarget(MNS_TARGET) && isMnsTarget(Array.from(MNS_TARGET)) && !isMnsTarget(undefined));
  assert.ok(!isMasTarget(MAS_TARGET.subarray(0, 15)));
});

test('SDP ids, MIME types and the app parameter table', () => {
  assert.deepEqual(MapUuid, { MAS: 0x1132, MNS: 0x1133, Profile: 0x1134 });
  assert.deepEqual(MapSdpAttribute, { MasInstanceId: 0x0315, SupportedMessageTypes: 0x0316, MapSupportedFeatures: 0x0317 });
  assert.equal(MapMime.folderListing, 'x-obex/folder-listing');
  assert.equal(MapMime.messageListing, 'x-bt/MAP-msg-listing');
  assert.equal(MapMime.eventReport, 'x-bt/MAP-event-report');
  const tags = Object.values(MapParamTag).sort((a, b) => a - b);
  assert.deepEqual(tags, [...Array.from({ length: 0x19 }, (_, i) => i + 1), 0x29]);
  assert.equal(MapParamTag.MseTime, 0x19);
  assert.equal(MessageTypeFilterBit.Email, 0x04);
  assert.equal(SupportedMessageTypeBit.Email, 0x01);
  assert.equal(SupportedMessageTypeBit.SmsGsm, 0x02);
  assert.equal(messageFolderPath('inbox'), 'telecom/msg/inbox');
});
