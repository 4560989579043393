/** What the engine counts; src/http/metrics.ts implements it with prom-client. */
export interface EngineMetrics {
  sessionOpened(transport: string, dialect: string): void;
  sessionClosed(transport: string, dialect: string): void;
  messageIn(): void;
  messagesOut(count: number): void;
  /** Milliseconds from commit to the last local recipient being handed the event. */
  fanoutLatency(ms: number): void;
  slowConsumerDisconnected(): void;
}

export const noopMetrics: EngineMetrics = {
  sessionOpened: () => {},
  sessionClosed: () => {},
  messageIn: () => {},
  messagesOut: () => {},
  fanoutLatency: () => {},
  slowConsumerDisconnected: () => {},
};
