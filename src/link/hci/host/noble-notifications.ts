/**
 * Delivers one connection's Handle Value Notifications and Indications to
 * the GATT client's subscribers, and spots Service Changed among them.
 *
 * Values are routed by value handle, from the Peripheral's public
 * `handleNotify` event, which noble raises for every notification and
 * indication before it looks anything up. noble's own route (a `data`
 * event on its Characteristic object) breaks whenever services are
 * rediscovered, because noble then replaces those objects. The handle
 * comes from discovery; when it is not known, the route falls back to the
 * object's `data` event.
 *
 * Service Changed (0x2A05) is watched by its value handle the same way;
 * noble confirms the indication itself.
 */
import type { EventEmitter } from 'node:events';
import type { Characteristic } from '@stoprocent/noble';
import { Uuid } from '../../ble';

export interface NotificationRouterHandlers {
  /** The server indicated Service Changed (once per indication). */
  serviceChanged(value: Uint8Array): void;
  /** A subscriber threw. */
  listenerError(error: unknown, characteristic: Uuid): void;
}

/** One subscription's delivery path. */
export interface Route {
  readonly key: string;
  readonly characteristic: Uuid;
  readonly valueHandle: number | undefined;
  readonly target: Characteristic;
  readonly listener: (value: Uint8Array) => void;
  /** Only for routes without a known handle: the listener on noble's object. */
  readonly fallback: ((data: Buffer, isNotification: boolean) => void) | undefined;
}

export class NotificationRouter {
  private readonly routes = new Map<string, Route>();
  private readonly byHandle = new Map<number, Route>();
  private serviceChangedHandle: number | undefined;
  private attached = true;
  private readonly onHandleNotify = (handle: unknown, data: unknown): void => {
    if (!this.attached || typeof handle !== 'number' || !(data instanceof Uint8Array)) return;
    if (handle === this.serviceChangedHandle) {
      this.handlers.serviceChanged(new Uint8Array(data));
      return;
    }
    const route = this.byHandle.get(handle);
    if (route) this.deliver(route, data);
  };

  constructor(
    private readonly peripheral: EventEmitter,
    private readonly handlers: NotificationRouterHandlers,
  ) {
    peripheral.on('handleNotify', this.onHandleNotify);
  }

  /** The value handle of the server's Service Changed characteristic (undefined: stop watching). */
  watchServiceChanged(valueHandle: number | undefined): void {
    this.serviceChangedHandle = valueHandle;
  }

  get watchingServiceChanged(): boolean {
    return this.serviceChangedHandle !== undefined;
  }

  /** Starts delivering `key`'s values to `listener`, replacing any earlier route for the key. */
  add(key: string, characteristic: Uuid, target: Characteristic, valueHandle: number | undefined, listener: (value: Uint8Array) => void): Route {
    this.remove(key);
    const fallback =
      valueHandle === undefined
        ? (data: Buffer, isNotification: boolean): void => {
            if (isNotification && this.attached) this.deliver(route, data);
          }
        : undefined;
    const route: Route = { key, characteristic, valueHandle, target, listener, fallback };
    this.routes.set(key, route);
    if (valueHandle !== undefined) {
      // A handle belongs to one characteristic at a time; an older route on it is stale.
      const previous = this.byHandle.get(valueHandle);
      if (previous) this.remove(previous.key);
      this.byHandle.set(valueHandle, route);
    }
    if (fallback) target.on('data', fallback);
    return route;
  }

  /** Stops the route for `key`; when `route` is given, only if it is still the current one. */
  remove(key: string, route?: Route): void {
    const current = this.routes.get(key);
    if (!current || (route && route !== current)) return;
    this.routes.delete(key);
    if (current.valueHandle !== undefined && this.byHandle.get(current.valueHandle) === current) this.byHandle.delete(current.valueHandle);
    if (current.fallback) current.target.removeListener('data', current.fallback);
  }

  /** Drops every subscriber's route (Service Changed: their handles may be gone). */
  clear(): void {
    for (const key of [...this.routes.keys()]) this.remove(key);
  }

  /** The link ended: stop listening altogether. */
  detach(): void {
    this.clear();
    this.attached = false;
    this.serviceChangedHandle = undefined;
    this.peripheral.removeListener('handleNotify', this.onHandleNotify);
  }

  private deliver(route: Route, data: Uint8Array): void {
    try {
      route.listener(new Uint8Array(data));
    } catch (error) {
      this.handlers.listenerError(error, route.characteristic);
    }
  }
}
