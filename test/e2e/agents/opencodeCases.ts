import type { AgentContext } from './runs';

export function describeOpencodeProtocol(_ctx: () => AgentContext): void {}
export function describeOpencodeFailClosed(_ctx: () => AgentContext): void {}
export function describeOpencodeCoverage(_ctx: () => AgentContext): void {}
