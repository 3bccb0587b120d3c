/**
 * Builds CompatReports for the report tests from small message streams, the
 * same way the suite runner does.
 */
import { assembleReport } from '../../../src/harness/report/assemble';
import { cellFromEnvelopes, parseNdjson } from '../../../src/harness/report/from-messages';
import { CompatReport } from '../../../src/harness/report/types';
import { FIGURE, messageStream, pass, ScenarioSpec, VERDICT } from './ndjson-fixture';

/** The scenarios of a small iPhone run: supported, limited, failed, not run, a figure, an unknown capability. */
export const IPHONE_SCENARIOS: ScenarioSpec[] = [
  { name: 'A new notification appears', tags: ['@ancs', '@ANCS/NC/NTF/BV-01', '@cap:notifications.new'], steps: [pass()] },
  {
    name: 'The PC cannot reply | not even once',
    tags: ['@ancs', '@ANCS/NC/ACT/BI-02', '@limitation', '@cap:notifications.reply'],
    steps: [pass()],
    attachments: [{ mediaType: VERDICT, body: '{"verdict":"limited","note":"view and dismiss only"}' }],
  },
  {
    name: 'A burst arrives in time',
    tags: ['@ancs', '@ANCS/NC/PRF/BV-01', '@cap:notifications.burst-timing'],
    steps: [{ text: 'in time', status: 'FAILED', exception: 'took 2900 ms, bound 2700 ms; first was "Hi Bob" from 5551234567' }],
    attachments: [{ mediaType: FIGURE, body: '{"name":"burst delivery","value":2900,"unit":"ms","predicted":1800,"bound":2700,"lowerBound":1500}' }],
  },
  { name: 'Phonebook syncs', tags: ['@pbap', '@cap:contacts.sync'], steps: [{ text: 'skip me', status: 'SKIPPED' }] },
];

export function reportFrom(
  runs: Array<{ phone: string; transport?: string; scenarios: ScenarioSpec[]; seed?: number }>,
  runId = 'run-1',
  redact = true,
): CompatReport {
  return assembleReport({
    runId,
    toolVersion: '0.1.0',
    startedAt: '2026-11-23T18:40:12.000Z',
    finishedAt: '2026-11-23T18:40:14.500Z',
    wallTimeMs: 2500,
    redacted: redact,
    runs: runs.map((r) => {
      const parsed = parseNdjson(messageStream(r.scenarios));
      return {
        run: {
          phone: { id: r.phone, name: r.phone === 'iphone' ? 'iPhone' : r.phone },
          transport: r.transport ?? 'memory',
          seed: r.seed ?? 1,
          artifacts: { messages: 'messages.ndjson', junit: 'junit.xml', html: 'cucumber.html' },
        },
        cell: cellFromEnvelopes(parsed.envelopes, { redact }),
      };
    }),
  });
}
