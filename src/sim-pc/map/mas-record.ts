/**
 * MAP in SDP, as the PC sees it: reads the phone's Message Access Server
 * records (service class 0x1132: channel, instance id, SupportedMessageTypes,
 * MapSupportedFeatures and whether the record carries them at all) and
 * picks the instance that serves text messages; and builds the record the
 * PC publishes for its own Message Notification Server (0x1133).
 */
import type { ServiceRecord } from '../../link/classic';
import { MAP_DEFAULT_FEATURES, MapFeature, MapSdpAttribute, MapUuid, MapVersion, SupportedMessageTypeBit } from '../../protocol/map/constants';

export interface MasInfo {
  /** RFCOMM server channel of the MAS. */
  channel: number;
  /** Profile version from the descriptor list (0x0104 for MAP 1.4), or 0x0100 when the record names another profile. */
  version: number;
  /** MASInstanceID (0x0315); 0 when absent. */
  instanceId: number;
  /** SupportedMessageTypes bits (SupportedMessageTypeBit); 0 when absent. */
  messageTypes: number;
  /** MapSupportedFeatures as published, or what a MAP 1.0/1.1 MSE is taken to have. */
  features: number;
  /** The record has attribute 0x0317: our features then go in Connect (MAP/MCE/MFB/BV-06). */
  featuresPublished: boolean;
  name: string;
}

/** The RFCOMM channel the PC's notification server listens on unless told otherwise. */
export const DEFAULT_MNS_CHANNEL = 17;

/**
 * What the PC's MCE does: notification registration and notifications,
 * browsing, uploading, event report 1.1, listing format 1.1, and its
 * features in Connect.
 */
export const DEFAULT_MCE_FEATURES =
  MapFeature.NotificationRegistration |
  MapFeature.Notification |
  MapFeature.Browsing |
  MapFeature.Uploading |
  MapFeature.ExtendedEventReport11 |
  MapFeature.MessagesListingFormat11 |
  MapFeature.MapSupportedFeaturesInConnect;

const TEXT_TYPES = SupportedMessageTypeBit.SmsGsm | SupportedMessageTypeBit.SmsCdma;

/** Every MAS record among `records`, read as MasInfo, in record order. */
export function masInstances(records: readonly ServiceRecord[]): MasInfo[] {
  return records.filter((r) => r.serviceClasses.includes(MapUuid.MAS)).map(readMas);
}

/** The MAS instance for text messages: the first that lists SMS, else the first one; undefined when there is none. */
export function findMas(records: readonly ServiceRecord[]): MasInfo | undefined {
  const all = masInstances(records);
  return all.find((m) => (m.messageTypes & TEXT_TYPES) !== 0) ?? all[0];
}

/** True when the MAS says it carries MMS (SupportedMessageTypes bit 3). */
export function supportsMms(mas: MasInfo): boolean {
  return (mas.messageTypes & SupportedMessageTypeBit.Mms) !== 0;
}

/** The PC's MNS record: service class 0x1133, MAP 1.4, its channel and our MapSupportedFeatures. */
export function mnsServiceRecord(channel: number, features: number): ServiceRecord {
  return {
    serviceClasses: [MapUuid.MNS],
    profile: { uuid: MapUuid.Profile, version: MapVersion.V1_4 },
    channel,
    name: 'MAP MNS',
    attributes: { [MapSdpAttribute.MapSupportedFeatures]: features >>> 0 },
  };
}

function readMas(record: ServiceRecord): MasInfo {
  const features = uintAttribute(record, MapSdpAttribute.MapSupportedFeatures, 0xffffffff);
  return {
    channel: record.channel,
    version: record.profile.uuid === MapUuid.Profile ? record.profile.version : MapVersion.V1_0,
    instanceId: uintAttribute(record, MapSdpAttribute.MasInstanceId, 0xff) ?? 0,
    messageTypes: uintAttribute(record, MapSdpAttribute.SupportedMessageTypes, 0xff) ?? 0,
    features: features ?? MAP_DEFAULT_FEATURES,
    featuresPublished: Object.prototype.hasOwnProperty.call(record.attributes, MapSdpAttribute.MapSupportedFeatures),
    name: record.name,
  };
}

/** A numeric attribute within 0..max; undefined when absent or not a number in range. */
function uintAttribute(record: ServiceRecord, id: number, max: number): number | undefined {
  if (!Object.prototype.hasOwnProperty.call(record.attributes, id)) return undefined;
  const value = record.attributes[id];
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > max) return undefined;
  return value;
}
