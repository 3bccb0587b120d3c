/**
 * Turns an OBEX packet a user pastes (hex) into JSON with names beside the
 * numbers: opcode or response code, Connect/SetPath fields, every header,
 * and application parameters as TLVs. Decoding is the OBEX codec's own.
 */
import {
  BaseOpcode,
  HeaderId,
  ObexHeader,
  Opcode,
  decodeAppParams,
  decodeRequest,
  decodeResponse,
  responseCodeName,
} from '../protocol/obex';

function nameIn(table: Record<string, number>, value: number): string | undefined {
  for (const [name, v] of Object.entries(table)) if (v === value) return name;
  return undefined;
}

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

function printable(bytes: Uint8Array): string | undefined {
  const text = Buffer.from(bytes).toString('utf8').replace(/\0+$/, '');
  return /^[\x20-\x7e\r\n\t]*$/.test(text) ? text : undefined;
}

function describeHeader(header: ObexHeader): Record<string, unknown> {
  const name = nameIn(HeaderId, header.id) ?? `Header(0x${header.id.toString(16).padStart(2, '0')})`;
  switch (header.kind) {
    case 'unicode':
      return { header: name, id: header.id, text: header.value };
    case 'u8':
    case 'u32':
      return { header: name, id: header.id, value: header.value };
    case 'bytes': {
      const out: Record<string, unknown> = { header: name, id: header.id, length: header.value.length, hex: hex(header.value) };
      if (header.id === HeaderId.AppParameters) {
        try {
          out.appParameters = decodeAppParams(header.value).map((p) => ({ tag: p.tag, length: p.value.length, hex: hex(p.value) }));
        } catch (err) {
          out.appParametersError = err instanceof Error ? err.message : String(err);
        }
      } else {
        const text = printable(header.value);
        if (text !== undefined && text.length > 0) out.text = text;
      }
      return out;
    }
  }
}

/** Decodes `bytes` as an OBEX request, or as a response when `as` says so (or when it is not a request). */
export function describeObex(bytes: Uint8Array, as: 'auto' | 'request' | 'response' | 'connect-response' = 'auto'): Record<string, unknown> {
  const first = bytes[0] ?? 0;
  // Request opcodes are 0x00-0x0F (plus the final bit) and Abort 0xFF; response codes start at 0x10.
  const looksLikeRequest = first === Opcode.Abort || (first & 0x7f) < 0x10;
  if (as === 'request' || (as === 'auto' && looksLikeRequest)) {
    const request = decodeRequest(bytes);
    return {
      type: 'request',
      operation: request.opcode === Opcode.Abort ? 'Abort' : (nameIn(BaseOpcode, request.opcode & 0x7f) ?? `Opcode(0x${request.opcode.toString(16)})`),
      final: (request.opcode & 0x80) !== 0,
      opcode: request.opcode,
      ...(request.connect ? { connect: request.connect } : {}),
      ...(request.setPath ? { setPath: request.setPath } : {}),
      headers: request.headers.map(describeHeader),
    };
  }
  const response = decodeResponse(bytes, { connectResponse: as === 'connect-response' });
  return {
    type: 'response',
    response: responseCodeName(response.code),
    code: response.code,
    ...(response.connect ? { connect: response.connect } : {}),
    headers: response.headers.map(describeHeader),
  };
}
