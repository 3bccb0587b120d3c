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
