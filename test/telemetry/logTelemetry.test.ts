import { describe, expect, it } from 'vitest';
import { createTelemetry } from '../../src/telemetry/createTelemetry';
import { createLogTelemetry } from '../../src/telemetry/logTelemetry';
import { captureLogger, cycleRun, TRACEPARENT, writtenOutcome } from './fixtures';

describe('createLogTelemetry', () => {
  it('writes a WorkerOutcome line with properties and measurements together', () => {
    const logger = captureLogger();
    createLogTelemetry(logger).workerOutcome(writtenOutcome(), {
      runId: 'cycle-1',
      durationMs: 84,
      graphRequests: 2,
      operationId: TRACEPARENT,
    });
    expect(logger.lines).toEqual([
      {
        level: 'info',
        message: 'telemetry WorkerOutcome',
        properties: {
          code: 'written',
          workerId: '21001',
          runId: 'cycle-1',
          operationId: '0af7651916cd43dd8448eb211c80319c',
          durationMs: 84,
          graphRequests: 2,
        },
      },
    ]);
  });

  it('writes RunCompleted and CycleHeld at info and the metrics at debug', () => {
    const logger = captureLogger();
    createLogTelemetry(logger).runCompleted(cycleRun({ held: true }), { escrow: { backlog: 3, oldestAgeMinutes: 95 } });
    const info = logger.lines.filter((l) => l.level === 'info').map((l) => l.message);
    expect(info).toEqual(['telemetry RunCompleted', 'telemetry CycleHeld']);
    const backlog = logger.lines.find((l) => l.message === 'telemetry metric AttributeWriter.EscrowBacklog');
    expect(backlog).toEqual({
      level: 'debug',
      message: 'telemetry metric AttributeWriter.EscrowBacklog',
      properties: { value: 3 },
    });
  });

  it('never writes a personal email in full', () => {
    const logger = captureLogger();
    createLogTelemetry(logger).workerOutcome(
      writtenOutcome({ code: 'conflict', reason: 'email jane.doe@example.com is shared' }),
      {
        runId: 'r',
        durationMs: 1,
        graphRequests: 0,
      },
    );
    expect(JSON.stringify(logger.lines)).not.toContain('jane.doe@example.com');
  });

  it('flushes at once: there is nothing buffered', async () => {
    await expect(createLogTelemetry(captureLogger()).flush()).resolves.toBeUndefined();
  });
});

describe('createTelemetry', () => {
  it('uses the log when no connection string is set', () => {
    const logger = captureLogger();
    createTelemetry({ logger }).workerOutcome(writtenOutcome(), { runId: 'r', durationMs: 1, graphRequests: 0 });
    expect(logger.lines.map((l) => l.message)).toEqual(['telemetry WorkerOutcome']);
  });
});
