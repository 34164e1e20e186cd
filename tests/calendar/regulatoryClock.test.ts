import { CalendarCoverageError, ProductionCalendar, computeRegulatoryClock, defaultProductionCalendar, type RegulatoryClockInput } from '../../calendar';

const cal = defaultProductionCalendar();
const MSK = 'Europe/Moscow';
// Monday 02.03.2026, registered mid-morning; the term runs from Tuesday 03.03.
const base: RegulatoryClockInput = {
  startedAt: '2026-03-02T10:00:00+03:00',
  term: { amount: 15, unit: 'workingDays' },
  timeZone: MSK,
  suspensions: [],
  extensions: [],
};

describe('regulatory clock', () => {
  it('counts from the day after registration; the deadline is the end of working hours on the due day', () => {
    const out = computeRegulatoryClock(base, cal);
    // 03–06.03 (4), 09.03 off, 10–13 (8), 16–20 (13), 23, 24 (15)
    expect(out).toEqual({
      deadline: '2026-03-24T18:00:00.000+03:00',
      dueDate: '2026-03-24',
      suspendedWorkingDays: 0,
      suspendedDates: [],
      countingFrom: '2026-03-03',
      budgetWorkingDays: 15,
      calendarVersion: cal.version,
      openSuspension: false,
    });
  });

  it('a suspension of 3 working days moves the deadline by exactly 3 working days', () => {
    const plain = computeRegulatoryClock(base, cal);
    const suspended = computeRegulatoryClock(
      { ...base, suspensions: [{ from: '2026-03-10T09:00:00+03:00', to: '2026-03-12T18:00:00+03:00', reason: 'Запрошены документы у заявителя' }] },
      cal,
    );
    expect(suspended.suspendedWorkingDays).toBe(3);
    expect(suspended.suspendedDates).toEqual(['2026-03-10', '2026-03-11', '2026-03-12']);
    expect(suspended.dueDate).toBe('2026-03-27');
    expect(cal.workingDaysBetween(plain.dueDate as string, suspended.dueDate as string)).toBe(3);
    expect(suspended.deadline).toBe('2026-03-27T18:00:00.000+03:00');
    expect(suspended.budgetWorkingDays).toBe(15);
  });

  it('only whole working days count: a suspension from Tuesday 14:00 to Thursday 11:00 moves the term by one day', () => {
    const out = computeRegulatoryClock({ ...base, suspensions: [{ from: '2026-03-10T14:00:00+03:00', to: '2026-03-12T11:00:00+03:00', reason: 'Запрос СМЭВ' }] }, cal);
    expect(out.suspendedDates).toEqual(['2026-03-11']);
    expect(out.dueDate).toBe('2026-03-25');
  });

  it('a suspension over days off only does not move the term, and overlapping suspensions are not double-counted', () => {
    const weekend = computeRegulatoryClock({ ...base, suspensions: [{ from: '2026-03-07T00:00:00+03:00', to: '2026-03-09T23:59:00+03:00', reason: 'x' }] }, cal);
    expect(weekend.dueDate).toBe('2026-03-24');
    const overlapping = computeRegulatoryClock(
      {
        ...base,
        suspensions: [
          { from: '2026-03-10T08:00:00+03:00', to: '2026-03-11T19:00:00+03:00', reason: 'a' },
          { from: '2026-03-11T08:00:00+03:00', to: '2026-03-12T19:00:00+03:00', reason: 'b' },
        ],
      },
      cal,
    );
    expect(overlapping.suspendedWorkingDays).toBe(3);
    expect(overlapping.dueDate).toBe('2026-03-27');
  });

  it('a suspension after the deadline does not move it', () => {
    const out = computeRegulatoryClock({ ...base, suspensions: [{ from: '2026-03-30T09:00:00+03:00', to: '2026-04-03T18:00:00+03:00', reason: 'late' }] }, cal);
    expect(out.dueDate).toBe('2026-03-24');
    expect(out.suspendedWorkingDays).toBe(0);
  });

  it('an open suspension makes the deadline unknown', () => {
    const out = computeRegulatoryClock({ ...base, suspensions: [{ from: '2026-03-10T09:00:00+03:00', reason: 'Ожидание ответа ведомства' }] }, cal);
    expect(out).toMatchObject({ deadline: null, dueDate: null, budgetWorkingDays: null, openSuspension: true });
  });

  it('extensions add to the budget, each in its own unit', () => {
    const extended = computeRegulatoryClock({ ...base, extensions: [{ amount: 10, unit: 'workingDays', reason: 'Продление по решению руководителя' }] }, cal);
    expect(extended.dueDate).toBe(computeRegulatoryClock({ ...base, term: { amount: 25, unit: 'workingDays' } }, cal).dueDate);
    expect(extended.budgetWorkingDays).toBe(25);
    // 24.03 + 14 calendar days = 07.04 (Tuesday)
    const calendarExt = computeRegulatoryClock({ ...base, extensions: [{ amount: 14, unit: 'calendarDays', reason: 'Продление' }] }, cal);
    expect(calendarExt.dueDate).toBe('2026-04-07');
  });

  it('a calendar-day term ending on a holiday ends on the next working day', () => {
    const out = computeRegulatoryClock({ ...base, startedAt: '2025-12-02T12:00:00+03:00', term: { amount: 30, unit: 'calendarDays' } }, cal);
    expect(out.dueDate).toBe('2026-01-12');
    expect(out.deadline).toBe('2026-01-12T18:00:00.000+03:00');
  });

  it('ends at 17:00 on a shortened pre-holiday due day', () => {
    // Registered Thursday 23.04.2026; 5 working days → Thursday 30.04 (shortened).
    const out = computeRegulatoryClock({ ...base, startedAt: '2026-04-23T11:00:00+03:00', term: { amount: 5, unit: 'workingDays' } }, cal);
    expect(out.deadline).toBe('2026-04-30T17:00:00.000+03:00');
  });

  it('uses the department time zone for the registration day and the deadline', () => {
    // 23:30 Moscow on Monday is already Tuesday 08:30 in Kamchatka: counting starts a day later there.
    const startedAt = '2026-03-02T20:30:00Z';
    const msk = computeRegulatoryClock({ ...base, startedAt, term: { amount: 1, unit: 'workingDays' } }, cal);
    const kam = computeRegulatoryClock({ ...base, startedAt, term: { amount: 1, unit: 'workingDays' }, timeZone: 'Asia/Kamchatka' }, cal);
    expect(msk.deadline).toBe('2026-03-03T18:00:00.000+03:00');
    expect(kam.deadline).toBe('2026-03-04T18:00:00.000+12:00');
  });

  it('a registration on Saturday counts from Monday', () => {
    const out = computeRegulatoryClock({ ...base, startedAt: '2026-03-14T12:00:00+03:00', term: { amount: 1, unit: 'workingDays' } }, cal);
    expect(out.dueDate).toBe('2026-03-16');
  });

  it('the regional calendar moves the deadline over a regional holiday and is recorded in the result', () => {
    const tatarstan = new ProductionCalendar({ regionalHolidays: [{ date: '2026-03-20', name: 'Ураза-байрам' }] });
    const out = computeRegulatoryClock(base, tatarstan);
    expect(out.dueDate).toBe('2026-03-25');
    expect(out.calendarVersion).toBe(tatarstan.version);
  });

  it('rejects a term that crosses past 2027 with the update message', () => {
    const run = () => computeRegulatoryClock({ ...base, startedAt: '2027-12-01T10:00:00+03:00', term: { amount: 30, unit: 'workingDays' } }, cal);
    expect(run).toThrow(CalendarCoverageError);
    expect(run).toThrow(/не содержит данных за 2028 год.*Обновите производственный календарь/s);
  });

  it('validates its input', () => {
    expect(() => computeRegulatoryClock({ ...base, timeZone: 'Moscow' }, cal)).toThrow();
    expect(() => computeRegulatoryClock({ ...base, term: { amount: 0, unit: 'workingDays' } }, cal)).toThrow();
    expect(() => computeRegulatoryClock({ ...base, startedAt: '2026-03-02 10:00' }, cal)).toThrow();
    expect(() =>
      computeRegulatoryClock({ ...base, suspensions: [{ from: '2026-03-12T09:00:00+03:00', to: '2026-03-10T09:00:00+03:00', reason: 'x' }] }, cal),
    ).toThrow(/приостановление/);
  });
});
