/**
 * The `calls` fuzz campaign: the HFP AT codec and splitters, the PC's
 * hands-free unit against a hostile AG, the phone's Audio Gateway against a
 * hostile HF, and the whole call stream on the testbed. The testbed case
 * costs far more than the others, so it runs a fraction of the runs asked.
 */
import { type CampaignProperty, checker } from './campaign';
import { callStreamProperty } from './call-stream';
import { gatewayProperty } from './gateway-fuzz';
import { handsFreeProperty } from './hands-free-fuzz';
import { atRoundTripProperty } from './hfp-codec';

export const CALLS_CAMPAIGN: CampaignProperty[] = [
  {
    name: 'at-roundtrip',
    description: 'every HF command and AG result survives encode/decode and the splitters at any chunk boundaries',
    weight: 1,
    check: checker(atRoundTripProperty()),
  },
  {
    name: 'hands-free',
    description: "arbitrary AG output never breaks the PC's HandsFree, and after a +CLCC its call list is the AG's",
    weight: 1,
    check: checker(handsFreeProperty()),
  },
  {
    name: 'gateway',
    description: "hostile HF bytes and AT lines never break the phone's AG, and every AT line gets exactly one final result",
    weight: 1,
    check: checker(gatewayProperty()),
  },
  {
    name: 'call-stream',
    description: "after any phone events, PC actions, drops and outages, once quiet the PC's calls equal the phone's",
    weight: 0.5,
    check: checker(callStreamProperty()),
  },
];
