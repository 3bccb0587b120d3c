/**
 * The simulated phone's MAP side: the `map` profile section, the message
 * store and message stimuli, how messages look over MAP, the MAS sessions,
 * the MNS client and the MapServer that runs them.
 */
export * from './map-profile';
export * from './map-errors';
export * from './message-store';
export * from './message-stimulus';
export * from './map-folders';
export * from './message-view';
export * from './message-filter';
export * from './mas-objects';
export * from './mas-session';
export * from './mns-client';
export * from './map-server';
