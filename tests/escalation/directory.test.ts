// Directory config: the bundled demo, a file named by CASE_DIRECTORY_FILE, and errors that name the field.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { demoDirectoryConfig, loadDirectory, peopleForRole, WebhookNotifier } from '../../escalation';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'esc-directory-'));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

test('without CASE_DIRECTORY_FILE the bundled demo directory is used', () => {
  const d = loadDirectory({});
  expect(d).toEqual(demoDirectoryConfig());
  expect(Object.keys(d.clerks)).toContain('clerk-ivanova');
  expect(peopleForRole(d, 'clerk', 'clerk-ivanova')).toEqual([
    { role: 'clerk', id: 'clerk-ivanova', name: 'Иванова Анна Сергеевна', email: 'ivanova@dept.example.ru' },
  ]);
});

test('a file named by CASE_DIRECTORY_FILE is loaded and validated', () => {
  const file = path.join(dir, 'directory.json');
  fs.writeFileSync(
    file,
    JSON.stringify({
      clerks: { c1: { name: 'Клерк Один' } },
      head: { name: 'Начальник', webhookUrl: 'https://hooks.example.ru/head' },
      deputy: { name: 'Заместитель' },
      management: [{ name: 'Руководство' }],
      webhookUrl: 'https://hooks.example.ru/dept',
    }),
  );
  const d = loadDirectory({ CASE_DIRECTORY_FILE: file });
  const hook = new WebhookNotifier();
  expect(hook.addressOf(peopleForRole(d, 'head', null)[0]!, d)).toBe('https://hooks.example.ru/head');
  expect(hook.addressOf(peopleForRole(d, 'clerk', 'c1')[0]!, d)).toBe('https://hooks.example.ru/dept');
  // An unknown clerk id still yields a person (for the task), just without addresses of its own.
  expect(peopleForRole(d, 'clerk', 'c9')).toEqual([{ role: 'clerk', id: 'c9', name: 'c9' }]);

  fs.writeFileSync(file, JSON.stringify({ clerks: { c1: { name: 'Клерк', email: 'не-адрес' } }, head: { name: 'Н' }, deputy: { name: 'З' }, management: [] }));
  expect(() => loadDirectory({ CASE_DIRECTORY_FILE: file })).toThrow(/clerks\.c1\.email/);
  expect(() => loadDirectory({ CASE_DIRECTORY_FILE: file })).toThrow(/management/);
  expect(() => loadDirectory({ CASE_DIRECTORY_FILE: path.join(dir, 'missing.json') })).toThrow(/CASE_DIRECTORY_FILE/);
});
