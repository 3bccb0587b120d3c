/**
 * The PC's PBAP client (PCE): finds the phone's PSE over SDP, connects the
 * ACL (pairing if it is not encrypted yet), opens the PSE's channel and
 * runs an OBEX session with the PBAP Target on it; then pulls phone books
 * (cards parsed as they stream in), their sizes, vCard listings and single
 * entries, and moves between folders. Operations run one at a time, in
 * order, from a bounded queue.
 *
 * Time limits: each operation and connection step fails after `timeoutMs`
 * with nothing received from the phone; every chunk that arrives restarts
 * that clock, so there is no cap on a whole transfer. A timeout closes the
 * session (the phone may still be mid-answer).
 *
 * Failures: Forbidden is PermissionRequiredError (the user must enable Sync
 * Contacts), a refused channel is ChannelRefusedError (Class of Device), a
 * link drop rejects the running and every queued operation with
 * DisconnectedError. A malformed answer fails the operation with
 * PbapProtocolError and leaves the client usable when OBEX could resync
 * (Abort answered), closed otherwise. connect() works again after a close.
 * Closing ends the PBAP channel only; the ACL stays up for other profiles.
 * The connection, queue and watchdog live in the shared ObexProfileClient;
 * this file gives it PBAP's record, Target, Connect parameters and errors.
 */
import { isHandsFreeClass } from '../../link/classic';
import type { ObexClientSession } from '../../protocol/obex/client-session';
import { encodePbapParams, type PbapParams } from '../../protocol/pbap/app-params';
import { PBAP_DEFAULT_FEATURES, PBAP_TARGET } from '../../protocol/pbap/constants';
import { Emitter } from '../../util/emitter';
import { coreOptions, ObexProfileClient } from '../obex-profile-client';
import { ChannelRefusedError, PbapAbortedError, PbapLimitError, PbapRefusedError, PbapProtocolError, PermissionRequiredError, PseNotFoundError } from './errors';
import { findPse, type PseInfo } from './pse-record';
import { PbapOperations } from './pbap-operations';
import type {
  EntryPull,
  ListingPull,
  PbapClientEvents,
  PbapClientOptions,
  PhonebookPull,
  PullEntryOptions,
  PullListingOptions,
  PullPhonebookOptions,
} from './pbap-types';
import { PBAP_CLIENT_TIMEOUT_MS, PBAP_MAX_QUEUED_OPERATIONS } from '../../limits';

export const DEFAULT_PBAP_TIMEOUT_MS = PBAP_CLIENT_TIMEOUT_MS;
export const DEFAULT_MAX_QUEUED_OPERATIONS = PBAP_MAX_QUEUED_OPERATIONS;

/** What an operation runs against: the open session. */
export interface PbapLink {
  session: ObexClientSession;
}

export class PbapClient extends ObexProfileClient<PseInfo> {
  readonly events = new Emitter<PbapClientEvents>();
  private readonly operations: PbapOperations;

  constructor(options: PbapClientOptions) {
    const features = options.supportedFeatures ?? PBAP_DEFAULT_FEATURES;
    super(coreOptions(options, DEFAULT_PBAP_TIMEOUT_MS, DEFAULT_MAX_QUEUED_OPERATIONS), {
      name: 'PBAP',
      target: PBAP_TARGET,
      findService: findPse,
      serviceNotFound: (address) => new PseNotFoundError(address),
      // PBAP/PCE/SSM/BV-09 and BV-10: our features go in Connect only when the PSE publishes its own.
      connectAppParams: (pse) => (pse.featuresPublished ? encodePbapParams({ supportedFeatures: features }) : undefined),
      channelError: (err, channel) => {
        if (err.code !== 'link.channel-refused') return undefined;
        const cod = options.client.classOfDevice;
        return new ChannelRefusedError(channel, cod, isHandsFreeClass(cod));
      },
      permissionRequired: (what) => new PermissionRequiredError(what),
      refused: (what, code) => new PbapRefusedError(what, code),
      aborted: (what) => new PbapAbortedError(what),
      protocolError: (what, message, code) => new PbapProtocolError(what, message, code),
      queueFull: (limit) => new PbapLimitError('queued PBAP operations', limit),
    });
    this.operations = new PbapOperations(options, this.events, (what, body) =>
      this.run(what, (session) => body({ session })).catch((err: unknown) => {
        this.events.emit('failed', err instanceof Error ? err : new Error(String(err)));
        throw err;
      }),
    );
  }

  /** What the PSE's SDP record says, once connect() has read it. */
  get pse(): PseInfo | undefined {
    return this.serviceRecord;
  }

  /** The folder the session is in (`/telecom/pb`), undefined when a failed SetPath left it unknown. */
  get folder(): string | undefined {
    return this.operations.folder;
  }

  pullPhonebook(name: string, options: PullPhonebookOptions = {}): Promise<PhonebookPull> {
    return this.operations.pullPhonebook(name, options);
  }

  /** The number of entries in a phone book (PullPhoneBook with MaxListCount 0). */
  phonebookSize(name: string): Promise<number> {
    return this.operations.phonebookSize(name);
  }

  /** The size and the response's other parameters (NewMissedCalls, folder versions, database id). */
  phonebookInfo(name: string): Promise<PbapParams> {
    return this.operations.phonebookInfo(name);
  }

  pullListing(folder: string, options: PullListingOptions = {}): Promise<ListingPull> {
    return this.operations.pullListing(folder, options);
  }

  pullEntry(folder: string, handle: string, options: PullEntryOptions = {}): Promise<EntryPull> {
    return this.operations.pullEntry(folder, handle, options);
  }

  /** SetPhoneBook: `/telecom/pb` from the root, `pb` or `..` from the current folder. */
  setPath(path: string): Promise<void> {
    return this.operations.setPath(path);
  }

  protected onConnected(pse: PseInfo): void {
    this.operations.reset();
    this.events.emit('connected', pse);
  }

  protected onClosed(reason: Error | undefined): void {
    this.events.emit('close', reason);
  }
}
