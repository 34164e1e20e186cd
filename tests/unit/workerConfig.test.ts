// Department IT configure the worker through the environment: a wrong value stops start-up with a message
// naming the variable and the rule.
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { loadWorkerConfig } from '../../worker/config';
import { InputValidationError } from '../../shared/validation';

describe('worker configuration', () => {
  it('applies defaults when nothing is configured', () => {
    const c = loadWorkerConfig({});
    expect(c).toMatchObject({ TEMPORAL_NAMESPACE: 'default', CASE_TASK_QUEUE: 'case-lifecycle', ELK_ENV: 'SVCDEV', DEPARTMENT_TIME_ZONE: 'Europe/Moscow' });
  });

  it.each([
    ['DEPARTMENT_INN', '12345', 'ИНН ведомства: 10 цифр'],
    ['DEPARTMENT_TIME_ZONE', 'Mars/Olympus', 'часовой пояс IANA'],
    ['ELK_ENV', 'PROD', 'EPGU (продуктив) или SVCDEV'],
    ['TEMPORAL_ADDRESS', 'localhost', 'host:port'],
    ['ELK_RETRY_MAX_INTERVAL_MS', '5', 'ELK_RETRY_MAX_INTERVAL_MS'],
    ['CASE_REGIONAL_HOLIDAYS', '2026-13-45', 'ГГГГ-ММ-ДД'],
  ])('rejects a wrong %s naming it', (name, value, rule) => {
    let error: unknown;
    try {
      loadWorkerConfig({ [name]: value });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InputValidationError);
    expect((error as Error).message).toContain(`${name}: `);
    expect((error as Error).message).toContain(rule);
  });

  it('stops the standalone worker at start-up, naming every missing or wrong variable', () => {
    const run = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', 'worker/main.ts'], {
      cwd: path.resolve(__dirname, '../..'),
      env: { PATH: process.env.PATH, DEPARTMENT_INN: '77' },
      encoding: 'utf8',
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('DEPARTMENT_INN: ИНН ведомства: 10 цифр');
  });
});
