/**
 * The sessions a phone-side OBEX server keeps, one per RFCOMM channel it
 * accepted. It feeds each channel's bytes to its session's OBEX side and
 * ends each session exactly once, whether the channel closed, the OBEX
 * stream could not be framed or the server ended it, and it ends them all
 * on stop. The PBAP and MAP servers share it; what a session is, and what
 * ending one means to them, stay theirs.
 */
import type { ByteChannel, ClassicPeer } from '../link/classic';

/** What a kept session must offer: the OBEX side the channel's bytes go to. */
export interface ChannelSession {
  readonly obex: { receive(chunk: Uint8Array): void };
}

/** One open session, as the server sees it. */
export interface OpenSession<S, R> {
  readonly session: S;
  readonly peer: ClassicPeer;
  /** Ends the session (once; later calls do nothing). */
  end(reason: R): void;
}

export interface ChannelSessionsOptions<S, R> {
  /** Closes the session itself; runs first when it ends. */
  closeSession(session: S, reason: R): void;
  /** Told after the session and its channel are closed (the server's event). */
  ended(peer: ClassicPeer, reason: R): void;
}

export class ChannelSessions<S extends ChannelSession, R> {
  private readonly open = new Map<ByteChannel, OpenSession<S, R>>();

  constructor(private readonly options: ChannelSessionsOptions<S, R>) {}

  get size(): number {
    return this.open.size;
  }

  /** The open sessions now (a copy: ending one while walking it is safe). */
  list(): OpenSession<S, R>[] {
    return [...this.open.values()];
  }

  /**
   * Keeps `channel`: `create` builds its session and gets the function that
   * ends it (for the session's own close callback); the channel closing ends
   * it with `closedReason`.
   */
  add(peer: ClassicPeer, channel: ByteChannel, closedReason: R, create: (end: (reason: R) => void) => S): S {
    const offs: (() => void)[] = [];
    let entry: OpenSession<S, R> | undefined;
    let ended = false;
    const end = (reason: R): void => {
      if (ended) return;
      ended = true;
      for (const off of offs.splice(0)) off();
      this.open.delete(channel);
      if (entry) this.options.closeSession(entry.session, reason);
      if (channel.open) void channel.close().catch(() => undefined);
      this.options.ended(peer, reason);
    };
    const session = create(end);
    entry = { session, peer, end };
    if (ended) {
      // Ended while being built: the session never got its close.
      this.options.closeSession(session, closedReason);
      return session;
    }
    offs.push(
      channel.events.on('data', (chunk) => session.obex.receive(chunk)),
      channel.events.on('close', () => end(closedReason)),
    );
    this.open.set(channel, entry);
    return session;
  }

  /** Ends every open session with `reason`. */
  endAll(reason: R): void {
    for (const open of this.list()) open.end(reason);
  }
}
