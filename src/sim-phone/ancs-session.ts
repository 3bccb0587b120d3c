/**
 * NotificationUIDs for one ANCS session (one Notification Source
 * subscription of one peer). With per-session UIDs the phone numbers the
 * notifications it announces afresh in every session, from a base no earlier
 * session used, so a UID kept from an old session never names anything.
 * Without them, the UID is simply the store id. Either way a UID names a
 * notification only once this session announced it, until it is removed.
 */

/** Hands out session bases; one allocator per provider keeps UIDs unique across peers and sessions. */
export class UidAllocator {
  /** Bases are multiples of this, so a session's UIDs are easy to tell apart in a capture. */
  static readonly STRIDE = 0x100;
  private next = 0;

  /** A base above every UID handed out so far. */
  newBase(): number {
    const base = (Math.floor(this.next / UidAllocator.STRIDE) + 1) * UidAllocator.STRIDE;
    this.next = base;
    return base;
  }

  /** The next UID for a session (UIDs are uint32; wrapping takes 4 billion notifications). */
  take(): number {
    const uid = this.next >>> 0;
    this.next = (this.next + 1) % 0x1_0000_0000;
    return uid;
  }
}

export class AncsSession {
  private readonly uidByStoreId = new Map<number, number>();
  private readonly storeIdByUid = new Map<number, number>();
  /** First UID of this session (for reports); undefined when UIDs are store ids. */
  readonly base: number | undefined;

  constructor(
    /** 1 for the peer's first subscription, and so on. */
    readonly number: number,
    private readonly allocator: UidAllocator | undefined,
  ) {
    this.base = allocator?.newBase();
  }

  /** The UID for a store id, assigning one if this session has not announced it yet. */
  assign(storeId: number): number {
    const known = this.uidByStoreId.get(storeId);
    if (known !== undefined) return known;
    const uid = this.allocator ? this.allocator.take() : storeId;
    this.uidByStoreId.set(storeId, uid);
    this.storeIdByUid.set(uid, storeId);
    return uid;
  }

  /** The UID this session gave a store id, if it announced it. */
  uidOf(storeId: number): number | undefined {
    return this.uidByStoreId.get(storeId);
  }

  /** The store id a peer's UID names in this session, if any. */
  storeIdOf(uid: number): number | undefined {
    return this.storeIdByUid.get(uid);
  }

  /** UIDs this session has announced and not yet forgotten. */
  get size(): number {
    return this.uidByStoreId.size;
  }

  /** The notification is gone; its UID names nothing from now on. */
  forget(storeId: number): void {
    const uid = this.uidByStoreId.get(storeId);
    if (uid === undefined) return;
    this.uidByStoreId.delete(storeId);
    this.storeIdByUid.delete(uid);
  }
}
