/**
 * Every bound the stack enforces, in one place: queue lengths, attribute and
 * message sizes, phonebook and store sizes, reassembly buffers, XML, vCard and
 * bMessage sizes, and time limits. Modules take their defaults from here (most
 * also accept a per-instance override in their options).
 *
 * Each entry says what it bounds, what happens when the bound is reached (the
 * typed error and its `code`, or the documented drop/evict behaviour), and why
 * the value was chosen. Values are plain numbers; this file has no imports and
 * no behaviour. test/limits.test.ts checks each is positive, finite, used by a
 * src module, and enforced.
 */

// ---------------------------------------------------------------------------
// Link layer (src/link)
// ---------------------------------------------------------------------------

/**
 * PDUs waiting in one direction of one BLE connection (default LinkModel
 * `txQueueLimit`). Past it: `QueueFullError` (`link.queue-full`), nothing queued.
 * Thousands of notifications is far beyond a real burst yet still bounds memory.
 */
export const LINK_TX_QUEUE_LIMIT = 4096;

/**
 * Bytes waiting to be sent on one RFCOMM channel (default ClassicLinkModel
 * `txQueueLimitBytes`). Past it: `QueueFullError` (`link.queue-full`).
 * 1 MiB holds several full OBEX bodies in flight.
 */
export const CLASSIC_TX_QUEUE_LIMIT_BYTES = 1 << 20;

/**
 * RFCOMM control frames (credits, MSC, disconnects) queued per direction of a
 * memory classic pipe. Past it: `QueueFullError` (`link.queue-full`). Control
 * traffic is a handful of frames; 256 only trips on a runaway sender.
 */
export const CLASSIC_MAX_CONTROL_FRAMES = 256;

/**
 * Pending page (classic connect) attempts of one memory classic client. Past it:
 * `QueueFullError` (`link.queue-full`). A PC talks to one phone; 8 leaves room
 * for retries across profiles.
 */
export const CLASSIC_MAX_PENDING_PAGES = 8;

/**
 * Time a classic page may take before failing with `LinkError`. 5.12 s is the
 * Bluetooth default page timeout (0x2000 slots of 0.625 ms).
 */
export const CLASSIC_PAGE_TIMEOUT_MS = 5120;

/**
 * Devices on one memory BLE air and on one memory classic air. Past it:
 * `LinkError` (`link.too-many-devices`). Tests use a few; 64 catches leaks.
 */
export const MEMORY_AIR_MAX_DEVICES = 64;

/**
 * Pending BLE connects of one memory central. Past it: `QueueFullError`
 * (`link.queue-full`). Real controllers allow only a few at once.
 */
export const MEMORY_MAX_PENDING_CONNECTS = 8;

/**
 * Planned faults (timed, per-packet/byte, out-of-range windows) of each kind in a
 * fault plan, BLE and classic. Past it: `QueueFullError` (`link.queue-full`).
 * A soak plans a few at a time; 256 bounds a scripted campaign.
 */
export const MAX_PLANNED_FAULTS = 256;

/**
 * Bytes an `onRead` handler of the memory GATT server may return. Longer: the
 * read is answered with ATT error Unlikely Error (0x0E) and a `RangeError` is
 * reported as a handler error. 512 is the ATT maximum attribute value length
 * (Core spec Vol 3 Part F 3.2.9).
 */
export const GATT_MAX_ATTRIBUTE_LENGTH = 512;

/**
 * Largest ACL payload the H4 splitter accepts from a controller byte stream.
 * Larger: an `HciError` (`hci.bad-length`) item, one byte skipped to resync.
 * 1021 bytes is the payload of a BR/EDR 3-DH5 packet, a common controller ACL
 * buffer size; anything larger is a corrupt header, not a real packet.
 */
export const HCI_MAX_ACL_LENGTH = 1021;

// ---------------------------------------------------------------------------
// Protocol codecs (src/protocol)
// ---------------------------------------------------------------------------

/**
 * Bytes of one reassembled ANCS Get Attributes reply. Past it: `AncsError`
 * (`ancs.reply-too-large`), the reply is dropped and the reassembler resets.
 * A reply carries a handful of attributes, each normally well under 1 KiB;
 * 256 KiB leaves room for several at the protocol's 64 KiB maximum.
 */
export const ANCS_MAX_REPLY_BYTES = 256 * 1024;

/**
 * ANCS replies expected at once by the reassembler. Past it: `AncsError`
 * (`ancs.too-many-pending`) from `expect`. Matches the Control Point queue.
 */
export const ANCS_MAX_PENDING_REPLIES = 64;

/**
 * Received OBEX request packets queued by a server session before it handles
 * them. Past it: `ObexError` (`obex.queue-full`) and the session closes.
 * OBEX is one request at a time; 64 only trips on a flooding peer.
 */
export const OBEX_MAX_QUEUED_REQUESTS = 64;

/**
 * Received OBEX response packets queued by a client session. Past it:
 * `ObexError` (`obex.queue-full`) and the session closes.
 */
export const OBEX_MAX_QUEUED_RESPONSES = 64;

/**
 * Header bytes an OBEX server collects for one request across continuation
 * packets. Past it: the request is answered Bad Request (0xC0), no error
 * escapes. 64 KiB is one maximum-size packet of headers.
 */
export const OBEX_MAX_REQUEST_HEADER_BYTES = 64 * 1024;

/** OBEX server session: time to wait for the next request packet of an operation; a stalled operation is dropped. */
export const OBEX_SERVER_TIMEOUT_MS = 30_000;

/** OBEX client session: time to wait for a response packet before `obex.timeout`. */
export const OBEX_CLIENT_TIMEOUT_MS = 10_000;

/**
 * Bytes of one AT line in the HFP splitter. Longer: an `HfpError`
 * (`hfp.line-too-long`) event and the splitter resynchronises at the next
 * line end. Real AT lines are well under 100 bytes; 512 covers long +CLCC/+BIND.
 */
export const HFP_MAX_LINE_LENGTH = 512;

/** Deepest nesting of parenthesised lists in an HFP AT value; `HfpError` (`hfp.too-deep`) past it. */
export const HFP_MAX_TOKEN_DEPTH = 8;

/**
 * Bytes of one bMessage object to decode. Past it: `MapError` (`map.too-large`).
 * Texts are small; 256 KiB allows a long MMS text part.
 */
export const BMESSAGE_MAX_BYTES = 256 * 1024;

/** Nesting of BENV envelopes in a bMessage; `MapError` (`map.bad-bmessage`) past it. MAP allows up to 3. */
export const BMESSAGE_MAX_ENVELOPE_DEPTH = 3;

/**
 * Bytes of one MAP XML document (message/folder listing, event report). Past
 * it: `MapError` (`map.too-large`). 1 MiB holds thousands of listing entries.
 */
export const MAP_XML_MAX_BYTES = 1024 * 1024;

/** Entries (`<msg>`, `<folder>`, `<event>`) in one MAP XML document; `map.too-large` past it. */
export const MAP_XML_MAX_ENTRIES = 10_000;

/** Bytes of one PBAP vCard-listing XML document; `PbapError` (`pbap.too-large`) past it. */
export const PBAP_LISTING_MAX_BYTES = 16 * 1024 * 1024;

/** Cards in one PBAP vCard-listing document; `pbap.too-large` past it. */
export const PBAP_LISTING_MAX_CARDS = 100_000;

/** Bytes of vCard text given to the parser at once; `VcardError` (`vcard.too-large`) past it. */
export const VCARD_MAX_INPUT_BYTES = 64 * 1024 * 1024;

/** Bytes of one unfolded vCard line (photos are long); `vcard.too-large` past it. */
export const VCARD_MAX_LINE_LENGTH = 8 * 1024 * 1024;

/** Properties in one vCard; `vcard.too-large` past it. */
export const VCARD_MAX_PROPERTIES_PER_CARD = 10_000;

/** Cards in one vCard input, nested ones included; `vcard.too-large` past it. */
export const VCARD_MAX_CARDS = 1_000_000;

/** Deepest nesting of BEGIN:VCARD (vCard 2.1 AGENT cards); `VcardError` (`vcard.too-deep`) past it. */
export const VCARD_MAX_DEPTH = 4;

// ---------------------------------------------------------------------------
// PC side (src/sim-pc)
// ---------------------------------------------------------------------------

/**
 * ANCS Control Point requests queued in the PC's sequencer (consumer option
 * `queueLimit`). Past it: `QueueFullError` (`link.queue-full`).
 */
export const ANCS_CONTROL_POINT_QUEUE_LIMIT = 64;

/**
 * Faults `PhoneLink.faults()` keeps. Past it the oldest are dropped and
 * counted (`faultsDropped`); each fault still went out once as its `fault`
 * event, so dropping old entries loses no report.
 */
export const PHONE_LINK_FAULT_LIMIT = 200;

/** Time for one ANCS Control Point request, write to complete reply (consumer `requestTimeoutMs`). */
export const ANCS_REQUEST_TIMEOUT_MS = 15_000;

/**
 * Live notifications the ANCS consumer tracks. Past it: a `QueueFullError`
 * (`link.queue-full`) is reported on the consumer's error event and the new
 * notification is not tracked. iOS itself keeps far fewer.
 */
export const ANCS_MAX_NOTIFICATIONS = 5000;

/**
 * Entries the PC notification center keeps. Past it the oldest is evicted
 * (`overflow` event) and a `CapacityReachedError` (`sim-pc.capacity-reached`)
 * is reported once each time the list fills.
 */
export const NOTIFICATION_CENTER_MAX_ENTRIES = 5000;

/**
 * AT commands waiting behind the one in flight. Past it: `HfpQueueFullError`
 * (`sim-pc.hfp-queue-full`). HFP is strictly one command at a time.
 */
export const HFP_MAX_QUEUED_COMMANDS = 16;

/** Time for the AG to finish answering one AT command (OK/ERROR) before the command fails with a timeout. */
export const HFP_COMMAND_TIMEOUT_MS = 5_000;

/**
 * Intermediate result lines kept for one AT command. Past it the lines are
 * dropped and one `HfpError` (`hfp.too-many-responses`) is reported for the command.
 */
export const HFP_MAX_RESPONSES_PER_COMMAND = 64;

/**
 * Messages the PC inbox keeps. Past it the oldest is evicted (`dropped`
 * event) and a `CapacityReachedError` (`sim-pc.capacity-reached`) is reported
 * once each time the inbox fills.
 */
export const INBOX_MAX_ENTRIES = 5000;

/**
 * UTF-8 bytes of one outgoing text. Longer: `SendRefusedError` (`too-long`),
 * nothing sent. 16 KiB is well past any carrier's concatenated SMS.
 */
export const INBOX_MAX_TEXT_BYTES = 16 * 1024;

/** Contacts the PC phonebook index holds. Past it: `PbapLimitError` (`sim-pc.pbap-limit`). */
export const PHONEBOOK_MAX_CONTACTS = 20_000;

/** PBAP operations waiting on the client. Past it: `PbapLimitError` (`sim-pc.pbap-limit`). */
export const PBAP_MAX_QUEUED_OPERATIONS = 8;

/** Time for one PBAP operation before it fails with a timeout. */
export const PBAP_CLIENT_TIMEOUT_MS = 15_000;

/**
 * Bytes of one card in a streamed phonebook. A larger card is skipped and
 * reported as a `SkippedCard` with reason `too-large` (on the client's
 * `skipped` event and in the pull's result); the other cards still arrive.
 */
export const PBAP_MAX_CARD_BYTES = 4 * 1024 * 1024;

/** Bytes of a PBAP listing or single-entry body. Past it: `PbapLimitError` (`sim-pc.pbap-limit`). */
export const PBAP_MAX_BODY_BYTES = 4 * 1024 * 1024;

/** Cards kept from one PBAP phonebook pull; `PbapLimitError` (`sim-pc.pbap-limit`) past it. PBAP MaxListCount is 16 bits. */
export const PBAP_MAX_CARDS_PER_PULL = 0xffff;

/** MAP operations waiting on the client. Past it: `MapLimitError` (`sim-pc.map-limit`). */
export const MAP_MAX_QUEUED_OPERATIONS = 16;

/** Time for one MAP operation before it fails with a timeout. */
export const MAP_CLIENT_TIMEOUT_MS = 15_000;

/** Bytes of a MAP listing body fetched by the PC. Past it: `MapLimitError` (`sim-pc.map-limit`) while receiving. */
export const MAP_MAX_LISTING_BYTES = 1024 * 1024;

/** Bytes of one fetched bMessage. Past it: `MapLimitError` (`sim-pc.map-limit`) while receiving. */
export const MAP_MAX_MESSAGE_BYTES = 256 * 1024;

/**
 * Bytes of one MNS event report received by the PC. Past it: the PUT is
 * answered Request Entity Too Large and a `MapProtocolError` (`map.too-large`)
 * is reported as a fault.
 */
export const MNS_MAX_EVENT_REPORT_BYTES = 64 * 1024;

/**
 * OBEX timeout of the PC's MNS server session: a report the phone starts and
 * does not finish within it is dropped and reported once as a
 * `MapProtocolError` (cause `obex.timeout`); the session stays usable.
 */
export const MNS_SERVER_TIMEOUT_MS = 30_000;

/**
 * Messages one inbox sync pass lists from the phone. A full pass that stops
 * at it while the phone has more reports one `MapLimitError`
 * (`sim-pc.map-limit`), not again until a pass fits.
 */
export const INBOX_SYNC_MAX_LISTED = 2000;

/**
 * Announced (NewMessage) handles awaiting fetch. Past it the handles are
 * forgotten and a full listing pass fetches them instead: nothing is lost, so
 * no error is raised (the pass itself is bounded by INBOX_SYNC_MAX_LISTED).
 */
export const INBOX_SYNC_MAX_PENDING_HANDLES = 1024;

// ---------------------------------------------------------------------------
// Simulated phone (src/sim-phone) and harness (src/harness)
// ---------------------------------------------------------------------------

/** Notifications on the simulated phone. Past it: `StoreFullError` (`sim-phone.store-full`). */
export const PHONE_NOTIFICATION_LIMIT = 10_000;

/** Contacts on the simulated phone. Past it: `ContactBookFullError` (`sim-phone.contacts-full`). */
export const PHONE_CONTACT_LIMIT = 20_000;

/**
 * Messages in the simulated phone's store. Past it the oldest is deleted, as a
 * phone short of storage deletes old threads: a `removed` event with reason
 * `overflow`, which the MAP server reports to the PC like any deletion.
 */
export const PHONE_MESSAGE_LIMIT = 10_000;

/**
 * MNS events queued by the simulated phone for the PC. Past it: the event is
 * dropped with `MnsQueueFullError` (`sim-phone.mns-queue-full`) on `dropped`.
 */
export const PHONE_MNS_QUEUE_LIMIT = 256;

/**
 * Bytes of a bMessage the PC may push to the simulated phone. A Length header
 * over it is answered Request Entity Too Large (0xCD); a body that grows past
 * it is answered Internal Server Error. No error escapes the phone.
 */
export const PHONE_MAX_PUSH_BYTES = 64 * 1024;

/**
 * PDUs the testbed keeps in its log. Past it the oldest are dropped and
 * counted; a step asking for a range the log no longer holds gets
 * `PduLogOverflowError` (`harness.pdu-log-overflow`).
 */
export const PDU_LOG_LIMIT = 200_000;
