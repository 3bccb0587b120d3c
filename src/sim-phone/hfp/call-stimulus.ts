/**
 * The call and radio stimuli (a call comes in, the far end answers, is busy
 * or hangs up, a second call waits, the network drops, the user dials on
 * the phone, battery / signal / service / roaming change) as JSON-friendly
 * values: their type, their field-by-field validation, and applying one to
 * the phone's CallModel. The shared Stimulus union includes these.
 */
import { type Fail, type JsonObject, checkBoolean, checkKeys, checkNumber, checkString, join, required } from '../json-check';
import type { CallModel } from './call-model';
import { MAX_CALLER_NAME_LENGTH, MAX_CALLS, MAX_NUMBER_LENGTH } from './call-state';

export type CallStimulus =
  | { kind: 'incomingCall'; number: string; name?: string }
  | { kind: 'callWaiting'; number: string; name?: string }
  | { kind: 'startOutgoingCall'; number: string }
  | { kind: 'remoteAnswers' }
  | { kind: 'remoteBusy' }
  | { kind: 'remoteHangsUp'; index?: number }
  | { kind: 'networkLoss' }
  | { kind: 'setBattery'; level: number }
  | { kind: 'setSignal'; level: number }
  | { kind: 'setService'; available: boolean }
  | { kind: 'setRoam'; roaming: boolean };

export type CallStimulusKind = CallStimulus['kind'];

export const CALL_STIMULUS_KINDS: readonly CallStimulusKind[] = [
  'incomingCall',
  'callWaiting',
  'startOutgoingCall',
  'remoteAnswers',
  'remoteBusy',
  'remoteHangsUp',
  'networkLoss',
  'setBattery',
  'setSignal',
  'setService',
  'setRoam',
];

export function isCallStimulusKind(kind: string): kind is CallStimulusKind {
  return (CALL_STIMULUS_KINDS as readonly string[]).includes(kind);
}

const CALLER_NUMBER = new RegExp(`^(\\+?[0-9*#]{1,${MAX_NUMBER_LENGTH}})?$`);
const DIAL_NUMBER = new RegExp(`^\\+?[0-9*#]{1,${MAX_NUMBER_LENGTH}}$`);
const CALLER_NAME = new RegExp(`^[^"\\u0000-\\u001f\\u007f]{1,${MAX_CALLER_NAME_LENGTH}}$`);

/** Validates one call stimulus (`obj.kind` already checked to be `kind`). */
export function parseCallStimulus(obj: JsonObject, kind: CallStimulusKind, field: string, fail: Fail): CallStimulus {
  const at = (key: string): string => join(field, key);
  const level = (): number => checkNumber(required(obj, 'level', field, fail), at('level'), fail, { integer: true, min: 0, max: 5 });
  switch (kind) {
    case 'incomingCall':
    case 'callWaiting': {
      checkKeys(obj, ['kind', 'number', 'name'], field, fail);
      const number = checkString(required(obj, 'number', field, fail), at('number'), fail, { pattern: CALLER_NUMBER });
      if (obj.name === undefined) return { kind, number };
      return { kind, number, name: checkString(obj.name, at('name'), fail, { pattern: CALLER_NAME }) };
    }
    case 'startOutgoingCall':
      checkKeys(obj, ['kind', 'number'], field, fail);
      return { kind, number: checkString(required(obj, 'number', field, fail), at('number'), fail, { pattern: DIAL_NUMBER }) };
    case 'remoteAnswers':
    case 'remoteBusy':
    case 'networkLoss':
      checkKeys(obj, ['kind'], field, fail);
      return { kind };
    case 'remoteHangsUp':
      checkKeys(obj, ['kind', 'index'], field, fail);
      if (obj.index === undefined) return { kind };
      return { kind, index: checkNumber(obj.index, at('index'), fail, { integer: true, min: 1, max: MAX_CALLS }) };
    case 'setBattery':
    case 'setSignal':
      checkKeys(obj, ['kind', 'level'], field, fail);
      return { kind, level: level() };
    case 'setService':
      checkKeys(obj, ['kind', 'available'], field, fail);
      return { kind, available: checkBoolean(required(obj, 'available', field, fail), at('available'), fail) };
    case 'setRoam':
      checkKeys(obj, ['kind', 'roaming'], field, fail);
      return { kind, roaming: checkBoolean(required(obj, 'roaming', field, fail), at('roaming'), fail) };
  }
}

/** Applies a call stimulus; returns the new call's index for the ones that start a call. */
export function applyCallStimulus(calls: CallModel, stimulus: CallStimulus): number | undefined {
  switch (stimulus.kind) {
    case 'incomingCall':
      return calls.incomingCall(stimulus.number, stimulus.name).index;
    case 'callWaiting':
      return calls.callWaiting(stimulus.number, stimulus.name).index;
    case 'startOutgoingCall':
      return calls.startOutgoingCall(stimulus.number).index;
    case 'remoteAnswers':
      calls.remoteAnswers();
      return undefined;
    case 'remoteBusy':
      calls.remoteBusy();
      return undefined;
    case 'remoteHangsUp':
      calls.remoteHangsUp(stimulus.index);
      return undefined;
    case 'networkLoss':
      calls.networkLoss();
      return undefined;
    case 'setBattery':
      calls.setBattery(stimulus.level);
      return undefined;
    case 'setSignal':
      calls.setSignal(stimulus.level);
      return undefined;
    case 'setService':
      calls.setService(stimulus.available);
      return undefined;
    case 'setRoam':
      calls.setRoaming(stimulus.roaming);
      return undefined;
  }
}

/** True for the call and radio stimuli. */
export function isCallStimulus(stimulus: { kind: string }): stimulus is CallStimulus {
  return isCallStimulusKind(stimulus.kind);
}
