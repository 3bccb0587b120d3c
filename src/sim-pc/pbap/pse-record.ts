/**
 * Reads what the PC needs from a phone's SDP records for PBAP: the PSE
 * record (service class 0x112F), its RFCOMM channel, profile version,
 * SupportedRepositories and PbapSupportedFeatures, and whether the record
 * carries the features attribute at all (which decides whether the PC
 * sends its own features in Connect: PBAP/PCE/SSM/BV-09 and BV-10).
 */
import type { ServiceRecord } from '../../link/classic';
import { PBAP_DEFAULT_FEATURES, PbapSdpAttribute, PbapUuid } from '../../protocol/pbap/constants';

export interface PseInfo {
  /** RFCOMM server channel of the PSE. */
  channel: number;
  /** Profile version from the descriptor list (0x0102 for 1.2), or 0x0100 when the record names another profile. */
  version: number;
  /** SupportedRepositories bits (bit 0 local phone book); 0x01 when absent. */
  repositories: number;
  /** PbapSupportedFeatures as published, or the 0x00000003 a PCE assumes when absent. */
  features: number;
  /** The record has attribute 0x0317 (PBAP 1.2 and later), whatever its value. */
  featuresPublished: boolean;
  /** ServiceName. */
  name: string;
}

/** Repositories a PSE is taken to have when its record says nothing: the phone's own. */
export const DEFAULT_REPOSITORIES = 0x01;

/** The first PSE record among `records`, read as PseInfo; undefined when there is none. */
export function findPse(records: readonly ServiceRecord[]): PseInfo | undefined {
  const record = records.find((r) => r.serviceClasses.includes(PbapUuid.Pse));
  if (record === undefined) return undefined;
  const features = uintAttribute(record, PbapSdpAttribute.SupportedFeatures, 0xffffffff);
  const repositories = uintAttribute(record, PbapSdpAttribute.SupportedRepositories, 0xff);
  return {
    channel: record.channel,
    version: record.profile.uuid === PbapUuid.Profile ? record.profile.version : 0x0100,
    repositories: repositories ?? DEFAULT_REPOSITORIES,
    features: features ?? PBAP_DEFAULT_FEATURES,
    featuresPublished: Object.prototype.hasOwnProperty.call(record.attributes, PbapSdpAttribute.SupportedFeatures),
    name: record.name,
  };
}

/** True when feature bit `bit` (see PbapFeature) is set in `features`. */
export function hasFeature(features: number, bit: number): boolean {
  return bit >= 0 && bit < 32 && ((features >>> bit) & 1) === 1;
}

/** A numeric attribute within 0..max; undefined when absent or not a number in range. */
function uintAttribute(record: ServiceRecord, id: number, max: number): number | undefined {
  if (!Object.prototype.hasOwnProperty.call(record.attributes, id)) return undefined;
  const value = record.attributes[id];
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > max) return undefined;
  return value;
}
