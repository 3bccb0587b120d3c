/**
 * The cucumber World: one testbed per scenario, built from the run's world
 * parameters (phone profile, transport, seed), plus the small amount of
 * scenario state steps share ("that notification", the last refusal) and
 * helpers to attach verdicts and measured figures to the report.
 */
import { After, Before, IWorldOptions, World, setDefaultTimeout, setWorldConstructor } from '@cucumber/cucumber';
import { Testbed, TestbedError, TestbedOptions } from './testbed';
import type { ScenarioBed } from './scenario-bed';
import { createScenarioBed, needsAsyncOpen, openScenarioBed } from './bed-factory';
import type { Figure } from './report/types';
import { FIGURE_MEDIA_TYPE, VERDICT_MEDIA_TYPE } from './report/from-messages';
import { scenarioCaptureFile } from '../link/capture';
import { SentLogRecorder, sentLogPathFor, writeSentLog } from './capture-oracle-sent-log';

export type { Figure };

export interface PhoneBridgeParameters {
  phone: string;
  transport: string;
  seed: number;
  /** Folder for one btsnoop capture per scenario (`phonebridge run --capture <dir>`). */
  capture?: string;
}


export type ScenarioVerdict = 'supported' | 'limited' | 'deviation';


export class PhoneBridgeWorld extends World<PhoneBridgeParameters> {
  private built: ScenarioBed | undefined;
  /** Store id of the notification the scenario last talked about on the phone. */
  currentPhoneNotification: number | undefined;
  /** PC-side ids seen at a checkpoint, to compare after a reconnect. */
  savedPcIds = new Map<string, string>();
  /** The error the PC answered the user's last refused action with. */
  lastRefusal: Error | undefined;
  /** Link time when the last fault was injected. */
  faultAt: number | undefined;
  /** Free-form scenario state steps share (counters, checkpoints). */
  readonly notes: Record<string, unknown> = {};
  /** Testbed settings a step gives before the testbed exists (e.g. the PC's Class of Device). */
  readonly testbedOverrides: Partial<TestbedOptions> = {};
  /** The running scenario's name (names its capture file). */
  scenarioName = 'scenario';
  /** This scenario's capture file and the recorder of what our stack sent, when the run captures. */
  private sent: { file: string; recorder: SentLogRecorder } | undefined;

  constructor(options: IWorldOptions<PhoneBridgeParameters>) {
    super(options);
  }

  get params(): PhoneBridgeParameters {
    return {
      phone: this.parameters.phone ?? 'iphone',
      transport: this.parameters.transport ?? 'memory',
      seed: Number(this.parameters.seed ?? 1),
    };
  }

  /** The testbed of this scenario, on the run's transport (built on first use). */
  get bed(): ScenarioBed {
    if (!this.built) {
      if (needsAsyncOpen(this.params.transport)) throw new TestbedError(`the ${this.params.transport} testbed was not opened before the scenario`);
      const { phone, transport, seed } = this.params;
      const capture = this.captureOption();
      this.built = createScenarioBed({ ...this.testbedOverrides, phone, transport, seed, ...capture });
      this.recordSent(this.built, capture.capture);
    }
    return this.built;
  }

  /** The in-memory testbed, for steps of profiles only the in-memory link carries (contacts, calls, messages). */
  get tb(): Testbed {
    const bed = this.bed;
    if (!(bed instanceof Testbed)) {
      throw new TestbedError(`this step needs the in-memory link; the ${bed.transport} transport carries notifications only`);
    }
    return bed;
  }

  /** Opens the testbed of a transport that starts asynchronously. */
  async openBed(): Promise<void> {
    if (this.built) return;
    const { phone, transport, seed } = this.params;
    const capture = this.captureOption();
    this.built = await openScenarioBed({ ...this.testbedOverrides, phone, transport, seed, ...capture });
    this.recordSent(this.built, capture.capture);
  }

  /** Starts the sent log of a capturing scenario (before anything moves on the links). */
  private recordSent(bed: ScenarioBed, file: string | undefined): void {
    if (file === undefined) return;
    this.sent = { file, recorder: new SentLogRecorder(bed) };
  }

  /** Writes `<capture>.sent.json` beside the capture (after the testbed has shut down). */
  writeSentLog(): void {
    const sent = this.sent;
    this.sent = undefined;
    if (sent) writeSentLog(sentLogPathFor(sent.file), sent.recorder.finish());
  }

  /** The capture file of this scenario, when the run asked for captures. */
  private captureOption(): { capture?: string } {
    const dir = typeof this.parameters.capture === 'string' ? this.parameters.capture : undefined;
    return dir !== undefined ? { capture: scenarioCaptureFile(dir, this.scenarioName) } : {};
  }

  get hasTestbed(): boolean {
    return this.built !== undefined;
  }

  async verdict(verdict: ScenarioVerdict, note?: string): Promise<void> {
    await this.attach(JSON.stringify({ verdict, ...(note ? { note } : {}) }), VERDICT_MEDIA_TYPE);
  }

  async figure(figure: Figure): Promise<void> {
    await this.attach(JSON.stringify(figure), FIGURE_MEDIA_TYPE);
  }
}

setWorldConstructor(PhoneBridgeWorld);
// Scenarios run in virtual time; a wall-clock minute is a generous cap for any one step.
setDefaultTimeout(60_000);

Before(async function (this: PhoneBridgeWorld, { pickle }) {
  this.scenarioName = pickle.name;
  this.currentPhoneNotification = undefined;
  this.lastRefusal = undefined;
  // Real stacks (hci) start asynchronously: open the testbed before the first step.
  if (needsAsyncOpen(this.params.transport)) await this.openBed();
});

After(async function (this: PhoneBridgeWorld) {
  try {
    if (this.hasTestbed) await this.bed.shutdown();
  } finally {
    this.writeSentLog();
  }
});
