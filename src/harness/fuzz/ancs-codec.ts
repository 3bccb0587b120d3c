/**
 * Codec-level ANCS properties for the fuzz campaign: the Data Source
 * reassembler agrees with a one-shot decode however the replies are cut,
 * and arbitrary or mutated bytes make every decoder either return a value
 * or throw a ProtocolError — nothing else, and promptly.
 */
import fc from 'fast-check';
import {
  DataSourceReassembler,
  DataSourceReply,
  decodeControlPoint,
  decodeDataSourceReply,
  decodeNotificationSource,
  encodeControlPoint,
  encodeDataSourceReply,
  encodeNotificationSource,
} from '../../protocol/ancs';
import { ProtocolError } from '../../protocol/errors';
import {
  controlPointCommandArb,
  dataSourceReplyArb,
  expectationOf,
  fragmentSizesArb,
  mutatedBytesArb,
  notificationSourceEventArb,
  splitBytes,
} from './ancs-arbitraries';

/** Anything with the reassembler's shape, so a campaign can be pointed at a deliberately broken one. */
export interface ReassemblerLike {
  expect(expected: ReturnType<typeof expectationOf>): void;
  push(fragment: Uint8Array): DataSourceReply[];
  readonly busy: boolean;
}

export type ReassemblerFactory = () => ReassemblerLike;

const defaultFactory: ReassemblerFactory = () => new DataSourceReassembler();

export class ReassemblyMismatch extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReassemblyMismatch';
  }
}

/** Replies back to back, cut into fragments: the reassembler must give back exactly the replies. */
export function checkReassembly(replies: readonly DataSourceReply[], sizes: readonly number[], factory: ReassemblerFactory = defaultFactory): void {
  const r = factory();
  const wire = Buffer.concat(replies.map((x) => Buffer.from(encodeDataSourceReply(x))));
  for (const reply of replies) r.expect(expectationOf(reply));
  const out: DataSourceReply[] = [];
  for (const fragment of splitBytes(Uint8Array.from(wire), sizes)) out.push(...r.push(fragment));
  const oneShot = replies.map((x) => decodeDataSourceReply(encodeDataSourceReply(x), expectationOf(x)));
  const norm = (list: readonly DataSourceReply[]) => JSON.stringify(list, (_k, v: unknown) => (v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v));
  if (norm(out) !== norm(oneShot)) throw new ReassemblyMismatch(`reassembled ${norm(out)}\n   one-shot ${norm(oneShot)}`);
  if (r.busy) throw new ReassemblyMismatch('the reassembler still expects data after every reply arrived');
}

export const reassemblyProperty = (factory: ReassemblerFactory = defaultFactory) => (tick: () => void) =>
  fc.property(fc.array(dataSourceReplyArb, { minLength: 1, maxLength: 4 }), fragmentSizesArb, (replies, sizes) => {
    tick();
    checkReassembly(replies, sizes, factory);
  });

/** Runs `decode`, accepting a value or a ProtocolError; anything else fails the property. */
function tolerant(decode: () => unknown): void {
  try {
    decode();
  } catch (err) {
    if (!(err instanceof ProtocolError)) throw err;
  }
}

const anyBytes = fc.uint8Array({ maxLength: 300 });

export const decoderRobustnessProperty = () => (tick: () => void) =>
  fc.property(
    fc.oneof(
      anyBytes,
      mutatedBytesArb(notificationSourceEventArb.map(encodeNotificationSource)),
      mutatedBytesArb(controlPointCommandArb.map(encodeControlPoint)),
      mutatedBytesArb(dataSourceReplyArb.map(encodeDataSourceReply)),
    ),
    fc.integer({ min: 0, max: 12 }),
    fragmentSizesArb,
    (bytes, attributeCount, sizes) => {
      tick();
      tolerant(() => decodeNotificationSource(bytes));
      tolerant(() => decodeControlPoint(bytes));
      for (const commandId of [0, 1] as const) {
        tolerant(() => decodeDataSourceReply(bytes, { commandId, attributeCount }));
        const r = new DataSourceReassembler({ maxReplyBytes: 4096 });
        tolerant(() => {
          r.expect({ commandId, attributeCount });
          for (const fragment of splitBytes(bytes, sizes)) r.push(fragment);
        });
      }
    },
  );
