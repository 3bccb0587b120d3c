/**
 * The named fuzz campaigns `phonebridge fuzz` offers, each a list of
 * properties with a relative weight (a whole-stack stream case costs far
 * more than a codec case, so it runs a fraction of the runs asked).
 */
import { CampaignProperty, checker } from './campaign';
import { decoderRobustnessProperty, reassemblyProperty } from './ancs-codec';
import { streamProperty } from './notification-stream';
import { CALLS_CAMPAIGN } from './calls';
import { MESSAGES_CAMPAIGN } from './messages';
import { HOSTILE_PC_CAMPAIGN } from './hostile-pc';
import { HOSTILE_PHONE_CAMPAIGN } from './hostile-phone';

export const CAMPAIGNS: Record<string, CampaignProperty[]> = {
  notifications: [
    {
      name: 'reassembly',
      description: 'the Data Source reassembler equals a one-shot decode for every fragmentation',
      weight: 1,
      check: checker(reassemblyProperty()),
    },
    {
      name: 'decoders',
      description: 'arbitrary and mutated bytes give a value or a ProtocolError, never another exception',
      weight: 1,
      check: checker(decoderRobustnessProperty()),
    },
    {
      name: 'stream',
      description: 'after any add/modify/remove/dismiss/drop sequence, once quiet the PC list equals the phone list',
      weight: 1,
      check: checker(streamProperty),
    },
  ],
  calls: CALLS_CAMPAIGN,
  messages: MESSAGES_CAMPAIGN,
  'hostile-phone': HOSTILE_PHONE_CAMPAIGN,
  'hostile-pc': HOSTILE_PC_CAMPAIGN,
};

export function campaignNames(): string[] {
  return Object.keys(CAMPAIGNS);
}
