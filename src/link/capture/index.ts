/**
 * Captures of the in-memory links as btsnoop files that Wireshark reads,
 * and the readers that turn such files (ours or a real phone's) back into
 * connections, ATT PDUs and RFCOMM streams.
 */
export * from './errors';
export * from './btsnoop';
export * from './capture-recorder';
export * from './hci-reader';
export type { AttPduView } from './att-reader';
export type { SdpRecordSummary } from './sdp-reader';
