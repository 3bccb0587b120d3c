/**
 * The hostile PC's OBEX requests for the `hostile-pc` fuzz campaign, at the
 * phone's PBAP server and MAP MAS: what each request is (Connect with a
 * wrong or no Target, a Connection ID that is wrong or missing, SetPath to
 * nowhere, GETs and PUTs with bad names, types and application parameters,
 * unknown opcodes, malformed headers, unframeable lengths, bMessages that
 * are garbage or announce too much), its bytes, and the response code the
 * model expects for it.
 */
import {
  appParamsHeader,
  connectionIdHeader,
  encodeRequest,
  endOfBodyHeader,
  lengthHeader,
  nameHeader,
  ResponseCode,
  targetHeader,
  typeHeader,
  type ObexHeader,
  type ObexRequest,
} from '../../protocol/obex';
import { PBAP_TARGET, PbapObjectType, encodePbapParams } from '../../protocol/pbap';
import { MAS_TARGET, MapCharset, MapMime, encodeMapParams } from '../../protocol/map';
import { DEFAULT_MAX_PUSH_BYTES } from '../../sim-phone/map/map-server';
import { cidValue, mapFolderExists, obexGate, setPathIn, type CidChoice, type HostileModel, type ObexSessionModel } from './hostile-pc-model';

export type ObexService = 'pbap' | 'mas';

export type GetObject =
  | { kind: 'phonebook'; name: string; size: boolean }
  | { kind: 'entry'; name: string | undefined }
  | { kind: 'listing'; name: string }
  | { kind: 'message'; handle: string }
  | { kind: 'type'; type: string | undefined };

export type PutObject = { kind: 'register'; status: number } | { kind: 'push'; body: 'garbage' | 'tooBig' } | { kind: 'type'; type: string | undefined };

export type ObexSpec =
  | { op: 'connect'; target: 'right' | 'wrong' | 'none'; maxPacket: number }
  | { op: 'disconnect'; cid: CidChoice }
  | { op: 'abort' }
  | { op: 'setPath'; cid: CidChoice; up: boolean; name: string | undefined }
  | { op: 'get'; cid: CidChoice; object: GetObject; badParams: boolean; interrupt?: 'abort' | 'malformed'; split?: boolean }
  | { op: 'put'; cid: CidChoice; object: PutObject }
  | { op: 'unknown'; cid: CidChoice; opcode: number }
  | { op: 'malformed' }
  | { op: 'badLength' }
  | { op: 'oversize' };

/** What the model expects: one of `codes` (Continue chains followed to their end), and the model after success. */
export interface ObexExpectation {
  codes: Set<number>;
  /** The phone drops the channel instead of answering. */
  closes?: boolean;
  /** Applies the request's effect to the model when the answer is Success. */
  onSuccess?: (m: HostileModel, session: ObexSessionModel) => void;
}

/** A truncated TLV: its length byte promises more than follows. */
const BAD_TLV = Uint8Array.of(0x04, 0x05, 0x00);
const FILLER = Uint8Array.of(0x30);
const MNS_REGISTRATION = MapMime.notificationRegistration;

function withCid(choice: CidChoice, session: ObexSessionModel, headers: ObexHeader[]): ObexHeader[] {
  const cid = cidValue(choice, session);
  return cid === undefined ? headers : [connectionIdHeader(cid), ...headers];
}

/** What a packet sent in the middle of a streamed GET must get: Abort ends it with Success, a malformed packet with Bad Request. */
export function interruptBytes(kind: 'abort' | 'malformed'): { bytes: Uint8Array; code: number } {
  return kind === 'abort'
    ? { bytes: Uint8Array.of(0xff, 0x00, 0x03), code: ResponseCode.Success }
    : { bytes: Uint8Array.of(0x83, 0x00, 0x06, 0x01, 0x00, 0x09), code: ResponseCode.BadRequest };
}

/**
 * The packets of a request: one, or for a split GET its headers spread over
 * a non-final GET (each answered Continue) and the final one.
 */
export function requestPackets(service: ObexService, spec: ObexSpec, session: ObexSessionModel): Uint8Array[] {
  if (spec.op !== 'get' || spec.split !== true) return [requestBytes(service, spec, session)];
  const headers = withCid(spec.cid, session, getHeaders(service, spec.object, spec.badParams));
  const cut = Math.max(1, headers.length - 1);
  return [encodeRequest({ opcode: 0x03, headers: headers.slice(0, cut) }), encodeRequest({ opcode: 0x83, headers: headers.slice(cut) })];
}

/** The bytes of a request, given the session the PC believes in. */
export function requestBytes(service: ObexService, spec: ObexSpec, session: ObexSessionModel): Uint8Array {
  const request = (opcode: number, headers: ObexHeader[], extra: Partial<ObexRequest> = {}): Uint8Array => encodeRequest({ opcode, headers, ...extra });
  switch (spec.op) {
    case 'connect': {
      const uuid = service === 'pbap' ? Uint8Array.from(PBAP_TARGET) : MAS_TARGET;
      const headers = spec.target === 'right' ? [targetHeader(uuid)] : spec.target === 'wrong' ? [targetHeader(Uint8Array.of(1, 2, 3, 4))] : [];
      return request(0x80, headers, { connect: { version: 0x10, flags: 0, maxPacketLength: spec.maxPacket } });
    }
    case 'disconnect':
      return request(0x81, withCid(spec.cid, session, []));
    case 'abort':
      return request(0xff, []);
    case 'setPath': {
      const headers = spec.name === undefined ? [] : [nameHeader(spec.name)];
      return request(0x85, withCid(spec.cid, session, headers), { setPath: { flags: spec.up ? 0x03 : 0x02, constants: 0 } });
    }
    case 'get':
      return request(0x83, withCid(spec.cid, session, getHeaders(service, spec.object, spec.badParams)));
    case 'put':
      return request(0x82, withCid(spec.cid, session, putHeaders(spec.object)));
    case 'unknown':
      return request(spec.opcode, withCid(spec.cid, session, []));
    case 'malformed':
      // A Name header whose length runs past the end of the packet.
      return Uint8Array.of(0x83, 0x00, 0x06, 0x01, 0x00, 0x09);
    case 'badLength':
      return Uint8Array.of(0x83, 0x00, 0x01);
    case 'oversize':
      return Uint8Array.of(0x83, 0xff, 0xff, 0x01);
  }
}

function getHeaders(service: ObexService, object: GetObject, badParams: boolean): ObexHeader[] {
  const params = (good: Uint8Array | undefined): ObexHeader[] => (badParams ? [appParamsHeader(BAD_TLV)] : good ? [appParamsHeader(good)] : []);
  switch (object.kind) {
    case 'phonebook':
      return [typeHeader(PbapObjectType.Phonebook), nameHeader(object.name), ...params(object.size ? encodePbapParams({ maxListCount: 0 }) : undefined)];
    case 'entry':
      return [typeHeader(PbapObjectType.Vcard), ...(object.name === undefined ? [] : [nameHeader(object.name)]), ...params(undefined)];
    case 'listing':
      return [typeHeader(service === 'pbap' ? PbapObjectType.VcardListing : MapMime.messageListing), nameHeader(object.name), ...params(undefined)];
    case 'message':
      return [typeHeader(MapMime.message), nameHeader(object.handle), ...params(encodeMapParams({ charset: MapCharset.Utf8, attachment: 0 }))];
    case 'type':
      return [...(object.type === undefined ? [] : [typeHeader(object.type)]), nameHeader('x'), ...params(undefined)];
  }
}

function putHeaders(object: PutObject): ObexHeader[] {
  switch (object.kind) {
    case 'register':
      return [typeHeader(MNS_REGISTRATION), appParamsHeader(encodeMapParams({ notificationStatus: object.status })), endOfBodyHeader(FILLER)];
    case 'push': {
      const common = [typeHeader(MapMime.message), nameHeader('outbox'), appParamsHeader(encodeMapParams({ charset: MapCharset.Utf8 }))];
      if (object.body === 'tooBig') return [...common, lengthHeader(DEFAULT_MAX_PUSH_BYTES + 1), endOfBodyHeader(Uint8Array.of(0x42))];
      return [...common, endOfBodyHeader(new TextEncoder().encode('BEGIN:BMSG\r\nVERSION:9\r\nEND:BMSG\r\n'))];
    }
    case 'type':
      return [...(object.type === undefined ? [] : [typeHeader(object.type)]), endOfBodyHeader(FILLER)];
  }
}

const one = (...codes: number[]): Set<number> => new Set(codes);

/** The answer the model expects for `spec` on `service` in the model's state. */
export function expectObex(service: ObexService, spec: ObexSpec, m: HostileModel): ObexExpectation {
  const session = service === 'pbap' ? m.pbap : m.mas;
  const pbapAllowed = !(m.profile.pbap?.requiresSyncContacts ?? false) || m.syncContacts;
  switch (spec.op) {
    case 'malformed':
      return { codes: one(ResponseCode.BadRequest) };
    case 'badLength':
    case 'oversize':
      return { codes: one(), closes: true };
    case 'abort':
      return { codes: one(ResponseCode.Success) };
    case 'connect': {
      if (spec.maxPacket < 255) return { codes: one(ResponseCode.BadRequest) };
      if (spec.target !== 'right') return { codes: one(ResponseCode.NotAcceptable) };
      if (service === 'pbap' && !pbapAllowed) return { codes: one(ResponseCode.Forbidden) };
      if (service === 'mas' && m.profile.map?.requiresShowMessageNotifications === true && !m.messages) return { codes: one(ResponseCode.Forbidden) };
      return {
        codes: one(ResponseCode.Success),
        onSuccess: (_m, s) => {
          s.cid = s.nextCid++;
          s.targeted = true;
          s.path = [];
        },
      };
    }
    default:
      break;
  }
  const gate = obexGate(spec.cid, session, spec.op === 'disconnect');
  if (gate !== undefined) return { codes: one(gate) };
  switch (spec.op) {
    case 'disconnect':
      return {
        codes: one(ResponseCode.Success),
        onSuccess: (model, s) => {
          s.cid = undefined;
          s.targeted = false;
          s.path = [];
          if (service === 'mas') model.registered = false;
        },
      };
    case 'unknown':
      return { codes: one(ResponseCode.NotImplemented) };
    case 'setPath': {
      if (service === 'pbap' && !pbapAllowed) return { codes: one(ResponseCode.Forbidden) };
      const outcome = setPathIn(service === 'pbap' ? 'pbap' : 'map', session.path, spec.up, spec.name);
      return { codes: one(outcome.code), onSuccess: (_m, s) => void (s.path = outcome.path) };
    }
    case 'get':
      return { codes: service === 'pbap' ? expectPbapGet(spec.object, spec.badParams, pbapAllowed, session) : expectMasGet(spec.object, spec.badParams, session) };
    case 'put':
      return service === 'pbap' ? { codes: one(ResponseCode.NotImplemented) } : expectMasPut(spec.object, session);
  }
}

function expectPbapGet(object: GetObject, badParams: boolean, allowed: boolean, session: ObexSessionModel): Set<number> {
  if (!allowed) return one(ResponseCode.Forbidden);
  if (badParams) return one(ResponseCode.BadRequest);
  switch (object.kind) {
    case 'phonebook': {
      if (object.name === '') return one(ResponseCode.BadRequest);
      const known = ['telecom/pb.vcf', 'telecom/ich.vcf', 'telecom/och.vcf', 'telecom/mch.vcf', 'telecom/cch.vcf'].includes(object.name);
      return known ? one(ResponseCode.Success) : one(ResponseCode.NotFound, ResponseCode.BadRequest);
    }
    case 'entry':
      if (object.name === undefined) return one(ResponseCode.BadRequest);
      // The campaign's entry names never name a card ("x", "9999.vcf" in a book this small).
      return one(ResponseCode.NotFound);
    case 'listing': {
      const target = [...session.path, ...object.name.split('/').filter((p) => p !== '')].join('/');
      const books = ['telecom/pb', 'telecom/ich', 'telecom/och', 'telecom/mch', 'telecom/cch'];
      return books.includes(target) ? one(ResponseCode.Success) : one(ResponseCode.NotFound, ResponseCode.BadRequest);
    }
    case 'message':
    case 'type':
      return one(ResponseCode.BadRequest);
  }
}

function expectMasGet(object: GetObject, badParams: boolean, session: ObexSessionModel): Set<number> {
  if (badParams) return one(ResponseCode.BadRequest);
  switch (object.kind) {
    case 'listing': {
      // Any folder lists (one that holds no messages lists empty); a folder that is not there does not.
      const target = [...session.path, ...object.name.split('/').filter((p) => p !== '')].join('/');
      return mapFolderExists(target) ? one(ResponseCode.Success) : one(ResponseCode.NotFound, ResponseCode.BadRequest);
    }
    case 'message':
      return /^[0-9a-fA-F]{1,16}$/.test(object.handle) ? one(ResponseCode.NotFound) : one(ResponseCode.BadRequest);
    default:
      return one(ResponseCode.BadRequest);
  }
}

function expectMasPut(object: PutObject, session: ObexSessionModel): ObexExpectation {
  switch (object.kind) {
    case 'register':
      if (object.status !== 0 && object.status !== 1) return { codes: one(ResponseCode.BadRequest) };
      return { codes: one(ResponseCode.Success), onSuccess: (m) => void (m.registered = object.status === 1) };
    case 'push': {
      const inMsg = session.path.join('/') === 'telecom/msg';
      if (!inMsg) return { codes: one(ResponseCode.BadRequest, ResponseCode.NotFound) };
      return { codes: object.body === 'tooBig' ? one(ResponseCode.RequestEntityTooLarge) : one(ResponseCode.BadRequest) };
    }
    case 'type':
      return { codes: object.type === undefined ? one(ResponseCode.BadRequest) : one(ResponseCode.NotImplemented) };
  }
}
