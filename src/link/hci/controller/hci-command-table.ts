/**
 * The one table of HCI commands the virtual controller knows: opcode, the
 * readable name used in logs and traces, whether the controller answers it
 * with Command Complete or Command Status, whether it is implemented, and its
 * bit in the Read_Local_Supported_Commands bitmap.
 */

/** Opcodes (OGF << 10 | OCF) by name. */
export const Opcode = {
  Disconnect: 0x0406,
  SetEventMask: 0x0c01,
  Reset: 0x0c03,
  SetEventFilter: 0x0c05,
  ReadLeHostSupported: 0x0c6c,
  WriteLeHostSupported: 0x0c6d,
  ReadLocalVersion: 0x1001,
  ReadLocalSupportedCommands: 0x1002,
  ReadLocalSupportedFeatures: 0x1003,
  ReadBufferSize: 0x1005,
  ReadBdAddr: 0x1009,
  ReadRssi: 0x1405,
  LeSetEventMask: 0x2001,
  LeReadBufferSize: 0x2002,
  LeReadLocalSupportedFeatures: 0x2003,
  LeSetRandomAddress: 0x2005,
  LeSetAdvertisingParameters: 0x2006,
  LeReadAdvertisingChannelTxPower: 0x2007,
  LeSetAdvertisingData: 0x2008,
  LeSetScanResponseData: 0x2009,
  LeSetAdvertiseEnable: 0x200a,
  LeSetScanParameters: 0x200b,
  LeSetScanEnable: 0x200c,
  LeCreateConnection: 0x200d,
  LeCreateConnectionCancel: 0x200e,
  LeReadWhiteListSize: 0x200f,
  LeClearWhiteList: 0x2010,
  LeAddDeviceToWhiteList: 0x2011,
  LeRemoveDeviceFromWhiteList: 0x2012,
  LeConnectionUpdate: 0x2013,
  LeReadRemoteFeatures: 0x2016,
  LeEncrypt: 0x2017,
  LeRand: 0x2018,
  LeStartEncryption: 0x2019,
  LeLtkRequestReply: 0x201a,
  LeLtkRequestNegativeReply: 0x201b,
  LeReadSupportedStates: 0x201c,
  LeSetDataLength: 0x2022,
  LeReadSuggestedDefaultDataLength: 0x2023,
  LeWriteSuggestedDefaultDataLength: 0x2024,
  LeReadMaximumDataLength: 0x202f,
  LeSetDefaultPhy: 0x2031,
  LeSetPhy: 0x2032,
  LeSetExtendedAdvertisingParameters: 0x2036,
  LeSetExtendedAdvertisingData: 0x2037,
  LeSetExtendedScanResponseData: 0x2038,
  LeSetExtendedAdvertisingEnable: 0x2039,
  LeSetExtendedScanParameters: 0x2041,
  LeSetExtendedScanEnable: 0x2042,
  LeExtendedCreateConnection: 0x2043,
} as const;

export type OpcodeName = keyof typeof Opcode;

export interface CommandInfo {
  readonly opcode: number;
  /** Spec-style name for logs, e.g. `LE_Set_Scan_Enable`. */
  readonly name: string;
  /** The event that answers it: Command Complete, or Command Status (a later event carries the outcome). */
  readonly reply: 'complete' | 'status';
  /** False for commands the controller answers with "Unknown HCI Command" on purpose. */
  readonly implemented: boolean;
  /** [octet, bit] in the Supported_Commands bitmap, when implemented. */
  readonly supportedBit?: readonly [number, number];
}

const entries: CommandInfo[] = [];
function add(opcode: number, name: string, reply: 'complete' | 'status', supportedBit?: readonly [number, number]): void {
  entries.push({ opcode, name, reply, implemented: true, ...(supportedBit ? { supportedBit } : {}) });
}
function refuse(opcode: number, name: string, reply: 'complete' | 'status'): void {
  entries.push({ opcode, name, reply, implemented: false });
}

add(Opcode.Disconnect, 'Disconnect', 'status', [0, 5]);
add(Opcode.SetEventMask, 'Set_Event_Mask', 'complete', [5, 6]);
add(Opcode.Reset, 'Reset', 'complete', [5, 7]);
add(Opcode.SetEventFilter, 'Set_Event_Filter', 'complete', [6, 0]);
add(Opcode.ReadLeHostSupported, 'Read_LE_Host_Supported', 'complete', [24, 5]);
add(Opcode.WriteLeHostSupported, 'Write_LE_Host_Supported', 'complete', [24, 6]);
add(Opcode.ReadLocalVersion, 'Read_Local_Version_Information', 'complete', [14, 3]);
add(Opcode.ReadLocalSupportedCommands, 'Read_Local_Supported_Commands', 'complete');
add(Opcode.ReadLocalSupportedFeatures, 'Read_Local_Supported_Features', 'complete', [14, 5]);
add(Opcode.ReadBufferSize, 'Read_Buffer_Size', 'complete', [14, 7]);
add(Opcode.ReadBdAddr, 'Read_BD_ADDR', 'complete', [15, 1]);
add(Opcode.ReadRssi, 'Read_RSSI', 'complete', [15, 5]);
add(Opcode.LeSetEventMask, 'LE_Set_Event_Mask', 'complete', [25, 0]);
add(Opcode.LeReadBufferSize, 'LE_Read_Buffer_Size', 'complete', [25, 1]);
add(Opcode.LeReadLocalSupportedFeatures, 'LE_Read_Local_Supported_Features', 'complete', [25, 2]);
add(Opcode.LeSetRandomAddress, 'LE_Set_Random_Address', 'complete', [25, 4]);
add(Opcode.LeSetAdvertisingParameters, 'LE_Set_Advertising_Parameters', 'complete', [25, 5]);
add(Opcode.LeReadAdvertisingChannelTxPower, 'LE_Read_Advertising_Channel_Tx_Power', 'complete', [25, 6]);
add(Opcode.LeSetAdvertisingData, 'LE_Set_Advertising_Data', 'complete', [25, 7]);
add(Opcode.LeSetScanResponseData, 'LE_Set_Scan_Response_Data', 'complete', [26, 0]);
add(Opcode.LeSetAdvertiseEnable, 'LE_Set_Advertise_Enable', 'complete', [26, 1]);
add(Opcode.LeSetScanParameters, 'LE_Set_Scan_Parameters', 'complete', [26, 2]);
add(Opcode.LeSetScanEnable, 'LE_Set_Scan_Enable', 'complete', [26, 3]);
add(Opcode.LeCreateConnection, 'LE_Create_Connection', 'status', [26, 4]);
add(Opcode.LeCreateConnectionCancel, 'LE_Create_Connection_Cancel', 'complete', [26, 5]);
add(Opcode.LeReadWhiteListSize, 'LE_Read_White_List_Size', 'complete', [26, 6]);
add(Opcode.LeClearWhiteList, 'LE_Clear_White_List', 'complete', [26, 7]);
add(Opcode.LeAddDeviceToWhiteList, 'LE_Add_Device_To_White_List', 'complete', [27, 0]);
add(Opcode.LeRemoveDeviceFromWhiteList, 'LE_Remove_Device_From_White_List', 'complete', [27, 1]);
add(Opcode.LeConnectionUpdate, 'LE_Connection_Update', 'status', [27, 2]);
add(Opcode.LeReadRemoteFeatures, 'LE_Read_Remote_Features', 'status', [27, 5]);
add(Opcode.LeEncrypt, 'LE_Encrypt', 'complete', [27, 6]);
add(Opcode.LeRand, 'LE_Rand', 'complete', [27, 7]);
add(Opcode.LeStartEncryption, 'LE_Start_Encryption', 'status', [28, 0]);
add(Opcode.LeLtkRequestReply, 'LE_Long_Term_Key_Request_Reply', 'complete', [28, 1]);
add(Opcode.LeLtkRequestNegativeReply, 'LE_Long_Term_Key_Request_Negative_Reply', 'complete', [28, 2]);
add(Opcode.LeReadSupportedStates, 'LE_Read_Supported_States', 'complete', [28, 3]);
add(Opcode.LeSetDataLength, 'LE_Set_Data_Length', 'complete', [33, 6]);
add(Opcode.LeReadSuggestedDefaultDataLength, 'LE_Read_Suggested_Default_Data_Length', 'complete', [33, 7]);
add(Opcode.LeWriteSuggestedDefaultDataLength, 'LE_Write_Suggested_Default_Data_Length', 'complete', [34, 0]);
add(Opcode.LeReadMaximumDataLength, 'LE_Read_Maximum_Data_Length', 'complete', [35, 3]);
add(Opcode.LeSetDefaultPhy, 'LE_Set_Default_PHY', 'complete', [35, 5]);
// Not offered: the LE features bitmap claims neither 2M/Coded PHY nor extended
// advertising, so hosts use the legacy commands; these get "Unknown HCI Command".
refuse(Opcode.LeSetPhy, 'LE_Set_PHY', 'status');
refuse(Opcode.LeSetExtendedAdvertisingParameters, 'LE_Set_Extended_Advertising_Parameters', 'complete');
refuse(Opcode.LeSetExtendedAdvertisingData, 'LE_Set_Extended_Advertising_Data', 'complete');
refuse(Opcode.LeSetExtendedScanResponseData, 'LE_Set_Extended_Scan_Response_Data', 'complete');
refuse(Opcode.LeSetExtendedAdvertisingEnable, 'LE_Set_Extended_Advertising_Enable', 'complete');
refuse(Opcode.LeSetExtendedScanParameters, 'LE_Set_Extended_Scan_Parameters', 'complete');
refuse(Opcode.LeSetExtendedScanEnable, 'LE_Set_Extended_Scan_Enable', 'complete');
refuse(Opcode.LeExtendedCreateConnection, 'LE_Extended_Create_Connection', 'status');

const byOpcode = new Map<number, CommandInfo>(entries.map((e) => [e.opcode, e]));

/** All known commands, in table order. */
export const COMMANDS: readonly CommandInfo[] = entries;

/** The table entry for an opcode, if known. */
export function commandInfo(opcode: number): CommandInfo | undefined {
  return byOpcode.get(opcode);
}

/** Readable name of an opcode; unknown ones show OGF and OCF. */
export function commandName(opcode: number): string {
  const info = byOpcode.get(opcode);
  if (info) return info.name;
  return `Unknown(ogf=0x${(opcode >> 10).toString(16)},ocf=0x${(opcode & 0x3ff).toString(16).padStart(3, '0')})`;
}

/** The 64-octet Supported_Commands bitmap of the implemented commands. */
export function supportedCommandsBitmap(): Uint8Array {
  const bitmap = new Uint8Array(64);
  for (const entry of entries) {
    if (!entry.implemented || !entry.supportedBit) continue;
    const [octet, bit] = entry.supportedBit;
    bitmap[octet] = (bitmap[octet] ?? 0) | (1 << bit);
  }
  return bitmap;
}

/** Builds an opcode from its group and command fields. */
export function makeOpcode(ogf: number, ocf: number): number {
  return ((ogf & 0x3f) << 10) | (ocf & 0x3ff);
}
