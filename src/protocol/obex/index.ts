/**
 * OBEX (GOEP) for PBAP and MAP: header, packet and application-parameter
 * codecs, the stream packet splitter, and transport-agnostic client and
 * server sessions.
 */
export * from './constants';
export * from './errors';
export * from './headers';
export * from './header-values';
export * from './packet';
export * from './packet-splitter';
export * from './apparam';
export * from './body-reader';
export * from './session-errors';
export * from './client-types';
export * from './client-session';
export * from './server-handlers';
export * from './server-session';
