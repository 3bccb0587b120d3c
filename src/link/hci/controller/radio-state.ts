/**
 * A controller's advertising, scanning and initiating state as its host set
 * it, with the rules that turn it into air behaviour: which address it
 * advertises with, whether its advertising is connectable or scannable, the
 * report type scanners see, and the bounded duplicate filter of a scan.
 */
import { AdvertisingType, AddressType, ReportType } from './hci-constants';
import { CreateConnectionParameters } from './hci-commands';
import { toHex } from './byte-reader';

/** Entries the duplicate filter remembers before it starts over. */
export const DUPLICATE_FILTER_LIMIT = 256;

/** What scanners and initiators see of an advertiser. */
export interface AdvertiserView {
  address: Uint8Array;
  addressType: number;
  advertisingType: number;
  /** Target of directed advertising. */
  directAddress: Uint8Array;
  data: Uint8Array;
  scanResponse: Uint8Array;
}

export class RadioState {
  // Advertising
  advertisingEnabled = false;
  advertisingType: number = AdvertisingType.ConnectableUndirected;
  advertisingOwnAddressType: number = AddressType.Public;
  advertisingIntervalUnits = 0x0800;
  directAddress: Uint8Array = new Uint8Array(6);
  advertisingData: Uint8Array = new Uint8Array(0);
  scanResponseData: Uint8Array = new Uint8Array(0);
  /** When advertising was last enabled (anchors advertising events). */
  advertisingSince = 0;
  // Scanning
  scanEnabled = false;
  /** 0 passive, 1 active. */
  scanType = 0;
  filterDuplicates = false;
  private readonly reported = new Set<string>();
  // Initiating
  initiating: CreateConnectionParameters | undefined;
  randomAddress: Uint8Array | undefined;

  constructor(private readonly publicAddress: Uint8Array) {}

  reset(): void {
    this.advertisingEnabled = false;
    this.advertisingType = AdvertisingType.ConnectableUndirected;
    this.advertisingOwnAddressType = AddressType.Public;
    this.advertisingIntervalUnits = 0x0800;
    this.directAddress = new Uint8Array(6);
    this.advertisingData = new Uint8Array(0);
    this.scanResponseData = new Uint8Array(0);
    this.scanEnabled = false;
    this.scanType = 0;
    this.filterDuplicates = false;
    this.reported.clear();
    this.initiating = undefined;
    this.randomAddress = undefined;
  }

  /** The address and type this controller uses on the air for `ownAddressType`. */
  ownAddress(ownAddressType: number): { address: Uint8Array; addressType: number } {
    if ((ownAddressType & 1) === AddressType.Random && this.randomAddress) {
      return { address: this.randomAddress, addressType: AddressType.Random };
    }
    return { address: this.publicAddress, addressType: AddressType.Public };
  }

  advertiserView(): AdvertiserView {
    const own = this.ownAddress(this.advertisingOwnAddressType);
    return {
      address: own.address,
      addressType: own.addressType,
      advertisingType: this.advertisingType,
      directAddress: this.directAddress,
      data: this.advertisingData,
      scanResponse: this.scanResponseData,
    };
  }

  startScan(filterDuplicates: boolean): void {
    this.scanEnabled = true;
    this.filterDuplicates = filterDuplicates;
    this.reported.clear();
  }

  /** The reports a scan of this controller would produce for `adv` now, after the duplicate filter. */
  reportsFor(adv: AdvertiserView, scannerAddress: Uint8Array): { eventType: number; data: Uint8Array }[] {
    if (!this.scanEnabled) return [];
    const type = reportType(adv.advertisingType);
    if (isDirected(adv.advertisingType) && !sameBytes(adv.directAddress, scannerAddress)) return [];
    const out: { eventType: number; data: Uint8Array }[] = [];
    if (this.passesFilter(adv, type, adv.data)) out.push({ eventType: type, data: adv.data });
    if (this.scanType === 1 && isScannable(adv.advertisingType) && this.passesFilter(adv, ReportType.ScanRsp, adv.scanResponse)) {
      out.push({ eventType: ReportType.ScanRsp, data: adv.scanResponse });
    }
    return out;
  }

  /** Marks reports as delivered (for the duplicate filter). */
  noteReported(adv: AdvertiserView, eventType: number, data: Uint8Array): void {
    if (!this.filterDuplicates) return;
    if (this.reported.size >= DUPLICATE_FILTER_LIMIT) this.reported.clear();
    this.reported.add(filterKey(adv, eventType, data));
  }

  /** True when this controller initiates a connection to `adv`, and `adv` accepts one. */
  initiatesTo(adv: AdvertiserView, ownAddress: Uint8Array): boolean {
    const target = this.initiating;
    if (!target || !isConnectable(adv.advertisingType)) return false;
    if (isDirected(adv.advertisingType) && !sameBytes(adv.directAddress, ownAddress)) return false;
    return (target.peerAddressType & 1) === adv.addressType && sameBytes(target.peerAddress, adv.address);
  }

  private passesFilter(adv: AdvertiserView, eventType: number, data: Uint8Array): boolean {
    return !this.filterDuplicates || !this.reported.has(filterKey(adv, eventType, data));
  }
}

export function isConnectable(advertisingType: number): boolean {
  return advertisingType === AdvertisingType.ConnectableUndirected || isDirected(advertisingType);
}

export function isDirected(advertisingType: number): boolean {
  return advertisingType === AdvertisingType.ConnectableDirectedHigh || advertisingType === AdvertisingType.ConnectableDirectedLow;
}

export function isScannable(advertisingType: number): boolean {
  return advertisingType === AdvertisingType.ConnectableUndirected || advertisingType === AdvertisingType.ScannableUndirected;
}

/** The Event_Type a scanner reports for an advertising PDU type. */
export function reportType(advertisingType: number): number {
  if (isDirected(advertisingType)) return ReportType.AdvDirectInd;
  if (advertisingType === AdvertisingType.ScannableUndirected) return ReportType.AdvScanInd;
  if (advertisingType === AdvertisingType.NonConnectableUndirected) return ReportType.AdvNonconnInd;
  return ReportType.AdvInd;
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function filterKey(adv: AdvertiserView, eventType: number, data: Uint8Array): string {
  return `${adv.addressType}:${toHex(adv.address)}:${eventType}:${toHex(data)}`;
}
