import type { AgentContext } from './runs';

export function describeClineProtocol(_ctx: () => AgentContext): void {}
export function describeClineFailClosed(_ctx: () => AgentContext): void {}
export function describeClineCoverage(_ctx: () => AgentContext): void {}
