/** A hint and the commands that take the investigation further (STYLE B3). */
export interface Hint {
  hint: string;
  commands: string[];
}

/**
 * A command line for a tool that takes kubectl's target flags (`--kubeconfig`, `--context`), so printed
 * commands reach the same cluster the doctor examined. `flags` is `Scope.kubectlFlags` ('' by default).
 */
export function withTarget(tool: 'kubectl' | 'cmctl', flags: string, args: string): string {
  return flags ? `${tool} ${flags} ${args}` : `${tool} ${args}`;
}

/** `kubectl [flags] args`. */
export function kubectl(flags: string, args: string): string {
  return withTarget('kubectl', flags, args);
}
