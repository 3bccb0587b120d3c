/**
 * `phonebridge decode <kind> <hex...>`: decodes protocol bytes to JSON.
 * Thin: parsing and naming live in src/harness/decode-*.ts and the codecs.
 */
import type { Argv, CommandModule } from 'yargs';
import { describeControlPoint, describeDataSource, describeNotificationSource, fragmentsFromWords, parseHex } from '../../harness/decode-ancs';

interface DecodeArgs {
  kind: string;
  bytes: string[];
  request?: string;
  joined?: boolean;
}

const KINDS = ['ancs-ns', 'ancs-cp', 'ancs-ds'] as const;

const command: CommandModule<object, DecodeArgs> = {
  command: 'decode <kind> <bytes..>',
  describe: 'Decode protocol bytes (hex) to JSON',
  builder: (yargs: Argv) =>
    yargs
      .positional('kind', { choices: KINDS, describe: 'ancs-ns: Notification Source; ancs-cp: Control Point; ancs-ds: Data Source (several fragments allowed)' })
      .positional('bytes', { type: 'string', array: true, describe: 'hex bytes; for ancs-ds each word of 3+ bytes is one fragment' })
      .option('request', { type: 'string', describe: 'ancs-ds: the Control Point request (hex) the reply answers' })
      .option('joined', { type: 'boolean', default: false, describe: 'ancs-ds: treat all words as one fragment' })
      .example('$0 decode ancs-ns 00 01 00 01 43 00 00 00', 'an Added event')
      .example('$0 decode ancs-ds --request 004300000001ffff 00430000000105 0048656c6c6f', 'a reply in two fragments, its length split between them') as unknown as Argv<DecodeArgs>,
  handler: (args) => {
    const words = args.bytes.map(String);
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
      default:
        throw new Error(`unknown kind ${args.kind}`);
    }
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  },
};

export default command;
