/**
 * MAP (Message Access Profile) codecs shared by the phone's MSE and MNS
 * client and the PC's MCE and MNS server: identifiers and tables, typed
 * application parameters, bMessage, Messages-Listing and folder listing,
 * event reports, date-times, and the value types. OBEX itself is in ../obex.
 */
export * from './types';
export * from './constants';
export * from './errors';
export * from './datetime';
export * from './app-params';
export * from './bmessage';
export * from './listing';
export * from './event-report';
export { escapeAttribute as escapeXmlAttribute } from './xml';
