/**
 * Writes small cucumber NDJSON message streams for the report tests: one
 * line per message, with short readable ids (p1, tc1, tcs1, ...), in the
 * order cucumber-js 12 emits them.
 */

export type StepStatus = 'PASSED' | 'FAILED' | 'SKIPPED' | 'PENDING' | 'UNDEFINED' | 'AMBIGUOUS' | 'UNKNOWN';

export interface StepSpec {
  text: string;
  status: StepStatus;
  /** testStepResult.message (cucumber puts the stack here). */
  message?: string;
  /** testStepResult.exception.message. */
  exception?: string;
  ms?: number;
}

export interface AttachmentSpec {
  mediaType: string;
  body: string;
  base64?: boolean;
}

export interface ScenarioSpec {
  name: string;
  tags: string[];
  steps: StepSpec[];
  attachments?: AttachmentSpec[];
  /** Earlier attempts that cucumber retried (each a list of step results). */
  earlierAttempts?: StepSpec[][];
  /** false: the test case is planned but never starts. */
  started?: boolean;
  /** false: started but no testCaseFinished. */
  finished?: boolean;
}

export const VERDICT = 'application/vnd.phonebridge.verdict+json';
export const FIGURE = 'application/vnd.phonebridge.figure+json';

const ts = (seconds: number) => ({ seconds, nanos: 0 });

/** The NDJSON text of a run of `scenarios`; `runFinished: false` leaves out testRunFinished. */
export function messageStream(scenarios: readonly ScenarioSpec[], options: { runFinished?: boolean } = {}): string {
  const lines: unknown[] = [{ meta: { protocolVersion: '32.2.0', implementation: { name: 'cucumber-js', version: '12.9.0' } } }];
  scenarios.forEach((s, i) => {
    lines.push({
      pickle: {
        id: `p${i}`,
        uri: 'features/x.feature',
        location: { line: 10 + i, column: 3 },
        name: s.name,
        language: 'en',
        astNodeIds: [`a${i}`],
        tags: s.tags.map((name, j) => ({ name, astNodeId: `t${i}-${j}` })),
        steps: s.steps.map((step, j) => ({ id: `ps${i}-${j}`, text: step.text, type: 'Context', astNodeIds: [] })),
      },
    });
  });
  lines.push({ testRunStarted: { id: 'run', timestamp: ts(1795457643) } });
  scenarios.forEach((s, i) => {
    lines.push({
      testCase: {
        id: `tc${i}`,
        pickleId: `p${i}`,
        testRunStartedId: 'run',
        testSteps: s.steps.map((_step, j) => ({ id: `st${i}-${j}`, pickleStepId: `ps${i}-${j}`, stepDefinitionIds: [] })),
      },
    });
  });
  let started = 0;
  scenarios.forEach((s, i) => {
    if (s.started === false) return;
    const attempts = [...(s.earlierAttempts ?? []), s.steps];
    attempts.forEach((steps, attempt) => {
      const id = `tcs${started++}`;
      const last = attempt === attempts.length - 1;
      lines.push({ testCaseStarted: { id, testCaseId: `tc${i}`, attempt, timestamp: ts(1795457644) } });
      steps.forEach((step, j) => {
        lines.push({ testStepStarted: { testCaseStartedId: id, testStepId: `st${i}-${j}`, timestamp: ts(1795457644) } });
        if (last && j === 0) {
          for (const a of s.attachments ?? []) {
            lines.push({
              attachment: {
                body: a.base64 ? Buffer.from(a.body).toString('base64') : a.body,
                contentEncoding: a.base64 ? 'BASE64' : 'IDENTITY',
                mediaType: a.mediaType,
                testCaseStartedId: id,
                testStepId: `st${i}-${j}`,
              },
            });
          }
        }
        const result: Record<string, unknown> = {
          status: step.status,
          duration: { seconds: 0, nanos: Math.round((step.ms ?? 1) * 1e6) },
        };
        if (step.message !== undefined) result.message = step.message;
        if (step.exception !== undefined) result.exception = { type: 'Error', message: step.exception };
        lines.push({ testStepFinished: { testCaseStartedId: id, testStepId: `st${i}-${j}`, testStepResult: result, timestamp: ts(1795457644) } });
      });
      if (!last || s.finished !== false) {
        lines.push({ testCaseFinished: { testCaseStartedId: id, timestamp: ts(1795457645), willBeRetried: !last } });
      }
    });
  });
  if (options.runFinished !== false) {
    lines.push({ testRunFinished: { testRunStartedId: 'run', success: true, timestamp: ts(1795457650) } });
  }
  return lines.map((l) => JSON.stringify(l)).join('\n') + '\n';
}

export const pass = (text = 'it works'): StepSpec => ({ text, status: 'PASSED' });
