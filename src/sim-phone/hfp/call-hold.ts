/**
 * The AT+CHLD rules (3GPP 27.007 call hold and multiparty, as HFP uses
 * them) over the phone's live calls: 0 release held calls or reject the
 * waiting one; 1 release active calls and accept the other; 1x release
 * call x; 2 hold active calls and accept the other (a swap when both an
 * active and a held call exist); 2x private consultation with x; 3 join
 * into a conference; 4 explicit call transfer. Calls to end are returned,
 * not removed, so the model can log them.
 */
import { CallRefusedError } from './call-state';
import type { CallTable, LiveCall } from './call-table';

export interface HoldOutcome {
  /** Calls the action ends (still in the table). */
  ended: LiveCall[];
  /** Held and active calls swapped places. */
  swapped: boolean;
}

/** Applies AT+CHLD=<action>[<index>]; `connect` makes a call active. Throws CallRefusedError. */
export function applyChld(table: CallTable, action: number, index: number | undefined, connect: (call: LiveCall) => void): HoldOutcome {
  const waiting = table.inState('waiting')[0];
  const active = table.inState('active');
  const held = table.inState('held');
  const label = `AT+CHLD=${action}${index ?? ''}`;
  const refuse = (why: string): never => {
    throw new CallRefusedError('notAllowed', `${label}: ${why}`);
  };
  const target = (): LiveCall => {
    const call = index === undefined ? undefined : table.get(index);
    if (!call) throw new CallRefusedError('invalidIndex', `${label}: no call ${index}`);
    return call;
  };
  const done = (ended: LiveCall[] = [], swapped = false): HoldOutcome => ({ ended, swapped });

  switch (`${action}${index === undefined ? '' : 'x'}`) {
    case '0':
      if (waiting) return done([waiting]);
      if (held.length === 0) return refuse('no held or waiting call');
      return done(held);
    case '1':
      if (active.length === 0 && !waiting && held.length === 0) return refuse('no call to release or accept');
      if (waiting) connect(waiting);
      else for (const c of held) c.state = 'active';
      return done(active);
    case '1x': {
      const call = target();
      if (call.state !== 'active') return refuse(`call ${index} is not active`);
      return done([call]);
    }
    case '2': {
      if (waiting && active.length > 0 && held.length > 0) return refuse('a held call already exists');
      if (active.length === 0 && !waiting && held.length === 0) return refuse('no call to hold or retrieve');
      const swapped = !waiting && active.length > 0 && held.length > 0;
      for (const c of active) c.state = 'held';
      if (waiting) connect(waiting);
      else for (const c of held) c.state = 'active';
      return done([], swapped);
    }
    case '2x': {
      const call = target();
      if (call.state !== 'active' || !call.multiparty) return refuse(`call ${index} is not in an active conference`);
      if (held.length > 0) return refuse('a held call already exists');
      for (const c of active) if (c !== call) c.state = 'held';
      call.multiparty = false;
      return done();
    }
    case '3':
      if (active.length === 0 || held.length === 0) return refuse('joining needs an active and a held call');
      for (const c of [...active, ...held]) {
        c.state = 'active';
        c.multiparty = true;
      }
      return done();
    case '4':
      // The two far ends are connected to each other and the phone leaves both calls.
      if (active.length === 0 || held.length === 0) return refuse('transfer needs an active and a held call');
      return done([...active, ...held]);
    default:
      throw new CallRefusedError('unsupported', `${label} is not supported`);
  }
}
