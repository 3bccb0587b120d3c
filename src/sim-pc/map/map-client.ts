/**
 * The PC's MAP client (MCE): finds the phone's Message Access Server over
 * SDP, connects the ACL (pairing if it is not encrypted yet), opens the
 * MAS channel and runs an OBEX session with the MAS Target on it; then runs
 * the MAP functions (map-operations.ts) one at a time, in order, from a
 * bounded queue.
 *
 * Time limits: each connection step and operation fails after `timeoutMs`
 * with nothing received from the phone (every chunk restarts that clock).
 * A timeout closes the session: the phone may still be mid-answer.
 *
 * Failures: Forbidden is MapPermissionRequiredError (iOS: "Show Message
 * Notifications" is off), a refused channel is MapInUseError (the phone
 * serves one MAP session and another computer has it), another OBEX error
 * code is MapRefusedError with the code, a link drop rejects the running
 * and every queued operation with DisconnectedError, an unusable answer is
 * MapProtocolError and leaves the session usable when OBEX could resync.
 * connect() works again after a close. Closing ends the MAS channel only;
 * the ACL stays up for the other profiles. The connection, queue and
 * watchdog live in the shared ObexProfileClient; this file gives it MAP's
 * record, Target, Connect parameters and errors.
 */
import { encodeMapParams } from '../../protocol/map/app-params';
import { MAS_TARGET } from '../../protocol/map/constants';
import type { BMessage } from '../../protocol/map/types';
import { Emitter } from '../../util/emitter';
import { coreOptions, ObexProfileClient } from '../obex-profile-client';
import { MapAbortedError, MapInUseError, MapLimitError, MapPermissionRequiredError, MapProtocolError, MapRefusedError, MasNotFoundError } from './errors';
import { DEFAULT_MCE_FEATURES, findMas, type MasInfo } from './mas-record';
import { MapOperations } from './map-operations';
import type { ListMessagesOptions, MapClientEvents, MapClientOptions, MessageFetch, MessagesListingPage, PushResult } from './map-types';
import { MAP_CLIENT_TIMEOUT_MS, MAP_MAX_QUEUED_OPERATIONS } from '../../limits';

export const DEFAULT_MAP_TIMEOUT_MS = MAP_CLIENT_TIMEOUT_MS;
export const DEFAULT_MAX_QUEUED_MAP_OPERATIONS = MAP_MAX_QUEUED_OPERATIONS;

export class MapClient extends ObexProfileClient<MasInfo> {
  readonly events = new Emitter<MapClientEvents>();
  private readonly operations: MapOperations;

  constructor(options: MapClientOptions) {
    const features = options.supportedFeatures ?? DEFAULT_MCE_FEATURES;
    super(coreOptions(options, DEFAULT_MAP_TIMEOUT_MS, DEFAULT_MAX_QUEUED_MAP_OPERATIONS), {
      name: 'MAP',
      target: MAS_TARGET,
      findService: findMas,
      serviceNotFound: (address) => new MasNotFoundError(address),
      // MAP/MCE/MFB/BV-06: our features go in Connect only when the MSE publishes its own.
      connectAppParams: (mas) => (mas.featuresPublished ? encodeMapParams({ mapSupportedFeatures: features }) : undefined),
      channelError: (err, channel) =>
        err.code === 'link.channel-refused' || err.code === 'link.channel-busy' ? new MapInUseError(channel) : undefined,
      permissionRequired: (what) => new MapPermissionRequiredError(what),
      refused: (what, code) => new MapRefusedError(what, code),
      aborted: (what) => new MapAbortedError(what),
      protocolError: (what, message, code) => new MapProtocolError(what, message, code),
      queueFull: (limit) => new MapLimitError('queued MAP operations', limit),
    });
    this.operations = new MapOperations(options, (what, body) => this.run(what, body));
  }

  /** What the MAS record says, once connect() has read it. */
  get mas(): MasInfo | undefined {
    return this.serviceRecord;
  }

  /** The folder the session is in (`/telecom/msg/inbox`), undefined when a failed SetPath left it unknown. */
  get folder(): string | undefined {
    return this.operations.folder;
  }

  /** SetNotificationRegistration: on, the phone connects to our MNS and reports events. */
  setNotificationRegistration(on: boolean): Promise<void> {
    return this.operations.setNotificationRegistration(on);
  }

  /** GetMessagesListing of a folder (`telecom/msg/inbox`), one page. */
  listMessages(folder: string, options: ListMessagesOptions = {}): Promise<MessagesListingPage> {
    return this.operations.listMessages(folder, options);
  }

  /** GetMessage (Attachment off, UTF-8) of a handle in `folder`, decoded. */
  getMessage(handle: string, folder: string): Promise<MessageFetch> {
    return this.operations.getMessage(handle, folder);
  }

  /** SetMessageStatus: StatusIndicator (0 read, 1 deleted) to StatusValue. */
  setMessageStatus(handle: string, indicator: number, value: number): Promise<void> {
    return this.operations.setMessageStatus(handle, indicator, value);
  }

  /** PushMessage into a folder (`telecom/msg/outbox`), UTF-8, not transparent, with retry. */
  pushMessage(folder: string, message: BMessage): Promise<PushResult> {
    return this.operations.pushMessage(folder, message);
  }

  /** UpdateInbox: asks the phone to check for new messages. */
  updateInbox(): Promise<void> {
    return this.operations.updateInbox();
  }

  /** SetFolder from the root (`telecom/msg`). */
  setFolder(path: string): Promise<void> {
    return this.operations.setFolder(path);
  }

  protected onConnected(mas: MasInfo): void {
    this.operations.reset();
    this.events.emit('connected', mas);
  }

  protected onClosed(reason: Error | undefined): void {
    this.events.emit('close', reason);
  }
}
