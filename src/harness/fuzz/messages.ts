/**
 * The `messages` fuzz campaign: the MAP codecs (round trips and hostile
 * bytes), the PC's messages stack against a hostile message server, and
 * the whole message stream on the testbed for the iphone and android
 * profiles. The stack cases cost far more than a codec case, so they run
 * a fraction of the runs asked.
 */
import { type CampaignProperty, checker } from './campaign';
import { mapCodecProperty } from './map-codec';
import { messageStreamProperty } from './message-stream';
import { mseProperty } from './mse-fuzz';

export const MESSAGES_CAMPAIGN: CampaignProperty[] = [
  {
    name: 'map-codecs',
    description: 'bMessage, listings, event reports, parameters and date-times round trip; any bytes give every MAP decoder a value or a MapError',
    weight: 1,
    check: checker(mapCodecProperty()),
  },
  {
    name: 'hostile-mse',
    description: "a hostile message server never breaks the PC's MAP client, notification server or Inbox, and once it behaves new messages arrive",
    weight: 0.5,
    check: checker(mseProperty()),
  },
  {
    name: 'message-stream',
    description: 'after any messages, sends, drops and outages, once quiet the Inbox holds exactly what the phone showed the PC, once each, in order',
    weight: 0.5,
    check: checker(messageStreamProperty()),
  },
];
