// `flight-recorder view <file> [--port N]`: the command itself belongs to the viewer's part
// (src/cli/view/command.ts); this is the dispatcher's door to it.
import { runView } from '../view/command';

export function viewCommand(argv: readonly string[]): Promise<number> {
  return runView([...argv]);
}
