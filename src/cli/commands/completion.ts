// `meshctl completion bash|zsh|fish`: prints a completion script generated from the command tree.
import { Argument, type Command } from '@commander-js/extra-typings';

const EXAMPLES = `
Examples:
  source <(meshctl completion bash)                     # bash, this shell only
  meshctl completion bash > /etc/bash_completion.d/meshctl
  source <(meshctl completion zsh)                      # zsh (after compinit)
  meshctl completion fish > ~/.config/fish/completions/meshctl.fish

Completes commands, flags, flag values with fixed choices (-o, …) and resource types.
`;

export function registerCompletion(program: Command): void {
  program
    .command('completion')
    .description('print a shell completion script (bash, zsh or fish)')
    .addArgument(new Argument('<shell>', 'the shell to complete for').choices(['bash', 'zsh', 'fish']))
    .addHelpText('after', EXAMPLES)
    .action(async (shell) => {
      const { completionScript } = await import('../completion.js');
      process.stdout.write(completionScript(shell, program));
    });
}
