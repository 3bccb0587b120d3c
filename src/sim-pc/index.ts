/**
 * Public entry of the PC side: the PhoneLink facade, its parts and its errors.
 */
export { PhoneLink } from './phone-link';
export type { PhoneLinkEvents, PhoneLinkOptions } from './phone-link';
export { LinkSupervisor } from './link-supervisor';
export type { LinkHealth, LinkSupervisorEvents, LinkSupervisorOptions, ProfileHealth, ProfileState } from './link-supervisor';
export { Backoff, DEFAULT_BACKOFF } from './backoff';
export type { BackoffPolicy } from './backoff';
export { AncsConsumer } from './ancs/ancs-consumer';
export type { AncsConsumerEvents, AncsConsumerOptions, ConsumerState } from './ancs/ancs-consumer';
export { ControlPointSequencer } from './ancs/control-point-sequencer';
export type { ControlPointSequencerOptions, SequencerStats, SubmitOptions } from './ancs/control-point-sequencer';
export { ReplayTracker } from './ancs/replay-tracker';
export type { ReplayOutcome } from './ancs/replay-tracker';
export { parseAncsDate } from './ancs/notification-record';
export type { AncsDateZone, AncsNotification } from './ancs/notification-record';
export { NotificationCenter } from './services/notification-center';
export type {
  NotificationCenterEvents,
  NotificationCenterOptions,
  NotificationChanges,
  NotificationEntry,
  NotificationGroup,
  ReconcileReport,
} from './services/notification-center';
export * from './errors';
export { PbapClient, DEFAULT_PBAP_TIMEOUT_MS } from './pbap/pbap-client';
export type {
  EntryPull,
  ListingPaging,
  ListingPull,
  ListingSearch,
  PbapClientEvents,
  PbapClientOptions,
  PbapClientState,
  PbapOperationName,
  PbapProgress,
  PhonebookPull,
  PhonebookSource,
  PullEntryOptions,
  PullListingOptions,
  PullPhonebookOptions,
  SkippedCard,
} from './pbap/pbap-types';
export type { PseInfo } from './pbap/pse-record';
export { VcardSplitter } from './pbap/vcard-splitter';
export type { SplitItem, VcardSplitterOptions } from './pbap/vcard-splitter';
export * from './pbap/errors';
export { Contacts, CONTACT_PROPERTIES } from './services/contacts';
export type { ContactsEvents, ContactsOptions, ContactsProgress, SyncResult } from './services/contacts';
export type { Contact, ContactNumber, SearchOptions } from './services/contact-index';
export { CallLog, CALL_PROPERTIES, parseCallDateTime } from './services/call-log';
export type { CallDateZone, CallEntry, CallEntryKind, CallLogEvents, CallLogOptions, CallLogSnapshot } from './services/call-log';
export { HandsFree } from './hfp/hands-free';
export {
  DEFAULT_APPLE_ACCESSORY,
  DEFAULT_CODECS,
  DEFAULT_HF_FEATURES,
  DEFAULT_HF_INDICATORS,
} from './hfp/hands-free-types';
export type {
  AppleAccessory,
  AudioRequest,
  CallFailure,
  HandsFreeEvents,
  HandsFreeOptions,
  HandsFreeState,
  VolumeChange,
} from './hfp/hands-free-types';
export type { CallIndicators, HfCall } from './hfp/call-tracker';
export type { AgInfo } from './hfp/slc';
export {
  AgCmeError,
  AgRefusedError,
  CallNotFoundError,
  HfpArgumentError,
  HfpQueueFullError,
  SlcError,
  UnknownContactError,
  isAgRefusal,
} from './hfp/errors';
export { Calls, DEFAULT_MAX_CALL_HISTORY, dialString } from './services/calls';
export type { Call, CallDirection, CallRecord, CallRecordKind, CallState, CallsEvents, CallsOptions } from './services/calls';
