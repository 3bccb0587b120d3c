/**
 * PBAP (Phone Book Access Profile) shared by the phone's PSE and the PC's
 * PCE: identifiers and tables, typed application parameters, and the
 * vCard-listing codec. vCards themselves are in ../vcard; OBEX in ../obex.
 */
export * from './constants';
export * from './errors';
export * from './app-params';
export * from './listing';
