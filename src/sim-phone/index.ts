/**
 * Public face of the simulated phone: profiles, the model and its
 * notification store, the Backchannel and stimulus scripts, the ANCS
 * provider, the HFP Audio Gateway and call model, and the SimulatedPhone
 * that wires them together.
 */
export { SimPhoneError, ProfileError, StimulusError, StoreFullError, UnknownNotificationError } from './errors';
export {
  ANCS_ACTIONS,
  ACTION_EFFECTS,
  NOT_SHARED_SOURCES,
  UNKNOWN_APP_REPLIES,
  builtInProfilePath,
  fixturesDir,
  loadPhoneProfile,
  parsePhoneProfile,
} from './profile';
export type { ActionEffect, AncsAction, AncsProfile, FutureProfileSection, NotSharedSource, PhoneProfile, UnknownAppReply } from './profile';
export { DEFAULT_NOTIFICATION_LIMIT, NotificationStore } from './notification-store';
export type { NotificationChanges, NotificationInit, NotificationStoreEvents, PhoneNotification } from './notification-store';
export { PhoneModel } from './phone-model';
export type { PcPermissions, PermissionName, PhoneModelEvents, PhoneModelOptions } from './phone-model';
export { categoryIdOf, loadStimulusScript, parseStimulus, parseStimulusScript } from './stimulus';
export type { CategoryName, NotificationChangeSpec, NotificationRef, NotificationSpec, ScriptStep, Stimulus, StimulusKind } from './stimulus';
export { Backchannel } from './backchannel';
export type { ScriptRun } from './backchannel';
export { AncsProvider } from './ancs-provider';
export type { AncsProviderEvents, AncsProviderOptions, AncsProviderStats } from './ancs-provider';
export { eventFlagsFor, formatAncsDate, offersAction, truncateUtf8 } from './ancs-replies';
export { SimulatedPhone } from './simulated-phone';
export type { SimulatedPhoneOptions } from './simulated-phone';
export * from './hfp';
export { ContactBook, DEFAULT_CONTACT_LIMIT } from './contact-book';
export type { ContactBookEvents, VcardOptions } from './contact-book';
export type { Contact, ContactInit, ContactChanges, ContactName, ContactPhone, ContactEmail, ContactPhoto } from './contact-data';
export { CallHistory } from './call-history';
export type { CallRecord, CallInit, CallKind } from './call-history';
export { PbapServer } from './pbap-server';
export type { PbapServerOptions } from './pbap-server';
export * from './map';
