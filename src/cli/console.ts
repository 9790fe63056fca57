import { createInterface } from 'node:readline';
import type { CatalogService } from '../catalog/catalog-service.js';
import { errorMessage } from '../errors.js';
import { formatFind, formatProblems, formatWhoOwns } from './format.js';

const HELP = `Ask Callboard, as you would in Slack:
  whoowns payments-api        who owns it, with team, members, on-call and links
  find geocoding              search; filters: kind:api owner:maps-team tag:go type:service lifecycle:production
  find                        what the catalog holds (kinds, types, languages)
  problems                    what is wrong in the catalog files
  quit`;

/**
 * The local console the main job runs without Slack tokens: the same answers the Slack commands
 * give, one question per line. Reads until end of input, so it also works with piped questions.
 */
export async function runConsole(catalog: CatalogService, io: { input: NodeJS.ReadableStream; output: NodeJS.WritableStream }): Promise<void> {
  const interactive = (io.input as { isTTY?: boolean }).isTTY === true;
  const lines = createInterface({ input: io.input, output: interactive ? io.output : undefined, terminal: interactive });
  const write = (text: string) => io.output.write(`${text}\n`);
  write(`${HELP}\n`);
  if (interactive) lines.setPrompt('callboard> ');
  if (interactive) lines.prompt();
  for await (const line of lines) {
    const [command = '', ...words] = line.trim().split(/\s+/);
    const text = words.join(' ');
    try {
      if (command === 'quit' || command === 'exit') break;
      else if (command === 'whoowns' || command === '/whoowns') write(text ? formatWhoOwns(catalog.whoOwns(text)) : 'usage: whoowns NAME');
      else if (command === 'find' || command === '/find') write(formatFind(catalog.find(text)));
      else if (command === 'problems') {
        const problems = await catalog.problems();
        write(problems.length > 0 ? formatProblems(problems) : 'No problems.');
      } else if (command) write(HELP);
    } catch (error) {
      write(`Sorry, that failed: ${errorMessage(error)}`);
    }
    if (interactive) lines.prompt();
  }
  lines.close();
}
