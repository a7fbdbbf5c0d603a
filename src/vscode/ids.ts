/** Every command, view, setting and context-key id Airlock uses, declared once. */
export const EXTENSION_ID = 'agent-airlock.agent-airlock';

export const Commands = {
  showLog: 'airlock.showLog',
} as const;

export const Views = {
  container: 'airlock',
  status: 'airlock.status',
} as const;

export const ConfigSection = 'airlock';
