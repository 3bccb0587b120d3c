/**
 * The PC's GATT client on one in-memory connection. ATT allows one
 * outstanding request per direction, so requests wait in a bounded queue and
 * go out one at a time, each when the previous response arrived; Write
 * Commands go straight to the transmit queue. Long reads continue with Read
 * Blob requests. Every pending call rejects with DisconnectedError when the
 * link goes down.
 */
import { DiscoveredCharacteristic, GattClient, GattClientEvents, Uuid, normalizeUuid } from '../ble';
import { DisconnectReason } from '../att-codes';
import { AttError, DisconnectedError, LinkError, QueueFullError } from '../errors';
import { negotiatedMtu } from '../link-model';
import { Emitter } from '../../util/emitter';
import { MAX_ATTRIBUTE_LENGTH } from './gatt-server-session';
import type { MemoryLink } from './memory-link';
import { AttPdu, RequestPdu, ResponsePdu, isResponsePdu } from './pdu';

interface Outstanding {
  /** Builds the request when its turn comes (checks that need the MTU then in force), or fails it. */
  build(): RequestPdu | LinkError;
  /** Runs synchronously when the response arrives. */
  settle(response: ResponsePdu): void;
  fail(error: LinkError): void;
}

interface PendingCommand {
  resolve(): void;
  reject(error: LinkError): void;
}

type ResponseOf<K extends ResponsePdu['op']> = Extract<ResponsePdu, { op: K }>;

function expectResponse<K extends ResponsePdu['op']>(response: ResponsePdu, op: K): ResponseOf<K> {
  if (response.op !== op) throw new LinkError('link.protocol', `expected ${op}, got ${response.op}`);
  return response as ResponseOf<K>;
}

export class MemoryGattClient implements GattClient {
  readonly events = new Emitter<GattClientEvents>();
  private inFlight: Outstanding | undefined;
  private readonly waiting: Outstanding[] = [];
  private readonly commands = new Set<PendingCommand>();
  private readonly listeners = new Map<string, (value: Uint8Array) => void>();
  private mtuExchange: Promise<number> | undefined;

  constructor(private readonly link: MemoryLink) {
    this.events.onListenerError = (error) => this.report(error);
  }

  get mtu(): number {
    return this.link.clientMtu;
  }

  /**
   * Exchange MTU, offering min(clientRxMtu, the central's maxMtu). ATT
   * allows one exchange per connection, so later calls return the first
   * call's result without sending anything.
   */
  exchangeMtu(clientRxMtu: number): Promise<number> {
    if (!Number.isInteger(clientRxMtu)) {
      return Promise.reject(new LinkError('link.bad-argument', `MTU ${clientRxMtu} is not an integer`));
    }
    if (this.mtuExchange) return this.mtuExchange;
    const offer = Math.min(clientRxMtu, this.link.central.maxMtu);
    this.mtuExchange = this.request(
      () => ({ op: 'mtuReq', clientRxMtu: offer }),
      (response) => {
        const mtu = negotiatedMtu(offer, expectResponse(response, 'mtuRsp').serverRxMtu);
        this.link.clientMtu = mtu;
        return mtu;
      },
    );
    return this.mtuExchange;
  }

  discoverServices(): Promise<Uuid[]> {
    return this.request(
      () => ({ op: 'servicesReq' }),
      (response) => [...expectResponse(response, 'servicesRsp').services],
    );
  }

  discoverCharacteristics(service: Uuid): Promise<DiscoveredCharacteristic[]> {
    const uuid = toUuid(service);
    if (uuid instanceof LinkError) return Promise.reject(uuid);
    return this.request(
      () => ({ op: 'characteristicsReq', service: uuid }),
      (response) =>
        expectResponse(response, 'characteristicsRsp').characteristics.map((c) => ({
          uuid: c.uuid,
          properties: [...c.properties],
        })),
    );
  }

  async read(service: Uuid, characteristic: Uuid): Promise<Uint8Array> {
    const ids = toUuids(service, characteristic);
    if (ids instanceof LinkError) throw ids;
    const chunk = (response: ResponsePdu): Uint8Array => expectResponse(response, 'readRsp').value;
    const chunks = [await this.request(() => ({ op: 'readReq', ...ids }), chunk)];
    let total = chunks[0]?.length ?? 0;
    let last = total;
    // A full chunk means there may be more: continue with Read Blob from the next offset.
    while (last === this.mtu - 1 && total < MAX_ATTRIBUTE_LENGTH) {
      const offset = total;
      const next = await this.request(() => ({ op: 'readBlobReq', ...ids, offset }), chunk);
      chunks.push(next);
      total += next.length;
      last = next.length;
    }
    const value = new Uint8Array(total);
    let at = 0;
    for (const part of chunks) {
      value.set(part, at);
      at += part.length;
    }
    return value;
  }

  write(service: Uuid, characteristic: Uuid, value: Uint8Array, withResponse = true): Promise<void> {
    const ids = toUuids(service, characteristic);
    if (ids instanceof LinkError) return Promise.reject(ids);
    const copy = value.slice();
    if (withResponse) {
      return this.request(
        () => this.checkLength(copy) ?? { op: 'writeReq', ...ids, value: copy },
        (response) => {
          expectResponse(response, 'writeRsp');
        },
      );
    }
    if (!this.link.isOpen) return Promise.reject(this.disconnected());
    const tooLong = this.checkLength(copy);
    if (tooLong) return Promise.reject(tooLong);
    return new Promise<void>((resolve, reject) => {
      const pending: PendingCommand = { resolve, reject };
      this.commands.add(pending);
      try {
        this.link.send(
          'toPeripheral',
          { op: 'writeCmd', ...ids, value: copy },
          {
            onDelivered: () => {
              this.commands.delete(pending);
              resolve();
            },
          },
        );
      } catch (error) {
        this.commands.delete(pending);
        reject(error);
      }
    });
  }

  subscribe(service: Uuid, characteristic: Uuid, listener: (value: Uint8Array) => void): Promise<void> {
    const ids = toUuids(service, characteristic);
    if (ids instanceof LinkError) return Promise.reject(ids);
    const key = `${ids.service}|${ids.characteristic}`;
    // Listen from the moment the CCCD write is sent: values may follow its response closely.
    if (this.link.isOpen) this.listeners.set(key, listener);
    return this.request(
      () => ({ op: 'cccdWriteReq', ...ids, enabled: true }),
      (response) => {
        expectResponse(response, 'writeRsp');
      },
    ).catch((error: unknown) => {
      if (this.listeners.get(key) === listener) this.listeners.delete(key);
      throw error;
    });
  }

  unsubscribe(service: Uuid, characteristic: Uuid): Promise<void> {
    const ids = toUuids(service, characteristic);
    if (ids instanceof LinkError) return Promise.reject(ids);
    this.listeners.delete(`${ids.service}|${ids.characteristic}`);
    return this.request(
      () => ({ op: 'cccdWriteReq', ...ids, enabled: false }),
      (response) => {
        expectResponse(response, 'writeRsp');
      },
    );
  }

  /** An ATT PDU from the server arrived. */
  receive(pdu: AttPdu): void {
    if (isResponsePdu(pdu)) {
      const outstanding = this.inFlight;
      if (!outstanding) return;
      this.inFlight = undefined;
      outstanding.settle(pdu);
      this.pump();
      return;
    }
    if (pdu.op === 'notification') {
      const listener = this.listeners.get(`${pdu.service}|${pdu.characteristic}`);
      if (!listener) {
        this.link.air.stats.unhandledNotifications++;
        return;
      }
      try {
        listener(pdu.value);
      } catch (error) {
        this.report(error, pdu.characteristic);
      }
      return;
    }
    if (pdu.op === 'serviceChangedInd') {
      this.link.send('toPeripheral', { op: 'confirmation' }, { exempt: true });
      this.events.emit('servicesChanged');
    }
  }

  /** The link went down: every pending call rejects. */
  end(reason: number): void {
    const outstanding = this.inFlight;
    this.inFlight = undefined;
    const waiting = this.waiting.splice(0);
    const commands = [...this.commands];
    this.commands.clear();
    this.listeners.clear();
    outstanding?.fail(new DisconnectedError(reason));
    for (const w of waiting) w.fail(new DisconnectedError(reason));
    for (const c of commands) c.reject(new DisconnectedError(reason));
  }

  /** Queues a request; `onResponse` runs synchronously on arrival and its result resolves the call. */
  private request<T>(build: () => RequestPdu | LinkError, onResponse: (response: ResponsePdu) => T): Promise<T> {
    if (!this.link.isOpen) return Promise.reject(this.disconnected());
    const limit = this.link.model.txQueueLimit;
    if (this.waiting.length >= limit) return Promise.reject(new QueueFullError('ATT request', limit));
    return new Promise<T>((resolve, reject) => {
      this.waiting.push({
        build,
        settle: (response) => {
          if (response.op === 'errorRsp') {
            reject(new AttError(response.attCode));
            return;
          }
          try {
            resolve(onResponse(response));
          } catch (error) {
            reject(error);
          }
        },
        fail: reject,
      });
      this.pump();
    });
  }

  /** Sends the next waiting request when none is outstanding. */
  private pump(): void {
    while (!this.inFlight && this.link.isOpen) {
      const next = this.waiting.shift();
      if (!next) return;
      const built = next.build();
      if (built instanceof LinkError) {
        next.fail(built);
        continue;
      }
      this.inFlight = next;
      this.link.send('toPeripheral', built, { exempt: true });
    }
  }

  private checkLength(value: Uint8Array): LinkError | undefined {
    const max = this.mtu - 3;
    if (value.length <= max) return undefined;
    return new LinkError('link.value-too-long', `write of ${value.length} bytes exceeds MTU-3 = ${max}`);
  }

  private disconnected(): DisconnectedError {
    return new DisconnectedError(this.link.reason ?? DisconnectReason.ConnectionTimeout);
  }

  private report(error: unknown, characteristic?: Uuid): void {
    this.link.air.reportHandlerError({ connectionId: this.link.id, side: 'central', characteristic, error });
  }
}

function toUuid(uuid: string): Uuid | LinkError {
  try {
    return normalizeUuid(uuid);
  } catch {
    return new LinkError('link.bad-argument', `not a UUID: ${uuid}`);
  }
}

function toUuids(service: string, characteristic: string): { service: Uuid; characteristic: Uuid } | LinkError {
  const s = toUuid(service);
  if (s instanceof LinkError) return s;
  const c = toUuid(characteristic);
  if (c instanceof LinkError) return c;
  return { service: s, characteristic: c };
}
