/**
 * `phonebridge decode <kind> <input...>`: decodes protocol bytes or text to
 * JSON. Thin: parsing and naming live in src/harness/decode-*.ts and the
 * codecs. Kinds: ancs-ns, ancs-cp, ancs-ds (several fragments), obex (a
 * packet), at (AT commands or results), vcard (a .vcf file), bmsg (a MAP
 * bMessage file), capture (a btsnoop file, summarised by profile).
 */
import type { Argv, CommandModule } from 'yargs';
import { describeControlPoint, describeDataSource, describeNotificationSource, fragmentsFromWords, parseHex } from '../../harness/decode-ancs';
import { describeObex } from '../../harness/decode-obex';
import { AtDirection, describeAt } from '../../harness/decode-at';
import { describeVcards } from '../../harness/decode-vcard';
import { describeBmsg } from '../../harness/decode-bmsg';
import { formatCaptureSummary, summariseCapture } from '../../harness/decode-capture';
import { readFileSync } from 'node:fs';

interface DecodeArgs {
  kind: string;
  input: string[];
  request?: string;
  joined?: boolean;
  as?: string;
  direction?: string;
  redact?: boolean;
  json?: boolean;
}

const KINDS = ['ancs-ns', 'ancs-cp', 'ancs-ds', 'obex', 'at', 'vcard', 'bmsg', 'capture'] as const;

/** JSON with byte arrays and bigints readable. */
function replacer(_key: string, value: unknown): unknown {
  if (value instanceof Uint8Array) return Buffer.from(value).toString('hex');
  if (typeof value === 'bigint') return `0x${value.toString(16)}`;
  return value;
}

const command: CommandModule<object, DecodeArgs> = {
  command: 'decode <kind> <input..>',
  describe: 'Decode protocol bytes (hex) or AT text to JSON',
  builder: (yargs: Argv) =>
    yargs
      .positional('kind', {
        choices: KINDS,
        describe: 'ancs-ns: Notification Source; ancs-cp: Control Point; ancs-ds: Data Source (several fragments allowed); obex: one OBEX packet; at: AT commands or results; vcard: a .vcf file; bmsg: a MAP bMessage file; capture: a btsnoop file (HCI H4), summarised by profile',
      })
      .positional('input', { type: 'string', array: true, describe: 'hex bytes (for ancs-ds each word of 3+ bytes is one fragment), or AT text' })
      .option('request', { type: 'string', describe: 'ancs-ds: the Control Point request (hex) the reply answers' })
      .option('joined', { type: 'boolean', default: false, describe: 'ancs-ds: treat all words as one fragment' })
      .option('as', { choices: ['auto', 'request', 'response', 'connect-response'], default: 'auto', describe: 'obex: read the packet as this' })
      .option('direction', { choices: ['auto', 'hf', 'ag'], default: 'auto', describe: 'at: commands from the hands-free (hf) or results from the gateway (ag)' })
      .option('redact', { type: 'boolean', default: true, describe: 'capture: mask names, numbers and message text (--no-redact shows them)' })
      .option('json', { type: 'boolean', default: false, describe: 'capture: print the summary as JSON instead of text' })
      .example('$0 decode ancs-ns 00 01 00 01 43 00 00 00', 'an Added event')
      .example('$0 decode ancs-ds --request 004300000001ffff 00430000000105 0048656c6c6f', 'a reply in two fragments, its length split between them')
      .example('$0 decode obex 80 00 07 10 00 10 00', 'an OBEX Connect request')
      .example("$0 decode at 'AT+BRSF=1012' '+BRSF: 4079' 'OK'", 'an exchange of the service-level connection')
      .example('$0 decode vcard fixtures/contacts/contacts-10.vcf', 'every card in a file')
      .example('$0 decode bmsg message.bmsg', 'a bMessage: parties, body and the LENGTH check')
      .example('$0 decode capture captures/The-PC-copies-the-whole-address-book.btsnoop', 'connections, ANCS, OBEX and AT traffic in a capture') as unknown as Argv<DecodeArgs>,
  handler: (args) => {
    const words = args.input.map(String);
    let out: unknown;
    switch (args.kind) {
      case 'ancs-ns':
        out = describeNotificationSource(parseHex(words.join('')));
        break;
      case 'ancs-cp':
        out = describeControlPoint(parseHex(words.join('')));
        break;
      case 'ancs-ds': {
        const replies = describeDataSource(fragmentsFromWords(words, Boolean(args.joined)), args.request ? parseHex(args.request) : undefined);
        out = replies.length === 1 ? replies[0] : replies;
        break;
      }
      case 'obex':
        out = describeObex(parseHex(words.join('')), (args.as ?? 'auto') as 'auto');
        break;
      case 'at':
        out = describeAt(words.join('\r'), (args.direction ?? 'auto') as AtDirection);
        break;
      case 'vcard': {
        if (words.length !== 1) throw new Error('decode vcard takes one file');
        out = describeVcards(readFileSync(words[0] as string));
        break;
      }
      case 'bmsg': {
        if (words.length !== 1) throw new Error('decode bmsg takes one file');
        out = describeBmsg(readFileSync(words[0] as string));
        break;
      }
      case 'capture': {
        if (words.length !== 1) throw new Error('decode capture takes one file');
        const summary = summariseCapture(readFileSync(words[0] as string), { redact: args.redact !== false });
        if (!args.json) {
          process.stdout.write(formatCaptureSummary(summary));
          return;
        }
        out = summary;
        break;
      }
      default:
        throw new Error(`unknown kind ${args.kind}`);
    }
    process.stdout.write(`${JSON.stringify(out, replacer, 2)}\n`);
  },
};

export default command;
