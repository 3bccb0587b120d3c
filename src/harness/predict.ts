/**
 * Timing predictions from the link model, stated as formulas so scenarios
 * can assert "within the time the model predicts" and reports can chart
 * measured against predicted.
 */
import { BleLinkModel, llPacketsForAttPdu } from '../link/link-model';
import { ClassicLinkModel, dataFrameWireBytes, frameAirTimeMs, predictTransfer } from '../link/classic-model';

export interface AncsBurstPrediction {
  /** No faster than this: every Control Point request needs two connection events. */
  lowerMs: number;
  /** Mean packets per event: the expected figure. */
  expectedMs: number;
  /** Worst case: every event carries only the minimum packet count. */
  upperMs: number;
  formula: string;
}

/**
 * Predicts how long the PC needs to mirror a burst of `notifications`
 * Added events, given `requests` Control Point requests in all (one per
 * notification plus one GetAppAttributes per new app) and the mean Data
 * Source reply size in bytes at ATT MTU `mtu`.
 *
 * With one request in flight, request i is written in some connection event
 * k; its reply (F fragments of P_frag LL packets, plus the write response)
 * needs ceil((F * P_frag + 1) / p) events from k+1 on, and the next write
 * goes out in the event after the reply ends. Before the first reply can
 * pass, the phone-to-PC queue must also drain the burst's Notification
 * Source events (N of them, P_ns LL packets each), at `p` packets per event:
 *
 *   T(p) = CI * ( ceil(N * P_ns / p) + R * (1 + ceil((F * P_frag + 1) / p)) )
 *
 * where CI is the connection interval and R the requests. Two intervals per
 * request is the floor (lower bound R * 2 * CI); the upper bound takes the
 * minimum packets per event everywhere, the expected figure the mean.
 *
 * `hostTurnaroundEvents` allows for real host stacks: when a host takes
 * longer to answer than the controller waits before the next event (bleno
 * hands each write to its parent process and back), a reply can miss the
 * event after the request and go out one later. Each request may then cost
 * up to that many more intervals, which the upper bound adds: R * H * CI.
 * The in-memory link answers at once (H = 0).
 */
export function predictAncsBurst(
  model: BleLinkModel,
  mtu: number,
  notifications: number,
  requests: number,
  meanReplyBytes: number,
  hostTurnaroundEvents = 0,
): AncsBurstPrediction {
  const ci = model.connectionIntervalMs;
  const [pMin, pMax] = model.packetsPerEvent;
  const pNs = llPacketsForAttPdu(model, 3 + 8);
  const fragments = Math.max(1, Math.ceil(meanReplyBytes / (mtu - 3)));
  const pFrag = llPacketsForAttPdu(model, mtu);
  const at = (p: number): number =>
    ci * (Math.ceil((notifications * pNs) / p) + requests * (1 + Math.ceil((fragments * pFrag + 1) / p)));
  return {
    lowerMs: requests * 2 * ci,
    expectedMs: at((pMin + pMax) / 2),
    upperMs: at(pMin) + requests * hostTurnaroundEvents * ci,
    formula:
      `T = CI*(ceil(N*Pns/p) + R*(1 + ceil((F*Pfrag+1)/p))) with CI=${ci} ms, N=${notifications}, R=${requests}, ` +
      `F=${fragments}, Pfrag=${pFrag}, Pns=${pNs}, p in [${pMin},${pMax}]; lower bound R*2*CI` +
      (hostTurnaroundEvents > 0 ? `; upper bound adds R*${hostTurnaroundEvents}*CI for real host stacks' turnaround` : ''),
  };
}

export interface ObexExchangeBytes {
  /** Payload bytes of the request (PC to phone). */
  requestBytes: number;
  /** Payload bytes of the response (phone to PC). */
  responseBytes: number;
}

export interface ObexPullPrediction {
  expectedMs: number;
  formula: string;
}

/**
 * Predicts a request/response OBEX transfer without Single Response Mode
 * (PBAP over RFCOMM), one exchange after another: each request crosses the
 * link (its air time plus the latency), then its response streams back as
 * the classic link model predicts a transfer of that many bytes (frames'
 * air time, credit waits, one latency):
 *
 *   T = sum over exchanges of ( air(request) + latency + transfer(response) )
 */
export function predictObexPull(model: ClassicLinkModel, exchanges: readonly ObexExchangeBytes[], frameSize?: number): ObexPullPrediction {
  let total = 0;
  let requestBytes = 0;
  let responseBytes = 0;
  for (const e of exchanges) {
    requestBytes += e.requestBytes;
    responseBytes += e.responseBytes;
    total += frameAirTimeMs(model, dataFrameWireBytes(e.requestBytes)) + model.latencyMs;
    total += predictTransfer(model, e.responseBytes, frameSize === undefined ? {} : { frameSize }).durationMs;
  }
  return {
    expectedMs: total,
    formula:
      `T = sum(air(req) + latency + transfer(resp)) over ${exchanges.length} exchanges; ` +
      `${requestBytes} request and ${responseBytes} response bytes at ${model.bitrate} bit/s, latency ${model.latencyMs} ms`,
  };
}
