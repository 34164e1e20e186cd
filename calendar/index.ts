// Public API of the production calendar and regulatory clock. Computed in activities (a calendar update must
// never change a decision already in history); workflow code imports only types from here.
export {
  type LocalDate,
  type IsoWeekday,
  localDate,
  isLocalDate,
  localDateFromParts,
  addDays,
  daysBetween,
  compareLocalDates,
  isoWeekday,
  isWeekend,
  yearOf,
} from './localDate';
export { type CalendarYear, type SpecialDay, calendarYearSchema, specialDaySchema, parseCalendarYear, bundledCalendarYears } from './calendarData';
export {
  type DayKind,
  type DayReason,
  type DayInfo,
  type CalendarCoverage,
  type RegionalHoliday,
  type ProductionCalendarOptions,
  regionalHolidaySchema,
  productionCalendarOptionsSchema,
  CalendarCoverageError,
  ProductionCalendar,
  defaultProductionCalendar,
} from './productionCalendar';
export {
  type LocalDateTime,
  RUSSIAN_TIME_ZONES,
  isValidTimeZone,
  localDateTimeOf,
  localDateOf,
  offsetMinutesAt,
  parseHhMm,
  instantOf,
  formatOffsetDateTime,
} from './timeZone';
export {
  type WorkingHours,
  type WorkingHoursInput,
  type WorkingWindow,
  workingHoursSchema,
  DEFAULT_WORKING_HOURS,
  workingWindow,
  nextWorkingInstant,
  workingMinutesBetween,
} from './workingHours';
export {
  type TermUnit,
  type Suspension,
  type Extension,
  type RegulatoryClockInput,
  type RegulatoryLedger,
  type RegulatoryClockOutput,
  termUnitSchema,
  suspensionSchema,
  extensionSchema,
  regulatoryClockInputSchema,
  computeRegulatoryClock,
} from './regulatoryClock';
