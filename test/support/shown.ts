import type { CheckNode, ResultNode } from '../../src/checks/result.js';
import type { FindingCode } from '../../src/checks/codes.js';
import { DEFAULT_TARGET, type CommandTarget } from '../../src/engine/commands.js';
import { finalize } from '../../src/engine/run.js';

/** A step's node as a report shows it (commands rendered, no target flags unless given): what tests assert. */
export function shown(node: CheckNode, target: CommandTarget = DEFAULT_TARGET): ResultNode {
  return finalize(node, target);
}

/** `evaluate` of a step, with its node shown as a report would show it. */
export function showing<A extends unknown[]>(
  evaluate: (...args: A) => CheckNode,
): (...args: A) => ResultNode {
  return (...args) => shown(evaluate(...args));
}

/** A report node back as a step would build it (commands split on spaces): for tests that replay nodes. */
export function asCheckNode(node: ResultNode): CheckNode {
  const { commands, children, code, ...rest } = node;
  return {
    ...rest,
    ...(code !== undefined ? { code: code as FindingCode } : {}),
    ...(commands ? { commands: commands.map((c) => ({ argv: c.split(' ') })) } : {}),
    ...(children ? { children: children.map(asCheckNode) } : {}),
  };
}
