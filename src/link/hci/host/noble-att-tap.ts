/**
 * Listens to one noble connection's ATT traffic and link encryption, which
 * noble 2.8 does not report: its GATT layer drops the code of an ATT Error
 * Response (a failed write or subscribe just never completes; a failed read
 * completes with no data), and it pairs by itself, silently, when a request
 * meets Insufficient Authentication/Authorization/Encryption.
 *
 * The tap reaches noble's private per-connection ACL stream once, checks its
 * shape, and listens only: it never sends. Its data listener is put first so
 * an error is known before noble's GATT layer acts on the same PDU. When the
 * stream is not where noble 2.8 keeps it, `attachAttTap` returns undefined
 * and the client does without error codes and encryption state.
 */
import { EventEmitter } from 'node:events';

/** ATT Error Response opcode. */
export const ATT_ERROR_RSP = 0x01;
/** The fixed L2CAP channel of ATT. */
export const ATT_CID = 0x0004;

export interface AttTapHandlers {
  /** An ATT Error Response arrived, before noble handles it. */
  errorResponse(requestOpcode: number, handle: number, attCode: number): void;
  /** The link's encryption changed (HCI Encryption Change). */
  encryptionChanged(encrypted: boolean): void;
  /** noble's own pairing attempt failed (SMP Pairing Failed or a bad confirm). */
  pairingFailed(): void;
}

export interface AttTap {
  detach(): void;
}

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

/** The ACL stream noble keeps for a connected peripheral id, when it is where noble 2.8 keeps it. */
export function nobleAclStream(noble: unknown, peripheralId: string): EventEmitter | undefined {
  const bindings = field(noble, '_bindings');
  const handle = field(field(bindings, '_handles'), peripheralId);
  if (typeof handle !== 'number' && typeof handle !== 'string') return undefined;
  const stream = field(field(bindings, '_aclStreams'), String(handle));
  return stream instanceof EventEmitter ? stream : undefined;
}

/** Parses an ATT Error Response PDU: [0x01, request opcode, handle (LE16), error code]. */
export function parseErrorResponse(pdu: Uint8Array): { requestOpcode: number; handle: number; attCode: number } | undefined {
  if (pdu.length < 5 || pdu[0] !== ATT_ERROR_RSP) return undefined;
  return { requestOpcode: pdu[1] ?? 0, handle: (pdu[2] ?? 0) | ((pdu[3] ?? 0) << 8), attCode: pdu[4] ?? 0 };
}

/** Starts listening on a connection; undefined when noble's internals are not as expected. */
export function attachAttTap(noble: unknown, peripheralId: string, handlers: AttTapHandlers): AttTap | undefined {
  const stream = nobleAclStream(noble, peripheralId);
  if (!stream) return undefined;
  const onData = (cid: unknown, data: unknown): void => {
    if (cid !== ATT_CID || !(data instanceof Uint8Array)) return;
    const error = parseErrorResponse(data);
    if (error) handlers.errorResponse(error.requestOpcode, error.handle, error.attCode);
  };
  const onEncrypt = (encrypt: unknown): void => handlers.encryptionChanged(Boolean(encrypt));
  const onEncryptFail = (): void => handlers.pairingFailed();
  stream.prependListener('data', onData);
  stream.on('encrypt', onEncrypt);
  stream.on('encryptFail', onEncryptFail);
  return {
    detach() {
      stream.removeListener('data', onData);
      stream.removeListener('encrypt', onEncrypt);
      stream.removeListener('encryptFail', onEncryptFail);
    },
  };
}
