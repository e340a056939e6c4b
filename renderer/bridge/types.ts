/** Contract types the bridge layer re-exports, so views import from one place. */
export type { AirlockBridge, AirlockEvent, MethodInput, MethodName, MethodOutput } from '../../shared/api/contract.ts';
export type HistoryExportFormatLike = 'jsonl' | 'csv';
